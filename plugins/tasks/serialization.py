"""JSON for task arguments and return values: checked where the task is enqueued, with a clear error.

Arguments cross a process boundary (Redis) as JSON, so a task must not depend on
anything JSON drops: every backend, the immediate one included, passes the task the
JSON round-trip of its arguments (a tuple arrives as a list), so what works on a
laptop works on RQ and Celery.
"""

from __future__ import annotations

import json
import math
import typing as t

from .exceptions import InvalidTaskArguments

__all__ = ["check_arguments", "describe_type", "normalize_json", "unserialisable_part"]

_HINT = (
    "Task arguments must be JSON-serialisable (str, int, float, bool, None, and lists and dicts of them with "
    "string keys), because they travel to the worker as JSON: pass an id and load the object in the task, "
    "or convert it (str(uuid), when.isoformat(), ...)."
)


def unserialisable_part(value: object, path: str) -> tuple[str, str] | None:
    """The first part of ``value`` that JSON cannot carry faithfully, as ``(path, why)``; ``None`` when all is fine."""
    if value is None or isinstance(value, bool | str):
        return None
    if isinstance(value, int):
        return None if type(value) is int or isinstance(value, bool) else (path, f"is {describe_type(value)}")
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return path, f"is {value!r} (JSON has no NaN or infinity)"
        return None if type(value) is float else (path, f"is {describe_type(value)}")
    if isinstance(value, list | tuple):
        if type(value) not in (list, tuple):
            return path, f"is {describe_type(value)}"
        for index, item in enumerate(value):
            found = unserialisable_part(item, f"{path}[{index}]")
            if found:
                return found
        return None
    if isinstance(value, dict):
        if type(value) is not dict:
            return path, f"is {describe_type(value)}"
        for key, item in value.items():
            if not isinstance(key, str):
                return path, f"has the key {key!r} ({describe_type(key)}); JSON object keys are strings"
            found = unserialisable_part(item, f"{path}[{key!r}]")
            if found:
                return found
        return None
    return path, f"is {describe_type(value)}"


def describe_type(value: object) -> str:
    cls = type(value)
    name = cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    article = "an" if name[:1].lower() in "aeiou" else "a"
    return f"{article} {name}"


def check_arguments(task_name: str, args: t.Sequence[object], kwargs: t.Mapping[str, object]) -> None:
    """Raise :class:`InvalidTaskArguments` naming the first argument JSON cannot carry."""
    for index, value in enumerate(args):
        found = unserialisable_part(value, f"args[{index}]")
        if found:
            raise InvalidTaskArguments(_message(task_name, f"positional argument {index}", found))
    for key, value in kwargs.items():
        found = unserialisable_part(value, key)
        if found:
            raise InvalidTaskArguments(_message(task_name, f"argument {key!r}", found))


def _message(task_name: str, which: str, found: tuple[str, str]) -> str:
    path, why = found
    if "[" in path.removeprefix("args["):  # something inside the argument
        return f"{task_name}.enqueue(): the {which} is not JSON-serialisable: {path} {why}. {_HINT}"
    if why.startswith("is ") and "(" not in why:
        return f"{task_name}.enqueue(): the {which} {why}, which is not JSON-serialisable. {_HINT}"
    return f"{task_name}.enqueue(): the {which} is not JSON-serialisable: it {why}. {_HINT}"


def normalize_json(value: t.Any) -> t.Any:
    """The JSON round-trip of an already checked value (tuples become lists)."""
    return json.loads(json.dumps(value))

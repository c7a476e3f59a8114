"""Reading the ``TASKS`` setting.

The shape of ``TASKS`` is checked at boot: a value that is not a dict of dicts raises
:class:`~flaskkit.ConfigurationError`. Each alias's content (backend, queues, options,
Redis URL) is turned into check messages ``tasks.E001``... so ``flask kit check``
lists every problem at once; the boot stops on them too (checks run at boot).
Nothing connects to Redis here.
"""

from __future__ import annotations

import collections.abc as cabc
import importlib.util
import math
import os
import typing as t
import urllib.parse
from dataclasses import dataclass
from dataclasses import field

from werkzeug.utils import ImportStringError
from werkzeug.utils import import_string

from flaskkit import ConfigurationError
from flaskkit._text import did_you_mean
from flaskkit.checks import CheckMessage
from flaskkit.checks import Error

from .base import DEFAULT_TASK_BACKEND_ALIAS
from .base import DEFAULT_TASK_QUEUE_NAME

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["BUILTIN_BACKENDS", "BackendSettings", "parse_tasks", "safe_url"]

#: Friendly backend names -> the class each one is.
BUILTIN_BACKENDS: dict[str, str] = {
    "immediate": "flaskkit.plugins.tasks.backends.immediate:ImmediateBackend",
    "dummy": "flaskkit.plugins.tasks.backends.dummy:DummyBackend",
    "rq": "flaskkit.plugins.tasks.backends.rq:RQBackend",
    "celery": "flaskkit.plugins.tasks.backends.celery:CeleryBackend",
}
#: What each engine needs installed: module -> extra.
_ENGINE_MODULES = {"rq": ("rq", "rq"), "celery": ("celery", "celery")}
#: Spellings from Django, django-tasks and its engines -> the backend they mean.
_KNOWN_SPELLINGS = {
    "immediatebackend": "immediate",
    "dummybackend": "dummy",
    "rqbackend": "rq",
    "redisqueue": "rq",
    "redis": "rq",
    "djangorq": "rq",
    "pythonrq": "rq",
    "celerybackend": "celery",
    "sync": "immediate",
    "eager": "immediate",
    "inline": "immediate",
    "locmem": "dummy",
}
_ALIAS_KEYS = ("BACKEND", "QUEUES", "OPTIONS")
_REDIS_SCHEMES = ("redis", "rediss", "unix")
_CHOICES = "'immediate', 'dummy', 'rq', 'celery', or the dotted path of a BaseTaskBackend subclass"

#: The OPTIONS each built-in backend reads, with their defaults.
ENGINE_OPTIONS: dict[str, dict[str, t.Any]] = {
    "immediate": {},
    "dummy": {},
    "rq": {
        "REDIS_URL": None,
        "PREFIX": "",
        "RESULT_TTL": 24 * 3600,
        "FAILURE_TTL": 7 * 24 * 3600,
        "TIMEOUT": 600,
        "ABANDONED_AFTER": 90,
    },
    "celery": {
        "REDIS_URL": None,
        "PREFIX": "",
        "RESULT_TTL": 24 * 3600,
        "TIMEOUT": 600,
        "VISIBILITY_TIMEOUT": 3600,
        "CONFIG": {},
    },
}
_SECONDS = ("RESULT_TTL", "FAILURE_TTL", "TIMEOUT", "ABANDONED_AFTER", "VISIBILITY_TIMEOUT")


@dataclass(frozen=True)
class BackendSettings:
    """One alias of ``TASKS``, with its defaults filled in."""

    alias: str
    #: ``BACKEND`` as written.
    backend: str
    #: The dotted path of the backend class.
    backend_path: str
    #: ``QUEUES``; empty means any queue name is allowed.
    queues: tuple[str, ...]
    options: dict[str, t.Any] = field(default_factory=dict)

    @property
    def builtin(self) -> str | None:
        return self.backend if self.backend in BUILTIN_BACKENDS else None


def parse_tasks(app: Flask) -> tuple[dict[str, BackendSettings], list[CheckMessage]]:
    """Validate ``TASKS``: the usable aliases, and the errors of the others (ids ``tasks.E00x``)."""
    value = app.config.get("TASKS")
    if not isinstance(value, cabc.Mapping) or not all(isinstance(v, cabc.Mapping) for v in value.values()):
        raise ConfigurationError(
            f"TASKS must be a dict of alias -> backend settings, not {value!r}.",
            setting="TASKS",
            hint="Write TASKS = {'default': {'BACKEND': 'immediate'}} (or 'dummy', 'rq', 'celery').",
        )
    parsed: dict[str, BackendSettings] = {}
    messages: list[CheckMessage] = []
    if DEFAULT_TASK_BACKEND_ALIAS not in value:
        messages.append(
            Error(
                "TASKS has no 'default' alias; @task uses it unless a task names another."
                + did_you_mean("default", map(str, value)),
                hint="Add TASKS['default'] = {'BACKEND': 'immediate'} (or 'rq', 'celery', 'dummy').",
                obj="TASKS",
                id="tasks.E001",
            )
        )
    for alias, entry in value.items():
        found: list[CheckMessage] = []
        settings = _parse_alias(app, str(alias), entry, found)
        messages.extend(found)
        if settings is not None and not found:
            parsed[str(alias)] = settings
    return parsed, messages


def _error(msg: str, hint: str, id: str) -> Error:
    return Error(msg, hint=hint, obj="TASKS", id=id)


def _parse_alias(
    app: Flask, alias: str, entry: cabc.Mapping[str, t.Any], out: list[CheckMessage]
) -> BackendSettings | None:
    where = f"TASKS[{alias!r}]"
    for key in entry:
        if key not in _ALIAS_KEYS:
            out.append(
                _error(
                    f"{where} has the unknown key {key!r}.{did_you_mean(str(key), _ALIAS_KEYS)}",
                    f"The keys of a task backend are {', '.join(_ALIAS_KEYS)} (a Redis URL goes in "
                    "OPTIONS['REDIS_URL'], or in the REDIS_URL setting).",
                    "tasks.E001",
                )
            )
    backend = entry.get("BACKEND")
    path = _backend_path(where, backend, out)
    queues = _queues(where, entry.get("QUEUES", [DEFAULT_TASK_QUEUE_NAME]), out)
    if path is None or queues is None:
        return None
    builtin = backend if backend in BUILTIN_BACKENDS else None
    options = _options(app, where, builtin, entry.get("OPTIONS", {}), out)
    if options is None:
        return None
    return BackendSettings(alias, t.cast(str, backend), path, queues, options)


def _backend_path(where: str, value: object, out: list[CheckMessage]) -> str | None:
    if not isinstance(value, str) or not value:
        out.append(
            _error(
                f"{where} has no BACKEND." if value is None else f"{where}['BACKEND'] must be a string, not {value!r}.",
                f"Use {_CHOICES}.",
                "tasks.E002",
            )
        )
        return None
    if value in BUILTIN_BACKENDS:
        module, extra = _ENGINE_MODULES.get(value, (None, None))
        if module and importlib.util.find_spec(module) is None:
            out.append(
                _error(
                    f"{where} uses the {value!r} backend, but the {module!r} package is not installed.",
                    f'Install it with: pip install "flaskkit[{extra}]"',
                    "tasks.E005",
                )
            )
            return None
        return BUILTIN_BACKENDS[value]
    dotted = "." in value or ":" in value
    foreign = value.startswith(("django.", "django_tasks", "django_rq", "celery."))
    last = value.replace(":", ".").rpartition(".")[2].lower()
    meant = None
    if not dotted or foreign:
        meant = _KNOWN_SPELLINGS.get(_squash(last)) or _KNOWN_SPELLINGS.get(_squash(value))
        if meant is None and last in BUILTIN_BACKENDS:
            meant = last
    if dotted and not foreign:
        try:
            cls = import_string(value.replace(":", "."))
        except ImportStringError as exc:
            out.append(
                _error(
                    f"{where}['BACKEND'] is {value!r}, which cannot be imported: {exc.exception}",
                    f"Use {_CHOICES}.",
                    "tasks.E002",
                )
            )
            return None
        from .backends.base import BaseTaskBackend

        if not (isinstance(cls, type) and issubclass(cls, BaseTaskBackend)):
            out.append(
                _error(
                    f"{where}['BACKEND'] is {value!r}, which is not a flaskkit task backend "
                    "(a subclass of flaskkit.plugins.tasks.backends.base.BaseTaskBackend).",
                    f"Use {_CHOICES}.",
                    "tasks.E002",
                )
            )
            return None
        return value
    close = f" Did you mean {meant!r}?" if meant else did_you_mean(value, BUILTIN_BACKENDS)
    out.append(
        _error(
            f"{where}['BACKEND'] is {value!r}, which is not a task backend.{close}", f"Use {_CHOICES}.", "tasks.E002"
        )
    )
    return None


def _squash(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "").replace(" ", "")


def _queues(where: str, value: object, out: list[CheckMessage]) -> tuple[str, ...] | None:
    if (
        isinstance(value, str | bytes)
        or not isinstance(value, cabc.Iterable)
        or not all(isinstance(q, str) and q for q in value)
    ):
        out.append(
            _error(
                f"{where}['QUEUES'] must be a list of queue names, not {value!r}.",
                "Write 'QUEUES': ['default', 'mail'] (an empty list allows any queue name).",
                "tasks.E006",
            )
        )
        return None
    return tuple(dict.fromkeys(value))


def _options(
    app: Flask, where: str, builtin: str | None, value: object, out: list[CheckMessage]
) -> dict[str, t.Any] | None:
    if not isinstance(value, cabc.Mapping) or not all(isinstance(k, str) for k in value):
        out.append(
            _error(f"{where}['OPTIONS'] must be a dict, not {value!r}.", "Write 'OPTIONS': {...}.", "tasks.E006")
        )
        return None
    if builtin is None:
        return dict(value)  # a third-party backend reads its own options
    known = ENGINE_OPTIONS[builtin]
    ok = True
    for key in value:
        if key not in known:
            accepted = ", ".join(known) or "none"
            out.append(
                _error(
                    f"{where}['OPTIONS'] has the option {key!r}, which the {builtin!r} backend does not read."
                    f"{did_you_mean(key, known)}",
                    f"The {builtin!r} backend reads the OPTIONS: {accepted}.",
                    "tasks.E006",
                )
            )
            ok = False
    options = {**known, **value}
    for key in _SECONDS:
        if key in options and not _valid_seconds(options[key], allow_none=key == "TIMEOUT"):
            out.append(
                _error(
                    f"{where}['OPTIONS']['{key}'] must be a number of seconds > 0, not {options[key]!r}.",
                    f"Leave it out for {known[key]!r}.",
                    "tasks.E006",
                )
            )
            ok = False
    for key in ("PREFIX",):
        if key in options and not isinstance(options[key], str):
            out.append(
                _error(f"{where}['OPTIONS']['{key}'] must be a string.", "Write 'PREFIX': 'mysite'.", "tasks.E006")
            )
            ok = False
    if "CONFIG" in options and not isinstance(options["CONFIG"], cabc.Mapping):
        out.append(
            _error(
                f"{where}['OPTIONS']['CONFIG'] must be a dict of Celery settings.",
                "Write 'CONFIG': {'worker_concurrency': 4}.",
                "tasks.E006",
            )
        )
        ok = False
    if "REDIS_URL" in known:
        url = _redis_url(app, where, options.get("REDIS_URL"), out)
        if url is None:
            return None
        options["REDIS_URL"] = url
    return options if ok else None


def _valid_seconds(value: object, *, allow_none: bool) -> bool:
    if value is None:
        return allow_none
    return not isinstance(value, bool) and isinstance(value, int | float) and value > 0 and not math.isinf(value)


def _redis_url(app: Flask, where: str, given: object, out: list[CheckMessage]) -> str | None:
    source = f"{where}['OPTIONS']['REDIS_URL']"
    url = given
    if not url:
        url, source = app.config.get("REDIS_URL"), "REDIS_URL"
    if not url:
        url, source = os.environ.get("REDIS_URL"), "the REDIS_URL environment variable"
    if not url:
        out.append(
            _error(
                f"{where} runs on Redis but has no Redis URL: OPTIONS['REDIS_URL'] is not set, nor the REDIS_URL "
                "setting or environment variable.",
                "Set REDIS_URL = 'redis://localhost:6379/0' (or TASKS[...]['OPTIONS']['REDIS_URL']).",
                "tasks.E003",
            )
        )
        return None
    if not isinstance(url, str) or urllib.parse.urlsplit(url).scheme not in _REDIS_SCHEMES:
        out.append(
            _error(
                f"{source} is {url!r}, which is not a Redis URL (redis://, rediss:// or unix://).",
                "Write 'redis://host:6379/0'.",
                "tasks.E003",
            )
        )
        return None
    return url


def safe_url(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
    return urllib.parse.urlunsplit(parts)

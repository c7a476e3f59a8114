"""Running one attempt of a task: in a fresh app context of the app, with Django's bookkeeping.

Every backend runs a task through :func:`run_attempt`, so a task behaves the same
in-process and in an RQ or Celery worker: it gets the JSON round-trip of its arguments,
its own app context (the app's config, ``current_app``, a database session of its own,
closed when the attempt ends), and a return value that JSON cannot carry fails it.
"""

from __future__ import annotations

import logging
import traceback
import typing as t

from .base import Task
from .base import TaskContext
from .base import TaskError
from .base import TaskResult
from .base import TaskResultStatus
from .base import utcnow
from .serialization import describe_type
from .serialization import normalize_json
from .serialization import unserialisable_part
from .signals import task_finished
from .signals import task_started

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["error_of", "mark_failed", "mark_successful", "run_attempt"]

logger = logging.getLogger("flaskkit.tasks")


def _set(result: TaskResult[t.Any], **values: t.Any) -> None:
    for name, value in values.items():
        object.__setattr__(result, name, value)


def run_attempt(app: Flask, result: TaskResult[t.Any], *, worker_id: str, sender: type) -> t.Any:
    """Run ``result.task`` once; return its (JSON-normalised) return value or raise what it raised.

    Marks ``result`` RUNNING and sends ``task_started`` first; the caller records the
    outcome with :func:`mark_successful` or :func:`mark_failed`.
    """
    task: Task[t.Any, t.Any] = result.task
    started = utcnow()
    _set(result, status=TaskResultStatus.RUNNING, last_attempted_at=started)
    if result.started_at is None:
        _set(result, started_at=started)
    result.worker_ids.append(worker_id)
    task_started.send(sender, task_result=result)
    with app.app_context():
        if task.takes_context:
            value = task.call(TaskContext(task_result=result), *result.args, **result.kwargs)
        else:
            value = task.call(*result.args, **result.kwargs)
    found = unserialisable_part(value, "the return value")
    if found:
        raise TypeError(
            f"The task {task.module_path!r} returned {describe_type(value)}"
            f"{'' if found[0] == 'the return value' else f' ({found[0]} {found[1]})'}, which is not "
            "JSON-serialisable: a task's return value is stored as JSON. Return ids, strings or numbers."
        )
    return normalize_json(value)


def error_of(exc: BaseException) -> TaskError:
    cls = type(exc)
    return TaskError(
        exception_class_path=f"{cls.__module__}.{cls.__qualname__}",
        traceback="".join(traceback.format_exception(exc)),
    )


def mark_successful(result: TaskResult[t.Any], value: t.Any, *, sender: type) -> None:
    _set(result, status=TaskResultStatus.SUCCESSFUL, finished_at=utcnow(), _return_value=value)
    task_finished.send(sender, task_result=result)


def mark_failed(result: TaskResult[t.Any], exc: BaseException, *, sender: type, final: bool = True) -> None:
    """Record the failed attempt; FAILED when ``final``, else READY for the next attempt."""
    result.errors.append(error_of(exc))
    if final:
        _set(result, status=TaskResultStatus.FAILED, finished_at=utcnow())
    else:
        _set(result, status=TaskResultStatus.READY)
    logger.error(
        "Task %s (%s) failed%s: %s: %s",
        result.task.module_path,
        result.id,
        "" if final else ", it will be retried",
        type(exc).__name__,
        exc,
        exc_info=exc if final else None,
    )
    task_finished.send(sender, task_result=result)

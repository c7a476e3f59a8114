"""The ``celery`` backend: tasks on Celery 5 with Redis as the broker and the result store.

The app needs no Celery code: the backend builds a Celery app per Flask app with one
registered Celery task, ``flaskkit.tasks.run``, which imports the flaskkit task by its path
and runs it in an app context (monitoring tools show the real task name: the message
is sent with ``shadow=<module path>``). ``flask kit worker`` starts a Celery worker for it;
``celery -A flaskkit.plugins.tasks.celery_app worker`` works too (see the docs).

Celery settings flaskkit chooses (``OPTIONS["CONFIG"]`` overrides any of them):

- JSON only (``task_serializer``, ``result_serializer``, ``accept_content``);
- ``task_acks_late`` + ``task_reject_on_worker_lost`` and a prefetch of 1: a message is
  acknowledged when its task ended, so a worker killed mid-task (SIGKILL, OOM) does not
  lose it. When a pool process dies, Celery puts the message back at once; when the whole
  worker dies, Redis gives it to another worker after ``VISIBILITY_TIMEOUT``. The next
  attempt sees that the previous one never ended, records it as
  :class:`~flaskkit.plugins.tasks.WorkerLost`, and runs again while ``retries`` remain,
  else the task is FAILED: never silently lost, and never retried forever;
- ``result_extended`` and ``result_expires = RESULT_TTL``; ``task_time_limit = TIMEOUT``;
- Redis priorities (``queue_order_strategy = "priority"``): -100..100 maps onto Celery's 9..0;
- ``PREFIX`` is kombu's and the result store's ``global_keyprefix``: every key starts with it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import os
import socket
import typing as t

import kombu.exceptions
import redis
from celery import Celery
from celery import states
from celery.exceptions import Ignore
from celery.exceptions import Reject
from celery.exceptions import Retry
from celery.signals import worker_process_init

from ..base import TASK_MAX_PRIORITY
from ..base import TASK_MIN_PRIORITY
from ..base import Task
from ..base import TaskError
from ..base import TaskResult
from ..base import TaskResultStatus
from ..conf import safe_url
from ..exceptions import TaskEnqueueError
from ..exceptions import TaskResultDoesNotExist
from ..exceptions import WorkerLost
from ..execution import error_of
from ..execution import mark_failed
from ..execution import mark_successful
from ..execution import run_attempt
from ..signals import task_enqueued
from .base import BaseTaskBackend
from .rq import _load_task

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["RUNNER_NAME", "CeleryBackend", "celery_app_for"]

logger = logging.getLogger("flaskkit.tasks")

#: The one Celery task that runs every flaskkit task.
RUNNER_NAME = "flaskkit.tasks.run"
_WORKER_LOST_PATH = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
_ENQUEUE_ERRORS = (kombu.exceptions.OperationalError, redis.RedisError, OSError)

_STATUS = {
    states.PENDING: TaskResultStatus.READY,
    states.RECEIVED: TaskResultStatus.READY,
    states.RETRY: TaskResultStatus.READY,
    states.STARTED: TaskResultStatus.RUNNING,
    states.SUCCESS: TaskResultStatus.SUCCESSFUL,
    states.FAILURE: TaskResultStatus.FAILED,
    states.REVOKED: TaskResultStatus.FAILED,
    states.REJECTED: TaskResultStatus.FAILED,
}


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def celery_priority(priority: int) -> int:
    """Django's -100 (least urgent) .. 100 onto Celery-on-Redis's 9 (least urgent) .. 0."""
    return round((TASK_MAX_PRIORITY - priority) * 9 / (TASK_MAX_PRIORITY - TASK_MIN_PRIORITY))


class CeleryBackend(BaseTaskBackend):
    supports_defer = True
    supports_get_result = True
    supports_priority = True
    needs_worker = True

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.url: str = self.options["REDIS_URL"]
        self.prefix: str = self.options["PREFIX"]
        self._celery: Celery | None = None

    def describe(self) -> str:
        return f"celery on {safe_url(self.url)}" + (f", key prefix {self.prefix!r}" if self.prefix else "")

    @property
    def celery(self) -> Celery:
        """The Celery app of this backend (built on first use)."""
        if self._celery is None:
            self._celery = build_celery(self)
        return self._celery

    # -- enqueue ------------------------------------------------------------------------------------

    def enqueue(
        self, task: Task[t.Any, t.Any], args: t.Sequence[t.Any], kwargs: t.Mapping[str, t.Any]
    ) -> TaskResult[t.Any]:
        self.validate_task(task)
        result = self.new_result(task, args, kwargs)
        enqueued_at = self.now()
        envelope = {
            "task": task.module_path,
            "args": result.args,
            "kwargs": result.kwargs,
            "backend": self.alias,
            "queue": task.queue_name,
            "priority": task.priority,
            "enqueued_at": enqueued_at.isoformat(),
            "attempts": [],
        }
        celery = self.celery
        try:
            # The PENDING record first: a fast worker must not find it missing, nor see it overwritten.
            celery.backend.store_result(result.id, envelope, states.PENDING)
            try:
                celery.tasks[RUNNER_NAME].apply_async(
                    args=[envelope],
                    task_id=result.id,
                    queue=task.queue_name,
                    priority=celery_priority(task.priority),
                    eta=task.resolved_run_after(enqueued_at),
                    shadow=task.module_path,
                )
            except _ENQUEUE_ERRORS:
                with contextlib.suppress(_ENQUEUE_ERRORS):
                    celery.backend.forget(result.id)
                raise
        except _ENQUEUE_ERRORS as exc:
            logger.error(
                "Could not enqueue the task %s on %s: %s: %s",
                task.module_path,
                self.describe(),
                type(exc).__name__,
                exc,
            )
            raise TaskEnqueueError(
                f"The task {task.name!r} could not be enqueued: Redis at {safe_url(self.url)} is unreachable "
                f"({type(exc).__name__}: {exc}). Nothing was enqueued; try again once Redis is back."
            ) from exc
        object.__setattr__(result, "enqueued_at", enqueued_at)
        task_enqueued.send(type(self), task_result=result)
        return result

    def check_available(self) -> None:
        client = redis.Redis.from_url(self.url, socket_connect_timeout=5, socket_timeout=5)
        try:
            client.ping()
        except redis.RedisError as exc:
            logger.error("The task backend %r cannot reach Redis at %s: %s", self.alias, safe_url(self.url), exc)
            raise TaskEnqueueError(
                f"The task backend {self.alias!r} cannot reach Redis at {safe_url(self.url)}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        finally:
            client.close()

    # -- results ------------------------------------------------------------------------------------

    def get_result(self, result_id: str) -> TaskResult[t.Any]:
        try:
            meta = self.celery.backend.get_task_meta(result_id, cache=False)
        except _ENQUEUE_ERRORS as exc:
            raise TaskEnqueueError(
                f"The task backend {self.alias!r} cannot reach Redis at {safe_url(self.url)} to fetch the result "
                f"{result_id!r}: {type(exc).__name__}: {exc}"
            ) from exc
        record = _record_of(meta)
        if record is None:
            raise TaskResultDoesNotExist(
                f"No task result {result_id!r} in {self.describe()} (never enqueued there, or older than "
                "its RESULT_TTL)."
            )
        status = _STATUS.get(meta["status"], TaskResultStatus.READY)
        return self.result_from_record(result_id, record, status, meta)

    def result_from_record(
        self, result_id: str, record: dict[str, t.Any], status: TaskResultStatus, meta: dict[str, t.Any] | None = None
    ) -> TaskResult[t.Any]:
        task = _load_task(record["task"]).using(queue_name=record["queue"], backend=record["backend"])
        attempts = record.get("attempts", [])
        result = TaskResult(
            task=task,
            id=result_id,
            status=status,
            enqueued_at=dt.datetime.fromisoformat(record["enqueued_at"]),
            started_at=dt.datetime.fromisoformat(attempts[0]["started_at"]) if attempts else None,
            finished_at=None,
            last_attempted_at=dt.datetime.fromisoformat(attempts[-1]["started_at"]) if attempts else None,
            args=record["args"],
            kwargs=record["kwargs"],
            backend=record["backend"],
            worker_ids=[a["worker"] for a in attempts],
        )
        for attempt in attempts:
            if attempt["outcome"] in ("failed", "lost"):
                result.errors.append(TaskError(exception_class_path=attempt["error"], traceback=attempt["traceback"]))
        if meta is not None and result.is_finished:
            done = meta.get("date_done")
            finished = dt.datetime.fromisoformat(done) if isinstance(done, str) else done
            if finished is not None and finished.tzinfo is None:
                finished = finished.replace(tzinfo=dt.UTC)
            object.__setattr__(result, "finished_at", finished)
            if status == TaskResultStatus.FAILED and not result.errors:
                result.errors.append(
                    TaskError(
                        exception_class_path="celery.exceptions.TaskRevokedError"
                        if meta["status"] == states.REVOKED
                        else "Exception",
                        traceback=str(meta.get("traceback") or meta.get("result") or ""),
                    )
                )
        if status == TaskResultStatus.SUCCESSFUL:
            object.__setattr__(result, "_return_value", record.get("return_value"))
        return result

    # -- the worker ---------------------------------------------------------------------------------

    def worker_argv(self, queue_names: t.Sequence[str], *, name: str | None, concurrency: int | None) -> list[str]:
        argv = [
            "worker",
            "--queues",
            ",".join(queue_names),
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--pool",
            "prefork",
        ]
        if name:
            argv += ["--hostname", name]
        if concurrency:
            argv += ["--concurrency", str(concurrency)]
        return argv


def _record_of(meta: dict[str, t.Any]) -> dict[str, t.Any] | None:
    """flaskkit's record in Celery's result meta: the result itself (PENDING, STARTED, SUCCESS), else the
    (updated) first argument of the request (RETRY, FAILURE; ``result_extended``)."""
    result = meta.get("result")
    if isinstance(result, dict) and "task" in result and "attempts" in result:
        return result
    args = meta.get("args")
    if isinstance(args, list | tuple) and args and isinstance(args[0], dict) and "task" in args[0]:
        return t.cast(dict[str, t.Any], args[0])
    return None


def build_celery(backend: CeleryBackend) -> Celery:
    options = backend.options
    url = backend.url
    celery = Celery(f"flaskkit-{backend.app.name}-{backend.alias}", set_as_current=False)
    transport: dict[str, t.Any] = {
        "visibility_timeout": math.ceil(options["VISIBILITY_TIMEOUT"]),
        "queue_order_strategy": "priority",
        "priority_steps": list(range(10)),
        "sep": ":",
    }
    result_transport: dict[str, t.Any] = {}
    if backend.prefix:
        transport["global_keyprefix"] = backend.prefix
        result_transport["global_keyprefix"] = backend.prefix
    timeout = options["TIMEOUT"]
    celery.conf.update(
        broker_url=url,
        result_backend=url,
        broker_transport_options=transport,
        result_backend_transport_options=result_transport,
        broker_connection_retry_on_startup=True,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        result_extended=True,
        result_expires=math.ceil(options["RESULT_TTL"]),
        task_time_limit=None if timeout is None else math.ceil(timeout),
        task_default_queue="default",
        # Publishing to a Redis that is down fails after about a second, not after minutes.
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5},
        redis_socket_connect_timeout=5,
        redis_socket_timeout=10,
        worker_hijack_root_logger=False,
        **dict(options["CONFIG"]),
    )
    celery.flask_app = backend.app  # type: ignore[attr-defined]
    celery.flaskkit_backend = backend  # type: ignore[attr-defined]
    celery.task(name=RUNNER_NAME, bind=True, acks_late=True, reject_on_worker_lost=True)(run_task)
    return celery


def run_task(self: t.Any, envelope: dict[str, t.Any]) -> dict[str, t.Any]:
    """The Celery task that runs a flaskkit task (one attempt per message)."""
    backend: CeleryBackend = self.app.flaskkit_backend
    app: Flask = self.app.flask_app
    task = _load_task(envelope["task"])
    attempts: list[dict[str, t.Any]] = list(envelope.get("attempts", []))
    meta = self.backend.get_task_meta(self.request.id, cache=False)
    if meta.get("status") == states.STARTED:
        # The message came back although an attempt had started: that attempt's process died.
        previous = _record_of(meta)
        if previous is not None and previous.get("attempts"):
            attempts = [dict(a) for a in previous["attempts"]]
            if attempts[-1]["outcome"] == "running":
                attempts[-1].update(
                    outcome="lost",
                    error=_WORKER_LOST_PATH,
                    traceback=f"{WorkerLost.__name__}: the process running the task on {attempts[-1]['worker']} died "
                    "before it finished (Celery put the message back: acks_late, reject_on_worker_lost).",
                )
    record = {**envelope, "attempts": attempts}
    failures = sum(1 for a in attempts if a["outcome"] in ("failed", "lost"))
    if failures and failures > task.retries:
        # No retry left for a lost attempt: FAILED with the whole history.
        self.request.args = [record]
        logger.error("Task %s (%s) failed: its worker died, no retry left.", task.module_path, self.request.id)
        raise WorkerLost(f"The worker running {task.module_path} ({self.request.id}) died; no retry left.")
    result = backend.result_from_record(self.request.id, record, TaskResultStatus.READY)
    worker = self.request.hostname or f"celery@{socket.gethostname()}"
    attempts.append({"worker": worker, "started_at": _now_iso(), "outcome": "running", "pid": os.getpid()})
    self.update_state(state=states.STARTED, meta=record)
    try:
        value = run_attempt(app, result, worker_id=worker, sender=CeleryBackend)
    except (Retry, Ignore, Reject):
        raise
    except BaseException as exc:
        error = error_of(exc)
        attempts[-1].update(outcome="failed", error=error.exception_class_path, traceback=error.traceback)
        failures += 1
        final = failures > task.retries
        mark_failed(result, exc, sender=CeleryBackend, final=final)
        self.request.args = [record]  # the FAILURE / RETRY meta keeps the history (result_extended)
        if final:
            raise
        raise self.retry(args=[record], countdown=task.retry_delay(failures), max_retries=None, exc=exc) from exc
    attempts[-1]["outcome"] = "successful"
    mark_successful(result, value, sender=CeleryBackend)
    return {**record, "return_value": value}


def celery_app_for(app: Flask, alias: str = "default") -> Celery:
    """The Celery app that runs the tasks of ``TASKS[alias]`` (for ``celery -A``)::

        # myproject/celery_worker.py
        from myproject import create_app
        from flaskkit.plugins.tasks.backends.celery import celery_app_for

        celery = celery_app_for(create_app())

    then ``celery -A myproject.celery_worker worker -Q default``.
    """
    from ..handler import get_plugin
    from ..registry import discover

    backend = get_plugin(app).get_backend(alias)
    if not isinstance(backend, CeleryBackend):
        raise TypeError(f"TASKS[{alias!r}] uses {type(backend).__name__}, not the celery backend.")
    discover(app)
    celery = backend.celery

    @worker_process_init.connect(weak=False)
    def fresh_database_pools(**kwargs: t.Any) -> None:
        # A forked pool process must not share the parent's database connections.
        if "flaskkit.orm" in app.extensions:
            from flaskkit.plugins.orm import db

            with app.app_context():
                for engine in db.engines.values():
                    engine.dispose(close=False)

    return celery

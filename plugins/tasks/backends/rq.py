"""The ``rq`` backend: tasks on RQ 2 (Redis Queue); ``flask kit worker`` runs them.

How Django's API maps onto RQ:

- a task is an RQ job whose function is the task's module path and whose id is the
  result id; its data is JSON (``JSONSerializer``: no pickle read from Redis);
- queue ``q`` is the RQ queue ``PREFIX + q``; ``priority > 0`` puts the job at the front of
  its queue (RQ has no priorities inside a queue: use queues for real classes of urgency);
- ``run_after`` schedules the job (the worker's scheduler enqueues it when due);
- ``retries`` is RQ's ``Retry`` with a doubling interval from ``retry_backoff``;
- a result is kept ``RESULT_TTL`` seconds after success, ``FAILURE_TTL`` after failure;
- every attempt is recorded in the job's ``meta`` (worker, start, outcome, exception class and
  traceback), which RQ alone does not keep for retried attempts.

A worker killed mid-task (SIGKILL, OOM): if only the work horse (the forked process
running the task) dies, the worker sees it at once; if the whole worker dies, its
heartbeat stops and the job counts as abandoned ``ABANDONED_AFTER`` seconds later (RQ's
registry clean-up, which ``get_result`` and every worker run). Either way the attempt is
recorded with :class:`~flaskkit.plugins.tasks.WorkerLost`, and the task is retried while
``retries`` remain, else FAILED: never silently lost.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import os
import typing as t

import redis
from rq import Queue
from rq import Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.job import JobStatus
from rq.registry import StartedJobRegistry
from rq.results import Result
from rq.serializers import JSONSerializer
from rq.worker import Worker
from werkzeug.utils import import_string

from ..base import Task
from ..base import TaskError
from ..base import TaskResult
from ..base import TaskResultStatus
from ..conf import safe_url as _safe_url
from ..exceptions import InvalidTask
from ..exceptions import TaskEnqueueError
from ..exceptions import TaskResultDoesNotExist
from ..exceptions import WorkerLost
from ..execution import error_of
from ..execution import mark_failed
from ..execution import mark_successful
from ..execution import run_attempt
from ..signals import task_enqueued
from .base import BaseTaskBackend

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["FlaskKitJob", "FlaskKitWorker", "RQBackend"]

logger = logging.getLogger("flaskkit.tasks")

#: ``job.meta[META_KEY]``: flaskkit's record of the task (backend alias, queue, priority, attempts).
META_KEY = "flaskkit"
_WORKER_LOST_PATH = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"

_STATUS = {
    JobStatus.QUEUED: TaskResultStatus.READY,
    JobStatus.DEFERRED: TaskResultStatus.READY,
    JobStatus.SCHEDULED: TaskResultStatus.READY,
    JobStatus.CREATED: TaskResultStatus.READY,
    JobStatus.STARTED: TaskResultStatus.RUNNING,
    JobStatus.FINISHED: TaskResultStatus.SUCCESSFUL,
    JobStatus.FAILED: TaskResultStatus.FAILED,
    JobStatus.STOPPED: TaskResultStatus.FAILED,
    JobStatus.CANCELED: TaskResultStatus.FAILED,
}


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class RQBackend(BaseTaskBackend):
    supports_defer = True
    supports_get_result = True
    supports_priority = True
    needs_worker = True

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.url: str = self.options["REDIS_URL"]
        self.prefix: str = self.options["PREFIX"]
        self._connection: redis.Redis | None = None
        self._queues: dict[str, Queue] = {}

    # -- connections and queues ---------------------------------------------------------------------

    @property
    def connection(self) -> redis.Redis:
        """The Redis client enqueues use (connects on first use; reconnects by itself after an outage)."""
        if self._connection is None:
            self._connection = redis.Redis.from_url(self.url, socket_connect_timeout=5, socket_timeout=10)
        return self._connection

    def rq_queue_name(self, queue_name: str) -> str:
        return f"{self.prefix}{queue_name}"

    def queue(self, queue_name: str, connection: redis.Redis | None = None) -> Queue:
        """The RQ queue of ``queue_name`` (the enqueue side's are made once)."""
        if connection is None:
            queue = self._queues.get(queue_name)
            if queue is None:
                queue = self._queues[queue_name] = self.queue(queue_name, self.connection)
            return queue
        return Queue(
            self.rq_queue_name(queue_name),
            connection=connection,
            serializer=JSONSerializer,
            job_class=FlaskKitJob,
        )

    def describe(self) -> str:
        return f"rq on {_safe_url(self.url)}" + (f", queue prefix {self.prefix!r}" if self.prefix else "")

    # -- enqueue ------------------------------------------------------------------------------------

    def enqueue(
        self, task: Task[t.Any, t.Any], args: t.Sequence[t.Any], kwargs: t.Mapping[str, t.Any]
    ) -> TaskResult[t.Any]:
        self.validate_task(task)
        result = self.new_result(task, args, kwargs)
        queue = self.queue(task.queue_name)
        enqueued_at = self.now()
        meta = {
            META_KEY: {
                "backend": self.alias,
                "queue": task.queue_name,
                "priority": task.priority,
                "enqueued_at": _iso(enqueued_at),
                "attempts": [],
            }
        }
        retry = None
        if task.retries:
            retry = Retry(
                max=task.retries, interval=[math.ceil(task.retry_delay(n)) for n in range(1, task.retries + 1)]
            )
        timeout = self.options["TIMEOUT"]
        run_after = task.resolved_run_after(enqueued_at)
        try:
            job = queue.create_job(
                task.module_path,
                args=result.args,
                kwargs=result.kwargs,
                job_id=result.id,
                timeout=-1 if timeout is None else math.ceil(timeout),
                result_ttl=math.ceil(self.options["RESULT_TTL"]),
                failure_ttl=math.ceil(self.options["FAILURE_TTL"]),
                meta=meta,
                retry=retry,
                description=task.module_path,
                status=JobStatus.SCHEDULED if run_after else JobStatus.QUEUED,
            )
            if run_after is not None and run_after > enqueued_at:
                # RQ keeps whole seconds (it drops the fraction): round up, so the task never runs early.
                whole = run_after.replace(microsecond=0)
                job = queue.schedule_job(job, whole if whole == run_after else whole + dt.timedelta(seconds=1))
            else:
                job = queue.enqueue_job(job, at_front=task.priority > 0)
        except redis.RedisError as exc:
            raise enqueue_error(task, self, exc) from exc
        object.__setattr__(result, "enqueued_at", enqueued_at)
        task_enqueued.send(type(self), task_result=result)
        return result

    def check_available(self) -> None:
        try:
            self.connection.ping()
        except redis.RedisError as exc:
            logger.error("The task backend %r cannot reach Redis at %s: %s", self.alias, _safe_url(self.url), exc)
            raise TaskEnqueueError(
                f"The task backend {self.alias!r} cannot reach Redis at {_safe_url(self.url)}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    # -- results ------------------------------------------------------------------------------------

    def get_result(self, result_id: str) -> TaskResult[t.Any]:
        try:
            job = self._fetch(result_id)
            if job.get_status(refresh=False) == JobStatus.STARTED:
                # A worker that died leaves its job STARTED; RQ's clean-up moves it on once its heartbeat expired.
                StartedJobRegistry(job.origin, connection=self.connection, job_class=FlaskKitJob).cleanup()
                job = self._fetch(result_id)
            return self.result_of(job)
        except redis.RedisError as exc:
            raise TaskEnqueueError(
                f"The task backend {self.alias!r} cannot reach Redis at {_safe_url(self.url)} to fetch the result "
                f"{result_id!r}: {type(exc).__name__}: {exc}"
            ) from exc

    def _fetch(self, result_id: str) -> FlaskKitJob:
        try:
            job = FlaskKitJob.fetch(result_id, connection=self.connection, serializer=JSONSerializer)
        except NoSuchJobError:
            raise TaskResultDoesNotExist(
                f"No task result {result_id!r} in {self.describe()} (never enqueued there, or older than its "
                "RESULT_TTL / FAILURE_TTL)."
            ) from None
        if META_KEY not in (job.meta or {}):
            raise TaskResultDoesNotExist(f"The RQ job {result_id!r} was not enqueued by a flaskkit task.")
        return t.cast(FlaskKitJob, job)

    def result_of(self, job: Job, *, running_attempt: bool = False) -> TaskResult[t.Any]:
        """The :class:`TaskResult` of ``job`` as Redis has it."""
        info = job.meta[META_KEY]
        task = _load_task(job.func_name).using(queue_name=info["queue"], backend=info["backend"])
        status = _STATUS.get(job.get_status(refresh=False) or JobStatus.QUEUED, TaskResultStatus.READY)
        attempts = info.get("attempts", [])
        result = TaskResult(
            task=task,
            id=job.id,
            status=status,
            enqueued_at=dt.datetime.fromisoformat(info["enqueued_at"]),
            started_at=dt.datetime.fromisoformat(attempts[0]["started_at"]) if attempts else None,
            finished_at=_aware(job.ended_at)
            if status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
            else None,
            last_attempted_at=dt.datetime.fromisoformat(attempts[-1]["started_at"]) if attempts else None,
            args=list(job.args or ()),
            kwargs=dict(job.kwargs or {}),
            backend=info["backend"],
            worker_ids=[a["worker"] for a in attempts],
        )
        failure_text = None
        if status == TaskResultStatus.FAILED:
            latest = job.latest_result()
            failure_text = latest.exc_string if latest is not None and latest.type == Result.Type.FAILED else None
        for index, attempt in enumerate(attempts):
            if attempt["outcome"] == "failed":
                result.errors.append(TaskError(exception_class_path=attempt["error"], traceback=attempt["traceback"]))
            elif attempt["outcome"] == "running":
                still_running = index == len(attempts) - 1 and (status == TaskResultStatus.RUNNING or running_attempt)
                if not still_running:
                    last = index == len(attempts) - 1
                    text = failure_text if last and failure_text else "The worker stopped during this attempt."
                    result.errors.append(
                        TaskError(
                            exception_class_path=_WORKER_LOST_PATH,
                            traceback=f"{WorkerLost.__name__}: the process running the task on {attempt['worker']} "
                            f"died before it finished.\n{text}",
                        )
                    )
        if status == TaskResultStatus.FAILED and not attempts:
            result.errors.append(
                TaskError(exception_class_path="rq.exceptions.AbandonedJobError", traceback=failure_text or "")
            )
        if status == TaskResultStatus.SUCCESSFUL:
            object.__setattr__(result, "_return_value", job.return_value())
        return result

    # -- the worker ---------------------------------------------------------------------------------

    def worker(
        self,
        queue_names: t.Sequence[str],
        *,
        name: str | None = None,
    ) -> FlaskKitWorker:
        """An RQ worker of this app on these queues (``flask kit worker`` runs its ``work()``)."""
        abandoned_after = math.ceil(self.options["ABANDONED_AFTER"])
        interval = max(1, abandoned_after // 3)
        connection = redis.Redis.from_url(self.url, socket_connect_timeout=5)
        worker = FlaskKitWorker(
            [self.queue(q, connection) for q in queue_names],
            connection=connection,
            name=name,
            serializer=JSONSerializer,
            job_class=FlaskKitJob,
            job_monitoring_interval=interval,
        )
        worker.flask_app = self.app
        worker.heartbeat_grace = max(1, abandoned_after - interval)
        return worker


def enqueue_error(task: Task[t.Any, t.Any], backend: RQBackend, exc: Exception) -> TaskEnqueueError:
    logger.error(
        "Could not enqueue the task %s on %s: %s: %s", task.module_path, backend.describe(), type(exc).__name__, exc
    )
    return TaskEnqueueError(
        f"The task {task.name!r} could not be enqueued: Redis at {_safe_url(backend.url)} is unreachable "
        f"({type(exc).__name__}: {exc}). Nothing was enqueued; try again once Redis is back."
    )


def _load_task(path: str) -> Task[t.Any, t.Any]:
    try:
        found = import_string(path)
    except ImportError as exc:
        raise InvalidTask(f"The task {path!r} cannot be imported here: {exc}") from exc
    if not isinstance(found, Task):
        raise InvalidTask(f"{path!r} is not a task (decorate the function with @task).")
    return found


class FlaskKitJob(Job):
    """An RQ job that runs a flaskkit task: in an app context of the worker's app, attempts recorded in ``meta``."""

    #: Set by :class:`FlaskKitWorker` before it runs the job.
    flask_app: Flask | None = None

    def _execute(self) -> t.Any:
        _load_task(self.func_name)
        app = self.flask_app
        if app is None:
            raise RuntimeError("A flaskkit task runs in a flaskkit worker: start it with `flask kit worker`.")
        from ..handler import get_plugin

        backend = t.cast(RQBackend, get_plugin(app).get_backend(self.meta[META_KEY]["backend"]))
        result = backend.result_of(self, running_attempt=True)
        attempts = self.meta[META_KEY].setdefault("attempts", [])
        attempt = {"worker": self.worker_name or f"rq-{os.getpid()}", "started_at": _iso(dt.datetime.now(dt.UTC))}
        attempts.append({**attempt, "outcome": "running"})
        self.save_meta()
        try:
            value = run_attempt(app, result, worker_id=attempt["worker"], sender=RQBackend)
        except BaseException as exc:
            error = error_of(exc)
            attempts[-1].update(outcome="failed", error=error.exception_class_path, traceback=error.traceback)
            self.save_meta()
            mark_failed(result, exc, sender=RQBackend, final=not self.should_retry)
            raise
        attempts[-1]["outcome"] = "successful"
        self.save_meta()
        mark_successful(result, value, sender=RQBackend)
        return value


class FlaskKitWorker(Worker):
    """RQ's forking worker, carrying the Flask app to its jobs."""

    flask_app: Flask | None = None
    #: Seconds added to the monitoring interval before a silent job counts as abandoned (RQ: 60).
    heartbeat_grace: int = 60
    #: Whether SIGTERM / SIGINT asked it to stop (RQ notes it only when a job is running).
    stop_was_requested: bool = False

    def request_stop(self, signum: t.Any, frame: t.Any) -> None:
        self.stop_was_requested = True
        super().request_stop(signum, frame)

    def unsubscribe(self) -> None:
        """RQ's, with the pubsub thread told to stop *before* the UNSUBSCRIBE is sent.

        RQ sends UNSUBSCRIBE, then stops the thread that reads the worker's channel. Woken by the
        reply, that thread could go back to waiting, up to 60 s, for a subscription that never comes,
        and redis-py's ``stop()`` now waits for it: a worker asked to stop, once it had run a job,
        stayed up to a minute (until systemd's or the tests' SIGKILL). Told first, the thread ends
        as the reply wakes it.
        """
        thread = self.pubsub_thread
        running = getattr(thread, "_running", None)  # redis-py's PubSubWorkerThread flag, which stop() clears
        if running is not None:
            running.clear()
        super().unsubscribe()

    def perform_job(self, job: Job, queue: Queue) -> bool:
        t.cast(FlaskKitJob, job).flask_app = self.flask_app
        return super().perform_job(job, queue)

    def handle_job_failure(
        self, job: Job, queue: Queue, started_job_registry: t.Any = None, exc_string: str = ""
    ) -> None:
        # When the work horse died, this runs in the worker, whose copy of the job predates the
        # horse's records in meta; a retry saves the whole job, so read meta back first.
        with contextlib.suppress(redis.RedisError):
            job.meta = job.get_meta(refresh=True)
        super().handle_job_failure(job, queue, started_job_registry=started_job_registry, exc_string=exc_string)

    def get_heartbeat_ttl(self, job: Job) -> int:
        return super().get_heartbeat_ttl(job) - 60 + self.heartbeat_grace

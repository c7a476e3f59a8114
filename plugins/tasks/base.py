"""Django 6's task objects: :func:`task`, :class:`Task`, :class:`TaskResult` and friends.

Names and semantics follow ``django.tasks``; the differences are flaskkit's additions:
``retries``/``retry_backoff`` on :func:`task`, :meth:`Task.enqueue_on_commit`, ``run_after``
as a ``timedelta`` (counted from the enqueue), and JSON checked at ``enqueue``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import enum
import functools
import inspect
import typing as t

from .exceptions import InvalidTask
from .exceptions import TaskResultMismatch
from .serialization import check_arguments

if t.TYPE_CHECKING:
    from .backends.base import BaseTaskBackend

__all__ = [
    "DEFAULT_TASK_BACKEND_ALIAS",
    "DEFAULT_TASK_PRIORITY",
    "DEFAULT_TASK_QUEUE_NAME",
    "TASK_MAX_PRIORITY",
    "TASK_MIN_PRIORITY",
    "Task",
    "TaskContext",
    "TaskError",
    "TaskResult",
    "TaskResultStatus",
    "task",
]

DEFAULT_TASK_BACKEND_ALIAS = "default"
DEFAULT_TASK_QUEUE_NAME = "default"
DEFAULT_TASK_PRIORITY = 0
TASK_MIN_PRIORITY = -100
TASK_MAX_PRIORITY = 100
#: Seconds before the first retry; each further retry waits twice as long (capped at an hour).
DEFAULT_RETRY_BACKOFF = 1.0
MAX_RETRY_DELAY = 3600.0

_TASK_REFRESH_ATTRS = (
    "status",
    "enqueued_at",
    "started_at",
    "finished_at",
    "last_attempted_at",
    "errors",
    "worker_ids",
    "_return_value",
)


class TaskResultStatus(enum.StrEnum):
    """Where a task is in its life (Django's ``TaskResultStatus``)."""

    #: Enqueued, or waiting for its next attempt (a retry, a ``run_after`` in the future).
    READY = "READY"
    #: A worker is running it.
    RUNNING = "RUNNING"
    #: It raised (on its last attempt), its worker died with no retry left, or it could not start.
    FAILED = "FAILED"
    #: It returned; :attr:`TaskResult.return_value` holds what it returned.
    SUCCESSFUL = "SUCCESSFUL"

    @property
    def label(self) -> str:
        return self.value.capitalize()


P = t.ParamSpec("P")
T = t.TypeVar("T")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Task(t.Generic[P, T]):
    """A function that can run in the background. Made by :func:`task`; change a copy with :meth:`using`."""

    #: The function the task runs.
    func: t.Callable[..., T]
    #: -100 (least urgent) to 100 (most urgent); see each backend for what it does with it.
    priority: int = DEFAULT_TASK_PRIORITY
    #: The alias in ``TASKS`` of the backend that runs it.
    backend: str = DEFAULT_TASK_BACKEND_ALIAS
    #: The queue it goes to; it must be in its backend's ``QUEUES``.
    queue_name: str = DEFAULT_TASK_QUEUE_NAME
    #: The earliest it may run: an aware datetime, or a timedelta counted from the enqueue.
    run_after: dt.datetime | dt.timedelta | None = None
    #: Whether the function takes a :class:`TaskContext` as its first argument, named ``context``.
    takes_context: bool = False
    #: How many more times a failed attempt is tried (flaskkit; Django's backends do not retry).
    retries: int = 0
    #: Seconds before the first retry, doubling for each next one (capped at an hour).
    retry_backoff: float = DEFAULT_RETRY_BACKOFF

    def __post_init__(self) -> None:
        _validate_definition(self)

    # -- identity -----------------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The function's name (Django's ``Task.name``)."""
        return self.func.__name__

    @property
    def module_path(self) -> str:
        """``module.qualname``: where a worker imports the task from."""
        return f"{self.func.__module__}.{self.func.__qualname__}"

    def __repr__(self) -> str:
        return f"<Task {self.module_path} backend={self.backend!r} queue={self.queue_name!r}>"

    # -- configuration --------------------------------------------------------------------------

    def using(
        self,
        *,
        priority: int | None = None,
        queue_name: str | None = None,
        run_after: dt.datetime | dt.timedelta | None = None,
        backend: str | None = None,
    ) -> Task[P, T]:
        """A copy of the task with these values changed: ``send.using(priority=10).enqueue(...)``."""
        changes: dict[str, t.Any] = {}
        if priority is not None:
            changes["priority"] = priority
        if queue_name is not None:
            changes["queue_name"] = queue_name
        if run_after is not None:
            changes["run_after"] = run_after
        if backend is not None:
            changes["backend"] = backend
        return dataclasses.replace(self, **changes)

    def get_backend(self) -> BaseTaskBackend:
        """The backend of :attr:`backend` in the current app's ``TASKS``."""
        from .handler import task_backends

        return task_backends[self.backend]

    # -- enqueueing -----------------------------------------------------------------------------

    def enqueue(self, *args: P.args, **kwargs: P.kwargs) -> TaskResult[T]:
        """Queue the task on its backend and return its :class:`TaskResult`.

        Raises :class:`InvalidTaskArguments` when an argument is not JSON-serialisable,
        :class:`InvalidTask` when the backend cannot run the task, and
        :class:`TaskEnqueueError` when the backend's service cannot be reached.
        """
        check_arguments(self.name, args, kwargs)
        return self.get_backend().enqueue(self, args, kwargs)

    async def aenqueue(self, *args: P.args, **kwargs: P.kwargs) -> TaskResult[T]:
        """:meth:`enqueue`, from async code (in a thread: the app context goes along)."""
        return await asyncio.to_thread(functools.partial(self.enqueue, *args, **kwargs))

    def enqueue_on_commit(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Enqueue the task once the current database transaction commits; never if it rolls back.

        The arguments are checked now (a bad one raises here, inside the transaction),
        and so is the backend's service: when Redis is down this raises
        :class:`TaskEnqueueError` *before* the commit, so the view's transaction rolls
        back instead of saving rows whose task would be lost. Without the ``orm``
        plugin (no transaction to wait for) the task is enqueued at once.
        """
        from .handler import get_plugin

        check_arguments(self.name, args, kwargs)
        backend = self.get_backend()
        backend.validate_task(self)
        plugin = get_plugin()
        if not plugin.orm_enabled:
            backend.enqueue(self, args, kwargs)
            return
        from flaskkit.plugins.orm import on_commit

        backend.check_available()
        on_commit(functools.partial(backend.enqueue, self, args, kwargs))

    # -- results and direct calls -----------------------------------------------------------------

    def get_result(self, result_id: str) -> TaskResult[T]:
        """The result of this task with ``result_id``.

        Raises :class:`TaskResultDoesNotExist` for an unknown (or expired) id and
        :class:`TaskResultMismatch` for the id of another task's result.
        """
        result = self.get_backend().get_result(result_id)
        self._check_owner(result)
        return result

    async def aget_result(self, result_id: str) -> TaskResult[T]:
        """:meth:`get_result`, from async code."""
        return await asyncio.to_thread(self.get_result, result_id)

    def _check_owner(self, result: TaskResult[t.Any]) -> None:
        if result.task.module_path != self.module_path:
            raise TaskResultMismatch(
                f"The result {result.id!r} belongs to the task {result.task.module_path!r}, not {self.module_path!r}."
            )

    def call(self, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run the function now, in this process (async functions too)."""
        if inspect.iscoroutinefunction(self.func):
            return t.cast(T, asyncio.run(self.func(*args, **kwargs)))
        return self.func(*args, **kwargs)

    async def acall(self, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run the function now, from async code."""
        if inspect.iscoroutinefunction(self.func):
            return t.cast(T, await self.func(*args, **kwargs))
        return await asyncio.to_thread(functools.partial(self.func, *args, **kwargs))

    # -- helpers for backends -------------------------------------------------------------------

    def resolved_run_after(self, now: dt.datetime | None = None) -> dt.datetime | None:
        """:attr:`run_after` as an aware datetime (a timedelta counted from ``now``)."""
        if isinstance(self.run_after, dt.timedelta):
            return (now or utcnow()) + self.run_after
        return self.run_after

    def retry_delay(self, attempt: int) -> float:
        """Seconds to wait before the attempt after ``attempt`` (1-based): backoff, 2x backoff, 4x..."""
        return min(self.retry_backoff * (2 ** max(attempt - 1, 0)), MAX_RETRY_DELAY)


def task(
    function: t.Callable[P, T] | None = None,
    *,
    priority: int = DEFAULT_TASK_PRIORITY,
    queue_name: str = DEFAULT_TASK_QUEUE_NAME,
    backend: str = DEFAULT_TASK_BACKEND_ALIAS,
    takes_context: bool = False,
    retries: int = 0,
    retry_backoff: float = DEFAULT_RETRY_BACKOFF,
) -> t.Any:
    """Make a module-level function a :class:`Task` (Django's ``@task``, plus ``retries``)::

    @task
    def send_digest(user_id: int) -> int: ...

    @task(priority=10, queue_name="mail", retries=3)
    def send_welcome(user_id: int) -> None: ...
    """
    from .registry import register

    def wrapper(func: t.Callable[P, T]) -> Task[P, T]:
        made: Task[P, T] = Task(
            func=func,
            priority=priority,
            queue_name=queue_name,
            backend=backend,
            takes_context=takes_context,
            retries=retries,
            retry_backoff=retry_backoff,
        )
        register(made)
        return made

    if function is not None:
        return wrapper(function)
    return wrapper


def _validate_definition(task: Task[t.Any, t.Any]) -> None:
    """What can be checked without an app (the backend's own checks run at enqueue)."""
    func = task.func
    if not inspect.isfunction(func) or "<locals>" in func.__qualname__ or "<lambda>" in func.__qualname__:
        raise InvalidTask(
            f"@task needs a function defined at the top level of a module (a worker imports it by its path), "
            f"not {func!r}."
        )
    if task.takes_context:
        params = list(inspect.signature(func).parameters)
        if not params or params[0] != "context":
            raise InvalidTask(
                f"The task {task.module_path!r} takes context, so its first argument must be named 'context' "
                "(it receives a TaskContext)."
            )
    if (
        isinstance(task.priority, bool)
        or not isinstance(task.priority, int)
        or not TASK_MIN_PRIORITY <= task.priority <= TASK_MAX_PRIORITY
    ):
        raise InvalidTask(
            f"The priority of {task.module_path!r} is {task.priority!r}; it must be a whole number between "
            f"{TASK_MIN_PRIORITY} and {TASK_MAX_PRIORITY}."
        )
    for name in ("queue_name", "backend"):
        value = getattr(task, name)
        if not isinstance(value, str) or not value:
            raise InvalidTask(f"The {name} of {task.module_path!r} must be a non-empty string, not {value!r}.")
    if isinstance(task.retries, bool) or not isinstance(task.retries, int) or task.retries < 0:
        raise InvalidTask(f"retries of {task.module_path!r} must be a whole number >= 0, not {task.retries!r}.")
    if (
        isinstance(task.retry_backoff, bool)
        or not isinstance(task.retry_backoff, int | float)
        or task.retry_backoff < 0
    ):
        raise InvalidTask(
            f"retry_backoff of {task.module_path!r} must be a number of seconds >= 0, not {task.retry_backoff!r}."
        )
    run_after = task.run_after
    if run_after is not None:
        if isinstance(run_after, dt.datetime):
            if run_after.tzinfo is None or run_after.utcoffset() is None:
                raise InvalidTask(
                    f"run_after must be an aware datetime (datetime.now(UTC) + ...), not the naive {run_after!r}."
                )
        elif not isinstance(run_after, dt.timedelta):
            raise InvalidTask(f"run_after must be an aware datetime or a timedelta, not {run_after!r}.")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclasses.dataclass(frozen=True, kw_only=True)
class TaskError:
    """One failed attempt: the exception's class (as a path) and its formatted traceback."""

    exception_class_path: str
    traceback: str

    @property
    def exception_class(self) -> type[BaseException]:
        """The exception class, imported from :attr:`exception_class_path`."""
        from werkzeug.utils import import_string

        cls = import_string(self.exception_class_path)
        if not (inspect.isclass(cls) and issubclass(cls, BaseException)):
            raise ValueError(f"{self.exception_class_path!r} is not an exception class.")
        return t.cast("type[BaseException]", cls)


@dataclasses.dataclass(frozen=True, kw_only=True)
class TaskResult(t.Generic[T]):
    """The state of one enqueued task, as of when it was fetched; :meth:`refresh` fetches it again."""

    task: Task[t.Any, T]
    #: The result's id; ``task.get_result(id)`` finds it again (in another process too, on RQ and Celery).
    id: str
    status: TaskResultStatus
    enqueued_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    last_attempted_at: dt.datetime | None
    #: The arguments, as the task receives them (their JSON round-trip).
    args: list[t.Any]
    kwargs: dict[str, t.Any]
    #: The backend's alias in ``TASKS``.
    backend: str
    #: One :class:`TaskError` per failed attempt, oldest first.
    errors: list[TaskError] = dataclasses.field(default_factory=list)
    #: The workers that ran an attempt, one entry per attempt.
    worker_ids: list[str] = dataclasses.field(default_factory=list)
    _return_value: t.Any = dataclasses.field(default=None, repr=False)

    @property
    def return_value(self) -> T:
        """What the task returned; raises ``ValueError`` while it has not succeeded (None is a valid value)."""
        if self.status == TaskResultStatus.SUCCESSFUL:
            return t.cast(T, self._return_value)
        if self.status == TaskResultStatus.FAILED:
            last = self.errors[-1].exception_class_path if self.errors else "an error"
            raise ValueError(
                f"The task {self.task.name!r} ({self.id}) failed with {last}, so it has no return value; "
                "see result.errors for the traceback."
            )
        raise ValueError(
            f"The task {self.task.name!r} ({self.id}) has not finished yet (status {self.status}); "
            "call result.refresh() later."
        )

    @property
    def is_finished(self) -> bool:
        return self.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)

    @property
    def attempts(self) -> int:
        """How many times a worker ran (or started) the task."""
        return len(self.worker_ids)

    def refresh(self) -> None:
        """Fetch the current state from the backend (in place)."""
        fresh = self.task.get_backend().get_result(self.id)
        for attr in _TASK_REFRESH_ATTRS:
            object.__setattr__(self, attr, getattr(fresh, attr))

    async def arefresh(self) -> None:
        """:meth:`refresh`, from async code."""
        await asyncio.to_thread(self.refresh)


@dataclasses.dataclass(frozen=True, kw_only=True)
class TaskContext:
    """What a task with ``takes_context=True`` receives as its first argument."""

    task_result: TaskResult[t.Any]

    @property
    def attempt(self) -> int:
        """The number of this attempt, 1 for the first."""
        return self.task_result.attempts

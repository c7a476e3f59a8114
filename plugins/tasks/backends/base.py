"""The base class of task backends (Django's ``BaseTaskBackend``)."""

from __future__ import annotations

import abc
import asyncio
import logging
import secrets
import typing as t

from ..base import DEFAULT_TASK_PRIORITY
from ..base import Task
from ..base import TaskResult
from ..base import TaskResultStatus
from ..base import utcnow
from ..exceptions import InvalidTask
from ..serialization import normalize_json

if t.TYPE_CHECKING:
    from flask import Flask

    from flaskkit.checks import CheckMessage

    from ..conf import BackendSettings

__all__ = ["BaseTaskBackend", "new_result_id"]

logger = logging.getLogger("flaskkit.tasks")


def new_result_id() -> str:
    """32 random characters (as Django's ids)."""
    return secrets.token_hex(16)


class BaseTaskBackend(abc.ABC):
    """One alias of ``TASKS`` for one app. Subclasses implement :meth:`enqueue` (and :meth:`get_result`)."""

    #: Whether ``run_after`` is honoured.
    supports_defer: t.ClassVar[bool] = False
    #: Whether ``async def`` tasks can run.
    supports_async_task: t.ClassVar[bool] = True
    #: Whether :meth:`get_result` works from any process.
    supports_get_result: t.ClassVar[bool] = False
    #: Whether a priority other than 0 is accepted.
    supports_priority: t.ClassVar[bool] = False
    #: Whether tasks run in separate worker processes (``flask kit worker`` serves this backend).
    needs_worker: t.ClassVar[bool] = False

    def __init__(self, app: Flask, settings: BackendSettings) -> None:
        self.app = app
        self.settings = settings
        self.alias = settings.alias
        #: The allowed queue names; empty allows any.
        self.queues: set[str] = set(settings.queues)
        self.options: dict[str, t.Any] = dict(settings.options)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.alias!r}>"

    # -- the API ---------------------------------------------------------------------------------

    def validate_task(self, task: Task[t.Any, t.Any]) -> None:
        """Raise :class:`InvalidTask` when this backend cannot run ``task`` as it is configured."""
        if not self.supports_priority and task.priority != DEFAULT_TASK_PRIORITY:
            raise InvalidTask(f"The backend {self.alias!r} ({type(self).__name__}) does not support priorities.")
        if not self.supports_defer and task.run_after is not None:
            raise InvalidTask(f"The backend {self.alias!r} ({type(self).__name__}) does not support run_after.")
        if self.queues and task.queue_name not in self.queues:
            allowed = ", ".join(repr(q) for q in sorted(self.queues))
            raise InvalidTask(
                f"The task {task.module_path!r} uses the queue {task.queue_name!r}, which the backend {self.alias!r} "
                f"does not have (its QUEUES: {allowed}). Add it to TASKS[{self.alias!r}]['QUEUES']."
            )

    @abc.abstractmethod
    def enqueue(
        self, task: Task[t.Any, t.Any], args: t.Sequence[t.Any], kwargs: t.Mapping[str, t.Any]
    ) -> TaskResult[t.Any]:
        """Queue ``task`` with these (already JSON-checked) arguments."""

    async def aenqueue(
        self, task: Task[t.Any, t.Any], args: t.Sequence[t.Any], kwargs: t.Mapping[str, t.Any]
    ) -> TaskResult[t.Any]:
        return await asyncio.to_thread(self.enqueue, task, args, kwargs)

    def get_result(self, result_id: str) -> TaskResult[t.Any]:
        """The result with this id; :class:`TaskResultDoesNotExist` when there is none."""
        raise NotImplementedError(f"The backend {type(self).__name__} cannot fetch results.")

    async def aget_result(self, result_id: str) -> TaskResult[t.Any]:
        return await asyncio.to_thread(self.get_result, result_id)

    def check_available(self) -> None:  # noqa: B027 (optional: in-process backends have no service)
        """Raise :class:`TaskEnqueueError` when the backend's service cannot take a task now."""

    def check(self) -> t.Iterable[CheckMessage]:
        """Check messages about this backend (``flask kit check``)."""
        return ()

    def describe(self) -> str:
        """One line for ``flask kit tasks``."""
        return self.settings.backend

    # -- helpers ---------------------------------------------------------------------------------

    def new_result(
        self,
        task: Task[t.Any, t.Any],
        args: t.Sequence[t.Any],
        kwargs: t.Mapping[str, t.Any],
        *,
        result_id: str | None = None,
    ) -> TaskResult[t.Any]:
        return TaskResult(
            task=task,
            id=result_id or new_result_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            finished_at=None,
            last_attempted_at=None,
            args=normalize_json(list(args)),
            kwargs=normalize_json(dict(kwargs)),
            backend=self.alias,
        )

    @staticmethod
    def now() -> t.Any:
        return utcnow()

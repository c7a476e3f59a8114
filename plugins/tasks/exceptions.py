"""The tasks plugin's exceptions: Django's names, plus :class:`TaskEnqueueError` and :class:`WorkerLost`."""

from __future__ import annotations

from werkzeug.exceptions import ServiceUnavailable

from flaskkit import ConfigurationError

__all__ = [
    "InvalidTask",
    "InvalidTaskArguments",
    "InvalidTaskBackend",
    "TaskEnqueueError",
    "TaskException",
    "TaskResultDoesNotExist",
    "TaskResultMismatch",
    "WorkerLost",
]


class TaskException(Exception):
    """Base class of the task errors (Django's ``django.tasks.exceptions.TaskException``)."""


class InvalidTask(TaskException):
    """The task cannot run on its backend: not a module-level function, a queue its backend lacks, ..."""


class InvalidTaskArguments(InvalidTask, TypeError):
    """An argument of ``enqueue()`` is not JSON-serialisable; raised by ``enqueue``, never in a worker."""


class InvalidTaskBackend(ConfigurationError):
    """``TASKS`` names a backend that cannot be used, or a task names an alias ``TASKS`` lacks."""


class TaskResultDoesNotExist(TaskException):
    """No result with this id (never enqueued, or expired after ``RESULT_TTL``)."""


class TaskResultMismatch(TaskException):
    """The result exists, but belongs to another task."""


class WorkerLost(TaskException):
    """The process running the task died before it finished (SIGKILL, out of memory, machine lost).

    Recorded as the error of that attempt, whatever the engine (RQ's abandoned jobs and
    killed work horses, Celery's ``WorkerLostError``), so code can test for it in one way.
    """


class TaskEnqueueError(TaskException, ServiceUnavailable):
    """The backend could not take the task (Redis down, refused, timed out).

    In a view it is a ``503 Service Unavailable`` with ``Retry-After`` (an HTTP exception,
    so the app's 503 error handler renders it and ``ATOMIC_REQUESTS`` rolls the view's
    transaction back); elsewhere an ordinary exception. Nothing was enqueued. Once the
    service is back the next enqueue works: no restart is needed.
    """

    #: Seconds a client is told to wait before trying again.
    retry_after_seconds = 30

    def __init__(self, message: str) -> None:
        ServiceUnavailable.__init__(self, description=message, retry_after=self.retry_after_seconds)
        self.message = message

    def __str__(self) -> str:
        return self.message

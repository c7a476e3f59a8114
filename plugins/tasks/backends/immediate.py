"""The ``immediate`` backend (the default): runs the task at once, in this process, before ``enqueue`` returns.

The task runs in an app context of its own (a session of its own, as in a worker), so
it sees only what is committed: enqueue with ``enqueue_on_commit`` when it reads what
the view writes. A failure does not propagate to the caller: the result is FAILED,
with the error and its traceback (logged on ``flaskkit.tasks``). ``retries`` are honoured
without waiting between attempts (a request is no place to sleep). The last
1000 results of the process can be fetched again with ``get_result``.
"""

from __future__ import annotations

import collections
import os
import threading
import typing as t

from ..exceptions import TaskResultDoesNotExist
from ..execution import mark_failed
from ..execution import mark_successful
from ..execution import run_attempt
from ..signals import task_enqueued
from .base import BaseTaskBackend

if t.TYPE_CHECKING:
    from ..base import Task
    from ..base import TaskResult

__all__ = ["ImmediateBackend"]

_KEPT_RESULTS = 1000


class ImmediateBackend(BaseTaskBackend):
    supports_priority = True  # nothing waits, so any priority is fine
    supports_async_task = True

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self._results: collections.OrderedDict[str, TaskResult[t.Any]] = collections.OrderedDict()
        self._lock = threading.Lock()

    @property
    def worker_id(self) -> str:
        return f"immediate-{os.getpid()}"

    def enqueue(
        self, task: Task[t.Any, t.Any], args: t.Sequence[t.Any], kwargs: t.Mapping[str, t.Any]
    ) -> TaskResult[t.Any]:
        self.validate_task(task)
        result = self.new_result(task, args, kwargs)
        object.__setattr__(result, "enqueued_at", self.now())
        task_enqueued.send(type(self), task_result=result)
        for attempt in range(1, task.retries + 2):
            try:
                value = run_attempt(self.app, result, worker_id=self.worker_id, sender=type(self))
            except KeyboardInterrupt:
                raise
            except BaseException as exc:
                mark_failed(result, exc, sender=type(self), final=attempt > task.retries)
            else:
                mark_successful(result, value, sender=type(self))
                break
        with self._lock:
            self._results[result.id] = result
            while len(self._results) > _KEPT_RESULTS:
                self._results.popitem(last=False)
        return result

    def get_result(self, result_id: str) -> TaskResult[t.Any]:
        with self._lock:
            try:
                return self._results[result_id]
            except KeyError:
                raise TaskResultDoesNotExist(
                    f"No task result {result_id!r} in this process (the immediate backend keeps the last "
                    f"{_KEPT_RESULTS} results of the process that ran them)."
                ) from None

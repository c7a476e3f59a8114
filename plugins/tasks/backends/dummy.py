"""The ``dummy`` backend: records the tasks it is given and runs none (for tests; see ``tasks_enqueued``)."""

from __future__ import annotations

import copy
import threading
import typing as t

from ..exceptions import TaskResultDoesNotExist
from ..signals import task_enqueued
from .base import BaseTaskBackend

if t.TYPE_CHECKING:
    from ..base import Task
    from ..base import TaskResult

__all__ = ["DummyBackend"]


class DummyBackend(BaseTaskBackend):
    supports_defer = True
    supports_priority = True
    supports_async_task = True

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        #: The results of every task enqueued, oldest first (status READY: nothing runs them).
        self.results: list[TaskResult[t.Any]] = []
        self._lock = threading.Lock()

    def enqueue(
        self, task: Task[t.Any, t.Any], args: t.Sequence[t.Any], kwargs: t.Mapping[str, t.Any]
    ) -> TaskResult[t.Any]:
        self.validate_task(task)
        result = self.new_result(task, args, kwargs)
        object.__setattr__(result, "enqueued_at", self.now())
        with self._lock:
            self.results.append(result)
        task_enqueued.send(type(self), task_result=result)
        return copy.deepcopy(result)  # the caller's copy cannot change the record

    def get_result(self, result_id: str) -> TaskResult[t.Any]:
        with self._lock:
            for result in self.results:
                if result.id == result_id:
                    return copy.deepcopy(result)
        raise TaskResultDoesNotExist(f"The dummy backend {self.alias!r} has no task result {result_id!r}.")

    def clear(self) -> None:
        """Forget every recorded task."""
        with self._lock:
            self.results.clear()

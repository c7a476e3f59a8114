"""The ``tasks_enqueued`` fixture of the tasks plugin (registered as the ``flaskkit_tasks`` pytest plugin).

::

    @pytest.mark.kit_settings(PLUGINS=["tasks"])
    def test_signup_sends_welcome(client, tasks_enqueued):
        client.post("/signup/", data={...})
        [result] = tasks_enqueued.of(send_welcome)
        assert result.args == [42]

For the test, every backend of the ``app`` fixture's ``TASKS`` is replaced by a ``dummy``
backend with the same queues: nothing runs, nothing reaches Redis, and each enqueued
task is recorded, in order. ``tasks_enqueued.run_all()`` then runs them in-process.

This module is imported by pytest in every project where flaskkit is installed, so it
imports neither rq nor celery (nor the tasks plugin) until the fixture runs.
"""

from __future__ import annotations

import typing as t

import pytest

if t.TYPE_CHECKING:
    from flask import Flask

    from .base import Task
    from .base import TaskResult


class TasksEnqueued(list["TaskResult[t.Any]"]):
    """The results of the tasks enqueued during the test, oldest first (a list)."""

    def __init__(self, app: Flask, backends: list[t.Any]) -> None:
        super().__init__()
        self._app = app
        self._backends = backends

    def _sync(self) -> None:
        records = sorted((r for b in self._backends for r in b.results), key=lambda r: r.enqueued_at)
        self[:] = records

    def of(self, task: Task[t.Any, t.Any]) -> list[TaskResult[t.Any]]:
        """The results of one task."""
        self._sync()
        return [r for r in self if r.task.module_path == task.module_path]

    def clear(self) -> None:
        for backend in self._backends:
            backend.clear()
        super().clear()

    def run_all(self) -> list[t.Any]:
        """Run every recorded task in-process (in an app context of the app), oldest first; return their values."""
        self._sync()
        values = []
        for result in list(self):
            with self._app.app_context():
                if result.task.takes_context:
                    from .base import TaskContext

                    values.append(result.task.call(TaskContext(task_result=result), *result.args, **result.kwargs))
                else:
                    values.append(result.task.call(*result.args, **result.kwargs))
        return values

    # list reads see the latest records
    def __iter__(self) -> t.Iterator[TaskResult[t.Any]]:
        self._sync()
        return super().__iter__()

    def __len__(self) -> int:
        self._sync()
        return super().__len__()

    def __getitem__(self, index: t.Any) -> t.Any:
        self._sync()
        return super().__getitem__(index)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __eq__(self, other: object) -> bool:
        self._sync()
        return list.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]


@pytest.fixture
def tasks_enqueued(app: Flask) -> t.Iterator[TasksEnqueued]:
    """Record the tasks the test enqueues instead of running them (every TASKS alias becomes a dummy backend)."""
    if "flaskkit.tasks" not in app.extensions:
        pytest.fail(
            "The tasks_enqueued fixture needs the tasks plugin: add 'tasks' to PLUGINS (in your test settings, or "
            "with @pytest.mark.kit_settings(PLUGINS=[..., 'tasks'])).",
            pytrace=False,
        )
    import dataclasses

    from .backends.dummy import DummyBackend
    from .conf import BUILTIN_BACKENDS

    plugin = app.extensions["flaskkit.tasks"]
    replaced: dict[str, t.Any] = {}
    dummies = []
    for alias, settings in plugin.settings.items():
        dummy_settings = dataclasses.replace(
            settings, backend="dummy", backend_path=BUILTIN_BACKENDS["dummy"], options={}
        )
        dummy = DummyBackend(app, dummy_settings)
        dummies.append(dummy)
        replaced[alias] = plugin.replace_backend(alias, dummy)
    recorder = TasksEnqueued(app, dummies)
    try:
        yield recorder
    finally:
        for alias, previous in replaced.items():
            plugin.restore_backend(alias, previous)

"""Django's task signals, on blinker: ``task_enqueued``, ``task_started``, ``task_finished``.

Each is sent with the backend's class as the sender and the :class:`TaskResult` as
``task_result`` (as Django does); receivers connect with ``signal.connect(fn)``::

    @task_finished.connect
    def log_failures(sender, task_result, **extra):
        if task_result.status == TaskResultStatus.FAILED: ...

``task_enqueued`` is sent where the task is enqueued (the web process);
``task_started`` and ``task_finished`` where it runs (the worker), after each attempt.
"""

from __future__ import annotations

from blinker import Namespace

__all__ = ["task_enqueued", "task_finished", "task_started"]

_signals = Namespace()

#: A task was enqueued (sent by the process that enqueued it).
task_enqueued = _signals.signal("task-enqueued")
#: A task attempt starts (sent by the process that runs it).
task_started = _signals.signal("task-started")
#: A task attempt ended, SUCCESSFUL or FAILED (sent by the process that ran it).
task_finished = _signals.signal("task-finished")

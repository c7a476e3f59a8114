"""The tasks plugin's checks (ids ``tasks.*``).

- ``tasks.E001`` ``TASKS`` has no ``default`` alias, or an alias has an unknown key.
- ``tasks.E002`` an alias's BACKEND is unknown (with a "did you mean"), or not a task backend.
- ``tasks.E003`` an ``rq`` or ``celery`` alias has no Redis URL (OPTIONS['REDIS_URL'], REDIS_URL), or a bad one.
- ``tasks.E004`` a task names a backend alias ``TASKS`` lacks, or a queue its backend's ``QUEUES`` lacks.
- ``tasks.E005`` the engine of an alias (rq, celery) is not installed.
- ``tasks.E006`` bad ``QUEUES`` or ``OPTIONS``.
- ``tasks.E007`` (tag ``database``) the Redis of an alias cannot be reached (``flask kit check`` only).
- ``tasks.E008`` (tag ``database``) the app's task modules cannot be imported.
- ``tasks.W001`` (deploy) an alias uses the ``dummy`` backend, which runs nothing.

E004 looks at the tasks of the app's task modules (``TASK_MODULES``, or ``<package>.tasks``):
at boot those already imported (the boot imports nothing), with ``flask kit check`` all of
them (the on-demand checks import them first, as a worker does).
"""

from __future__ import annotations

import typing as t

from flaskkit._text import did_you_mean
from flaskkit.checks import CheckMessage
from flaskkit.checks import Error
from flaskkit.checks import Warning

from .exceptions import TaskEnqueueError
from .registry import discover
from .registry import registered_tasks
from .registry import task_modules

if t.TYPE_CHECKING:
    from flask import Flask

    from . import TasksPlugin

__all__ = ["check_dummy_backend", "check_registered_tasks", "check_services"]


def check_registered_tasks(plugin: TasksPlugin, app: Flask) -> list[CheckMessage]:
    """The tasks of the app's task modules (those imported so far) against its ``TASKS``."""
    messages: list[CheckMessage] = []
    broken = {m.msg.split("]")[0] for m in plugin.problems}
    modules = set(task_modules(app))
    for task in registered_tasks():
        if task.func.__module__ not in modules:
            continue  # another app's task, or a plugin's the app does not use: checked when enqueued
        settings = plugin.settings.get(task.backend)
        if settings is None:
            if any(f"[{task.backend!r}" in b for b in broken):
                continue  # already reported
            messages.append(
                Error(
                    f"The task {task.module_path!r} uses the backend {task.backend!r}, which TASKS does not have."
                    f"{did_you_mean(task.backend, plugin.settings)}",
                    hint=f"Add TASKS[{task.backend!r}], or give @task(backend=...) one of "
                    f"{', '.join(map(repr, plugin.settings))}.",
                    obj=task.module_path,
                    id="tasks.E004",
                )
            )
        elif settings.queues and task.queue_name not in settings.queues:
            messages.append(
                Error(
                    f"The task {task.module_path!r} uses the queue {task.queue_name!r}, which TASKS[{task.backend!r}] "
                    f"does not have (QUEUES: {', '.join(map(repr, settings.queues))}).",
                    hint=f"Add {task.queue_name!r} to TASKS[{task.backend!r}]['QUEUES'], or change the task's "
                    "queue_name.",
                    obj=task.module_path,
                    id="tasks.E004",
                )
            )
    return messages


def check_dummy_backend(plugin: TasksPlugin) -> list[CheckMessage]:
    return [
        Warning(
            f"TASKS[{alias!r}] uses the dummy backend: tasks are recorded and never run.",
            hint=f"Use 'immediate', 'rq' or 'celery' for TASKS[{alias!r}]['BACKEND'] in production.",
            obj="TASKS",
            id="tasks.W001",
        )
        for alias, settings in plugin.settings.items()
        if settings.builtin == "dummy"
    ]


def check_services(plugin: TasksPlugin, app: Flask) -> list[CheckMessage]:
    """On demand (``flask kit check``): import the app's task modules and check their tasks, reach each backend."""
    messages: list[CheckMessage] = []
    before = {task.module_path for task in registered_tasks()}
    try:
        discover(app)
    except Exception as exc:
        messages.append(
            Error(
                f"Importing the app's task modules ({', '.join(task_modules(app))}) failed: "
                f"{type(exc).__name__}: {exc}",
                hint="Fix the module, or set TASK_MODULES to the modules that hold the app's tasks.",
                obj="TASK_MODULES",
                id="tasks.E008",
            )
        )
    else:
        messages.extend(m for m in check_registered_tasks(plugin, app) if m.obj not in before)
    for alias in plugin.settings:
        backend = plugin.get_backend(alias)
        try:
            backend.check_available()
        except TaskEnqueueError as exc:
            messages.append(
                Error(
                    f"The task backend {alias!r} cannot take tasks: {exc}",
                    hint="Start Redis, or fix REDIS_URL / TASKS[...]['OPTIONS']['REDIS_URL'].",
                    obj="TASKS",
                    id="tasks.E007",
                )
            )
        messages.extend(backend.check())
    return messages

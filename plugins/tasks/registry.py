"""The tasks defined in this process, by module path (for ``flask kit tasks``, the checks and the workers).

Like Django's models or Celery's task registry, a task is code: it is defined once per
process, at import, whatever the app. Which modules hold tasks is per app: the
``TASK_MODULES`` setting, else ``<app package>.tasks`` and ``<plugin package>.tasks`` of every
enabled plugin, imported by :func:`discover` (workers and ``flask kit tasks`` call it; the
app's boot does not, so a tasks module may import the app's models freely).
"""

from __future__ import annotations

import importlib
import importlib.util
import typing as t

if t.TYPE_CHECKING:
    from flask import Flask

    from .base import Task

__all__ = ["discover", "register", "registered_tasks", "task_modules"]

_tasks: dict[str, Task[t.Any, t.Any]] = {}


def register(task: Task[t.Any, t.Any]) -> None:
    _tasks[task.module_path] = task


def registered_tasks() -> list[Task[t.Any, t.Any]]:
    """Every task defined so far in this process, by module path."""
    return [_tasks[path] for path in sorted(_tasks)]


def task_modules(app: Flask) -> list[str]:
    """The modules that hold the app's tasks: ``TASK_MODULES``, else those found by convention."""
    configured = app.config.get("TASK_MODULES")
    if configured is not None:
        return list(configured)
    candidates = [f"{app.import_name.rpartition('.')[0] or app.import_name}.tasks"]
    kit = app.extensions.get("flaskkit")
    if kit is not None:
        for plugin in kit.state(app).plugins.values():
            package = type(plugin).__module__
            if package.endswith(".__init__"):
                package = package.removesuffix(".__init__")
            candidates.append(f"{package.rpartition('.')[0] if _is_module(package) else package}.tasks")
    found: list[str] = []
    for name in dict.fromkeys(candidates):
        try:
            if importlib.util.find_spec(name) is not None:
                found.append(name)
        except (ImportError, ValueError):  # a parent that is not a package
            continue
    return found


def _is_module(name: str) -> bool:
    """Whether ``name`` is a plain module (its tasks module is its sibling), not a package."""
    spec = importlib.util.find_spec(name)
    return spec is not None and spec.submodule_search_locations is None


def discover(app: Flask) -> list[str]:
    """Import the app's task modules; return their names. An import error propagates (it is a bug to see)."""
    modules = task_modules(app)
    for name in modules:
        importlib.import_module(name)
    return modules

"""``task_backends`` and ``default_task_backend``: the current app's backends, importable anywhere.

They hold no state: each lookup goes to the current app's plugin
(``app.extensions["flaskkit.tasks"]``), so two apps in one process each use their own
``TASKS``. :func:`tasks_enabled` is the question another plugin asks before it
hands work to a task.
"""

from __future__ import annotations

import collections.abc as cabc
import typing as t

from flask import current_app
from flask import has_app_context
from werkzeug.local import LocalProxy

if t.TYPE_CHECKING:
    from flask import Flask

    from . import TasksPlugin
    from .backends.base import BaseTaskBackend

__all__ = ["EXTENSION_KEY", "default_task_backend", "get_plugin", "task_backends", "tasks_enabled"]

#: ``app.extensions[EXTENSION_KEY]`` is the app's :class:`~flaskkit.plugins.tasks.TasksPlugin`.
EXTENSION_KEY = "flaskkit.tasks"


def _app(app: Flask | None) -> Flask:
    if app is not None:
        return app
    if not has_app_context():
        raise RuntimeError(
            "Tasks are per app: enqueue them inside a request, a CLI command or an app context "
            "(with app.app_context(): ...)."
        )
    return t.cast("Flask", current_app._get_current_object())  # type: ignore[attr-defined]


def tasks_enabled(app: Flask | None = None) -> bool:
    """Whether ``app`` (default: the current app) lists the tasks plugin in ``PLUGINS``.

    For other plugins::

        if tasks_enabled():
            send_mail_task.enqueue_on_commit(message)
        else:
            send_mail_task.call(message)
    """
    if app is None and not has_app_context():
        return False
    return EXTENSION_KEY in _app(app).extensions


def get_plugin(app: Flask | None = None) -> TasksPlugin:
    """The tasks plugin of ``app`` (default: the current app), with a clear error when it is not enabled."""
    app = _app(app)
    plugin = app.extensions.get(EXTENSION_KEY)
    if plugin is None:
        raise RuntimeError(f"The tasks plugin is not enabled on the app {app.name!r}: add 'tasks' to PLUGINS.")
    return t.cast("TasksPlugin", plugin)


class TaskBackendHandler:
    """``task_backends["alias"]``: the backend of that alias of ``TASKS``, for the current app."""

    def __getitem__(self, alias: str) -> BaseTaskBackend:
        return get_plugin().get_backend(alias)

    def __contains__(self, alias: object) -> bool:
        return alias in get_plugin().settings

    def __iter__(self) -> cabc.Iterator[str]:
        return iter(get_plugin().settings)

    def all(self) -> list[BaseTaskBackend]:
        plugin = get_plugin()
        return [plugin.get_backend(alias) for alias in plugin.settings]

    def __repr__(self) -> str:
        return "<task backends of the current app>"


#: Django's ``task_backends``.
task_backends = TaskBackendHandler()
#: Django's ``default_task_backend``: the current app's ``TASKS["default"]``.
default_task_backend: BaseTaskBackend = t.cast(
    "BaseTaskBackend", LocalProxy(lambda: get_plugin().get_backend("default"))
)

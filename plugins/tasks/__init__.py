"""The ``tasks`` plugin: Django 6's Tasks API, run in-process or on RQ or Celery.

::

    # settings.py
    PLUGINS = ["orm", "tasks"]
    TASKS = {"default": {"BACKEND": "rq", "QUEUES": ["default", "mail"]}}    # default: "immediate"
    REDIS_URL = "redis://localhost:6379/0"

    # myapp/tasks.py
    from flaskkit.plugins.tasks import task

    @task(priority=10, queue_name="mail", retries=3)
    def send_digest(user_id: int) -> int: ...

    # a view
    result = send_digest.enqueue(user.id)          # or send_digest.enqueue_on_commit(user.id)
    send_digest.get_result(result.id).status       # READY, RUNNING, SUCCESSFUL, FAILED

and ``flask kit worker`` runs the tasks (RQ or Celery), ``flask kit tasks`` lists them.
See docs/plugins/tasks.md.
"""

from __future__ import annotations

import collections.abc as cabc
import threading
import typing as t

from werkzeug.utils import import_string

from flaskkit import ConfigurationError
from flaskkit import Plugin
from flaskkit._text import did_you_mean
from flaskkit.checks import DATABASE
from flaskkit.checks import DEPLOY
from flaskkit.checks import check

from . import checks as _checks
from .base import DEFAULT_TASK_BACKEND_ALIAS
from .base import DEFAULT_TASK_PRIORITY
from .base import DEFAULT_TASK_QUEUE_NAME
from .base import TASK_MAX_PRIORITY
from .base import TASK_MIN_PRIORITY
from .base import Task
from .base import TaskContext
from .base import TaskError
from .base import TaskResult
from .base import TaskResultStatus
from .base import task
from .conf import BackendSettings
from .conf import parse_tasks
from .exceptions import InvalidTask
from .exceptions import InvalidTaskArguments
from .exceptions import InvalidTaskBackend
from .exceptions import TaskEnqueueError
from .exceptions import TaskException
from .exceptions import TaskResultDoesNotExist
from .exceptions import TaskResultMismatch
from .exceptions import WorkerLost
from .handler import EXTENSION_KEY
from .handler import default_task_backend
from .handler import get_plugin
from .handler import task_backends
from .handler import tasks_enabled
from .signals import task_enqueued
from .signals import task_finished
from .signals import task_started

if t.TYPE_CHECKING:
    import click
    from flask import Flask

    from flaskkit.checks import CheckMessage

    from .backends.base import BaseTaskBackend

__all__ = [
    "DEFAULT_TASK_BACKEND_ALIAS",
    "DEFAULT_TASK_PRIORITY",
    "DEFAULT_TASK_QUEUE_NAME",
    "TASK_MAX_PRIORITY",
    "TASK_MIN_PRIORITY",
    "InvalidTask",
    "InvalidTaskArguments",
    "InvalidTaskBackend",
    "Task",
    "TaskContext",
    "TaskEnqueueError",
    "TaskError",
    "TaskException",
    "TaskResult",
    "TaskResultDoesNotExist",
    "TaskResultMismatch",
    "TaskResultStatus",
    "TasksPlugin",
    "WorkerLost",
    "default_task_backend",
    "get_plugin",
    "task",
    "task_backends",
    "task_enqueued",
    "task_finished",
    "task_started",
    "tasks_enabled",
]


class TasksPlugin(Plugin):
    """Django's ``TASKS`` for a Flask app. ``app.extensions["flaskkit.tasks"]`` is the instance.

    Backends are made on first use: nothing connects to Redis at boot.
    """

    name = "tasks"
    #: With the orm plugin, ``enqueue_on_commit`` waits for the transaction.
    after = ("orm",)
    defaults: t.ClassVar[t.Mapping[str, t.Any]] = {
        "TASKS": {"default": {"BACKEND": "immediate"}},
        # The modules holding the app's tasks, for workers and `flask kit tasks`; None: found by convention.
        "TASK_MODULES": None,
        # The Redis URL of the rq and celery backends when their OPTIONS give none (also the environment variable).
        "REDIS_URL": None,
    }

    def __init__(self) -> None:
        #: alias -> validated settings of the usable aliases.
        self.settings: dict[str, BackendSettings] = {}
        #: The errors found in ``TASKS`` (reported by the checks).
        self.problems: list[CheckMessage] = []
        #: Whether the app has the orm plugin (``enqueue_on_commit`` then waits for the commit).
        self.orm_enabled = False
        self._backends: dict[str, BaseTaskBackend] = {}
        self._lock = threading.Lock()

    # -- phases -------------------------------------------------------------------------------

    def configure(self, app: Flask) -> None:
        self.settings, self.problems = parse_tasks(app)
        modules = app.config["TASK_MODULES"]
        if modules is not None and (
            isinstance(modules, str)
            or not isinstance(modules, cabc.Iterable)
            or not all(isinstance(m, str) for m in modules)
        ):
            raise ConfigurationError(
                f"TASK_MODULES must be a list of module names, not {modules!r}.",
                setting="TASK_MODULES",
                hint="Write TASK_MODULES = ['myapp.tasks'], or leave it out to use <app package>.tasks.",
            )

    def init_app(self, app: Flask) -> None:
        #: The app the backends run tasks for.
        self.app = app
        app.extensions[EXTENSION_KEY] = self
        app.shell_context_processor(lambda: {"task_backends": task_backends})

    def ready(self, app: Flask) -> None:
        kit = app.extensions["flaskkit"]
        self.orm_enabled = "orm" in kit.state(app).plugins

    # -- backends -----------------------------------------------------------------------------

    def get_backend(self, alias: str = DEFAULT_TASK_BACKEND_ALIAS) -> BaseTaskBackend:
        """The backend of ``alias`` for this plugin's app (made on first use)."""
        backend = self._backends.get(alias)
        if backend is not None:
            return backend
        settings = self.settings.get(alias)
        if settings is None:
            broken = [m for m in self.problems if f"[{alias!r}]" in m.msg]
            if broken:
                raise InvalidTaskBackend(f"TASKS[{alias!r}] cannot be used: {broken[0].msg}", setting="TASKS")
            raise InvalidTaskBackend(
                f"TASKS has no alias {alias!r}.{did_you_mean(alias, self.settings)}",
                setting="TASKS",
                hint=f"Add TASKS[{alias!r}] = {{'BACKEND': ...}}, or use one of {', '.join(map(repr, self.settings))}.",
            )
        with self._lock:
            backend = self._backends.get(alias)
            if backend is None:
                cls = import_string(settings.backend_path.replace(":", "."))
                backend = self._backends[alias] = cls(self.app, settings)
        return backend

    def replace_backend(self, alias: str, backend: BaseTaskBackend) -> BaseTaskBackend | None:
        """Put ``backend`` in place of ``alias``'s (for tests); return the previous one."""
        with self._lock:
            previous = self._backends.get(alias)
            self._backends[alias] = backend
            return previous

    def restore_backend(self, alias: str, backend: BaseTaskBackend | None) -> None:
        with self._lock:
            if backend is None:
                self._backends.pop(alias, None)
            else:
                self._backends[alias] = backend

    # -- checks -------------------------------------------------------------------------------

    def checks(self, app: Flask) -> t.Iterable[CheckMessage]:
        yield from self.problems
        yield from _checks.check_registered_tasks(self, app)

    @check(DEPLOY)
    def check_deploy(self, app: Flask) -> t.Iterable[CheckMessage]:
        return _checks.check_dummy_backend(self)

    @check(DATABASE)
    def check_services(self, app: Flask) -> t.Iterable[CheckMessage]:
        return _checks.check_services(self, app)

    # -- commands -----------------------------------------------------------------------------

    def kit_commands(self, app: Flask) -> t.Iterable[click.Command]:
        from .cli import tasks_command
        from .cli import worker_command

        return [tasks_command, worker_command]

"""A check framework in the shape of Django's system checks.

A check is a function that takes the app and returns (or yields) messages::

    from flaskkit import checks

    def check_upload_folder(app):
        if not os.path.isdir(app.config["UPLOAD_FOLDER"]):
            yield checks.Error(
                "UPLOAD_FOLDER does not exist.",
                hint="Create it, or point UPLOAD_FOLDER at a directory that exists.",
                obj="UPLOAD_FOLDER",
                id="myapp.E001",
            )

    kit.checks.register(check_upload_folder)           # or "deploy" as a tag

Plugins return messages from :meth:`flaskkit.Plugin.checks` or mark more
methods with :func:`check`. Checks run at boot (errors stop the app with a
:class:`~flaskkit.ConfigurationError` listing all of them) and with
``flask kit check [--deploy] [--tag TAG]``. ``SILENCED_CHECKS`` silences by id.
"""

from __future__ import annotations

from .messages import CRITICAL
from .messages import DEBUG
from .messages import ERROR
from .messages import INFO
from .messages import LEVEL_NAMES
from .messages import WARNING
from .messages import CheckMessage
from .messages import Critical
from .messages import Debug
from .messages import Error
from .messages import Info
from .messages import Warning
from .registry import DATABASE
from .registry import DEPLOY
from .registry import CheckFunction
from .registry import CheckRegistry
from .registry import CheckReport
from .registry import check

__all__ = [
    "CRITICAL",
    "DATABASE",
    "DEBUG",
    "DEPLOY",
    "ERROR",
    "INFO",
    "LEVEL_NAMES",
    "WARNING",
    "CheckFunction",
    "CheckMessage",
    "CheckRegistry",
    "CheckReport",
    "Critical",
    "Debug",
    "Error",
    "Info",
    "Warning",
    "check",
]

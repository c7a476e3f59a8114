"""flaskkit: Django-level batteries for Flask, assembled by configuration.

::

    # settings.py
    SECRET_KEY = "..."
    PLUGINS = ["orm", "session", "cache", "forms"]

    # app.py
    from flaskkit import create_app
    app = create_app("myapp.settings")
"""

from __future__ import annotations

from . import checks
from .app import create_app
from .exceptions import ConfigurationError
from .exceptions import ValidationError
from .kit import Kit
from .kit import get_kit
from .loading import ENTRY_POINT_GROUP
from .loading import PluginSource
from .plugin import ExtensionPlugin
from .plugin import Plugin

__all__ = [
    "ENTRY_POINT_GROUP",
    "ConfigurationError",
    "ExtensionPlugin",
    "Kit",
    "Plugin",
    "PluginSource",
    "ValidationError",
    "checks",
    "create_app",
    "get_kit",
]

__version__ = "0.1.0"

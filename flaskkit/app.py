"""``create_app``: a Flask app from settings, with its plugins booted."""

from __future__ import annotations

import collections.abc as cabc
import os
import sys
import types
import typing as t

from flask import Flask
from werkzeug.utils import ImportStringError
from werkzeug.utils import import_string

from .exceptions import ConfigurationError
from .kit import Kit

__all__ = ["SETTINGS_ENV_VAR", "create_app"]

#: The environment variable naming the settings when ``create_app()`` gets none,
#: like Django's ``DJANGO_SETTINGS_MODULE``.
SETTINGS_ENV_VAR = "FLASKKIT_SETTINGS"

Settings = str | os.PathLike[str] | cabc.Mapping[str, t.Any] | object


def create_app(
    config: Settings | None = None,
    *,
    overrides: cabc.Mapping[str, t.Any] | None = None,
    **flask_kwargs: t.Any,
) -> Flask:
    """Create a Flask app, load its settings and boot its plugins.

    :param config: the settings: an import path (``"myapp.settings"`` or
        ``"myapp.config:Production"``), a path to a ``.py`` file, a mapping,
        or an object (class or module). Only UPPERCASE names are read, as
        Flask does. ``None`` reads the ``FLASKKIT_SETTINGS`` environment
        variable, and starts from empty settings when it is not set.
    :param overrides: applied last, after the environment (tests use this).
    :param flask_kwargs: passed to :class:`flask.Flask`. ``import_name``
        defaults to the settings' top-level package (so templates, static
        files and the instance folder sit beside your code) or else to the
        calling module. ``instance_path`` and ``instance_relative_config``
        work as in Flask: with the latter, a relative ``.py`` path is read
        from the instance folder.

    ``FLASK_*`` environment variables override the settings
    (:meth:`flask.Config.from_prefixed_env`: ``FLASK_SECRET_KEY=...``,
    ``FLASK_PLUGINS='["orm"]'`` as JSON). Then ``Kit(app)`` boots the plugins.
    """
    if config is None:
        config = os.environ.get(SETTINGS_ENV_VAR) or None
    if "import_name" not in flask_kwargs:
        flask_kwargs["import_name"] = _default_import_name(config, sys._getframe(1).f_globals.get("__name__"))
        if _is_py_path(config) and "root_path" not in flask_kwargs:
            flask_kwargs["root_path"] = os.path.dirname(os.path.abspath(os.fspath(t.cast(str, config))))
    app = Flask(**flask_kwargs)
    load_settings(app, config)
    app.config.from_prefixed_env()
    if overrides:
        app.config.update(overrides)
    Kit(app)
    return app


def load_settings(app: Flask, config: Settings | None) -> None:
    """Load ``config`` (as :func:`create_app` takes it) into ``app.config``."""
    if config is None:
        return
    if _is_py_path(config):
        _load_pyfile(app, os.fspath(t.cast(str, config)))
    elif isinstance(config, str):
        try:
            obj = import_string(config)
        except ImportStringError as exc:
            raise ConfigurationError(
                f"Cannot import the settings {config!r}: {exc.exception}",
                setting=SETTINGS_ENV_VAR,
                hint="Check the dotted path given to create_app() or in FLASKKIT_SETTINGS, and that its "
                "package is importable from here (the current directory, or an installed package).",
            ) from exc
        app.config.from_object(obj)
    elif isinstance(config, cabc.Mapping):
        app.config.from_mapping(config)
    elif isinstance(config, bytes | int | float | bool | cabc.Iterable):
        raise ConfigurationError(
            f"create_app() cannot read settings from {type(config).__name__} {config!r}.",
            hint="Give an import path ('myapp.settings'), a .py file path, a mapping or an object.",
        )
    else:
        app.config.from_object(config)


def _is_py_path(config: object) -> bool:
    if isinstance(config, os.PathLike):
        return True
    return isinstance(config, str) and (config.endswith(".py") or os.sep in config or "/" in config)


def _load_pyfile(app: Flask, path: str) -> None:
    if os.path.isabs(path):
        full = path
    elif _instance_relative(app):
        full = os.path.join(app.instance_path, path)
    else:
        full = os.path.abspath(path)
    if not os.path.isfile(full):
        where = " (with instance_relative_config, relative paths are read from the instance folder)"
        raise ConfigurationError(
            f"The settings file {full!r} does not exist.",
            setting=SETTINGS_ENV_VAR,
            hint="Check the path given to create_app() or in FLASKKIT_SETTINGS"
            + (where if _instance_relative(app) else "")
            + ".",
        )
    try:
        app.config.from_pyfile(full)
    except Exception as exc:
        raise ConfigurationError(
            f"Running the settings file {full!r} raised {type(exc).__name__}: {exc}",
            setting=SETTINGS_ENV_VAR,
        ) from exc


def _instance_relative(app: Flask) -> bool:
    return os.path.normpath(app.config.root_path) == os.path.normpath(app.instance_path)


def _default_import_name(config: object, caller: str | None) -> str:
    if isinstance(config, str) and not _is_py_path(config):
        return config.partition(":")[0].partition(".")[0] or "flaskkit_app"
    if isinstance(config, types.ModuleType):
        return config.__name__.partition(".")[0]
    module = getattr(config, "__module__", None) if isinstance(config, type) else None
    if isinstance(module, str) and module != "builtins":
        return module.partition(".")[0]
    return caller or "__main__"

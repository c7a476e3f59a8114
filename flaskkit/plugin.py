"""The plugin contract."""

from __future__ import annotations

import importlib
import re
import types
import typing as t

from .exceptions import ConfigurationError

if t.TYPE_CHECKING:
    import click
    from flask import Flask

    from .checks.messages import CheckMessage
    from .loading import PluginSource
    from .pipeline import Layer

__all__ = ["ExtensionPlugin", "Plugin"]

_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


class Plugin:
    """Base class of every flaskkit plugin, built-in or third-party.

    A plugin is enabled by listing it in the ``PLUGINS`` setting, by its
    :attr:`name` (registered in the ``flaskkit.plugins`` entry-point group)
    or by its ``"package.module:ClassName"`` path. The kit creates one
    instance per app and boots the plugins in phases:

    1. resolve: every plugin is imported and ordered so that each comes after
       the plugins it :attr:`requires`;
    2. configure: :attr:`defaults` are applied with ``setdefault`` (the app's
       settings win), then :meth:`configure` validates;
    3. layers: :meth:`layers` adds the plugin's steps to the request pipeline;
    4. :meth:`init_app`, in boot order;
    5. :meth:`ready`, in boot order, once every plugin is initialised; then the
       kit orders and installs the request pipeline;
    6. checks: :meth:`checks` and the methods marked with
       :func:`flaskkit.checks.check` run; errors stop the boot.

    Nothing in a plugin may write to a database at boot.
    """

    #: The stable identifier used in ``PLUGINS`` and in other plugins'
    #: :attr:`requires`. Defaults to the class name in snake case without a
    #: trailing ``Plugin`` (``BlogPlugin`` -> ``"blog"``). A subclass keeps
    #: its parent's name, so it can stand in for it.
    name: t.ClassVar[str] = ""

    #: Names of the plugins this one needs. They must be in ``PLUGINS`` too;
    #: they are booted first.
    requires: t.ClassVar[t.Sequence[str]] = ()

    #: Names of plugins that, *when they are in* ``PLUGINS``, must boot before
    #: this one (an optional dependency: a session plugin that can store
    #: sessions in the cache plugin, if there is one). Not listed is fine.
    after: t.ClassVar[t.Sequence[str]] = ()

    #: Config defaults. Each key is applied with ``app.config.setdefault``
    #: (a copy of the value, so apps never share a mutable default).
    defaults: t.ClassVar[t.Mapping[str, t.Any]] = {}

    #: The extra of the plugin's distribution that installs its optional
    #: dependencies (``"cache"`` for ``pip install "flaskkit[cache]"``); used
    #: by :meth:`import_optional` in its error message.
    extra: t.ClassVar[str | None] = None

    #: Where the kit found this plugin; set by the kit when it loads it.
    source: PluginSource | None = None

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.name:
            base = cls.__name__
            if base.endswith("Plugin") and base != "Plugin":
                base = base[: -len("Plugin")]
            cls.name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", base).lower()

    # -- phases -------------------------------------------------------------

    def configure(self, app: Flask) -> None:
        """Validate the plugin's settings once defaults are applied.

        Raise :class:`~flaskkit.ConfigurationError` naming the setting and the
        fix. No side effects here: nothing is initialised yet.
        """

    def layers(self, app: Flask) -> t.Iterable[Layer]:
        """Return (or yield) this plugin's layers of the request pipeline.

        Called once every plugin is configured, before any ``init_app``. Each
        :class:`~flaskkit.pipeline.Layer` is named (``"<plugin>.<what>"``), has
        the hooks it needs (request, view, wrap_view, exception, response,
        wsgi) and declares its position with ``over``/``under``; the kit orders
        them with every other layer of the app. This is the only way a plugin
        runs code around requests besides Flask's own hooks: a plugin never
        replaces a method of the app.
        """
        return ()

    def init_app(self, app: Flask) -> None:
        """Initialise the plugin on ``app``, the way a Flask extension does."""

    def ready(self, app: Flask) -> None:
        """Called once every plugin of the app is initialised: wire things
        that need other plugins (signals, late registrations)."""

    def checks(self, app: Flask) -> t.Iterable[CheckMessage]:
        """Return (or yield) check messages about the plugin's configuration.

        These run at boot and with ``flask kit check``. Mark further methods
        with ``@flaskkit.checks.check("deploy")`` for checks that only matter
        in production.
        """
        return ()

    def commands(self, app: Flask) -> t.Iterable[click.Command]:
        """Top-level CLI commands or groups for this app (``flask db ...``)."""
        return ()

    def kit_commands(self, app: Flask) -> t.Iterable[click.Command]:
        """Subcommands of ``flask kit`` for this app (``flask kit clearsessions``)."""
        return ()

    # -- helpers for plugin authors -----------------------------------------

    def import_optional(self, module: str) -> types.ModuleType:
        """Import a module that only this plugin needs, or fail with an install hint.

        ::

            def init_app(self, app):
                flask_caching = self.import_optional("flask_caching")
        """
        try:
            return importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name is None or not (module == exc.name or module.startswith(exc.name + ".")):
                raise
            distribution = self.source.distribution if self.source and self.source.distribution else None
            raise ConfigurationError(
                f"Plugin {self.name!r} needs the module {module!r}, which is not installed.",
                plugin=self.name,
                hint=install_hint(distribution, (self.extra,) if self.extra else (), module),
            ) from exc

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class ExtensionPlugin(Plugin):
    """Wraps an ordinary Flask extension (anything with ``init_app(app)``).

    ``PLUGINS = ["flask_cors:CORS"]`` creates ``CORS()`` and calls its
    ``init_app(app)`` in the init phase; an instance named by path
    (``"myapp.extensions:cors"``) is used as it is. The plugin's name is the
    path as written in ``PLUGINS``.
    """

    name = "extension"

    def __init__(self, extension: t.Any, name: str) -> None:
        #: The extension object whose ``init_app`` is called.
        self.extension = extension
        self.name = name  # type: ignore[misc]  # per-instance for wrapped extensions

    def init_app(self, app: Flask) -> None:
        self.extension.init_app(app)


def valid_plugin_name(name: object) -> bool:
    return isinstance(name, str) and _NAME_RE.fullmatch(name) is not None


def install_hint(distribution: str | None, extras: t.Sequence[str], module: str) -> str:
    """The command that installs what is missing, as precisely as we know it."""
    if distribution and extras:
        from ._pip import pip_install

        return f"Install it with: {pip_install(distribution, extras)}"
    return f"Install the package that provides the module {module!r} (pip install ...), then start the app again."

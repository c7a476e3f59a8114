"""The :class:`Kit`: the Flask extension that boots an app's plugins."""

from __future__ import annotations

import collections.abc as cabc
import copy
import functools
import logging
import types
import typing as t
import weakref
from dataclasses import dataclass
from dataclasses import field

from flask import Flask
from flask import current_app
from flask import has_app_context

from .checks.core import register_core_checks
from .checks.core import silenced_checks
from .checks.messages import ERROR
from .checks.messages import WARNING
from .checks.registry import CheckRegistry
from .checks.registry import CheckReport
from .checks.registry import marked_check_tags
from .cookie_session import use_cookie_session
from .exceptions import ConfigurationError
from .loading import PluginSource
from .loading import load_plugins
from .ordering import boot_order
from .pipeline import Pipeline
from .signals import kit_ready
from .signals import plugin_ready

if t.TYPE_CHECKING:
    import click

    from .plugin import Plugin

__all__ = ["EXTENSION_KEY", "Kit", "get_kit"]

#: ``app.extensions[EXTENSION_KEY]`` is the app's :class:`Kit`.
EXTENSION_KEY = "flaskkit"

logger = logging.getLogger("flaskkit")

#: Names of the commands ``flask kit`` itself provides.
BUILTIN_KIT_COMMANDS = frozenset({"plugins", "check", "middleware", "startapp"})


@dataclass
class KitState:
    """What a :class:`Kit` knows about one app."""

    plugins: t.Mapping[str, Plugin] = field(default_factory=lambda: types.MappingProxyType({}))
    checks: CheckRegistry = field(default_factory=CheckRegistry)
    #: ``flask kit`` subcommands contributed by plugins: name -> (command, plugin name).
    kit_commands: dict[str, tuple[click.Command, str]] = field(default_factory=dict)
    #: Top-level commands contributed by plugins: name -> plugin name.
    command_origins: dict[str, str] = field(default_factory=dict)
    #: The request pipeline: every layer of the app, ordered at the end of the boot.
    pipeline: Pipeline = field(default_factory=Pipeline)


class Kit:
    """Boots the plugins listed in ``PLUGINS`` on a Flask app.

    ::

        app = Flask(__name__)
        app.config.from_object("myapp.settings")
        kit = Kit(app)

    or, in an application factory::

        kit = Kit()

        def create_app():
            app = Flask(__name__)
            ...
            kit.init_app(app)
            return app

    ``app.extensions["flaskkit"]`` is the kit. One Kit may serve several apps;
    each app has its own plugins, checks and commands. Outside an app context
    the per-app attributes (:attr:`plugins`, :attr:`checks`) refer to the only
    app; with several, use ``kit.state(app)``.
    """

    def __init__(self, app: Flask | None = None) -> None:
        # Weak, so that a module-level Kit shared by many apps (tests) keeps none
        # of them alive; the first app is held, so ``create_app().extensions[...]``
        # stays usable on its own.
        self._states: weakref.WeakKeyDictionary[Flask, KitState] = weakref.WeakKeyDictionary()
        self._first_app: Flask | None = None
        if app is not None:
            self.init_app(app)

    # -- per-app state --------------------------------------------------------

    def state(self, app: Flask | None = None) -> KitState:
        """The plugins, checks and commands of ``app`` (default: the current, or only, app)."""
        app = self._app(app)
        try:
            return self._states[app]
        except KeyError:
            raise RuntimeError(
                f"This Kit is not initialised on the app {app.name!r}: call kit.init_app(app)."
            ) from None

    def _app(self, app: Flask | None) -> Flask:
        if app is not None:
            return app
        if has_app_context():
            return t.cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]
        apps = list(self._states.keys())
        if len(apps) == 1:
            return apps[0]
        if not apps:
            raise RuntimeError("This Kit is not initialised on any app yet: call Kit(app) or kit.init_app(app).")
        raise RuntimeError(
            f"This Kit serves {len(apps)} apps: work inside an app context (with app.app_context(): ...) "
            "or name the app, as in kit.state(app).plugins."
        )

    @property
    def plugins(self) -> t.Mapping[str, Plugin]:
        """Name -> plugin instance, in boot order (read-only)."""
        return self.state().plugins

    @property
    def sources(self) -> dict[str, PluginSource]:
        """Name -> where the plugin came from."""
        return {name: p.source for name, p in self.plugins.items() if p.source is not None}

    @property
    def checks(self) -> CheckRegistry:
        """The app's check registry: ``kit.checks.register(fn, "deploy")`` adds a check."""
        return self.state().checks

    def run_checks(
        self,
        app: Flask | None = None,
        *,
        tags: t.Collection[str] = (),
        include_deploy: bool = False,
        include_database: bool = True,
    ) -> CheckReport:
        """Run the app's checks, leaving out those silenced by ``SILENCED_CHECKS``.

        Checks tagged ``database`` run unless ``include_database`` is false (the
        boot leaves them out, so an app starts without its database).
        """
        app = self._app(app)
        return self.state(app).checks.run(
            app,
            tags=tags,
            include_deploy=include_deploy,
            include_database=include_database,
            silenced=silenced_checks(app),
        )

    # -- boot ------------------------------------------------------------------

    def init_app(self, app: Flask) -> None:
        """Boot the plugins of ``PLUGINS`` on ``app``: resolve, configure, init_app, ready, checks.

        Raises :class:`ConfigurationError` for anything wrong in the configuration.
        """
        existing = app.extensions.get(EXTENSION_KEY)
        if existing is not None:
            raise ConfigurationError(
                f"flaskkit is already initialised on the app {app.name!r}.",
                hint="Call Kit(app) (or kit.init_app(app), or create_app) once per app.",
            )
        state = KitState()
        self._states[app] = state
        app.extensions[EXTENSION_KEY] = self
        try:
            self._boot(app, state)
        except BaseException:
            # The kit forgets a failed boot (what plugins did to the app stays), so a
            # corrected retry is not refused as "already initialised".
            del self._states[app]
            del app.extensions[EXTENSION_KEY]
            raise
        if self._first_app is None:
            self._first_app = app

    def _boot(self, app: Flask, state: KitState) -> None:
        # resolve
        entries = _plugins_setting(app)
        _validate_core_settings(app)
        from .templating import init_app as init_builtins

        init_builtins(app)  # USE_TZ/TIME_ZONE and the template built-ins every app has
        plugins = boot_order(load_plugins(entries))
        state.plugins = types.MappingProxyType({p.name: p for p in plugins})

        # configure
        for plugin in plugins:
            for key, value in plugin.defaults.items():
                if key not in app.config:
                    app.config[key] = copy.deepcopy(value)
            _run_phase(plugin, "configure", app)

        from .cli import add_kit_command

        add_kit_command(app)
        register_core_checks(state.checks)
        for plugin in plugins:
            _register_plugin_checks(state.checks, plugin)

        # layers of the request pipeline; the kit's request and response hooks are registered
        # before any plugin's init_app, so the pipeline is outside the hooks plugins add
        for plugin in plugins:
            for layer in _layers(plugin, app):
                state.pipeline.add(layer, f"plugin {plugin.name!r}")
        request_hooks = state.pipeline.uses_request_hooks
        if request_hooks:
            state.pipeline.register_request_hooks(app)

        # init_app, in boot order
        reserved = functools.cache(_flask_cli_commands)  # scanned once per boot, and only if a plugin adds commands
        for plugin in plugins:
            _run_phase(plugin, "init_app", app)
            self._add_commands(app, state, plugin, reserved)

        # ready, in boot order
        for plugin in plugins:
            _run_phase(plugin, "ready", app)
            plugin_ready.send(app, plugin=plugin)
        state.pipeline.compile(state.plugins, request_hooks_registered=request_hooks)
        state.pipeline.install(app)
        use_cookie_session(app)  # Flask's cookie session, its signer not rebuilt per request
        if app.testing and app.test_client_class is None:
            # Each test-client request in a context of its own, as under a real server, even when the
            # test holds an app context open (flaskkit.test.Client); only for apps made for tests, so
            # that production apps do not import the test tools.
            from .test.client import use_test_client

            use_test_client(app)
        kit_ready.send(app, kit=self)

        # checks (deploy and database checks only run on demand)
        self._boot_checks(app)

    def _add_commands(self, app: Flask, state: KitState, plugin: Plugin, reserved: t.Callable[[], set[str]]) -> None:
        for command in _commands(plugin, "commands", app):
            name = t.cast(str, command.name)
            owner = state.command_origins.get(name)
            if owner is not None:
                raise ConfigurationError(
                    f"The plugins {owner!r} and {plugin.name!r} both add the command 'flask {name}'.",
                    plugin=plugin.name,
                    hint="Remove one of them from PLUGINS, or rename one command.",
                )
            if name in reserved():
                raise ConfigurationError(
                    f"The plugin {plugin.name!r} adds the command 'flask {name}', but Flask's CLI already has a "
                    f"command {name!r} (built in, or from an installed package), which would always win.",
                    plugin=plugin.name,
                    hint="Rename the plugin's command, or add it under `flask kit` with Plugin.kit_commands().",
                )
            if name in app.cli.commands:
                continue  # the app's own command wins over a plugin's
            state.command_origins[name] = plugin.name
            app.cli.add_command(command)
        for command in _commands(plugin, "kit_commands", app):
            name = t.cast(str, command.name)
            if name in BUILTIN_KIT_COMMANDS or name in state.kit_commands:
                owner = "flaskkit" if name in BUILTIN_KIT_COMMANDS else repr(state.kit_commands[name][1])
                raise ConfigurationError(
                    f"The plugin {plugin.name!r} adds the command 'flask kit {name}', which {owner} already has.",
                    plugin=plugin.name,
                    hint="Rename the plugin's command.",
                )
            state.kit_commands[name] = (command, plugin.name)

    def _boot_checks(self, app: Flask) -> None:
        try:
            with app.app_context():  # as under `flask kit check`, so a check may use current_app
                report = self.run_checks(app, include_database=False)
        except ConfigurationError:
            raise
        except Exception as exc:
            raise ConfigurationError(f"A check raised {type(exc).__name__} while the app booted: {exc}") from exc
        errors = report.serious(ERROR)
        if errors:
            listing = "\n".join(f"  {m}".replace("\n", "\n  ") for m in errors)
            raise ConfigurationError(
                f"The checks found {len(errors)} error{'s' if len(errors) != 1 else ''}:\n{listing}",
                messages=errors,
                hint="Fix each one, or silence an id you accept in SILENCED_CHECKS.",
            )
        for message in report.messages:
            if message.level >= WARNING:
                logger.warning("%s", message)


def get_kit(app: Flask | None = None) -> Kit:
    """The :class:`Kit` of ``app`` (default: the current app), with a clear error when there is none."""
    if app is None:
        app = t.cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]
    kit = app.extensions.get(EXTENSION_KEY)
    if not isinstance(kit, Kit):
        raise RuntimeError(
            f"The app {app.name!r} does not use flaskkit: create it with flaskkit.create_app() or call Kit(app)."
        )
    return kit


def _plugins_setting(app: Flask) -> list[object]:
    value = app.config.get("PLUGINS", [])
    if value is None:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, cabc.Iterable) or isinstance(value, cabc.Mapping):
        shown = repr(value)
        fix = f"PLUGINS = [{value!r}]" if isinstance(value, str) else "PLUGINS = ['orm', 'session', ...]"
        raise ConfigurationError(
            f"PLUGINS must be a list of plugin names or paths, not {type(value).__name__} {shown}.",
            setting="PLUGINS",
            hint=f'Write {fix}. From the environment: FLASK_PLUGINS=\'["orm", "session"]\' (JSON).',
        )
    return list(value)


def _validate_core_settings(app: Flask) -> None:
    silenced = app.config.get("SILENCED_CHECKS", [])
    if silenced is None:
        return
    if (
        isinstance(silenced, str | bytes)
        or not isinstance(silenced, cabc.Iterable)
        or not all(isinstance(i, str) for i in silenced)
    ):
        raise ConfigurationError(
            f"SILENCED_CHECKS must be a list of check ids, not {silenced!r}.",
            setting="SILENCED_CHECKS",
            hint="Write SILENCED_CHECKS = ['kit.W002', ...].",
        )


def _run_phase(plugin: Plugin, phase: str, app: Flask) -> None:
    try:
        getattr(plugin, phase)(app)
    except ConfigurationError as exc:
        if exc.plugin is None:
            exc.plugin = plugin.name
        raise
    except Exception as exc:
        raise ConfigurationError(
            f"Plugin {plugin.name!r} failed in {phase}(): {type(exc).__name__}: {exc}",
            plugin=plugin.name,
            hint="See the original exception above this one.",
        ) from exc


def _layers(plugin: Plugin, app: Flask) -> list[t.Any]:
    try:
        return list(plugin.layers(app) or ())
    except ConfigurationError as exc:
        if exc.plugin is None:
            exc.plugin = plugin.name
        raise
    except Exception as exc:
        raise ConfigurationError(
            f"Plugin {plugin.name!r} failed in layers(): {type(exc).__name__}: {exc}",
            plugin=plugin.name,
            hint="See the original exception above this one.",
        ) from exc


def _register_plugin_checks(registry: CheckRegistry, plugin: Plugin) -> None:
    from .plugin import Plugin

    if type(plugin).checks is not Plugin.checks:
        registry.register(plugin.checks, plugin.name, origin=plugin.name)
    for attr in dir(type(plugin)):
        if attr == "checks" or attr.startswith("__"):
            continue
        tags = marked_check_tags(getattr(type(plugin), attr, None))
        if tags is not None:
            registry.register(getattr(plugin, attr), plugin.name, *tags, origin=plugin.name)


def _flask_cli_commands() -> set[str]:
    """Commands the ``flask`` script resolves before any app's: its own and the ``flask.commands`` entry points
    (read as the plugins' are: once per directory of ``sys.path``, again when one changes)."""
    from ._installed import installed_entry_points

    return {"run", "shell", "routes"} | {ep.name for ep in installed_entry_points("flask.commands")}


def _commands(plugin: Plugin, method: str, app: Flask) -> list[click.Command]:
    import click

    try:
        commands = list(getattr(plugin, method)(app) or ())
    except Exception as exc:
        raise ConfigurationError(
            f"Plugin {plugin.name!r} failed in {method}(): {type(exc).__name__}: {exc}", plugin=plugin.name
        ) from exc
    for command in commands:
        if not isinstance(command, click.Command) or not command.name:
            raise ConfigurationError(
                f"Plugin {plugin.name!r} returned {command!r} from {method}(); it must return click commands.",
                plugin=plugin.name,
            )
    return commands

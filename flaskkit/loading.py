"""Resolve phase, part one: turn ``PLUGINS`` entries into plugin instances.

An entry is one of:

* a name registered in the ``flaskkit.plugins`` entry-point group
  (``"orm"``; the built-ins register there exactly like third parties);
* ``"package.module:ClassName"`` (or ``"package.module.ClassName"``), a
  :class:`~flaskkit.Plugin` subclass;
* ``"package.module"``, a module that defines one Plugin subclass;
* a path to a Flask extension class or instance with ``init_app(app)``
  (``"flask_cors:CORS"``), wrapped in an :class:`~flaskkit.ExtensionPlugin`;
* a Plugin class or instance, or an extension object, given directly.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import inspect
import pkgutil
import re
import types
import typing as t
from dataclasses import dataclass

from ._installed import installed_entry_points
from ._installed import name_and_version
from ._installed import normalise_name
from ._installed import packages_distributions
from ._installed import version as distribution_version
from ._text import did_you_mean
from ._text import quoted_list
from .exceptions import ConfigurationError
from .plugin import ExtensionPlugin
from .plugin import Plugin
from .plugin import install_hint
from .plugin import valid_plugin_name

__all__ = ["ENTRY_POINT_GROUP", "PluginSource", "available_plugins", "load_plugins"]

#: The entry-point group where distributions register their plugins.
ENTRY_POINT_GROUP = "flaskkit.plugins"

SourceKind = t.Literal["entry point", "path", "extension", "object"]


@dataclass(frozen=True)
class PluginSource:
    """Where a plugin came from, for ``flask kit plugins`` and error messages."""

    #: The ``PLUGINS`` entry as written (``repr`` for objects).
    entry: str
    kind: SourceKind
    #: ``"module:attribute"`` of the plugin class or extension object.
    target: str
    #: The distribution that registered the entry point, and its version.
    distribution: str | None = None
    version: str | None = None

    def describe(self) -> str:
        if self.kind == "entry point":
            dist = f" of {self.distribution} {self.version}" if self.distribution else ""
            return f"entry point {self.entry!r}{dist} -> {self.target}"
        if self.kind == "extension":
            return f"Flask extension {self.target} (wrapped)"
        if self.kind == "path":
            return f"dotted path {self.target}"
        return f"object {self.target}"


def available_plugins() -> dict[str, list[importlib.metadata.EntryPoint]]:
    """Every name in the ``flaskkit.plugins`` entry-point group -> its entry points."""
    index: dict[str, list[importlib.metadata.EntryPoint]] = {}
    for ep in installed_entry_points(ENTRY_POINT_GROUP):
        index.setdefault(ep.name, []).append(ep)
    return index


def load_plugins(entries: t.Sequence[object]) -> list[Plugin]:
    """Load every entry, in order, dropping repeats of the same plugin.

    Raises :class:`ConfigurationError` for an entry that cannot be loaded, and
    for two different plugins that share one name.
    """
    loader = _Loader()
    plugins: dict[str, Plugin] = {}
    seen_entries: set[str] = set()
    for entry in entries:
        key = entry if isinstance(entry, str) else f"object:{id(entry)}"
        if key in seen_entries:
            continue
        seen_entries.add(key)
        plugin = loader.load(entry)
        previous = plugins.get(plugin.name)
        if previous is None:
            plugins[plugin.name] = plugin
            continue
        if _same_plugin(previous, plugin):
            continue  # listed twice (say by name and by path): harmless
        assert previous.source is not None
        assert plugin.source is not None
        raise ConfigurationError(
            f"Two different plugins in PLUGINS are both named {plugin.name!r}: "
            f"{previous.source.describe()} and {plugin.source.describe()}.",
            setting="PLUGINS",
            plugin=plugin.name,
            hint="Remove one of them from PLUGINS; a plugin name must be unique in an app.",
        )
    return list(plugins.values())


def _same_plugin(a: Plugin, b: Plugin) -> bool:
    if isinstance(a, ExtensionPlugin) and isinstance(b, ExtensionPlugin):
        return a.extension is b.extension or type(a.extension) is type(b.extension)
    return type(a) is type(b)


class _Loader:
    def __init__(self) -> None:
        self._index: dict[str, list[importlib.metadata.EntryPoint]] | None = None

    @property
    def index(self) -> dict[str, list[importlib.metadata.EntryPoint]]:
        if self._index is None:
            self._index = available_plugins()
        return self._index

    def load(self, entry: object) -> Plugin:
        if not isinstance(entry, str):
            return self._from_object(entry)
        entry = entry.strip()
        if not entry:
            raise ConfigurationError(
                "PLUGINS contains an empty string.", setting="PLUGINS", hint="Remove it from PLUGINS."
            )
        if ":" in entry or "." in entry:
            return self._from_path(entry)
        return self._from_name(entry)

    # -- by entry-point name -------------------------------------------------

    def _from_name(self, name: str) -> Plugin:
        eps = self.index.get(name)
        if not eps and importlib.util.find_spec(name) is not None:
            return self._from_path(name)  # a top-level module that exposes a plugin
        if not eps:
            raise ConfigurationError(_unknown_name_message(name, self.index), setting="PLUGINS", plugin=name)
        dists = {_dist_name(ep) for ep in eps}
        if len(dists) > 1:
            found = ", ".join(f"{_dist_name(ep)} ({ep.value})" for ep in eps)
            raise ConfigurationError(
                f"The plugin name {name!r} is registered by more than one installed distribution: {found}.",
                setting="PLUGINS",
                plugin=name,
                hint="Uninstall one of them, or list the plugin you want by its 'module:Class' path.",
            )
        ep = eps[0]
        source = PluginSource(
            entry=name,
            kind="entry point",
            target=ep.value,
            distribution=_dist_name(ep),
            version=_dist_version(ep),
        )
        module_name = ep.module
        obj = self._import_attr(module_name, ep.attr or "", entry=name, source=source, extras=tuple(ep.extras))
        plugin = self._as_plugin(obj, source, entry=name)
        if plugin.name != name:
            raise ConfigurationError(
                f"The entry point {name!r} of {source.distribution} loads a plugin named {plugin.name!r}.",
                setting="PLUGINS",
                plugin=name,
                hint=f"The plugin's name and its entry-point name must match: set name = {name!r} on the class "
                f"or rename the entry point to {plugin.name!r}.",
            )
        return plugin

    # -- by path --------------------------------------------------------------

    def _from_path(self, entry: str) -> Plugin:
        module_name, colon, attr = entry.partition(":")
        if colon:
            obj = self._import_attr(module_name, attr, entry=entry)
            target = entry
        else:
            # "pkg.module" (a module exposing a plugin) or "pkg.module.Class".
            try:
                obj = self._import_module(entry, entry=entry, missing_ok=True)
                target = entry
            except _ModuleMissing:
                parent, _, attr = entry.rpartition(".")
                obj = self._import_attr(parent, attr, entry=entry)
                target = f"{parent}:{attr}"
        kind: SourceKind = "path"
        if isinstance(obj, types.ModuleType):
            cls = _plugin_class_in_module(obj, entry)
            target = f"{obj.__name__}:{cls.__name__}"
            obj = cls
        elif not _is_plugin(obj) and _is_extension(obj):
            kind = "extension"
        distribution = _distribution_of(target)
        source = PluginSource(
            entry=entry,
            kind=kind,
            target=target,
            distribution=distribution,
            version=distribution_version(distribution) if distribution else None,
        )
        return self._as_plugin(obj, source, entry=entry)

    def _from_object(self, obj: object) -> Plugin:
        if isinstance(obj, type):
            target = f"{obj.__module__}:{obj.__qualname__}"
        else:
            target = f"{type(obj).__module__}:{type(obj).__qualname__} instance"
        kind: SourceKind = "object" if _is_plugin(obj) else "extension"
        return self._as_plugin(obj, PluginSource(entry=repr(obj), kind=kind, target=target), entry=target)

    # -- importing ------------------------------------------------------------

    def _import_module(
        self,
        module_name: str,
        *,
        entry: str,
        source: PluginSource | None = None,
        extras: tuple[str, ...] = (),
        missing_ok: bool = False,
    ) -> types.ModuleType:
        try:
            return importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            missing = exc.name or ""
            if missing == module_name or module_name.startswith(missing + "."):
                if missing_ok and missing == module_name:
                    raise _ModuleMissing from exc
                raise ConfigurationError(
                    f"Cannot import {module_name!r} for the PLUGINS entry {entry!r}: {exc}."
                    + _module_suggestion(missing),
                    setting="PLUGINS",
                    plugin=entry,
                    hint="Check the spelling, and that the package is installed in this environment.",
                ) from exc
            # The plugin's own module exists, but something it imports is missing.
            distribution = source.distribution if source else _distribution_of(module_name)
            if not extras and distribution:
                extras = _extras_providing(distribution, missing)
            raise ConfigurationError(
                f"Plugin {entry!r} needs the module {missing!r}, which is not installed.",
                setting="PLUGINS",
                plugin=entry,
                hint=install_hint(distribution, extras, missing),
            ) from exc
        except Exception as exc:
            raise ConfigurationError(
                f"Importing {module_name!r} for the PLUGINS entry {entry!r} raised {type(exc).__name__}: {exc}",
                setting="PLUGINS",
                plugin=entry,
            ) from exc

    def _import_attr(
        self,
        module_name: str,
        attr: str,
        *,
        entry: str,
        source: PluginSource | None = None,
        extras: tuple[str, ...] = (),
    ) -> object:
        module = self._import_module(module_name, entry=entry, source=source, extras=extras)
        if not attr:
            return module
        obj: object = module
        for part in attr.split("."):
            try:
                obj = getattr(obj, part)
            except AttributeError:
                names = [n for n in dir(obj) if not n.startswith("_")]
                raise ConfigurationError(
                    f"The PLUGINS entry {entry!r} names {part!r}, but {_describe(obj)} has no attribute "
                    f"{part!r}.{did_you_mean(part, names)}",
                    setting="PLUGINS",
                    plugin=entry,
                ) from None
        return obj

    # -- what was found -------------------------------------------------------

    def _as_plugin(self, obj: object, source: PluginSource, *, entry: str) -> Plugin:
        plugin: Plugin
        if isinstance(obj, type) and issubclass(obj, Plugin):
            if obj is Plugin or obj is ExtensionPlugin:
                raise ConfigurationError(
                    f"The PLUGINS entry {entry!r} names the base class {obj.__name__}, not a plugin.",
                    setting="PLUGINS",
                    plugin=entry,
                    hint="Name your Plugin subclass instead.",
                )
            try:
                plugin = obj()
            except Exception as exc:
                raise ConfigurationError(
                    f"Creating the plugin {source.target} with no arguments raised {type(exc).__name__}: {exc}",
                    setting="PLUGINS",
                    plugin=entry,
                    hint="A plugin class must be constructible without arguments; it reads its settings "
                    "from app.config.",
                ) from exc
        elif isinstance(obj, Plugin):
            plugin = obj
        elif _is_extension(obj):
            # Named by what it resolves to, so "flask_cors:CORS" and "flask_cors.CORS" are one plugin.
            plugin = ExtensionPlugin(self._extension_instance(obj, source, entry), name=source.target)
        else:
            raise ConfigurationError(
                f"The PLUGINS entry {entry!r} names {_describe(obj)}, which is neither a flaskkit Plugin "
                "nor a Flask extension (it has no init_app method).",
                setting="PLUGINS",
                plugin=entry,
                hint="Point the entry at a Plugin subclass or an extension class such as 'flask_cors:CORS'.",
            )
        if not isinstance(plugin, ExtensionPlugin) and not valid_plugin_name(plugin.name):
            raise ConfigurationError(
                f"The plugin {source.target} has the name {plugin.name!r}, which is not a valid plugin name.",
                setting="PLUGINS",
                plugin=entry,
                hint="A name is letters, digits, '_' and '-', starting with a letter or '_'.",
            )
        plugin.source = source
        return plugin

    def _extension_instance(self, obj: object, source: PluginSource, entry: str) -> object:
        if not isinstance(obj, type):
            return obj
        try:
            return obj()
        except Exception as exc:
            raise ConfigurationError(
                f"Creating the Flask extension {source.target}() with no arguments raised {type(exc).__name__}: {exc}",
                setting="PLUGINS",
                plugin=entry,
                hint="Write a small Plugin subclass whose init_app creates the extension with its arguments, "
                "or name an already created instance ('myapp.extensions:cors').",
            ) from exc


class _ModuleMissing(Exception):
    pass


def _is_plugin(obj: object) -> bool:
    return isinstance(obj, Plugin) or (isinstance(obj, type) and issubclass(obj, Plugin))


def _is_extension(obj: object) -> bool:
    return not isinstance(obj, types.ModuleType) and callable(getattr(obj, "init_app", None))


def _plugin_class_in_module(module: types.ModuleType, entry: str) -> type[Plugin]:
    prefix = module.__name__ + "."
    names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
    found: dict[type[Plugin], str] = {}
    for name in names:
        value = getattr(module, name, None)
        if (
            isinstance(value, type)
            and issubclass(value, Plugin)
            and value not in (Plugin, ExtensionPlugin)
            and (value.__module__ == module.__name__ or value.__module__.startswith(prefix))
        ):
            found.setdefault(value, name)
    if len(found) == 1:
        return next(iter(found))
    if found:
        choices = ", ".join(repr(f"{module.__name__}:{n}") for n in found.values())
        raise ConfigurationError(
            f"The module {module.__name__!r} (PLUGINS entry {entry!r}) defines several plugins.",
            setting="PLUGINS",
            plugin=entry,
            hint=f"Name the one you want: {choices}.",
        )
    extensions = [n for n in names if isinstance(getattr(module, n, None), type) and _is_extension(getattr(module, n))]
    suggestion = (
        f" It has Flask extension classes: list one as {extensions_path(module, extensions)}." if extensions else ""
    )
    public = sorted(n for n in names if not inspect.ismodule(getattr(module, n, None)))[:12]
    raise ConfigurationError(
        f"The module {module.__name__!r} (PLUGINS entry {entry!r}) defines no flaskkit Plugin subclass; "
        f"it has {quoted_list(public)}.{suggestion}",
        setting="PLUGINS",
        plugin=entry,
        hint="Name the plugin class as 'module:ClassName', or define a Plugin subclass in that module.",
    )


def extensions_path(module: types.ModuleType, names: list[str]) -> str:
    return " or ".join(repr(f"{module.__name__}:{n}") for n in names[:3])


def _describe(obj: object) -> str:
    if isinstance(obj, types.ModuleType):
        return f"the module {obj.__name__!r}"
    if isinstance(obj, type):
        return f"the class {obj.__module__}.{obj.__qualname__}"
    if inspect.isroutine(obj):
        return f"the function {getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', obj)}"
    return f"{obj!r} (a {type(obj).__name__})"


def _unknown_name_message(name: str, index: t.Mapping[str, object]) -> str:
    installed = sorted(index)
    message = (
        f"Unknown plugin {name!r} in PLUGINS: no installed distribution registers it in the "
        f"{ENTRY_POINT_GROUP!r} entry-point group.{did_you_mean(name, installed)}"
    )
    if installed:
        return f"{message} Installed plugins: {', '.join(installed)}."
    return f"{message} No plugins are installed; give a 'module:ClassName' path, or install a plugin distribution."


def _module_suggestion(missing: str) -> str:
    parent, _, leaf = missing.rpartition(".")
    try:
        if parent:
            package = importlib.import_module(parent)
            siblings = [m.name for m in pkgutil.iter_modules(getattr(package, "__path__", []))]
            hint = did_you_mean(leaf, siblings)
            return hint.replace("'", f"'{parent}.", 1).replace(" or '", f" or '{parent}.") if hint else ""
        return did_you_mean(leaf, [m.name for m in pkgutil.iter_modules()])
    except Exception:  # suggestions are a courtesy; never mask the real error
        return ""


def _dist_name(ep: importlib.metadata.EntryPoint) -> str:
    return name_and_version(ep.dist)[0] if ep.dist is not None else "?"


def _dist_version(ep: importlib.metadata.EntryPoint) -> str | None:
    return name_and_version(ep.dist)[1] if ep.dist is not None else None


def _distribution_of(module_name: str) -> str | None:
    """The installed distribution that provides ``module_name`` (or ``"module:attr"``), if any."""
    top = module_name.partition(":")[0].partition(".")[0]
    dists = packages_distributions().get(top)
    return dists[0] if dists else None


_REQ_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_REQ_EXTRA = re.compile(r"""extra\s*==\s*['"]([^'"]+)['"]""")


def _extras_providing(distribution: str, module: str) -> tuple[str, ...]:
    """The smallest extra of ``distribution`` whose requirements include ``module``'s package."""
    try:
        requires = importlib.metadata.requires(distribution) or []
    except importlib.metadata.PackageNotFoundError:
        return ()
    wanted = normalise_name(module.partition(".")[0])
    providing: set[str] = set()
    counts: dict[str, int] = {}
    for requirement in requires:
        extra = _REQ_EXTRA.search(requirement)
        name = _REQ_NAME.match(requirement)
        if not extra or not name:
            continue
        counts[extra.group(1)] = counts.get(extra.group(1), 0) + 1
        if normalise_name(name.group(1)) == wanted:
            providing.add(extra.group(1))
    if not providing:
        return ()
    return (min(providing, key=lambda e: (counts[e], e)),)

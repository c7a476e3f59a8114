"""Resolve ``MIDDLEWARE``: import each entry, check it is a middleware class, create it for the app.

Every mistake stops the boot with a :class:`~flaskkit.ConfigurationError` that
names the entry and says what to write instead.
"""

from __future__ import annotations

import collections.abc as cabc
import importlib
import inspect
import pkgutil
import types
import typing as t
from dataclasses import dataclass
from dataclasses import field

from flaskkit import ConfigurationError
from flaskkit._text import did_you_mean

from .base import HOOKS
from .base import MiddlewareNotUsed

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["ResolvedMiddleware", "import_entry", "instantiate", "load_middleware", "resolve_middleware"]

SETTING = "MIDDLEWARE"
PLUGIN = "middleware"

_HOOK_LIST = (
    "process_request(request), process_view(request, view_func, view_args), "
    "process_exception(request, exc) or process_response(request, response)"
)


@dataclass
class ResolvedMiddleware:
    """One ``MIDDLEWARE`` entry, created for an app."""

    #: The entry as written in ``MIDDLEWARE`` (``"module:Class"`` for a class given directly).
    entry: str
    cls: type
    #: The app's instance; ``None`` when the class raised :class:`MiddlewareNotUsed`.
    instance: object | None
    #: The hooks this instance runs, in :data:`HOOKS` order: name -> bound method.
    hooks: dict[str, t.Callable[..., t.Any]] = field(default_factory=dict)
    #: Why the middleware is not used (the :class:`MiddlewareNotUsed` message), if so.
    not_used: str | None = None

    @property
    def target(self) -> str:
        """``module:QualifiedName`` of the class."""
        return f"{self.cls.__module__}:{self.cls.__qualname__}"


def resolve_middleware(app: Flask, value: object) -> list[ResolvedMiddleware]:
    """Turn the ``MIDDLEWARE`` setting into created middleware, outermost first."""
    return [instantiate(app, label, cls) for label, cls in load_middleware(value)]


def load_middleware(value: object) -> list[tuple[str, type]]:
    """Import and check every ``MIDDLEWARE`` entry: ``(entry, class)`` pairs, outermost first."""
    entries = _entries(value)
    classes: list[tuple[str, type]] = []
    seen: dict[type, str] = {}
    for entry in entries:
        label, cls = _load_class(entry)
        if cls in seen:
            raise ConfigurationError(
                f"MIDDLEWARE lists {label!r} twice"
                + (f" (also as {seen[cls]!r})" if seen[cls] != label else "")
                + ": a middleware class can be one layer of the onion only.",
                setting=SETTING,
                plugin=PLUGIN,
                hint="Remove one of the two entries.",
            )
        seen[cls] = label
        classes.append((label, cls))
    return classes


# -- the setting ---------------------------------------------------------------


def _entries(value: object) -> list[str | type]:
    if value is None:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, cabc.Sequence):
        fix = f"MIDDLEWARE = [{value!r}]" if isinstance(value, str) else "MIDDLEWARE = ['module:Class', ...]"
        raise ConfigurationError(
            f"MIDDLEWARE must be a list of middleware classes or 'module:Class' paths, "
            f"not {type(value).__name__} {value!r}.",
            setting=SETTING,
            plugin=PLUGIN,
            hint=f"Write {fix}.",
        )
    entries: list[str | type] = []
    for item in value:
        if isinstance(item, str) and item.strip():
            entries.append(item.strip())
        elif isinstance(item, type):
            entries.append(item)
        else:
            raise ConfigurationError(
                f"MIDDLEWARE contains {item!r}; each entry must be a 'module:Class' path or a class.",
                setting=SETTING,
                plugin=PLUGIN,
                hint="Write the class's import path, e.g. 'myapp.middleware:Timing'"
                + (" (list the class, not an instance)." if not isinstance(item, str) else "."),
            )
    return entries


# -- importing -----------------------------------------------------------------


def import_entry(entry: str, *, setting: str = SETTING) -> object:
    """Import ``"package.module:Name"`` (or ``"package.module.Name"``); errors name ``setting`` and the entry."""
    if ":" in entry:
        module_name, _, attr = entry.partition(":")
    else:
        module_name, _, attr = entry.rpartition(".")
    if not module_name or not attr:
        raise ConfigurationError(
            f"The {setting} entry {entry!r} is not an import path.",
            setting=setting,
            plugin=PLUGIN,
            hint="Write 'package.module:ClassName', e.g. 'flaskkit.plugins.middleware:SecurityMiddleware'.",
        )
    module = _import_module(module_name, entry, setting)
    obj: object = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            owner = module_name if obj is module else f"{module_name}:{getattr(obj, '__qualname__', obj)}"
            names = _candidates(obj, setting)
            raise ConfigurationError(
                f"The {setting} entry {entry!r} cannot be loaded: {owner!r} has no attribute {part!r}."
                + did_you_mean(part, names, cutoff=0.7 if setting == SETTING else 0.6),
                setting=setting,
                plugin=PLUGIN,
                hint="Check the spelling of the class name after the colon.",
            ) from None
    return obj


def _candidates(owner: object, setting: str) -> list[str]:
    """The public names of ``owner`` worth suggesting: middleware classes for MIDDLEWARE, one name per object."""
    by_object: dict[int, str] = {}
    for name in dir(owner):
        if name.startswith("_"):
            continue
        value = getattr(owner, name, None)
        if setting == SETTING and not (isinstance(value, type) and any(hasattr(value, h) for h in HOOKS)):
            continue
        # An alias (SecurityHeaders = SecurityMiddleware) is suggested under the object's own name only.
        if id(value) not in by_object or name == getattr(value, "__name__", None):
            by_object[id(value)] = name
    return list(by_object.values())


def _import_module(module_name: str, entry: str, setting: str) -> types.ModuleType:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or module_name
        if missing == module_name or module_name.startswith(missing + "."):
            raise ConfigurationError(
                f"The {setting} entry {entry!r} cannot be imported: there is no module {missing!r}."
                + _module_suggestion(missing),
                setting=setting,
                plugin=PLUGIN,
                hint="Check the spelling, and that the package is importable (installed, or on the path).",
            ) from exc
        raise ConfigurationError(
            f"Importing {module_name!r} for the {setting} entry {entry!r} failed: the module it imports, "
            f"{missing!r}, is not installed.",
            setting=setting,
            plugin=PLUGIN,
            hint=f"Install the package that provides {missing!r}.",
        ) from exc
    except Exception as exc:
        raise ConfigurationError(
            f"Importing {module_name!r} for the {setting} entry {entry!r} raised {type(exc).__name__}: {exc}",
            setting=setting,
            plugin=PLUGIN,
            hint="See the original exception above this one.",
        ) from exc


def _module_suggestion(missing: str) -> str:
    parent, _, leaf = missing.rpartition(".")
    if not parent:
        candidates = [m.name for m in pkgutil.iter_modules()]
        return did_you_mean(leaf, candidates)
    try:
        package = importlib.import_module(parent)
    except Exception:
        return ""
    path = getattr(package, "__path__", None)
    if path is None:
        return ""
    return did_you_mean(missing, [f"{parent}.{m.name}" for m in pkgutil.iter_modules(path)])


def _load_class(entry: str | type) -> tuple[str, type]:
    if isinstance(entry, type):
        cls = entry
        label = f"{cls.__module__}:{cls.__qualname__}"
    else:
        label = entry
        obj = import_entry(entry)
        if not isinstance(obj, type):
            raise ConfigurationError(
                f"The MIDDLEWARE entry {entry!r} is {_describe(obj)}, not a middleware class.",
                setting=SETTING,
                plugin=PLUGIN,
                hint=f"A middleware is a class that defines at least one of {_HOOK_LIST}; "
                "flaskkit creates one instance per app.",
            )
        cls = obj
    if not any(getattr(cls, hook, None) is not None for hook in HOOKS):
        raise ConfigurationError(
            f"The MIDDLEWARE entry {label!r} is not a middleware: the class {cls.__qualname__} defines none "
            f"of the hooks {', '.join(HOOKS)}.",
            setting=SETTING,
            plugin=PLUGIN,
            hint=_not_a_middleware_hint(cls),
        )
    return label, cls


def _not_a_middleware_hint(cls: type) -> str:
    if any("__call__" in vars(klass) for klass in cls.__mro__[:-1]):
        return (
            "flaskkit's middleware is Django's hook style, not the __call__(request)/get_response style: move "
            "what runs before get_response into process_request(request) and what runs after it into "
            "process_response(request, response). A WSGI middleware (wrapping app.wsgi_app) goes in WSGI_MIDDLEWARE."
        )
    return f"Define at least one of {_HOOK_LIST}."


def _describe(obj: object) -> str:
    if isinstance(obj, types.ModuleType):
        return f"the module {obj.__name__!r}"
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return f"the function {getattr(obj, '__qualname__', obj)!r}"
    return f"an instance of {type(obj).__qualname__}"


# -- instantiating -------------------------------------------------------------


def instantiate(app: Flask, label: str, cls: type) -> ResolvedMiddleware:
    """Create the middleware ``cls`` for ``app``; errors name the entry."""
    args = _constructor_args(app, label, cls)
    try:
        instance = cls(*args)
    except MiddlewareNotUsed as exc:
        return ResolvedMiddleware(entry=label, cls=cls, instance=None, not_used=str(exc) or "MiddlewareNotUsed")
    except ConfigurationError as exc:
        if exc.plugin is None:
            exc.plugin = PLUGIN
        raise
    except Exception as exc:
        raise ConfigurationError(
            f"Creating the middleware {label!r} for the app {app.name!r} raised {type(exc).__name__}: {exc}",
            setting=SETTING,
            plugin=PLUGIN,
            hint="See the original exception above this one.",
        ) from exc
    return ResolvedMiddleware(entry=label, cls=cls, instance=instance, hooks=_hooks(label, cls, instance))


def _constructor_args(app: Flask, label: str, cls: type) -> tuple[object, ...]:
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):  # a builtin or C type: try the documented form
        return (app,)
    for args in ((app,), ()):
        try:
            signature.bind(*args)
        except TypeError:
            continue
        return args
    django = " (Django's middleware takes get_response; flaskkit's takes the app)" if _takes_get_response(cls) else ""
    raise ConfigurationError(
        f"The MIDDLEWARE entry {label!r} cannot be created: {cls.__qualname__}{signature} must take the app as "
        f"its only argument, or no argument{django}.",
        setting=SETTING,
        plugin=PLUGIN,
        hint="Write def __init__(self, app): ... (or subclass flaskkit.plugins.middleware.Middleware).",
    )


def _takes_get_response(cls: type) -> bool:
    try:
        return "get_response" in inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return False


def _hooks(label: str, cls: type, instance: object) -> dict[str, t.Callable[..., t.Any]]:
    hooks: dict[str, t.Callable[..., t.Any]] = {}
    for name, params in HOOKS.items():
        hook = getattr(instance, name, None)
        if hook is None:
            continue
        expected = f"{name}({', '.join(params)})"
        if not callable(hook):
            raise ConfigurationError(
                f"The MIDDLEWARE entry {label!r}: {cls.__qualname__}.{name} is {hook!r}, not a method.",
                setting=SETTING,
                plugin=PLUGIN,
                hint=f"Define def {expected}, or set it to None to switch the hook off.",
            )
        if inspect.iscoroutinefunction(hook):
            raise ConfigurationError(
                f"The MIDDLEWARE entry {label!r}: {cls.__qualname__}.{name} is a coroutine function (async def); "
                "middleware hooks run synchronously, around Flask's dispatch.",
                setting=SETTING,
                plugin=PLUGIN,
                hint=f"Make it a plain def {expected}.",
            )
        try:
            signature = inspect.signature(hook)
        except (TypeError, ValueError):
            hooks[name] = hook
            continue
        try:
            signature.bind(*params)
        except TypeError:
            extra = ""
            if name == "process_view" and len(signature.parameters) == 4:
                extra = (
                    " Django passes (request, view_func, view_args, view_kwargs); Flask has no positional URL "
                    "arguments, so flaskkit passes the URL arguments as one dict, view_args."
                )
            raise ConfigurationError(
                f"The MIDDLEWARE entry {label!r}: {cls.__qualname__}.{name}{signature} has the wrong signature; "
                f"flaskkit calls {expected}.{extra}",
                setting=SETTING,
                plugin=PLUGIN,
                hint=f"Write def {name}(self, {', '.join(params)}): ...",
            ) from None
        hooks[name] = hook
    return hooks

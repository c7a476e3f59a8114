"""Checking class-based views when they are registered on an app.

Django finds a view's mistakes at its first request (no model, no template, a
detail view on a route without ``pk``). Here ``as_view()`` checks the options
(:meth:`View.check_configuration`), and this module checks what needs the app:
the route's arguments (:meth:`View.check_route`) and the cache plugin a
``cache_timeout`` needs. Routes registered before the boot's checks are checked
there (``views.E001``-``E003`` stop the boot); a route added once the app has
booted is checked at the first request its view serves (as Django finds a
view's mistakes), and by ``flask kit check``. Flask has no hook for a new
route, and no plugin replaces a method of the app.
"""

from __future__ import annotations

import typing as t

from flaskkit import ConfigurationError
from flaskkit._text import did_you_mean

from .base import View
from .base import option

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = [
    "CACHE_EXTENSION_KEY",
    "cache_problem",
    "check_registered_view",
    "routes_of",
    "view_class_of",
]

#: ``app.extensions[...]`` of the cache plugin (present when it is enabled).
CACHE_EXTENSION_KEY = "flaskkit.cache"


def view_class_of(view_func: object) -> type[View] | None:
    """The flaskkit view class behind a view function made by ``as_view()``, or ``None``."""
    cls = getattr(view_func, "view_class", None)
    return cls if isinstance(cls, type) and issubclass(cls, View) else None


def cache_problem(app: Flask, endpoint: str, view_func: object) -> tuple[str, str, str] | None:
    """``(check id, message, hint)`` when the view asks for caching the app cannot do, else ``None``."""
    cls = view_class_of(view_func)
    if cls is None:
        return None
    initkwargs: dict[str, t.Any] = getattr(view_func, "view_initkwargs", {})
    if option(cls, initkwargs, "cache_timeout") is None:
        return None
    plugin = app.extensions.get(CACHE_EXTENSION_KEY)
    if plugin is None:
        return (
            "views.E001",
            f"The view {endpoint!r} ({cls.__name__}) sets cache_timeout, but the cache plugin is not enabled.",
            "Add 'cache' to PLUGINS, or remove cache_timeout.",
        )
    alias = option(cls, initkwargs, "cache_alias")
    aliases = list(getattr(plugin, "settings", {}))
    if alias not in aliases:
        return (
            "views.E002",
            f"The view {endpoint!r} ({cls.__name__}) caches in {alias!r} (cache_alias), which CACHES does not "
            f"have.{did_you_mean(str(alias), aliases)}",
            f"Use one of {', '.join(map(repr, aliases))}, or add CACHES[{alias!r}].",
        )
    return None


def check_registered_view(app: Flask, endpoint: str, view_func: object) -> None:
    """Raise :class:`ConfigurationError` for a flaskkit view that cannot work on ``app`` at ``endpoint``."""
    cls = view_class_of(view_func)
    if cls is None:
        return
    problem = cache_problem(app, endpoint, view_func)
    if problem is not None:
        check_id, message, hint = problem
        raise ConfigurationError(f"({check_id}) {message}", setting="PLUGINS", plugin="views", hint=hint)
    initkwargs: dict[str, t.Any] = getattr(view_func, "view_initkwargs", {})
    for rule in routes_of(app, endpoint):
        cls.check_route(initkwargs, endpoint, set(rule.arguments) | set(rule.defaults or ()))


def routes_of(app: Flask, endpoint: str) -> list[t.Any]:
    try:
        return list(app.url_map.iter_rules(endpoint))
    except KeyError:  # an endpoint with a view function but no rule (app.endpoint(...))
        return []

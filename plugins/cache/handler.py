"""``caches`` and ``cache``: the current app's caches, importable anywhere.

Neither holds any state: each lookup goes to the current app's plugin
(``app.extensions["flaskkit.cache"]``), so two apps in one process each see their
own ``CACHES``, and ``from flaskkit.plugins.cache import cache`` works at import
time, before any app exists.
"""

from __future__ import annotations

import collections.abc as cabc
import typing as t

from flask import current_app
from flask import has_app_context
from werkzeug.local import LocalProxy

from flaskkit._text import did_you_mean
from flaskkit._text import quoted_list

from .conf import DEFAULT_ALIAS

if t.TYPE_CHECKING:
    from flask import Flask

    from . import CachePlugin
    from .facade import Cache

__all__ = ["EXTENSION_KEY", "CacheHandler", "InvalidCacheAliasError", "cache", "caches", "get_plugin"]

#: ``app.extensions[EXTENSION_KEY]`` is the app's :class:`~flaskkit.plugins.cache.CachePlugin`.
EXTENSION_KEY = "flaskkit.cache"


class InvalidCacheAliasError(KeyError):
    """``caches["x"]`` for an alias that ``CACHES`` does not have."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def get_plugin(app: Flask | None = None) -> CachePlugin:
    """The cache plugin of ``app`` (default: the current app), with a clear error when it is not enabled."""
    if app is None:
        if not has_app_context():
            raise RuntimeError(
                "The cache is per app: use it inside a request or an app context (with app.app_context(): ...)."
            )
        app = t.cast("Flask", current_app._get_current_object())  # type: ignore[attr-defined]
    plugin = app.extensions.get(EXTENSION_KEY)
    if plugin is None:
        raise RuntimeError(f"The cache plugin is not enabled on the app {app.name!r}: add 'cache' to PLUGINS.")
    return t.cast("CachePlugin", plugin)


class CacheHandler:
    """``caches["alias"]``: the cache of that alias of ``CACHES``, for the current app (Django's ``caches``)."""

    def __getitem__(self, alias: str) -> Cache:
        return get_plugin().get_cache(alias)

    def __contains__(self, alias: object) -> bool:
        return alias in get_plugin().settings

    def __iter__(self) -> cabc.Iterator[str]:
        return iter(get_plugin().settings)

    def __len__(self) -> int:
        return len(get_plugin().settings)

    def all(self) -> list[Cache]:
        """Every cache of the current app, in ``CACHES`` order."""
        plugin = get_plugin()
        return [plugin.get_cache(alias) for alias in plugin.settings]

    def __repr__(self) -> str:
        return "<caches of the current app>"


def unknown_alias(alias: object, aliases: cabc.Iterable[str]) -> InvalidCacheAliasError:
    known = list(aliases)
    return InvalidCacheAliasError(
        f"CACHES has no alias {alias!r}.{did_you_mean(str(alias), known)} Its aliases are {quoted_list(known)}."
    )


#: The caches of the current app: ``caches["sessions"].get(...)``.
caches = CacheHandler()

#: The ``"default"`` cache of the current app (a proxy: import it anywhere).
cache: Cache = t.cast("Cache", LocalProxy(lambda: caches[DEFAULT_ALIAS]))

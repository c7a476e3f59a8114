"""The cache plugin's checks (ids ``cache.*``).

- ``cache.E001`` a file cache's LOCATION cannot be used (not a folder, not writable).
- ``cache.E002`` a view uses ``cache_page(cache=...)`` with an alias ``CACHES`` lacks.
- ``cache.E003`` a Redis cache cannot be reached (tagged ``database``: never at boot).
- ``cache.W001`` Flask-Caching's ``CACHE_TYPE`` is set, but this plugin reads ``CACHES``.
- ``cache.W002`` (deploy) an alias uses the ``dummy`` backend, which caches nothing.
- ``cache.W003`` (deploy) a Redis alias has no explicit ``KEY_PREFIX``.
"""

from __future__ import annotations

import os
import typing as t

from flaskkit.checks import CheckMessage
from flaskkit.checks import Error
from flaskkit.checks import Warning
from flaskkit.services import safe_url

from .page import VIEW_ATTR

if t.TYPE_CHECKING:
    from flask import Flask

    from .conf import CacheSettings

__all__ = [
    "check_dummy_backend",
    "check_file_locations",
    "check_flask_caching_settings",
    "check_page_aliases",
    "check_redis_prefix",
    "check_redis_reachable",
]


def check_file_locations(settings: t.Mapping[str, CacheSettings]) -> list[CheckMessage]:
    """A file cache's folder must be a writable folder, or creatable (nothing is created here)."""
    messages: list[CheckMessage] = []
    for alias, entry in settings.items():
        if entry.builtin != "file" or entry.location is None:
            continue
        path = entry.location
        problem = None
        if os.path.exists(path):
            if not os.path.isdir(path):
                problem = "exists and is not a folder"
            elif not os.access(path, os.W_OK | os.X_OK):
                problem = "is not writable by this process"
        else:
            parent = os.path.dirname(path)
            while not os.path.exists(parent) and os.path.dirname(parent) != parent:
                parent = os.path.dirname(parent)
            if not os.path.isdir(parent) or not os.access(parent, os.W_OK | os.X_OK):
                problem = f"does not exist and cannot be created in {parent!r}"
        if problem:
            messages.append(
                Error(
                    f"The file cache {alias!r} stores its files in {path!r}, which {problem}.",
                    hint=f"Point CACHES[{alias!r}]['LOCATION'] at a folder this process can write to.",
                    obj="CACHES",
                    id="cache.E001",
                )
            )
    return messages


def check_page_aliases(app: Flask, settings: t.Mapping[str, CacheSettings]) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for endpoint, view in sorted(app.view_functions.items()):
        spec = getattr(view, VIEW_ATTR, None)
        if spec is not None and spec.alias not in settings:
            messages.append(
                Error(
                    f"The view {endpoint!r} uses cache_page(cache={spec.alias!r}), but CACHES has no such alias.",
                    hint=f"Add CACHES[{spec.alias!r}], or use one of {', '.join(map(repr, settings))}.",
                    obj=endpoint,
                    id="cache.E002",
                )
            )
    return messages


def check_redis_reachable(settings: t.Mapping[str, CacheSettings]) -> list[CheckMessage]:
    """Connect to every Redis cache (``flask kit check``; never at boot)."""
    import redis

    messages: list[CheckMessage] = []
    for alias, entry in settings.items():
        if entry.builtin != "redis":
            continue
        options = {"socket_connect_timeout": 5, "socket_timeout": 5, **entry.options}
        try:
            with redis.Redis.from_url(t.cast(str, entry.location), **options) as client:
                client.ping()
        except Exception as exc:
            messages.append(
                Error(
                    f"The Redis cache {alias!r} cannot be reached at {safe_url(entry.location)}: "
                    f"{type(exc).__name__}: {exc}",
                    hint="Start Redis, or fix REDIS_URL / CACHES[...]['LOCATION'].",
                    obj="CACHES",
                    id="cache.E003",
                )
            )
    return messages


def check_flask_caching_settings(app: Flask) -> list[CheckMessage]:
    if "CACHE_TYPE" not in app.config or "cache" in app.extensions:
        return []  # "cache" in app.extensions: Flask-Caching is in use too, and reads it
    return [
        Warning(
            "CACHE_TYPE is Flask-Caching's setting; the cache plugin does not read it.",
            hint="Configure the cache with CACHES = {'default': {'BACKEND': 'redis', ...}} and remove CACHE_TYPE.",
            obj="CACHE_TYPE",
            id="cache.W001",
        )
    ]


def check_dummy_backend(settings: t.Mapping[str, CacheSettings]) -> list[CheckMessage]:
    return [
        Warning(
            f"The cache {alias!r} uses the dummy backend: nothing is cached.",
            hint=f"Use 'redis' (or 'locmem', 'file') for CACHES[{alias!r}]['BACKEND'] in production.",
            obj="CACHES",
            id="cache.W002",
        )
        for alias, entry in settings.items()
        if entry.builtin == "dummy"
    ]


def check_redis_prefix(settings: t.Mapping[str, CacheSettings]) -> list[CheckMessage]:
    return [
        Warning(
            f"The Redis cache {alias!r} has no KEY_PREFIX; flaskkit derived {entry.key_prefix!r} from the app's "
            "import name and instance folder, which every server of the site must share.",
            hint=f"Set CACHES[{alias!r}]['KEY_PREFIX'] to a name of your site, the same on every server.",
            obj="CACHES",
            id="cache.W003",
        )
        for alias, entry in settings.items()
        if entry.builtin == "redis" and entry.derived_prefix
    ]

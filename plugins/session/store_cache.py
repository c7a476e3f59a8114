"""The ``cache`` engine: sessions in an alias of the cache plugin's ``CACHES``.

``SESSION_CACHE_ALIAS`` (default ``"default"``) names the alias; the cache
plugin must be in ``PLUGINS``. Keys are ``SESSION_KEY_PREFIX`` + id (default
``session:``) under the alias's own ``KEY_PREFIX`` and version, through
Django's cache API (``get``, ``add``, ``set``, ``delete``). The value stored is
the session's JSON text; the cache backend may pickle that string, as it does
every value, which is one more reason a cache server must be private.

A ``locmem`` cache keeps sessions in one process only (each worker has its
own), and a ``dummy`` cache keeps nothing: the checks say so.
"""

from __future__ import annotations

import typing as t
from datetime import datetime

from flaskkit.plugins.cache import caches

from .store import SessionStore

if t.TYPE_CHECKING:
    from flask import Flask

    from .conf import SessionSettings

__all__ = ["CacheStore"]


class CacheStore(SessionStore):
    engine = "cache"

    def __init__(self, app: Flask, settings: SessionSettings) -> None:
        super().__init__(app, settings)
        self.alias = settings.cache_alias
        self.prefix = settings.key_prefix
        self._cache: t.Any = None

    def ready(self, app: Flask) -> None:
        # Resolved once, for this app: a session may be loaded outside any app
        # context (the test client's session_transaction() does that).
        # The strict cache: a session that cannot be read or saved is a 503, as Django's cache-backed
        # sessions fail, never a silent miss (which would log the user out and lose what they stored).
        with app.app_context():
            self._cache = caches[self.alias].strict

    @property
    def cache(self) -> t.Any:
        """The cache alias's object (Django's cache API)."""
        if self._cache is None:
            raise RuntimeError("The cache session store is used before the app finished booting.")
        return self._cache

    def load(self, key: str) -> str | None:
        value = self.cache.get(self.prefix + key)
        return value if isinstance(value, str) else None

    def create(self, key: str, data: str, expire_date: datetime, age: int) -> bool:
        return bool(self.cache.add(self.prefix + key, data, age))

    def update(self, key: str, data: str, expire_date: datetime, age: int) -> bool:
        # As Django's cache backend: update only a session that is still there (a deleted one stays dead).
        if self.cache.get(self.prefix + key) is None:
            return False
        self.cache.set(self.prefix + key, data, age)
        return True

    def delete(self, key: str) -> None:
        self.cache.delete(self.prefix + key)

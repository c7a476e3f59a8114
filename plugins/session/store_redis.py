"""The ``redis`` engine: each session is one Redis string with a TTL.

The server is ``SESSION_REDIS_URL``, else ``REDIS_URL`` (the setting, then the
environment variable). Keys are ``SESSION_KEY_PREFIX`` + id, the prefix
defaulting to ``session:<app name>:`` so two apps sharing a server keep apart.
The value is the session's JSON text, written and read with redis-py
directly: Flask-Session's and cachelib's Redis backends pickle (or msgpack,
with a pickle fallback on read).
"""

from __future__ import annotations

import typing as t
from datetime import datetime

import redis

from .store import SessionStore

if t.TYPE_CHECKING:
    from flask import Flask

    from .conf import SessionSettings

__all__ = ["RedisStore"]


class RedisStore(SessionStore):
    engine = "redis"

    def __init__(self, app: Flask, settings: SessionSettings) -> None:
        super().__init__(app, settings)
        assert settings.redis_url is not None  # checked by the plugin's configure()
        #: The app's client (its own connection pool; nothing connects before the first session is used).
        self.client = redis.Redis.from_url(settings.redis_url)
        self.prefix = settings.key_prefix

    def load(self, key: str) -> str | None:
        value = self.client.get(self.prefix + key)
        if value is None:
            return None
        return value.decode("utf-8") if isinstance(value, bytes) else str(value)

    def create(self, key: str, data: str, expire_date: datetime, age: int) -> bool:
        return bool(self.client.set(self.prefix + key, data, ex=age, nx=True))

    def update(self, key: str, data: str, expire_date: datetime, age: int) -> bool:
        # XX: only if the key still exists, atomically (a deleted session is not revived).
        return bool(self.client.set(self.prefix + key, data, ex=age, xx=True))

    def delete(self, key: str) -> None:
        self.client.delete(self.prefix + key)

    def close(self) -> None:
        self.client.close()

"""The ``redis`` engine: each session is one Redis string with a TTL.

The server is ``SESSION_REDIS_URL``, else ``REDIS_URL`` (the setting, then the
environment variable). Keys are ``SESSION_KEY_PREFIX`` + id, the prefix
defaulting to ``session:<app name>:`` so two apps sharing a server keep apart.
The value is the session's JSON text, written and read with redis-py
directly: Flask-Session's and cachelib's Redis backends pickle (or msgpack,
with a pickle fallback on read). While the server cannot be reached, every
operation raises :class:`~flaskkit.services.ServiceUnavailable` (a 503).
"""

from __future__ import annotations

import typing as t
from datetime import datetime

import redis

from flaskkit.services import Service
from flaskkit.services import ServiceUnavailable
from flaskkit.services import register_service
from flaskkit.services import safe_url

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
        #: redis-py waits forever by default: a server that stops answering would hang every request.
        self.client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=5, socket_timeout=5)
        self.prefix = settings.key_prefix
        #: The server, as the log and ``/readyz`` name it: a 503 while it cannot be reached.
        self.service = register_service(
            app, Service("Redis", safe_url(settings.redis_url), _setting(app), probe=self.client.ping)
        )

    def load(self, key: str) -> str | None:
        value = self._call(self.client.get, self.prefix + key)
        if value is None:
            return None
        return value.decode("utf-8") if isinstance(value, bytes) else str(value)

    def create(self, key: str, data: str, expire_date: datetime, age: int) -> bool:
        return bool(self._call(self.client.set, self.prefix + key, data, ex=age, nx=True))

    def update(self, key: str, data: str, expire_date: datetime, age: int) -> bool:
        # XX: only if the key still exists, atomically (a deleted session is not revived).
        return bool(self._call(self.client.set, self.prefix + key, data, ex=age, xx=True))

    def delete(self, key: str) -> None:
        self._call(self.client.delete, self.prefix + key)

    def close(self) -> None:
        self.client.close()

    def _call(self, command: t.Callable[..., t.Any], *args: t.Any, **kwargs: t.Any) -> t.Any:
        try:
            result = command(*args, **kwargs)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            self.service.failed(exc)
            raise ServiceUnavailable(self.service) from exc
        self.service.recovered()
        return result


def _setting(app: Flask) -> str:
    if app.config.get("SESSION_REDIS_URL"):
        return "SESSION_REDIS_URL"
    return "REDIS_URL" if app.config.get("REDIS_URL") else "the REDIS_URL environment variable"

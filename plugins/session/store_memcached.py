"""Sessions in memcached, the server of Flask-Session's ``memcached`` backend, with flaskkit's semantics.

::

    SESSION_ENGINE = "flaskkit.plugins.session.store_memcached:MemcachedStore"
    SESSION_MEMCACHED = "cache.internal:11211"      # Flask-Session's setting: "host:port" or a pymemcache client

Flask-Session's ``MemcachedSessionInterface`` is not used: it encodes with msgspec
(a tuple comes back as a list; decoding falls back to ``pickle.loads``), retries a
failed save three times with sleeps, and writes with ``set``, so it cannot refuse an
id that is taken nor leave dead a session another request deleted (django-parity.md
§0.2, §4). This store talks to the same server through pymemcache (the client
Django uses too), with the operations those rules need: ``add`` creates only when
the id is free, ``replace`` updates only a session that still exists; the value is
the session's JSON text. Other clients (pylibmc, python-memcached) are refused:
their ``add``/``replace`` cannot be told apart from a failed write.

Keys are ``SESSION_KEY_PREFIX`` (default ``session:<app name>:``) + id. A session
lives ``SESSION_COOKIE_AGE`` seconds; memcached reads more than 30 days as a date,
which the store handles. While the server cannot be reached, every operation
raises :class:`~flaskkit.services.ServiceUnavailable` (a 503), as with Redis.
"""

from __future__ import annotations

import re
import time
import typing as t
from datetime import datetime

from pymemcache.client.base import Client
from pymemcache.client.base import PooledClient
from pymemcache.client.hash import HashClient
from pymemcache.exceptions import MemcacheUnexpectedCloseError

from flaskkit import ConfigurationError
from flaskkit.services import Service
from flaskkit.services import ServiceUnavailable
from flaskkit.services import register_service

from .store import SessionStore

if t.TYPE_CHECKING:
    from flask import Flask

    from .conf import SessionSettings

__all__ = ["DEFAULT_SERVER", "MemcachedStore"]

#: Flask-Session's default server.
DEFAULT_SERVER = "127.0.0.1:11211"
#: Memcached reads an expiry above this many seconds as a Unix time.
_RELATIVE_LIMIT = 30 * 24 * 3600
_OUTAGE_ERRORS = (OSError, MemcacheUnexpectedCloseError)


class MemcachedStore(SessionStore):
    engine = "memcached"

    def __init__(self, app: Flask, settings: SessionSettings) -> None:
        super().__init__(app, settings)
        value = app.config.get("SESSION_MEMCACHED") or DEFAULT_SERVER
        if isinstance(value, str):
            address = value
            self.client: t.Any = PooledClient(
                _server(value), connect_timeout=5, timeout=5, no_delay=True, default_noreply=False
            )
        elif isinstance(value, Client | PooledClient | HashClient):
            address = repr(getattr(value, "server", None) or "pymemcache client")
            self.client = value
        else:
            raise ConfigurationError(
                f"SESSION_MEMCACHED must be 'host:port' or a pymemcache client, not {value!r}.",
                setting="SESSION_MEMCACHED",
                hint="Write SESSION_MEMCACHED = 'cache.internal:11211' (pylibmc and python-memcached clients "
                "cannot say whether add() and replace() wrote).",
            )
        prefix = settings.key_prefix
        if app.config.get("SESSION_KEY_PREFIX") is None:
            prefix = f"session:{app.name}:"  # as the redis engine: two apps on one server keep apart
        #: Memcached keys have no spaces or control characters.
        self.prefix = re.sub(r"[\s\x00-\x1f\x7f]", "_", prefix)
        self.service = register_service(
            app, Service("memcached", address, "SESSION_MEMCACHED", probe=lambda: self.client.version())
        )

    def load(self, key: str) -> str | None:
        value = self._call(self.client.get, self.prefix + key)
        if value is None:
            return None
        return value.decode("utf-8") if isinstance(value, bytes) else str(value)

    def create(self, key: str, data: str, expire_date: datetime, age: int) -> bool:
        return bool(self._call(self.client.add, self.prefix + key, data.encode(), _expire(age), noreply=False))

    def update(self, key: str, data: str, expire_date: datetime, age: int) -> bool:
        # replace: only if the key still exists (a session deleted meanwhile is not revived).
        return bool(self._call(self.client.replace, self.prefix + key, data.encode(), _expire(age), noreply=False))

    def delete(self, key: str) -> None:
        self._call(self.client.delete, self.prefix + key, noreply=False)

    def close(self) -> None:
        self.client.close()

    def _call(self, command: t.Callable[..., t.Any], *args: t.Any, **kwargs: t.Any) -> t.Any:
        try:
            result = command(*args, **kwargs)
        except _OUTAGE_ERRORS as exc:
            self.service.failed(exc)
            raise ServiceUnavailable(self.service) from exc
        self.service.recovered()
        return result


def _server(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ConfigurationError(
            f"SESSION_MEMCACHED is {value!r}, which is not 'host:port'.",
            setting="SESSION_MEMCACHED",
            hint=f"Write SESSION_MEMCACHED = {DEFAULT_SERVER!r}.",
        )
    return host.strip("[]"), int(port)


def _expire(age: int) -> int:
    return age if age <= _RELATIVE_LIMIT else int(time.time()) + age

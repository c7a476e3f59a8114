"""The built-in backends: cachelib's caches, with the few operations Django's API needs.

Each class here *is* the cachelib cache (``SimpleCache``, ``FileSystemCache``,
``RedisCache``, ``NullCache``; Flask-Caching's backends of the same names are
these classes plus a factory reading ``CACHE_*`` settings), subclassed only where
cachelib's semantics differ from Django's:

- cachelib has no ``touch`` and its ``inc`` *creates* a missing key (Django's
  ``incr`` raises ``ValueError``) and, on the in-process and file caches, resets
  the expiry; here ``incr`` keeps the expiry and raises on a missing key.
- cachelib's serializers swallow pickling errors (a value that cannot be pickled
  is logged and silently stored as ``None``, or as an empty file); here they raise,
  as Django's caches do.
- ``FileSystemCache.delete`` says True for a key that was never there and ``add``
  refuses to overwrite an *expired* file; fixed.
- ``RedisCache.add`` is SETNX then EXPIRE (a crash in between leaves a key that
  never expires), ``clear`` uses the blocking KEYS command, or FLUSHDB (every key
  of every app on that database) when there is no prefix, and ``delete_many``
  makes one round trip per key; here they are one SET NX EX, a SCAN limited to
  this cache's KEY_PREFIX, and one DEL.

Keys arrive already made by the facade (``f"{KEY_PREFIX}:{VERSION}:{key}"``), so
every backend is built with cachelib's own ``key_prefix`` empty. Timeouts arrive
in cachelib's convention: a positive number of seconds, or ``0`` for "never
expires" (the facade has already handled Django's "0 = do not cache").
"""

from __future__ import annotations

import os
import pickle
import struct
import typing as t
from time import time

from cachelib import FileSystemCache
from cachelib import NullCache
from cachelib import RedisCache
from cachelib import SimpleCache
from cachelib.serializers import FileSystemSerializer
from cachelib.serializers import SimpleSerializer

if t.TYPE_CHECKING:
    from .conf import CacheSettings

__all__ = ["DummyBackend", "FileBackend", "LocMemBackend", "MissingKeyError", "RedisBackend", "SupportsDjangoOps"]


@t.runtime_checkable
class SupportsDjangoOps(t.Protocol):
    """The operations the facade uses when a backend has them (all built-in ones do).

    A BACKEND given as the dotted path of any other cachelib cache works too; the
    facade then falls back to ``get`` + ``set`` for these (not atomic).
    """

    def touch(self, key: str, timeout: int) -> bool:
        """Give ``key`` a new timeout (``0``: never expires); False when it does not exist."""
        ...

    def incr(self, key: str, delta: int) -> int:
        """Add ``delta`` to the value of ``key``, keeping its expiry; ``ValueError`` when it does not exist."""
        ...


class MissingKeyError(ValueError):
    """Raised by a backend's ``incr`` for a missing key (the facade re-raises it naming the user's key)."""


def _missing(key: str) -> MissingKeyError:
    return MissingKeyError(f"Key {key!r} not found")


class _StrictPickle:
    """cachelib's serializers log and swallow pickling errors; Django's caches raise them."""

    def dumps(self, value: t.Any, protocol: int = pickle.HIGHEST_PROTOCOL) -> bytes:
        return pickle.dumps(value, protocol)


class _StrictSimpleSerializer(_StrictPickle, SimpleSerializer):
    pass


class _Pickled(t.NamedTuple):
    data: bytes


class _StrictFileSerializer(FileSystemSerializer):
    def dump(self, value: t.Any, f: t.IO[bytes], protocol: int = pickle.HIGHEST_PROTOCOL) -> None:
        f.write(value.data if isinstance(value, _Pickled) else pickle.dumps(value, protocol))


# -- locmem --------------------------------------------------------------------------------------


class LocMemBackend(SimpleCache):
    """``BACKEND = "locmem"``: cachelib's ``SimpleCache`` (per process, thread-safe).

    ``OPTIONS = {"MAX_ENTRIES": 300}`` as Django (cachelib's ``threshold``): past
    it, expired entries go first, then those that expire soonest.
    """

    serializer = _StrictSimpleSerializer()

    @classmethod
    def from_settings(cls, settings: CacheSettings) -> LocMemBackend:
        from .conf import DEFAULT_MAX_ENTRIES

        return cls(threshold=settings.options.get("MAX_ENTRIES", DEFAULT_MAX_ENTRIES), default_timeout=0)

    # ``_cache`` maps key -> (expires, pickled), ``expires`` being 0 for "never"; the
    # lock is cachelib's own RLock, so these two keep its thread-safety.
    def _live(self, key: str) -> tuple[int, bytes] | None:
        entry = self._cache.get(key)
        if entry is None or (entry[0] != 0 and entry[0] <= time()):
            return None
        return t.cast("tuple[int, bytes]", entry)

    def touch(self, key: str, timeout: int) -> bool:
        with self._lock:
            entry = self._live(key)
            if entry is None:
                return False
            self._cache[key] = (self._normalize_timeout(timeout), entry[1])
            return True

    def incr(self, key: str, delta: int) -> int:
        with self._lock:
            entry = self._live(key)
            if entry is None:
                raise _missing(key)
            value = self.serializer.loads(entry[1]) + delta
            self._cache[key] = (entry[0], self.serializer.dumps(value))
            return t.cast(int, value)


# -- file ----------------------------------------------------------------------------------------


class FileBackend(FileSystemCache):
    """``BACKEND = "file"``: cachelib's ``FileSystemCache``, one file per key in ``LOCATION``.

    ``LOCATION`` defaults to ``<instance folder>/cache/<alias>``; the folder is
    created on first use. ``OPTIONS = {"MAX_ENTRIES": 300}`` as Django.
    """

    serializer = _StrictFileSerializer()

    @classmethod
    def from_settings(cls, settings: CacheSettings) -> FileBackend:
        from .conf import DEFAULT_MAX_ENTRIES

        return cls(
            t.cast(str, settings.location),
            threshold=settings.options.get("MAX_ENTRIES", DEFAULT_MAX_ENTRIES),
            default_timeout=0,
        )

    def set(self, key: str, value: t.Any, timeout: t.Any = None, mgmt_element: bool = False) -> bool:
        # Pickle before cachelib opens its temporary file, so that an unpicklable value
        # raises without leaving a half-written file behind.
        pickled = _Pickled(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        if not super().set(key, pickled, timeout, mgmt_element=mgmt_element):
            raise OSError(f"Could not write the cache file for {key!r} in {self._path} (see the log).")
        return True

    def add(self, key: str, value: t.Any, timeout: t.Any = None) -> bool:
        if self.has(key):
            return False
        return self.set(key, value, timeout)

    def delete(self, key: str, mgmt_element: bool = False) -> bool:
        if not os.path.exists(self._get_filename(key)):
            return False
        return super().delete(key, mgmt_element=mgmt_element)

    def _expiry(self, key: str) -> int | None:
        """The stored expiry of ``key`` (0: never), or None when it is missing or expired."""
        try:
            with open(self._get_filename(key), "rb") as f:
                expires = struct.unpack("I", f.read(4))[0]
        except (FileNotFoundError, struct.error):
            return None
        return expires if expires == 0 or expires >= time() else None

    def touch(self, key: str, timeout: int) -> bool:
        # cachelib's file format: a 4-byte expiry timestamp, then the pickle. Rewrite the
        # timestamp in place (one small write, as Django's file cache does).
        if self._expiry(key) is None:
            return False
        try:
            with open(self._get_filename(key), "r+b") as f:
                f.write(struct.pack("I", self._normalize_timeout(timeout)))
        except FileNotFoundError:
            return False
        return True

    def incr(self, key: str, delta: int) -> int:
        expires = self._expiry(key)
        if expires is None:
            raise _missing(key)
        value = self.get(key) + delta
        remaining = 0 if expires == 0 else max(1, expires - int(time()))
        self.set(key, value, remaining)
        return t.cast(int, value)


# -- redis ---------------------------------------------------------------------------------------

#: INCRBY only when the key exists (INCRBY alone would create it), atomically; INCRBY keeps the TTL.
_INCR_EXISTING = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    return redis.call('INCRBY', KEYS[1], ARGV[1])
end
return false
"""


#: Seconds to connect and to wait for an answer, unless ``OPTIONS`` says otherwise.
REDIS_TIMEOUTS: dict[str, float] = {"socket_connect_timeout": 5, "socket_timeout": 5}


def _glob_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)


class RedisBackend(RedisCache):
    """``BACKEND = "redis"``: cachelib's ``RedisCache`` on a redis-py client.

    ``LOCATION`` is a ``redis://`` URL (default: ``REDIS_URL``); ``OPTIONS`` are
    passed to ``redis.Redis.from_url`` (``socket_timeout``, ``health_check_interval``...).
    No connection is made until the first command.
    """

    # cachelib's RedisSerializer already raises on pickling errors, and keeps ints as
    # plain ASCII so that INCRBY works on them.

    def __init__(self, client: t.Any, *, scope: str, default_timeout: int = 0) -> None:
        import redis

        super().__init__(host=client, default_timeout=default_timeout, key_prefix="")
        #: Keys of this cache start with ``scope``; ``clear()`` deletes those and no others.
        self.scope = scope
        self._incr_script = client.register_script(_INCR_EXISTING)
        #: The errors that mean "the server cannot be reached": the facade answers a miss (see facade.py).
        self.outage_errors: tuple[type[BaseException], ...] = (
            redis.exceptions.ConnectionError,
            redis.exceptions.TimeoutError,
        )

    @classmethod
    def from_settings(cls, settings: CacheSettings) -> RedisBackend:
        import redis

        # redis-py waits forever by default: a server that stops answering would hang every request.
        options = {**REDIS_TIMEOUTS, **settings.options}
        client = redis.Redis.from_url(t.cast(str, settings.location), **options)
        return cls(client, scope=f"{settings.key_prefix}:")

    @property
    def client(self) -> t.Any:
        """The redis-py client."""
        return self._write_client

    def add(self, key: str, value: t.Any, timeout: t.Any = None) -> bool:
        seconds = self._normalize_timeout(timeout)
        return bool(
            self._write_client.set(key, self.serializer.dumps(value), nx=True, ex=None if seconds == -1 else seconds)
        )

    def delete_many(self, *keys: str) -> list[t.Any]:
        if keys:
            self._write_client.delete(*keys)
        return list(keys)

    def clear(self) -> bool:
        batch: list[bytes] = []
        for name in self._read_client.scan_iter(match=_glob_escape(self.scope) + "*", count=1000):
            batch.append(name)
            if len(batch) >= 1000:
                self._write_client.delete(*batch)
                batch.clear()
        if batch:
            self._write_client.delete(*batch)
        return True

    def touch(self, key: str, timeout: int) -> bool:
        if timeout == 0:
            pipe = self._write_client.pipeline()
            pipe.exists(key)
            pipe.persist(key)
            exists, _ = pipe.execute()
            return bool(exists)
        return bool(self._write_client.expire(key, timeout))

    def incr(self, key: str, delta: int) -> int:
        import redis

        try:
            value = self._incr_script(keys=[key], args=[delta])
        except redis.exceptions.ResponseError as exc:
            if "not an integer" in str(exc):
                raise TypeError(f"The value of {key!r} is not an integer, it cannot be incremented.") from exc
            raise
        if value is None:
            raise _missing(key)
        return int(value)


# -- dummy ---------------------------------------------------------------------------------------


class DummyBackend(NullCache):
    """``BACKEND = "dummy"``: caches nothing, as Django's DummyCache (for development and tests).

    Every read misses; ``add`` says True, ``delete`` and ``touch`` say False,
    ``incr`` raises ``ValueError``. The deploy check ``cache.W002`` flags it.
    """

    @classmethod
    def from_settings(cls, settings: CacheSettings) -> DummyBackend:
        return cls(default_timeout=0)

    def delete(self, key: str) -> bool:
        return False

    def touch(self, key: str, timeout: int) -> bool:
        return False

    def incr(self, key: str, delta: int) -> int:
        raise _missing(key)

"""The cache object: Django's cache API on top of a cachelib backend.

Flask-Caching's ``Cache`` is not used as the facade, because at 2.5.1 it gets
Django's semantics wrong in ways an app notices (django-parity.md §3):

- it has no ``get_or_set``, ``touch``, ``incr``/``decr`` (only the backend's
  ``inc``, which *creates* a missing key), no versions and no ``incr_version``;
- ``timeout=0`` means "never expires" (Django: "do not cache"), and there is no
  way to say "forever" with ``None`` (it means "the default");
- ``CACHE_KEY_PREFIX`` is applied by the Redis backend but ignored by
  ``SimpleCache``, so the same code writes different keys on different backends,
  and its default prefix is the same for every app sharing a Redis;
- ``get(key, default)`` does not exist and a stored ``None`` reads as a miss.

:class:`Cache` applies the key prefix, the version and the timeout rules itself,
the same way on every backend, and delegates storage to the backend (cachelib's
classes, see ``backends.py``).
"""

from __future__ import annotations

import collections.abc as cabc
import datetime as dt
import functools
import math
import threading
import typing as t

from flaskkit.services import ServiceUnavailable

from .backends import MissingKeyError
from .backends import SupportsDjangoOps

if t.TYPE_CHECKING:
    from cachelib import BaseCache

    from flaskkit.services import Service

    from .conf import CacheSettings

__all__ = ["DEFAULT_TIMEOUT", "Cache"]


class _DefaultTimeout:
    def __repr__(self) -> str:
        return "DEFAULT_TIMEOUT"


#: The default of every ``timeout`` argument: the alias's ``TIMEOUT`` (Django's ``DEFAULT_TIMEOUT``).
DEFAULT_TIMEOUT: t.Any = _DefaultTimeout()

#: A timeout: seconds (int, float or timedelta), ``None`` for forever, ``DEFAULT_TIMEOUT``.
Timeout = int | float | dt.timedelta | None

_MISSING = object()
#: What :meth:`Cache._backend_timeout` returns for "do not cache" (a timeout <= 0).
_DO_NOT_CACHE = -1


_M = t.TypeVar("_M", bound=t.Callable[..., t.Any])


def _degrades(miss: t.Callable[..., t.Any]) -> t.Callable[[_M], _M]:
    """When the backend's server cannot be reached, answer ``miss(*args)`` instead (a cache miss), or raise
    :class:`~flaskkit.services.ServiceUnavailable` from a :attr:`Cache.strict` cache; the outage is logged once."""

    def decorator(method: _M) -> _M:
        @functools.wraps(method)
        def degrading(self: Cache, *args: t.Any, **kwargs: t.Any) -> t.Any:
            try:
                result = method(self, *args, **kwargs)
            except Exception as exc:
                if not isinstance(exc, self._outage_errors()):
                    raise
                self._unreachable(exc)
                return miss(*args, **kwargs)
            if self.service is not None:
                self.service.recovered()
            return result

        return t.cast(_M, degrading)

    return decorator


def _missing(key: object, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
    raise ValueError(f"Key {key!r} not found in the cache (the cache cannot be reached).")


class Cache:
    """One alias of ``CACHES`` for one app, with Django's cache API.

    Get it as ``caches["alias"]`` (or ``cache`` for ``"default"``)::

        from flaskkit.plugins.cache import cache

        cache.set("greeting", "hello", timeout=60)
        cache.get("greeting")                         # "hello"
        cache.get_or_set("answer", compute, timeout=None)

    Every method takes ``version=`` (default: the alias's ``VERSION``). The key
    stored in the backend is ``f"{KEY_PREFIX}:{VERSION}:{key}"``. Timeouts are in
    seconds: ``None`` keeps the value forever, ``0`` (or less) does not cache it,
    and leaving it out uses the alias's ``TIMEOUT``.

    When the cache's server cannot be reached (Redis stopped), a read is a miss
    and a write does nothing, as if the value had expired: a page that reads the
    cache keeps working. The outage is logged once (and its end). Code that must
    not go on without the cache uses :attr:`strict`, which raises
    :class:`~flaskkit.services.ServiceUnavailable` (a 503) instead.
    """

    #: The server behind the alias (``None`` for an in-process or file cache): what the log names.
    service: Service | None = None
    #: Raise :class:`~flaskkit.services.ServiceUnavailable` instead of answering a miss.
    _raises = False
    _origin: Cache | None = None

    def __init__(self, settings: CacheSettings) -> None:
        #: The alias in ``CACHES``.
        self.alias = settings.alias
        #: The validated settings of the alias.
        self.settings = settings
        #: The ``KEY_PREFIX`` (set, or derived for this app).
        self.key_prefix = settings.key_prefix
        #: The default ``version`` of every method.
        self.version = settings.version
        #: The alias's ``TIMEOUT`` in seconds (``None``: forever).
        self.default_timeout = settings.timeout
        self._backend: BaseCache | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<Cache {self.alias!r} {self.settings.backend}>"

    # -- the backend --------------------------------------------------------------------------

    @property
    def backend(self) -> BaseCache:
        """The cachelib cache underneath, created on first use (no connection at boot).

        Keys given to it directly are *not* prefixed; use :meth:`make_key`.
        """
        if self._origin is not None:
            return self._origin.backend
        backend = self._backend
        if backend is None:
            with self._lock:
                if self._backend is None:
                    cls = self.settings.backend_class
                    factory = getattr(cls, "from_settings", None)
                    self._backend = factory(self.settings) if factory else cls(**self.settings.options)
                backend = self._backend
        return backend

    @functools.cached_property
    def strict(self) -> Cache:
        """This cache, raising :class:`~flaskkit.services.ServiceUnavailable` when its server cannot be reached.

        For what cannot be skipped (the cache session engine, the login throttle's counts)::

            caches["default"].strict.incr("attempts")      # a 503 while Redis is down
        """
        strict = Cache(self.settings)
        strict.service = self.service
        strict._raises = True
        strict._origin = self
        return strict

    def _outage_errors(self) -> tuple[type[BaseException], ...]:
        return t.cast("tuple[type[BaseException], ...]", getattr(self.backend, "outage_errors", ()))

    def _unreachable(self, exc: BaseException) -> None:
        if self.service is not None:
            self.service.failed(exc)
        if self._raises:
            raise ServiceUnavailable(self.service) from exc

    def make_key(self, key: object, version: int | None = None) -> str:
        """The key stored in the backend: ``f"{KEY_PREFIX}:{VERSION}:{key}"`` (as Django)."""
        return f"{self.key_prefix}:{self.version if version is None else version}:{key}"

    def get_backend_timeout(self, timeout: t.Any = DEFAULT_TIMEOUT) -> int | None:
        """The timeout in seconds for ``timeout`` (``None``: forever, ``0``: not cached)."""
        seconds = self._backend_timeout(timeout)
        if seconds == _DO_NOT_CACHE:
            return 0
        return None if seconds == 0 else seconds

    def _backend_timeout(self, timeout: t.Any) -> int:
        """cachelib's convention: seconds > 0, ``0`` for forever; ``_DO_NOT_CACHE`` for <= 0."""
        if timeout is DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        if timeout is None:
            return 0
        if isinstance(timeout, dt.timedelta):
            timeout = timeout.total_seconds()
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or math.isnan(timeout):
            raise TypeError(f"A cache timeout is a number of seconds, a timedelta or None (forever), not {timeout!r}.")
        if timeout <= 0:
            return _DO_NOT_CACHE
        if math.isinf(timeout):
            return 0
        return math.ceil(timeout)

    # -- reading ------------------------------------------------------------------------------

    @_degrades(lambda key, default=None, version=None: default)
    def get(self, key: object, default: t.Any = None, version: int | None = None) -> t.Any:
        """The value of ``key``, or ``default`` when it is missing or expired."""
        made = self.make_key(key, version)
        value = self.backend.get(made)
        if value is None and default is not None and not self._has(made):
            return default
        return value

    @_degrades(lambda *args, **kwargs: {})
    def get_many(self, keys: cabc.Iterable[object], version: int | None = None) -> dict[t.Any, t.Any]:
        """``{key: value}`` for the keys that are in the cache (missing ones are left out)."""
        made = {self.make_key(key, version): key for key in keys}
        if not made:
            return {}
        values = self.backend.get_many(*made)
        found = {}
        for (made_key, key), value in zip(made.items(), values, strict=True):
            if value is not None or self._has(made_key):
                found[key] = value
        return found

    @_degrades(lambda *args, **kwargs: False)
    def has_key(self, key: object, version: int | None = None) -> bool:
        """Whether ``key`` is in the cache (and not expired)."""
        return self._has(self.make_key(key, version))

    def __contains__(self, key: object) -> bool:
        return self.has_key(key)

    def _has(self, made: str) -> bool:
        try:
            return bool(self.backend.has(made))
        except NotImplementedError:  # a cachelib class without an efficient ``has``
            return self.backend.get(made) is not None

    # -- writing ------------------------------------------------------------------------------

    @_degrades(lambda *args, **kwargs: None)
    def set(self, key: object, value: t.Any, timeout: t.Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        """Store ``value`` under ``key``; ``timeout=0`` deletes it instead (Django: "do not cache")."""
        made = self.make_key(key, version)
        seconds = self._backend_timeout(timeout)
        if seconds == _DO_NOT_CACHE:
            self.backend.delete(made)
            return
        self.backend.set(made, value, seconds)

    @_degrades(lambda *args, **kwargs: False)
    def add(self, key: object, value: t.Any, timeout: t.Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        """Store ``value`` only if ``key`` is not in the cache; True when it was stored.

        With ``timeout=0`` nothing is stored; the result still says whether the key was free.
        """
        made = self.make_key(key, version)
        seconds = self._backend_timeout(timeout)
        if seconds == _DO_NOT_CACHE:
            return not self._has(made)
        return bool(self.backend.add(made, value, seconds))

    def get_or_set(
        self,
        key: object,
        default: t.Any,
        timeout: t.Any = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> t.Any:
        """The value of ``key``; when missing, store ``default`` (called first if callable) and return it.

        If another process stored a value in the meantime, that value is returned.
        """
        value = self.get(key, _MISSING, version=version)
        if value is _MISSING:
            if callable(default):
                default = default()
            self.add(key, default, timeout=timeout, version=version)
            # Read again: another caller may have added a value between get() and add().
            return self.get(key, default, version=version)
        return value

    @_degrades(lambda data, *args, **kwargs: list(data))
    def set_many(
        self, data: cabc.Mapping[t.Any, t.Any], timeout: t.Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[t.Any]:
        """Store every item of ``data``; return the keys that could not be stored (Django's contract)."""
        made = {self.make_key(key, version): key for key in data}
        if not made:
            return []
        seconds = self._backend_timeout(timeout)
        if seconds == _DO_NOT_CACHE:
            self.backend.delete_many(*made)
            return []
        stored = set(self.backend.set_many({m: data[k] for m, k in made.items()}, seconds))
        return [key for m, key in made.items() if m not in stored]

    @_degrades(lambda *args, **kwargs: False)
    def touch(self, key: object, timeout: t.Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        """Give ``key`` a new timeout; False when the key is not in the cache."""
        made = self.make_key(key, version)
        seconds = self._backend_timeout(timeout)
        backend = self.backend
        if seconds == _DO_NOT_CACHE:
            existed = self._has(made)
            backend.delete(made)
            return existed
        if isinstance(backend, SupportsDjangoOps):
            return backend.touch(made, seconds)
        value = backend.get(made)
        if value is None and not self._has(made):
            return False
        return bool(backend.set(made, value, seconds))

    @_degrades(_missing)
    def incr(self, key: object, delta: int = 1, version: int | None = None) -> int:
        """Add ``delta`` to the value of ``key`` and return it; ``ValueError`` when the key is missing.

        Atomic on Redis; the value keeps its expiry on every built-in backend.
        """
        made = self.make_key(key, version)
        backend = self.backend
        try:
            if isinstance(backend, SupportsDjangoOps):
                return backend.incr(made, delta)
            value = backend.get(made)
            if value is None and not self._has(made):
                raise MissingKeyError(made)
        except MissingKeyError:
            raise ValueError(f"Key {key!r} not found in the cache {self.alias!r}.") from None
        # A cachelib class without flaskkit's operations: not atomic, and the value gets
        # the default timeout (Django's BaseCache.incr does the same).
        value += delta
        self.set(key, value, version=version)
        return t.cast(int, value)

    def decr(self, key: object, delta: int = 1, version: int | None = None) -> int:
        """Subtract ``delta`` from the value of ``key``; ``ValueError`` when the key is missing."""
        return self.incr(key, -delta, version=version)

    @_degrades(lambda *args, **kwargs: False)
    def delete(self, key: object, version: int | None = None) -> bool:
        """Delete ``key``; True when it was in the cache."""
        return bool(self.backend.delete(self.make_key(key, version)))

    @_degrades(lambda *args, **kwargs: None)
    def delete_many(self, keys: cabc.Iterable[object], version: int | None = None) -> None:
        """Delete every key of ``keys``."""
        made = [self.make_key(key, version) for key in keys]
        if made:
            self.backend.delete_many(*made)

    @_degrades(lambda *args, **kwargs: None)
    def clear(self) -> None:
        """Delete everything in this cache.

        On Redis only the keys under this alias's ``KEY_PREFIX`` go (Django flushes
        the whole Redis database, other apps' keys included). A file cache empties
        its folder, a locmem cache its store.
        """
        self.backend.clear()

    # -- versions -----------------------------------------------------------------------------

    def incr_version(self, key: object, delta: int = 1, version: int | None = None) -> int:
        """Move ``key`` from ``version`` to ``version + delta`` and return the new version.

        ``ValueError`` when the key is missing. The value gets the default timeout (as Django).
        """
        if version is None:
            version = self.version
        value = self.get(key, _MISSING, version=version)
        if value is _MISSING:
            raise ValueError(f"Key {key!r} not found in the cache {self.alias!r}.")
        self.set(key, value, version=version + delta)
        self.delete(key, version=version)
        return version + delta

    def decr_version(self, key: object, delta: int = 1, version: int | None = None) -> int:
        """Move ``key`` to ``version - delta``; ``ValueError`` when the key is missing."""
        return self.incr_version(key, -delta, version=version)

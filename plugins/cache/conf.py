"""Reading and validating the ``CACHES`` setting.

Everything here runs at boot (the plugin's ``configure`` phase) and fails with a
:class:`~flaskkit.ConfigurationError` that names the exact entry at fault. Nothing
connects to a server and nothing is written: a Redis URL is only parsed.
"""

from __future__ import annotations

import collections.abc as cabc
import datetime as dt
import hashlib
import importlib.util
import math
import os
import re
import typing as t
import urllib.parse
from dataclasses import dataclass
from dataclasses import field

from werkzeug.utils import ImportStringError
from werkzeug.utils import import_string

from flaskkit import ConfigurationError
from flaskkit._pip import pip_install
from flaskkit._text import did_you_mean
from flaskkit._text import quoted_list

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = [
    "BUILTIN_BACKENDS",
    "DEFAULT_ALIAS",
    "FRAGMENT_ALIAS",
    "CacheSettings",
    "default_key_prefix",
    "parse_caches",
]

#: The alias ``cache``, ``cache_page`` and the ``{% cache %}`` tag use by default.
DEFAULT_ALIAS = "default"

#: The alias the ``{% cache %}`` tag uses when it exists (as Django does), else :data:`DEFAULT_ALIAS`.
FRAGMENT_ALIAS = "template_fragments"

#: The friendly backend names and the flaskkit class each one builds (see ``backends.py``).
BUILTIN_BACKENDS: dict[str, str] = {
    "locmem": "flaskkit.plugins.cache.backends:LocMemBackend",
    "file": "flaskkit.plugins.cache.backends:FileBackend",
    "redis": "flaskkit.plugins.cache.backends:RedisBackend",
    "dummy": "flaskkit.plugins.cache.backends:DummyBackend",
}

#: Names people bring from Django, from Flask-Caching's ``CACHE_TYPE`` (whose
#: lower-case spellings 2.5 removed) or from habit -> the backend they mean.
_KNOWN_SPELLINGS: dict[str, str] = {
    "simple": "locmem",
    "simplecache": "locmem",
    "locmemcache": "locmem",
    "memory": "locmem",
    "filesystem": "file",
    "filesystemcache": "file",
    "filebasedcache": "file",
    "filebased": "file",
    "null": "dummy",
    "nullcache": "dummy",
    "dummycache": "dummy",
    "none": "dummy",
    "rediscache": "redis",
}

_ALIAS_KEYS = ("BACKEND", "LOCATION", "TIMEOUT", "KEY_PREFIX", "VERSION", "OPTIONS")
#: The OPTIONS the in-process and file backends understand (Redis passes its OPTIONS to redis-py).
_SIZE_OPTIONS = ("MAX_ENTRIES",)
#: Django's default MAX_ENTRIES for the locmem and file caches.
DEFAULT_MAX_ENTRIES = 300
DEFAULT_TIMEOUT_SECONDS = 300
_REDIS_SCHEMES = ("redis", "rediss", "unix")
_BACKEND_CHOICES = "'locmem', 'file', 'redis', 'dummy', or the dotted path of a cachelib BaseCache subclass"


@dataclass(frozen=True)
class CacheSettings:
    """One alias of ``CACHES``, validated and with its defaults filled in."""

    alias: str
    #: ``BACKEND`` as written (a friendly name or a dotted path).
    backend: str
    #: The class it resolves to: one of ``backends.py``'s, or the user's cachelib class.
    backend_class: type
    #: The resolved location: a directory for ``file``, a URL for ``redis``, a store
    #: name for ``locmem`` (``None``: a store of its own), ``None`` otherwise.
    location: str | None
    #: Seconds; ``None`` keeps values forever, ``0`` caches nothing.
    timeout: int | None
    key_prefix: str
    #: Whether ``key_prefix`` was derived by flaskkit (not set in ``CACHES``).
    derived_prefix: bool
    version: int
    options: dict[str, t.Any] = field(default_factory=dict)

    @property
    def builtin(self) -> str | None:
        """The friendly name when the backend is a built-in one, else ``None``."""
        return self.backend if self.backend in BUILTIN_BACKENDS else None


def parse_caches(app: Flask) -> dict[str, CacheSettings]:
    """Validate ``app.config["CACHES"]`` and return alias -> settings."""
    caches = app.config.get("CACHES")
    if not isinstance(caches, cabc.Mapping):
        raise ConfigurationError(
            f"CACHES must be a dict of alias -> cache settings, not {type(caches).__name__} {caches!r}.",
            setting="CACHES",
            hint="Write CACHES = {'default': {'BACKEND': 'locmem'}} (or 'file', 'redis', 'dummy').",
        )
    if DEFAULT_ALIAS not in caches:
        aliases = [a for a in caches if isinstance(a, str)]
        close = did_you_mean(DEFAULT_ALIAS, aliases)
        raise ConfigurationError(
            f"CACHES has no 'default' alias (it has {quoted_list(aliases)}); `cache`, cache_page and the "
            f"{{% cache %}} tag use it.{close}",
            setting="CACHES",
            hint="Add CACHES['default'] = {'BACKEND': 'locmem'} (or 'file', 'redis', 'dummy').",
        )
    parsed: dict[str, CacheSettings] = {}
    for alias, entry in caches.items():
        if not isinstance(alias, str) or not alias:
            raise ConfigurationError(
                f"CACHES has the alias {alias!r}; aliases must be non-empty strings.",
                setting="CACHES",
            )
        parsed[alias] = _parse_alias(app, alias, entry)
    return parsed


def _parse_alias(app: Flask, alias: str, entry: object) -> CacheSettings:
    where = f"CACHES[{alias!r}]"
    if not isinstance(entry, cabc.Mapping):
        raise ConfigurationError(
            f"{where} must be a dict of settings, not {type(entry).__name__} {entry!r}.",
            setting="CACHES",
            hint=f"Write {where} = {{'BACKEND': 'locmem'}}.",
        )
    for key in entry:
        if key not in _ALIAS_KEYS:
            if key == "KEY_FUNCTION":
                raise ConfigurationError(
                    f"{where} sets KEY_FUNCTION, which flaskkit does not support: every backend uses the key "
                    "f'{KEY_PREFIX}:{VERSION}:{key}'.",
                    setting="CACHES",
                    hint="Remove KEY_FUNCTION; set KEY_PREFIX and VERSION instead.",
                )
            raise ConfigurationError(
                f"{where} has the unknown key {key!r}.{did_you_mean(str(key), _ALIAS_KEYS)}",
                setting="CACHES",
                hint=f"The keys of a cache are {', '.join(_ALIAS_KEYS)}.",
            )

    backend, backend_class = _backend(where, entry.get("BACKEND"))
    timeout = _timeout(where, entry.get("TIMEOUT", DEFAULT_TIMEOUT_SECONDS))
    version = entry.get("VERSION", 1)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ConfigurationError(
            f"{where}['VERSION'] must be an int, not {type(version).__name__} {version!r}.",
            setting="CACHES",
            hint="Leave it out (it defaults to 1) or write 'VERSION': 2.",
        )
    key_prefix = entry.get("KEY_PREFIX")
    derived = key_prefix is None
    if derived:
        key_prefix = default_key_prefix(app, alias)
    elif not isinstance(key_prefix, str):
        raise ConfigurationError(
            f"{where}['KEY_PREFIX'] must be a string, not {type(key_prefix).__name__} {key_prefix!r}.",
            setting="CACHES",
            hint="Leave it out for a prefix unique to this app, or write 'KEY_PREFIX': 'mysite'.",
        )
    options = entry.get("OPTIONS", {})
    if not isinstance(options, cabc.Mapping) or not all(isinstance(k, str) for k in options):
        raise ConfigurationError(
            f"{where}['OPTIONS'] must be a dict with string keys, not {type(options).__name__} {options!r}.",
            setting="CACHES",
        )
    options = dict(options)
    location = entry.get("LOCATION")
    if location is not None and not isinstance(location, str | os.PathLike):
        raise ConfigurationError(
            f"{where}['LOCATION'] must be a string, not {type(location).__name__} {location!r}.",
            setting="CACHES",
        )

    if backend == "file":
        location = _file_location(app, alias, location)
        _size_options(where, options)
    elif backend == "locmem":
        location = os.fspath(location) if location else None
        _size_options(where, options)
    elif backend == "redis":
        location = _redis_location(app, where, location)
    elif backend == "dummy":
        location = None
    elif location is not None:
        raise ConfigurationError(
            f"{where}['LOCATION'] is only read by the built-in backends; {backend} takes its own arguments.",
            setting="CACHES",
            hint=f"Pass the arguments of {backend_class.__name__}() in {where}['OPTIONS'].",
        )
    return CacheSettings(
        alias=alias,
        backend=backend,
        backend_class=backend_class,
        location=t.cast("str | None", location),
        timeout=timeout,
        key_prefix=t.cast(str, key_prefix),
        derived_prefix=derived,
        version=version,
        options=options,
    )


def default_key_prefix(app: Flask, alias: str) -> str:
    """The KEY_PREFIX of an alias that sets none: unique to the app and the alias.

    Two apps sharing one Redis must never read each other's values (they are
    pickled, and a cached page of one app served by the other is a leak), and
    ``clear()`` on one alias must not empty another. So the prefix holds the app's
    import name, a digest of its instance folder (two checkouts of one project,
    e.g. staging and production, differ there) and the alias.
    """
    digest = hashlib.sha256(os.path.abspath(app.instance_path).encode()).hexdigest()[:8]
    return f"{app.import_name}-{digest}-{alias}"


def _backend(where: str, value: object) -> tuple[str, type]:
    if value is None:
        raise ConfigurationError(
            f"{where} has no BACKEND.",
            setting="CACHES",
            hint=f"Add 'BACKEND': 'locmem' (choices: {_BACKEND_CHOICES}).",
        )
    if not isinstance(value, str) or not value:
        raise ConfigurationError(
            f"{where}['BACKEND'] must be a string, not {type(value).__name__} {value!r}.",
            setting="CACHES",
            hint=f"Use {_BACKEND_CHOICES}.",
        )
    if value in BUILTIN_BACKENDS:
        return value, import_string(BUILTIN_BACKENDS[value])
    dotted = "." in value or ":" in value
    if not dotted or value.startswith("django."):
        last = value.rpartition(".")[2].lower()
        meant = _KNOWN_SPELLINGS.get(last) or (last if last in BUILTIN_BACKENDS else None)
        close = f" Did you mean {meant!r}?" if meant else did_you_mean(value, BUILTIN_BACKENDS)
        what = "Django's backend, which flaskkit cannot use" if dotted else "which is not a cache backend"
        hint = f"Use {_BACKEND_CHOICES}."
        if "memcache" in value.lower():
            hint = (
                "flaskkit has no built-in memcached backend (Flask-Caching's needs python-memcached or pylibmc): "
                "use 'redis', or the dotted path 'flask_caching.backends.MemcachedCache' with its arguments in "
                "OPTIONS."
            )
        raise ConfigurationError(
            f"{where}['BACKEND'] is {value!r}, {what}.{close}",
            setting="CACHES",
            hint=hint,
        )
    from cachelib import BaseCache

    try:
        cls = import_string(value.replace(":", "."))
    except ImportStringError as exc:
        raise ConfigurationError(
            f"{where}['BACKEND'] is {value!r}, which cannot be imported: {exc.exception}",
            setting="CACHES",
            hint=f"Use {_BACKEND_CHOICES}.",
        ) from exc
    if not (isinstance(cls, type) and issubclass(cls, BaseCache)):
        raise ConfigurationError(
            f"{where}['BACKEND'] is {value!r}, which is not a cachelib BaseCache subclass.",
            setting="CACHES",
            hint=f"Use {_BACKEND_CHOICES}.",
        )
    return value, cls


def _timeout(where: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or math.isnan(value):
        raise ConfigurationError(
            f"{where}['TIMEOUT'] must be a number of seconds >= 0 or None (keep forever), "
            f"not {type(value).__name__} {value!r}.",
            setting="CACHES",
            hint="Leave it out for 300 seconds, or write 'TIMEOUT': 600.",
        )
    if math.isinf(value):
        return None
    return math.ceil(value)


def _size_options(where: str, options: dict[str, t.Any]) -> None:
    for key, value in options.items():
        if key not in _SIZE_OPTIONS:
            raise ConfigurationError(
                f"{where}['OPTIONS'] has the unknown option {key!r}.{did_you_mean(key, _SIZE_OPTIONS)}",
                setting="CACHES",
                hint="This backend understands OPTIONS = {'MAX_ENTRIES': 300}.",
            )
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigurationError(
                f"{where}['OPTIONS']['{key}'] must be a positive int, not {value!r}.",
                setting="CACHES",
            )


def _file_location(app: Flask, alias: str, location: str | os.PathLike[str] | None) -> str:
    if not location:
        return os.path.join(app.instance_path, "cache", alias)
    path = os.path.expanduser(os.fspath(location))
    if not os.path.isabs(path):
        path = os.path.join(app.instance_path, path)
    return os.path.normpath(path)


def _redis_location(app: Flask, where: str, location: str | os.PathLike[str] | None) -> str:
    if importlib.util.find_spec("redis") is None:
        raise ConfigurationError(
            f"{where} uses the redis backend, but the redis package is not installed.",
            setting="CACHES",
            hint=f"Install it with: {pip_install('flaskkit', ['redis'])}",
        )
    source = f"{where}['LOCATION']"
    url = os.fspath(location) if location else None
    if not url:
        url, source = app.config.get("REDIS_URL"), "REDIS_URL"
        if not url:
            url, source = os.environ.get("REDIS_URL"), "the REDIS_URL environment variable"
    if not url:
        raise ConfigurationError(
            f"{where} uses the redis backend but has no LOCATION, and REDIS_URL is not set "
            "(neither as a setting nor as an environment variable).",
            setting="REDIS_URL",
            hint=f"Set REDIS_URL = 'redis://localhost:6379/0', or give {where}['LOCATION'].",
        )
    if not isinstance(url, str):
        raise ConfigurationError(
            f"{source} must be a redis:// URL string, not {type(url).__name__} {url!r}.",
            setting="REDIS_URL" if source == "REDIS_URL" else "CACHES",
        )
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in _REDIS_SCHEMES:
        example = re.sub(r"^[a-z0-9+.-]*://", "redis://", url) if "://" in url else f"redis://{url}"
        raise ConfigurationError(
            f"{source} is {url!r}, which is not a Redis URL (it must start with redis://, rediss:// or unix://).",
            setting="REDIS_URL" if source == "REDIS_URL" else "CACHES",
            hint=f"Did you mean {example!r}?",
        )
    return url

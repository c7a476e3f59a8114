"""The session plugin's settings: defaults, validation, and what they mean once resolved.

Everything here runs in the configure phase, once per app, so a wrong value
stops the app at boot with a :class:`~flaskkit.ConfigurationError` instead of
failing on the first request.
"""

from __future__ import annotations

import difflib
import os
import typing as t
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask

from flaskkit import ConfigurationError

__all__ = ["DEFAULTS", "ENGINES", "SessionSettings", "read_settings", "redis_url"]

#: The values of ``SESSION_ENGINE``.
ENGINES = ("cookie", "file", "cache", "redis", "db")

#: Django's default session lifetime: two weeks, in seconds.
DEFAULT_COOKIE_AGE = 1_209_600

#: The plugin's settings and their defaults (applied with ``setdefault``).
DEFAULTS: dict[str, t.Any] = {
    #: Where sessions live: one of :data:`ENGINES`, or "module:Class" of a SessionStore.
    "SESSION_ENGINE": "file",
    #: Lifetime of a session, in seconds (Django's name; PERMANENT_SESSION_LIFETIME follows it).
    "SESSION_COOKIE_AGE": DEFAULT_COOKIE_AGE,
    #: End sessions when the browser closes (no Expires/Max-Age on the cookie).
    "SESSION_EXPIRE_AT_BROWSER_CLOSE": False,
    #: Write the session and re-send its cookie on every request, not only when it changed.
    "SESSION_SAVE_EVERY_REQUEST": False,
    #: The folder of the file engine; None means "<instance folder>/sessions".
    "SESSION_FILE_PATH": None,
    #: The cache alias (in CACHES) of the cache engine.
    "SESSION_CACHE_ALIAS": "default",
    #: The Redis server of the redis engine; None means REDIS_URL (setting, then environment variable).
    "SESSION_REDIS_URL": None,
    #: The shared Redis address of the whole kit (also read by the cache plugin).
    "REDIS_URL": None,
    #: Prefix of the redis and cache engines' keys; None means "session:<app name>:" (redis), "session:" (cache).
    "SESSION_KEY_PREFIX": None,
    # Flask already defines these two (its SameSite default is None, which we read as "not set", see below);
    # listed so that `flask kit check` knows them as the session plugin's settings.
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
}

#: Names a user may bring from Django or Flask-Session, and what flaskkit calls them.
ENGINE_ALIASES = {
    "signed_cookies": "cookie",
    "cookies": "cookie",
    "securecookie": "cookie",
    "filesystem": "file",
    "cachelib": "cache",
    "cached_db": "db",
    "sqlalchemy": "db",
    "database": "db",
}

_SAMESITE_VALUES = ("Lax", "Strict", "None")


@dataclass(frozen=True)
class SessionSettings:
    """The session settings of one app, validated."""

    #: One of :data:`ENGINES`, or the "module:Class" path of a custom store.
    engine: str
    #: Lifetime in seconds of a session without its own expiry.
    cookie_age: int
    expire_at_browser_close: bool
    save_every_request: bool
    #: Absolute folder of the file engine.
    file_path: str
    cache_alias: str
    #: Resolved Redis URL (redis engine only).
    redis_url: str | None
    #: Prefix of the keys in Redis or in the cache.
    key_prefix: str


def read_settings(app: Flask) -> SessionSettings:
    """Validate the session settings of ``app`` and return them resolved.

    Also aligns Flask's own settings with Django's ones, so code that reads
    Flask's names sees the same policy: ``PERMANENT_SESSION_LIFETIME`` follows
    ``SESSION_COOKIE_AGE``, ``SESSION_REFRESH_EACH_REQUEST`` follows
    ``SESSION_SAVE_EVERY_REQUEST`` and ``SESSION_COOKIE_SAMESITE`` becomes
    ``"Lax"`` when it is Flask's ``None``.
    """
    config = app.config
    engine = _engine(config.get("SESSION_ENGINE"))
    cookie_age = _cookie_age(app)
    expire_at_browser_close = _flag(config, "SESSION_EXPIRE_AT_BROWSER_CLOSE")
    save_every_request = _flag(config, "SESSION_SAVE_EVERY_REQUEST")
    config["SESSION_REFRESH_EACH_REQUEST"] = save_every_request
    _samesite(config)
    if not isinstance(config.get("SESSION_COOKIE_HTTPONLY"), bool):
        raise ConfigurationError(
            f"SESSION_COOKIE_HTTPONLY must be True or False, not {config.get('SESSION_COOKIE_HTTPONLY')!r}.",
            setting="SESSION_COOKIE_HTTPONLY",
        )

    file_path = config.get("SESSION_FILE_PATH")
    if file_path is None:
        file_path = os.path.join(app.instance_path, "sessions")
    elif not isinstance(file_path, str | os.PathLike) or not os.fspath(file_path):
        raise ConfigurationError(
            f"SESSION_FILE_PATH must be a folder path (a string), not {file_path!r}.",
            setting="SESSION_FILE_PATH",
            hint="Leave it unset to keep sessions in the 'sessions' folder of the app's instance folder.",
        )
    file_path = os.path.abspath(os.fspath(file_path))

    alias = config.get("SESSION_CACHE_ALIAS")
    if not isinstance(alias, str) or not alias:
        raise ConfigurationError(
            f"SESSION_CACHE_ALIAS must be the name of a cache in CACHES, not {alias!r}.",
            setting="SESSION_CACHE_ALIAS",
            hint="Write SESSION_CACHE_ALIAS = 'default', or the alias of another entry of CACHES.",
        )

    prefix = config.get("SESSION_KEY_PREFIX")
    if prefix is not None and not isinstance(prefix, str):
        raise ConfigurationError(f"SESSION_KEY_PREFIX must be a string, not {prefix!r}.", setting="SESSION_KEY_PREFIX")
    if prefix is None:
        prefix = f"session:{app.name}:" if engine == "redis" else "session:"

    return SessionSettings(
        engine=engine,
        cookie_age=cookie_age,
        expire_at_browser_close=expire_at_browser_close,
        save_every_request=save_every_request,
        file_path=file_path,
        cache_alias=alias,
        redis_url=redis_url(app) if engine == "redis" else None,
        key_prefix=prefix,
    )


def redis_url(app: Flask) -> str | None:
    """``SESSION_REDIS_URL``, else the ``REDIS_URL`` setting, else the ``REDIS_URL`` environment variable."""
    for value in (app.config.get("SESSION_REDIS_URL"), app.config.get("REDIS_URL"), os.environ.get("REDIS_URL")):
        if value:
            if not isinstance(value, str):
                raise ConfigurationError(
                    f"The Redis URL of the session engine must be a string, not {value!r}.",
                    setting="SESSION_REDIS_URL",
                )
            return value
    return None


def _engine(value: object) -> str:
    if isinstance(value, str) and (value in ENGINES or ":" in value):
        return value
    if isinstance(value, str):
        word = value.strip().lower().rpartition(".")[2]  # "django.contrib.sessions.backends.db" -> "db"
        if word in ENGINES:
            suggestion = word
        elif word in ENGINE_ALIASES:
            suggestion = ENGINE_ALIASES[word]
        else:
            close = difflib.get_close_matches(word, ENGINES, n=1, cutoff=0.6)
            suggestion = close[0] if close else None
        hint = f"Did you mean {suggestion!r}? " if suggestion else ""
    else:
        hint = ""
    raise ConfigurationError(
        f"SESSION_ENGINE must be one of {', '.join(map(repr, ENGINES))} (or 'module:Class' of a SessionStore), "
        f"not {value!r}.",
        setting="SESSION_ENGINE",
        hint=f"{hint}'file' keeps sessions in the instance folder and needs no server.",
    )


def _flag(config: t.Mapping[str, t.Any], name: str) -> bool:
    value = config.get(name)
    if not isinstance(value, bool):
        raise ConfigurationError(f"{name} must be True or False, not {value!r}.", setting=name)
    return value


def _seconds(value: object) -> int | None:
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _cookie_age(app: Flask) -> int:
    """``SESSION_COOKIE_AGE`` in seconds, reconciled with Flask's ``PERMANENT_SESSION_LIFETIME``.

    Setting either one works; setting both to different values is an error.
    """
    config = app.config
    age = config.get("SESSION_COOKIE_AGE")
    if isinstance(age, timedelta):
        age = int(age.total_seconds())
    if not isinstance(age, int) or isinstance(age, bool) or age <= 0:
        raise ConfigurationError(
            f"SESSION_COOKIE_AGE must be a number of seconds greater than 0, not {age!r}.",
            setting="SESSION_COOKIE_AGE",
            hint="The default is 1209600 (two weeks), as in Django.",
        )
    lifetime = _seconds(config.get("PERMANENT_SESSION_LIFETIME"))
    if lifetime is None or lifetime <= 0:
        raise ConfigurationError(
            "PERMANENT_SESSION_LIFETIME must be a timedelta or a number of seconds greater than 0, "
            f"not {config.get('PERMANENT_SESSION_LIFETIME')!r}.",
            setting="PERMANENT_SESSION_LIFETIME",
            hint="With flaskkit, set SESSION_COOKIE_AGE (seconds) instead; PERMANENT_SESSION_LIFETIME follows it.",
        )
    flask_default = _seconds(Flask.default_config["PERMANENT_SESSION_LIFETIME"])
    if lifetime != flask_default and lifetime != age:
        if age != DEFAULT_COOKIE_AGE:
            raise ConfigurationError(
                f"SESSION_COOKIE_AGE ({age} seconds) and PERMANENT_SESSION_LIFETIME ({lifetime} seconds) "
                "disagree about how long a session lasts.",
                setting="SESSION_COOKIE_AGE",
                hint="Set only SESSION_COOKIE_AGE; flaskkit sets PERMANENT_SESSION_LIFETIME from it.",
            )
        age = lifetime  # only Flask's name was set: honour it
    config["SESSION_COOKIE_AGE"] = age
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=age)
    return age


def _samesite(config: t.MutableMapping[str, t.Any]) -> None:
    value = config.get("SESSION_COOKIE_SAMESITE")
    if value is None:
        # Flask's default is None, which we cannot tell from "not set": Django's default applies.
        # False sends no SameSite attribute at all.
        config["SESSION_COOKIE_SAMESITE"] = "Lax"
        return
    if value is False:
        return
    if isinstance(value, str) and value.title() in _SAMESITE_VALUES:
        config["SESSION_COOKIE_SAMESITE"] = value.title()
        return
    raise ConfigurationError(
        f"SESSION_COOKIE_SAMESITE must be 'Lax', 'Strict', 'None' or False, not {value!r}.",
        setting="SESSION_COOKIE_SAMESITE",
        hint="'Lax' (the default) suits most sites; False leaves the attribute out of the cookie.",
    )

"""The auth plugin's settings: defaults, validation, and the objects they name.

Everything here runs in the configure phase, so a wrong value stops the app at
boot with a :class:`~flaskkit.ConfigurationError` that names the setting.
"""

from __future__ import annotations

import collections.abc as cabc
import typing as t
from dataclasses import dataclass

from werkzeug.utils import ImportStringError
from werkzeug.utils import import_string

from flaskkit import ConfigurationError
from flaskkit._text import did_you_mean

from .hashers import DEFAULT_PASSWORD_HASHERS
from .hashers import BasePasswordHasher
from .hashers import HasherRegistry
from .hashers import WerkzeugPasswordHasher
from .password_validation import DEFAULT_PASSWORD_VALIDATORS
from .throttle import ThrottleSettings

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["DEFAULTS", "DEFAULT_USER_MODEL", "AuthSettings", "read_settings"]

#: ``AUTH_USER_MODEL`` by default: the built-in ``User`` (table ``auth_user``).
DEFAULT_USER_MODEL = "flaskkit.plugins.auth:User"

#: The plugin's settings and their defaults (applied with ``setdefault``).
DEFAULTS: dict[str, t.Any] = {
    #: The user model, "module:Class". Choose it before the first migration (Django's lesson).
    "AUTH_USER_MODEL": DEFAULT_USER_MODEL,
    #: The backends ``authenticate()`` asks, in order.
    "AUTHENTICATION_BACKENDS": ["flaskkit.plugins.auth.backends:ModelBackend"],
    #: The password hashers; the first one makes new hashes.
    "PASSWORD_HASHERS": list(DEFAULT_PASSWORD_HASHERS),
    #: The password validators (Django's four).
    "AUTH_PASSWORD_VALIDATORS": [dict(entry) for entry in DEFAULT_PASSWORD_VALIDATORS],
    #: Where login_required sends anonymous users; None: the login view, "<AUTH_URL_PREFIX>/login/".
    "LOGIN_URL": None,
    #: Where the login view goes when there is no safe ``next``.
    "LOGIN_REDIRECT_URL": "/",
    #: Where the logout view goes; None renders auth/logged_out.html.
    "LOGOUT_REDIRECT_URL": None,
    #: Where the views are mounted (login/, logout/, register/, password_change/); None: not mounted.
    "AUTH_URL_PREFIX": "/accounts",
    #: Whether register/ exists.
    "AUTH_REGISTRATION_ENABLED": True,
    #: The template the auth pages extend (blocks "title" and "content").
    "AUTH_BASE_TEMPLATE": "auth/base.html",
    #: Other hosts a ``next`` URL may name (Django's LoginView.success_url_allowed_hosts).
    "AUTH_SUCCESS_URL_ALLOWED_HOSTS": [],
    #: Whether the login page redirects a user who is already logged in.
    "AUTH_REDIRECT_AUTHENTICATED_USER": False,
    #: Throttling of failed logins (see throttle.py).
    "AUTH_THROTTLE_ENABLED": True,
    "AUTH_THROTTLE_CACHE": "default",
    "AUTH_THROTTLE_USERNAME_LIMIT": 5,
    "AUTH_THROTTLE_ADDRESS_LIMIT": 20,
    "AUTH_THROTTLE_WINDOW": 900,
    "AUTH_THROTTLE_LOCKOUT": 900,
    "AUTH_THROTTLE_SLOWDOWN_AFTER": 3,
    # While the throttle's cache cannot be reached: False refuses logins (503), as django-ratelimit's
    # RATELIMIT_FAIL_OPEN = False does; True lets them through uncounted.
    "AUTH_THROTTLE_FAIL_OPEN": False,
    #: Flask-Login's session protection: "basic" (default), "strong" or None.
    "SESSION_PROTECTION": "basic",
}

#: Django's dotted paths -> flaskkit's, so settings can be copied from a Django project.
DJANGO_NAMES: dict[str, str] = {
    **{
        f"django.contrib.auth.hashers.{name}": f"flaskkit.plugins.auth.hashers:{name}"
        for name in ("PBKDF2PasswordHasher", "PBKDF2SHA1PasswordHasher", "ScryptPasswordHasher", "MD5PasswordHasher")
    },
    **{
        f"django.contrib.auth.password_validation.{name}": f"flaskkit.plugins.auth.password_validation:{name}"
        for name in (
            "UserAttributeSimilarityValidator",
            "MinimumLengthValidator",
            "CommonPasswordValidator",
            "NumericPasswordValidator",
        )
    },
    **{
        f"django.contrib.auth.backends.{name}": f"flaskkit.plugins.auth.backends:{name}"
        for name in ("ModelBackend", "AllowAllUsersModelBackend", "BaseBackend")
    },
}


@dataclass(frozen=True)
class AuthSettings:
    """The auth settings of one app, validated."""

    user_model_path: str
    login_url: str
    login_redirect_url: str
    logout_redirect_url: str | None
    #: None: the views are not mounted.
    url_prefix: str | None
    registration_enabled: bool
    base_template: str
    redirect_authenticated_user: bool
    #: None: throttling is off.
    throttle: ThrottleSettings | None
    session_protection: str | None


def read_settings(app: Flask, enabled: cabc.Collection[str]) -> AuthSettings:
    """Validate the auth settings of ``app`` (``enabled``: the names in ``PLUGINS``)."""
    config = app.config
    prefix = config.get("AUTH_URL_PREFIX")
    if prefix is not None:
        if not isinstance(prefix, str) or (prefix and not prefix.startswith("/")):
            raise ConfigurationError(
                f"AUTH_URL_PREFIX must be a path that starts with '/' (or None), not {prefix!r}.",
                setting="AUTH_URL_PREFIX",
                hint="Write AUTH_URL_PREFIX = '/accounts' (the default), or None to mount the views yourself.",
            )
        prefix = prefix.rstrip("/")
    login_url = config.get("LOGIN_URL")
    if login_url is None:
        login_url = f"{prefix if prefix is not None else '/accounts'}/login/"
        config["LOGIN_URL"] = login_url
    for name in ("LOGIN_URL", "LOGIN_REDIRECT_URL", "AUTH_BASE_TEMPLATE"):
        _non_empty_string(config, name)
    logout_redirect = config.get("LOGOUT_REDIRECT_URL")
    if logout_redirect is not None and (not isinstance(logout_redirect, str) or not logout_redirect):
        raise ConfigurationError(
            f"LOGOUT_REDIRECT_URL must be a URL, a path or an endpoint name (or None), not {logout_redirect!r}.",
            setting="LOGOUT_REDIRECT_URL",
        )
    hosts = config.get("AUTH_SUCCESS_URL_ALLOWED_HOSTS")
    if isinstance(hosts, str) or not isinstance(hosts, cabc.Iterable) or not all(isinstance(h, str) for h in hosts):
        raise ConfigurationError(
            f"AUTH_SUCCESS_URL_ALLOWED_HOSTS must be a list of host names, not {hosts!r}.",
            setting="AUTH_SUCCESS_URL_ALLOWED_HOSTS",
            hint="Write AUTH_SUCCESS_URL_ALLOWED_HOSTS = ['app.example.com'].",
        )
    protection = config.get("SESSION_PROTECTION")
    if protection not in (None, "basic", "strong"):
        raise ConfigurationError(
            f"SESSION_PROTECTION must be 'basic', 'strong' or None, not {protection!r}.",
            setting="SESSION_PROTECTION",
            hint="'basic' (the default) marks a session whose IP address or browser changed as not fresh; "
            "'strong' logs it out.",
        )
    user_model = config.get("AUTH_USER_MODEL")
    if not isinstance(user_model, str) or not user_model.strip():
        raise ConfigurationError(
            f"AUTH_USER_MODEL must be the import path of the user model, not {user_model!r}.",
            setting="AUTH_USER_MODEL",
            hint=f"Write AUTH_USER_MODEL = 'myapp.models:Member', or leave it at {DEFAULT_USER_MODEL!r}.",
        )
    return AuthSettings(
        user_model_path=user_model.strip(),
        login_url=login_url,
        login_redirect_url=config["LOGIN_REDIRECT_URL"],
        logout_redirect_url=logout_redirect,
        url_prefix=prefix,
        registration_enabled=_flag(config, "AUTH_REGISTRATION_ENABLED"),
        base_template=config["AUTH_BASE_TEMPLATE"],
        redirect_authenticated_user=_flag(config, "AUTH_REDIRECT_AUTHENTICATED_USER"),
        throttle=_throttle(app, enabled),
        session_protection=protection,
    )


def _flag(config: t.Mapping[str, t.Any], name: str) -> bool:
    value = config.get(name)
    if not isinstance(value, bool):
        raise ConfigurationError(
            f"{name} must be True or False, not {value!r}.",
            setting=name,
            hint=f"From the environment: FLASK_{name}=false",
        )
    return value


def _non_empty_string(config: t.Mapping[str, t.Any], name: str) -> str:
    value = config.get(name)
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{name} must be a non-empty string, not {value!r}.", setting=name)
    return value


def _seconds(config: t.Mapping[str, t.Any], name: str) -> int:
    value = config.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigurationError(f"{name} must be a whole number greater than 0, not {value!r}.", setting=name)
    return value


def _throttle(app: Flask, enabled: cabc.Collection[str]) -> ThrottleSettings | None:
    config = app.config
    if not _flag(config, "AUTH_THROTTLE_ENABLED"):
        return None
    if "cache" not in enabled:
        raise ConfigurationError(
            "The auth plugin throttles failed logins in the cache plugin's cache (AUTH_THROTTLE_CACHE), but the "
            "cache plugin is not enabled: add 'cache' to PLUGINS.",
            setting="PLUGINS",
            hint="Write PLUGINS = [..., 'cache', 'auth'] (with a Redis cache in production, so that every worker "
            "sees the counts), or turn throttling off with AUTH_THROTTLE_ENABLED = False.",
        )
    alias = config.get("AUTH_THROTTLE_CACHE")
    caches = config.get("CACHES")
    if not isinstance(alias, str) or (isinstance(caches, cabc.Mapping) and alias not in caches):
        known = [str(a) for a in caches] if isinstance(caches, cabc.Mapping) else []
        raise ConfigurationError(
            f"AUTH_THROTTLE_CACHE is {alias!r}, which is not an alias of CACHES ({', '.join(map(repr, known))})."
            + did_you_mean(str(alias), known),
            setting="AUTH_THROTTLE_CACHE",
            hint="Name one of the aliases of CACHES ('default' is the default).",
        )
    settings = ThrottleSettings(
        cache_alias=alias,
        username_limit=_seconds(config, "AUTH_THROTTLE_USERNAME_LIMIT"),
        address_limit=_seconds(config, "AUTH_THROTTLE_ADDRESS_LIMIT"),
        window=_seconds(config, "AUTH_THROTTLE_WINDOW"),
        lockout=_seconds(config, "AUTH_THROTTLE_LOCKOUT"),
        slowdown_after=_seconds(config, "AUTH_THROTTLE_SLOWDOWN_AFTER"),
        fail_open=_flag(config, "AUTH_THROTTLE_FAIL_OPEN"),
    )
    return settings


# -- the objects the settings name -----------------------------------------------------------------------


def load_object(path: object, setting: str, what: str) -> t.Any:
    """Import ``path`` ("module:Name" or "module.Name") for ``setting``; Django's own paths are translated."""
    if not isinstance(path, str) or not path.strip():
        raise ConfigurationError(f"{setting} contains {path!r}, which is not an import path.", setting=setting)
    path = path.strip()
    translated = DJANGO_NAMES.get(path)
    if translated is None and path.startswith("django."):
        raise ConfigurationError(
            f"{setting} names {path!r}, a Django class that flaskkit does not provide.",
            setting=setting,
            hint=f"Use one of flaskkit's {what}s (see docs/plugins/auth.md), or write your own class and name it "
            "'module:Class'.",
        )
    try:
        return import_string(translated or path)
    except ImportStringError as exc:
        raise ConfigurationError(
            f"{setting} names {path!r}, which cannot be imported: {exc.exception}",
            setting=setting,
            hint=f"Write the {what} as 'package.module:ClassName'.",
        ) from exc


def load_hashers(app: Flask) -> HasherRegistry:
    """``PASSWORD_HASHERS`` as a registry of hasher instances."""
    paths = app.config.get("PASSWORD_HASHERS")
    if isinstance(paths, str) or not isinstance(paths, cabc.Iterable) or not list(paths):
        raise ConfigurationError(
            f"PASSWORD_HASHERS must be a non-empty list of hasher classes, not {paths!r}.",
            setting="PASSWORD_HASHERS",
            hint="Leave it unset for Django's default (pbkdf2_sha256 with 1,000,000 iterations first).",
        )
    hashers: list[BasePasswordHasher] = []
    for path in paths:
        obj = load_object(path, "PASSWORD_HASHERS", "password hasher")
        hasher = obj() if isinstance(obj, type) else obj
        if not isinstance(hasher, BasePasswordHasher) or not hasher.algorithm:
            raise ConfigurationError(
                f"PASSWORD_HASHERS names {path!r}, which is not a password hasher (a subclass of "
                "flaskkit.plugins.auth.hashers.BasePasswordHasher with an 'algorithm').",
                setting="PASSWORD_HASHERS",
            )
        if any(h.algorithm == hasher.algorithm for h in hashers):
            raise ConfigurationError(
                f"PASSWORD_HASHERS lists two hashers for the algorithm {hasher.algorithm!r}.",
                setting="PASSWORD_HASHERS",
                hint="Keep one of them.",
            )
        hashers.append(hasher)
    if isinstance(hashers[0], WerkzeugPasswordHasher):
        raise ConfigurationError(
            "The first of PASSWORD_HASHERS makes every new hash, but WerkzeugPasswordHasher can only verify "
            "Werkzeug's hashes.",
            setting="PASSWORD_HASHERS",
            hint="Put PBKDF2PasswordHasher (or another hasher) first; Werkzeug's hashes are upgraded at login.",
        )
    return HasherRegistry(hashers)


def load_validators(app: Flask) -> list[t.Any]:
    """``AUTH_PASSWORD_VALIDATORS`` as validator instances (Django's ``NAME`` + ``OPTIONS`` entries)."""
    entries = app.config.get("AUTH_PASSWORD_VALIDATORS")
    if entries is None:
        return []
    if isinstance(entries, str | cabc.Mapping) or not isinstance(entries, cabc.Iterable):
        raise ConfigurationError(
            f"AUTH_PASSWORD_VALIDATORS must be a list of {{'NAME': ..., 'OPTIONS': {{...}}}} entries, not {entries!r}.",
            setting="AUTH_PASSWORD_VALIDATORS",
        )
    validators = []
    for entry in entries:
        if not isinstance(entry, cabc.Mapping) or "NAME" not in entry:
            raise ConfigurationError(
                f"AUTH_PASSWORD_VALIDATORS contains {entry!r}; each entry is a dict with a 'NAME' (and 'OPTIONS').",
                setting="AUTH_PASSWORD_VALIDATORS",
                hint="Write {'NAME': 'flaskkit.plugins.auth.password_validation:MinimumLengthValidator', "
                "'OPTIONS': {'min_length': 10}}.",
            )
        unknown = set(entry) - {"NAME", "OPTIONS"}
        if unknown:
            raise ConfigurationError(
                f"The AUTH_PASSWORD_VALIDATORS entry {entry['NAME']!r} has unknown keys {sorted(unknown)!r}.",
                setting="AUTH_PASSWORD_VALIDATORS",
                hint="An entry has 'NAME' and 'OPTIONS' only.",
            )
        cls = load_object(entry["NAME"], "AUTH_PASSWORD_VALIDATORS", "password validator")
        options = entry.get("OPTIONS") or {}
        if not isinstance(options, cabc.Mapping):
            raise ConfigurationError(
                f"The OPTIONS of the password validator {entry['NAME']!r} must be a dict, not {options!r}.",
                setting="AUTH_PASSWORD_VALIDATORS",
            )
        try:
            validator = cls(**options)
        except (TypeError, ValueError, OSError) as exc:
            raise ConfigurationError(
                f"The password validator {entry['NAME']!r} cannot be made with OPTIONS {dict(options)!r}: {exc}",
                setting="AUTH_PASSWORD_VALIDATORS",
            ) from exc
        if not callable(getattr(validator, "validate", None)):
            raise ConfigurationError(
                f"AUTH_PASSWORD_VALIDATORS names {entry['NAME']!r}, which has no validate(password, user) method.",
                setting="AUTH_PASSWORD_VALIDATORS",
            )
        validators.append(validator)
    return validators


def load_backends(app: Flask) -> list[tuple[str, t.Any]]:
    """``AUTHENTICATION_BACKENDS`` as ``(path, instance)`` pairs."""
    paths = app.config.get("AUTHENTICATION_BACKENDS")
    if isinstance(paths, str) or not isinstance(paths, cabc.Iterable) or not list(paths):
        raise ConfigurationError(
            f"AUTHENTICATION_BACKENDS must be a non-empty list of backend classes, not {paths!r}.",
            setting="AUTHENTICATION_BACKENDS",
            hint="Leave it unset for ['flaskkit.plugins.auth.backends:ModelBackend'].",
        )
    backends = []
    for path in paths:
        obj = load_object(path, "AUTHENTICATION_BACKENDS", "authentication backend")
        backend = obj() if isinstance(obj, type) else obj
        if not callable(getattr(backend, "authenticate", None)) or not callable(getattr(backend, "get_user", None)):
            raise ConfigurationError(
                f"AUTHENTICATION_BACKENDS names {path!r}, which is not a backend: it needs authenticate(request, "
                "**credentials) and get_user(user_id).",
                setting="AUTHENTICATION_BACKENDS",
                hint="Subclass flaskkit.plugins.auth.backends.BaseBackend (or ModelBackend).",
            )
        backends.append((DJANGO_NAMES.get(path, path), backend))
    return backends


def load_user_model(path: str) -> type:
    """The class ``AUTH_USER_MODEL`` names, checked to be a concrete, mapped user model."""
    import sqlalchemy as sa

    from .models import AbstractBaseUser

    module_name, sep, name = path.partition(":") if ":" in path else path.rpartition(".")
    try:
        cls = import_string(path)
    except ImportStringError as exc:
        hint = "Write it as 'package.module:ClassName', e.g. 'myapp.models:Member'."
        if sep and name:
            try:
                module = import_string(module_name)
            except ImportStringError:
                module = None
            if module is not None:
                names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
                hint = did_you_mean(name, names).strip() + " " + hint
        raise ConfigurationError(
            f"AUTH_USER_MODEL is {path!r}, which cannot be imported: {exc.exception}",
            setting="AUTH_USER_MODEL",
            hint=hint.strip(),
        ) from exc
    if not isinstance(cls, type) or not issubclass(cls, AbstractBaseUser):
        raise ConfigurationError(
            f"AUTH_USER_MODEL is {path!r}, which is {cls!r}, not a user model: a user model subclasses "
            "flaskkit.plugins.auth.AbstractUser (or AbstractBaseUser and PermissionsMixin).",
            setting="AUTH_USER_MODEL",
            hint="Write class Member(AbstractUser): __tablename__ = 'member', and name it in AUTH_USER_MODEL.",
        )
    mapper = sa.inspect(cls, raiseerr=False)
    if mapper is None:
        raise ConfigurationError(
            f"AUTH_USER_MODEL is {path!r}, an abstract class with no table: name a concrete model.",
            setting="AUTH_USER_MODEL",
            hint="Subclass it with a __tablename__ and name that class.",
        )
    if cls.USERNAME_FIELD not in mapper.attrs:
        raise ConfigurationError(
            f"The user model {path!r} has USERNAME_FIELD = {cls.USERNAME_FIELD!r}, which is not one of its columns.",
            setting="AUTH_USER_MODEL",
            hint="Set USERNAME_FIELD to the name of a unique column of the model.",
        )
    return cls

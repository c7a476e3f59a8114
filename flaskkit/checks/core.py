"""The kit's own checks (ids ``kit.*``)."""

from __future__ import annotations

import difflib
import typing as t

from flask import Flask

from .messages import CheckMessage
from .messages import Error
from .messages import Warning
from .registry import DEPLOY
from .registry import CheckRegistry

#: The settings the core reads.
KIT_SETTINGS = (
    "PLUGINS",
    "MIDDLEWARE",
    "SILENCED_CHECKS",
    # flaskkit.timezone and the template built-ins (flaskkit.templating)
    "USE_TZ",
    "TIME_ZONE",
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "TIME_FORMAT",
    "YEAR_MONTH_FORMAT",
    "MONTH_DAY_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "USE_THOUSAND_SEPARATOR",
    "THOUSAND_SEPARATOR",
    "DECIMAL_SEPARATOR",
)

#: Django's names for what flaskkit calls otherwise, so a Django user is told at once.
DJANGO_NAMES = {
    "INSTALLED_APPS": "PLUGINS",
    "SILENCED_SYSTEM_CHECKS": "SILENCED_CHECKS",
}

SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
#: The development key that ``flaskkit startproject`` writes into a new project's settings starts with
#: this (Django's ``django-insecure-``): a deployment must set its own.
INSECURE_SECRET_KEY_PREFIX = "flaskkit-insecure-"
_SECRET_KEY_HINT = (
    "Set SECRET_KEY in your settings or the FLASK_SECRET_KEY environment variable to a long random value, "
    'e.g. the output of: python -c "import secrets; print(secrets.token_urlsafe(50))"'
)


def register_core_checks(registry: CheckRegistry) -> None:
    registry.register(check_secret_key, "security", origin="kit")
    registry.register(check_settings_names, "settings", origin="kit")
    registry.register(check_middleware_without_plugin, "settings", origin="kit")
    registry.register(check_secret_key_strength, "security", DEPLOY, origin="kit")
    registry.register(check_debug, "security", DEPLOY, origin="kit")


def check_secret_key(app: Flask) -> list[CheckMessage]:
    key = app.config.get("SECRET_KEY")
    if key and not isinstance(key, str | bytes):
        return [
            Error(
                f"SECRET_KEY must be a string, not {type(key).__name__}.",
                hint="Quote it in your settings. From the environment, FLASK_SECRET_KEY is parsed as JSON when it "
                "can be: a key made only of digits becomes a number, so use a random key with letters.",
                obj="SECRET_KEY",
                id="kit.E002",
            )
        ]
    if key:
        return []
    return [
        Error(
            "SECRET_KEY is not set. Sessions, CSRF tokens and signed cookies cannot work without it.",
            hint=_SECRET_KEY_HINT,
            obj="SECRET_KEY",
            id="kit.E001",
        )
    ]


def check_secret_key_strength(app: Flask) -> list[CheckMessage]:
    key = app.config.get("SECRET_KEY")
    if not key or not isinstance(key, str | bytes):
        return []  # kit.E001 / kit.E002 already say so
    prefix = INSECURE_SECRET_KEY_PREFIX if isinstance(key, str) else INSECURE_SECRET_KEY_PREFIX.encode()
    if key.startswith(prefix):  # type: ignore[arg-type]
        return [
            Warning(
                f"SECRET_KEY is the development key of the project's settings (it starts with "
                f"{INSECURE_SECRET_KEY_PREFIX!r}): anyone who can read the code can forge sessions and CSRF tokens.",
                hint="Set the SECRET_KEY environment variable (which the project's settings read) or "
                "FLASK_SECRET_KEY to a long random value, e.g. the output of: "
                'python -c "import secrets; print(secrets.token_urlsafe(50))"',
                obj="SECRET_KEY",
                id="kit.W001",
            )
        ]
    if len(key) >= SECRET_KEY_MIN_LENGTH and len(set(key)) >= SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return []
    return [
        Warning(
            f"SECRET_KEY is too weak for production: it has {len(key)} characters ({len(set(key))} different); "
            f"use at least {SECRET_KEY_MIN_LENGTH} characters with at least "
            f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} different ones.",
            hint=_SECRET_KEY_HINT,
            obj="SECRET_KEY",
            id="kit.W001",
        )
    ]


def check_debug(app: Flask) -> list[CheckMessage]:
    if not app.config.get("DEBUG"):
        return []
    return [
        Warning(
            "DEBUG is on. In production it shows tracebacks and runs the interactive debugger.",
            hint="Set DEBUG = False in your production settings (or do not pass --debug / FLASK_DEBUG=1).",
            obj="DEBUG",
            id="kit.W002",
        )
    ]


def check_settings_names(app: Flask) -> list[CheckMessage]:
    """Warn about a setting whose name looks like a misspelt one that flaskkit or a plugin reads."""
    from ..kit import get_kit

    kit = get_kit(app)
    known: set[str] = set(KIT_SETTINGS) | set(Flask.default_config)
    for plugin in kit.state(app).plugins.values():
        known.update(plugin.defaults)
    messages: list[CheckMessage] = []
    for key in sorted(k for k in app.config if isinstance(k, str)):
        if key in known:
            continue
        if key in DJANGO_NAMES:
            target = DJANGO_NAMES[key]
            messages.append(
                Warning(
                    f"The setting {key} is Django's; flaskkit does not read it.",
                    hint=f"Rename it to {target}.",
                    obj=key,
                    id="kit.W003",
                )
            )
            continue
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.85)
        if close:
            messages.append(
                Warning(
                    f"The setting {key} is not read by Flask, flaskkit or any enabled plugin.",
                    hint=f"Did you mean {close[0]}?",
                    obj=key,
                    id="kit.W003",
                )
            )
    return messages


def check_middleware_without_plugin(app: Flask) -> list[CheckMessage]:
    """MIDDLEWARE is the middleware plugin's setting: without the plugin it would silently do nothing."""
    from ..kit import get_kit

    if not app.config.get("MIDDLEWARE") or "middleware" in get_kit(app).state(app).plugins:
        return []
    return [
        Warning(
            "MIDDLEWARE is set, but the 'middleware' plugin is not enabled, so none of it runs.",
            hint="Add 'middleware' to PLUGINS.",
            obj="MIDDLEWARE",
            id="kit.W004",
        )
    ]


def silenced_checks(app: Flask) -> frozenset[str]:
    """``SILENCED_CHECKS`` as a set of ids (validated at boot)."""
    return frozenset(t.cast(t.Iterable[str], app.config.get("SILENCED_CHECKS") or ()))

"""The session plugin's checks (ids ``session.*``).

========== ======== ==============================================================
id         when     finding
========== ======== ==============================================================
E001       boot     the cache engine on a ``dummy`` cache: nothing would be kept
E002       database the ``db`` engine's table is missing (run ``flask db upgrade``)
E003       database the ``db`` engine's database cannot be reached
E004       database the ``redis`` engine's Redis cannot be reached
W001       deploy   ``SESSION_COOKIE_SECURE`` is off
W002       deploy   ``SESSION_COOKIE_HTTPONLY`` is off
W003       boot     ``SameSite=None`` without ``Secure`` (browsers drop such cookies)
W004       deploy   the cache engine on a ``locmem`` cache (one per process)
W005       boot     Flask-Session settings that flaskkit does not read
========== ======== ==============================================================
"""

from __future__ import annotations

import typing as t

from flaskkit.checks import CheckMessage
from flaskkit.checks import Error
from flaskkit.checks import Warning

if t.TYPE_CHECKING:
    from flask import Flask

    from .conf import SessionSettings
    from .store import SessionStore

__all__ = ["check_cookie_flags", "check_database", "check_deploy", "check_settings"]

#: Flask-Session's settings that mean something else, or nothing, here.
FLASK_SESSION_SETTINGS = {
    "SESSION_TYPE": "SESSION_ENGINE",
    "SESSION_PERMANENT": "SESSION_EXPIRE_AT_BROWSER_CLOSE (inverted)",
    "SESSION_USE_SIGNER": None,
    "SESSION_REDIS": "SESSION_REDIS_URL",
    "SESSION_SQLALCHEMY": "SESSION_ENGINE = 'db'",
    "SESSION_SQLALCHEMY_TABLE": None,
    "SESSION_CACHELIB": "SESSION_ENGINE = 'cache' with SESSION_CACHE_ALIAS",
    "SESSION_SERIALIZATION_FORMAT": None,
    "SESSION_CLEANUP_N_REQUESTS": "flask kit clearsessions",
}


def check_settings(app: Flask, settings: SessionSettings, store: SessionStore | None) -> list[CheckMessage]:
    """Checks that run at boot."""
    messages: list[CheckMessage] = []
    samesite = app.config.get("SESSION_COOKIE_SAMESITE")
    if samesite == "None" and not app.config.get("SESSION_COOKIE_SECURE"):
        messages.append(
            Warning(
                "SESSION_COOKIE_SAMESITE is 'None' but SESSION_COOKIE_SECURE is off: browsers refuse such a "
                "cookie, so sessions would not work.",
                hint="Set SESSION_COOKIE_SECURE = True (and serve the site over HTTPS), or use 'Lax'.",
                obj="SESSION_COOKIE_SAMESITE",
                id="session.W003",
            )
        )
    for name, instead in FLASK_SESSION_SETTINGS.items():
        if name in app.config:
            hint = f"Use {instead}." if instead else "Remove it; flaskkit's session plugin has no such setting."
            messages.append(
                Warning(
                    f"{name} is a Flask-Session setting; flaskkit's session plugin does not read it.",
                    hint=hint,
                    obj=name,
                    id="session.W005",
                )
            )
    if settings.engine == "cache" and _cache_backend(store) == "dummy":
        messages.append(
            Error(
                f"SESSION_ENGINE is 'cache' but the cache {settings.cache_alias!r} is a 'dummy' cache, which keeps "
                "nothing: every session would be lost at once.",
                hint="Point SESSION_CACHE_ALIAS at a real cache ('redis', 'file'), or use SESSION_ENGINE = 'file'.",
                obj="SESSION_CACHE_ALIAS",
                id="session.E001",
            )
        )
    return messages


def check_cookie_flags(app: Flask) -> list[CheckMessage]:
    """Deploy checks of the cookie's flags."""
    messages: list[CheckMessage] = []
    if not app.config.get("SESSION_COOKIE_SECURE"):
        messages.append(
            Warning(
                "SESSION_COOKIE_SECURE is off: the session cookie is also sent over plain HTTP, where anyone on "
                "the network can read it and take over the session.",
                hint="Set SESSION_COOKIE_SECURE = True in your production settings and serve the site over HTTPS.",
                obj="SESSION_COOKIE_SECURE",
                id="session.W001",
            )
        )
    if not app.config.get("SESSION_COOKIE_HTTPONLY"):
        messages.append(
            Warning(
                "SESSION_COOKIE_HTTPONLY is off: JavaScript on the page (an XSS payload included) can read the "
                "session cookie.",
                hint="Set SESSION_COOKIE_HTTPONLY = True (the default).",
                obj="SESSION_COOKIE_HTTPONLY",
                id="session.W002",
            )
        )
    return messages


def check_deploy(app: Flask, settings: SessionSettings, store: SessionStore | None) -> list[CheckMessage]:
    """Deploy checks of the engine."""
    if settings.engine == "cache" and _cache_backend(store) == "locmem":
        return [
            Warning(
                f"SESSION_ENGINE is 'cache' on the 'locmem' cache {settings.cache_alias!r}: each worker process "
                "has its own memory, so a user's session is lost whenever another worker answers, and on restart.",
                hint="Use a shared cache ('redis') for sessions, or SESSION_ENGINE = 'db' or 'redis'.",
                obj="SESSION_CACHE_ALIAS",
                id="session.W004",
            )
        ]
    return []


def check_database(app: Flask, settings: SessionSettings, store: SessionStore | None) -> list[CheckMessage]:
    """Checks that connect to the store (tagged ``database``: never run at boot)."""
    if settings.engine == "redis" and store is not None:
        return check_redis(store)
    if settings.engine != "db" or store is None:
        return []
    import sqlalchemy as sa

    from .models import TABLE_NAME
    from .store_db import DbStore

    assert isinstance(store, DbStore)
    url = store.sql_engine.url.render_as_string(hide_password=True)
    try:
        exists = store.table_exists()
    except sa.exc.SQLAlchemyError as exc:
        return [
            Error(
                f"The session store cannot reach its database {url}: {type(exc).__name__}: {str(exc).splitlines()[0]}",
                hint="Check DATABASE_URL (or SQLALCHEMY_DATABASE_URI) and that the server is running.",
                obj="SESSION_ENGINE",
                id="session.E003",
            )
        ]
    if exists:
        return []
    return [
        Error(
            f"SESSION_ENGINE is 'db' but the table {TABLE_NAME!r} does not exist in {url}: every session "
            "write would fail.",
            hint="Run: flask db upgrade (the session plugin ships the table's migration).",
            obj="SESSION_ENGINE",
            id="session.E002",
        )
    ]


def check_redis(store: SessionStore) -> list[CheckMessage]:
    """session.E004: the redis engine's server cannot be reached."""
    from flaskkit.services import describe_error

    from .store_redis import RedisStore

    assert isinstance(store, RedisStore)
    try:
        if store.service.probe is not None:
            store.service.probe()
    except Exception as exc:
        return [
            Error(
                f"Sessions are kept in {store.service.name}, which cannot be reached ({describe_error(exc)}). "
                "Until it can, every request that uses the session is answered 503.",
                hint=f"Start Redis, or fix {store.service.setting}.",
                obj="SESSION_ENGINE",
                id="session.E004",
            )
        ]
    return []


def _cache_backend(store: SessionStore | None) -> str | None:
    """The friendly name of the cache engine's backend ('locmem', 'dummy', ...), when known."""
    cache = getattr(store, "_cache", None)
    settings = getattr(cache, "settings", None)
    builtin = getattr(settings, "builtin", None)
    return builtin if isinstance(builtin, str) else None

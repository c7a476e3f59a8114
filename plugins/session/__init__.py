"""The ``session`` plugin: server-side sessions with Django's semantics.

::

    PLUGINS = ["session"]                  # sessions in <instance>/sessions/, no server needed
    SESSION_ENGINE = "redis"               # or "cookie", "file", "cache", "db"

``flask.session`` stays the API, and gains Django's methods: ``cycle_key()``,
``flush()``, ``set_expiry()``, ``get_expiry_age()``, ``get_expiry_date()`` and
``session_key``. One JSON serializer for every engine (never pickle); the store
is written and the cookie sent only when the session changed; ``Vary: Cookie``
whenever it was read. See docs/plugins/session.md.
"""

from __future__ import annotations

import collections.abc as cabc
import os
import typing as t

from flask import Flask
from werkzeug.utils import import_string

from flaskkit import ConfigurationError
from flaskkit import Plugin
from flaskkit import get_kit
from flaskkit._pip import pip_install
from flaskkit.checks import DATABASE
from flaskkit.checks import DEPLOY
from flaskkit.checks import CheckMessage
from flaskkit.checks import check

from . import checks as _checks
from .cli import clearsessions_command
from .conf import DEFAULTS
from .conf import ENGINES
from .conf import SessionSettings
from .conf import read_settings
from .interface import CookieSessionInterface
from .interface import KitSessionInterface
from .interface import ServerSessionInterface
from .models import metadata as _metadata
from .serializer import SessionSerializer
from .serializer import serializer
from .session import Session
from .store import SessionStore

if t.TYPE_CHECKING:
    import click
    import sqlalchemy as sa

__all__ = [
    "ENGINES",
    "CookieSessionInterface",
    "KitSessionInterface",
    "ServerSessionInterface",
    "Session",
    "SessionPlugin",
    "SessionSerializer",
    "SessionSettings",
    "SessionStore",
    "serializer",
]


class SessionPlugin(Plugin):
    """Replaces the app's ``session_interface`` with the engine ``SESSION_ENGINE`` names."""

    name = "session"
    #: The cache engine needs the cache plugin's caches, the db engine the orm plugin's database.
    after = ("cache", "orm")
    extra = "session"
    defaults = DEFAULTS

    #: The plugin's Alembic migrations (the ``flaskkit_session`` table), for the orm plugin.
    migrations: t.ClassVar[str] = os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrations")
    #: The metadata of the plugin's table, for the orm plugin's migrations (kept out of ``db.Model``).
    metadata: t.ClassVar[sa.MetaData] = _metadata

    def __init__(self) -> None:
        #: The app's validated settings (set in configure).
        self.settings: SessionSettings
        #: The server-side store; ``None`` for the cookie engine.
        self.store: SessionStore | None = None
        #: The app's session interface (``app.session_interface``).
        self.interface: KitSessionInterface | None = None
        self._store_class: type[SessionStore] | None = None

    # -- phases -----------------------------------------------------------------------

    def configure(self, app: Flask) -> None:
        settings = read_settings(app)
        engine = settings.engine
        enabled = get_kit(app).state(app).plugins
        if engine == "cache":
            self._configure_cache(app, settings, enabled)
        elif engine == "db":
            self._configure_db(app, enabled)
        elif engine == "redis":
            self._configure_redis(settings)
        elif engine not in ENGINES:
            self._store_class = _custom_store(engine)
        self.settings = settings

    def init_app(self, app: Flask) -> None:
        settings = self.settings
        if settings.engine == "cookie":
            self.interface = CookieSessionInterface(settings, "cookie")
        else:
            self.store = self._make_store(app, settings)
            self.interface = ServerSessionInterface(settings, settings.engine, self.store)
        app.session_interface = self.interface

    def ready(self, app: Flask) -> None:
        if self.store is not None:
            self.store.ready(app)

    # -- checks and commands ---------------------------------------------------------

    def checks(self, app: Flask) -> list[CheckMessage]:
        return _checks.check_settings(app, self.settings, self.store)

    @check(DEPLOY)
    def check_deploy(self, app: Flask) -> list[CheckMessage]:
        return _checks.check_cookie_flags(app) + _checks.check_deploy(app, self.settings, self.store)

    @check(DATABASE)
    def check_database(self, app: Flask) -> list[CheckMessage]:
        return _checks.check_database(app, self.settings, self.store)

    def kit_commands(self, app: Flask) -> list[click.Command]:
        return [clearsessions_command(self)]

    # -- engines -----------------------------------------------------------------------

    def _make_store(self, app: Flask, settings: SessionSettings) -> SessionStore:
        if settings.engine == "file":
            from .store_file import FileStore

            return FileStore(app, settings)
        if settings.engine == "redis":
            from .store_redis import RedisStore

            return RedisStore(app, settings)
        if settings.engine == "cache":
            from .store_cache import CacheStore

            return CacheStore(app, settings)
        if settings.engine == "db":
            from .store_db import DbStore

            return DbStore(app, settings)
        assert self._store_class is not None
        return self._store_class(app, settings)

    def _configure_cache(self, app: Flask, settings: SessionSettings, enabled: cabc.Mapping[str, Plugin]) -> None:
        if "cache" not in enabled:
            raise ConfigurationError(
                "SESSION_ENGINE is 'cache', which keeps sessions in the cache plugin's CACHES, but the cache "
                "plugin is not enabled: add 'cache' to PLUGINS.",
                setting="SESSION_ENGINE",
                hint="Write PLUGINS = [..., 'cache', 'session'], or another SESSION_ENGINE ('file' needs nothing).",
            )
        caches = app.config.get("CACHES")
        if isinstance(caches, cabc.Mapping) and settings.cache_alias not in caches:
            import difflib

            close = difflib.get_close_matches(settings.cache_alias, [str(a) for a in caches], n=1)
            hint = f"Did you mean {close[0]!r}? " if close else ""
            raise ConfigurationError(
                f"SESSION_CACHE_ALIAS is {settings.cache_alias!r}, which is not an alias of CACHES "
                f"({', '.join(map(repr, caches))}).",
                setting="SESSION_CACHE_ALIAS",
                hint=f"{hint}Name one of the aliases of CACHES, or add {settings.cache_alias!r} to CACHES.",
            )

    def _configure_db(self, app: Flask, enabled: cabc.Mapping[str, Plugin]) -> None:
        if "orm" not in enabled:
            raise ConfigurationError(
                "SESSION_ENGINE is 'db', which keeps sessions in the orm plugin's database, but the orm plugin "
                "is not enabled: add 'orm' to PLUGINS.",
                setting="SESSION_ENGINE",
                hint="Write PLUGINS = [..., 'orm', 'session'], or another SESSION_ENGINE ('file' needs nothing).",
            )
        import sqlalchemy as sa

        from flaskkit.plugins.orm import database_url
        from flaskkit.plugins.orm.conf import is_memory_sqlite

        url = sa.make_url(database_url(app))
        if is_memory_sqlite(url):
            raise ConfigurationError(
                "SESSION_ENGINE is 'db' but the database is an in-memory SQLite database, which only the ORM's "
                "own connection can see; the session store has its own connection.",
                setting="SESSION_ENGINE",
                hint="Use a database file (the default, in the instance folder) or a server, or another "
                "SESSION_ENGINE ('file', 'cache').",
            )

    def _configure_redis(self, settings: SessionSettings) -> None:
        if not settings.redis_url:
            raise ConfigurationError(
                "SESSION_ENGINE is 'redis' but no Redis server is configured.",
                setting="SESSION_REDIS_URL",
                hint="Set REDIS_URL (a setting or an environment variable), or SESSION_REDIS_URL for sessions "
                "only, e.g. 'redis://localhost:6379/0'.",
            )
        try:
            import redis  # noqa: F401
        except ModuleNotFoundError as exc:
            raise ConfigurationError(
                "SESSION_ENGINE is 'redis' but the redis package is not installed.",
                setting="SESSION_ENGINE",
                hint=f"Install it with: {pip_install('flaskkit', ['session', 'redis'])}",
            ) from exc


def _custom_store(path: str) -> type[SessionStore]:
    try:
        obj = import_string(path)
    except ImportError as exc:
        raise ConfigurationError(
            f"SESSION_ENGINE {path!r} cannot be imported: {exc}",
            setting="SESSION_ENGINE",
            hint=f"Use one of {', '.join(map(repr, ENGINES))}, or 'module:Class' of a SessionStore subclass.",
        ) from exc
    if not (isinstance(obj, type) and issubclass(obj, SessionStore)):
        raise ConfigurationError(
            f"SESSION_ENGINE {path!r} is {obj!r}, not a subclass of flaskkit.plugins.session.SessionStore.",
            setting="SESSION_ENGINE",
        )
    return obj

"""Apps with the session plugin on each engine, test views, and probes that look inside each store."""

from __future__ import annotations

import json
import os
import time
import typing as t
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from flask import Flask
from flask import jsonify
from flask import request
from flask import session
from markupsafe import Markup

from flaskkit import create_app
from flaskkit import get_kit
from tests.conftest import settings

#: Every engine, with the database ones on SQLite and on the real PostgreSQL.
ENGINES = ["cookie", "file", "cache", "redis", "db-sqlite", "db-postgres"]
SERVER_ENGINES = [e for e in ENGINES if e != "cookie"]

AGE = 1_209_600

#: The PostgreSQL schema of these tests (the test database is shared with the other plugins' tests).
PG_SCHEMA = "flaskkit_session_tests"


def add_views(app: Flask) -> None:
    """Small views that use the session the ways the tests need."""

    @app.get("/nothing")
    def nothing() -> str:
        return "nothing"

    @app.get("/read")
    def read() -> t.Any:
        return jsonify(n=session.get("n"))

    @app.get("/contains")
    def contains() -> str:
        return "yes" if "n" in session else "no"

    @app.route("/incr", methods=["GET", "POST"])
    def incr() -> t.Any:
        session["n"] = session.get("n", 0) + 1
        return jsonify(n=session["n"])

    @app.post("/types")
    def store_types() -> str:
        session["tuple"] = (1, "two", (3.5, None))
        session["datetime"] = datetime(2026, 11, 21, 8, 30, 15, tzinfo=UTC)
        session["markup"] = Markup("<b>bold</b>")
        session["bytes"] = b"\x00\xff"
        session["nested"] = {"list": [1, (2, 3)], " t": "a key that looks like a tag"}
        return "stored"

    @app.get("/types")
    def read_types() -> t.Any:
        return jsonify({key: [type(value).__name__, repr(value)] for key, value in session.items()})

    @app.post("/cycle")
    def cycle() -> str:
        session.cycle_key()
        return str(session.session_key)

    @app.post("/flush")
    def flush() -> str:
        session.flush()
        return "flushed"

    @app.post("/flush-then-set")
    def flush_then_set() -> str:
        session.flush()
        session["after"] = "flush"
        return "ok"

    @app.post("/clear")
    def clear() -> str:
        session.clear()
        return "cleared"

    @app.post("/expiry")
    def set_expiry() -> t.Any:
        value: t.Any = request.args["value"]
        kind = request.args.get("kind", "int")
        if kind == "none":
            value = None
        elif kind == "timedelta":
            value = timedelta(seconds=int(value))
        elif kind == "datetime":
            value = datetime.fromisoformat(value)
        else:
            value = int(value)
        session["n"] = session.get("n", 0)
        session.set_expiry(value)
        return expiry_info()

    @app.get("/expiry")
    def expiry_info() -> t.Any:
        return jsonify(
            age=session.get_expiry_age(),
            date=session.get_expiry_date().isoformat(),
            browser_close=session.get_expire_at_browser_close(),
            permanent=session.permanent,
        )

    @app.get("/key")
    def key() -> str:
        return str(session.session_key)

    @app.post("/bad")
    def bad() -> str:
        session["ok"] = 1
        session["obj"] = object()
        return "unreachable"

    @app.post("/bad-nested")
    def bad_nested() -> str:
        session["items"] = [1]
        session["items"].append({1, 2})  # a set, changed in place: only the save can see it
        return "saved?"

    @app.post("/error")
    def error() -> tuple[str, int]:
        session["n"] = 99
        return "failed", 500


def engine_settings(engine: str, request: pytest.FixtureRequest, **extra: t.Any) -> dict[str, t.Any]:
    """Settings for ``engine`` (one of :data:`ENGINES`), on the real servers where it needs one."""
    if engine == "redis":
        return settings(
            PLUGINS=["session"],
            SESSION_ENGINE="redis",
            SESSION_REDIS_URL=request.getfixturevalue("redis_url"),
            SESSION_KEY_PREFIX=request.getfixturevalue("redis_prefix"),
            **extra,
        )
    if engine == "cache":
        # A real Redis behind the cache alias, so the probe can see the keys and their TTL.
        return settings(
            PLUGINS=["cache", "session"],
            SESSION_ENGINE="cache",
            CACHES={
                "default": {"BACKEND": "locmem"},
                "sessions": {
                    "BACKEND": "redis",
                    "LOCATION": request.getfixturevalue("redis_url"),
                    "KEY_PREFIX": request.getfixturevalue("redis_prefix") + "cache",
                },
            },
            SESSION_CACHE_ALIAS="sessions",
            **extra,
        )
    if engine == "db-sqlite":
        return settings(PLUGINS=["orm", "session"], SESSION_ENGINE="db", **extra)
    if engine == "db-postgres":
        return settings(
            PLUGINS=["orm", "session"],
            SESSION_ENGINE="db",
            DATABASE_URL=request.getfixturevalue("session_postgres_url"),
            **extra,
        )
    return settings(PLUGINS=["session"], SESSION_ENGINE=engine, **extra)


@pytest.fixture
def new_app(request: pytest.FixtureRequest, tmp_path: t.Any) -> t.Iterator[t.Callable[..., Flask]]:
    """A factory: ``new_app("file", SESSION_COOKIE_AGE=60)`` is an app on that engine with the test views.

    Each app has its own instance folder; for the db engines, ``flask db upgrade`` creates the table (and it
    starts empty on PostgreSQL, whose database the whole test session shares). Connections are closed afterwards.
    """
    made: list[Flask] = []

    def factory(engine: str, **extra: t.Any) -> Flask:
        app = create_app(
            engine_settings(engine, request, **{"TESTING": True, **extra}),
            import_name="sessiontests",
            instance_path=str(tmp_path / f"instance-{len(made)}"),
        )
        add_views(app)
        if engine.startswith("db"):
            create_session_table(app, request.getfixturevalue("kit_db_setup"))
        made.append(app)
        return app

    yield factory
    for app in made:
        for closer in app.extensions.pop("session-tests.closers", []):
            closer()
        store = session_plugin(app).store
        if store is not None:
            store.close()
        if "orm" in get_kit(app).state(app).plugins:
            from flaskkit.plugins.orm import db

            with app.app_context():
                for engine in db.engines.values():
                    engine.dispose()


@pytest.fixture(scope="session")
def session_postgres_url(postgres_url: str) -> str:
    """The test PostgreSQL database, in a schema of these tests' own (other plugins' migrations live beside)."""
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA IF NOT EXISTS {PG_SCHEMA}")
    return f"{postgres_url}?options=-csearch_path%3D{PG_SCHEMA}"


def create_session_table(app: Flask, setup: t.Any) -> None:
    """Create the session table with its migration (``flask db upgrade``, once per test session and
    database: see the orm plugin's ``kit_db_setup``), and start it empty."""
    setup.prepare(app, tables=())
    with session_plugin(app).store.sql_engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM flaskkit_session")


def session_plugin(app: Flask) -> t.Any:
    return get_kit(app).state(app).plugins["session"]


class Probe:
    """What is in an app's session store, looked at from outside the plugin."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.plugin = session_plugin(app)
        self.store = self.plugin.store
        self.engine = self.plugin.settings.engine

    def session_ids(self) -> set[str]:
        """The session ids in the store."""
        if self.engine == "file":
            path = self.store.path
            if not os.path.isdir(path):
                return set()
            return {name.removesuffix(".json") for name in os.listdir(path) if name.endswith(".json")}
        if self.engine == "redis":
            prefix = self.store.prefix
            return {k.decode()[len(prefix) :] for k in self.store.client.scan_iter(match=prefix + "*")}
        if self.engine == "cache":
            client, pattern = self._cache_redis()
            return {k.decode().rpartition(":session:")[2] for k in client.scan_iter(match=pattern)}
        if self.engine == "db":
            with self.store.sql_engine.connect() as connection:
                return set(connection.exec_driver_sql("SELECT session_key FROM flaskkit_session").scalars())
        raise AssertionError(f"no store to look into for {self.engine}")

    def raw(self, key: str) -> str:
        """The stored text of session ``key``: JSON, never a pickle."""
        if self.engine == "file":
            with open(os.path.join(self.store.path, key + ".json"), encoding="utf-8") as file:
                return t.cast(str, json.load(file)["session_data"])
        if self.engine == "redis":
            return t.cast(bytes, self.store.client.get(self.store.prefix + key)).decode()
        if self.engine == "cache":
            return t.cast(str, self.store.cache.get(self.store.prefix + key))
        return t.cast(str, self._row(key).session_data)

    def expires_at(self, key: str) -> float:
        """When the store drops session ``key`` (a POSIX timestamp, to the millisecond for Redis)."""
        if self.engine == "file":
            with open(os.path.join(self.store.path, key + ".json"), encoding="utf-8") as file:
                return datetime.fromisoformat(json.load(file)["expire_date"]).timestamp()
        if self.engine == "redis":
            return time.time() + t.cast(int, self.store.client.pttl(self.store.prefix + key)) / 1000
        if self.engine == "cache":
            client, pattern = self._cache_redis()
            [full] = [k for k in client.scan_iter(match=pattern) if k.decode().endswith(key)]
            return time.time() + t.cast(int, client.pttl(full)) / 1000
        value = self._row(key).expire_date
        if value.tzinfo is None:  # SQLite keeps UTC without the offset
            value = value.replace(tzinfo=UTC)
        return t.cast(float, value.timestamp())

    def expire_now(self, key: str) -> None:
        """Make session ``key`` expired in the store, as time passing would."""
        past = datetime.now(UTC) - timedelta(seconds=5)
        if self.engine == "file":
            path = os.path.join(self.store.path, key + ".json")
            with open(path, encoding="utf-8") as file:
                record = json.load(file)
            record["expire_date"] = past.isoformat()
            with open(path, "w", encoding="utf-8") as file:
                json.dump(record, file)
        elif self.engine == "redis":
            self.store.client.delete(self.store.prefix + key)  # what a TTL that ran out does
        elif self.engine == "cache":
            self.store.cache.delete(self.store.prefix + key)
        else:
            import sqlalchemy as sa

            from flaskkit.plugins.session.models import session_table

            with self.store.sql_engine.begin() as connection:
                connection.execute(
                    sa.update(session_table).where(session_table.c.session_key == key).values(expire_date=past)
                )

    def _row(self, key: str) -> t.Any:
        import sqlalchemy as sa

        from flaskkit.plugins.session.models import session_table

        with self.store.sql_engine.connect() as connection:
            return connection.execute(sa.select(session_table).where(session_table.c.session_key == key)).one()

    def _cache_redis(self) -> tuple[t.Any, str]:
        import redis

        alias = self.app.config["CACHES"]["sessions"]
        client = redis.Redis.from_url(alias["LOCATION"])
        self.app.extensions.setdefault("session-tests.closers", []).append(client.close)
        # Under this test's own cache prefix: the Redis server is shared with other test runs.
        return client, f"{alias['KEY_PREFIX']}*{self.store.prefix}*"


def cookie_of(response: t.Any, name: str = "session") -> str | None:
    """The ``Set-Cookie`` header for ``name`` in ``response``, or ``None``."""
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return t.cast(str, header)
    return None


def cookie_value(response: t.Any, name: str = "session") -> str | None:
    header = cookie_of(response, name)
    return header.split(";", 1)[0].partition("=")[2] if header else None

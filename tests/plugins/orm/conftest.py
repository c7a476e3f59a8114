"""Fixtures of the orm plugin's tests: each test runs on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import secrets
import typing as t
from pathlib import Path

import pytest

from flaskkit import create_app
from flaskkit.plugins.orm import db
from tests.conftest import settings

from .models import TABLES

if t.TYPE_CHECKING:
    from flask import Flask

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(autouse=True)
def _no_database_url_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment variable wins over SQLALCHEMY_DATABASE_URI: a developer's own must not leak in."""
    monkeypatch.delenv("DATABASE_URL", raising=False)


def _schema_url(postgres_url: str) -> t.Iterator[str]:
    import psycopg

    schema = f"orm_{secrets.token_hex(4)}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{postgres_url}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("SET lock_timeout = '10s'")  # a connection left open fails the test, never hangs it
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def other_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> t.Iterator[str]:
    """A second empty database of the test's backend (for copying data from one to the other)."""
    if backend == "postgresql":
        yield from _schema_url(request.getfixturevalue("postgres_url"))
    else:
        yield f"sqlite:///{tmp_path / 'other.db'}"


@pytest.fixture
def pg_url(postgres_url: str) -> t.Iterator[str]:
    """The test session's PostgreSQL database, seen through a new, empty schema of this test.

    The URL (``postgresql://``) sets the connection's ``search_path`` to the
    schema, so tables, reflection and Alembic all work in it; the schema is
    dropped afterwards (a schema is much faster to create than a database).
    """
    yield from _schema_url(postgres_url)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return t.cast(str, request.param)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of the test's backend."""
    if backend == "postgresql":
        return t.cast(str, request.getfixturevalue("pg_url"))
    return f"sqlite:///{tmp_path / 'test.db'}"


class AppFactory:
    """Makes apps through ``create_app`` (``PLUGINS=["orm"]`` by default) and closes their engines afterwards."""

    def __init__(self, tmp_path: Path, database_url: str) -> None:
        self.tmp_path = tmp_path
        self.database_url = database_url
        self.apps: list[Flask] = []

    def __call__(self, *, tables: bool = False, **values: t.Any) -> Flask:
        values.setdefault("DATABASE_URL", self.database_url)
        values.setdefault("PLUGINS", ["orm"])
        values.setdefault("MIGRATIONS_DIR", str(self.tmp_path / "migrations"))
        number = len(self.apps)
        app = create_app(settings(**values), instance_path=str(self.tmp_path / f"instance{number}"))
        self.apps.append(app)
        if tables:
            with app.app_context():
                db.metadata.create_all(db.engine, tables=TABLES)
        return app

    def close(self) -> None:
        for app in self.apps:
            with app.app_context():
                for engine in db.engines.values():
                    engine.dispose()


@pytest.fixture
def make_app(tmp_path: Path, db_url: str) -> t.Iterator[AppFactory]:
    factory = AppFactory(tmp_path, db_url)
    yield factory
    factory.close()


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    """An app with the test models' tables (no ATOMIC_REQUESTS)."""
    return make_app(tables=True)


def checked_out(app: Flask) -> int:
    """How many connections of the app's engine are checked out of its pool."""
    with app.app_context():
        return t.cast(int, db.engine.pool.checkedout())  # type: ignore[attr-defined]

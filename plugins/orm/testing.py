"""Test databases: the schema made once per test session, each test in a transaction rolled back after.

What pytest-django does for Django, on SQLAlchemy (the fixtures are in
``pytest_plugin.py``; these classes work with any test runner):

* :class:`DatabaseSetup` gives an app's databases their schema: every migration
  (the app's and its plugins', as ``flask db upgrade``), then the tables of
  models without one. Once per test session for a database; an empty SQLite
  database (each test's own file, or ``sqlite://`` in memory) is filled from a
  copy made the first time, which takes a millisecond instead of a migration
  run. SQLite test databases skip the fsync of each commit
  (``PRAGMA synchronous=OFF``): a test database never has to survive a power cut.
* :class:`TestDatabase` runs a test in a transaction on one connection per
  database; every ``db.session`` (the test's, each request's) joins it in a
  savepoint, so the app's commits are savepoint releases and the rollback at
  the end undoes everything (SQLAlchemy's "joining a session into an external
  transaction"). As in Django's ``TestCase``, ``on_commit`` callbacks (and the
  post-commit model signals) never run, since nothing is committed: capture them
  with :func:`capture_on_commit_callbacks`. With ``transactional=True`` (Django's
  ``TransactionTestCase``) the app commits for real, and the tables are emptied
  after the test (the rows the migrations made are put back).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import typing as t
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.event as sa_event
import sqlalchemy.orm as sa_orm
from flask import current_app
from flask import has_app_context

from .connections import extra_engines
from .connections import join_test_connections
from .connections import leave_test_connections
from .connections import url_key
from .database import Session
from .database import db
from .sqlite import SqlitePragmas
from .transactions import _COMMITTED
from .transactions import _PENDING

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["DatabaseSetup", "TestDatabase", "capture_on_commit_callbacks", "engines_of"]

logger = logging.getLogger("flaskkit.orm")

#: ``app.extensions`` key of the :class:`TestDatabase` in force; also marks its connections' ``info``.
TEST_KEY = "flaskkit.orm.test"
#: Tables never emptied: Alembic's bookkeeping.
KEEP_TABLES = frozenset({"alembic_version"})

Callback = tuple[t.Any, t.Callable[[], t.Any], bool]


def engines_of(app: Flask) -> dict[str | None, sa.Engine]:
    """``db.engines`` of ``app`` (bind key -> engine), from anywhere."""
    if has_app_context() and current_app._get_current_object() is app:  # type: ignore[attr-defined]
        return dict(db.engines)
    with app.app_context():
        return dict(db.engines)


def _all_engines(app: Flask) -> list[sa.Engine]:
    found = list(engines_of(app).values())
    return found + [engine for engine in extra_engines(app) if engine not in found]


# -- the schema ------------------------------------------------------------------------------------


@dataclass
class _Schema:
    """What a database holds right after its migrations: for emptying it later."""

    #: bind key -> table -> rows (the data the migrations put in).
    seeds: dict[str | None, dict[str, list[dict[str, t.Any]]]] = field(default_factory=dict)


class DatabaseSetup:
    """Makes test databases, each schema once per test session (pytest-django's ``django_db_setup``).

    ``directory`` keeps the copies of SQLite databases (one per schema).
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        #: database URL -> the signature of the schema made in it.
        self._prepared: dict[str, tuple[t.Any, ...]] = {}
        #: signature -> seeds and templates.
        self._schemas: dict[tuple[t.Any, ...], _Schema] = {}
        #: URLs used again by a later test: emptied of their tables by close().
        self._shared: dict[str, sa.URL] = {}

    def prepare(
        self,
        app: Flask,
        *,
        tables: t.Iterable[sa.Table] | None = None,
        migrate: t.Callable[[], t.Any] | None = None,
    ) -> _Schema:
        """Give ``app``'s databases their schema, unless they have it.

        ``migrate`` (called in an app context) replaces ``flask db upgrade``;
        ``tables`` replaces "every table of the models" for what the migrations
        do not create. Anything else in a database that must be made again is
        dropped first: point the app at databases used only by tests.
        """
        with app.app_context():
            engines = dict(db.engines)
            for engine in _all_engines(app):
                _speed_up_sqlite(engine)
            signature = _signature(app, engines, tables, migrate)
            schema = self._schemas.get(signature)
            states = {key: self._state(engine, signature, schema, key) for key, engine in engines.items()}
            if all(state == "ready" for state in states.values()):
                return t.cast(_Schema, schema)
            if schema is not None and all(state in ("ready", "restore") for state in states.values()):
                for key, state in states.items():
                    if state == "restore":
                        _restore(engines[key], self._template(signature, key))
                        self._prepared[url_key(engines[key].url)] = signature
                return schema
            return self._build(app, engines, signature, tables, migrate)

    def close(self) -> None:
        """Drop every table of the databases several tests used (at the end of the test session)."""
        for url in self._shared.values():
            engine = sa.create_engine(url)
            try:
                _drop_everything(engine)
            except sa.exc.SQLAlchemyError as exc:  # a database gone meanwhile: nothing to clean
                logger.warning("Could not empty the test database %s: %s", url.render_as_string(), exc)
            finally:
                engine.dispose()
        self._shared.clear()

    # -- helpers ----------------------------------------------------------------------------

    def _state(self, engine: sa.Engine, signature: tuple[t.Any, ...], schema: _Schema | None, key: str | None) -> str:
        url = url_key(engine.url)
        # On SQLite the same URL may be another database (sqlite:// in memory, a file deleted meanwhile).
        if engine.dialect.name == "sqlite" and _is_empty(engine):
            has_template = schema is not None and self._template(signature, key).is_file()
            return "restore" if has_template else "build"
        if self._prepared.get(url) == signature:
            self._shared[url] = engine.url
            return "ready"
        return "build"

    def _template(self, signature: tuple[t.Any, ...], key: str | None) -> Path:
        return self.directory / f"schema-{abs(hash(signature)):x}-{key or 'default'}.sqlite3"

    def _build(
        self,
        app: Flask,
        engines: dict[str | None, sa.Engine],
        signature: tuple[t.Any, ...],
        tables: t.Iterable[sa.Table] | None,
        migrate: t.Callable[[], t.Any] | None,
    ) -> _Schema:
        for engine in engines.values():
            if not _is_empty(engine):
                _drop_everything(engine)
        if migrate is None:
            import flask_migrate

            flask_migrate.upgrade(revision="heads")
        else:
            migrate()
        if tables is None:
            # Models without a migration yet, on the binds this app configures (the model registry is
            # per process, so it may also hold models of binds this app does not have).
            db.create_all(bind_key=list(engines))
        else:
            for key, engine in engines.items():
                mine = [table for table in tables if table.metadata.info.get("bind_key") == key]
                if mine:
                    db.metadatas[key].create_all(engine, tables=mine)
        db.session.remove()
        schema = _Schema(seeds={key: _rows(engine) for key, engine in engines.items()})
        self._schemas[signature] = schema
        for key, engine in engines.items():
            self._prepared[url_key(engine.url)] = signature
            if engine.dialect.name == "sqlite":
                _save_template(engine, self._template(signature, key))
        return schema


def _signature(
    app: Flask,
    engines: dict[str | None, sa.Engine],
    tables: t.Iterable[sa.Table] | None,
    migrate: t.Callable[[], t.Any] | None,
) -> tuple[t.Any, ...]:
    """What the schema depends on: the revision files, the settings a plugin's revisions read (its
    ``migration_settings``, as the auth plugin's ``AUTH_USER_MODEL``), the tables to create, how the
    migrations run."""
    from flaskkit import get_kit

    from .migrations import plugin_migrations

    read = tuple(
        (name, repr(app.config.get(name)))
        for plugin in get_kit(app).state(app).plugins.values()
        for name in getattr(plugin, "migration_settings", ())
    )
    directories: list[str] = []
    migrate_config = app.extensions.get("migrate")
    if migrate_config is not None:
        directories.append(os.path.join(os.fspath(migrate_config.directory), "versions"))
    directories += [declared.directory for declared in plugin_migrations(app)]
    files = tuple((directory, _listing(directory)) for directory in directories)
    if tables is None:
        wanted = tuple((key, tuple(sorted(db.metadatas[key].tables))) for key in engines if key in db.metadatas)
    else:
        wanted = (None, tuple(sorted(table.fullname for table in tables)))
    how = None if migrate is None else f"{migrate.__module__}.{migrate.__qualname__}"
    dialects = tuple((key, engine.dialect.name) for key, engine in engines.items())
    return (files, read, wanted, how, dialects)


def _listing(directory: str) -> tuple[tuple[str, int, int], ...]:
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return ()
    return tuple(sorted((e.name, e.stat().st_mtime_ns, e.stat().st_size) for e in entries if e.name.endswith(".py")))


def _speed_up_sqlite(engine: sa.Engine) -> None:
    if engine.dialect.name == "sqlite" and not sa_event.contains(engine, "connect", _no_fsync):
        sa_event.listen(engine, "connect", _no_fsync)


#: The ``connect`` listener that skips the fsync of each commit (a file a test holds locked on purpose
#: keeps its full sync: SqlitePragmas never fails a connection).
_no_fsync = SqlitePragmas((("synchronous", "off"),))


def _is_empty(engine: sa.Engine) -> bool:
    with engine.connect() as connection:
        return not sa.inspect(connection).get_table_names()


def _rows(engine: sa.Engine) -> dict[str, list[dict[str, t.Any]]]:
    """The rows of every table that has some (besides Alembic's)."""
    found: dict[str, list[dict[str, t.Any]]] = {}
    metadata = sa.MetaData()
    with engine.connect() as connection:
        metadata.reflect(bind=connection)
        for table in metadata.sorted_tables:
            if table.name in KEEP_TABLES:
                continue
            rows = [dict(row._mapping) for row in connection.execute(sa.select(table))]
            if rows:
                found[table.name] = rows
    return found


def _save_template(engine: sa.Engine, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    target = sqlite3.connect(path)
    try:
        with engine.connect() as connection:
            connection.commit()
            t.cast(sqlite3.Connection, connection.connection.driver_connection).backup(target)
    finally:
        target.close()


def _restore(engine: sa.Engine, path: Path) -> None:
    source = sqlite3.connect(path)
    try:
        with engine.connect() as connection:
            connection.commit()
            source.backup(t.cast(sqlite3.Connection, connection.connection.driver_connection))
    finally:
        source.close()


def _drop_everything(engine: sa.Engine) -> None:
    metadata = sa.MetaData()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        metadata.reflect(bind=connection)
        metadata.drop_all(bind=connection)
        connection.commit()
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def _empty_tables(engine: sa.Engine, seeds: dict[str, list[dict[str, t.Any]]]) -> None:
    """Delete every row (Alembic's bookkeeping aside), then put back the rows of the migrations."""
    metadata = sa.MetaData()
    with engine.connect() as connection:
        dialect = connection.dialect.name
        metadata.reflect(bind=connection)
        tables = [table for table in metadata.sorted_tables if table.name not in KEEP_TABLES]
        if not tables:
            return
        if dialect == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            if dialect == "postgresql":
                names = ", ".join(connection.dialect.identifier_preparer.format_table(table) for table in tables)
                connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            else:
                for table in reversed(tables):
                    connection.execute(table.delete())
                if dialect == "sqlite" and "sqlite_sequence" in sa.inspect(connection).get_table_names():
                    connection.exec_driver_sql("DELETE FROM sqlite_sequence")
            for table in tables:
                rows = seeds.get(table.name)
                if rows:
                    connection.execute(table.insert(), rows)
                    _restart_sequences(connection, table)
            connection.commit()
        finally:
            if dialect == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def _restart_sequences(connection: sa.Connection, table: sa.Table) -> None:
    """After rows are put back with their ids, PostgreSQL's next id must come after them."""
    if connection.dialect.name != "postgresql":
        return
    for column in table.primary_key.columns:
        if not isinstance(column.type, sa.Integer):
            continue
        name = connection.dialect.identifier_preparer.format_table(table)
        sequence = connection.scalar(
            sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
            {
                "table": name,
                "column": column.name,
            },
        )
        if sequence:
            connection.execute(
                sa.text(f"SELECT setval(:sequence, (SELECT coalesce(max({column.name}), 0) + 1 FROM {name}), false)"),
                {"sequence": sequence},
            )


# -- one test ----------------------------------------------------------------------------------------


class TestDatabase:
    """A test's databases: prepared, then in a transaction rolled back after (or emptied after)."""

    __test__ = False  # not a test class, for pytest

    def __init__(self, app: Flask, setup: DatabaseSetup, *, transactional: bool = False) -> None:
        self.app = app
        self.setup = setup
        self.transactional = transactional
        #: The ``on_commit`` callbacks of the transactions the app committed (savepoints, in truth).
        self.deferred: list[Callback] = []
        self._connections: dict[str, tuple[sa.Connection, sa.Transaction, t.Any]] = {}
        self._schema: _Schema | None = None

    def start(self) -> None:
        app = self.app
        if TEST_KEY in app.extensions:
            raise RuntimeError(f"The app {app.name!r} already runs a test in a database transaction.")
        self._schema = self.setup.prepare(app)
        app.extensions[TEST_KEY] = self
        if self.transactional:
            return
        joined: dict[object, sa.Connection] = {}
        for engine in engines_of(app).values():
            key = url_key(engine.url)
            if key not in self._connections:
                self._connections[key] = self._begin(engine)
            joined[engine] = joined[key] = self._connections[key][0]
        join_test_connections(app, joined)

    def finish(self) -> None:
        app = self.app
        if has_app_context() and current_app._get_current_object() is app:  # type: ignore[attr-defined]
            db.session.remove()  # the test's own session
        leave_test_connections(app)
        try:
            for connection, transaction, isolation in self._connections.values():
                connection.info.pop(TEST_KEY, None)  # the DBAPI connection's: it outlives this Connection
                try:
                    transaction.rollback()
                finally:
                    if isolation is not _NOT_SQLITE:
                        connection.connection.driver_connection.isolation_level = isolation  # type: ignore[union-attr]
                    connection.close()
            self._connections.clear()
            if self.transactional and self._schema is not None:
                for key, engine in engines_of(app).items():
                    engine.dispose()  # idle connections of the test (SQLite: no reader left to wait for)
                    _empty_tables(engine, self._schema.seeds.get(key, {}))
        finally:
            app.extensions.pop(TEST_KEY, None)
            for engine in _all_engines(app):
                engine.dispose()

    def _begin(self, engine: sa.Engine) -> tuple[sa.Connection, sa.Transaction, t.Any]:
        connection = engine.connect()
        isolation: t.Any = _NOT_SQLITE
        if connection.dialect.name == "sqlite":
            # pysqlite opens transactions by itself and lets SAVEPOINT commit them: in autocommit mode,
            # with an explicit BEGIN, SQLite's savepoints nest as they should (SQLAlchemy's documented recipe).
            raw = connection.connection.driver_connection
            isolation = raw.isolation_level  # type: ignore[union-attr]
            raw.isolation_level = None  # type: ignore[union-attr]
        transaction = connection.begin()
        if isolation is not _NOT_SQLITE:
            connection.exec_driver_sql("BEGIN")
        connection.info[TEST_KEY] = self
        return connection, transaction, isolation


_NOT_SQLITE = object()


def active_test_database(app: Flask | None = None) -> TestDatabase | None:
    """The :class:`TestDatabase` in force for ``app`` (default: the current app), if any."""
    if app is None:
        if not has_app_context():
            return None
        app = t.cast("Flask", current_app._get_current_object())  # type: ignore[attr-defined]
    return t.cast("TestDatabase | None", app.extensions.get(TEST_KEY))


# Sessions on a test's connection note it; their commits (savepoint releases) do not run on_commit
# callbacks: the callbacks wait for capture_on_commit_callbacks(), as in Django's TestCase. These
# listeners come before transactions.py's (insert=True), which then find nothing to run.


@sa_event.listens_for(Session, "after_begin")
def _note_test_connection(session: sa_orm.Session, transaction: t.Any, connection: sa.Connection) -> None:
    database = connection.info.get(TEST_KEY)
    if database is not None:
        session.info[TEST_KEY] = database


@sa_event.listens_for(Session, "after_transaction_end", insert=True)
def _defer_on_commit(session: sa_orm.Session, transaction: sa_orm.SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    database: TestDatabase | None = session.info.get(TEST_KEY)
    if database is None or database.transactional:
        return
    committed = session.info.pop(_COMMITTED, False)
    pending: list[Callback] | None = session.info.pop(_PENDING, None)
    if committed and pending:
        database.deferred.extend(pending)


@contextlib.contextmanager
def capture_on_commit_callbacks(*, app: Flask | None = None, execute: bool = False) -> t.Iterator[list[t.Any]]:
    """Collect the ``on_commit`` callbacks of the transactions committed in the block (Django's
    ``TestCase.captureOnCommitCallbacks``); with ``execute=True``, run them at the end of the block,
    with those they register in turn.

    ::

        with capture_on_commit_callbacks(execute=True) as callbacks:
            client.post("/contact/", data={...})
        assert len(callbacks) == 1

    Under the ``db`` fixture only: with ``transactional_db`` the callbacks run at each commit.
    """
    database = active_test_database(app)
    if database is None or database.transactional:
        raise RuntimeError(
            "capture_on_commit_callbacks() works in a test that runs in a transaction (the db fixture), where "
            "nothing is committed; with transactional_db (or no test database) the callbacks run at each commit."
        )
    callbacks: list[t.Any] = []
    start = len(database.deferred)
    try:
        yield callbacks
    finally:
        while True:
            count = len(database.deferred)
            for _savepoint, func, robust in database.deferred[start:count]:
                callbacks.append(func)
                if not execute:
                    continue
                if not robust:
                    func()
                    continue
                try:
                    func()
                except Exception:
                    logger.exception("The on_commit callback %r raised (robust=True).", func)
            if count == len(database.deferred):
                break
            start = count

"""The db engine: its own connection and transactions, its migration, its checks; on SQLite and PostgreSQL."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from flask import session
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from flaskkit import ConfigurationError
from flaskkit import create_app
from flaskkit.plugins.orm import IdMixin
from flaskkit.plugins.orm import Model
from flaskkit.plugins.orm import db
from flaskkit.plugins.session.models import session_table
from tests.conftest import settings

from .conftest import Probe
from .conftest import cookie_value
from .conftest import session_plugin

db_engines = pytest.mark.parametrize("engine", ["db-sqlite", "db-postgres"])


class SessionTestNote(IdMixin, Model):
    __tablename__ = "session_test_note"
    text: Mapped[str] = mapped_column(sa.String(50))


def add_note_views(app):
    with app.app_context():
        SessionTestNote.__table__.create(db.engine, checkfirst=True)
        db.session.execute(sa.delete(SessionTestNote))
        db.session.commit()

    @app.post("/note")
    def note():
        db.session.add(SessionTestNote(text="uncommitted"))
        if app.config.get("FLUSH_NOTE"):
            db.session.flush()  # the row is written in the view's open transaction
        session["noted"] = True
        return "noted"

    @app.post("/note-commit")
    def note_commit():
        db.session.add(SessionTestNote(text="committed"))
        db.session.commit()
        session["noted"] = True
        return "noted"


def notes(app) -> list[str]:
    """The notes another connection sees: what is committed."""
    with app.app_context(), db.engine.connect() as connection:
        return list(connection.execute(sa.select(SessionTestNote.text)).scalars())


@db_engines
def test_the_views_uncommitted_row_stays_uncommitted(new_app, engine):
    # Flask-Session's SQLAlchemy backend committed it (django-parity.md §0.2 #4).
    app = new_app(engine)
    add_note_views(app)
    client = app.test_client()
    response = client.post("/note")
    assert response.status_code == 200
    key = cookie_value(response)
    assert Probe(app).session_ids() == {key}  # the session row is committed, on its own connection
    assert notes(app) == []  # the view's row was not
    assert client.get("/types").json == {"noted": ["bool", "True"]}


def test_a_flushed_uncommitted_row_stays_uncommitted_on_postgres(new_app):
    app = new_app("db-postgres", FLUSH_NOTE=True)
    add_note_views(app)
    client = app.test_client()
    started = time.perf_counter()
    key = cookie_value(client.post("/note"))
    assert time.perf_counter() - started < 2  # row locks: the session write does not wait for the view
    assert Probe(app).session_ids() == {key}
    assert notes(app) == []


@db_engines
def test_atomic_requests_commit_the_view_then_the_session_is_saved(new_app, engine):
    app = new_app(engine, ATOMIC_REQUESTS=True, FLUSH_NOTE=True)
    add_note_views(app)
    started = time.perf_counter()
    key = cookie_value(app.test_client().post("/note"))
    assert time.perf_counter() - started < 2  # even SQLite: the view's transaction ended before the save
    assert notes(app) == ["uncommitted"]
    assert Probe(app).session_ids() == {key}


@db_engines
def test_a_view_that_commits_keeps_both(new_app, engine):
    app = new_app(engine)
    add_note_views(app)
    key = cookie_value(app.test_client().post("/note-commit"))
    assert notes(app) == ["committed"]
    assert Probe(app).session_ids() == {key}


@db_engines
def test_the_store_never_touches_the_orm_session(new_app, engine):
    app = new_app(engine)
    seen: list[str] = []
    from flaskkit.plugins.orm.database import Session as OrmSession

    def after_begin(session, transaction, connection):
        seen.append("begin")

    sa.event.listen(OrmSession, "after_begin", after_begin)
    try:
        client = app.test_client()
        client.get("/incr")
        client.get("/read")
        client.post("/cycle")
        client.post("/flush")
    finally:
        sa.event.remove(OrmSession, "after_begin", after_begin)
    assert seen == []


@db_engines
def test_statements_per_request(new_app, engine):
    """Nothing for an untouched session, one SELECT for a read, no write for a read-only request."""
    app = new_app(engine)
    statements: list[str] = []
    sql_engine = session_plugin(app).store.sql_engine

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.split()[0].upper())

    sa.event.listen(sql_engine, "before_cursor_execute", record)
    client = app.test_client()
    try:
        client.get("/incr")
        assert statements == ["INSERT"]
        statements.clear()
        client.get("/nothing")
        assert statements == []
        client.get("/read")
        assert statements == ["SELECT"]
        statements.clear()
        client.get("/incr")
        assert statements == ["SELECT", "UPDATE"]
    finally:
        sa.event.remove(sql_engine, "before_cursor_execute", record)
    assert sql_engine.pool.checkedout() == 0  # no connection stays out after a request


def test_two_apps_in_one_process(tmp_path):
    # Flask-Session 0.8.0: "Table 'sessions' is already defined" on the second app (flask-session#245).
    apps = [
        create_app(
            settings(PLUGINS=["orm", "session"], SESSION_ENGINE="db"),
            import_name=f"app{number}",
            instance_path=str(tmp_path / f"app{number}"),
        )
        for number in (1, 2)
    ]
    try:
        clients = []
        for app in apps:
            assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0

            @app.get("/incr")
            def incr():
                session["n"] = session.get("n", 0) + 1
                return str(session["n"])

            clients.append(app.test_client())
        assert clients[0].get("/incr").data == b"1"
        assert clients[0].get("/incr").data == b"2"
        assert clients[1].get("/incr").data == b"1"
        stores = [session_plugin(app).store for app in apps]
        assert stores[0].sql_engine.url != stores[1].sql_engine.url
        assert [len(Probe(app).session_ids()) for app in apps] == [1, 1]
    finally:
        for app in apps:
            session_plugin(app).store.close()
            with app.app_context():
                for engine in db.engines.values():
                    engine.dispose()


def test_in_memory_sqlite_is_refused(tmp_path):
    with pytest.raises(ConfigurationError) as info:
        create_app(
            settings(PLUGINS=["orm", "session"], SESSION_ENGINE="db", DATABASE_URL="sqlite://"),
            instance_path=str(tmp_path),
        )
    assert info.value.message.startswith("SESSION_ENGINE is 'db' but the database is an in-memory SQLite database")


@db_engines
def test_migration_matches_the_table_definition(new_app, engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    app = new_app(engine)
    store = session_plugin(app).store
    with store.sql_engine.connect() as connection:
        only_ours = {"include_name": lambda name, type_, parents: type_ != "table" or name == "flaskkit_session"}
        context = MigrationContext.configure(connection, opts={**only_ours, "compare_type": True})
        diffs = compare_metadata(context, session_plugin(app).metadata)
        inspector = sa.inspect(connection)
        columns = {c["name"]: c for c in inspector.get_columns("flaskkit_session")}
        indexes = inspector.get_indexes("flaskkit_session")
    assert diffs == []
    assert list(columns) == ["session_key", "session_data", "expire_date"]
    assert [i["column_names"] for i in indexes] == [["expire_date"]]
    if engine == "db-postgres":
        assert str(columns["expire_date"]["type"]) == "TIMESTAMP"
        assert columns["expire_date"]["type"].timezone is True


def test_migration_is_a_branch_of_its_own_and_goes_down(new_app):
    from alembic.script import ScriptDirectory

    app = new_app("db-sqlite")
    runner = app.test_cli_runner()
    with app.app_context():
        scripts = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        [head] = scripts.get_revisions("heads")
    assert (head.revision, head.branch_labels, head.down_revision) == ("flaskkit_session_0001", {"session"}, None)
    result = runner.invoke(args=["db", "downgrade", "session@base"])
    assert result.exit_code == 0, result.output
    with session_plugin(app).store.sql_engine.connect() as connection:
        assert not sa.inspect(connection).has_table("flaskkit_session")


def test_missing_table_check_and_error(tmp_path):
    app = create_app(
        settings(PLUGINS=["orm", "session"], SESSION_ENGINE="db", SESSION_COOKIE_SECURE=True, TESTING=True),
        import_name="nomigration",
        instance_path=str(tmp_path),
    )  # booting does not need the table: database checks do not run at boot

    @app.get("/incr")
    def incr():
        session["n"] = 1
        return "ok"

    try:
        result = app.test_cli_runner().invoke(args=["kit", "check"])
        assert result.exit_code == 1
        assert "SESSION_ENGINE: (session.E002) SESSION_ENGINE is 'db' but the table 'flaskkit_session' does not " in (
            result.output
        )
        assert "HINT: Run: flask db upgrade (the session plugin ships the table's migration)." in result.output
        with pytest.raises(RuntimeError, match=r"The session table 'flaskkit_session' does not exist in the database "):
            app.test_client().get("/incr")
        assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
        result = app.test_cli_runner().invoke(args=["kit", "check", "--tag", "session"])
        assert (result.exit_code, result.output) == (0, "Checks identified no issues (0 silenced).\n")
        assert app.test_client().get("/incr").status_code == 200
    finally:
        session_plugin(app).store.close()
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()


@db_engines
def test_clearsessions(new_app, engine):
    app = new_app(engine)
    keys = [cookie_value(app.test_client().get("/incr")) for _ in range(3)]
    probe = Probe(app)
    probe.expire_now(keys[0])
    result = app.test_cli_runner().invoke(args=["kit", "clearsessions"])
    assert (result.exit_code, result.output) == (0, "Removed 1 expired session (db engine).\n")
    assert probe.session_ids() == set(keys[1:])


@db_engines
def test_expire_date_is_aware_utc(new_app, engine):
    app = new_app(engine)
    key = cookie_value(app.test_client().get("/incr"))
    with session_plugin(app).store.sql_engine.connect() as connection:
        value = connection.execute(
            sa.select(session_table.c.expire_date).where(session_table.c.session_key == key)
        ).scalar_one()
    expected = time.time() + 1_209_600
    if engine == "db-postgres":
        assert value.utcoffset() is not None
        assert value.timestamp() == pytest.approx(expected, abs=5)
    else:  # SQLite stores the UTC wall time
        assert value.replace(tzinfo=__import__("datetime").UTC).timestamp() == pytest.approx(expected, abs=5)

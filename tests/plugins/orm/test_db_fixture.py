"""The ``db`` and ``transactional_db`` fixtures on SQLite and PostgreSQL: a transaction per test,
savepoints for the app's commits, ``on_commit`` captured, real commits and emptied tables."""

from __future__ import annotations

import typing as t

import pytest
import sqlalchemy as sa
from flask import request

from flaskkit.plugins.orm import db as orm_db
from flaskkit.plugins.orm import on_commit
from flaskkit.plugins.orm.testing import TestDatabase
from flaskkit.plugins.orm.testing import capture_on_commit_callbacks

from .models import Author
from .models import Book

if t.TYPE_CHECKING:
    from flask import Flask

    from .conftest import AppFactory


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    """An app on the test's backend, without tables: the fixtures make them."""
    app = make_app()
    calls: list[str] = []
    app.extensions["calls"] = calls

    @app.post("/authors")
    def add_author() -> tuple[str, int]:
        name = request.args["name"]
        orm_db.session.add(Author(name=name))
        on_commit(lambda: calls.append(name))
        try:
            orm_db.session.commit()
        except sa.exc.IntegrityError:
            orm_db.session.rollback()
            return "taken", 409
        return "created", 201

    @app.get("/authors")
    def count_authors() -> str:
        return str(orm_db.session.scalar(sa.select(sa.func.count()).select_from(Author)))

    return app


def authors() -> int:
    return t.cast(int, orm_db.session.scalar(sa.select(sa.func.count()).select_from(Author)))


def rows_seen_by_a_new_connection(app: Flask) -> int:
    with app.app_context(), orm_db.engine.connect() as connection:
        return t.cast(int, connection.scalar(sa.select(sa.func.count()).select_from(Author)))


def test_the_schema_has_the_tables_of_every_model(db):
    tables = set(sa.inspect(db.engine).get_table_names())
    assert {"orm_test_author", "orm_test_book", "orm_test_token"} <= tables


def test_the_apps_commits_are_savepoints_the_test_sees(db, client):
    assert client.post("/authors?name=ada").status_code == 201
    assert authors() == 1
    assert client.get("/authors").text == "1"
    db.session.add(Author(name="bob"))
    db.session.commit()
    assert client.get("/authors").text == "2"


def test_each_test_starts_empty(db, client):
    assert authors() == 0
    assert client.get("/authors").text == "0"


def test_everything_is_rolled_back_at_the_end(app, kit_db_setup, backend):
    with app.app_context():
        database = TestDatabase(app, kit_db_setup)
        database.start()
        orm_db.session.add(Author(name="test"))
        orm_db.session.commit()
        assert app.test_client().post("/authors?name=view").status_code == 201
        if backend == "postgresql":  # uncommitted: another connection does not see them
            assert rows_seen_by_a_new_connection(app) == 0
        database.finish()
    assert rows_seen_by_a_new_connection(app) == 0


def test_a_failed_commit_in_a_view_rolls_back_its_own_savepoint_only(db, client):
    db.session.add(Author(name="ada"))
    db.session.commit()
    assert client.post("/authors?name=ada").status_code == 409  # unique name: the view rolls back
    assert client.post("/authors?name=bob").status_code == 201
    assert sorted(db.session.scalars(sa.select(Author.name))) == ["ada", "bob"]


def test_savepoints_of_the_test_itself_nest(db):
    ada = Author(name="ada")
    db.session.add(ada)
    db.session.commit()
    with db.session.begin_nested() as savepoint:
        db.session.add(Book(title="dropped", author=ada))
        db.session.flush()
        savepoint.rollback()
    db.session.add(Book(title="kept", author=ada))
    db.session.commit()
    assert list(db.session.scalars(sa.select(Book.title))) == ["kept"]


def test_on_commit_callbacks_wait_to_be_captured_as_in_djangos_testcase(app, db, client):
    calls = app.extensions["calls"]
    client.post("/authors?name=never")
    assert calls == []  # the transaction is never committed
    with capture_on_commit_callbacks() as callbacks:
        client.post("/authors?name=captured")
    assert len(callbacks) == 1 and calls == []
    with capture_on_commit_callbacks(execute=True) as callbacks:
        client.post("/authors?name=run")
    assert len(callbacks) == 1
    assert calls == ["run"]


def test_callbacks_registered_by_captured_callbacks_run_too(db, capture_on_commit_callbacks):
    ran: list[str] = []

    def first() -> None:
        ran.append("first")
        db.session.add(Author(name="from the callback"))
        on_commit(lambda: ran.append("second"))
        db.session.commit()

    with capture_on_commit_callbacks(execute=True) as callbacks:
        db.session.add(Author(name="ada"))
        on_commit(first)
        db.session.commit()
    assert ran == ["first", "second"]
    assert len(callbacks) == 2


def test_a_rolled_back_savepoint_drops_its_callbacks(db, capture_on_commit_callbacks):
    with capture_on_commit_callbacks() as callbacks:
        db.session.add(Author(name="ada"))
        with db.session.begin_nested() as savepoint:
            on_commit(lambda: None)
            savepoint.rollback()
        on_commit(print)
        db.session.commit()
    assert callbacks == [print]


def test_transactional_db_commits_for_real_and_runs_the_callbacks(app, transactional_db, client):
    assert client.post("/authors?name=ada").status_code == 201
    assert app.extensions["calls"] == ["ada"]
    assert rows_seen_by_a_new_connection(app) == 1


def test_transactional_db_has_nothing_to_capture(transactional_db, capture_on_commit_callbacks):
    with (
        pytest.raises(RuntimeError, match=r"with transactional_db .* the callbacks run at each commit"),
        capture_on_commit_callbacks(),
    ):
        pass


def test_a_transactional_test_leaves_empty_tables(app, kit_db_setup):
    with app.app_context():
        database = TestDatabase(app, kit_db_setup, transactional=True)
        database.start()
        orm_db.session.add_all([Author(name="ada"), Author(name="bob")])
        orm_db.session.commit()
        assert rows_seen_by_a_new_connection(app) == 2
        database.finish()
    assert rows_seen_by_a_new_connection(app) == 0
    with app.app_context():  # and the ids start again
        database = TestDatabase(app, kit_db_setup, transactional=True)
        database.start()
        author = Author(name="cy")
        orm_db.session.add(author)
        orm_db.session.commit()
        assert author.id == 1
        database.finish()


def test_one_test_database_per_app_at_a_time(app, kit_db_setup):
    with app.app_context():
        first = TestDatabase(app, kit_db_setup)
        first.start()
        with pytest.raises(RuntimeError, match="already runs a test in a database transaction"):
            TestDatabase(app, kit_db_setup).start()
        first.finish()


def test_the_db_fixture_needs_the_orm_plugin(pytester: pytest.Pytester):
    pytester.makeini("[pytest]\nflaskkit_settings = tests.settings\n")
    pytester.makepyfile(
        test_no_orm="""
        def test_needs_db(transactional_db):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*The transactional_db fixture needs the orm plugin: add 'orm' to PLUGINS*"])


def test_sqlite_databases_of_apps_under_test_skip_fsync(tmp_path):
    # Whatever made the app (here create_app itself), a test run's SQLite connections do not fsync.
    from flaskkit import create_app
    from tests.conftest import settings

    app = create_app(
        settings(PLUGINS=["orm", "session"], SESSION_ENGINE="db", DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}"),
        import_name="nofsync",
        instance_path=str(tmp_path / "instance"),
    )
    from flaskkit.plugins.orm.testing import _all_engines

    engines = _all_engines(app)
    assert len(engines) == 2  # db's and the session store's
    for engine in engines:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 0  # OFF
        engine.dispose()

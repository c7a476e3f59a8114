"""ATOMIC_REQUESTS, non_atomic, on_commit, and connections given back after every request."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from flask import Flask
from flask import Response
from flask import abort
from flask import stream_with_context
from flask.views import MethodView

from flaskkit.plugins.orm import db
from flaskkit.plugins.orm import non_atomic
from flaskkit.plugins.orm import on_commit

from .conftest import checked_out
from .models import Author


class Conflict(Exception):
    pass


def count(app: Flask) -> int:
    """Rows of Author, seen from a new app context (a new session)."""
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Author)) or 0


def add_views(app: Flask, calls: list[str] | None = None) -> None:
    """Views that flush an author and then end in every way a view can."""

    def flush(name: str) -> None:
        db.session.add(Author(name=name))
        db.session.flush()
        if calls is not None:
            on_commit(lambda: calls.append(name))

    @app.errorhandler(Conflict)
    def conflict(error: Conflict) -> tuple[str, int]:
        return "conflict", 409

    @app.route("/ok")
    def ok() -> str:
        flush("ok")
        return "ok"

    @app.route("/server-error")
    def server_error() -> tuple[str, int]:
        flush("server-error")
        return "failed, but returned", 500

    @app.route("/not-found")
    def not_found() -> str:
        flush("not-found")
        abort(404)

    @app.route("/handled")
    def handled() -> str:
        flush("handled")
        raise Conflict()

    @app.route("/crash")
    def crash() -> str:
        flush("crash")
        raise RuntimeError("boom")

    @app.route("/read")
    def read() -> str:
        return str(db.session.scalar(sa.select(sa.func.count()).select_from(Author)))

    @app.route("/add-only")
    def add_only() -> str:
        db.session.add(Author(name="add-only"))
        return "not committed"

    @app.route("/stream")
    def stream() -> Response:
        def rows():
            yield "start "
            yield str(db.session.scalar(sa.select(sa.func.count()).select_from(Author)))

        return Response(stream_with_context(rows()))

    @app.route("/opted-out")
    @non_atomic
    def opted_out() -> str:
        flush("opted-out")
        return "returned without commit"

    @non_atomic
    class OptedOutView(MethodView):
        def post(self) -> str:
            flush("opted-out-class")
            return "returned without commit"

    app.add_url_rule("/opted-out-class", view_func=OptedOutView.as_view("opted_out_class"))


@pytest.fixture
def atomic_app(make_app):
    app = make_app(tables=True, ATOMIC_REQUESTS=True, TESTING=False)
    add_views(app)
    return app


# -- ATOMIC_REQUESTS -----------------------------------------------------------------------


@pytest.mark.parametrize(("path", "status"), [("/ok", 200), ("/server-error", 500)])
def test_a_view_that_returns_commits_whatever_the_status(atomic_app, path, status):
    assert atomic_app.test_client().get(path).status_code == status
    assert count(atomic_app) == 1
    assert checked_out(atomic_app) == 0


@pytest.mark.parametrize(("path", "status"), [("/not-found", 404), ("/handled", 409), ("/crash", 500)])
def test_a_view_that_raises_rolls_back_even_when_the_error_is_handled(atomic_app, path, status):
    assert atomic_app.test_client().get(path).status_code == status
    assert count(atomic_app) == 0
    assert checked_out(atomic_app) == 0


def test_an_exception_that_propagates_is_rolled_back_too(make_app):
    app = make_app(tables=True, ATOMIC_REQUESTS=True, TESTING=True)  # the exception reaches the test
    add_views(app)
    with pytest.raises(RuntimeError, match="boom"):
        app.test_client().get("/crash")
    assert count(app) == 0
    assert checked_out(app) == 0


def test_non_atomic_views_are_left_alone(atomic_app):
    client = atomic_app.test_client()
    assert client.get("/opted-out").status_code == 200
    assert client.post("/opted-out-class").status_code == 200
    assert count(atomic_app) == 0  # nothing committed them: Flask-SQLAlchemy discards uncommitted work
    assert client.get("/ok").status_code == 200
    assert count(atomic_app) == 1


def test_without_atomic_requests_uncommitted_work_is_discarded(make_app):
    app = make_app(tables=True, TESTING=False)
    add_views(app)
    assert Flask.dispatch_request.__get__(app) == app.dispatch_request  # no wrapper, no per-request cost
    client = app.test_client()
    for path in ("/ok", "/add-only", "/server-error"):
        assert client.get(path).status_code in (200, 500)
    assert count(app) == 0
    assert checked_out(app) == 0


def test_hooks_and_error_handlers_run_outside_the_views_transaction(make_app):
    app = make_app(tables=True, ATOMIC_REQUESTS=True, TESTING=False)

    @app.errorhandler(Conflict)
    def audit(error: Conflict) -> tuple[str, int]:
        db.session.add(Author(name="audit"))
        db.session.commit()
        return "conflict", 409

    @app.route("/fail")
    def fail() -> str:
        db.session.add(Author(name="half-done"))
        db.session.flush()
        raise Conflict()

    assert app.test_client().get("/fail").status_code == 409
    with app.app_context():
        assert db.session.scalars(sa.select(Author.name)).all() == ["audit"]


def test_two_apps_one_atomic_one_not(make_app):
    atomic = make_app(tables=True, ATOMIC_REQUESTS=True, TESTING=False)
    plain = make_app(TESTING=False)
    add_views(atomic)
    add_views(plain)
    assert plain.test_client().get("/ok").status_code == 200
    assert atomic.test_client().get("/ok").status_code == 200
    assert count(atomic) == 1  # the same database: only the atomic app's row was committed


# -- on_commit ------------------------------------------------------------------------------


@pytest.fixture
def recording_app(make_app):
    calls: list[str] = []
    app = make_app(tables=True, ATOMIC_REQUESTS=True, TESTING=False)
    add_views(app, calls)
    app.extensions["calls"] = calls
    return app


def test_on_commit_runs_once_after_an_atomic_view_returns(recording_app):
    client = recording_app.test_client()
    assert client.get("/ok").status_code == 200
    assert client.get("/server-error").status_code == 500
    assert recording_app.extensions["calls"] == ["ok", "server-error"]


@pytest.mark.parametrize("path", ["/not-found", "/handled", "/crash"])
def test_on_commit_never_runs_when_the_view_raises(recording_app, path):
    recording_app.test_client().get(path)
    assert recording_app.extensions["calls"] == []


def test_on_commit_in_an_atomic_view_that_has_not_touched_the_database_yet(make_app):
    app = make_app(tables=True, ATOMIC_REQUESTS=True)
    calls = []

    @app.route("/first")
    def first() -> str:
        on_commit(lambda: calls.append(count(app)))  # waits for the view's transaction
        db.session.add(Author(name="later"))
        return "ok"

    @app.route("/nothing")
    def nothing() -> str:
        on_commit(lambda: calls.append("nothing to commit"))
        return "ok"

    app.test_client().get("/first")
    app.test_client().get("/nothing")
    assert calls == [1, "nothing to commit"]


def test_on_commit_without_atomic_requests(app):
    calls = []
    with app.app_context():
        on_commit(lambda: calls.append("no transaction: at once"))
        assert calls == ["no transaction: at once"]

        db.session.add(Author(name="a"))
        on_commit(lambda: calls.append("committed"))
        assert calls == ["no transaction: at once"]
        db.session.commit()
        assert calls == ["no transaction: at once", "committed"]

        db.session.add(Author(name="b"))
        on_commit(lambda: calls.append("rolled back"))
        db.session.rollback()
        db.session.add(Author(name="c"))
        db.session.commit()  # a later commit does not run what the rollback dropped
        assert calls == ["no transaction: at once", "committed"]

        db.session.scalar(sa.select(Author.id).limit(1))  # a read opens a transaction too
        on_commit(lambda: calls.append("never committed"))
        db.session.close()
        db.session.add(Author(name="d"))
        db.session.commit()
        assert calls == ["no transaction: at once", "committed"]


def test_on_commit_follows_savepoints(app):
    calls = []
    with app.app_context():
        db.session.add(Author(name="outer"))
        on_commit(lambda: calls.append("outer"))
        with db.session.begin_nested():
            on_commit(lambda: calls.append("released savepoint"))
        savepoint = db.session.begin_nested()
        on_commit(lambda: calls.append("rolled back savepoint"))
        with db.session.begin_nested():
            on_commit(lambda: calls.append("inside the rolled back savepoint"))
        savepoint.rollback()
        assert calls == []  # releasing a savepoint is not the commit
        db.session.commit()
        assert calls == ["outer", "released savepoint"]


def test_on_commit_callbacks_may_use_the_database(app):
    seen = []
    with app.app_context():
        db.session.add(Author(name="Ada"))
        on_commit(lambda: seen.append(db.session.scalars(sa.select(Author.name)).all()))
        db.session.commit()
        assert seen == [["Ada"]]
    assert checked_out(app) == 0


def test_a_failing_callback_propagates_and_drops_the_next_ones(app):
    calls = []

    def fail() -> None:
        raise ValueError("mail server down")

    with app.app_context():
        db.session.add(Author(name="a"))
        on_commit(fail)
        on_commit(lambda: calls.append("after"))
        with pytest.raises(ValueError, match="mail server down"):
            db.session.commit()
        assert calls == []
    assert count(app) == 1  # the commit itself happened


def test_robust_callbacks_log_and_go_on(app, caplog):
    calls = []

    def fail() -> None:
        raise ValueError("mail server down")

    with app.app_context(), caplog.at_level(logging.ERROR, logger="flaskkit.orm"):
        db.session.add(Author(name="a"))
        on_commit(fail, robust=True)
        on_commit(lambda: calls.append("after"))
        db.session.commit()
    assert calls == ["after"]
    assert "The on_commit callback" in caplog.text
    assert "ValueError: mail server down" in caplog.text


def test_on_commit_needs_a_callable(app):
    with app.app_context(), pytest.raises(TypeError, match=r"^on_commit\(\) needs a callable, not 'x'\.$"):
        on_commit("x")  # type: ignore[arg-type]


# -- connections ------------------------------------------------------------------------------


@pytest.mark.parametrize("atomic", [False, True], ids=["plain", "atomic"])
def test_no_connection_stays_checked_out_whatever_the_view_did(make_app, atomic):
    app = make_app(tables=True, ATOMIC_REQUESTS=atomic, TESTING=False)
    add_views(app)
    client = app.test_client()
    for path in ("/ok", "/server-error", "/not-found", "/handled", "/crash", "/read", "/add-only", "/opted-out"):
        client.get(path)
        assert checked_out(app) == 0, path
    response = client.get("/stream")
    assert response.get_data(as_text=True).startswith("start ")
    response.close()
    assert checked_out(app) == 0
    with client.get("/stream", buffered=False) as response:
        assert next(response.response) == b"start "  # the view's generator holds the app context...
    assert checked_out(app) == 0  # ...until the response is closed

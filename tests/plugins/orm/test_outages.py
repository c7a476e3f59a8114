"""The database going away (PostgreSQL behind a TCP proxy the test cuts), missing tables, and the start-up warning."""

from __future__ import annotations

import logging
import typing as t

import pytest
import sqlalchemy as sa
from flask import abort

from flaskkit import create_app
from flaskkit.plugins.orm import db
from tests.conftest import settings
from tests.servers import free_port
from tests.servers import tcp_proxy

if t.TYPE_CHECKING:
    from flask import Flask

ITEMS = sa.Table(
    "outage_item", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.Text)
)


def make_app(url: str, **extra: t.Any) -> Flask:
    app = create_app(settings(**{"PLUGINS": ["orm"], "DATABASE_URL": url, "ATOMIC_REQUESTS": True, **extra}))

    @app.get("/items")
    def items() -> str:
        return str(db.session.scalar(sa.select(sa.func.count()).select_from(ITEMS)))

    @app.post("/items")
    def add() -> str:
        db.session.execute(ITEMS.insert().values(name="x"))
        return "added"

    @app.post("/duplicate")
    def duplicate() -> str:
        db.session.execute(ITEMS.insert().values(id=1, name="a"))
        db.session.execute(ITEMS.insert().values(id=1, name="b"))
        return "never"

    @app.get("/nowhere")
    def nowhere() -> str:
        abort(404)

    return app


@pytest.fixture
def proxied(pg_url: str) -> t.Iterator[tuple[t.Any, Flask]]:
    with tcp_proxy(pg_url) as (proxy, url):
        app = make_app(url)
        with app.app_context():
            ITEMS.create(db.engine)
        try:
            yield proxy, app
        finally:
            with app.app_context():
                db.engine.dispose()


def outage_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "flaskkit.services" and r.levelno >= logging.ERROR]


def test_a_lost_database_is_a_503_and_the_first_request_after_it_succeeds(proxied, caplog):
    proxy, app = proxied
    client = app.test_client()
    assert client.get("/items").text == "0"
    assert client.post("/items").status_code == 200

    proxy.cut()
    with caplog.at_level(logging.WARNING):
        during = [client.get("/items") for _ in range(10)] + [client.post("/items") for _ in range(10)]
    assert {r.status_code for r in during} == {503}
    assert during[0].headers["Retry-After"] == "30"
    assert "Service unavailable" in during[0].text
    address = db_address(app)
    (line,) = outage_lines(caplog)
    assert line.startswith(f"PostgreSQL at {address} (DATABASE_URL) is unreachable: OperationalError: ")

    proxy.restore()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        first = client.get("/items")
    assert first.status_code == 200  # the pool's pre-ping replaced the dead connections
    assert first.text == "1"  # the writes answered 503 were not made
    assert any(m.startswith(f"PostgreSQL at {address} (DATABASE_URL) is reachable again") for m in caplog.messages)


def test_other_database_errors_are_still_server_errors(proxied):
    _, app = proxied
    client = app.test_client()
    assert client.post("/duplicate").status_code == 500  # an IntegrityError is a bug, not an outage
    assert client.get("/nowhere").status_code == 404
    assert client.get("/items").text == "0"


def db_address(app: Flask) -> str:
    with app.app_context():
        return db.engine.url.render_as_string(hide_password=True)


def test_a_missing_table_in_debug_names_it_and_the_command(tmp_path, caplog):
    app = make_app(f"sqlite:///{tmp_path / 'empty.db'}", DEBUG=True)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/items")
    assert response.status_code == 500
    assert "<h1>The table outage_item does not exist</h1>" in response.text
    assert "<pre><code>flask db upgrade</code></pre>" in response.text
    assert caplog.messages[0].startswith(
        f"The table 'outage_item' does not exist in the database sqlite:///{tmp_path / 'empty.db'}: the migrations "
        "that create it were not applied. Run: flask db upgrade"
    )


def test_a_missing_table_in_production_is_a_500_with_the_reason_logged_once(tmp_path, caplog):
    app = make_app(f"sqlite:///{tmp_path / 'empty.db'}")
    client = app.test_client()
    with caplog.at_level(logging.ERROR, logger="flaskkit.orm"):
        statuses = [client.get("/items").status_code for _ in range(3)]
    assert statuses == [500, 500, 500]
    lines = [r.getMessage() for r in caplog.records if r.name == "flaskkit.orm"]
    assert len(lines) == 1 and "Run: flask db upgrade" in lines[0]


def test_flask_db_upgrade_with_the_database_down_is_one_line(tmp_path):
    port = free_port()
    app = create_app(settings(PLUGINS=["orm"], DATABASE_URL=f"postgresql://app:secret@127.0.0.1:{port}/shop"))
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(
        f"Error: Cannot connect to the database postgresql+psycopg://app:***@127.0.0.1:{port}/shop "
        "(from the DATABASE_URL setting): OperationalError: connection failed: "
    )
    assert lines[0].endswith("Start the database server, or fix DATABASE_URL.")
    assert "secret" not in result.output


def test_the_first_request_warns_about_unapplied_migrations_and_missing_tables(tmp_path, caplog):
    from tests.plugins.orm.models import TABLES  # noqa: F401  (models on db.Model: their tables are expected)

    app = make_app(f"sqlite:///{tmp_path / 'empty.db'}", PLUGINS=["orm", "session"], SESSION_ENGINE="db")
    with app.app_context():
        ITEMS.create(db.engine)
    with caplog.at_level(logging.WARNING, logger="flaskkit.orm"):
        client = app.test_client()
        client.get("/items")
        client.get("/items")
    messages = [r.getMessage() for r in caplog.records if r.name == "flaskkit.orm"]
    assert len(messages) == 2  # once per process, not per request
    # and then off the request path: no before_request function left to call on later requests
    assert [f.__name__ for f in app.before_request_funcs.get(None, [])].count("check_database_once") == 0
    assert messages[0].startswith("orm: (orm.W001) The database has 1 unapplied migration (of: session).")
    assert "flask db upgrade" in messages[0]
    assert messages[1].startswith("orm: (orm.W005) The database has no table for ")


def test_the_start_up_warning_is_off_in_tests_and_when_silenced(tmp_path, caplog):
    for extra in ({"TESTING": True}, {"SILENCED_CHECKS": ["orm.W001", "orm.W005"]}):
        app = make_app(f"sqlite:///{tmp_path / 'empty.db'}", PLUGINS=["orm", "session"], **extra)
        with caplog.at_level(logging.WARNING, logger="flaskkit.orm"):
            app.test_client().get("/nowhere")
    assert [r for r in caplog.records if r.name == "flaskkit.orm"] == []


def test_postgresql_connections_give_up_after_ten_seconds_unless_told(tmp_path):
    import sqlalchemy as sa

    from flaskkit.plugins.orm.conf import engine_options

    def options(url: str, **config: t.Any) -> dict[str, t.Any]:
        app = create_app(settings(PLUGINS=["orm"], DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", **config))
        return engine_options(app, sa.make_url(url))

    assert options("postgresql+psycopg://h/db")["connect_args"] == {"connect_timeout": 10}
    assert "connect_args" not in options("postgresql+psycopg://h/db?connect_timeout=3")
    given = options("postgresql+psycopg://h/db", DATABASE_OPTIONS={"connect_args": {"connect_timeout": 2}})
    assert given["connect_args"] == {"connect_timeout": 2}
    assert "connect_args" not in options(f"sqlite:///{tmp_path / 'y.db'}")


def test_an_app_is_not_kept_alive_by_its_database_service(tmp_path):
    import gc
    import weakref

    app = make_app(f"sqlite:///{tmp_path / 'gone.db'}")
    with app.app_context():
        db.engine.connect().close()  # the engine exists and has handed out a connection
    ref = weakref.ref(app)
    del app
    gc.collect()
    assert ref() is None

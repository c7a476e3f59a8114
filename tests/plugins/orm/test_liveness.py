"""A pooled PostgreSQL connection: checked at checkout, pinged only when it may be dead, replaced when it is."""

from __future__ import annotations

import select

import psycopg
import pytest
import sqlalchemy as sa

from flaskkit import create_app
from flaskkit.plugins.orm import db
from flaskkit.plugins.orm.conf import engine_options
from flaskkit.plugins.orm.liveness import checked_checkout
from tests.conftest import settings


def boot(tmp_path, url, **values):
    values.setdefault("PLUGINS", ["orm"])
    return create_app(settings(DATABASE_URL=url, **values), instance_path=str(tmp_path / "instance"))


@pytest.fixture
def engine(tmp_path, pg_url):
    app = boot(tmp_path, pg_url, DATABASE_OPTIONS={"pool_size": 1, "max_overflow": 0})
    with app.app_context():
        yield db.engine
        db.engine.dispose()


def transaction_status_at_checkout(engine):
    """What the connection looked like right after the kit's check (IDLE: no SELECT 1 was sent)."""
    seen = []

    def after_check(dbapi_connection, connection_record, connection_proxy):
        seen.append(dbapi_connection.info.transaction_status)

    sa.event.listen(engine.pool, "checkout", after_check)  # (registered after the kit's: runs after it)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT 41 + 1").scalar() == 42
    finally:
        sa.event.remove(engine.pool, "checkout", after_check)
    return seen


def backend_pid(engine):
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()


def pooled_driver_connection(engine):
    with engine.connect() as connection:
        return connection.connection.driver_connection


def until_readable(raw):
    """Wait (bounded) for what the server sent to reach the pooled connection's socket.

    The server's message is sent asynchronously (pg_terminate_backend only signals the backend;
    NOTIFY is delivered when the listener's backend gets to it): the check must not be raced.
    """
    readable, _, _ = select.select([raw.pgconn.socket], [], [], 10)
    assert readable, "the server sent nothing to the pooled connection within 10 s"


def test_a_quiet_pooled_connection_is_handed_out_without_a_round_trip(engine):
    first = backend_pid(engine)
    assert transaction_status_at_checkout(engine) == [psycopg.pq.TransactionStatus.IDLE]
    assert backend_pid(engine) == first  # the same connection, reused


def test_a_connection_the_server_closed_is_replaced_before_the_query(engine, postgres_url):
    dead = backend_pid(engine)
    raw = pooled_driver_connection(engine)
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (dead,)).fetchone() == (True,)
    until_readable(raw)
    # The server's FATAL message waits on the pooled connection's socket: the check sees it.
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1
        assert connection.exec_driver_sql("SELECT pg_backend_pid()").scalar() != dead


def test_a_connection_with_something_to_read_is_pinged_for_real(engine, postgres_url):
    pid = backend_pid(engine)
    raw = pooled_driver_connection(engine)
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        # A notice the pooled connection has not read yet: LISTEN on it, NOTIFY from elsewhere.
        with engine.connect() as connection:
            connection.exec_driver_sql("LISTEN flaskkit_liveness")
            connection.commit()
        admin.execute("NOTIFY flaskkit_liveness")
        until_readable(raw)
        seen = transaction_status_at_checkout(engine)
    assert seen == [psycopg.pq.TransactionStatus.INTRANS]  # SELECT 1 ran: the connection was asked
    assert backend_pid(engine) == pid  # alive: kept


def test_a_closed_connection_is_replaced(engine):
    pid = backend_pid(engine)
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
    raw.close()  # closed behind the pool's back
    assert backend_pid(engine) != pid


@pytest.mark.parametrize("pre_ping", [True, False])
def test_pool_pre_ping_in_the_settings_is_sqlalchemys(tmp_path, pre_ping):
    app = boot(tmp_path, "postgresql://u@db.example.com/shop", DATABASE_OPTIONS={"pool_pre_ping": pre_ping})
    with app.app_context():
        assert db.engine.pool._pre_ping is pre_ping
        assert not sa.event.contains(db.engine.pool, "checkout", checked_checkout)


def test_other_server_databases_keep_sqlalchemys_pre_ping(tmp_path):
    app = boot(tmp_path, f"sqlite:///{tmp_path / 'site.db'}")
    assert engine_options(app, sa.make_url("mysql+pymysql://u@db.example.com/shop"))["pool_pre_ping"] is True
    assert "pool_pre_ping" not in engine_options(app, sa.make_url("postgresql+psycopg://u@db.example.com/shop"))
    assert engine_options(app, sa.make_url("postgresql+psycopg2://u@db.example.com/shop"))["pool_pre_ping"] is True


def test_the_session_stores_engine_is_checked_too(tmp_path, pg_url):
    app = boot(tmp_path, pg_url, PLUGINS=["orm", "session"], SESSION_ENGINE="db")
    store = app.extensions["flaskkit"].state(app).plugins["session"].store
    assert sa.event.contains(store.sql_engine.pool, "checkout", checked_checkout)

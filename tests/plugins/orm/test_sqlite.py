"""What each SQLite connection runs first: foreign keys on, then SQLITE_PRAGMAS (WAL by default)."""

from __future__ import annotations

import logging
import sqlite3

import pytest
import sqlalchemy as sa

from flaskkit import ConfigurationError
from flaskkit import create_app
from flaskkit.plugins.orm import db
from tests.conftest import settings


def boot(tmp_path, **values):
    values.setdefault("PLUGINS", ["orm"])
    values.setdefault("DATABASE_URL", f"sqlite:///{tmp_path / 'site.db'}")
    return create_app(settings(**values), instance_path=str(tmp_path / "instance"))


def pragmas(app, *names):
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                return tuple(connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in names)
        finally:
            db.engine.dispose()


def test_a_file_database_is_in_wal_mode_with_foreign_keys_on(tmp_path):
    app = boot(tmp_path)
    assert not (tmp_path / "site.db").exists()  # booting connects to nothing
    assert pragmas(app, "journal_mode", "foreign_keys") == ("wal", 1)
    # The mode is the file's: a plain sqlite3 connection (another process, the sqlite3 shell) finds it.
    with sqlite3.connect(tmp_path / "site.db") as plain:
        assert plain.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    plain.close()


def test_a_write_in_wal_mode_is_seen_by_a_new_connection(tmp_path):
    app = boot(tmp_path)
    with app.app_context():
        db.session.execute(sa.text("CREATE TABLE note (id INTEGER PRIMARY KEY, title TEXT)"))
        db.session.execute(sa.text("INSERT INTO note (title) VALUES ('kept')"))
        db.session.commit()
        db.engine.dispose()
    plain = sqlite3.connect(tmp_path / "site.db")
    try:
        assert plain.execute("SELECT title FROM note").fetchall() == [("kept",)]
    finally:
        plain.close()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"journal_mode": None}, ("delete", -2000)),
        (None, ("delete", -2000)),
        ({}, ("delete", -2000)),
        ({"journal_mode": "WAL", "cache_size": "-8000"}, ("wal", -8000)),
        ({"journal_mode": "truncate", "cache_size": 500}, ("truncate", 500)),
    ],
)
def test_sqlite_pragmas_replace_the_default(tmp_path, value, expected):
    # (synchronous is not looked at: in a test run, every app's SQLite skips the fsync, as the db fixture's do)
    assert pragmas(boot(tmp_path, SQLITE_PRAGMAS=value), "journal_mode", "cache_size") == expected


def test_sqlite_pragmas_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_SQLITE_PRAGMAS", '{"journal_mode": null, "cache_size": -4000}')
    app = create_app(
        settings(PLUGINS=["orm"], DATABASE_URL=f"sqlite:///{tmp_path / 'env.db'}"),
        instance_path=str(tmp_path / "instance"),
    )
    assert pragmas(app, "journal_mode", "cache_size") == ("delete", -4000)


def test_an_in_memory_database_is_left_as_it_is(tmp_path):
    app = boot(tmp_path, DATABASE_URL="sqlite://")
    assert pragmas(app, "journal_mode", "foreign_keys") == ("memory", 1)


def test_every_sqlite_bind_gets_the_pragmas(tmp_path):
    app = boot(tmp_path, SQLALCHEMY_BINDS={"other": f"sqlite:///{tmp_path / 'other.db'}"})
    with app.app_context():
        engine = db.engines["other"]
        try:
            with engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        finally:
            engine.dispose()
            db.engine.dispose()


def test_a_read_only_database_keeps_its_mode_and_serves(tmp_path, caplog):
    path = tmp_path / "site.db"
    plain = sqlite3.connect(path)
    plain.execute("CREATE TABLE note (title TEXT)")
    plain.execute("INSERT INTO note VALUES ('read only')")
    plain.commit()
    plain.close()
    app = boot(tmp_path, DATABASE_URL=f"sqlite:///file:{path}?mode=ro&uri=true")
    with caplog.at_level(logging.DEBUG, logger="flaskkit.orm"), app.app_context():
        try:
            assert db.session.execute(sa.text("SELECT title FROM note")).scalars().all() == ["read only"]
            assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "delete"
            db.session.rollback()
        finally:
            db.engine.dispose()
    assert "PRAGMA journal_mode=wal not applied: attempt to write a readonly database" in caplog.text


def test_a_database_another_connection_holds_is_served_in_its_own_mode(tmp_path):
    """The conversion needs the file to itself: a connection that cannot get it within the busy timeout
    serves in the file's mode, and a later connection converts the file."""
    path = tmp_path / "site.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE note (title TEXT)")
    holder.execute("BEGIN IMMEDIATE")  # a write in progress: others may read, not change the mode
    app = boot(tmp_path, DATABASE_OPTIONS={"connect_args": {"timeout": 0.05}})
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
            db.engine.dispose()
            holder.execute("COMMIT")
            with db.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        finally:
            holder.close()
            db.engine.dispose()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("wal", "SQLITE_PRAGMAS must be a dict of pragma names and values, not str 'wal'."),
        ({"journal mode": "wal"}, "SQLITE_PRAGMAS has the key 'journal mode', which is not a pragma name."),
        ({"journal_mode": "wal; DROP TABLE note"}, "SQLITE_PRAGMAS['journal_mode'] is 'wal; DROP TABLE note'"),
        ({"synchronous": True}, "SQLITE_PRAGMAS['synchronous'] is True; a pragma takes a keyword"),
        ({"cache_size": 1.5}, "SQLITE_PRAGMAS['cache_size'] is 1.5"),
        ({"foreign_keys": "off"}, "SQLITE_PRAGMAS sets foreign_keys, which flaskkit always turns on"),
    ],
)
def test_a_bad_value_stops_the_boot_naming_the_setting(tmp_path, value, message):
    with pytest.raises(ConfigurationError) as caught:
        boot(tmp_path, SQLITE_PRAGMAS=value)
    assert message in str(caught.value)
    assert caught.value.setting == "SQLITE_PRAGMAS"
    assert not (tmp_path / "site.db").exists()


def test_the_session_stores_engine_gets_the_same_pragmas(tmp_path):
    """The session plugin's db store has an engine of its own on the same file: the first to connect converts it."""
    app = boot(tmp_path, PLUGINS=["orm", "session"], SESSION_ENGINE="db", SQLITE_PRAGMAS={"cache_size": -3000})
    engine = app.extensions["flaskkit"].state(app).plugins["session"].store.sql_engine
    try:
        with engine.connect() as connection:
            pragmas = [connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in ("foreign_keys", "cache_size")]
        assert pragmas == [1, -3000]
    finally:
        engine.dispose()

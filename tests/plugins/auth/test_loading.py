"""The session's user loaded by primary key (``get_by_pk``): the object the ORM would load, for less."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import sqlalchemy.event as sa_event
import sqlalchemy.orm as sa_orm

from flaskkit.plugins.auth import User
from flaskkit.plugins.auth import loading
from flaskkit.plugins.orm import db
from flaskkit.plugins.orm.listeners import may_change_reads

from .conftest import log_in
from .conftest import whoami


@pytest.fixture
def ada(site):
    with site.app_context():
        return db.session.scalar(sa.select(User.id).filter_by(username="ada"))


def statements(app):
    """The SQL the app's engine runs while the block runs (a list filled in as it goes)."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", record)
    return seen, lambda: sa_event.remove(engine, "before_cursor_execute", record)


def _columns() -> list[str]:
    return [prop.key for prop in sa.inspect(User).column_attrs]


def no_orm(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the user was loaded through the ORM")

    monkeypatch.setattr(loading, "_orm_get", refuse)


def test_the_user_is_the_one_the_orm_loads(site, ada, monkeypatch):
    with site.app_context():
        expected = {key: getattr(db.session.get(User, ada), key) for key in _columns()}
        db.session.remove()
        no_orm(monkeypatch)
        user = loading.get_by_pk(User, ada)
        state = sa.inspect(user)
        assert state.persistent and not state.expired_attributes
        assert state.unloaded == set(sa.inspect(User).relationships.keys())  # every column loaded
        assert {key: getattr(user, key) for key in expected} == expected
        assert isinstance(user.date_joined, dt.datetime) and user.date_joined.tzinfo is not None
        assert db.session.get(User, ada) is user  # in the identity map
        assert not db.session.dirty and not db.session.new
        assert list(user.groups) == []  # relationships load lazily, as usual
        user.first_name = "Ada"
        db.session.commit()
        db.session.remove()
        assert db.session.get(User, ada).first_name == "Ada"


def test_an_unknown_key_is_none_and_a_loaded_user_needs_no_query(site, ada):
    seen, stop = statements(site)
    try:
        with site.app_context():
            assert loading.get_by_pk(User, ada + 1000) is None
            user = loading.get_by_pk(User, ada)
            count = len(seen)
            assert loading.get_by_pk(User, ada) is user
            assert len(seen) == count == 2
    finally:
        stop()


def test_the_kits_own_listeners_do_not_change_reads(site, ada, monkeypatch):
    no_orm(monkeypatch)
    with site.app_context():
        assert not may_change_reads(db.session())
    client = site.test_client()
    log_in(client)
    assert whoami(client)["username"] == "ada"


def test_a_listener_that_adds_criteria_is_honoured(site, ada):
    def hide_ada(state: sa_orm.ORMExecuteState) -> None:
        if state.is_select:
            state.statement = state.statement.options(
                sa_orm.with_loader_criteria(User, User.username != "ada", include_aliases=True)
            )

    from flaskkit.plugins.orm.database import Session as session_class

    sa_event.listen(session_class, "do_orm_execute", hide_ada)
    try:
        with site.app_context():
            assert may_change_reads(db.session())
            assert loading.get_by_pk(User, ada) is None
    finally:
        sa_event.remove(session_class, "do_orm_execute", hide_ada)


def test_load_listeners_of_the_model_still_run(site, ada):
    loaded: list[str] = []

    def on_load(target, context):
        loaded.append(target.username)

    sa_event.listen(User, "load", on_load)
    try:
        with site.app_context():
            assert loading.get_by_pk(User, ada).username == "ada"
    finally:
        sa_event.remove(User, "load", on_load)
    assert loaded == ["ada"]

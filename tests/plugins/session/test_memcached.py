"""The memcached store (Flask-Session's memcached server, flaskkit's semantics), on a memcached of the test's own."""

from __future__ import annotations

import logging
import typing as t

import pytest
from flask import jsonify
from flask import session

from flaskkit import ConfigurationError
from flaskkit import create_app
from flaskkit import get_kit
from tests.conftest import settings

if t.TYPE_CHECKING:
    from flask import Flask

ENGINE = "flaskkit.plugins.session.store_memcached:MemcachedStore"


_made: list[Flask] = []


@pytest.fixture(autouse=True)
def _close_clients() -> t.Iterator[None]:
    """pymemcache's sockets stay open until closed: close each app's store after the test."""
    yield
    while _made:
        store_of(_made.pop()).close()


def make_app(address: object, **extra: t.Any) -> Flask:
    app = create_app(settings(PLUGINS=["session"], SESSION_ENGINE=ENGINE, SESSION_MEMCACHED=address, **extra))
    _made.append(app)

    @app.post("/incr")
    def incr() -> t.Any:
        session["n"] = session.get("n", 0) + 1
        session["pair"] = (1, "two")
        return jsonify(n=session["n"])

    @app.get("/read")
    def read() -> t.Any:
        return jsonify(n=session.get("n"), pair=type(session.get("pair")).__name__)

    @app.post("/cycle")
    def cycle() -> str:
        session.cycle_key()
        return "cycled"

    @app.post("/logout")
    def logout() -> str:
        session.flush()
        return "bye"

    return app


def store_of(app: Flask) -> t.Any:
    return get_kit(app).state(app).plugins["session"].store


def test_sessions_round_trip_and_ids_die(own_memcached):
    app = make_app(own_memcached.address)
    client = app.test_client()
    assert client.post("/incr").json == {"n": 1}
    assert client.post("/incr").json == {"n": 2}
    assert client.get("/read").json == {"n": 2, "pair": "tuple"}  # the tagged-JSON serializer, as every engine
    old = client.get_cookie("session").value
    client.post("/cycle")
    assert client.get_cookie("session").value != old
    store = store_of(app)
    assert store.load(old) is None  # the old id is dead at once
    assert store.prefix == "session:flaskkit:" or store.prefix.startswith("session:")
    key = client.get_cookie("session").value
    assert store.client.get(store.prefix + key) is not None
    client.post("/logout")
    assert store.load(key) is None


def test_create_refuses_a_taken_id_and_update_never_revives_a_deleted_one(own_memcached):
    from datetime import UTC
    from datetime import datetime

    store = store_of(make_app(own_memcached.address))
    now = datetime.now(UTC)
    assert store.create("a" * 32, '{"x": 1}', now, 60) is True
    assert store.create("a" * 32, '{"x": 2}', now, 60) is False
    assert store.load("a" * 32) == '{"x": 1}'
    assert store.update("a" * 32, '{"x": 3}', now, 60) is True
    store.delete("a" * 32)
    assert store.update("a" * 32, '{"x": 4}', now, 60) is False
    assert store.load("a" * 32) is None


def test_memcached_down_is_a_503_logged_once_then_it_recovers(own_memcached, caplog):
    app = make_app(own_memcached.address)
    client = app.test_client()
    client.post("/incr")
    own_memcached.stop()
    with caplog.at_level(logging.ERROR, logger="flaskkit.services"):
        statuses = {client.get("/read").status_code for _ in range(5)}
    assert statuses == {503}
    lines = [r.getMessage() for r in caplog.records if r.name == "flaskkit.services"]
    assert len(lines) == 1
    assert lines[0].startswith(f"memcached at {own_memcached.address} (SESSION_MEMCACHED) is unreachable: ")
    own_memcached.start()
    assert client.get("/read").status_code == 200


def test_a_client_that_cannot_say_whether_it_wrote_is_refused():
    with pytest.raises(ConfigurationError) as raised:
        make_app(object())
    assert raised.value.setting == "SESSION_MEMCACHED"
    with pytest.raises(ConfigurationError, match="not 'host:port'"):
        make_app("localhost")

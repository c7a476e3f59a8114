"""Django's session behaviour on every engine, through create_app with only PLUGINS and SESSION_* settings.

The store is looked at from outside (files, Redis keys, table rows) by the Probe in conftest.py; the
redis and cache engines run on the real Redis, the db engine on SQLite and on the real PostgreSQL.
"""

from __future__ import annotations

import json
import time
from datetime import UTC
from datetime import datetime

import pytest

from .conftest import AGE
from .conftest import ENGINES
from .conftest import SERVER_ENGINES
from .conftest import Probe
from .conftest import cookie_of
from .conftest import cookie_value

engines = pytest.mark.parametrize("engine", ENGINES)
server_engines = pytest.mark.parametrize("engine", SERVER_ENGINES)


@engines
def test_round_trip_keeps_types(new_app, engine):
    client = new_app(engine).test_client()
    assert client.post("/types").status_code == 200
    assert client.get("/types").json == {
        "tuple": ["tuple", "(1, 'two', (3.5, None))"],
        "datetime": ["datetime", "datetime.datetime(2026, 11, 21, 8, 30, 15, tzinfo=datetime.timezone.utc)"],
        "markup": ["Markup", "Markup('<b>bold</b>')"],
        "bytes": ["bytes", "b'\\x00\\xff'"],
        "nested": ["dict", "{'list': [1, (2, 3)], ' t': 'a key that looks like a tag'}"],
    }


@server_engines
def test_store_holds_json_text_never_a_pickle(new_app, engine):
    app = new_app(engine)
    client = app.test_client()
    client.post("/types")
    [key] = Probe(app).session_ids()
    data = json.loads(Probe(app).raw(key))
    assert data["tuple"] == {" t": [1, "two", {" t": [3.5, None]}]}
    assert data["markup"] == {" m": "<b>bold</b>"}


@engines
def test_untouched_session_creates_nothing(new_app, engine):
    app = new_app(engine)
    response = app.test_client().get("/nothing")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Vary" not in response.headers
    if engine != "cookie":
        assert Probe(app).session_ids() == set()


@engines
def test_reading_an_empty_session_creates_nothing_but_varies(new_app, engine):
    app = new_app(engine)
    client = app.test_client()
    for path in ("/read", "/contains"):
        response = client.get(path)
        assert "Set-Cookie" not in response.headers
        assert response.headers["Vary"] == "Cookie"
    if engine != "cookie":
        assert Probe(app).session_ids() == set()


@engines
def test_default_cookie_is_httponly_lax_two_weeks(new_app, engine):
    client = new_app(engine).test_client()
    before = time.time()
    response = client.get("/incr")
    header = cookie_of(response)
    assert header is not None
    attributes = [part.strip() for part in header.split(";")]
    assert "HttpOnly" in attributes
    assert "SameSite=Lax" in attributes
    assert "Path=/" in attributes
    assert f"Max-Age={AGE}" in attributes
    assert "Secure" not in attributes
    [expires] = [a.partition("=")[2] for a in attributes if a.startswith("Expires=")]
    expires_at = datetime.strptime(expires, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC).timestamp()
    assert before + AGE - 2 <= expires_at <= time.time() + AGE + 1
    assert response.headers["Vary"] == "Cookie"


@engines
def test_read_only_request_writes_nothing(new_app, engine):
    app = new_app(engine)
    client = app.test_client()
    client.get("/incr")
    if engine != "cookie":
        probe = Probe(app)
        [key] = probe.session_ids()
        stored, expires = probe.raw(key), probe.expires_at(key)
        time.sleep(0.05)
    response = client.get("/read")
    assert response.json == {"n": 1}
    assert "Set-Cookie" not in response.headers
    assert response.headers["Vary"] == "Cookie"
    if engine != "cookie":
        assert probe.session_ids() == {key}
        assert probe.raw(key) == stored
        assert probe.expires_at(key) == pytest.approx(expires, abs=0.02)  # the expiry was not pushed back


@engines
def test_a_change_saves_and_resends_the_cookie(new_app, engine):
    app = new_app(engine)
    client = app.test_client()
    first = cookie_value(client.get("/incr"))
    response = client.get("/incr")
    assert response.json == {"n": 2}
    assert cookie_of(response) is not None
    assert client.get("/read").json == {"n": 2}
    if engine != "cookie":
        assert cookie_value(response) == first  # same id, new data
        assert Probe(app).session_ids() == {first}


@engines
def test_save_every_request_refreshes_on_read(new_app, engine):
    app = new_app(engine, SESSION_SAVE_EVERY_REQUEST=True)
    assert app.config["SESSION_REFRESH_EACH_REQUEST"] is True
    client = app.test_client()
    assert cookie_of(client.get("/nothing")) is None  # no session yet: nothing to save
    client.get("/incr")
    assert cookie_of(client.get("/read")) is not None
    assert cookie_of(client.get("/nothing")) is not None
    assert client.get("/read").json == {"n": 1}


@server_engines
def test_save_every_request_pushes_the_store_expiry_back(new_app, engine):
    app = new_app(engine, SESSION_SAVE_EVERY_REQUEST=True)
    client = app.test_client()
    client.get("/incr")
    probe = Probe(app)
    [key] = probe.session_ids()
    expires = probe.expires_at(key)
    time.sleep(0.05)
    response = client.get("/nothing")  # not even touched: SESSION_SAVE_EVERY_REQUEST saves it anyway
    assert cookie_value(response) == key
    assert probe.expires_at(key) > expires + 0.03


@engines
def test_cycle_key_keeps_data_and_kills_the_old_id(new_app, engine):
    app = new_app(engine)
    client = app.test_client()
    old = cookie_value(client.get("/incr"))
    response = client.post("/cycle")
    new = cookie_value(response)
    assert new is not None
    assert client.get("/read").json == {"n": 1}  # the data came along
    if engine == "cookie":
        # The signed value is made when the response is; an old copy cannot be revoked (documented).
        assert response.get_data(as_text=True) == "None"
        return
    assert response.get_data(as_text=True) == new  # the new id is known at once, in the view
    assert new != old
    assert Probe(app).session_ids() == {new}
    attacker = app.test_client()
    attacker.set_cookie("session", old)
    assert attacker.get("/read").json == {"n": None}


@server_engines
def test_a_planted_id_is_never_adopted(new_app, engine):
    app = new_app(engine)
    planted = "a" * 32  # well formed, but not in the store
    victim = app.test_client()
    victim.set_cookie("session", planted)
    response = victim.get("/incr")
    key = cookie_value(response)
    assert key is not None
    assert key != planted
    assert Probe(app).session_ids() == {key}
    attacker = app.test_client()
    attacker.set_cookie("session", planted)
    assert attacker.get("/read").json == {"n": None}


@server_engines
def test_planted_id_before_login_is_useless_after_cycle_key(new_app, engine):
    # The session-fixation scenario: the attacker's own live session id is planted in the victim's browser.
    app = new_app(engine)
    attacker = app.test_client()
    planted = cookie_value(attacker.get("/incr"))
    victim = app.test_client()
    victim.set_cookie("session", planted)
    victim.get("/incr")  # the victim uses the planted session (n == 2)
    victim.post("/cycle")  # login
    victim.get("/incr")
    assert victim.get("/read").json == {"n": 3}
    assert attacker.get("/read").json == {"n": None}
    assert planted not in Probe(app).session_ids()


@engines
def test_flush_ends_the_session(new_app, engine):
    app = new_app(engine)
    client = app.test_client()
    old = cookie_value(client.get("/incr"))
    response = client.post("/flush")
    header = cookie_of(response)
    assert header is not None and ("Max-Age=0" in header or "Expires=Thu, 01 Jan 1970" in header)
    assert response.headers["Vary"] == "Cookie"
    assert client.get("/read").json == {"n": None}
    if engine != "cookie":
        assert Probe(app).session_ids() == set()
        replay = app.test_client()
        replay.set_cookie("session", old)
        assert replay.get("/read").json == {"n": None}


@server_engines
def test_values_set_after_flush_get_a_new_id(new_app, engine):
    app = new_app(engine)
    client = app.test_client()
    old = cookie_value(client.get("/incr"))
    new = cookie_value(client.post("/flush-then-set"))
    assert new is not None and new != old
    assert Probe(app).session_ids() == {new}
    assert client.get("/read").json == {"n": None}


@engines
def test_clear_removes_the_session_and_its_cookie(new_app, engine):
    app = new_app(engine)
    client = app.test_client()
    client.get("/incr")
    response = client.post("/clear")
    assert cookie_of(response) is not None  # the deletion
    assert "session" not in {c.key for c in client._cookies.values()}
    if engine != "cookie":
        assert Probe(app).session_ids() == set()


@engines
@pytest.mark.parametrize(
    "cookie",
    ["garbage", "../../../../etc/passwd", "a" * 32, "A" * 32, "x" * 3000, "eyJuIjo1fQ.ZZZZZZ.forged-signature"],
)
def test_forged_or_unknown_cookie_opens_an_empty_session(new_app, engine, cookie):
    app = new_app(engine)
    client = app.test_client()
    client.set_cookie("session", cookie)
    response = client.get("/read")
    assert response.status_code == 200
    assert response.json == {"n": None}
    response = client.get("/incr")
    assert response.json == {"n": 1}
    assert cookie_value(response) != cookie


@engines
def test_vary_cookie_whenever_the_session_was_read(new_app, engine):
    client = new_app(engine).test_client()
    client.get("/incr")
    assert client.get("/read").headers["Vary"] == "Cookie"
    assert client.get("/contains").headers["Vary"] == "Cookie"
    assert client.get("/key").headers["Vary"] == "Cookie"
    assert "Vary" not in client.get("/nothing").headers


@engines
def test_unserializable_value_fails_fast_naming_the_key(new_app, engine):
    app = new_app(engine)
    client = app.test_client()
    started = time.perf_counter()
    with pytest.raises(TypeError) as info:
        client.post("/bad")
    assert time.perf_counter() - started < 0.1
    assert str(info.value).startswith(
        "The session value 'obj' cannot be stored: Object of type object is not JSON serializable."
    )
    if engine != "cookie":
        assert Probe(app).session_ids() == set()


@engines
def test_unserializable_value_changed_in_place_fails_at_save_naming_the_key(new_app, engine):
    app = new_app(engine)
    with pytest.raises(TypeError, match=r"^The session value 'items' cannot be stored: Object of type set"):
        app.test_client().post("/bad-nested")


@engines
def test_unserializable_value_is_a_quick_500_in_production(new_app, engine):
    app = new_app(engine, TESTING=False)
    started = time.perf_counter()
    response = app.test_client().post("/bad")
    assert time.perf_counter() - started < 0.1
    assert response.status_code == 500
    assert cookie_of(response) is None


@engines
def test_a_server_error_response_saves_nothing(new_app, engine):
    app = new_app(engine)
    client = app.test_client()
    client.get("/incr")
    response = client.post("/error")
    assert response.status_code == 500
    assert cookie_of(response) is None
    assert client.get("/read").json == {"n": 1}


@server_engines
def test_a_session_deleted_meanwhile_is_not_revived(new_app, engine):
    # Another request (a logout in another tab) deleted the session while this one ran.
    app = new_app(engine)
    client = app.test_client()
    key = cookie_value(client.get("/incr"))
    probe = Probe(app)
    with app.test_request_context("/", headers={"Cookie": f"session={key}"}):
        from flask import session

        session["n"] = 5
        probe.store.delete(key)
        response = app.response_class()
        app.session_interface.save_session(app, session, response)
    assert cookie_of(response) is None
    assert probe.session_ids() == set()


@engines
def test_session_transaction_of_the_test_client(new_app, engine):
    app = new_app(engine)
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["n"] = 41
    assert client.get("/incr").json == {"n": 42}
    with client.session_transaction() as sess:
        assert sess["n"] == 42


@server_engines
def test_session_key_is_the_cookie_id(new_app, engine):
    client = new_app(engine).test_client()
    assert client.get("/key").get_data(as_text=True) == "None"
    key = cookie_value(client.get("/incr"))
    assert client.get("/key").get_data(as_text=True) == key


def test_cookie_engine_session_key_is_the_signed_value(new_app):
    client = new_app("cookie").test_client()
    assert client.get("/key").get_data(as_text=True) == "None"
    value = cookie_value(client.get("/incr"))
    assert client.get("/key").get_data(as_text=True) == value


@server_engines
def test_flask_session_regenerate_is_cycle_key(new_app, engine):
    from flask import current_app
    from flask import session

    app = new_app(engine)

    @app.post("/regenerate")
    def regenerate():
        current_app.session_interface.regenerate(session)
        return str(session.session_key)

    client = app.test_client()
    old = cookie_value(client.get("/incr"))
    new = client.post("/regenerate").get_data(as_text=True)
    assert new != old
    assert Probe(app).session_ids() == {new}
    assert client.get("/read").json == {"n": 1}

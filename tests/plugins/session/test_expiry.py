"""Expiry: SESSION_COOKIE_AGE, SESSION_EXPIRE_AT_BROWSER_CLOSE and set_expiry(), in the cookie and in the store."""

from __future__ import annotations

import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from .conftest import AGE
from .conftest import ENGINES
from .conftest import SERVER_ENGINES
from .conftest import Probe
from .conftest import cookie_of
from .conftest import cookie_value

engines = pytest.mark.parametrize("engine", ENGINES)
server_engines = pytest.mark.parametrize("engine", SERVER_ENGINES)


def attributes(response) -> dict[str, str]:
    header = cookie_of(response)
    assert header is not None
    parts = [part.strip().partition("=") for part in header.split(";")[1:]]
    return {name: value for name, _, value in parts}


@engines
def test_set_expiry_seconds(new_app, engine):
    app = new_app(engine)
    client = app.test_client()
    response = client.post("/expiry?value=60")
    assert response.json["age"] == 60
    assert response.json["browser_close"] is False
    assert attributes(response)["Max-Age"] == "60"
    assert client.get("/expiry").json["age"] == 60  # kept in the session
    if engine != "cookie":
        [key] = Probe(app).session_ids()
        assert Probe(app).expires_at(key) == pytest.approx(time.time() + 60, abs=2)


@engines
def test_set_expiry_zero_ends_with_the_browser(new_app, engine):
    app = new_app(engine)
    client = app.test_client()
    response = client.post("/expiry?value=0")
    assert response.json["browser_close"] is True
    assert response.json["permanent"] is False
    assert response.json["age"] == AGE
    attrs = attributes(response)
    assert "Max-Age" not in attrs and "Expires" not in attrs
    if engine != "cookie":
        # The store keeps it SESSION_COOKIE_AGE, as Django does.
        [key] = Probe(app).session_ids()
        assert Probe(app).expires_at(key) == pytest.approx(time.time() + AGE, abs=2)


@engines
def test_set_expiry_none_goes_back_to_the_policy(new_app, engine):
    client = new_app(engine).test_client()
    client.post("/expiry?value=0")
    response = client.post("/expiry?kind=none&value=")
    assert response.json["age"] == AGE
    assert response.json["browser_close"] is False
    assert attributes(response)["Max-Age"] == str(AGE)


@engines
def test_set_expiry_datetime_and_timedelta(new_app, engine):
    client = new_app(engine).test_client()
    moment = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    response = client.post("/expiry", query_string={"kind": "datetime", "value": moment.isoformat()})
    assert response.json["date"] == moment.isoformat()
    assert 7195 <= response.json["age"] <= 7200
    assert client.get("/expiry").json["date"] == moment.isoformat()
    response = client.post("/expiry?kind=timedelta&value=300")
    assert 295 <= response.json["age"] <= 300
    assert 295 <= int(attributes(response)["Max-Age"]) <= 300


@engines
def test_expire_at_browser_close_policy(new_app, engine):
    app = new_app(engine, SESSION_EXPIRE_AT_BROWSER_CLOSE=True)
    client = app.test_client()
    response = client.get("/incr")
    attrs = attributes(response)
    assert "Max-Age" not in attrs and "Expires" not in attrs
    info = client.get("/expiry").json
    assert (info["age"], info["browser_close"], info["permanent"]) == (AGE, True, False)
    response = client.post("/expiry?value=600")  # one session may still outlive the browser
    assert attributes(response)["Max-Age"] == "600"


@engines
def test_cookie_age_setting(new_app, engine):
    app = new_app(engine, SESSION_COOKIE_AGE=3600)
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=1)
    assert attributes(app.test_client().get("/incr"))["Max-Age"] == "3600"


@server_engines
def test_expired_session_is_not_loaded(new_app, engine):
    app = new_app(engine)
    client = app.test_client()
    old = cookie_value(client.get("/incr"))
    Probe(app).expire_now(old)
    assert client.get("/read").json == {"n": None}
    new = cookie_value(client.get("/incr"))
    assert new is not None and new != old


def test_cookie_engine_refuses_a_cookie_older_than_its_expiry(new_app, monkeypatch):
    import itsdangerous.timed

    client = new_app("cookie").test_client()
    client.post("/expiry?value=60")
    assert client.get("/read").json == {"n": 0}
    real = time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() - 61)
    client.post("/expiry?value=60")  # signed 61 seconds ago
    monkeypatch.undo()
    assert client.get("/read").json == {"n": None}


def test_cookie_engine_refuses_a_cookie_older_than_the_cookie_age(new_app, monkeypatch):
    import itsdangerous.timed

    client = new_app("cookie", SESSION_COOKIE_AGE=100).test_client()
    real = time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() - 101)
    client.get("/incr")
    monkeypatch.undo()
    assert client.get("/read").json == {"n": None}
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() - 90)
    client.get("/incr")
    monkeypatch.undo()
    assert client.get("/read").json == {"n": 1}


@engines
def test_permanent_maps_onto_set_expiry(new_app, engine):
    from flask import session

    app = new_app(engine)

    @app.post("/permanent/<int:value>")
    def permanent(value):
        session["x"] = 1
        session.permanent = bool(value)
        return {"permanent": session.permanent, "browser_close": session.get_expire_at_browser_close()}

    client = app.test_client()
    assert client.post("/permanent/0").json == {"permanent": False, "browser_close": True}
    assert client.post("/permanent/1").json == {"permanent": True, "browser_close": False}
    assert "_permanent" not in client.get("/types").json


def test_set_expiry_rejects_other_types(new_app):
    from flask import session

    app = new_app("file")
    with app.test_request_context():
        with pytest.raises(TypeError, match=r"set_expiry\(\) takes seconds \(int\), a datetime, a timedelta or None"):
            session.set_expiry("60")
        with pytest.raises(TypeError):
            session.set_expiry(True)
        with pytest.raises(ValueError, match=r"set_expiry\(\) takes 0 or more seconds, not -1\."):
            session.set_expiry(-1)


@server_engines
def test_a_past_expiry_removes_the_session(new_app, engine):
    app = new_app(engine)
    client = app.test_client()
    client.get("/incr")
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    response = client.post("/expiry", query_string={"kind": "datetime", "value": past})
    assert response.json["age"] < 0
    header = cookie_of(response)
    assert header is not None and "Expires=Thu, 01 Jan 1970" in header
    assert Probe(app).session_ids() == set()

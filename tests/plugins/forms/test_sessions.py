"""CSRF with the session plugin's server-side sessions (the file engine, and redis on the real server).

By default the secret is in its own cookie and the session is left alone: a visitor who only
looks at forms gets no session. With CSRF_USE_SESSIONS the secret is in the session instead."""

from __future__ import annotations

import os

import pytest
from flask import session

from flaskkit.plugins.forms import rotate_csrf_token
from flaskkit.plugins.forms.testing import csrf_token

from .conftest import page_token


@pytest.fixture(params=["file", "redis"])
def engine_settings(request: pytest.FixtureRequest) -> dict[str, object]:
    if request.param == "redis":
        return {
            "SESSION_ENGINE": "redis",
            "REDIS_URL": request.getfixturevalue("redis_url"),
            "SESSION_KEY_PREFIX": request.getfixturevalue("redis_prefix"),
        }
    return {"SESSION_ENGINE": "file"}


def _make(make, engine_settings, **values):
    app = make(PLUGINS=["session", "forms"], **engine_settings, **values)

    @app.post("/signin")
    def signin() -> str:
        session.cycle_key()  # what the auth plugin's login() does, in Django's order
        session["user"] = 42
        rotate_csrf_token()
        return "signed in"

    return app


@pytest.fixture
def session_site(make, engine_settings):
    return _make(make, engine_settings)


@pytest.fixture
def sessions_csrf_site(make, engine_settings):
    return _make(make, engine_settings, CSRF_USE_SESSIONS=True)


def stored_sessions(app) -> int:
    """How many sessions the app's store holds."""
    store = app.extensions["flaskkit"].plugins["session"].store
    if store.engine == "redis":
        return len(store.client.keys(store.prefix + "*"))
    if not os.path.isdir(store.path):
        return 0  # made when the first session is stored
    return len([name for name in os.listdir(store.path) if not name.startswith(".")])


def test_a_page_with_a_form_sets_the_csrf_cookie_and_creates_no_session(session_site):
    client = session_site.test_client()
    response = client.get("/contact")
    assert response.status_code == 200
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1
    assert cookies[0].startswith("csrftoken=")
    assert client.get_cookie("session") is None
    assert stored_sessions(session_site) == 0
    token = page_token(client, "/contact")
    assert client.post("/contact", data={"name": "Ann", "csrf_token": token}).get_json()["name"] == "Ann"
    assert stored_sessions(session_site) == 0


def test_rotation_at_login_with_a_server_side_session(session_site):
    client = session_site.test_client()
    before = page_token(client)
    assert client.post("/echo", data={"csrf_token": before}).status_code == 200
    assert client.post("/signin", data={"csrf_token": before}).status_code == 200
    assert stored_sessions(session_site) == 1
    response = client.post("/echo", data={"csrf_token": before})
    assert response.status_code == 403
    assert "CSRF token from POST incorrect." in response.text
    after = page_token(client)
    assert client.post("/echo", data={"csrf_token": after}).status_code == 200


def test_a_request_that_renders_no_token_sets_no_cookie(session_site):
    client = session_site.test_client()
    response = client.get("/echo")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.vary


def test_with_csrf_use_sessions_the_secret_is_in_the_session(sessions_csrf_site):
    client = sessions_csrf_site.test_client()
    response = client.get("/contact")
    [cookie] = response.headers.getlist("Set-Cookie")
    assert cookie.startswith("session=")  # the session's cookie, no csrftoken
    assert stored_sessions(sessions_csrf_site) == 1
    with client.session_transaction() as data:
        secret = data["_csrftoken"]
    assert len(secret) == 32
    token = page_token(client, "/contact")
    assert client.post("/contact", data={"name": "Ann", "csrf_token": token}).get_json()["name"] == "Ann"
    # The secret did not change: the session is not written again (Django's test_session_modify).
    response = client.get("/contact")
    assert response.headers.getlist("Set-Cookie") == []


def test_with_csrf_use_sessions_rotation_at_login(sessions_csrf_site):
    client = sessions_csrf_site.test_client()
    before = page_token(client)
    assert client.post("/signin", data={"csrf_token": before}).status_code == 200
    response = client.post("/echo", data={"csrf_token": before})
    assert response.status_code == 403
    assert "CSRF token from POST incorrect." in response.text
    assert client.post("/echo", data={"csrf_token": page_token(client)}).status_code == 200


def test_with_csrf_use_sessions_a_new_session_has_no_secret(sessions_csrf_site):
    client = sessions_csrf_site.test_client()
    response = client.post("/echo", data={"csrf_token": "a" * 64})
    assert response.status_code == 403
    assert "<strong>Reason:</strong> CSRF session token missing." in response.text


def test_the_testing_helper_works_with_server_side_sessions(session_site, sessions_csrf_site):
    for app in (session_site, sessions_csrf_site):
        client = app.test_client()
        assert client.post("/echo", headers={"X-CSRFToken": csrf_token(client)}).status_code == 200

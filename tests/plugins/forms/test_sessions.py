"""CSRF with the session plugin's server-side sessions (the file engine, and redis on the real server)."""

from __future__ import annotations

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


@pytest.fixture
def session_site(make, engine_settings):
    app = make(PLUGINS=["session", "forms"], **engine_settings)

    @app.post("/signin")
    def signin() -> str:
        session.cycle_key()  # what the auth plugin's login() does, in Django's order
        session["user"] = 42
        rotate_csrf_token()
        return "signed in"

    return app


def test_the_token_lives_in_the_server_side_session_and_is_rotated_at_login(session_site):
    client = session_site.test_client()
    before = page_token(client)
    assert client.post("/echo", data={"csrf_token": before}).status_code == 200
    assert client.post("/signin", data={"csrf_token": before}).status_code == 200
    response = client.post("/echo", data={"csrf_token": before})
    assert response.status_code == 403
    assert "The CSRF session token is missing." in response.text
    after = page_token(client)
    assert client.post("/echo", data={"csrf_token": after}).status_code == 200


def test_a_request_that_renders_no_token_creates_no_session(session_site):
    client = session_site.test_client()
    response = client.get("/echo")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    response = client.get("/contact")  # renders a form, so a token: the session is created
    assert "Set-Cookie" in response.headers


def test_the_testing_helper_works_with_server_side_sessions(session_site):
    client = session_site.test_client()
    assert client.post("/echo", headers={"X-CSRFToken": csrf_token(client)}).status_code == 200

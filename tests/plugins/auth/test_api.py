"""The functions and middleware for the app's own code: login() in a view, backends, session protection,
LoginRequiredMiddleware."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import request

from flaskkit.plugins.auth import User
from flaskkit.plugins.auth import authenticate
from flaskkit.plugins.auth import login
from flaskkit.plugins.auth import login_not_required
from flaskkit.plugins.auth import logout
from flaskkit.plugins.forms import csrf_exempt
from flaskkit.plugins.orm import db

from .conftest import PASSWORD
from .conftest import PLUGINS
from .conftest import create_user
from .conftest import log_in
from .conftest import whoami


class RefusingBackend:
    """A backend that stops the login of user "blocked" (Django's PermissionDenied from a backend)."""

    def authenticate(self, request, username=None, password=None):
        from flaskkit.plugins.auth import PermissionDenied

        if username == "blocked":
            raise PermissionDenied()
        return None

    def get_user(self, user_id):
        return None


def test_authenticate_and_login_in_a_view_of_the_app(site):
    @site.post("/api/login")
    @csrf_exempt
    def api_login():
        user = authenticate(username=request.form["username"], password=request.form["password"])
        if user is None:
            return {"ok": False}, 400
        login(user)
        return {"ok": True, "backend": user.backend}

    @site.post("/api/logout")
    @csrf_exempt
    def api_logout():
        logout()
        return {"ok": True}

    client = site.test_client()
    assert client.post("/api/login", data={"username": "ada", "password": "nope"}).status_code == 400
    response = client.post("/api/login", data={"username": "ada", "password": PASSWORD})
    assert response.json == {"ok": True, "backend": "flaskkit.plugins.auth.backends:ModelBackend"}
    assert whoami(client)["username"] == "ada"
    client.post("/api/logout")
    assert whoami(client)["authenticated"] is False


def test_backends_are_asked_in_order_and_may_stop_the_login(make):
    app = make(
        AUTHENTICATION_BACKENDS=[
            "tests.plugins.auth.test_api:RefusingBackend",
            "flaskkit.plugins.auth.backends:ModelBackend",
        ]
    )
    create_user(app, "blocked")
    create_user(app, "ada")
    assert log_in(app.test_client(), "blocked").status_code == 200  # refused before ModelBackend
    client = app.test_client()
    assert log_in(client).status_code == 302
    assert whoami(client)["username"] == "ada"
    with app.test_request_context(), pytest.raises(ValueError, match="You have multiple authentication backends"):
        login(db.session.scalar(sa.select(User).where(User.username == "ada")))


def test_a_backend_removed_from_the_setting_logs_its_sessions_out(make, tmp_path):
    app = make()
    create_user(app, "ada")
    client = app.test_client()
    log_in(client)
    with client.session_transaction() as data:
        data["_auth_user_backend"] = "myapp.backends:Gone"
    assert whoami(client)["authenticated"] is False


def test_allow_all_users_backend_says_the_account_is_inactive(make):
    app = make(AUTHENTICATION_BACKENDS=["flaskkit.plugins.auth.backends:AllowAllUsersModelBackend"])
    create_user(app, "gone", is_active=False)
    response = log_in(app.test_client(), "gone")
    assert response.status_code == 200
    assert "This account is inactive." in response.get_data(as_text=True)


def test_a_tampered_user_id_is_anonymous_not_an_error(client):
    log_in(client)
    for value in ("not-a-number", "99999", ""):
        with client.session_transaction() as data:
            data["_user_id"] = value
        assert whoami(client)["authenticated"] is False


def test_strong_session_protection_logs_out_another_browser(make):
    app = make(SESSION_PROTECTION="strong")
    create_user(app, "ada")
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = "Firefox"
    log_in(client)
    assert whoami(client)["username"] == "ada"
    client.environ_base["HTTP_USER_AGENT"] = "curl"
    client.set_cookie("remember_token", "1|abc")
    response = client.get("/whoami")
    assert response.json["authenticated"] is False
    assert not {"_user_id", "_auth_user_hash"} & set(response.json["keys"])
    assert any(c.startswith("remember_token=;") for c in response.headers.getlist("Set-Cookie"))


def test_the_session_identifier_is_flask_logins_for_each_client(make):
    import flask_login.utils

    from flaskkit.plugins.auth.login import _session_identifier

    app = make(SESSION_PROTECTION="strong")
    clients = [
        {"REMOTE_ADDR": "10.0.0.1", "HTTP_USER_AGENT": "Firefox"},
        {"REMOTE_ADDR": "10.0.0.1", "HTTP_USER_AGENT": "curl"},
        {"REMOTE_ADDR": "10.0.0.2", "HTTP_USER_AGENT": "Firefox"},
        {"REMOTE_ADDR": "10.0.0.2", "HTTP_USER_AGENT": "Firefox", "HTTP_X_FORWARDED_FOR": "192.0.2.7, 10.0.0.9"},
    ]
    seen = set()
    for environ in [*clients, *clients]:  # the second time from the remembered identifiers
        with app.test_request_context(environ_base=environ):
            assert _session_identifier() == flask_login.utils._create_identifier()
            seen.add(_session_identifier())
    assert len(seen) == len(clients)


def test_basic_session_protection_only_marks_the_session_not_fresh(client):
    client.environ_base["HTTP_USER_AGENT"] = "Firefox"
    log_in(client)
    client.environ_base["HTTP_USER_AGENT"] = "curl"
    assert whoami(client)["username"] == "ada"
    with client.session_transaction() as data:
        assert data["_fresh"] is False


def test_login_disabled_lets_everyone_in(make):
    app = make(LOGIN_DISABLED=True)  # Flask-Login's switch, for tests
    response = app.test_client().get("/dashboard")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "dashboard of ")


def test_login_required_middleware(make):
    app = make(
        PLUGINS=[*PLUGINS, "middleware"],
        MIDDLEWARE=["flaskkit.plugins.auth:LoginRequiredMiddleware"],
    )
    create_user(app, "ada")

    @app.get("/public")
    @login_not_required
    def public():
        return "public"

    client = app.test_client()
    assert client.get("/").headers["Location"] == "/accounts/login/?next=/"
    assert client.get("/public").get_data(as_text=True) == "public"
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/accounts/register/").status_code == 200
    assert client.get("/nowhere").status_code == 404
    assert log_in(client, next="/").headers["Location"] == "/"
    assert client.get("/").get_data(as_text=True) == "home"


def test_an_anonymous_visit_sends_user_accessed_and_asks_a_request_loader_the_app_registered(make):
    from flask_login.signals import user_accessed

    from flaskkit.plugins.auth import current_user

    app = make()
    sent: list[object] = []

    def accessed(sender, **extra):
        sent.append(sender)

    @app.get("/who")
    def who() -> str:
        return "anonymous" if not current_user.is_authenticated else current_user.username

    user_accessed.connect(accessed)
    try:
        assert app.test_client().get("/who").text == "anonymous"
        assert sent == [app]
        asked: list[str] = []

        def by_header(req):
            asked.append(req.headers.get("X-User", ""))
            return None

        app.login_manager.request_loader(by_header)
        assert app.test_client().get("/who", headers={"X-User": "ada"}).text == "anonymous"
        assert asked == ["ada"]
    finally:
        user_accessed.disconnect(accessed)

"""flaskkit.test.Client: Django's ClientTest cases (login, force_login, logout...), ``reverse``,
the ``settings`` fixture and ``live_server``."""

from __future__ import annotations

import typing as t
import urllib.error
import urllib.request

import pytest
import sqlalchemy as sa
from flask import Response
from flask import render_template_string
from flask import request
from flask import session
from flask import stream_with_context

from flaskkit.plugins.auth import get_user_model
from flaskkit.plugins.auth import login_required
from flaskkit.plugins.signals import user_logged_in
from flaskkit.test import NoReverseMatch
from flaskkit.test import assert_contains
from flaskkit.test import assert_redirects
from flaskkit.test import reverse
from flaskkit.test import setting_changed

if t.TYPE_CHECKING:
    from flask import Flask

PLUGINS = ["orm", "session", "cache", "forms", "auth"]
FAST = ["flaskkit.plugins.auth.hashers:MD5PasswordHasher"]
MODEL_BACKEND = "flaskkit.plugins.auth.backends:ModelBackend"
ALLOW_ALL = "flaskkit.plugins.auth.backends:AllowAllUsersModelBackend"

pytestmark = pytest.mark.kit_settings(PLUGINS=PLUGINS, PASSWORD_HASHERS=FAST)


@pytest.fixture
def site(app: Flask, db: t.Any) -> Flask:
    """Django's test_client views, and its two users."""

    @app.get("/login_protected_view/")
    @login_required
    def login_protected_view() -> str:
        return render_template_string("This is a login protected test. Username is {{ current_user.username }}.")

    @app.get("/stream/")
    def stream() -> Response:
        def chunks() -> t.Iterator[str]:
            yield "streamed "
            yield request.path

        return Response(stream_with_context(chunks()))

    @app.post("/session_view/")
    def session_view() -> str:
        session["tobacconist"] = "hovercraft"
        return "set"

    @app.get("/items/<int:year>/<slug>/")
    def item(year: int, slug: str) -> str:
        return f"{year} {slug}"

    users = get_user_model().objects
    users.create_user("testclient", "testclient@example.com", "password")
    users.create_user("inactive", "inactive@example.com", "password", is_active=False)
    return app


def user(username: str) -> t.Any:
    model = get_user_model()
    return sa.select(model).where(model.username == username)


def the(username: str) -> t.Any:
    from flaskkit.plugins.orm import db

    return db.session.scalar(user(username))


def assert_login_required(client: t.Any) -> None:
    assert_redirects(client.get("/login_protected_view/"), "/accounts/login/?next=/login_protected_view/")


def test_view_with_login(site, client):
    assert_login_required(client)
    assert client.login(username="testclient", password="password") is True
    response = client.get("/login_protected_view/")
    assert response.status_code == 200
    assert response.context["current_user"].username == "testclient"


def test_view_with_force_login(site, client):
    assert_login_required(client)
    client.force_login(the("testclient"))
    response = client.get("/login_protected_view/")
    assert response.status_code == 200
    assert response.context["current_user"].username == "testclient"


def test_view_with_bad_login(site, client):
    assert client.login(username="otheruser", password="nopassword") is False
    assert client.login(username="testclient", password="wrong") is False
    assert_login_required(client)


def test_inactive_user_logs_in_only_if_a_backend_allows_it(site, client):
    assert client.login(username="inactive", password="password") is False


@pytest.mark.kit_settings(AUTHENTICATION_BACKENDS=[ALLOW_ALL])
def test_inactive_user_with_the_allow_all_backend(site, client):
    assert client.login(username="inactive", password="password") is True
    assert client.get("/login_protected_view/").status_code == 200


@pytest.mark.kit_settings(AUTHENTICATION_BACKENDS=[MODEL_BACKEND, ALLOW_ALL])
def test_force_login_with_a_backend(site, client):
    inactive = the("inactive")
    client.force_login(inactive, backend=ALLOW_ALL)
    assert inactive.backend == ALLOW_ALL
    response = client.get("/login_protected_view/")
    assert response.status_code == 200
    assert response.context["current_user"].username == "inactive"


@pytest.mark.kit_settings(AUTHENTICATION_BACKENDS=[MODEL_BACKEND, ALLOW_ALL])
def test_force_login_without_a_backend_takes_the_first(site, client):
    testclient = the("testclient")
    client.force_login(testclient)
    assert testclient.backend == MODEL_BACKEND
    assert client.get("/login_protected_view/").status_code == 200


def test_force_login_is_a_real_login(site, client, db):
    logged_in: list[str] = []

    def note(sender: t.Any, user: t.Any, **extra: t.Any) -> None:
        logged_in.append(user.username)

    client.get("/login_protected_view/")
    before = client.get_cookie("session")
    with user_logged_in.connected_to(note):
        client.force_login(the("testclient"))
    assert logged_in == ["testclient"]
    db.session.expire_all()  # the test's session keeps what it loaded (Django: refresh_from_db())
    assert the("testclient").last_login is not None
    assert before is None or client.get_cookie("session").value != before.value


def test_force_login_needs_a_saved_user(site, client):
    with pytest.raises(ValueError, match="is not saved in the database"):
        client.force_login(get_user_model()(username="nobody"))


@pytest.mark.parametrize(
    "engine",
    ["file", *(pytest.param(e, marks=pytest.mark.kit_settings(SESSION_ENGINE=e)) for e in ("cookie", "db"))],
)
def test_logout(site, client, engine):
    client.login(username="testclient", password="password")
    assert client.get("/login_protected_view/").status_code == 200
    client.logout()
    assert client.get_cookie("session") is None
    assert_login_required(client)


def test_logout_with_force_login(site, client):
    client.force_login(the("testclient"))
    assert client.get("/login_protected_view/").status_code == 200
    client.logout()
    assert_login_required(client)


def test_the_session_a_view_stored_is_the_clients(site, client):
    from flaskkit.plugins.forms.testing import csrf_token

    assert client.post("/session_view/", data={"csrf_token": csrf_token(client)}).text == "set"
    with client.session_transaction() as stored:
        assert stored["tobacconist"] == "hovercraft"


def test_a_streamed_body_is_read_in_its_requests_context(site, client):
    assert client.get("/stream/").text == "streamed /stream/"
    with client.get("/stream/", buffered=False) as response:
        assert next(iter(response.response)) == b"streamed "


# -- reverse --------------------------------------------------------------------------------------


def test_reverse_outside_a_request(site):
    assert reverse("item", 2026, "hello") == "/items/2026/hello/"
    assert reverse("item", year=2026, slug="hello") == "/items/2026/hello/"
    assert reverse("item", 2026, slug="hello") == "/items/2026/hello/"
    assert reverse("item", args=[2026, "hello"]) == "/items/2026/hello/"
    assert reverse("item", args=(2026,), kwargs={"slug": "hello"}) == "/items/2026/hello/"
    assert reverse("item", 2026, "hello", query={"page": 2}, fragment="top") == "/items/2026/hello/?page=2#top"
    assert reverse("auth:login") == reverse("auth.login") == "/accounts/login/"
    assert reverse("item", 1, "a", _external=True) == "http://localhost/items/1/a/"


def test_reverse_errors(site):
    with pytest.raises(NoReverseMatch, match="Reverse for 'nope' not found"):
        reverse("nope")
    with pytest.raises(NoReverseMatch, match=r"'/items/<int:year>/<slug>/' takes year, slug"):
        reverse("item", 1, 2, 3)


def test_reverse_uses_the_tests_app_without_an_app_context(client):
    # No db fixture here: no app context, the client fixture names the test's app.
    assert reverse("auth.login") == "/accounts/login/"


def test_reverse_needs_an_app_outside_a_test():
    from flaskkit.test.client import run_isolated

    with pytest.raises(RuntimeError, match=r"reverse\(\) needs the app"):
        run_isolated(reverse, "x")


# -- the settings fixture -----------------------------------------------------------------------


@pytest.fixture
def greeting(app):
    app.config["GREETING"] = "hello"

    @app.get("/greet")
    def greet() -> str:
        return app.config.get("GREETING", "nothing")

    return app


def test_settings_change_for_the_test_and_are_put_back(greeting, client, settings):
    changes: list[tuple[str, t.Any, bool]] = []

    def note(app: Flask, setting: str, value: t.Any, enter: bool) -> None:
        changes.append((setting, value, enter))

    with setting_changed.connected_to(note):
        settings.GREETING = "bonjour"
        assert client.get("/greet").text == "bonjour"
        with settings(GREETING="hallo"):
            assert client.get("/greet").text == "hallo"
        assert client.get("/greet").text == "bonjour"
        del settings.GREETING
        assert client.get("/greet").text == "nothing"
        settings.restore()
    assert greeting.config["GREETING"] == "hello"
    assert changes[0] == ("GREETING", "bonjour", True)
    assert ("GREETING", "hello", False) in changes
    assert settings.GREETING == "hello"
    with pytest.raises(AttributeError, match="has no setting 'NOPE'"):
        _ = settings.NOPE


@pytest.mark.parametrize("name", ["PLUGINS", "MIDDLEWARE", "SESSION_ENGINE", "DATABASE_URL"])
def test_settings_read_at_boot_say_to_use_the_marker(settings, name):
    with pytest.raises(ValueError, match=rf"{name} is read when the app boots.*kit_settings\({name}=\.\.\.\)"):
        setattr(settings, name, "x")


# -- live_server ----------------------------------------------------------------------------------


def test_the_live_server_serves_the_app_and_sees_committed_rows(site, live_server, db):
    assert live_server.url.startswith("http://127.0.0.1:")
    get_user_model().objects.create_user("ada", "ada@example.com", "password")  # committed: transactional_db

    @site.get("/users")
    def users() -> str:
        return ",".join(sorted(u.username for u in get_user_model().query.all()))

    with urllib.request.urlopen(live_server + "/users", timeout=10) as response:
        assert response.read().decode() == "ada,inactive,testclient"


def test_the_live_server_stops(app):
    from flaskkit.test import LiveServer

    with LiveServer(app) as server:
        url = server.url
        with pytest.raises(urllib.error.HTTPError, match="404"):
            urllib.request.urlopen(url + "/nope", timeout=10)
    with pytest.raises(urllib.error.URLError, match="refused"):
        urllib.request.urlopen(url + "/nope", timeout=2)


def test_assert_contains_on_a_page_behind_login(site, client):
    client.force_login(the("testclient"))
    assert_contains(client.get("/login_protected_view/"), "Username is testclient.")

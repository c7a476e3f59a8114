"""Each test-client request gets its own app context and ``g``, as under a real server.

The cases that once passed while the app was broken: the ``db`` fixture keeps an
app context open for the whole test, and requests used to run inside it, sharing
``g`` (Flask-Login's cached user, the CSRF token, the permission cache) with the
test and with every other request and client.
"""

from __future__ import annotations

import typing as t

import pytest
import sqlalchemy as sa
from flask import g
from flask import jsonify
from flask import session

from flaskkit.plugins.auth import Permission
from flaskkit.plugins.auth import current_user
from flaskkit.plugins.auth import get_user_model
from flaskkit.plugins.auth import login
from flaskkit.plugins.auth import login_required
from flaskkit.plugins.auth import permission_required
from flaskkit.plugins.forms.testing import csrf_token
from flaskkit.plugins.orm import db as orm_db

if t.TYPE_CHECKING:
    from flask import Flask

pytestmark = pytest.mark.kit_settings(
    PLUGINS=["orm", "session", "cache", "forms", "auth"],
    PASSWORD_HASHERS=["flaskkit.plugins.auth.hashers:MD5PasswordHasher"],
)

PASSWORD = "correct-horse-battery"


@pytest.fixture
def site(app: Flask, db: t.Any) -> Flask:
    """The app, its tables (the ``db`` fixture), pages to visit and two users."""

    @app.get("/dashboard")
    @login_required
    def dashboard() -> str:
        return f"dashboard of {current_user.username}"

    @app.get("/whoami")
    def whoami() -> t.Any:
        return jsonify(username=current_user.username if current_user.is_authenticated else None)

    @app.get("/g")
    def what_g_holds() -> t.Any:
        before = sorted(vars(g))
        g.visited = True
        return jsonify(before=before)

    @app.post("/form")
    def form() -> str:
        return "accepted"

    @app.get("/polls/edit")
    @permission_required("polls.change_question", raise_exception=True)
    def edit() -> str:
        return "editing"

    users = get_user_model().objects
    users.create_user("ada", "ada@example.com", PASSWORD)
    users.create_user("bob", "bob@example.com", PASSWORD)
    db.session.add(Permission(app_label="polls", codename="change_question", name="Can change question"))
    db.session.commit()
    return app


def user(username: str) -> t.Any:
    model = get_user_model()
    return orm_db.session.scalar(sa.select(model).where(model.username == username))


def log_in(client: t.Any, username: str) -> None:
    """The login form, as a browser posts it."""
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/", data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302, response.text


def test_each_request_has_a_fresh_g_even_inside_the_tests_app_context(site: Flask):
    g.from_the_test = True  # the db fixture keeps an app context open for the test
    client = site.test_client()
    assert client.get("/g").json == {"before": []}
    assert client.get("/g").json == {"before": []}  # not the previous request's g either
    assert not hasattr(g, "visited")


def test_an_anonymous_second_client_is_not_logged_in_by_the_first(site: Flask):
    first, second = site.test_client(), site.test_client()
    log_in(first, "ada")
    assert first.get("/dashboard").text == "dashboard of ada"
    response = second.get("/dashboard")
    assert response.status_code == 302
    assert response.location.startswith("/accounts/login/")


def test_three_clients_each_see_their_own_user(site: Flask):
    ada, bob, anonymous = site.test_client(), site.test_client(), site.test_client()
    log_in(ada, "ada")
    log_in(bob, "bob")
    for _ in range(2):  # in turn, twice
        assert ada.get("/whoami").json == {"username": "ada"}
        assert bob.get("/whoami").json == {"username": "bob"}
        assert anonymous.get("/whoami").json == {"username": None}
        assert anonymous.get("/dashboard").status_code == 302


def test_csrf_tokens_are_per_client_and_each_is_accepted(site: Flask):
    first, second = site.test_client(), site.test_client()
    first_token, second_token = csrf_token(first), csrf_token(second)
    assert first_token != second_token
    assert first.post("/form", data={"csrf_token": first_token}).status_code == 200
    assert second.post("/form", data={"csrf_token": second_token}).status_code == 200
    # A token is bound to its client's session.
    third = site.test_client()
    assert third.post("/form", data={"csrf_token": first_token}).status_code == 403


def test_login_outside_a_client_logs_no_client_in(site: Flask):
    client = site.test_client()
    with site.test_request_context():
        login(user("ada"))
    assert client.get("/dashboard").status_code == 302
    assert client.get("/whoami").json == {"username": None}


def test_force_login_logs_in_that_client_only(site: Flask):
    ada, bob, anonymous = site.test_client(), site.test_client(), site.test_client()
    ada.force_login(user("ada"))
    bob.force_login(user("bob"))
    assert ada.get("/dashboard").text == "dashboard of ada"
    assert bob.get("/dashboard").text == "dashboard of bob"
    assert anonymous.get("/dashboard").status_code == 302


def test_a_permission_granted_between_requests_takes_effect_on_the_next(site: Flask):
    client = site.test_client()
    client.force_login(user("ada"))
    assert client.get("/polls/edit").status_code == 403
    assert client.get("/polls/edit").status_code == 403  # the denial is cached for one request only
    ada = user("ada")
    ada.user_permissions.append(
        orm_db.session.scalar(sa.select(Permission).where(Permission.codename == "change_question"))
    )
    orm_db.session.commit()
    assert client.get("/polls/edit").text == "editing"


def test_with_client_still_keeps_the_requests_context(site: Flask):
    client = site.test_client()
    client.force_login(user("bob"))
    with client:
        client.get("/g")
        assert g.visited is True  # the request's own g, kept for the test by `with client:`
        assert session["_user_id"] == str(user("bob").id)
    assert not hasattr(g, "visited")


def test_an_app_made_for_tests_without_the_fixtures_gets_the_isolating_client(tmp_path):
    """``create_app`` with TESTING on, outside the pytest plugin's fixtures: ``app.test_client()`` isolates too."""
    from flask import g

    from flaskkit import create_app
    from flaskkit.test import Client
    from tests.conftest import settings

    app = create_app(settings(TESTING=True), import_name="isolation_factory", instance_path=str(tmp_path))

    @app.get("/mark")
    def mark() -> str:
        seen = g.get("marked", "no")
        g.marked = "yes"
        return seen

    assert isinstance(app.test_client(), Client)
    with app.app_context():  # a test holding an app context open, as a hand-written fixture would
        client = app.test_client()
        assert [client.get("/mark").text for _ in range(2)] == ["no", "no"]
    production = create_app(settings(), import_name="isolation_production", instance_path=str(tmp_path / "p"))
    assert production.test_client_class is None  # production apps do not import the test tools

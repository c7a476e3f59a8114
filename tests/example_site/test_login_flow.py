"""The login flow of the site with a plain HTTP client: register, log in, log out, change the password."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from flaskkit.plugins.auth import User
from flaskkit.plugins.orm import db

from .helpers import FAILED_LOGIN_MESSAGE
from .helpers import PASSWORD
from .helpers import create_user
from .helpers import login
from .helpers import logout
from .helpers import page_token
from .helpers import session_id
from .helpers import with_session


@pytest.fixture
def ada(app):
    return create_user(app, "ada")


def is_logged_in(client) -> bool:
    """Whether "My notes" opens (an anonymous visitor is sent to the login page)."""
    status = client.get("/notes/mine/").status_code
    assert status in (200, 302)
    return status == 200


def test_register_logs_the_new_user_in(app, client):
    token = page_token(client, "/accounts/register/")
    response = client.post(
        "/accounts/register/",
        data={"username": "grace", "password1": PASSWORD, "password2": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").text
    assert "Signed in as <strong>grace</strong>" in page
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "grace"))
        assert user is not None and user.check_password(PASSWORD)


def test_register_refuses_a_taken_username_and_a_weak_password(app, client, ada):
    token = page_token(client, "/accounts/register/")
    response = client.post(
        "/accounts/register/",
        data={"username": "ada", "password1": "12345678", "password2": "12345678", "csrf_token": token},
    )
    assert response.status_code == 200
    assert "A user with that username already exists." in response.text
    assert "This password is entirely numeric." in response.text
    assert not is_logged_in(client)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_the_session_id_changes_at_login_and_the_old_one_is_dead(client, ada):
    token = page_token(client, "/accounts/login/")
    assert session_id(client) is None  # the login page creates no session: its CSRF secret is a cookie
    with client.session_transaction() as data:
        data["draft"] = "kept through the login"  # a session from before the login
    before = session_id(client)
    assert before is not None
    response = client.post("/accounts/login/", data={"username": "ada", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    after = session_id(client)
    assert after is not None and after != before
    assert is_logged_in(client)
    # Whoever still holds the old id (planted before the login) has an empty, anonymous session.
    planted = with_session(client, before)
    assert not is_logged_in(planted)
    assert session_id(planted) != after


def test_a_csrf_token_from_before_the_login_is_refused_after_it(client, ada):
    old_token = page_token(client, "/accounts/login/")
    login(client, "ada")
    response = client.post("/notes/new/", data={"title": "t", "body": "b", "csrf_token": old_token})
    assert response.status_code == 403
    assert "<strong>Reason:</strong> CSRF token from POST incorrect." in response.text


def test_a_failed_login_shows_the_message_and_logs_nobody_in(client, ada):
    response = login(client, "ada", "not-the-password")
    assert response.status_code == 200
    assert FAILED_LOGIN_MESSAGE in response.text
    assert not is_logged_in(client)


def test_logout_is_a_post_that_empties_the_session(client, ada):
    login(client, "ada")
    logged_in_id = session_id(client)
    assert client.get("/accounts/logout/").status_code == 405
    assert is_logged_in(client)  # a GET changed nothing
    response = logout(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert not is_logged_in(client)
    assert not is_logged_in(with_session(client, logged_in_id))


def test_logout_needs_the_csrf_token(client, ada):
    login(client, "ada")
    assert client.post("/accounts/logout/").status_code == 403
    assert is_logged_in(client)


UNSAFE_NEXT = [
    "//evil.com",
    "https://evil.com",
    "http://evil.com/phish",
    "/\\evil.com",
    "\\\\evil.com",
    "///evil.com",
    "http:/evil.com",
    "http:///evil.com",
    "javascript:alert(1)",
    " //evil.com",
]


@pytest.mark.parametrize("next_url", UNSAFE_NEXT)
def test_an_unsafe_next_lands_on_the_default_page(client, ada, next_url):
    response = login(client, "ada", next_url=next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("next_url", ["/notes/mine/", "/notes/new/?from=menu", "http://localhost/notes/mine/"])
def test_a_safe_next_is_honoured(client, ada, next_url):
    response = login(client, "ada", next_url=next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == next_url


def test_an_anonymous_request_to_write_a_note_comes_back_after_the_login(client, ada):
    response = client.get("/notes/new/?from=menu")
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?" + urlencode({"next": "/notes/new/?from=menu"}, safe="/")
    login_page = client.get(response.headers["Location"])
    assert 'name="next" value="/notes/new/?from=menu"' in login_page.text
    response = login(client, "ada", next_url="/notes/new/?from=menu")
    assert response.headers["Location"] == "/notes/new/?from=menu"
    assert client.get("/notes/new/").status_code == 200


def test_repeated_failures_are_throttled_with_429(client, ada):
    for _ in range(3):
        assert login(client, "ada", "wrong-password").status_code == 200
    # From the third failure on, the next attempt must wait: even the right password is refused now.
    response = login(client, "ada")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert "Too many login attempts" in response.text
    assert 'href="/static/site.css"' in response.text  # in the site's layout
    assert not is_logged_in(client)


def test_the_throttle_counts_per_username_across_clients(app, ada):
    for _ in range(3):
        assert login(app.test_client(), "ada", "wrong-password").status_code == 200
    assert login(app.test_client(), "ada").status_code == 429


def test_changing_the_password_logs_out_the_other_sessions(app, client, ada):
    login(client, "ada")
    other = app.test_client()
    login(other, "ada")
    assert is_logged_in(other)
    token = page_token(client, "/accounts/password_change/")
    response = client.post(
        "/accounts/password_change/",
        data={
            "old_password": PASSWORD,
            "new_password1": "a-brand-new-secret",
            "new_password2": "a-brand-new-secret",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/password_change/done/"
    assert is_logged_in(client)  # this session follows the new password
    assert not is_logged_in(other)  # the other one is logged out
    assert login(app.test_client(), "ada", "a-brand-new-secret").status_code == 302

"""The login flow with a plain HTTP client: login, logout, next, the session id, the session auth hash."""

from __future__ import annotations

import base64
import hashlib
import typing as t

import pytest
import sqlalchemy as sa

from flaskkit import get_kit
from flaskkit.plugins.auth import User
from flaskkit.plugins.auth.hashers import DEFAULT_PASSWORD_HASHERS
from flaskkit.plugins.orm import db
from flaskkit.plugins.signals import user_logged_in
from flaskkit.plugins.signals import user_logged_out
from flaskkit.plugins.signals import user_login_failed

from . import hashers as counting
from .conftest import PASSWORD
from .conftest import PLUGINS
from .conftest import create_user
from .conftest import log_in
from .conftest import log_out
from .conftest import page_token
from .conftest import session_cookie
from .conftest import set_hash
from .conftest import stored_hash
from .conftest import whoami

INVALID_LOGIN = "Please enter a correct username and password. Note that both fields may be case-sensitive."

#: The unsafe ``next`` values of issue 5 (and Django's http:///): each must land on LOGIN_REDIRECT_URL.
UNSAFE_NEXT = [
    "//evil.com",
    "https://evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "///evil.com",
    "http:/evil.com",
    "http:///evil.com",
    "javascript:alert(1)",
    "https://evil.com/phish?next=/dashboard",
]


def session_store(app: t.Any) -> t.Any:
    return get_kit(app).state(app).plugins["session"].store


@pytest.fixture(params=["file", "redis"])
def engine_site(request, make):
    """The site on the file session engine and on the redis engine (the real Redis)."""
    if request.param == "redis":
        app = make(
            SESSION_ENGINE="redis",
            SESSION_REDIS_URL=request.getfixturevalue("redis_url"),
            SESSION_KEY_PREFIX=request.getfixturevalue("redis_prefix"),
        )
    else:
        app = make()
    create_user(app, "ada")
    return app


def test_login_gives_a_new_session_id_and_the_old_one_is_dead(engine_site):
    store = session_store(engine_site)
    client = engine_site.test_client()
    client.get("/accounts/login/")
    assert session_cookie(client) is None  # the login page creates no session (its CSRF secret is a cookie)
    with client.session_transaction() as data:
        data["cart"] = [1, 2]  # a session from before the login
    before = session_cookie(client)
    assert before is not None and store.load(before) is not None

    response = log_in(client)
    assert response.status_code == 302
    after = session_cookie(client)
    assert after is not None and after != before
    assert store.load(before) is None  # dead in the store, not only forgotten by this client
    assert whoami(client)["username"] == "ada"

    # Someone who planted or copied the old id gets nothing.
    attacker = engine_site.test_client()
    attacker.set_cookie("session", before)
    assert whoami(attacker)["authenticated"] is False
    assert session_cookie(attacker) != after


def test_login_stores_djangos_keys_and_rotates_the_csrf_token(client):
    client.get("/accounts/login/")
    secret_before = client.get_cookie("csrftoken").value
    log_in(client)
    keys = whoami(client)["keys"]
    assert {"_user_id", "_auth_user_backend", "_auth_user_hash"} <= set(keys)
    with client.session_transaction() as data:
        assert data["_auth_user_backend"] == "flaskkit.plugins.auth.backends:ModelBackend"
    secret_after = client.get_cookie("csrftoken").value
    assert len(secret_after) == 32 and secret_after != secret_before


def test_logging_in_as_someone_else_empties_the_session(site, client):
    create_user(site, "bob")
    log_in(client)
    with client.session_transaction() as data:
        data["cart"] = [1, 2]
    log_in(client, "bob")
    assert whoami(client)["username"] == "bob"
    with client.session_transaction() as data:
        assert "cart" not in data


def test_logging_in_again_as_the_same_user_keeps_the_data_and_changes_the_id(client):
    log_in(client)
    with client.session_transaction() as data:
        data["cart"] = [1, 2]
    first = session_cookie(client)
    log_in(client)
    assert session_cookie(client) != first
    with client.session_transaction() as data:
        assert data["cart"] == [1, 2]


def test_logout_by_get_is_405(client):
    log_in(client)
    response = client.get("/accounts/logout/")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}
    assert whoami(client)["authenticated"] is True


def test_logout_post_flushes_the_whole_session(engine_site):
    store = session_store(engine_site)
    client = engine_site.test_client()
    log_in(client)
    with client.session_transaction() as data:
        data["cart"] = [1, 2]
    key = session_cookie(client)
    client.set_cookie("remember_token", "1|abc")
    token = page_token(client, "/accounts/login/")
    with user_logged_out.connected_to(received := _Receiver()):
        response = client.post("/accounts/logout/", data={"csrf_token": token})
    assert response.status_code == 200
    assert "<h1>Logged out</h1>" in response.get_data(as_text=True)
    assert store.load(key) is None
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("session=;") and "Expires=Thu, 01 Jan 1970" in c for c in cookies), cookies
    assert any(c.startswith("remember_token=;") and "Expires=Thu, 01 Jan 1970" in c for c in cookies), cookies
    assert session_cookie(client) is None
    assert whoami(client) == {"authenticated": False, "username": None, "keys": []}
    assert received.calls[0][0] is User
    assert received.usernames == ["ada"]


def test_logout_needs_the_csrf_token(client):
    log_in(client)
    assert client.post("/accounts/logout/").status_code == 403
    assert whoami(client)["authenticated"] is True


def test_logout_redirects_to_logout_redirect_url_or_a_safe_next(make):
    app = make(LOGOUT_REDIRECT_URL="home")  # an endpoint name works as in Django
    create_user(app, "ada")
    client = app.test_client()
    log_in(client)
    response = log_out(client)
    assert (response.status_code, response.headers["Location"]) == (302, "/")
    log_in(client)
    assert log_out(client, next="/dashboard").headers["Location"] == "/dashboard"
    log_in(client)
    assert log_out(client, next="//evil.com").headers["Location"] == "/"


def test_anonymous_user_is_sent_to_login_with_next(client):
    response = client.get("/dashboard?x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=/dashboard%3Fx%3D1"


def test_next_brings_the_user_back(client):
    response = log_in(client, next="/dashboard?x=1")
    assert (response.status_code, response.headers["Location"]) == (302, "/dashboard?x=1")
    assert client.get("/dashboard").get_data(as_text=True) == "dashboard of ada"


def test_next_in_the_form_body_works_too(client):
    token = page_token(client, "/accounts/login/")
    data = {"username": "ada", "password": PASSWORD, "csrf_token": token, "next": "/dashboard"}
    assert client.post("/accounts/login/", data=data).headers["Location"] == "/dashboard"


def test_the_login_page_keeps_a_safe_next_in_its_form_only(client):
    assert 'name="next" value="/dashboard"' in client.get("/accounts/login/?next=/dashboard").get_data(as_text=True)
    assert 'name="next"' not in client.get("/accounts/login/?next=//evil.com").get_data(as_text=True)


@pytest.mark.parametrize("unsafe", UNSAFE_NEXT)
def test_an_unsafe_next_lands_on_login_redirect_url(client, unsafe):
    response = log_in(client, next=unsafe)
    assert (response.status_code, response.headers["Location"]) == (302, "/")
    assert whoami(client)["authenticated"] is True


def test_a_forged_host_never_makes_an_absolute_next_safe(make):
    # Nothing validates the Host here (no middleware plugin, no TRUSTED_HOSTS): the client's
    # Host is not "this site", so an absolute next naming it is refused; a relative one works.
    app = make()
    create_user(app, "ada")
    forged = app.test_client()
    response = log_in(forged, next="http://evil.example/phish", base_url="http://evil.example")
    assert (response.status_code, response.headers["Location"]) == (302, "/")
    assert log_in(app.test_client(), next="/dashboard").headers["Location"] == "/dashboard"


def test_with_allowed_hosts_the_validated_host_may_be_named_by_next(make):
    app = make(PLUGINS=[*PLUGINS, "middleware"], ALLOWED_HOSTS=["testserver.example"])
    create_user(app, "ada")
    client = app.test_client()
    response = log_in(client, next="http://testserver.example/dashboard", base_url="http://testserver.example")
    assert response.headers["Location"] == "http://testserver.example/dashboard"
    # The forged host does not get that far: the middleware plugin refuses the request (400).
    assert app.test_client().get("/accounts/login/", base_url="http://evil.example").status_code == 400


def test_login_redirect_url_may_be_an_endpoint(make):
    app = make(LOGIN_REDIRECT_URL="dashboard")
    create_user(app, "ada")
    assert log_in(app.test_client()).headers["Location"] == "/dashboard"


def test_a_failed_login_shows_djangos_message_and_sends_the_signal_masked(client):
    with user_login_failed.connected_to(received := _Receiver()):
        response = log_in(client, password="wrong-password")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<ul class="errorlist nonfield" id="login-form-errors"><li>{INVALID_LOGIN}</li></ul>' in page
    assert whoami(client)["authenticated"] is False
    [(sender, kwargs)] = received.calls
    assert sender == "flaskkit.plugins.auth.login"
    assert kwargs["credentials"] == {"username": "ada", "password": "********************"}
    assert "wrong-password" not in repr(kwargs)
    assert kwargs["request"].path == "/accounts/login/"


def test_an_empty_form_shows_field_errors(client):
    token = page_token(client, "/accounts/login/")
    page = client.post("/accounts/login/", data={"csrf_token": token}).get_data(as_text=True)
    assert page.count("This field is required.") == 2


def test_login_needs_the_csrf_token(client):
    response = client.post("/accounts/login/", data={"username": "ada", "password": PASSWORD})
    assert response.status_code == 403
    assert whoami(client)["authenticated"] is False


def test_an_inactive_user_cannot_log_in(site, client):
    create_user(site, "gone", is_active=False)
    response = log_in(client, "gone")
    assert response.status_code == 200
    assert INVALID_LOGIN in response.get_data(as_text=True)


def test_a_deactivated_user_is_logged_out_on_the_next_request(site, client):
    log_in(client)
    with site.app_context():
        db.session.execute(sa.update(User).where(User.username == "ada").values(is_active=False))
        db.session.commit()
    assert whoami(client)["authenticated"] is False


def test_the_hasher_runs_for_unknown_usernames(make):
    app = make(PASSWORD_HASHERS=[counting.PATH])
    create_user(app, "ada")
    create_user(app, "gone", is_active=False)
    client = app.test_client()
    for username in ("nobody", "ada", "gone"):
        counting.CountingMD5PasswordHasher.calls = 0
        assert log_in(client, username, "wrong-password").status_code == 200
        assert counting.CountingMD5PasswordHasher.calls == 1, username


def test_login_sends_user_logged_in_and_saves_last_login(site, client):
    with user_logged_in.connected_to(received := _Receiver()):
        log_in(client)
    [(sender, kwargs)] = received.calls
    assert sender is User
    assert received.usernames == ["ada"]
    assert kwargs["request"].path == "/accounts/login/"
    with site.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "ada"))
        assert user.last_login is not None and user.last_login.tzinfo is not None


def test_a_password_change_logs_out_the_other_sessions_only(engine_site):
    store = session_store(engine_site)
    mine, other = engine_site.test_client(), engine_site.test_client()
    log_in(mine)
    log_in(other)
    other_key = session_cookie(other)
    mine_key = session_cookie(mine)
    token = page_token(mine, "/accounts/password_change/")
    response = mine.post(
        "/accounts/password_change/",
        data={
            "csrf_token": token,
            "old_password": PASSWORD,
            "new_password1": "a-new-Password-77",
            "new_password2": "a-new-Password-77",
        },
    )
    assert (response.status_code, response.headers["Location"]) == (302, "/accounts/password_change/done/")
    assert session_cookie(mine) != mine_key  # update_session_auth_hash cycles the key too
    assert mine.get("/accounts/password_change/done/").status_code == 200
    assert whoami(mine)["username"] == "ada"
    assert whoami(other)["authenticated"] is False
    assert store.load(other_key) is None  # the invalidated session was flushed
    assert log_in(engine_site.test_client(), password="a-new-Password-77").status_code == 302


def test_the_password_change_form_checks_old_password_match_and_validators(site, client):
    log_in(client)

    def change(old: str, new1: str, new2: str) -> str:
        token = page_token(client, "/accounts/password_change/")
        data = {"csrf_token": token, "old_password": old, "new_password1": new1, "new_password2": new2}
        response = client.post("/accounts/password_change/", data=data)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert "Your old password was entered incorrectly. Please enter it again." in change(
        "nope", "x-Y-z-123456", "x-Y-z-123456"
    )
    assert "The two password fields didn’t match." in change(PASSWORD, "x-Y-z-123456", "x-Y-z-654321")  # noqa: RUF001
    page = change(PASSWORD, "12345678", "12345678")
    assert "This password is too common." in page
    assert "This password is entirely numeric." in page
    assert stored_hash(site, "ada").startswith("md5$")
    with site.app_context():
        assert db.session.scalar(sa.select(User).where(User.username == "ada")).check_password(PASSWORD)


def test_password_change_needs_a_login(client):
    response = client.get("/accounts/password_change/")
    assert response.headers["Location"] == "/accounts/login/?next=/accounts/password_change/"
    assert client.get("/accounts/password_change/done/").status_code == 302


def test_every_auth_form_carries_a_csrf_token_and_never_caches(client):
    for path in ("/accounts/login/", "/accounts/register/"):
        response = client.get(path)
        assert 'name="csrf_token" type="hidden"' in response.get_data(as_text=True), path
        assert response.headers["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    log_in(client)
    page = client.get("/accounts/password_change/").get_data(as_text=True)
    assert 'name="csrf_token" type="hidden"' in page


def test_register_logs_the_new_user_in(site, client):
    page = client.get("/accounts/register/").get_data(as_text=True)
    assert "Password confirmation" in page
    assert "Your password must contain at least 8 characters." in page
    token = page_token(client, "/accounts/register/")
    data = {"csrf_token": token, "username": "grace", "password1": "Cobol-1959-rocks", "password2": "Cobol-1959-rocks"}
    response = client.post("/accounts/register/?next=/dashboard", data=data)
    assert (response.status_code, response.headers["Location"]) == (302, "/dashboard")
    assert whoami(client)["username"] == "grace"
    assert log_in(site.test_client(), "grace", "Cobol-1959-rocks").status_code == 302


#: "kate" typed on a full-width keyboard (FULLWIDTH LATIN SMALL LETTER K, A, T, E).
FULL_WIDTH_KATE = "\uff4b\uff41\uff54\uff45"


def test_a_full_width_username_logs_in_as_it_was_registered(site, client):
    token = page_token(client, "/accounts/register/")
    data = {"csrf_token": token, "username": FULL_WIDTH_KATE, "password1": PASSWORD, "password2": PASSWORD}
    assert client.post("/accounts/register/", data=data).status_code == 302
    with site.app_context():
        assert db.session.scalars(sa.select(User.username).where(User.username != "ada")).all() == ["kate"]
    # What the user types at login is normalised as registration normalised it (NFKC), spaces
    # around it dropped (Django's UsernameField).
    for typed in (FULL_WIDTH_KATE, "kate", f" {FULL_WIDTH_KATE} "):
        browser = site.test_client()
        assert log_in(browser, typed).status_code == 302, typed
        assert whoami(browser)["username"] == "kate"
    # authenticate() itself (an API view, a custom form) normalises too.
    from flaskkit.plugins.auth import authenticate

    with site.test_request_context():
        user = authenticate(username=FULL_WIDTH_KATE, password=PASSWORD)
        assert user is not None and user.username == "kate"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"username": "ADA", "password1": "Cobol-1959-rocks", "password2": "Cobol-1959-rocks"},
            "A user with that username already exists.",
        ),
        (
            {"username": "grace", "password1": "Cobol-1959-rocks", "password2": "Cobol-1959-rockz"},
            "The two password fields didn’t match.",  # noqa: RUF001
        ),
        (
            {"username": "grace", "password1": "Grace123", "password2": "Grace123"},
            "The password is too similar to the username.",
        ),
        (
            {"username": "grace hopper", "password1": "Cobol-1959-rocks", "password2": "Cobol-1959-rocks"},
            "Enter a valid username.",
        ),
    ],
)
def test_register_refuses_bad_data(site, client, data, message):
    token = page_token(client, "/accounts/register/")
    response = client.post("/accounts/register/", data={"csrf_token": token, **data})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert whoami(client)["authenticated"] is False
    with site.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_registration_can_be_switched_off(make):
    app = make(AUTH_REGISTRATION_ENABLED=False)
    client = app.test_client()
    assert client.get("/accounts/register/").status_code == 404
    assert "Register" not in client.get("/accounts/login/").get_data(as_text=True)


def test_the_url_prefix_can_move_and_login_url_follows(make):
    app = make(AUTH_URL_PREFIX="/users")
    create_user(app, "ada")
    client = app.test_client()
    assert app.config["LOGIN_URL"] == "/users/login/"
    assert client.get("/dashboard").headers["Location"] == "/users/login/?next=/dashboard"
    assert client.get("/accounts/login/").status_code == 404
    token = page_token(client, "/users/login/")
    assert (
        client.post("/users/login/", data={"username": "ada", "password": PASSWORD, "csrf_token": token}).status_code
        == 302
    )


def test_views_can_be_left_unmounted(make):
    app = make(AUTH_URL_PREFIX=None, LOGIN_URL="/signin/")
    assert app.test_client().get("/accounts/login/").status_code == 404
    assert app.test_client().get("/dashboard").headers["Location"] == "/signin/?next=/dashboard"


def test_an_authenticated_user_may_be_redirected_away_from_the_login_page(make):
    app = make(AUTH_REDIRECT_AUTHENTICATED_USER=True)
    create_user(app, "ada")
    client = app.test_client()
    log_in(client)
    assert client.get("/accounts/login/?next=/dashboard").headers["Location"] == "/dashboard"


def test_a_django_made_hash_logs_in_and_is_upgraded(make):
    app = make(PASSWORD_HASHERS=list(DEFAULT_PASSWORD_HASHERS))  # pbkdf2_sha256 first
    create_user(app, "ada", password=None)
    set_hash(app, "ada", "pbkdf2_sha256$1000000$seasalt$r1uLUxoxpP2Ued/qxvmje7UH9PUJBkRrvf9gGPL7Cps=")
    client = app.test_client()
    assert log_in(client, password="lètmein").status_code == 302
    upgraded = stored_hash(app, "ada")
    assert upgraded.startswith("pbkdf2_sha256$1000000$") and "$seasalt$" not in upgraded  # a salt of 128 bits


def test_an_outdated_iteration_count_is_upgraded_at_login(make):
    app = make(PASSWORD_HASHERS=list(DEFAULT_PASSWORD_HASHERS))
    create_user(app, "ada", password=None)
    salt = "Qm9uam91ci1sZXMtYW1pcw"
    digest = base64.b64encode(hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), salt.encode(), 600_000)).decode()
    set_hash(app, "ada", f"pbkdf2_sha256$600000${salt}${digest}")
    client = app.test_client()
    assert log_in(client).status_code == 302
    upgraded = stored_hash(app, "ada")
    assert upgraded.startswith("pbkdf2_sha256$1000000$")
    # The session survives the upgrade: the hash it was logged in with was the new one.
    assert whoami(client)["username"] == "ada"
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.username == "ada")).check_password(PASSWORD)


class _Receiver:
    """A signal receiver that records its calls (and the username of ``user``, read during the request)."""

    def __init__(self) -> None:
        self.calls: list[tuple[t.Any, dict[str, t.Any]]] = []
        self.usernames: list[str | None] = []

    def __call__(self, sender: t.Any, **kwargs: t.Any) -> None:
        self.calls.append((sender, kwargs))
        self.usernames.append(getattr(kwargs.get("user"), "username", None))


def test_session_is_not_touched_by_pages_that_do_not_use_it(client):
    # A page that never reads current_user or the session gets no cookie and no Vary: Cookie.
    response = client.get("/")
    assert response.headers.get("Set-Cookie") is None
    assert "Cookie" not in response.headers.get("Vary", "")

"""The example site's password reset and messages, with an HTTP client: locmem, the console, a real SMTP server."""

from __future__ import annotations

import os
import re

import pytest

from example_site import create_app
from example_site.seed import migrate
from flaskkit.plugins.auth import User
from flaskkit.plugins.mail import outbox
from tests.plugins.mail.smtp_server import smtp_server

from .conftest import FAST_PASSWORD_HASHERS
from .helpers import PASSWORD
from .helpers import login
from .helpers import logout
from .helpers import page_token

LINK = re.compile(r"https?://[^/\s]+(/accounts/reset/\S+/)")
NEW_PASSWORD = "a-brand-new-passw0rd"


def add_ada(app) -> None:
    with app.app_context():
        User.objects.create_user("ada", "ada@example.com", PASSWORD)


def ask_reset(client, email: str = "ada@example.com"):
    token = page_token(client, "/accounts/password_reset/")
    return client.post("/accounts/password_reset/", data={"email": email, "csrf_token": token})


def choose_password(client, link_path: str):
    set_path = client.get(link_path).headers["Location"]
    token = page_token(client, set_path)
    return client.post(
        set_path, data={"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, "csrf_token": token}
    )


def messages_on(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<li class="([^"]+)">([^<]+)</li>', html)


def test_forgot_password_end_to_end(app, client):
    add_ada(app)
    assert 'href="/accounts/password_reset/"' in client.get("/accounts/login/").get_data(as_text=True)
    response = ask_reset(client)
    assert response.headers["Location"] == "/accounts/password_reset/done/"
    done = client.get("/accounts/password_reset/done/").get_data(as_text=True)
    assert "Password reset sent" in done and "We’ve emailed you instructions" in done  # noqa: RUF001
    (mail,) = outbox(app)
    assert mail.from_email == "flaskkit notes <noreply@notes.example>"
    assert mail.subject == "Password reset on flaskkit notes"
    link = LINK.search(mail.body).group(1)
    response = choose_password(client, link)
    assert response.headers["Location"] == "/accounts/reset/done/"
    complete = client.get("/accounts/reset/done/").get_data(as_text=True)
    assert ("success", "Your password has been set. You may go ahead and log in now.") in messages_on(complete)
    assert login(client, "ada", NEW_PASSWORD).status_code == 302
    assert ("success", "You are logged in as ada.") in messages_on(client.get("/").get_data(as_text=True))
    # The same link again is refused.
    assert "The password reset link was invalid" in app.test_client().get(link).get_data(as_text=True)


def test_the_console_backend_prints_the_mail_by_default(site_environment, instance_path, capsys):
    app = create_app({"TESTING": True, "PASSWORD_HASHERS": FAST_PASSWORD_HASHERS}, instance_path=instance_path)
    assert app.config["EMAIL_BACKEND"] == "console"
    with app.app_context():
        migrate()
    add_ada(app)
    ask_reset(app.test_client())
    printed = capsys.readouterr().out
    assert "Subject: Password reset on flaskkit notes" in printed and "To: ada@example.com" in printed
    assert LINK.search(printed)


def test_smtp_when_email_host_is_set(site_environment, instance_path, tmp_path):
    with smtp_server(tmp_path) as server:
        site_environment.setenv("EMAIL_HOST", "127.0.0.1")
        site_environment.setenv("EMAIL_PORT", str(server.port))
        app = create_app({"TESTING": True, "PASSWORD_HASHERS": FAST_PASSWORD_HASHERS}, instance_path=instance_path)
        assert app.config["EMAIL_BACKEND"] == "smtp"
        with app.app_context():
            migrate()
        add_ada(app)
        ask_reset(app.test_client())
        (received,) = server.wait_for(1)
    assert received["To"] == "ada@example.com"
    assert LINK.search(received.get_body(("plain",)).get_content())


def test_smtp_when_email_url_is_set(site_environment, instance_path, tmp_path):
    with smtp_server(tmp_path) as server:
        site_environment.setenv("EMAIL_URL", f"{server.url}?timeout=5")
        # Not TESTING: the mail plugin reads EMAIL_URL from the environment only outside tests.
        app = create_app({"PASSWORD_HASHERS": FAST_PASSWORD_HASHERS}, instance_path=instance_path)
        assert (app.config["EMAIL_BACKEND"], app.config["EMAIL_PORT"]) == ("smtp", server.port)
        with app.app_context():
            migrate()
        add_ada(app)
        client = app.test_client()
        response = ask_reset(client)
        assert response.status_code == 302
        response.close()  # the mail goes once the response is sent, as under a real server
        (received,) = server.wait_for(1)
    assert received["Subject"] == "Password reset on flaskkit notes"


def test_site_messages_note_saved_and_deleted(app, client):
    add_ada(app)
    login(client, "ada")
    client.get("/")  # the login message is shown and gone
    token = page_token(client, "/notes/new/")
    response = client.post("/notes/new/", data={"title": "Groceries", "body": "Milk.", "csrf_token": token})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert messages_on(page) == [("success", "Your note is on the board.")]
    note_path = response.headers["Location"]
    token = page_token(client, f"{note_path}delete/")
    response = client.post(f"{note_path}delete/", data={"csrf_token": token})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert messages_on(page) == [("success", "“Groceries” is deleted.")]
    assert messages_on(client.get("/notes/mine/").get_data(as_text=True)) == []  # once only


def test_site_messages_registered_and_logged_out_without_a_session_left(app, client):
    token = page_token(client, "/accounts/register/")
    response = client.post(
        "/accounts/register/",
        data={"username": "grace", "password1": PASSWORD, "password2": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert ("success", "Welcome, grace: your account is ready.") in messages_on(page)
    sessions = os.path.join(app.instance_path, "sessions")
    response = logout(client)
    assert os.listdir(sessions) == []  # the session was deleted at logout...
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ("info", "You have been logged out.") in messages_on(page)
    assert os.listdir(sessions) == []  # ...and the message did not make a new one


@pytest.mark.parametrize("path", ["/accounts/password_reset/", "/accounts/login/"])
def test_anonymous_pages_have_no_messages_cookie(client, path):
    response = client.get(path)
    assert "messages=" not in ";".join(response.headers.getlist("Set-Cookie"))

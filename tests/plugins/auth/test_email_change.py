"""Changing one's email address, confirmed by a link mailed to the new address."""

from __future__ import annotations

import re

import pytest

from flaskkit.plugins.auth import get_user_model
from flaskkit.plugins.mail import outbox
from flaskkit.plugins.orm import db

from .conftest import PASSWORD
from .conftest import PLUGINS
from .conftest import create_user
from .conftest import log_in
from .conftest import page_token

LINK = re.compile(r"https?://[^/\s]+(/accounts/email_change/confirm/\S+/)")


@pytest.fixture
def site(make):
    app = make(PLUGINS=[*PLUGINS, "mail", "messages"])
    create_user(app, "ada")
    create_user(app, "bob")
    return app


def email_of(app, username: str) -> str:
    with app.app_context():
        model = get_user_model()
        return db.session.scalar(db.select(model.email).where(model.username == username))


def ask_change(client, email: str, password: str = PASSWORD):
    token = page_token(client, "/accounts/email_change/")
    return client.post("/accounts/email_change/", data={"email": email, "password": password, "csrf_token": token})


def confirm(client, path: str):
    token = page_token(client, "/accounts/email_change/")  # the session's token (the page may have no form)
    return client.post(path, data={"csrf_token": token})


def test_the_change_happens_only_when_the_link_is_confirmed(site):
    client = site.test_client()
    log_in(client)
    response = ask_change(client, "ada.new@example.com")
    assert response.headers["Location"] == "/accounts/email_change/done/"
    (mail,) = outbox(site)
    assert mail.to == ["ada.new@example.com"]
    assert email_of(site, "ada") == "ada@example.com"  # not yet
    path = LINK.search(mail.body).group(1)
    page = client.get(path).get_data(as_text=True)
    assert "Use <strong>ada.new@example.com</strong> as your email address" in page
    assert email_of(site, "ada") == "ada@example.com"  # a GET changes nothing
    response = confirm(client, path)
    assert response.headers["Location"] == "/accounts/email_change/complete/"
    assert email_of(site, "ada") == "ada.new@example.com"
    notice = outbox(site)[-1]
    assert notice.to == ["ada@example.com"]
    assert "was changed from ada@example.com to ada.new@example.com" in notice.body
    # Single-use: the address it was made for has changed.
    assert "The confirmation link was invalid" in client.get(path).get_data(as_text=True)


def test_wrong_password_or_same_address_is_refused(site):
    client = site.test_client()
    log_in(client)
    page = ask_change(client, "x@example.com", password="wrong").get_data(as_text=True)
    assert "Your password was entered incorrectly. Please enter it again." in page
    page = ask_change(client, "ADA@example.com").get_data(as_text=True)
    assert "This is already your email address." in page
    assert outbox(site) == []


def test_the_link_belongs_to_its_user(site):
    client = site.test_client()
    log_in(client)
    ask_change(client, "ada.new@example.com")
    path = LINK.search(outbox(site)[0].body).group(1)
    other = site.test_client()
    log_in(other, "bob")
    assert "The confirmation link was invalid" in confirm(other, path).get_data(as_text=True)
    assert email_of(site, "bob") == "bob@example.com"
    anonymous = site.test_client()
    assert anonymous.get(path).status_code == 302  # to the login page


def test_the_link_dies_when_the_password_changes_or_expires(site, monkeypatch):
    client = site.test_client()
    log_in(client)
    ask_change(client, "ada.new@example.com")
    path = LINK.search(outbox(site)[0].body).group(1)
    site.config["AUTH_EMAIL_CHANGE_TIMEOUT"] = 1
    import time

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 5)
    assert "The confirmation link was invalid" in client.get(path).get_data(as_text=True)


def test_login_required(site):
    response = site.test_client().get("/accounts/email_change/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/?next=")

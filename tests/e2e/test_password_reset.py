"""Password reset in a real browser: forgot password -> mail (a real SMTP server) -> link -> new password -> log in.

The site runs as ``python -m example_site`` with ``EMAIL_URL`` pointing at an SMTP server
on 127.0.0.1 (aiosmtpd, in a subprocess); the test reads the mail there. The link is
then refused a second time, after the user logged in, and after it expired.
"""

from __future__ import annotations

import math
import re
import time
import typing as t
from pathlib import Path

import pytest

from tests.example_site.server import run_site
from tests.plugins.mail.smtp_server import SMTPServer
from tests.plugins.mail.smtp_server import smtp_server

from .browsing import Visit
from .conftest import DEMO_PASSWORD

LINK = re.compile(r"https?://[^/\s]+(/accounts/reset/\S+/)")
OLD_PASSWORD = "an-old-passw0rd-123"
NEW_PASSWORD = "a-new-passw0rd-456"
INVALID = "The password reset link was invalid"
#: PASSWORD_RESET_TIMEOUT of the site whose link expires: one second.
SHORT_TIMEOUT = 1


def add_user(instance: Path, username: str, email: str, password: str) -> None:
    """A user with an email address, written into the running site's database."""
    from example_site import create_app
    from flaskkit.plugins.auth import User

    app = create_app(
        {
            "PASSWORD_HASHERS": [
                "flaskkit.plugins.auth.hashers:MD5PasswordHasher",
                "flaskkit.plugins.auth.hashers:PBKDF2PasswordHasher",
            ]
        },
        instance_path=instance,
    )
    with app.app_context():
        User.objects.create_user(username, email, password)


@pytest.fixture(scope="module")
def mail_site(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[tuple[t.Any, SMTPServer, Path]]:
    folder = tmp_path_factory.mktemp("e2e-reset")
    instance = folder / "instance"
    with smtp_server(folder) as server:
        env = {"EXAMPLE_SITE_DEMO_PASSWORD": DEMO_PASSWORD, "EMAIL_URL": f"{server.url}?timeout=30"}
        with run_site(instance, env=env) as site:
            add_user(instance, "lovelace", "ada@example.com", OLD_PASSWORD)
            yield site, server, instance


def wait_until(moment: float) -> None:
    """Sleep until ``time.time()`` reaches ``moment`` (the site runs on this machine's clock)."""
    delay = moment - time.time()
    if delay > 0:
        time.sleep(delay)


def request_link(visit: Visit, server: SMTPServer, email: str, screenshot: str | None = None) -> str:
    before = len(server.messages())
    visit.open("/accounts/login/")
    visit.click(visit.link("Forgotten your password or username?"))
    assert visit.path == "/accounts/password_reset/"
    visit.fill(email=email)
    if screenshot:
        visit.screenshot(f"{screenshot}-form")
    visit.click(visit.button("Reset my password"))
    assert visit.path == "/accounts/password_reset/done/"
    assert "Password reset sent" in visit.text("h1")
    if screenshot:
        visit.screenshot(f"{screenshot}-sent")
    messages = server.wait_for(before + 1, timeout=30)
    assert len(messages) == before + 1, "the reset mail did not reach the SMTP server"
    mail = messages[-1]
    assert mail["To"] == email
    return LINK.search(mail.get_body(("plain",)).get_content()).group(1)


def test_forgot_password_then_log_in_with_the_new_one(browser, mail_site, screenshots):
    site, server, _ = mail_site
    visit = Visit(browser, site.url, screenshots)
    link = request_link(visit, server, "ada@example.com", screenshot="20-reset")

    visit.open(link)
    assert visit.path.endswith("/set-password/")  # the token left the URL before the page rendered
    assert link.split("/")[-2] not in browser.current_url
    assert visit.text("h1") == "Enter new password"
    visit.fill(new_password1=NEW_PASSWORD, new_password2=NEW_PASSWORD)
    visit.screenshot("21-reset-new-password")
    visit.click(visit.button("Change my password"))
    assert visit.path == "/accounts/reset/done/"
    assert "Your password has been set." in visit.text(".messages")
    visit.screenshot("22-reset-complete")

    visit.log_in("lovelace", OLD_PASSWORD)
    assert visit.signed_in_as() is None
    visit.log_in("lovelace", NEW_PASSWORD)
    assert visit.signed_in_as() == "lovelace"
    assert visit.text(".messages") == "You are logged in as lovelace."
    visit.log_out()
    assert visit.text(".messages") == "You have been logged out."

    # The same link a second time.
    visit.open(link)
    assert INVALID in visit.text()
    visit.screenshot("23-reset-link-used")


def test_a_link_is_refused_after_a_login(browser, mail_site, screenshots):
    site, server, _ = mail_site
    visit = Visit(browser, site.url, screenshots)
    before = time.time()  # after the last login (the test before's)
    link = request_link(visit, server, "ada@example.com")
    # last_login is part of the token, to the second: this login must fall in a later second than the last one.
    wait_until(math.floor(before) + 1)
    visit.log_in("lovelace", NEW_PASSWORD)
    assert visit.signed_in_as() == "lovelace"
    visit.log_out()
    visit.open(link)
    assert INVALID in visit.text()


def test_an_unknown_address_gets_the_same_page_and_no_mail(browser, mail_site, screenshots):
    site, server, _ = mail_site
    visit = Visit(browser, site.url, screenshots)
    before = len(server.messages())
    visit.open("/accounts/password_reset/")
    visit.fill(email="nobody@example.com")
    visit.click(visit.button("Reset my password"))
    assert visit.path == "/accounts/password_reset/done/"
    assert "Password reset sent" in visit.text("h1")
    time.sleep(1)
    assert len(server.messages()) == before


def test_a_link_is_refused_after_it_expired(browser, chromium, tmp_path, screenshots):
    instance = tmp_path / "instance"
    with smtp_server(tmp_path) as server:
        env = {
            "EXAMPLE_SITE_DEMO_PASSWORD": DEMO_PASSWORD,
            "EMAIL_URL": f"{server.url}?timeout=30",
            "FLASK_PASSWORD_RESET_TIMEOUT": str(SHORT_TIMEOUT),
        }
        with run_site(instance, env=env) as site:
            add_user(instance, "lovelace", "ada@example.com", OLD_PASSWORD)
            visit = Visit(browser, site.url, screenshots)
            link = request_link(visit, server, "ada@example.com")
            # The token holds the second it was made in (before now), and is valid while the seconds since then,
            # counted whole, are at most PASSWORD_RESET_TIMEOUT: it has expired once the second after that begins.
            wait_until(math.floor(time.time()) + SHORT_TIMEOUT + 1)
            visit.open(link)
            assert INVALID in visit.text()
            visit.screenshot("24-reset-link-expired")

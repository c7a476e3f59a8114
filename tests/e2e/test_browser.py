"""The example site in a real browser: headless Chromium against ``python -m example_site`` on 127.0.0.1.

Every page a test visits is checked for a CSRF token in each of its forms and, in Chromium's
console, for any Content-Security-Policy violation (the site sends a strict policy) or other
error; the main pages are saved as screenshots in artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest

from .browsing import Visit
from .browsing import is_csp_violation
from .conftest import DEMO_PASSWORD

PASSWORD = "a-browser-test-password"


@pytest.fixture
def visit(browser, site, screenshots) -> Visit:
    return Visit(browser, site.url, screenshots)


def test_register_log_in_write_edit_delete_log_out(visit):
    visit.open("/")
    assert visit.text("h1") == "All notes"
    assert "Welcome to the notes board" in visit.text(".notes")
    visit.screenshot("01-board")

    visit.click(visit.link("Register"))
    assert visit.path == "/accounts/register/"
    visit.fill(username="grace", password1=PASSWORD, password2=PASSWORD)
    visit.screenshot("02-register")
    visit.click(visit.button("Register"))
    assert visit.path == "/"
    assert visit.signed_in_as() == "grace"
    visit.screenshot("03-board-signed-in")

    visit.log_out()
    assert visit.signed_in_as() is None
    assert visit.link("Log in").is_displayed()

    visit.log_in("grace", PASSWORD)
    assert visit.path == "/"
    assert visit.signed_in_as() == "grace"

    visit.click(visit.link("New note"))
    assert visit.path == "/notes/new/"
    # The page's inline module ran under the policy with its nonce: the title's characters-left line.
    assert visit.text("#title-count") == "120 characters left"
    visit.fill(title="Written in Chromium", body="First line.\nSecond line.")
    assert visit.text("#title-count") == "101 characters left"
    visit.screenshot("04-new-note")
    visit.click(visit.button("Post note"))
    assert re.fullmatch(r"/notes/\d+/", visit.path)
    note_path = visit.path
    assert visit.text(".messages") == "Your note is on the board."
    assert visit.text("h1") == "Written in Chromium"
    assert visit.text(".note-body") == "First line.\nSecond line."
    visit.screenshot("05-note")

    visit.click(visit.link("Edit"))
    assert visit.path == f"{note_path}edit/"
    visit.fill(title="Edited in Chromium")
    visit.screenshot("06-edit-note")
    visit.click(visit.button("Save changes"))
    assert visit.path == note_path
    assert visit.text(".messages") == "Your changes are saved."
    assert visit.text("h1") == "Edited in Chromium"

    visit.open("/")
    assert "Edited in Chromium" in visit.text(".notes")

    visit.open(note_path)
    visit.click(visit.link("Delete"))
    assert visit.path == f"{note_path}delete/"
    assert "Edited in Chromium" in visit.text(".card")
    visit.screenshot("07-delete-note")
    visit.click(visit.button("Yes, delete it"))
    assert visit.path == "/notes/mine/"
    assert visit.text(".messages") == "“Edited in Chromium” is deleted."
    assert "You have not written a note yet." in visit.text()
    visit.screenshot("08-my-notes")

    visit.log_out()
    assert visit.path == "/"
    assert visit.signed_in_as() is None
    visit.open(note_path)
    assert visit.text("h1") == "404 Not Found"

    assert len(visit.pages) >= 15
    assert sum(forms for _, forms in visit.pages) >= 10, visit.pages


def test_a_failed_login_says_why(visit):
    visit.log_in("demo", "not-the-password")
    assert visit.path == "/accounts/login/"
    assert visit.text(".errorlist") == (
        "Please enter a correct username and password. Note that both fields may be case-sensitive."
    )
    assert visit.signed_in_as() is None
    visit.screenshot("09-login-failed")


def test_the_demo_account_cannot_change_another_users_note(visit):
    visit.log_in("demo", DEMO_PASSWORD)
    assert visit.signed_in_as() == "demo"
    visit.open("/?page=last")
    visit.click(visit.link("Try to edit this note"))
    assert "by ada" in visit.text(".meta")
    assert not visit.find_all(".actions")  # no Edit or Delete buttons
    visit.open(visit.path + "edit/")
    assert visit.text("h1") == "403 Forbidden"
    visit.screenshot("10-forbidden")

    visit.click(visit.link("Change password"))
    assert visit.path == "/accounts/password_change/"
    visit.screenshot("11-password-change")


def test_the_console_check_sees_a_csp_violation(visit):
    """The check of every page above can fail: an inline script without the nonce is refused and logged."""
    visit.open("/")
    visit.driver.execute_script(
        "const s = document.createElement('script'); s.textContent = 'document.title = \"injected\"';"
        "document.body.appendChild(s);"
    )
    violations = [entry["message"] for entry in visit.console() if is_csp_violation(entry)]
    assert len(violations) == 1, violations
    # Chromium's wording changes between versions ("Refused to execute inline script...", "Executing
    # inline script violates..."); what it names does not.
    assert "inline script" in violations[0]
    assert "Content Security Policy directive 'script-src 'self''" in violations[0]
    assert visit.driver.title != "injected"


def test_the_staff_account_uses_the_admin(visit):
    visit.open("/admin/")
    assert visit.path == "/accounts/login/?next=/admin/"
    visit.fill(username="admin", password=DEMO_PASSWORD)
    visit.click(visit.button("Log in"))
    assert visit.path == "/admin/"
    assert visit.text("h1") == "Site administration"
    visit.screenshot("12-admin-index")
    visit.click(visit.link("Notes"))
    assert "12 notes" in visit.text(".paginator")
    visit.fill(q="cached")
    visit.click(visit.button("Search"))
    visit.click(visit.link("A cached page"))
    assert visit.text("h1") == "Change note"
    visit.screenshot("13-admin-change-note")
    visit.click(visit.link("History"))
    assert "Change history: A cached page" in visit.text("h1")

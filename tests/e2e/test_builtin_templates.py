"""The templates the plugins ship, in a real browser under ``Content-Security-Policy: default-src 'self'``.

tests/e2e/builtin_site.py uses no template of its own: the auth pages and their layout, the
generic views' fallback templates, ``render_form`` and the CSRF failure page are flaskkit's.
Every page is checked by :class:`Visit` (CSRF tokens in its forms, nothing in the console:
an inline ``<style>`` or ``style=""`` would be a violation), and shown in artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest

from .browsing import Visit
from .builtin_site import PASSWORD


@pytest.fixture
def visit(browser, builtin_site, screenshots) -> Visit:
    return Visit(browser, builtin_site.url, screenshots)


def test_the_views_fallback_templates(visit):
    visit.open("/")
    assert visit.text("h1") == "Bookmarks"
    assert visit.text(".empty") == "There is nothing here yet."

    visit.open("/new/")
    assert visit.text("h1") == "Add bookmark"
    # render_form's layout comes from its style sheet: labels are blocks, fields full width.
    label = visit.find('label[for="title"]')
    assert label.value_of_css_property("display") == "block"
    assert label.value_of_css_property("font-weight") == "600"
    visit.driver.execute_script("document.getElementById('form').noValidate = true")  # let the server say it
    visit.click(visit.button("Save"))  # empty: the form comes back with its errors
    assert visit.text("#title-errors") == "This field is required."
    assert visit.find("#title").value_of_css_property("outline-style") == "solid"  # [aria-invalid=true]
    visit.screenshot("30-builtin-form-errors")
    visit.fill(title="Django", url="https://www.djangoproject.com/")
    visit.click(visit.button("Save"))
    assert re.fullmatch(r"/\d+/", visit.path)
    assert visit.text("h1") == "Django"
    visit.screenshot("31-builtin-detail")
    detail = visit.path

    visit.open("/")
    assert visit.text(".object-list") == "Django"
    visit.screenshot("32-builtin-list")
    visit.open(f"{detail}delete/")
    assert "Are you sure you want to delete the bookmark “Django”?" in visit.text()
    visit.screenshot("33-builtin-delete")
    visit.click(visit.button("Yes, delete it"))
    assert visit.path == "/"
    assert visit.text(".empty") == "There is nothing here yet."


def test_the_auth_pages_in_their_own_layout(visit):
    visit.open("/accounts/login/")
    assert visit.text("h1") == "Log in"
    assert visit.find("body").value_of_css_property("max-width") == "480px"  # auth.css: 30em
    visit.fill(username="ada", password="not-the-password")
    visit.click(visit.button("Log in"))
    assert "Please enter a correct username and password." in visit.text(".errorlist")
    visit.screenshot("34-builtin-login-failed")
    visit.fill(username="ada", password=PASSWORD)
    visit.click(visit.button("Log in"))
    assert visit.path == "/"
    visit.open("/accounts/password_change/")
    assert visit.text("h1") == "Password change"
    visit.screenshot("35-builtin-password-change")


def test_the_csrf_failure_page(visit):
    """A form sent without the CSRF cookie (a browser that refuses cookies) gets the 403 page."""
    visit.open("/new/")
    visit.driver.delete_cookie("csrftoken")
    visit.fill(title="Lost", url="https://example.com/")
    visit.click(visit.button("Save"))
    assert visit.text("h1") == "Forbidden (403)"
    assert visit.text(".reason") == "Reason: CSRF cookie not set."
    assert visit.find(".reason").value_of_css_property("border-left-style") == "solid"  # csrf_failure.css
    visit.screenshot("36-builtin-csrf-failure")

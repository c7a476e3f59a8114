"""What the site tells a visitor, seen in Chromium: the messages after registering and logging out,
and an invalid field in red (the stylesheet's rule for ``aria-invalid`` must win over the inputs' own)."""

from __future__ import annotations

import pytest

from .browsing import Visit

PASSWORD = "a-feedback-test-password"
#: ``--danger`` in example_site/static/site.css, as the browser computes it.
DANGER = "rgba(180, 35, 24, 1)"
#: The inputs' own border colour (#c3cad3).
PLAIN = "rgba(195, 202, 211, 1)"


@pytest.fixture
def visit(browser, site, screenshots) -> Visit:
    return Visit(browser, site.url, screenshots)


def test_registering_and_logging_out_say_so(visit):
    visit.open("/accounts/register/")
    visit.fill(username="hopper", password1=PASSWORD, password2=PASSWORD)
    visit.click(visit.button("Register"))
    assert visit.path == "/"
    assert visit.text(".messages") == "Welcome, hopper: your account is ready."
    visit.screenshot("10-registered")
    visit.open("/notes/mine/")
    assert visit.find_all(".messages li") == []  # shown once
    visit.log_out()
    assert visit.path == "/"
    assert visit.text(".messages") == "You have been logged out."
    visit.screenshot("11-logged-out")


def test_an_invalid_text_input_has_a_red_border(visit):
    visit.open("/accounts/register/")
    visit.fill(username="lovelace", password1=PASSWORD, password2=PASSWORD)
    visit.click(visit.button("Register"))
    visit.open("/notes/new/")
    title = visit.find('input[name="title"]')
    assert title.value_of_css_property("border-top-color") == PLAIN
    visit.fill(title="   ", body="A body, but a title of spaces only.")  # the browser's `required` lets it through
    visit.click(visit.button("Post note"))
    assert visit.path == "/notes/new/"
    title = visit.find('input[name="title"]')
    assert title.get_attribute("aria-invalid") == "true"
    assert "This field is required." in visit.text(".has-errors")
    visit.driver.execute_script("document.activeElement.blur()")  # the focus ring would colour it otherwise
    assert title.value_of_css_property("border-top-color") == DANGER
    assert visit.find('textarea[name="body"]').value_of_css_property("border-top-color") == PLAIN
    visit.screenshot("12-invalid-note")

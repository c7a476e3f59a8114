"""The example site's languages in a real browser: the switcher in the footer, the login page and its errors."""

from __future__ import annotations

import pytest

from .browsing import Visit


@pytest.fixture
def visit(browser, site, screenshots) -> Visit:
    return Visit(browser, site.url, screenshots)


def switch_to(visit: Visit, code: str, button: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(visit.find("form.language-switcher select")).select_by_value(code)
    visit.click(visit.button(button))


def test_the_switcher_changes_the_language_of_the_login_page(visit):
    visit.open("/accounts/login/")
    assert visit.text("h1") == "Log in"
    switch_to(visit, "de", "Go")
    assert visit.path == "/accounts/login/"
    assert visit.text("h1") == "Anmelden"
    assert visit.find("html").get_attribute("lang") == "de"
    visit.fill(username="nobody", password="wrong-password")
    visit.click(visit.button("Anmelden"))
    assert "Bitte einen gültigen Benutzername und ein Passwort eingeben." in visit.text(".errorlist")
    visit.screenshot("i18n-01-login-de")

    switch_to(visit, "zh-hans", "Los")
    assert visit.text("h1") == "登录"
    visit.open("/")
    assert visit.text("h1") == "全部笔记"
    visit.screenshot("i18n-02-board-zh-hans")

    # A page under /de/ that needs a login: LOGIN_URL is a path, so the login page has no prefix and is in the
    # cookie's language (as in Django, where only a named LOGIN_URL gets the prefix); "next" keeps /de/.
    visit.open("/de/notes/mine/")
    assert visit.path == "/accounts/login/?next=/de/notes/mine/"
    assert visit.text("h1") == "登录"
    switch_to(visit, "en", "切换")
    assert visit.path == "/accounts/login/?next=/de/notes/mine/"
    assert visit.text("h1") == "Log in"

"""The example site in a real browser: headless Chromium against ``python -m example_site`` on 127.0.0.1.

Every page a test visits is checked for a CSRF token in each of its forms, and the main
pages are saved as screenshots in artifacts/screenshots/.
"""

from __future__ import annotations

import re
import typing as t
from pathlib import Path

import pytest

from .conftest import DEMO_PASSWORD
from .conftest import WAIT_TIMEOUT

if t.TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

    from tests.example_site.server import SiteProcess

PASSWORD = "a-browser-test-password"


class Visit:
    """Drives one browser through the site and checks each page it lands on."""

    def __init__(self, driver: WebDriver, site: SiteProcess, screenshots: Path) -> None:
        self.driver = driver
        self.base_url = site.url
        self.screenshots = screenshots
        #: Every page visited, and how many forms it had (all checked for their CSRF token).
        self.pages: list[tuple[str, int]] = []

    # -- navigation ----------------------------------------------------------------------------------

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path.lstrip("/"))
        self.landed()

    def click(self, element: WebElement) -> None:
        """Click a link or a submit button and wait for the next page."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.ui import WebDriverWait

        page = self.driver.find_element(By.TAG_NAME, "html")
        element.click()
        WebDriverWait(self.driver, WAIT_TIMEOUT).until(expected_conditions.staleness_of(page))
        self.landed()

    def landed(self) -> None:
        """The new page is there: every POST form on it must carry a CSRF token."""
        from selenium.webdriver.common.by import By

        forms = self.driver.find_elements(By.TAG_NAME, "form")
        # A POST form must carry the token; a GET form (the admin's search box) must not leak it into a URL.
        for form in (f for f in forms if (f.get_attribute("method") or "get").lower() == "post"):
            tokens = form.find_elements(By.CSS_SELECTOR, 'input[type="hidden"][name="csrf_token"]')
            assert len(tokens) == 1, f"a form without its CSRF token on {self.path}: {form.get_attribute('outerHTML')}"
            assert tokens[0].get_attribute("value"), f"an empty CSRF token on {self.path}"
        self.pages.append((self.path, len(forms)))

    # -- reading the page ------------------------------------------------------------------------------

    @property
    def path(self) -> str:
        return "/" + self.driver.current_url.removeprefix(self.base_url)

    def find(self, css: str) -> WebElement:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list[WebElement]:
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def link(self, text: str) -> WebElement:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.LINK_TEXT, text)

    def button(self, text: str) -> WebElement:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.XPATH, f"//button[normalize-space()={text!r}]")

    def text(self, css: str = "body") -> str:
        return self.find(css).text

    def fill(self, **fields: str) -> None:
        for name, value in fields.items():
            field = self.find(f'[name="{name}"]')
            field.clear()
            field.send_keys(value)

    def screenshot(self, name: str) -> None:
        """The whole page, 1280 CSS pixels wide, in artifacts/screenshots/<name>.png."""
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        metrics = {"width": 1280, "height": int(height), "deviceScaleFactor": 1, "mobile": False}
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        try:
            path = self.screenshots / f"{name}.png"
            assert self.driver.save_screenshot(str(path)), path
        finally:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    # -- the account menu --------------------------------------------------------------------------------

    def signed_in_as(self) -> str | None:
        match = re.search(r"Signed in as (\S+)", self.text(".account"))
        return match.group(1) if match else None

    def log_in(self, username: str, password: str) -> None:
        self.open("/accounts/login/")
        self.fill(username=username, password=password)
        self.click(self.button("Log in"))

    def log_out(self) -> None:
        self.click(self.button("Log out"))


@pytest.fixture
def visit(browser, site, screenshots) -> Visit:
    return Visit(browser, site, screenshots)


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
    visit.fill(title="Written in Chromium", body="First line.\nSecond line.")
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

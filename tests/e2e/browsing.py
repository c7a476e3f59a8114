"""Driving Chromium through a site: :class:`Visit` checks every page it lands on.

Each page must carry a CSRF token in each of its forms, and leave nothing in Chromium's
console: no Content-Security-Policy violation (the sites send a strict policy), no resource
that failed to load, no script error.
"""

from __future__ import annotations

import re
import typing as t
from pathlib import Path

from tests.browser import WAIT_TIMEOUT

if t.TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

__all__ = ["Visit", "is_csp_violation", "is_problem"]


class Visit:
    """Drives one browser through the site and checks each page it lands on."""

    def __init__(self, driver: WebDriver, base_url: str, screenshots: Path) -> None:
        self.driver = driver
        self.base_url = base_url
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

        page = self.driver.find_element(By.TAG_NAME, "html")
        element.click()
        wait_for_new_page(self.driver, page)
        self.landed()

    def landed(self) -> None:
        """The new page is there: every POST form on it must carry a CSRF token, and the console must be clean."""
        from selenium.webdriver.common.by import By

        url = self.driver.current_url
        problems = [entry["message"] for entry in self.console() if is_problem(entry, url)]
        assert not problems, f"the browser's console on {self.path}: {problems}"
        forms = self.driver.find_elements(By.TAG_NAME, "form")
        # A POST form must carry the token; a GET form (the admin's search box) must not leak it into a URL.
        # The language switcher posts without a token: set_language checks the Origin of the POST instead, so
        # that the pages showing it set no CSRF cookie and stay cacheable (docs/plugins/i18n.md).
        posting = [f for f in forms if (f.get_attribute("method") or "get").lower() == "post"]
        for form in (f for f in posting if "language-switcher" not in (f.get_attribute("class") or "")):
            tokens = form.find_elements(By.CSS_SELECTOR, 'input[type="hidden"][name="csrf_token"]')
            assert len(tokens) == 1, f"a form without its CSRF token on {self.path}: {form.get_attribute('outerHTML')}"
            assert tokens[0].get_attribute("value"), f"an empty CSRF token on {self.path}"
        self.pages.append((self.path, len(forms)))

    def console(self) -> list[dict[str, t.Any]]:
        """The console's messages since the last call (Chromium hands each one out once)."""
        return t.cast(list[dict[str, t.Any]], self.driver.get_log("browser"))

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


def is_csp_violation(entry: dict[str, t.Any]) -> bool:
    return "Content Security Policy" in entry["message"]


def is_problem(entry: dict[str, t.Any], page_url: str) -> bool:
    """A CSP violation (Chromium logs them as errors), or any other error: a resource that failed to
    load (a style sheet, a script, the icon), a script error. The status of an error page itself
    (the 403 and 404 pages the tests visit on purpose) is what the test expects, not a problem."""
    if is_csp_violation(entry):
        return True
    if entry["level"] != "SEVERE":
        return False
    return not entry["message"].startswith(f"{page_url} - Failed to load resource: the server responded with")


def wait_for_new_page(driver: t.Any, page: t.Any) -> None:
    """Wait until ``page`` (the old document's ``<html>``) is gone: the click's navigation happened.

    Chromium sometimes answers the check on an element of a document being replaced with "Node with
    given id does not belong to the document" rather than a stale-element error: that is gone too.
    """
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def replaced(_: t.Any) -> bool:
        try:
            page.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise
        return False

    WebDriverWait(driver, WAIT_TIMEOUT).until(replaced)

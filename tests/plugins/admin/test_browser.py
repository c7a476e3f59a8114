"""The admin in headless Chromium, under ``Content-Security-Policy: default-src 'self'``.

Log in, add a question with its choices (one row added by the inline's "Add another" script), search,
filter, choose a category with the autocomplete, look at the history, then delete with the bulk action
and its confirmation page; at desktop and phone width. Every admin page must leave the browser's console
free of errors (a CSP violation is one). Screenshots land in artifacts/screenshots/admin-*.png.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import typing as t
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser import WAIT_TIMEOUT
from tests.e2e.browsing import wait_for_new_page
from tests.example_site.server import ROOT
from tests.example_site.server import free_port
from tests.example_site.server import site_environment
from tests.example_site.server import stop

from .browser_site import CSP
from .browser_site import PASSWORD

if t.TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

START_TIMEOUT = 60


@pytest.fixture(scope="module")
def admin_site(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[str]:
    """The browser test's app on a free port of 127.0.0.1, stopped by its PID."""
    folder = tmp_path_factory.mktemp("admin-browser")
    port = free_port()
    log = folder / "server.log"
    command = [
        sys.executable,
        "-m",
        "tests.plugins.admin.browser_site",
        "--port",
        str(port),
        "--instance-path",
        str(folder / "instance"),
    ]
    with open(log, "wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=site_environment(), stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the browser test's server exited:\n{log.read_text(errors='replace')}")
            with (
                contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
                urllib.request.urlopen(url + "admin/static/admin/admin.css", timeout=2) as response,
            ):
                if response.status == 200:
                    break
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"the server did not answer within {START_TIMEOUT} s:\n{log.read_text(errors='replace')}"
                )
            time.sleep(0.1)
        yield url
    finally:
        stop(process)


class Admin:
    """One browser in the admin: every page it lands on is checked for console errors."""

    def __init__(self, driver: WebDriver, base_url: str, shots: Path) -> None:
        self.driver = driver
        self.base_url = base_url
        self.shots = shots
        self.pages: list[str] = []

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path.lstrip("/"))
        self.landed()

    def click(self, element: WebElement) -> None:
        from selenium.webdriver.common.by import By

        page = self.driver.find_element(By.TAG_NAME, "html")
        element.click()
        wait_for_new_page(self.driver, page)
        self.landed()

    def landed(self) -> None:
        errors = [
            entry["message"]
            for entry in self.driver.get_log("browser")
            # the site's own pages have no icon: the browser's request for /favicon.ico is no admin error
            if entry["level"] == "SEVERE" and "/favicon.ico " not in entry["message"]
        ]
        # Only the admin's pages: the login page is the auth plugin's (its default layout has inline style).
        if self.path.startswith("/admin/"):
            assert errors == [], f"console errors on {self.path}: {errors}"
            forms = self.find_all("form[method=post]")
            for form in forms:
                tokens = form.find_elements("css selector", 'input[name="csrf_token"]')
                assert len(tokens) == 1, f"a form without its CSRF token on {self.path}"
        self.pages.append(self.path)

    @property
    def path(self) -> str:
        return "/" + self.driver.current_url.removeprefix(self.base_url)

    def find(self, css: str) -> WebElement:
        return self.driver.find_element("css selector", css)

    def find_all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements("css selector", css)

    def text(self, css: str = "body") -> str:
        return self.find(css).text

    def button(self, text: str) -> WebElement:
        return self.driver.find_element("xpath", f"//button[normalize-space()={text!r}]")

    def link(self, text: str) -> WebElement:
        return self.driver.find_element("link text", text)

    def fill(self, **fields: str) -> None:
        for name, value in fields.items():
            field = self.find(f'[name="{name}"]')
            field.clear()
            field.send_keys(value)

    def screenshot(self, name: str, width: int = 1280) -> None:
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        metrics = {"width": width, "height": int(height), "deviceScaleFactor": 1, "mobile": width < 600}
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        try:
            height = self.driver.execute_script("return document.documentElement.scrollHeight")
            metrics["height"] = int(height)
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
            assert self.driver.save_screenshot(str(self.shots / f"admin-{name}.png"))
        finally:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.fixture
def admin(browser, admin_site, screenshots) -> Admin:
    return Admin(browser, admin_site, screenshots)


def wait_for(driver: WebDriver, css: str) -> WebElement:
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_TIMEOUT).until(
        expected_conditions.visibility_of_element_located(("css selector", css))
    )


def test_the_pages_are_served_under_the_strict_policy(admin_site):
    with urllib.request.urlopen(admin_site + "admin/static/admin/admin.js", timeout=5) as response:
        assert response.headers["Content-Security-Policy"] == CSP


def test_log_in_add_with_inlines_search_filter_history_and_a_bulk_delete(admin):
    admin.open("/admin/")
    assert admin.path.startswith("/accounts/login/?next=")
    admin.fill(username="root", password=PASSWORD)
    admin.click(admin.button("Log in"))
    assert admin.path == "/admin/"
    assert "Site administration" in admin.text("h1")
    admin.screenshot("01-index")

    admin.click(admin.link("Questions"))
    admin.click(admin.link("Add question"))
    assert admin.path == "/admin/polls/question/add/"
    admin.fill(question_text="What's up?")
    admin.find("fieldset.collapse summary").click()  # "Date information" is folded
    admin.driver.execute_script("document.getElementById('pub_date').value = arguments[0]", _now_local())
    admin.fill(**{"choices-0-choice_text": "Not much", "choices-1-choice_text": "The sky"})
    admin.button("Add another choice").click()  # the inline's script adds a fourth row
    wait_for(admin.driver, 'input[name="choices-3-choice_text"]').send_keys("Just hacking")
    assert admin.find('input[name="choices-TOTAL_FORMS"]').get_attribute("value") == "4"
    admin.screenshot("02-add-question")
    admin.click(admin.button("Save and continue editing"))
    assert "was added successfully" in admin.text(".messagelist")
    assert [e.get_attribute("value") for e in admin.find_all("td.field-choice_text input")][:3] == [
        "Not much",
        "The sky",
        "Just hacking",
    ]
    admin.screenshot("03-change-question")
    admin.click(admin.link("History"))
    assert "Added. Added choice “Not much”." in admin.text("#change-history")
    admin.screenshot("04-history")

    admin.open("/admin/polls/question/")
    assert len(admin.find_all("#result_list tbody tr")) == 2
    admin.fill(q="up")
    admin.click(admin.button("Search"))
    assert len(admin.find_all("#result_list tbody tr")) == 1
    assert "1 result" in admin.text("#toolbar")
    admin.screenshot("05-search")
    admin.click(admin.link("✖ Clear all filters") if admin.find_all(".clear-filters a") else admin.link("2 total"))
    admin.click(admin.link("Past 7 days"))
    assert [e.text for e in admin.find_all("#result_list tbody th")] == ["What's up?"]
    admin.screenshot("06-filter")

    admin.open("/admin/polls/question/")
    admin.find("#action-toggle").click()
    assert admin.text(".action-counter") == "2 of 2 selected"
    from selenium.webdriver.support.ui import Select

    Select(admin.find('select[name="action"]')).select_by_value("delete_selected")
    admin.click(admin.button("Go"))
    assert "Are you sure you want to delete the selected questions?" in admin.text(".card")
    assert "Choices: 3" in admin.text(".summary")
    admin.screenshot("07-delete-confirmation")
    admin.click(admin.button("Yes, I’m sure"))  # noqa: RUF001  (Django's text)
    assert "Successfully deleted 2 questions." in admin.text(".messagelist")
    assert "There are no questions yet." in admin.text(".changelist")

    admin.open("/admin/")
    assert "What's up?" in admin.text(".recent-actions")
    assert len(admin.pages) >= 12


def test_the_autocomplete_and_the_phone_width(admin):
    admin.open("/accounts/login/?next=/admin/catalog/product/1/change/")
    admin.fill(username="root", password=PASSWORD)
    admin.click(admin.button("Log in"))
    assert admin.path == "/admin/catalog/product/1/change/"
    admin.find("fieldset.collapse summary").click()
    search = wait_for(admin.driver, ".autocomplete input[type=search]")
    search.send_keys("Gar")
    wait_for(admin.driver, ".autocomplete-results li[role=option]").click()
    assert admin.text(".autocomplete-chosen").startswith("Garden")
    admin.screenshot("08-autocomplete")
    admin.click(admin.button("Save"))
    assert "was changed successfully" in admin.text(".messagelist")
    assert "Garden" in admin.text("#result_list")
    admin.driver.set_window_size(390, 844)
    for name, path in (
        ("09-phone-list", "/admin/catalog/product/"),
        ("10-phone-change", "/admin/catalog/product/1/change/"),
        ("11-phone-index", "/admin/"),
    ):
        admin.open(path)
        width = admin.driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400, f"{path} is {width}px wide at phone width"
        admin.screenshot(name, width=390)


def _now_local() -> str:
    import datetime

    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M")


del os

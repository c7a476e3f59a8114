"""Real headless Chromium (Debian's ``chromium`` and ``chromium-driver``) driven by Selenium: the fixtures
of the browser tests (tests/e2e, tests/plugins/admin/test_browser.py), registered for the whole suite by
tests/conftest.py.

The browser and its driver are Debian's, at fixed paths (Selenium Manager is never used:
it would download a browser). When either is missing, or Selenium is not installed, the
tests are skipped with the reason on a laptop, and **fail when CI=true** (as the fixtures
of tests/services.py do), so CI never skips them silently.

One Chromium per test process (a start costs about two seconds of CPU): each test gets it back
as a new one would be, with no cookie, no stored data, no cached response, no console message,
one window of 1280x900 showing ``about:blank``. A browser that cannot be cleaned is replaced.
"""

from __future__ import annotations

import contextlib
import os
import typing as t
import urllib.parse
from pathlib import Path

import pytest

from tests.example_site.server import ROOT

if t.TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
#: Exactly these flags, plus a fresh --user-data-dir per browser.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)
#: Screenshots of the main pages (gitignored: artifacts/ is in .gitignore).
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
#: Seconds a page may take to load, and an element to appear.
PAGE_LOAD_TIMEOUT = 30
WAIT_TIMEOUT = 10
#: The window every test starts with.
WINDOW_SIZE = (1280, 900)


def _browser_unavailable() -> str | None:
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            return f"{path} is missing (install the Debian package {package!r})"
    try:
        import selenium  # noqa: F401
    except ImportError as exc:
        return f"Selenium is not installed ({exc}; it is part of the test extra)"
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    """The browser's path; skips (on a laptop) or fails (CI=true) when the browser, driver or Selenium is missing."""
    reason = _browser_unavailable()
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; CI must run the browser tests.", pytrace=False)
        pytest.skip(f"{reason}; the browser tests need Debian's chromium and chromium-driver.")
    return CHROMIUM


class Chromium:
    """The test process's one headless Chromium, started on first use, with a fresh profile each start."""

    def __init__(self, binary: str, profiles: Path) -> None:
        self.binary = binary
        self.profiles = profiles
        self.driver: WebDriver | None = None
        self.starts = 0

    def start(self) -> WebDriver:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = self.binary
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        self.starts += 1
        profile = self.profiles / f"chromium-profile-{self.starts}"
        profile.mkdir()
        options.add_argument(f"--user-data-dir={profile}")
        # The console's messages (Content-Security-Policy violations included), read with driver.get_log("browser").
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT)
        driver.set_window_size(*WINDOW_SIZE)
        self.driver = driver
        return driver

    def clean(self) -> WebDriver:
        """The browser as a new one: the running one emptied, or a new one if that fails."""
        from selenium.common.exceptions import WebDriverException

        if self.driver is not None:
            try:
                return self._emptied(self.driver)
            except WebDriverException:
                self.quit()
        return self.start()

    def quit(self) -> None:
        if self.driver is not None:
            with contextlib.suppress(Exception):
                self.driver.quit()
            self.driver = None

    @staticmethod
    def _emptied(driver: WebDriver) -> WebDriver:
        # One window (a test may have opened others), the last origin's stored data gone, then a blank page.
        first, *others = driver.window_handles
        for handle in others:
            driver.switch_to.window(handle)
            driver.close()
        driver.switch_to.window(first)
        origin = _origin(driver.current_url)
        if origin:
            driver.execute_script("try { localStorage.clear(); sessionStorage.clear(); } catch (e) {}")
            driver.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
        driver.get("about:blank")
        # Cookies of every site (the tests' servers all live on 127.0.0.1, whose cookies ignore the port).
        driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        driver.set_window_size(*WINDOW_SIZE)
        driver.get_log("browser")  # the messages of the tests before: Chromium hands each out once
        assert driver.execute_cdp_cmd("Storage.getCookies", {})["cookies"] == [], "the browser kept cookies"
        return driver


def _origin(url: str) -> str | None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture(scope="session")
def chromium_process(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[Chromium]:
    """This test process's one Chromium (see :fixture:`browser`), quit at the end of the run."""
    browser = Chromium(chromium, tmp_path_factory.mktemp("chromium"))
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture
def browser(chromium_process: Chromium) -> WebDriver:
    """Headless Chromium as new: no cookie, stored data or cached response of a test before, an empty
    console log, one 1280x900 window on ``about:blank`` (the process's one browser, emptied)."""
    return chromium_process.clean()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS

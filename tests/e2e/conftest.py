"""Real headless Chromium (Debian's ``chromium`` and ``chromium-driver``) driven by Selenium.

The browser and its driver are Debian's, at fixed paths (Selenium Manager is never used:
it would download a browser). When either is missing, or Selenium is not installed, the
tests are skipped with the reason on a laptop, and **fail when CI=true** (as the fixtures
of tests/services.py do), so CI never skips them silently.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import typing as t
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.example_site.server import ROOT
from tests.example_site.server import SiteProcess
from tests.example_site.server import free_port
from tests.example_site.server import run_site
from tests.example_site.server import site_environment
from tests.example_site.server import stop

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
#: The demo account's password in the site these tests start.
DEMO_PASSWORD = "e2e-demo-password"
#: Seconds a page may take to load, and an element to appear.
PAGE_LOAD_TIMEOUT = 30
WAIT_TIMEOUT = 10


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


@pytest.fixture(scope="module")
def site(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[SiteProcess]:
    """``python -m example_site`` on a free port of 127.0.0.1, in a temporary instance folder."""
    instance = tmp_path_factory.mktemp("e2e-site") / "instance"
    with run_site(instance, env={"EXAMPLE_SITE_DEMO_PASSWORD": DEMO_PASSWORD}) as process:
        yield process


@contextlib.contextmanager
def run_builtin_site(instance_path: Path, start_timeout: float = 60) -> t.Iterator[SiteProcess]:
    """``python -m tests.e2e.builtin_site`` on a free port of 127.0.0.1, stopped by its PID afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = instance_path.parent / f"builtin-site-{port}.log"
    command = [
        sys.executable,
        "-m",
        "tests.e2e.builtin_site",
        "--port",
        str(port),
        "--instance-path",
        str(instance_path),
    ]
    with open(log, "wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=site_environment(), stdout=output, stderr=subprocess.STDOUT)
    site = SiteProcess(process, url, log)
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the built-in templates' site exited before serving:\n{site.output()}")
            try:
                with urllib.request.urlopen(url + "_flaskkit/forms/forms.css", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the built-in templates' site did not answer on {url}:\n{site.output()}")
            time.sleep(0.1)
        yield site
    finally:
        stop(process)


@pytest.fixture(scope="module")
def builtin_site(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[SiteProcess]:
    """tests/e2e/builtin_site.py (flaskkit's own templates only) on a free port of 127.0.0.1."""
    instance = tmp_path_factory.mktemp("e2e-builtin") / "instance"
    with run_builtin_site(instance) as process:
        yield process


@pytest.fixture
def browser(chromium: str, tmp_path: Path) -> t.Iterator[WebDriver]:
    """A new headless Chromium with a fresh profile, quit after the test."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    options.add_argument(f"--user-data-dir={profile}")
    # The console's messages (Content-Security-Policy violations included), read with driver.get_log("browser").
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT)
        driver.set_window_size(1280, 900)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS

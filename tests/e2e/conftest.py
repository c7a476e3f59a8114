"""The sites the browser tests drive: ``python -m example_site`` and tests/e2e/builtin_site.py, on free ports
of 127.0.0.1. The browser itself (``browser``, ``chromium``, ``screenshots``) is tests/browser.py's."""

from __future__ import annotations

import contextlib
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

#: The demo account's password in the site these tests start.
DEMO_PASSWORD = "e2e-demo-password"


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

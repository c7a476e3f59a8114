"""``python -m example_site`` as a real process: on a free port of 127.0.0.1, bounded in time, stopped by its PID.

Used by the tests of ``__main__`` and by the browser tests (tests/e2e). The process runs
from the repository root, as the README's command does, with its instance folder in a
temporary directory, so a test never writes into the repository.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import typing as t
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Seconds the site may take to answer its first request (it migrates and seeds first).
START_TIMEOUT = 60
#: Seconds it may take to stop after SIGTERM, before it is killed.
STOP_TIMEOUT = 10

#: Variables of the test process's environment that would change what the site does.
_SITE_ENVIRONMENT = ("DATABASE_URL", "REDIS_URL", "REDIS_KEY_PREFIX", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL")


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SiteProcess:
    """A running ``python -m example_site``."""

    process: subprocess.Popen[bytes]
    #: ``http://127.0.0.1:<port>/``
    url: str
    #: Where its stdout and stderr go.
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def site_environment(extra: t.Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without the variables the site reads, then ``extra``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _SITE_ENVIRONMENT and not key.startswith(("FLASK_", "EXAMPLE_SITE_"))
    }
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


@contextlib.contextmanager
def run_site(
    instance_path: Path,
    *,
    env: t.Mapping[str, str] | None = None,
    log: Path | None = None,
    start_timeout: float = START_TIMEOUT,
) -> t.Iterator[SiteProcess]:
    """Start the site, wait until it answers, yield it, then stop it (SIGTERM, then SIGKILL)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = log or instance_path.parent / f"example-site-{port}.log"
    command = [
        sys.executable,
        "-m",
        "example_site",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--instance-path",
        str(instance_path),
    ]
    with open(log, "wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=site_environment(env), stdout=output, stderr=subprocess.STDOUT
        )
    site = SiteProcess(process, url, log)
    try:
        _wait_until_serving(site, start_timeout)
        yield site
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> int:
    """Stop the process by its PID: SIGTERM, and SIGKILL if it is still there after :data:`STOP_TIMEOUT`."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            return process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
    return process.wait(timeout=STOP_TIMEOUT)


def run_to_exit(instance_path: Path, *args: str, env: t.Mapping[str, str] | None = None, timeout: float = 60) -> str:
    """``python -m example_site ARGS`` for a command that exits by itself (``--help``...): its output."""
    command = [sys.executable, "-m", "example_site", "--instance-path", str(instance_path), *args]
    result = subprocess.run(
        command, cwd=ROOT, env=site_environment(env), capture_output=True, text=True, timeout=timeout, check=False
    )
    return f"exit status {result.returncode}\n{result.stdout}{result.stderr}"


def _wait_until_serving(site: SiteProcess, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        status = site.process.poll()
        if status is not None:
            raise RuntimeError(f"python -m example_site exited with status {status} before serving:\n{site.output()}")
        try:
            with urllib.request.urlopen(site.url + "static/site.css", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"python -m example_site did not answer on {site.url} within {timeout} s:\n{site.output()}"
            )
        time.sleep(0.1)

"""Bad HTTP framing against real server processes on 127.0.0.1: not one answer is a 500.

Broken chunked bodies, a Content-Length that lies, both framing headers, malformed request lines
and headers (:mod:`.raw_http`), sent through sockets to the site served by Flask's development
server (``python -m example_site``) and by gunicorn (the production shape). The site refuses
what reaches it with a 4xx; the server refuses what never does (its own 400, 414 or 431), or
closes the connection. Each server is started on a free port and stopped by its PID.
"""

from __future__ import annotations

import collections
import contextlib
import subprocess
import sys
import time
import typing as t
import urllib.error
import urllib.request

import pytest

from example_site import create_app
from example_site.seed import migrate
from flaskkit.plugins.orm import db

from .raw_http import exchange
from .raw_http import framing_requests
from .server import ROOT
from .server import free_port
from .server import run_site
from .server import site_environment
from .server import stop

if t.TYPE_CHECKING:
    from pathlib import Path

#: Requests of each framing family sent to each server.
PER_FAMILY = 25
SEED = 4122026
#: Seconds gunicorn may take to answer its first request.
START_TIMEOUT = 60

#: Families whose request a server may leave unanswered: the client stopped sending (half-close)
#: or sent no HTTP at all; anything that answers, answers without a 5xx.
MAY_GO_UNANSWERED = {"chunked", "content-length-longer", "request-line-and-headers", "content-length-shorter"}


@contextlib.contextmanager
def run_gunicorn(instance_path: Path) -> t.Iterator[int]:
    """The site under gunicorn (one sync worker) on a free port; yields the port, then stops it by its PID."""
    pytest.importorskip("gunicorn", reason="gunicorn is in the test extra: pip install -e '.[all,dev]'")
    app = create_app(instance_path=instance_path)
    with app.app_context():
        migrate()
        db.engine.dispose()
    port = free_port()
    log = instance_path.parent / f"gunicorn-{port}.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--timeout",
        "20",
        "example_site:create_app()",
    ]
    env = site_environment({"EXAMPLE_SITE_INSTANCE_PATH": str(instance_path)})
    with open(log, "wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/site.css", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"gunicorn did not answer within {START_TIMEOUT} s:\n{log.read_text()}")
            time.sleep(0.1)
        yield port
    finally:
        stop(process)
        print(log.read_text(errors="replace")[-3000:])  # shown when the test fails


@contextlib.contextmanager
def run_development_server(instance_path: Path) -> t.Iterator[int]:
    with run_site(instance_path) as site:
        yield int(site.url.rsplit(":", 1)[1].strip("/"))


SERVERS = {"development-server": run_development_server, "gunicorn": run_gunicorn}


@pytest.mark.parametrize("server", SERVERS)
def test_bad_framing_never_gets_a_500(server, tmp_path):
    requests = framing_requests(SEED, PER_FAMILY)
    statuses: collections.Counter[str] = collections.Counter()
    problems = []
    with SERVERS[server](tmp_path / "instance") as port:
        for request in requests:
            status = exchange(port, request)
            statuses[f"{request.family} {status}"] += 1
            if status is not None and status >= 500:
                problems.append(f"{status} for {request.describe()}")
            elif status is None and request.family not in MAY_GO_UNANSWERED:
                problems.append(f"no answer for {request.describe()}")
        # Still serving after all that.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200
    assert not problems, f"{len(problems)} of {len(requests)} got no clean answer:\n" + "\n".join(problems[:10])
    # The broken chunked bodies reached the site, which refused them itself.
    assert statuses["chunked 400"] > 0, statuses

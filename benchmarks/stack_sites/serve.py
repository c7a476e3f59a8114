"""Throughput under gunicorn: each stack served by 2 sync workers, the list page loaded by ``wrk``.

The server is started as a subprocess on a free port of 127.0.0.1, in a process group
of its own, waited for (``/hello/`` answers), and stopped by its PID (SIGTERM, then
SIGKILL after a bound). The stack's folder is the one the in-process checks used, so
the session cookie of alice's browser is valid in the workers (sessions are files).
Without ``wrk`` on the PATH, a Python loader (threads, keep-alive connections) is used
instead, and the report says so.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import typing as t

if t.TYPE_CHECKING:
    import collections.abc as cabc

__all__ = ["Throughput", "gunicorn_server", "load"]

BENCHMARKS = pathlib.Path(__file__).resolve().parent.parent
WORKERS = 2


@dataclasses.dataclass
class Throughput:
    requests_per_second: float
    #: "wrk" or "python threads".
    loader: str
    #: Responses that were not the expected status (must be 0).
    errors: int
    detail: str = ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def gunicorn_server(app: str, folder: pathlib.Path, *, timeout: float = 60.0) -> cabc.Iterator[str]:
    """``http://127.0.0.1:<port>`` while gunicorn serves ``app`` (``module:callable()``) on ``folder``."""
    port = _free_port()
    path = os.pathsep.join(filter(None, [str(BENCHMARKS), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, BENCH_STACK_DIR=str(folder), PYTHONPATH=path)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(WORKERS),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        app,
    ]
    log = (folder / "gunicorn.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"127.0.0.1:{port}"
        _wait_ready(process, base, timeout, folder / "gunicorn.log")
        yield f"http://{base}"
    finally:
        _stop(process)
        log.close()


def _wait_ready(process: subprocess.Popen[bytes], base: str, timeout: float, log: pathlib.Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection(base, timeout=2)
            try:
                connection.request("GET", "/hello/")
                if connection.getresponse().status == 200:
                    # Both workers boot on their own; give the second one the same chance.
                    time.sleep(1.0)
                    return
            finally:
                connection.close()
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{log.read_text()[-2000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def load(url: str, path: str, cookie: str, *, seconds: float, connections: int = 4) -> Throughput:
    """Requests per second on ``url + path`` with the ``Cookie`` header, for ``seconds``."""
    wrk = shutil.which("wrk")
    if wrk is not None:
        return _wrk(wrk, url + path, cookie, seconds, connections)
    return _threads(url, path, cookie, seconds, connections)


def _wrk(wrk: str, url: str, cookie: str, seconds: float, connections: int) -> Throughput:
    command = [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-H", f"Cookie: {cookie}", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rate is None:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    return Throughput(float(rate.group(1)), "wrk", int(bad.group(1)) if bad else 0, errors.group(0) if errors else "")


def _threads(url: str, path: str, cookie: str, seconds: float, connections: int) -> Throughput:
    base = url.removeprefix("http://")
    counts = [0] * connections
    errors = [0] * connections
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection(base, timeout=10)
        try:
            while time.monotonic() < deadline:
                connection.request("GET", path, headers={"Cookie": cookie})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors[index] += 1
                counts[index] += 1
        finally:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Throughput(sum(counts) / (time.monotonic() - started), "python threads", sum(errors))

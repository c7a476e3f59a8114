"""Servers the outage tests start, stop and cut themselves: a Redis of their own, and a TCP proxy.

* :class:`RedisServer`: ``redis-server --port <free> --save ''`` on 127.0.0.1, stopped by its
  PID and started again on the same port (nothing is kept across a restart).
* :class:`TcpProxy`: a threaded proxy on a free port of 127.0.0.1 in front of a real server
  (PostgreSQL). :meth:`TcpProxy.cut` closes every connection through it and refuses new ones
  (they are closed at once, as by a server that went away); :meth:`TcpProxy.restore` lets
  them through again.

Both are bounded in time and leave nothing running (use them as context managers).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import threading
import time
import typing as t

import pytest

__all__ = ["MemcachedServer", "RedisServer", "TcpProxy", "free_port", "own_memcached", "own_redis", "tcp_proxy"]

#: Seconds a server may take to start or stop.
TIMEOUT = 10


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, *, open_: bool, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                reachable = True
        except OSError:
            reachable = False
        if reachable == open_:
            return
        time.sleep(0.02)
    raise TimeoutError(f"127.0.0.1:{port} did not {'open' if open_ else 'close'} within {timeout} s")


class RedisServer:
    """A ``redis-server`` of the test's own, on a free port of 127.0.0.1."""

    def __init__(self, *extra_args: str) -> None:
        #: More arguments for redis-server (the benchmark keeps an append-only file, so data outlives a restart).
        self.extra_args = extra_args
        self.executable = shutil.which("redis-server")
        if self.executable is None:
            from tests.services import unavailable

            unavailable("redis", "redis-server", FileNotFoundError("redis-server is not installed"))
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert self.process is None, "already running"
        command = [t.cast(str, self.executable), "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--daemonize", "no", *self.extra_args]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_port(self.port, open_=True)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=TIMEOUT)
        _wait_for_port(self.port, open_=False)


@contextlib.contextmanager
def redis_server() -> t.Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


class MemcachedServer:
    """A ``memcached`` of the test's own, on a free port of 127.0.0.1 (nothing kept across a restart)."""

    def __init__(self) -> None:
        self.executable = shutil.which("memcached")
        if self.executable is None:
            from tests.services import unavailable

            unavailable("memcached", "memcached", FileNotFoundError("memcached is not installed"))
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        assert self.process is None, "already running"
        command = [t.cast(str, self.executable), "-p", str(self.port), "-l", "127.0.0.1", "-U", "0", "-m", "16"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command += ["-u", "root"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_port(self.port, open_=True)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=TIMEOUT)
        _wait_for_port(self.port, open_=False)


class TcpProxy:
    """127.0.0.1:<free port> -> ``upstream``, with connections the test can cut and restore."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = int(self.listener.getsockname()[1])
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._cut = False
        self._closed = False
        self._thread = threading.Thread(target=self._accept, name="tcp-proxy", daemon=True)
        self._thread.start()

    def cut(self) -> None:
        """Close every connection through the proxy; new ones are closed as soon as they are made."""
        with self._lock:
            self._cut = True
            sockets, self._open = list(self._open), set()
        for sock in sockets:
            _close(sock)

    def restore(self) -> None:
        """Let connections through again."""
        with self._lock:
            self._cut = False

    def close(self) -> None:
        self._closed = True
        self.cut()
        _close(self.listener)
        self._thread.join(timeout=TIMEOUT)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self._lock:
                cut = self._cut
            if cut:
                _close(client)
                continue
            try:
                upstream = socket.create_connection(self.upstream, timeout=TIMEOUT)
            except OSError:
                _close(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open.update((client, upstream))
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                target.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open.discard(source)
                self._open.discard(target)
            _close(source)
            _close(target)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


@contextlib.contextmanager
def tcp_proxy(url: str) -> t.Iterator[tuple[TcpProxy, str]]:
    """A proxy in front of the server of ``url`` (a database URL), and the same URL through the proxy."""
    import sqlalchemy as sa

    parsed = sa.make_url(url)
    proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    try:
        yield proxy, parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    finally:
        proxy.close()


@pytest.fixture
def own_redis() -> t.Iterator[RedisServer]:
    """A Redis server of this test's own (stopped afterwards, by its PID)."""
    with redis_server() as server:
        yield server


@pytest.fixture
def own_memcached() -> t.Iterator[MemcachedServer]:
    """A memcached server of this test's own (stopped afterwards, by its PID)."""
    server = MemcachedServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()

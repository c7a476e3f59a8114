"""A live server: the app served by a real HTTP server in a thread, for browser tests.

::

    def test_home_page(live_server, browser):
        browser.get(live_server.url + "/")

It listens on 127.0.0.1, on a free port the system picks (so parallel test
runs never collide), and answers each request in a thread of its own, as a
production server does. Stop it with :meth:`LiveServer.stop` (the fixture does).
"""

from __future__ import annotations

import threading
import typing as t

from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import make_server

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["LiveServer"]


class _QuietHandler(WSGIRequestHandler):
    """No line on stderr per request (errors are still logged)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class LiveServer:
    """``app`` served over HTTP on ``host`` (a free port unless ``port`` is given)."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
        self.host = host
        #: The port it listens on.
        self.port: int = self._server.server_port
        self._thread = threading.Thread(target=self._serve, name=f"flaskkit-live-server-{self.port}", daemon=True)

    def _serve(self) -> None:
        self._server.serve_forever(poll_interval=0.05)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``, without a trailing slash."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving, wait for the thread (at most ``timeout`` seconds) and close the socket."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout)
        self._server.server_close()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __str__(self) -> str:
        return self.url

    def __add__(self, other: str) -> str:
        return self.url + other

    def __repr__(self) -> str:
        return f"<LiveServer {self.url} of {self.app.name!r}>"

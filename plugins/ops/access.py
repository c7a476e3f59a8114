"""Request ids and access logs: one line per request, as text or JSON lines.

The WSGI layer ``ops.access_log`` gives every request an id (the client's
``X-Request-ID`` when it looks like one, so a proxy's id carries through; else
a new random one), sends it back in the response's ``X-Request-ID``, and, with
``ACCESS_LOG = True``, logs one line on the logger ``flaskkit.access`` when the
response is done::

    127.0.0.1 "GET /notes/3/ HTTP/1.1" 200 5120 12.3ms id=4f1c0e...

or with ``ACCESS_LOG_FORMAT = "json"`` one JSON object per line (``time``,
``request_id``, ``remote_addr``, ``method``, ``path``, ``query``, ``status``,
``bytes``, ``duration_ms``, ``user_agent``), what log collectors read. The layer
is inside ``PROXY_FIX``, so the address is the client's. Code that logs
anything else gets the id from :func:`request_id`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
import time
import typing as t

from flask import has_request_context
from flask import request

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIApplication
    from _typeshed.wsgi import WSGIEnvironment

__all__ = ["ENVIRON_KEY", "AccessLog", "RequestIdFilter", "request_id"]

#: ``request.environ[ENVIRON_KEY]`` is the request's id.
ENVIRON_KEY = "flaskkit.request_id"
#: An id from the client is kept when it looks like one (no spaces, quotes or control characters; at most 200).
_VALID_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,200}\Z")

access_logger = logging.getLogger("flaskkit.access")


def request_id() -> str | None:
    """The current request's id (``None`` outside a request, or when the ``ops`` plugin is not enabled)."""
    if not has_request_context():
        return None
    return t.cast("str | None", request.environ.get(ENVIRON_KEY))


class RequestIdFilter(logging.Filter):
    """A logging filter that puts ``record.request_id`` on every record (``-`` outside a request).

    ``handler.addFilter(RequestIdFilter())`` then ``%(request_id)s`` in the format.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id() or "-"
        return True


class AccessLog:
    """The WSGI layer: the request id, its header, and the access-log line."""

    def __init__(self, wsgi_app: WSGIApplication, *, header: str, log: bool, json_lines: bool) -> None:
        self.wsgi_app = wsgi_app
        self.header = header
        self.environ_header = "HTTP_" + header.upper().replace("-", "_")
        self.log = log
        self.json_lines = json_lines

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> t.Iterable[bytes]:
        given = environ.get(self.environ_header, "")
        rid = given if _VALID_ID.match(given) else secrets.token_hex(16)
        environ[ENVIRON_KEY] = rid
        started = time.perf_counter()
        seen: dict[str, t.Any] = {}

        def start(status: str, headers: list[tuple[str, str]], exc_info: t.Any = None) -> t.Callable[[bytes], object]:
            headers = [(k, v) for k, v in headers if k.lower() != self.header.lower()]
            headers.append((self.header, rid))
            seen["status"] = status
            seen["headers"] = headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, start)
        if not self.log:
            return body
        return _Logged(body, lambda sent: self._log(environ, rid, seen, sent, started))

    def _log(self, environ: WSGIEnvironment, rid: str, seen: dict[str, t.Any], sent: int, started: float) -> None:
        status = int(str(seen.get("status", "500")).split(" ", 1)[0])
        duration = (time.perf_counter() - started) * 1000
        method = environ.get("REQUEST_METHOD", "")
        path = (environ.get("SCRIPT_NAME", "") or "") + (environ.get("PATH_INFO", "") or "")
        query = environ.get("QUERY_STRING", "")
        addr = environ.get("REMOTE_ADDR", "-")
        level = logging.ERROR if status >= 500 else logging.INFO
        if self.json_lines:
            line = json.dumps(
                {
                    "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                    "request_id": rid,
                    "remote_addr": addr,
                    "method": method,
                    "path": path,
                    "query": query,
                    "status": status,
                    "bytes": sent,
                    "duration_ms": round(duration, 1),
                    "user_agent": environ.get("HTTP_USER_AGENT", ""),
                },
                ensure_ascii=False,
            )
        else:
            target = path + (f"?{query}" if query else "")
            protocol = environ.get("SERVER_PROTOCOL", "HTTP/1.1")
            line = f'{addr} "{method} {target} {protocol}" {status} {sent} {duration:.1f}ms id={rid}'
        access_logger.log(level, "%s", line)


class _Logged:
    """The response body, counting what is sent; logs when the server closes it (the request is over)."""

    def __init__(self, body: t.Iterable[bytes], done: t.Callable[[int], None]) -> None:
        self.body = body
        self.done = done
        self.sent = 0

    def __iter__(self) -> t.Iterator[bytes]:
        for chunk in self.body:
            self.sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.done(self.sent)

"""The site's own middleware: how long the app took, in a ``Server-Timing`` header.

Browsers show the header in their developer tools (Network, Timing), next to the
network times. It is listed in ``MIDDLEWARE`` between Django's security middleware
and the clickjacking one, so it times everything inside it: the session, the
``before_request`` functions, the view (and its transaction) and the inner layers.
"""

from __future__ import annotations

import time
import typing as t

from flaskkit.plugins.middleware import Middleware

if t.TYPE_CHECKING:
    from flask import Request
    from flask import Response

__all__ = ["ServerTimingMiddleware"]

#: Where the start time is kept, in the WSGI environ of the request.
_STARTED = "example_site.started"


class ServerTimingMiddleware(Middleware):
    """Adds ``Server-Timing: app;dur=<milliseconds>;desc="flaskkit"`` to every response."""

    def process_request(self, request: Request) -> None:
        request.environ[_STARTED] = time.perf_counter()

    def process_response(self, request: Request, response: Response) -> Response:
        # Only the layers that were entered get here, so process_request ran.
        elapsed_ms = (time.perf_counter() - request.environ[_STARTED]) * 1000
        # A page from the cache still has the header it was stored with: replace that "app" entry.
        others = [value for value in response.headers.getlist("Server-Timing") if not value.startswith("app;")]
        response.headers.setlist("Server-Timing", [*others, f'app;dur={elapsed_ms:.1f};desc="flaskkit"'])
        return response

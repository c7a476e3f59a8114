"""The middleware contract: the :class:`Middleware` base class and the four hooks."""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["HOOKS", "Middleware", "MiddlewareNotUsed"]

#: The hooks a middleware class may define, with the arguments flaskkit passes.
HOOKS: dict[str, tuple[str, ...]] = {
    "process_request": ("request",),
    "process_view": ("request", "view_func", "view_args"),
    "process_exception": ("request", "exc"),
    "process_response": ("request", "response"),
}


class MiddlewareNotUsed(Exception):
    """Raise from a middleware's ``__init__`` to leave it out of this app's stack.

    As in Django: ``flask kit middleware`` shows it as not used, with the message.
    """


class Middleware:
    """Optional base class of a middleware listed in ``MIDDLEWARE``.

    flaskkit creates one instance per app at boot, ``cls(app)`` (or ``cls()``
    when the constructor takes no argument), and calls the hooks the class
    defines; none is required, but at least one must exist::

        class Timing(Middleware):
            def process_request(self, request):
                request.started = time.perf_counter()

            def process_response(self, request, response):
                elapsed = time.perf_counter() - request.started
                response.headers["Server-Timing"] = f"app;dur={elapsed * 1000:.1f}"
                return response

    The order is Django's: with ``MIDDLEWARE = [A, B, C]``, ``process_request``
    and ``process_view`` run A, B, C; ``process_exception`` and
    ``process_response`` run C, B, A. A hook that returns something other than
    ``None`` from ``process_request``, ``process_view`` or ``process_exception``
    answers the request with it (anything a Flask view may return), and only
    the layers that were entered see that response.

    The hooks (define any of them):

    ``process_request(request) -> response | None``
        Before Flask's ``before_request`` functions. A response skips the inner
        layers, the ``before_request`` functions and the view.

    ``process_view(request, view_func, view_args) -> response | None``
        Just before the view: ``view_func`` is the function registered for the
        endpoint (``app.view_functions[request.endpoint]``) and ``view_args``
        the URL arguments it will be called with. A response skips the view.

    ``process_exception(request, exc) -> response | None``
        When the view raises (``abort(404)`` included). ``None`` lets the next
        layer (outwards) try; if none answers, Flask's error handlers apply.

    ``process_response(request, response) -> response``
        Must return a response (the same one, changed, or another).

    A hook set to ``None`` on the instance (in ``__init__``) is not called: a
    middleware can switch a hook off for an app whose settings do not need it.
    """

    def __init__(self, app: Flask) -> None:
        #: The app this instance serves (one instance per app).
        self.app = app

"""Clickjacking protection: ``XFrameOptionsMiddleware`` and the per-view decorators (Django's)."""

from __future__ import annotations

import functools
import typing as t

from flask import current_app

from flaskkit import ConfigurationError

from .base import Middleware

if t.TYPE_CHECKING:
    from flask import Flask
    from flask import Request
    from flask import Response

__all__ = [
    "XFrameOptionsMiddleware",
    "xframe_options_deny",
    "xframe_options_exempt",
    "xframe_options_sameorigin",
]

_F = t.TypeVar("_F", bound=t.Callable[..., t.Any])
_VALUES = ("DENY", "SAMEORIGIN")


class XFrameOptionsMiddleware(Middleware):
    """Sends ``X-Frame-Options`` (``X_FRAME_OPTIONS``, default ``"DENY"``) on every response.

    A response that already has the header keeps it; a view decorated with
    :func:`xframe_options_exempt` gets none.
    """

    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        value = app.config.get("X_FRAME_OPTIONS", "DENY")
        if not isinstance(value, str) or value.upper() not in _VALUES:
            raise ConfigurationError(
                f"X_FRAME_OPTIONS must be 'DENY' or 'SAMEORIGIN', not {value!r}.",
                setting="X_FRAME_OPTIONS",
                hint="Use 'DENY' unless your own pages frame this site ('SAMEORIGIN'); to allow other sites, "
                "remove XFrameOptionsMiddleware and send a Content-Security-Policy frame-ancestors header.",
            )
        #: The header value, upper case.
        self.value = value.upper()

    def process_response(self, request: Request, response: Response) -> Response:
        if "X-Frame-Options" in response.headers or getattr(response, "xframe_options_exempt", False):
            return response
        response.headers["X-Frame-Options"] = self.value
        return response


def xframe_options_exempt(view: _F) -> _F:
    """The view's responses get no ``X-Frame-Options`` header from the middleware."""

    @functools.wraps(view)
    def wrapper(*args: t.Any, **kwargs: t.Any) -> Response:
        response = current_app.make_response(current_app.ensure_sync(view)(*args, **kwargs))
        response.xframe_options_exempt = True  # type: ignore[attr-defined]
        return response

    return t.cast(_F, wrapper)


def xframe_options_deny(view: _F) -> _F:
    """The view's responses get ``X-Frame-Options: DENY`` (unless the view sets the header)."""
    return _with_header(view, "DENY")


def xframe_options_sameorigin(view: _F) -> _F:
    """The view's responses get ``X-Frame-Options: SAMEORIGIN`` (unless the view sets the header)."""
    return _with_header(view, "SAMEORIGIN")


def _with_header(view: _F, value: str) -> _F:
    @functools.wraps(view)
    def wrapper(*args: t.Any, **kwargs: t.Any) -> Response:
        response = current_app.make_response(current_app.ensure_sync(view)(*args, **kwargs))
        response.headers.setdefault("X-Frame-Options", value)
        return response

    return t.cast(_F, wrapper)

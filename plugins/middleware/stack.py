"""The onion at request time: Django's middleware order on one Flask app.

Flask's ``before_request``/``after_request`` functions cannot give Django's
semantics (when a ``before_request`` function answers, *every*
``after_request`` function still runs, the inner ones included), so the stack
wraps three steps of Flask's own dispatch, on this app instance only::

    Flask.full_dispatch_request
      request_started
      preprocess_request   <- process_request, top-down; then Flask's before_request functions
      dispatch_request     <- process_view, top-down; the view; process_exception, bottom-up
      (handle_user_exception: Flask's error handlers)
      finalize_request     <- process_response, bottom-up, for the entered layers only;
                              then Flask's after_request functions, the session save, request_finished

Flask's ``handle_exception`` (an unhandled exception, the 500 page) also goes
through ``finalize_request``, so the 500 response passes the entered layers'
``process_response`` too. With an empty ``MIDDLEWARE`` nothing is installed.
"""

from __future__ import annotations

import typing as t

from flask import request
from werkzeug.wrappers import Response

from .loading import Layer

if t.TYPE_CHECKING:
    from flask import Flask
    from flask import Request
    from flask.typing import ResponseReturnValue

__all__ = ["MiddlewareStack"]

#: Where a request keeps the ``process_response`` hooks still to run (innermost last).
PENDING_ATTR = "_flaskkit_middleware_pending"

_Hook = t.Callable[..., t.Any]


class MiddlewareStack:
    """The resolved ``MIDDLEWARE`` of one app, and the wrappers that run it."""

    def __init__(self, layers: t.Sequence[Layer]) -> None:
        #: Every layer, outermost first (those that raised MiddlewareNotUsed included).
        self.layers: tuple[Layer, ...] = tuple(layers)
        active = [layer for layer in self.layers if layer.instance is not None]
        #: (process_request or None, process_response or None) per active layer, outermost first.
        self._request_phase: tuple[tuple[_Hook | None, _Hook | None], ...] = tuple(
            (layer.hooks.get("process_request"), layer.hooks.get("process_response"))
            for layer in active
            if "process_request" in layer.hooks or "process_response" in layer.hooks
        )
        self._view_hooks: tuple[_Hook, ...] = tuple(
            layer.hooks["process_view"] for layer in active if "process_view" in layer.hooks
        )
        self._exception_hooks: tuple[_Hook, ...] = tuple(
            layer.hooks["process_exception"] for layer in reversed(active) if "process_exception" in layer.hooks
        )
        self._response_names: dict[_Hook, str] = {
            layer.hooks["process_response"]: layer.entry for layer in active if "process_response" in layer.hooks
        }

    @property
    def empty(self) -> bool:
        """Whether no hook at all would run on a request."""
        return not (self._request_phase or self._view_hooks or self._exception_hooks)

    def install(self, app: Flask) -> None:
        """Wrap this app's dispatch steps; nothing is installed when no layer has a hook."""
        if self._request_phase:
            app.preprocess_request = self._wrap_preprocess(app)  # type: ignore[method-assign]
            app.finalize_request = self._wrap_finalize(app)  # type: ignore[method-assign]
        if self._view_hooks or self._exception_hooks:
            app.dispatch_request = self._wrap_dispatch(app)  # type: ignore[method-assign]

    # -- request phase ---------------------------------------------------------

    def _wrap_preprocess(self, app: Flask) -> t.Callable[[], ResponseReturnValue | None]:
        preprocess = app.preprocess_request
        phase = self._request_phase

        def preprocess_request() -> ResponseReturnValue | None:
            req: Request = request._get_current_object()  # type: ignore[attr-defined]
            pending: list[_Hook] = []
            setattr(req, PENDING_ATTR, pending)
            for process_request, process_response in phase:
                if process_request is not None:
                    rv = process_request(req)
                    # A layer is entered once its process_request returned; one that raised is not.
                    if process_response is not None:
                        pending.append(process_response)
                    if rv is not None:
                        return rv  # short-circuit: Flask skips the view and finalizes this value
                elif process_response is not None:
                    pending.append(process_response)
            return preprocess()

        return preprocess_request

    # -- view phase ------------------------------------------------------------

    def _wrap_dispatch(self, app: Flask) -> t.Callable[[], ResponseReturnValue]:
        dispatch = app.dispatch_request
        view_functions = app.view_functions
        view_hooks = self._view_hooks
        exception_hooks = self._exception_hooks

        def dispatch_request() -> ResponseReturnValue:
            req: Request = request._get_current_object()  # type: ignore[attr-defined]
            rule = req.url_rule
            if (
                req.routing_exception is not None
                or rule is None
                or (req.method == "OPTIONS" and getattr(rule, "provide_automatic_options", False))
            ):
                return dispatch()  # no view runs: a routing error, or Flask's automatic OPTIONS answer
            if view_hooks:
                view_func = view_functions[rule.endpoint]
                view_args: dict[str, t.Any] = req.view_args  # type: ignore[assignment]
                for process_view in view_hooks:
                    rv = process_view(req, view_func, view_args)
                    if rv is not None:
                        return rv  # type: ignore[no-any-return]
            if not exception_hooks:
                return dispatch()
            try:
                return dispatch()
            except Exception as exc:
                for process_exception in exception_hooks:
                    rv = process_exception(req, exc)
                    if rv is not None:
                        return rv  # type: ignore[no-any-return]
                raise

        return dispatch_request

    # -- response phase ----------------------------------------------------------

    def _wrap_finalize(self, app: Flask) -> t.Callable[..., Response]:
        finalize = app.finalize_request
        names = self._response_names

        def finalize_request(rv: t.Any, from_error_handler: bool = False) -> Response:
            req = request._get_current_object()  # type: ignore[attr-defined]
            pending: list[_Hook] | None = getattr(req, PENDING_ATTR, None)
            if pending:
                response = app.make_response(rv)
                # Consume the list in place: when a hook's exception ends in Flask's 500 page,
                # finalize_request runs again and only the outer layers are left.
                while pending:
                    process_response = pending.pop()
                    try:
                        response = _as_response(app, process_response(req, response), names[process_response])
                    except Exception as exc:
                        if from_error_handler:
                            app.logger.exception(
                                "Middleware %s failed in process_response while handling an error",
                                names[process_response],
                            )
                            continue
                        # As Django: the exception becomes a response (Flask's error handlers),
                        # and the outer layers see it. An unhandled one propagates to the 500 page.
                        response = app.make_response(app.handle_user_exception(exc))
                rv = response
            return finalize(rv, from_error_handler)

        return finalize_request


def _as_response(app: Flask, value: object, entry: str) -> Response:
    if isinstance(value, Response):
        return value
    if value is None:
        raise TypeError(f"The middleware {entry!r} returned None from process_response(); it must return the response.")
    return app.make_response(value)  # type: ignore[arg-type]

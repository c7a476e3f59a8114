"""Running an app's pipeline: the kit's hooks on Flask's request flow.

Where each phase sits in Flask's own flow::

    app.wsgi_app                         <- wsgi layers, composed once at boot
      Flask.full_dispatch_request
        request_started
        preprocess_request
          url_value_preprocessors
          before_request functions       <- the kit's is registered first: the request phase
        dispatch_request                 <- the kit's one wrapper: view, wrap_view, exception phases
        (handle_user_exception: Flask's error handlers)
        finalize_request
          after_request functions        <- the kit's is registered first, so it runs last:
                                            the response phase
          the session is saved
          request_finished

Flask's ``before_request``/``after_request`` functions are the hooks the kit
uses for the request and response phases. Only the view phases need more than
Flask offers (nothing runs between "the view is known" and "the view runs", and
nothing sees what the view raised before the error handlers do), so the kit
wraps ``app.dispatch_request`` -- once, for every plugin, and only when some
layer has a view-phase hook. No plugin replaces a method of the app.
"""

from __future__ import annotations

import functools
import sys
import typing as t

from flask import request
from werkzeug.wrappers import Response

from ..exceptions import ConfigurationError
from .layer import Layer
from .ordering import order_layers

if t.TYPE_CHECKING:
    from flask import Flask
    from flask.typing import ResponseReturnValue

__all__ = ["Pipeline"]

#: Where a request keeps the response hooks still to run (innermost last).
PENDING_ATTR = "_flaskkit_pipeline_pending"

_Hook = t.Callable[..., t.Any]


class Pipeline:
    """The layers of one app, their order, and the hooks that run them."""

    def __init__(self) -> None:
        #: Every layer, in the order it was added.
        self.added: list[Layer] = []
        #: Every layer, outermost first (empty until the kit compiles the pipeline at the end of the boot).
        self.layers: tuple[Layer, ...] = ()
        self._compiled = False
        # The phases, compiled: tuples of hooks in the order they run.
        self._request_phase: tuple[tuple[_Hook | None, _Hook | None], ...] = ()
        self._view_hooks: tuple[_Hook, ...] = ()
        self._wrappers: tuple[_Hook, ...] = ()
        self._exception_hooks: tuple[_Hook, ...] = ()
        self._response_labels: dict[_Hook, str] = {}

    # -- building ----------------------------------------------------------------

    def add(self, layer: Layer, origin: str) -> None:
        """Add ``layer``; ``origin`` says who added it when the layer does not."""
        if self._compiled:
            raise RuntimeError(
                f"The pipeline is already compiled; the layer {layer.name!r} comes too late. "
                "Return layers from Plugin.layers(app)."
            )
        if not isinstance(layer, Layer):
            raise ConfigurationError(
                f"{origin} returned {layer!r} from layers(); it must return flaskkit.pipeline.Layer objects.",
                hint="Write: yield Layer('myplugin.timing', request=..., response=...)",
            )
        if not layer.origin:
            layer.origin = origin
        self.added.append(layer)

    @property
    def uses_request_hooks(self) -> bool:
        """Whether any layer has (or may get, until the end of the boot) a request or response hook."""
        return any(layer.request is not None or layer.response is not None for layer in self.added)

    def compile(self, plugin_names: t.Collection[str], *, request_hooks_registered: bool) -> None:
        """Order the layers and build the phases (at the end of the boot)."""
        ordered = order_layers(self.added, plugin_names)
        for layer in ordered:
            for name in layer.hooks:
                if not callable(getattr(layer, name)):
                    raise ConfigurationError(
                        f"The layer {layer.name!r} (from {layer.origin}) has {name}={getattr(layer, name)!r}, "
                        "which is not callable.",
                        hint="Give each hook a function, or None.",
                    )
        if not request_hooks_registered:
            late = [layer for layer in ordered if layer.request is not None or layer.response is not None]
            if late:
                raise ConfigurationError(
                    f"The layer {late[0].name!r} (from {late[0].origin}) got a request or response hook after the "
                    "layers phase, when the kit had already decided that the app needs none.",
                    hint="Set every hook a layer may use when Plugin.layers() returns it (a placeholder is fine); "
                    "a hook may be replaced, or set to None, until the end of ready().",
                )
        self.layers = tuple(ordered)
        active = [layer for layer in ordered if layer.not_used is None]
        self._request_phase = tuple(
            (layer.request, layer.response) for layer in active if layer.request or layer.response
        )
        self._view_hooks = tuple(layer.view for layer in active if layer.view is not None)
        self._wrappers = tuple(layer.wrap_view for layer in active if layer.wrap_view is not None)
        self._exception_hooks = tuple(layer.exception for layer in reversed(active) if layer.exception is not None)
        self._response_labels = {layer.response: layer.name for layer in active if layer.response is not None}
        self._compiled = True

    @property
    def wsgi_layers(self) -> tuple[Layer, ...]:
        """The layers with a WSGI hook, outermost first."""
        return tuple(layer for layer in self.layers if layer.wsgi is not None and layer.not_used is None)

    # -- installing -----------------------------------------------------------------

    def register_request_hooks(self, app: Flask) -> None:
        """Register the request and response phases as Flask hooks (before any plugin registers its own)."""
        app.before_request(self._before_request_function())
        app.after_request(self._after_request_function(app))

    def install(self, app: Flask) -> None:
        """Compose the WSGI layers and, when a view phase exists, wrap ``app.dispatch_request``."""
        for layer in reversed(self.wsgi_layers):
            hook = t.cast(_Hook, layer.wsgi)
            try:
                wrapped = hook(app.wsgi_app)
            except ConfigurationError:
                raise
            except Exception as exc:
                raise ConfigurationError(
                    f"The WSGI layer {layer.name!r} (from {layer.origin}) raised {type(exc).__name__} when "
                    f"wrapping the app: {exc}",
                    hint="A WSGI layer is called with the WSGI app and returns a WSGI app.",
                ) from exc
            app.wsgi_app = wrapped  # type: ignore[method-assign]  # Flask's documented way to add WSGI middleware
        if self._view_hooks or self._wrappers or self._exception_hooks:
            # The kit's one wrapper around a method of the app (see the module's docstring).
            app.dispatch_request = self._dispatch_function(app)  # type: ignore[method-assign]

    # -- the phases at request time ----------------------------------------------------

    def _before_request_function(self) -> t.Callable[[], ResponseReturnValue | None]:
        pipeline = self

        def flaskkit_pipeline_request() -> ResponseReturnValue | None:
            phase = pipeline._request_phase
            if not phase:
                return None
            req = request._get_current_object()  # type: ignore[attr-defined]
            pending: list[_Hook] = []
            setattr(req, PENDING_ATTR, pending)
            for request_hook, response_hook in phase:
                if request_hook is None:
                    pending.append(response_hook)  # type: ignore[arg-type]
                    continue
                rv = request_hook(req)
                # A layer is entered once its request hook returned; one that raised is not.
                if response_hook is not None:
                    pending.append(response_hook)
                if rv is not None:
                    return rv  # type: ignore[no-any-return]  # Flask skips the rest and finalizes this
            return None

        return flaskkit_pipeline_request

    def _after_request_function(self, app: Flask) -> t.Callable[[Response], Response]:
        pipeline = self

        def flaskkit_pipeline_response(response: Response) -> Response:
            req = request._get_current_object()  # type: ignore[attr-defined]
            pending: list[_Hook] | None = getattr(req, PENDING_ATTR, None)
            # Flask finalizes its 500 page from inside wsgi_app's ``except`` block: the exception
            # being handled is the one the page is about.
            on_error_path = sys.exc_info()[0] is not None
            # Consume the list in place: when a hook's exception ends in Flask's 500 page, this
            # function runs again (for that page) and only the outer layers are left.
            while pending:
                hook = pending.pop()
                try:
                    response = _as_response(app, hook(req, response), pipeline._response_labels[hook])
                except Exception as exc:
                    if on_error_path:
                        # Already on Flask's 500 path: as Flask does there, log and go on.
                        app.logger.exception(
                            "The layer %s failed in its response hook while handling an error",
                            pipeline._response_labels[hook],
                        )
                        continue
                    # As Django: the exception becomes a response (Flask's error handlers) that the outer
                    # layers see; an unhandled one propagates to Flask's 500 page.
                    response = app.make_response(app.handle_user_exception(exc))
            return response

        return flaskkit_pipeline_response

    def _dispatch_function(self, app: Flask) -> t.Callable[[], ResponseReturnValue]:
        dispatch = app.dispatch_request
        view_functions = app.view_functions
        view_hooks = self._view_hooks
        exception_hooks = self._exception_hooks
        call_view: t.Callable[[], ResponseReturnValue] = dispatch
        for wrapper in reversed(self._wrappers):
            call_view = functools.partial(wrapper, call_view)

        @functools.wraps(dispatch)
        def dispatch_request() -> ResponseReturnValue:
            req = request._get_current_object()  # type: ignore[attr-defined]
            rule = req.url_rule
            if (
                req.routing_exception is not None
                or rule is None
                or (req.method == "OPTIONS" and getattr(rule, "provide_automatic_options", False))
            ):
                return dispatch()  # no view runs: a routing error, or Flask's automatic OPTIONS answer
            if view_hooks:
                view_func = view_functions[rule.endpoint]
                view_args: dict[str, t.Any] = req.view_args
                for view_hook in view_hooks:
                    rv = view_hook(req, view_func, view_args)
                    if rv is not None:
                        return rv  # type: ignore[no-any-return]
            if not exception_hooks:
                return call_view()
            try:
                return call_view()
            except Exception as exc:
                for exception_hook in exception_hooks:
                    rv = exception_hook(req, exc)
                    if rv is not None:
                        return rv  # type: ignore[no-any-return]
                raise

        return dispatch_request


def _as_response(app: Flask, value: object, name: str) -> Response:
    if isinstance(value, Response):
        return value
    if value is None:
        raise TypeError(
            f"The layer {name!r} returned None from its response hook (process_response of a MIDDLEWARE class); "
            "it must return the response."
        )
    return app.make_response(value)  # type: ignore[arg-type]

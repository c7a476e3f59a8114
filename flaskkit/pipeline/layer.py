"""A :class:`Layer`: one named step of the request pipeline, with the hooks it runs."""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from dataclasses import field

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication
    from flask import Request
    from flask.typing import ResponseReturnValue
    from werkzeug.wrappers import Response

__all__ = ["HOOK_NAMES", "Layer"]

#: The hooks a layer may have, in the order a request meets them.
HOOK_NAMES: tuple[str, ...] = ("wsgi", "request", "view", "wrap_view", "exception", "response")

RequestHook = t.Callable[["Request"], "ResponseReturnValue | None"]
ViewHook = t.Callable[["Request", t.Callable[..., t.Any], dict[str, t.Any]], "ResponseReturnValue | None"]
WrapViewHook = t.Callable[[t.Callable[[], "ResponseReturnValue"]], "ResponseReturnValue"]
ExceptionHook = t.Callable[["Request", Exception], "ResponseReturnValue | None"]
ResponseHook = t.Callable[["Request", "Response"], "Response"]
WsgiHook = t.Callable[["WSGIApplication"], "WSGIApplication"]


def _names(value: str | t.Sequence[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@dataclass(eq=False)
class Layer:
    """One named layer of an app's request pipeline.

    A plugin returns its layers from :meth:`flaskkit.Plugin.layers`; the
    ``middleware`` plugin makes one per ``MIDDLEWARE`` entry. The kit orders
    every layer of the app into one list, outermost (nearest the client)
    first, and runs each phase over the layers that have a hook for it::

        wsgi        around app.wsgi_app (outermost first), outside Flask
        request     outermost first, before Flask's before_request functions;
                    a return value other than None answers the request
        view        outermost first, once the view is known, just before it runs
                    (Django's process_view); a return value skips the view
        wrap_view   around the view call itself (a transaction): wrap_view(call_view)
        exception   innermost first, when the view (or a wrap_view) raised;
                    a return value answers, None lets the next layer out try
        response    innermost first, after Flask's after_request functions, for
                    the layers whose request hook ran (the layers "entered")

    Every hook is optional. Positions are declared, never implied by the
    order plugins boot in: ``over`` names layers (or groups) this one must be
    outside of, ``under`` those it must be inside of. A name whose namespace
    (the part before the first ``.``) is a plugin the app does not enable is
    ignored, so a plugin may place itself relative to optional ones; any other
    unknown name is a boot error. Layers without a constraint between them keep
    the order they were added in (plugins in boot order).

    A plugin may fill in or replace a layer's hooks until the end of its
    ``ready()`` (the ``middleware`` plugin creates the ``MIDDLEWARE`` instances
    there); the kit compiles the pipeline once every plugin is ready.
    """

    #: Unique in the app: ``"<plugin>.<what>"`` for a plugin's layer (``"orm.atomic"``),
    #: the entry as written for a ``MIDDLEWARE`` class.
    name: str
    #: ``request(request) -> response | None``
    request: RequestHook | None = None
    #: ``view(request, view_func, view_args) -> response | None``
    view: ViewHook | None = None
    #: ``wrap_view(call_view) -> response``: must call ``call_view()`` (or answer without the view).
    wrap_view: WrapViewHook | None = None
    #: ``exception(request, exc) -> response | None``
    exception: ExceptionHook | None = None
    #: ``response(request, response) -> response``: must return a response.
    response: ResponseHook | None = None
    #: ``wsgi(wsgi_app) -> wsgi_app``
    wsgi: WsgiHook | None = None
    #: Layer or group names this layer is outside of (nearer the client).
    over: str | t.Sequence[str] = ()
    #: Layer or group names this layer is inside of (nearer the view).
    under: str | t.Sequence[str] = ()
    #: A group other layers can name in ``over``/``under`` (``"MIDDLEWARE"``).
    group: str | None = None
    #: Who added it, as ``flask kit middleware`` shows it; the kit fills in ``plugin '<name>'``.
    origin: str = ""
    #: One line for ``flask kit middleware``.
    description: str = ""
    #: Set when the layer takes no part in this app's requests (a middleware that raised
    #: ``MiddlewareNotUsed``): the reason, shown by ``flask kit middleware``.
    not_used: str | None = None
    #: Extra, owner-defined data (the ``middleware`` plugin keeps the class and instance here).
    info: dict[str, t.Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise TypeError(f"A layer needs a non-empty name, not {self.name!r}.")
        self.over = _names(self.over)
        self.under = _names(self.under)

    @property
    def hooks(self) -> tuple[str, ...]:
        """The names of the hooks this layer has, in :data:`HOOK_NAMES` order."""
        return tuple(name for name in HOOK_NAMES if getattr(self, name) is not None)

    @property
    def position(self) -> str:
        """The declared constraints, for display: ``"over a; under MIDDLEWARE"``."""
        parts = []
        if self.over:
            parts.append("over " + ", ".join(self.over))
        if self.under:
            parts.append("under " + ", ".join(self.under))
        return "; ".join(parts)

    def __repr__(self) -> str:
        return f"<Layer {self.name!r} {'/'.join(self.hooks) or 'no hooks'}>"

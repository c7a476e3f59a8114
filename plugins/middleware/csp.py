"""Content-Security-Policy: Django 6.0's ``ContentSecurityPolicyMiddleware``, with its names and semantics.

::

    from flaskkit.plugins.middleware import CSP

    MIDDLEWARE = [
        "flaskkit.plugins.middleware:SecurityMiddleware",
        "flaskkit.plugins.middleware:ContentSecurityPolicyMiddleware",
        ...
    ]
    SECURE_CSP = {
        "default-src": [CSP.SELF],
        "script-src": [CSP.SELF, CSP.NONCE],
    }
    SECURE_CSP_REPORT_ONLY = {"default-src": [CSP.SELF], "report-uri": "/csp-reports/"}

* ``SECURE_CSP`` becomes the ``Content-Security-Policy`` header and
  ``SECURE_CSP_REPORT_ONLY`` the ``Content-Security-Policy-Report-Only`` one, on
  every response that has not set the header itself; an empty dict sends none;
* a value is a list (or tuple, or set: sorted) of sources, one string, ``True``
  (a directive without value, ``upgrade-insecure-requests``), or ``False``/``None``
  (left out);
* :attr:`CSP.NONCE` stands for this request's nonce: templates get it as
  ``csp_nonce`` (``<script nonce="{{ csp_nonce }}">``). It is made only when a
  template (or :func:`get_nonce`) uses it, and put in the header only then;
  without it the placeholder is dropped. A response whose header carries a
  nonce gets ``Cache-Control: private``, so no shared cache replays it;
* :func:`csp_override` and :func:`csp_report_only_override` replace a policy
  for one view (``{}``: no header), on view functions and class-based views.
"""

from __future__ import annotations

import collections.abc as cabc
import functools
import re
import secrets
import typing as t
from enum import StrEnum

from flask import current_app
from flask import has_request_context
from flask import request

from flaskkit import ConfigurationError

from .base import Middleware

if t.TYPE_CHECKING:
    from flask import Flask
    from flask import Request
    from flask import Response

__all__ = [
    "CSP",
    "ContentSecurityPolicyMiddleware",
    "LazyNonce",
    "build_policy",
    "csp_context_processor",
    "csp_override",
    "csp_report_only_override",
    "get_nonce",
    "validate_policy",
]

_V = t.TypeVar("_V")

#: Where a request keeps its :class:`LazyNonce`.
ENVIRON_KEY = "flaskkit.csp_nonce"
#: The response attributes the decorators set (Django's names).
CONFIG_ATTR = "_csp_config"
REPORT_ONLY_CONFIG_ATTR = "_csp_ro_config"

#: CSP keywords that only mean something quoted; unquoted, the browser reads a host name.
_KEYWORDS = frozenset(
    {
        "self",
        "none",
        "unsafe-inline",
        "unsafe-eval",
        "unsafe-hashes",
        "strict-dynamic",
        "report-sample",
        "wasm-unsafe-eval",
    }
)
_DIRECTIVE = re.compile(r"[a-z][a-z0-9-]*\Z")


class CSP(StrEnum):
    """Django's constants for policies: the quoted keywords, the header names and the nonce placeholder.

    Using them instead of strings avoids the classic mistakes: ``"self"``
    without its quotes (a host named ``self``), ``'noone'``...
    """

    # The headers.
    HEADER_ENFORCE = "Content-Security-Policy"
    HEADER_REPORT_ONLY = "Content-Security-Policy-Report-Only"

    # Source keywords, quoted as the header needs them.
    NONE = "'none'"
    REPORT_SAMPLE = "'report-sample'"
    SELF = "'self'"
    STRICT_DYNAMIC = "'strict-dynamic'"
    UNSAFE_EVAL = "'unsafe-eval'"
    UNSAFE_HASHES = "'unsafe-hashes'"
    UNSAFE_INLINE = "'unsafe-inline'"
    WASM_UNSAFE_EVAL = "'wasm-unsafe-eval'"

    #: Replaced by ``'nonce-<value>'`` when the request's nonce was used, else dropped.
    NONCE = "<CSP_NONCE_SENTINEL>"


class LazyNonce:
    """The nonce of one request, made (``secrets.token_urlsafe(16)``) the first time it is read.

    Reading it means ``str(nonce)`` or rendering ``{{ csp_nonce }}``. It is
    true only once made, as Django's, so a template shared with apps that do
    not use CSP can write ``{% if csp_nonce %} nonce="{{ csp_nonce }}"{% endif %}``
    (true when something else on the page made it).
    """

    __slots__ = ("_value",)

    def __init__(self) -> None:
        self._value: str | None = None

    @property
    def value(self) -> str:
        if self._value is None:
            self._value = secrets.token_urlsafe(16)
        return self._value

    @property
    def generated(self) -> bool:
        return self._value is not None

    def __str__(self) -> str:
        return self.value

    def __html__(self) -> str:
        return self.value  # URL-safe base64: nothing to escape

    def __bool__(self) -> bool:
        return self._value is not None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyNonce):
            return self.value == other.value
        if isinstance(other, str):
            return self.value == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return f"<LazyNonce {self._value!r}>" if self._value is not None else "<LazyNonce (not generated)>"


def get_nonce(req: Request | None = None) -> LazyNonce | None:
    """The request's nonce (``None`` when ``ContentSecurityPolicyMiddleware`` did not see the request)."""
    if req is None:
        if not has_request_context():
            return None
        req = request
    return t.cast(LazyNonce | None, req.environ.get(ENVIRON_KEY))


def csp_context_processor() -> dict[str, LazyNonce | None]:
    """``csp_nonce`` in every template (Django's ``django.template.context_processors.csp``)."""
    return {"csp_nonce": get_nonce()}


def build_policy(config: cabc.Mapping[str, t.Any], nonce: str | None = None) -> str:
    """The header value for ``config`` (Django's ``build_policy``); ``nonce`` replaces :attr:`CSP.NONCE`."""
    policy = []
    for directive, values in config.items():
        if values is None or values is False:
            continue
        if values is True:
            rendered = ""
        else:
            if isinstance(values, set | frozenset):
                values = sorted(values)  # a stable header, for caches
            elif not isinstance(values, list | tuple):
                values = [values]
            if CSP.NONCE in values:
                if nonce:
                    values = [f"'nonce-{nonce}'" if v == CSP.NONCE else v for v in values]
                else:
                    values = [v for v in values if v != CSP.NONCE]
            if not values:
                continue
            rendered = " ".join(str(v) for v in values)
        policy.append(f"{directive} {rendered}".rstrip())
    return "; ".join(policy)


class PolicyError(ValueError):
    """A policy of the wrong shape (the message says which part and what to write)."""


def check_policy(name: str, config: object) -> dict[str, t.Any]:
    """``config`` as a dict, or :class:`PolicyError` (``TypeError`` for a non-mapping, as Django's decorators)."""
    if config is None:
        return {}
    if not isinstance(config, cabc.Mapping):
        raise TypeError(f"{name} must be a dict of CSP directives (got {type(config).__name__} {config!r} instead).")
    for directive, values in config.items():
        if not isinstance(directive, str) or not _DIRECTIVE.match(directive):
            raise PolicyError(
                f"{name} has the key {directive!r}, which is not a CSP directive name (lower case, like "
                "'default-src' or 'script-src')."
            )
        if values is None or isinstance(values, bool):
            continue
        items = [values] if isinstance(values, str) else values
        if not isinstance(items, list | tuple | set | frozenset) or not all(isinstance(v, str) for v in items):
            raise PolicyError(
                f"{name}[{directive!r}] must be a list of sources (strings), one string, True, False or None, "
                f"not {values!r}."
            )
        for value in items:
            if value.lower() in _KEYWORDS:
                constant = value.upper().replace("-", "_")
                raise PolicyError(
                    f"{name}[{directive!r}] contains {value!r} without quotes, which browsers read as a host named "
                    f"{value!r}. Write CSP.{constant} (\"'{value.lower()}'\"), from flaskkit.plugins.middleware."
                )
    return dict(config)


def validate_policy(app: Flask, setting: str) -> dict[str, t.Any]:
    """The setting ``setting`` (``SECURE_CSP`` or ``SECURE_CSP_REPORT_ONLY``), checked; a boot error if malformed."""
    try:
        return check_policy(setting, app.config.get(setting))
    except (TypeError, PolicyError) as exc:
        raise ConfigurationError(
            str(exc),
            setting=setting,
            hint=f'Write {setting} = {{"default-src": [CSP.SELF]}} (from flaskkit.plugins.middleware import CSP), '
            "or {} for no policy.",
        ) from exc


class ContentSecurityPolicyMiddleware(Middleware):
    """Sends ``SECURE_CSP`` and ``SECURE_CSP_REPORT_ONLY`` as headers, with the request's nonce
    when a template used it (Django 6.0's middleware; see the module docstring).

    Put it after ``SecurityMiddleware`` in ``MIDDLEWARE``. A response that
    already has a CSP header keeps it; :func:`csp_override` and
    :func:`csp_report_only_override` change the policy of one view.
    """

    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        #: The enforced policy (``SECURE_CSP``) and the report-only one.
        self.policy = validate_policy(app, "SECURE_CSP")
        self.report_only_policy = validate_policy(app, "SECURE_CSP_REPORT_ONLY")
        # The headers of a response whose page used no nonce, built once.
        self._enforce_header = build_policy(self.policy)
        self._report_only_header = build_policy(self.report_only_policy)

    def process_request(self, request: Request) -> None:
        request.environ[ENVIRON_KEY] = LazyNonce()

    def process_response(self, request: Request, response: Response) -> Response:
        nonce = get_nonce(request)
        value = nonce.value if nonce else None
        headers = response.headers
        nonce_sent = False
        for header, attr, default, prebuilt in (
            (CSP.HEADER_ENFORCE, CONFIG_ATTR, self.policy, self._enforce_header),
            (CSP.HEADER_REPORT_ONLY, REPORT_ONLY_CONFIG_ATTR, self.report_only_policy, self._report_only_header),
        ):
            config = getattr(response, attr, default)
            # An empty policy sends no header; a header the view set itself wins.
            if not config or header in headers:
                continue
            policy = prebuilt if value is None and config is default else build_policy(config, value)
            if policy:
                headers[header] = policy
                nonce_sent = nonce_sent or (value is not None and f"'nonce-{value}'" in policy)
        if nonce_sent:
            # A nonce seen by several users is no nonce: no shared cache may keep this response.
            response.cache_control.public = False
            response.cache_control.private = True
        return response


def _csp_decorator(attr: str, name: str, config: cabc.Mapping[str, t.Any]) -> t.Callable[[_V], _V]:
    if not isinstance(config, cabc.Mapping):
        raise TypeError("CSP config should be a mapping.")
    policy = check_policy(name, config)

    def decorator(view: _V) -> _V:
        if isinstance(view, type):
            # A class-based view (flask.views.View and flaskkit's views): wrap the function as_view() makes.
            if not hasattr(view, "as_view"):
                raise TypeError(f"{name}() decorates a view function or a View class, not {view!r}.")
            view.decorators = [*getattr(view, "decorators", ()), decorator]  # type: ignore[attr-defined]
            return view
        if not callable(view):
            raise TypeError(f"{name}() decorates a view function or a View class, not {view!r}.")

        @functools.wraps(view)
        def wrapper(*args: t.Any, **kwargs: t.Any) -> Response:
            response = current_app.make_response(current_app.ensure_sync(view)(*args, **kwargs))
            setattr(response, attr, policy)
            return response

        return t.cast(_V, wrapper)

    return decorator


def csp_override(config: cabc.Mapping[str, t.Any]) -> t.Callable[[_V], _V]:
    """Replace ``SECURE_CSP`` for one view's responses (Django's ``@csp_override``); ``{}`` sends none.

    ::

        @app.get("/embed")
        @csp_override({"default-src": [CSP.SELF], "frame-ancestors": ["https://partner.example"]})
        def embed(): ...

        @csp_override({})
        class LegacyPage(TemplateView): ...

    The dict replaces the whole policy (it is not merged with ``SECURE_CSP``).
    """
    return _csp_decorator(CONFIG_ATTR, "csp_override", config)


def csp_report_only_override(config: cabc.Mapping[str, t.Any]) -> t.Callable[[_V], _V]:
    """Replace ``SECURE_CSP_REPORT_ONLY`` for one view's responses; ``{}`` sends none."""
    return _csp_decorator(REPORT_ONLY_CONFIG_ATTR, "csp_report_only_override", config)

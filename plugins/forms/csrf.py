"""CSRF protection: Django's ``CsrfViewMiddleware`` on Flask-WTF's ``CSRFProtect``.

What stays Flask-WTF's: the ``CSRFProtect`` object (``app.extensions["csrf"]``,
``csrf.exempt(view)``, ``csrf.protect()``), the hidden field of every
:class:`~flaskkit.plugins.forms.Form`, ``csrf_token()`` and ``csrf_meta_tag()``
in templates, the ``WTF_CSRF_*`` settings and the ``CSRFError`` type.

What is replaced, because Flask-WTF 1.3 cannot give Django's semantics: where
the secret lives and how tokens are made and checked. Flask-WTF stores its
token in the session (so every visitor who sees a form gets a server-side
session) and hands out one unmasked value per request. Here the secret is in
its own cookie (``csrftoken``; the session with ``CSRF_USE_SESSIONS``) and each
token is masked afresh (:mod:`.csrf_tokens`, :mod:`.csrf_storage`). The policy
is Django's too:

* a failure is a **403** (Flask-WTF: 400), rendered from the template
  ``forms/csrf_failure.html`` (or ``CSRF_FAILURE_VIEW``);
* the ``Origin`` header, when the browser sends one, must be the site's own
  origin or one of ``CSRF_TRUSTED_ORIGINS`` (Flask-WTF has no Origin check);
  without it, an HTTPS request needs a ``Referer`` of this site (or of a
  trusted origin, or under ``CSRF_COOKIE_DOMAIN``);
* a token never expires by itself; :func:`rotate_csrf_token` makes the
  current ones stop working (login calls it);
* views are exempted by marking them (:func:`csrf_exempt`), so the mark works
  for every app the view is registered on, and an exempt view's forms do not
  check their token either (Django: an exempt view has no CSRF at all).
"""

from __future__ import annotations

import logging
import typing as t
from urllib.parse import urlsplit

from flask import Blueprint
from flask import current_app
from flask import g
from flask import has_request_context
from flask import jsonify
from flask import make_response
from flask import render_template
from flask import request
from flask_wtf.csrf import CSRFError as _FlaskWTFCSRFError
from flask_wtf.csrf import CSRFProtect
from flask_wtf.csrf import _FlaskFormCSRF
from werkzeug.utils import import_string
from wtforms import ValidationError

from .csrf_storage import cookie_name
from .csrf_storage import csrf_input
from .csrf_storage import csrf_meta_tag
from .csrf_storage import get_token
from .csrf_storage import request_state
from .csrf_storage import rotate_csrf_token
from .csrf_storage import save_csrf_secret
from .csrf_storage import token_headers
from .csrf_storage import use_sessions
from .csrf_tokens import InvalidTokenFormat
from .csrf_tokens import check_token_format
from .csrf_tokens import does_token_match

if t.TYPE_CHECKING:
    from flask import Flask
    from flask.typing import ResponseReturnValue

    from .csrf_storage import CsrfState

__all__ = [
    "CSRFError",
    "KitCSRFProtect",
    "TrustedOrigins",
    "csrf_exempt",
    "csrf_input",
    "csrf_meta_tag",
    "get_token",
    "is_same_domain",
    "rotate_csrf_token",
]

logger = logging.getLogger("flaskkit.forms.csrf")

_V = t.TypeVar("_V")

#: The attribute :func:`csrf_exempt` sets on a view function, a view class or a blueprint.
EXEMPT_ATTR = "csrf_exempt"

# The reasons, in Django's words (django.middleware.csrf), except the Origin one, which says more.
REASON_NO_CSRF_COOKIE = "CSRF cookie not set."
REASON_NO_SESSION_TOKEN = "CSRF session token missing."
REASON_CSRF_TOKEN_MISSING = "CSRF token missing."
REASON_NO_REFERER = "Referer checking failed - no Referer."
REASON_BAD_REFERER = "Referer checking failed - %s does not match any trusted origins."
REASON_MALFORMED_REFERER = "Referer checking failed - Referer is malformed."
REASON_INSECURE_REFERER = "Referer checking failed - Referer is insecure while host is secure."
REASON_BAD_ORIGIN = "Origin checking failed: %s is neither this site (%s) nor one of CSRF_TRUSTED_ORIGINS."

#: The fixed reasons with their short code, for the failure page and JSON clients.
REASON_CODES: dict[str, str] = {
    REASON_NO_CSRF_COOKIE: "missing_cookie",
    REASON_NO_SESSION_TOKEN: "missing_session_token",
    REASON_CSRF_TOKEN_MISSING: "missing_token",
    REASON_NO_REFERER: "missing_referrer",
    REASON_MALFORMED_REFERER: "bad_referrer",
    REASON_INSECURE_REFERER: "bad_referrer",
}

_DEFAULT_PORTS = {"http": 80, "https": 443}


class CSRFError(_FlaskWTFCSRFError):
    """A request failed the CSRF check: answered with **403 Forbidden** (Django's status).

    A subclass of Flask-WTF's ``CSRFError`` (which is a 400), so code that
    catches that one still catches this one. ``description`` is the reason;
    ``reason_code`` is one of ``missing_cookie``, ``missing_session_token``,
    ``bad_cookie``, ``missing_token``, ``bad_token``, ``bad_origin``,
    ``missing_referrer``, ``bad_referrer``. Register
    ``app.errorhandler(CSRFError)``, set ``CSRF_FAILURE_VIEW`` or override the
    template ``forms/csrf_failure.html`` to change the page.
    """

    code = 403
    description = "CSRF verification failed."

    def __init__(self, description: str | None = None, *, reason_code: str | None = None) -> None:
        super().__init__(description)
        #: A stable, short name for the failure.
        self.reason_code = reason_code or REASON_CODES.get(description or "", "bad_token")


class _Reject(Exception):
    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


def is_same_domain(host: str, pattern: str) -> bool:
    """Django's ``is_same_domain``: ``host`` is ``pattern``, or ``pattern`` starts with a dot and
    ``host`` is that domain or one of its subdomains. Case-insensitive."""
    if not pattern:
        return False
    host, pattern = host.lower(), pattern.lower()
    return (pattern[0] == "." and (host.endswith(pattern) or host == pattern[1:])) or pattern == host


class TrustedOrigins:
    """``CSRF_TRUSTED_ORIGINS``, parsed once per app.

    Entries are origins, ``scheme://host[:port]``, like Django's; a host that
    starts with ``*.`` matches the domain and all its subdomains
    (``"https://*.example.com"``).
    """

    def __init__(self, origins: t.Iterable[str]) -> None:
        self.exact: set[tuple[str, str, int | None]] = set()
        #: scheme -> [(".example.com", port or None), ...]
        self.wildcards: dict[str, list[tuple[str, int | None]]] = {}
        #: The hosts (``host[:port]``, a leading ``.`` for a wildcard) that a Referer may name (Django's
        #: ``csrf_trusted_origins_hosts``).
        self.referer_hosts: list[str] = []
        for origin in origins:
            parts = urlsplit(origin)
            scheme = parts.scheme.lower()
            host = (parts.hostname or "").lower()
            port = parts.port or _DEFAULT_PORTS.get(scheme)
            self.referer_hosts.append(parts.netloc.lstrip("*"))
            if host.startswith("*."):
                self.wildcards.setdefault(scheme, []).append((host[1:], port))
            else:
                self.exact.add((scheme, host, port))

    def allows(self, origin: str) -> bool:
        key = _origin_key(origin)
        if key is None:
            return False
        if key in self.exact:
            return True
        scheme, host, port = key
        for suffix, wanted_port in self.wildcards.get(scheme, ()):
            if (host.endswith(suffix) or host == suffix[1:]) and port == wanted_port:
                return True
        return False

    def allows_referer_host(self, netloc: str) -> bool:
        return any(is_same_domain(netloc, host) for host in self.referer_hosts)


def _origin_key(origin: str) -> tuple[str, str, int | None] | None:
    """``(scheme, host, port)`` of an origin, with the default port filled in; None if malformed."""
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


def _bad_token_message(reason: str, source: str) -> str:
    if source != "POST":
        source = f"the {source!r} HTTP header"
    return f"CSRF token from {source} {reason}."


def check_request_token(state: CsrfState, token: str | None, source: str) -> None:
    """Raise :class:`_Reject` unless ``token`` (from ``source``: ``"POST"`` or a header name) matches
    the secret the request brought (Django's ``_check_token``)."""
    sessions = use_sessions(current_app)
    if state.incoming_error is not None:
        what = "CSRF session token" if sessions else "CSRF cookie"
        raise _Reject(f"{what} {state.incoming_error}.", "bad_cookie")
    if state.incoming is None:
        if sessions:
            raise _Reject(REASON_NO_SESSION_TOKEN, "missing_session_token")
        raise _Reject(REASON_NO_CSRF_COOKIE, "missing_cookie")
    if not token:
        raise _Reject(REASON_CSRF_TOKEN_MISSING, "missing_token")
    try:
        check_token_format(token)
    except InvalidTokenFormat as exc:
        raise _Reject(_bad_token_message(exc.reason, source), "bad_token") from None
    if not does_token_match(token, state.incoming):
        raise _Reject(_bad_token_message("incorrect", source), "bad_token")


class KitCSRFProtect(CSRFProtect):
    """Flask-WTF's ``CSRFProtect`` with Django's storage and policy (see the module docstring).

    One instance per app (the plugin makes it), stored as
    ``app.extensions["csrf"]`` as upstream does, so ``csrf.exempt(view)`` and
    ``csrf.protect()`` keep working.
    """

    def __init__(self, trusted_origins: TrustedOrigins, failure_view: t.Callable[..., t.Any] | None = None) -> None:
        super().__init__()
        self.trusted_origins = trusted_origins
        #: ``CSRF_FAILURE_VIEW``, imported: called with ``reason=`` to answer a failed check.
        self.failure_view = failure_view
        # Whether each endpoint is exempt, found on its first unsafe request: the view, its blueprints
        # and upstream's lists are set up before the app serves (exempt() below starts over).
        self._exempt_endpoints: dict[str, bool] = {}

    def init_app(self, app: Flask) -> None:
        # Not super().init_app(): upstream's puts its session-based generate_csrf in the templates.
        app.extensions["csrf"] = self
        app.config["WTF_CSRF_METHODS"] = set(app.config.get("WTF_CSRF_METHODS", ["POST", "PUT", "PATCH", "DELETE"]))
        app.jinja_env.globals.update(csrf_token=get_token, csrf_meta_tag=csrf_meta_tag, csrf_input=csrf_input)
        app.before_request(self._before_request)
        app.after_request(save_csrf_secret)
        app.register_error_handler(CSRFError, self.failure_response)

    def _before_request(self) -> None:
        # A safe method returns at once (most requests): its cookie is read when a page asks for a
        # token, or by save_csrf_secret, which replaces a malformed one as Django's process_request.
        config = current_app.config
        if request.method not in config["WTF_CSRF_METHODS"]:
            return
        if config["WTF_CSRF_ENABLED"] and config["WTF_CSRF_CHECK_DEFAULT"]:
            self.protect(apply_exemptions=True)

    def _is_exempt(self) -> bool:
        endpoint = request.endpoint
        if endpoint is None:
            return self._find_exemption()
        exempt = self._exempt_endpoints.get(endpoint)
        if exempt is None:
            exempt = self._exempt_endpoints[endpoint] = self._find_exemption()
        return exempt

    def _find_exemption(self) -> bool:
        view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
        if view is not None and is_exempt(view):
            return True
        for name in request.blueprints:
            if getattr(current_app.blueprints.get(name), EXEMPT_ATTR, False):
                return True
        return bool(super()._is_exempt())

    def exempt(self, view: t.Any) -> t.Any:
        """Upstream's ``csrf.exempt(view_or_blueprint)``; the exemptions are looked up anew."""
        self._exempt_endpoints.clear()
        return super().exempt(view)

    def protect(self, apply_exemptions: bool = False) -> None:
        """Check the current request as Django's ``CsrfViewMiddleware.process_view`` does: the
        ``Origin`` header when there is one, else (on HTTPS) the ``Referer``, then the token
        against the secret."""
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            # First: a GET never pays for the exemption lookup (a form validated on a GET of an
            # exempt view asks it itself, in KitFormCSRF.validate_csrf_token).
            return
        if apply_exemptions:
            if not request.endpoint:
                return  # a 404 or 405 is answered as such, never as a CSRF failure
            if self._is_exempt():
                request_state().checked = True
                return
        try:
            origin = request.headers.get("Origin")
            if origin is not None:
                if not self._origin_verified(origin):
                    raise _Reject(REASON_BAD_ORIGIN % (origin, f"{request.scheme}://{request.host}"), "bad_origin")
            elif request.is_secure and current_app.config.get("WTF_CSRF_SSL_STRICT", True):
                self._check_referer()
            token, source = self._find_token()
            state = request_state()
            check_request_token(state, token, source)
        except _Reject as exc:
            self._fail(exc.reason, exc.code)
        state.checked = True
        g.csrf_valid = True  # Flask-WTF's mark: its own forms skip their check too

    def _find_token(self) -> tuple[str | None, str]:
        """The token the request sent and where: the form field (``WTF_CSRF_FIELD_NAME``, or a
        prefixed form's ``<prefix>-csrf_token``), else the first header of :func:`token_headers`."""
        field_name = current_app.config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
        form = request.form
        token = form.get(field_name)
        if token:
            return token, "POST"
        for key in form:
            if key.endswith(field_name) and form[key]:
                return form[key], "POST"
        for header in token_headers(current_app):
            value = request.headers.get(header)
            if value is not None:
                return value, header
        return None, "POST"

    def _origin_verified(self, origin: str) -> bool:
        key = _origin_key(origin)
        if key is not None and key == _origin_key(f"{request.scheme}://{request.host}"):
            return True
        return self.trusted_origins.allows(origin)

    def _check_referer(self) -> None:
        """Django's ``_check_referer``: an HTTPS request without ``Origin`` must come from an HTTPS
        page of this site, of a trusted origin, or under the cookie's domain."""
        referer = request.headers.get("Referer")
        if referer is None:
            raise _Reject(REASON_NO_REFERER, "missing_referrer")
        try:
            parts = urlsplit(referer)
        except ValueError:
            raise _Reject(REASON_MALFORMED_REFERER, "bad_referrer") from None
        if "" in (parts.scheme, parts.netloc):
            raise _Reject(REASON_MALFORMED_REFERER, "bad_referrer")
        if parts.scheme != "https":
            raise _Reject(REASON_INSECURE_REFERER, "bad_referrer")
        if self.trusted_origins.allows_referer_host(parts.netloc):
            return
        config = current_app.config
        domain = config.get("SESSION_COOKIE_DOMAIN") if use_sessions(current_app) else config.get("CSRF_COOKIE_DOMAIN")
        if domain:
            good_referer = str(domain)
            port = _request_port()
            if port not in (80, 443):
                good_referer = f"{good_referer}:{port}"
        else:
            good_referer = request.host
        if not is_same_domain(parts.netloc, good_referer):
            raise _Reject(REASON_BAD_REFERER % parts.geturl(), "bad_referrer")

    def _fail(self, reason: str, code: str | None = None) -> t.NoReturn:
        logger.warning("Forbidden (%s): %s", reason, request.path)
        raise CSRFError(reason, reason_code=code)

    def _error_response(self, reason: str) -> t.NoReturn:
        # Called by upstream code paths we did not rewrite; same outcome.
        self._fail(reason)

    def failure_response(self, error: CSRFError) -> ResponseReturnValue:
        """The 403: ``CSRF_FAILURE_VIEW`` if set, else JSON for JSON clients, else ``forms/csrf_failure.html``."""
        reason = error.description or CSRFError.description
        if self.failure_view is not None:
            return make_response(current_app.ensure_sync(self.failure_view)(reason=reason))
        return csrf_failure(error)


def _request_port() -> int:
    try:
        port = urlsplit(f"//{request.host}").port
    except ValueError:
        port = None
    return port or _DEFAULT_PORTS.get(request.scheme, 80)


class KitFormCSRF(_FlaskFormCSRF):
    """The CSRF of :class:`~flaskkit.plugins.forms.Form`: the hidden field holds a masked token
    (:func:`get_token`), and a form checks it against the request's secret unless the request was
    checked already (``WTF_CSRF_CHECK_DEFAULT``) or its view is marked :func:`csrf_exempt`."""

    def generate_csrf_token(self, csrf_token_field: t.Any) -> str:
        # Made when the field is rendered, as Django's {% csrf_token %} calls get_token(): a form
        # that is only checked (a POST that redirects) neither masks a token nor sends the cookie.
        return t.cast(str, LazyToken())

    def validate_csrf_token(self, form: t.Any, field: t.Any) -> None:
        if not has_request_context():
            raise ValidationError(REASON_CSRF_TOKEN_MISSING)
        state = request_state()
        if state.checked or g.get("csrf_valid", False):
            return
        protection = current_app.extensions.get("csrf")
        if isinstance(protection, KitCSRFProtect) and request.endpoint and protection._is_exempt():
            return  # an exempt view (its request was not checked: a method the protection lets through)
        try:
            check_request_token(state, field.data, "POST")
        except _Reject as exc:
            logger.info(exc.reason)
            raise ValidationError(exc.reason) from None


class LazyToken:
    """A form's CSRF token, from :func:`get_token` when first turned into text (rendered)."""

    __slots__ = ("_token",)

    def __init__(self) -> None:
        self._token: str | None = None

    def __str__(self) -> str:
        if self._token is None:
            self._token = get_token()
        return self._token

    def __html__(self) -> str:
        return str(self)

    def __eq__(self, other: object) -> bool:
        return str(self) == other

    def __hash__(self) -> int:
        return hash(str(self))

    def __len__(self) -> int:
        return len(str(self))

    def __repr__(self) -> str:
        return f"<LazyToken {self._token or '(not made yet)'}>"


def is_exempt(view: t.Callable[..., t.Any]) -> bool:
    """Whether ``view`` (a view function, or one made by ``View.as_view``) is marked exempt."""
    if getattr(view, EXEMPT_ATTR, False):
        return True
    view_class = getattr(view, "view_class", None)
    return bool(getattr(view_class, EXEMPT_ATTR, False))


def csrf_exempt(view: _V) -> _V:
    """Exempt a view from CSRF protection, as Django's ``@csrf_exempt`` does.

    Works on a view function (either side of ``@app.route``), a class-based
    view (``flask.views.View`` subclass) or a :class:`~flask.Blueprint`::

        @app.post("/webhooks/stripe")
        @csrf_exempt
        def stripe_webhook(): ...

    Forms used in an exempt view do not check their token either. Exempting
    is always explicit: nothing is exempt by default.
    """
    if isinstance(view, Blueprint) or callable(view):
        setattr(view, EXEMPT_ATTR, True)
        return view
    raise TypeError(f"csrf_exempt() takes a view function, a view class or a Blueprint, not {view!r}.")


def resolve_failure_view(value: object) -> t.Callable[..., t.Any] | None:
    """``CSRF_FAILURE_VIEW``: ``None``, a callable, or the import path of one (``"myapp.views:csrf_failure"``)."""
    if value is None:
        return None
    view = import_string(value) if isinstance(value, str) else value
    if not callable(view):
        raise TypeError(f"{value!r} is not callable")
    return t.cast(t.Callable[..., t.Any], view)


def _wants_json() -> bool:
    """JSON when the client prefers it to HTML, or sent JSON and has no preference."""
    accept = request.accept_mimetypes
    json_quality, html_quality = accept.quality("application/json"), accept.quality("text/html")
    return json_quality > html_quality or (json_quality == html_quality and request.is_json)


def csrf_failure(error: CSRFError) -> ResponseReturnValue:
    """The 403 response: JSON for JSON clients, else the ``forms/csrf_failure.html`` page."""
    reason = error.description or CSRFError.description
    code = getattr(error, "reason_code", "bad_token")
    if _wants_json():
        return jsonify(error="csrf_failed", reason=reason, reason_code=code), 403
    config = current_app.config
    page = render_template(
        "forms/csrf_failure.html",
        reason=reason,
        reason_code=code,
        debug=current_app.debug,
        field_name=config.get("WTF_CSRF_FIELD_NAME", "csrf_token"),
        headers=token_headers(current_app),
        cookie_name=cookie_name(current_app),
        use_sessions=use_sessions(current_app),
    )
    return page, 403

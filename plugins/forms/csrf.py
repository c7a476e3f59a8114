"""CSRF protection: Flask-WTF's ``CSRFProtect`` with Django's policy.

Flask-WTF makes and checks the tokens (:func:`flask_wtf.csrf.generate_csrf`,
:func:`flask_wtf.csrf.validate_csrf`); this module changes only the policy
around them, where Flask-WTF 1.3 differs from Django:

* a failure is a **403** (Flask-WTF: 400) rendered from the template
  ``forms/csrf_failure.html``, which the app can override;
* the ``Origin`` header, when the browser sends one, must be the site's own
  origin or one of ``CSRF_TRUSTED_ORIGINS`` (Flask-WTF has no Origin check);
* views are exempted by marking them (:func:`csrf_exempt`), so the mark works
  for every app the view is registered on, and an exempt view's forms do not
  check their token either (Django: an exempt view has no CSRF at all);
* :func:`rotate_csrf_token` makes the current token stop working (login calls
  it; Flask-WTF keeps the token for the whole session).
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
from flask import render_template
from flask import request
from flask import session
from flask_wtf.csrf import CSRFError as _FlaskWTFCSRFError
from flask_wtf.csrf import CSRFProtect
from flask_wtf.csrf import _FlaskFormCSRF
from flask_wtf.csrf import generate_csrf
from flask_wtf.csrf import same_origin
from flask_wtf.csrf import validate_csrf
from markupsafe import Markup
from markupsafe import escape
from wtforms import ValidationError

if t.TYPE_CHECKING:
    from flask import Flask
    from flask.typing import ResponseReturnValue

__all__ = [
    "CSRFError",
    "KitCSRFProtect",
    "TrustedOrigins",
    "csrf_exempt",
    "csrf_input",
    "rotate_csrf_token",
]

logger = logging.getLogger("flaskkit.forms.csrf")

_V = t.TypeVar("_V")

#: The attribute :func:`csrf_exempt` sets on a view function, a view class or a blueprint.
EXEMPT_ATTR = "csrf_exempt"

#: The reasons Flask-WTF gives (its exact messages) and ours, with a short code
#: for the failure page and JSON clients.
REASON_CODES: dict[str, str] = {
    "The CSRF token is missing.": "missing_token",
    "The CSRF session token is missing.": "missing_session_token",
    "The CSRF token has expired.": "expired_token",
    "The CSRF token is invalid.": "bad_token",
    "The CSRF tokens do not match.": "bad_token",
    "The referrer header is missing.": "missing_referrer",
    "The referrer does not match the host.": "bad_referrer",
}

_DEFAULT_PORTS = {"http": 80, "https": 443}


class CSRFError(_FlaskWTFCSRFError):
    """A request failed the CSRF check: answered with **403 Forbidden** (Django's status).

    A subclass of Flask-WTF's ``CSRFError`` (which is a 400), so code that
    catches that one still catches this one. ``description`` is the reason;
    ``reason_code`` is one of ``missing_token``, ``missing_session_token``,
    ``expired_token``, ``bad_token``, ``bad_origin``, ``missing_referrer``,
    ``bad_referrer``. Register ``app.errorhandler(CSRFError)`` or override the
    template ``forms/csrf_failure.html`` to change the page.
    """

    code = 403
    description = "CSRF verification failed."

    def __init__(self, description: str | None = None, *, reason_code: str | None = None) -> None:
        super().__init__(description)
        #: A stable, short name for the failure.
        self.reason_code = reason_code or REASON_CODES.get(description or "", "bad_token")


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
        for origin in origins:
            parts = urlsplit(origin)
            scheme = parts.scheme.lower()
            host = (parts.hostname or "").lower()
            port = parts.port or _DEFAULT_PORTS.get(scheme)
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


class KitCSRFProtect(CSRFProtect):
    """Flask-WTF's ``CSRFProtect`` with Django's policy (see the module docstring).

    One instance per app (the plugin makes it), stored as
    ``app.extensions["csrf"]`` as upstream does, so ``csrf.exempt(view)`` and
    ``csrf.protect()`` keep working.
    """

    def __init__(self, trusted_origins: TrustedOrigins) -> None:
        super().__init__()
        self.trusted_origins = trusted_origins

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        app.register_error_handler(CSRFError, csrf_failure)

    def _is_exempt(self) -> bool:
        view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
        if view is not None and is_exempt(view):
            return True
        for name in request.blueprints:
            if getattr(current_app.blueprints.get(name), EXEMPT_ATTR, False):
                return True
        return bool(super()._is_exempt())

    def protect(self, apply_exemptions: bool = False) -> None:
        """Check the current request: the Origin header first, then the token, then
        (on HTTPS without an Origin header) the Referer, as Django does.

        Written out rather than calling ``super().protect()`` because upstream
        checks the Referer on every HTTPS request, also when a verified Origin
        header already proves where the request comes from (Django skips it
        then), and only accepts the site's own host in it.
        """
        if apply_exemptions:
            if not request.endpoint:
                return
            if self._is_exempt():
                g.csrf_exempt = True
                return
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return

        origin = request.headers.get("Origin")
        if origin is not None and not self._origin_verified(origin):
            self._fail(
                f"Origin checking failed: {origin} is neither this site ({request.scheme}://{request.host}) "
                "nor one of CSRF_TRUSTED_ORIGINS.",
                "bad_origin",
            )

        try:
            validate_csrf(self._get_csrf_token())
        except ValidationError as exc:
            self._fail(exc.args[0])

        if origin is None and request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
            referrer = request.referrer
            if not referrer:
                self._fail("The referrer header is missing.")
            elif not (same_origin(referrer, f"https://{request.host}/") or self.trusted_origins.allows(referrer)):
                self._fail("The referrer does not match the host.")

        g.csrf_valid = True  # Flask-WTF's forms then skip their own token check

    def _origin_verified(self, origin: str) -> bool:
        key = _origin_key(origin)
        if key is not None and key == _origin_key(f"{request.scheme}://{request.host}"):
            return True
        return self.trusted_origins.allows(origin)

    def _fail(self, reason: str, code: str | None = None) -> t.NoReturn:
        logger.warning("Forbidden (%s): %s", reason, request.path)
        raise CSRFError(reason, reason_code=code)

    def _error_response(self, reason: str) -> t.NoReturn:
        # Called by upstream code paths we did not rewrite; same outcome.
        self._fail(reason)


class KitFormCSRF(_FlaskFormCSRF):
    """The CSRF implementation of :class:`~flaskkit.plugins.forms.Form`: Flask-WTF's,
    except that a form in a view marked :func:`csrf_exempt` does not check its token."""

    def validate_csrf_token(self, form: t.Any, field: t.Any) -> None:
        if has_request_context() and g.get("csrf_exempt", False):
            return
        super().validate_csrf_token(form, field)


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


def rotate_csrf_token() -> None:
    """Forget the current CSRF token: tokens handed out before stop working.

    The next :func:`~flask_wtf.csrf.generate_csrf` (``csrf_token()`` in a
    template, a form's hidden field) makes a new one. The auth plugin calls
    this at login, as Django's ``rotate_token`` does, so a token planted
    before login cannot be used after it.
    """
    field_name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field_name, None)
    g.pop(field_name, None)


def csrf_input() -> Markup:
    """The hidden ``<input>`` carrying the CSRF token, for hand-written forms.

    In templates: ``<form method="post">{{ csrf_input() }} ...</form>`` (Django's
    ``{% csrf_token %}``).
    """
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    return Markup(f'<input type="hidden" name="{escape(name)}" value="{escape(generate_csrf())}">')


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
    page = render_template(
        "forms/csrf_failure.html",
        reason=reason,
        reason_code=code,
        debug=current_app.debug,
        field_name=current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"),
        headers=current_app.config.get("WTF_CSRF_HEADERS", ["X-CSRFToken"]),
    )
    return page, 403

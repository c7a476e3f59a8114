"""Where the CSRF secret lives: its own cookie (``csrftoken``, Django's default) or the session.

Django's ``CsrfViewMiddleware`` bookkeeping, per request:

* the secret the request brought is read from the ``CSRF_COOKIE_NAME`` cookie
  (or ``session["_csrftoken"]`` with ``CSRF_USE_SESSIONS = True``); a cookie of
  the wrong shape is replaced by a new secret;
* :func:`get_token` returns the secret masked afresh (a new secret when there
  is none) and marks it to be sent back with the response: then, and only
  then, the response sets the cookie (renewing its ``CSRF_COOKIE_AGE``) with
  ``Vary: Cookie``, or the secret is stored in the session. A page that shows
  no form sets nothing, and a visitor who sees a form gets a cookie, not a
  server-side session;
* :func:`rotate_csrf_token` replaces the secret (the auth plugin calls it at
  login), so that tokens handed out before stop working.

The state is kept on the request (``request.environ``), not on ``g``: an app
context can outlive one request (tests that hold one open), a request cannot.
"""

from __future__ import annotations

import functools
import typing as t
from dataclasses import dataclass

from flask import current_app
from flask import request
from flask import session
from markupsafe import Markup
from markupsafe import escape

from flaskkit.http import patch_vary_cookie
from flaskkit.http import request_cookie

from .csrf_tokens import CSRF_TOKEN_LENGTH
from .csrf_tokens import InvalidTokenFormat
from .csrf_tokens import check_token_format
from .csrf_tokens import get_new_csrf_string
from .csrf_tokens import mask_cipher_secret
from .csrf_tokens import unmask_cipher_token

if t.TYPE_CHECKING:
    from flask import Flask
    from flask import Response

__all__ = [
    "CSRF_SESSION_KEY",
    "CsrfState",
    "csrf_input",
    "csrf_meta_tag",
    "get_token",
    "header_display_name",
    "request_state",
    "rotate_csrf_token",
    "save_csrf_secret",
    "token_headers",
]

#: The session key of the secret with ``CSRF_USE_SESSIONS = True`` (Django's).
CSRF_SESSION_KEY = "_csrftoken"
#: Where a request keeps its :class:`CsrfState`.
ENVIRON_KEY = "flaskkit.csrf"


@dataclass
class CsrfState:
    """The CSRF bookkeeping of one request."""

    #: The secret the request brought (unmasked), or ``None``: what its token is checked against.
    incoming: str | None
    #: Why the request's cookie could not be used (``"has incorrect length"``...), or ``None``.
    incoming_error: str | None
    #: The secret the tokens of this request's pages are made from (``None`` until one is needed).
    secret: str | None
    #: Whether the response must carry the secret (set the cookie, or store it in the session).
    needs_update: bool = False
    #: Whether the request passed the check (Django's ``csrf_processing_done``), or is exempt.
    checked: bool = False


def use_sessions(app: Flask) -> bool:
    return bool(app.config.get("CSRF_USE_SESSIONS", False))


def cookie_name(app: Flask) -> str:
    """The CSRF cookie's name (``CSRF_COOKIE_NAME``, Django's ``csrftoken`` by default)."""
    return str(app.config.get("CSRF_COOKIE_NAME") or "csrftoken")


def request_state() -> CsrfState:
    """This request's :class:`CsrfState`, made on first use from the request's cookie or session."""
    environ = request.environ
    state = environ.get(ENVIRON_KEY)
    if state is None:
        state = environ[ENVIRON_KEY] = _read_secret(current_app)
    return t.cast(CsrfState, state)


def _read_secret(app: Flask) -> CsrfState:
    if use_sessions(app):
        value = session.get(CSRF_SESSION_KEY)
        if not isinstance(value, str):
            return CsrfState(incoming=None, incoming_error=None, secret=None)
    else:
        value = request_cookie(request, cookie_name(app))
        if value is None:
            return CsrfState(incoming=None, incoming_error=None, secret=None)
    secret, error = _secret_of(value)
    if error is not None:
        # Django: a malformed cookie fails the check of this request, and is replaced.
        return CsrfState(incoming=None, incoming_error=error, secret=get_new_csrf_string(), needs_update=True)
    return CsrfState(incoming=secret, incoming_error=None, secret=secret)


@functools.lru_cache(maxsize=1024)
def _secret_of(value: str) -> tuple[str | None, str | None]:
    """(the secret a stored value holds, None), or (None, why it is malformed): checked once per value
    while it is among the last 1024 (a browser sends the same cookie with each of its requests)."""
    try:
        check_token_format(value)
    except InvalidTokenFormat as exc:
        return None, exc.reason
    if len(value) == CSRF_TOKEN_LENGTH:
        value = unmask_cipher_token(value)  # a masked cookie (Django before 4.1 set those)
    return value, None


def get_token() -> str:
    """The CSRF token for a form or a script of the page being made: the secret, masked afresh.

    Django's ``get_token()``; ``csrf_token()`` in templates. Each call gives a
    different string, all valid. A side effect: the response carries the
    secret (the ``csrftoken`` cookie, with ``Vary: Cookie``, or the session
    with ``CSRF_USE_SESSIONS``), so call it only for pages that use the token.
    """
    state = request_state()
    if state.secret is None:
        state.secret = get_new_csrf_string()
    state.needs_update = True  # also renews the cookie's age
    return mask_cipher_secret(state.secret)


def rotate_csrf_token() -> None:
    """Replace the CSRF secret: every token handed out before stops working (Django's ``rotate_token``).

    The auth plugin calls it at login, so that a token planted before login
    is useless after it. Tokens made later in the same request
    (:func:`get_token`) use the new secret, which the response carries.
    """
    state = request_state()
    state.secret = get_new_csrf_string()
    state.needs_update = True


def save_csrf_secret(response: Response) -> Response:
    """``after_request``: set the cookie (or store the secret in the session) if this request needs it."""
    state: CsrfState | None = request.environ.get(ENVIRON_KEY)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if state is None:
        if use_sessions(app) or cookie_name(app) not in request.cookies:
            return response
        # A cookie nothing in the request read: read now, so that a malformed one is replaced (Django
        # reads it in process_request; reading it here spares every request without a cookie).
        state = request_state()
    if not state.needs_update or state.secret is None:
        return response
    state.needs_update = False
    config = app.config
    if use_sessions(app):
        if session.get(CSRF_SESSION_KEY) != state.secret:
            session[CSRF_SESSION_KEY] = state.secret
        return response
    samesite = config.get("CSRF_COOKIE_SAMESITE", "Lax")
    response.set_cookie(
        cookie_name(app),
        state.secret,
        max_age=config.get("CSRF_COOKIE_AGE"),
        path=config.get("CSRF_COOKIE_PATH") or "/",
        domain=config.get("CSRF_COOKIE_DOMAIN") or None,
        secure=bool(config.get("CSRF_COOKIE_SECURE", False)),
        httponly=bool(config.get("CSRF_COOKIE_HTTPONLY", False)),
        samesite=samesite if samesite else None,
    )
    patch_vary_cookie(response)  # the page's content depends on the cookie
    return response


# -- headers ---------------------------------------------------------------------------


def header_display_name(name: str) -> str:
    """A header name as Flask reads it and the failure messages show it: Django's spelling
    ``HTTP_X_CSRFTOKEN_CUSTOMIZED`` becomes ``X-Csrftoken-Customized``; ``X-CSRFToken`` stays."""
    if name.upper().startswith("HTTP_"):
        return "-".join(part.capitalize() for part in name[5:].split("_"))
    return name


def token_headers(app: Flask) -> list[str]:
    """The headers a token may come in: ``CSRF_HEADER_NAME``, then ``WTF_CSRF_HEADERS``, each once."""
    names: list[str] = []
    for name in [app.config.get("CSRF_HEADER_NAME") or "X-CSRFToken", *(app.config.get("WTF_CSRF_HEADERS") or ())]:
        header = header_display_name(str(name))
        if header.lower() not in {n.lower() for n in names}:
            names.append(header)
    return names


# -- template helpers ----------------------------------------------------------------------


def csrf_input() -> Markup:
    """The hidden ``<input>`` carrying the CSRF token, for hand-written forms.

    In templates: ``<form method="post">{{ csrf_input() }} ...</form>`` (Django's
    ``{% csrf_token %}``).
    """
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    return Markup(f'<input type="hidden" name="{escape(name)}" value="{escape(get_token())}">')


def csrf_meta_tag(name: str | None = None) -> Markup:
    """``<meta name="csrf-token" content="...">`` for scripts (``WTF_CSRF_META_NAME``), as Flask-WTF's.

    A script reads it and sends it in the ``X-CSRFToken`` header:
    ``document.querySelector('meta[name="csrf-token"]').content``.
    """
    name = name or current_app.config.get("WTF_CSRF_META_NAME", "csrf-token")
    return Markup(f'<meta name="{escape(name)}" content="{escape(get_token())}">')

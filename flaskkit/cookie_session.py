"""Flask's signed-cookie session, without the per-request cost of building its signer.

An app without the session plugin keeps Flask's own session: the data signed in
the ``session`` cookie by :class:`flask.sessions.SecureCookieSessionInterface`.
That class builds a new :class:`itsdangerous.URLSafeTimedSerializer` on every
request -- in ``open_session``, before it even looks for the cookie -- and the
serializer's constructor JSON-encodes an empty dict to learn whether it speaks
text. With the rest of Flask's session handling, that is about a quarter of the
time of a request to a trivial view (74 µs against 55 µs in the benchmark), paid
by every request, most of which carry no session cookie at all.

:class:`SignedCookieSessionInterface` is that class with these changes, and nothing else:

* a request without the cookie gets an empty session at once (Flask gives it the
  same empty session after building the serializer), and a session nobody touched
  is not looked at again when the response is finalized;
* the serializer is built once per signing key and kept until ``SECRET_KEY`` or
  ``SECRET_KEY_FALLBACKS`` changes (an itsdangerous serializer holds no
  per-request state: Flask-WTF keeps one the same way).

Cookies are byte for byte Flask's (same salt, digest, key derivation, JSON
tags), so moving an app to flaskkit logs nobody out, and a missing
``SECRET_KEY`` still gets Flask's null session and its error. The kit puts it on
an app at the end of the boot only when the app still has Flask's stock
interface: a ``session_interface`` set by the app, a Flask subclass or a plugin
(the session plugin sets its own) is left alone.
"""

from __future__ import annotations

import typing as t

from flask.sessions import SecureCookieSession
from flask.sessions import SecureCookieSessionInterface

from .http import request_cookie

if t.TYPE_CHECKING:
    from flask import Flask
    from flask import Request
    from flask import Response
    from flask.sessions import SessionMixin
    from itsdangerous import URLSafeTimedSerializer

__all__ = ["SignedCookieSessionInterface", "use_cookie_session"]

_Keys = tuple[str | bytes, tuple[str | bytes, ...]]


class SignedCookieSessionInterface(SecureCookieSessionInterface):
    """Flask's :class:`~flask.sessions.SecureCookieSessionInterface`, its signer built once per key."""

    def __init__(self) -> None:
        self._signer_cache: tuple[_Keys, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        secret_key = app.secret_key
        if not secret_key:
            return None
        fallbacks = app.config.get("SECRET_KEY_FALLBACKS")
        keys: _Keys = (secret_key, tuple(fallbacks) if fallbacks else ())
        cached = self._signer_cache
        if cached is not None and cached[0] == keys:
            return cached[1]
        signer = super().get_signing_serializer(app)
        self._signer_cache = (keys, signer)  # one assignment: a concurrent request sees the old pair or the new
        return signer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not app.config["SECRET_KEY"]:  # app.secret_key, without its descriptor's call
            return None  # Flask's NullSession: its error names SECRET_KEY
        if not request_cookie(request, self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def is_null_session(self, obj: object) -> bool:
        # Flask asks this of every session it finalizes; isinstance() against its session
        # classes goes through ABCMeta (they are MutableMappings). A plain session is not null.
        if type(obj) is SecureCookieSession and self.null_session_class is not SecureCookieSession:
            return False
        return super().is_null_session(obj)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # Flask's method reads the seven cookie settings before it finds, for a session that
        # was never touched, that there is nothing to do: neither a Vary header nor a cookie.
        if session.accessed or session.modified or session:
            super().save_session(app, session, response)


def use_cookie_session(app: Flask) -> None:
    """Give ``app`` :class:`SignedCookieSessionInterface` if it still has Flask's stock session interface."""
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = SignedCookieSessionInterface()

"""Flask session interfaces with Django's saving rules.

Flask calls :meth:`~KitSessionInterface.open_session` when a request starts and
:meth:`~KitSessionInterface.save_session` once its response is ready. Ours
follow Django's ``SessionMiddleware`` rather than Flask-Session:

* opening reads only the cookie; the store is read when the view first uses
  the session (a request that never touches it costs nothing);
* ``Vary: Cookie`` whenever the session was used;
* the store is written, and the cookie sent, only when the session changed
  (or with ``SESSION_SAVE_EVERY_REQUEST``), never for a 5xx response;
  Flask-Session rewrote both on every request (``SESSION_REFRESH_EACH_REQUEST``);
* a session left empty is removed, with its cookie; an id from the client that
  the store does not know is never adopted (no session fixation);
* an update never revives an id that another request deleted meanwhile.
"""

from __future__ import annotations

import logging
import re
import secrets
import string
import typing as t
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from flask.sessions import SessionInterface
from itsdangerous import BadSignature
from itsdangerous import URLSafeTimedSerializer

from flaskkit.cookie_session import SignedCookieSessionInterface
from flaskkit.http import patch_vary_cookie
from flaskkit.http import request_cookie
from flaskkit.services import ServiceUnavailable

from . import outages
from .serializer import SessionSerializer
from .serializer import serializer
from .session import EXPIRY_KEY
from .session import Session
from .session import utcnow

if t.TYPE_CHECKING:
    from flask import Flask
    from flask import Request
    from flask import Response

    from .conf import SessionSettings
    from .store import SessionStore

__all__ = ["CookieSessionInterface", "KitSessionInterface", "ServerSessionInterface", "new_session_key"]

logger = logging.getLogger("flaskkit.session")

#: Session ids: 32 characters of [a-z0-9] (about 165 random bits), as Django makes them.
KEY_ALPHABET = string.ascii_lowercase + string.digits
KEY_LENGTH = 32
_KEY_RE = re.compile(rf"[a-z0-9]{{{KEY_LENGTH}}}\Z")


def new_session_key() -> str:
    """A new random session id."""
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


def valid_session_key(value: str) -> bool:
    """Whether ``value`` has the shape of a session id (checked before it reaches a store or a file name)."""
    return _KEY_RE.match(value) is not None


class KitSessionInterface(SessionInterface):
    """The part common to every engine: opening, the saving rules, the cookie."""

    session_class = Session
    serializer: SessionSerializer = serializer

    def __init__(self, settings: SessionSettings, engine: str) -> None:
        #: The app's validated session settings.
        self.settings = settings
        #: The engine's name (``SESSION_ENGINE``).
        self.engine = engine

    # -- what each engine provides -----------------------------------------------

    def key_from_cookie(self, value: str) -> str | None:
        """The session id the cookie names, or ``None`` when it cannot be one."""
        raise NotImplementedError

    def load_data(self, app: Flask, key: str) -> dict[str, t.Any] | None:
        """The data of session ``key``, or ``None`` when it is unknown, expired or unreadable."""
        raise NotImplementedError

    def delete_key(self, app: Flask, key: str) -> None:
        """Make ``key`` dead in the store."""
        raise NotImplementedError

    def new_key(self) -> str | None:
        """The id :meth:`Session.cycle_key` gives the session, or ``None`` to pick it when saving."""
        raise NotImplementedError

    def write(self, app: Flask, session: Session, data: dict[str, t.Any], age: int) -> str | None:
        """Store ``data`` for ``age`` seconds and return the cookie's value, or ``None`` to send nothing."""
        raise NotImplementedError

    # -- Flask's hooks -------------------------------------------------------------

    def open_session(self, app: Flask, request: Request) -> Session | None:
        value = request_cookie(request, self.get_cookie_name(app))
        key = self.key_from_cookie(value) if value else None
        return self.session_class(self, app, key, had_cookie=value is not None)

    def save_session(self, app: Flask, session: Session, response: Response) -> None:  # type: ignore[override]
        if session.accessed:
            patch_vary_cookie(response)
        if session._is_empty():
            if session.had_cookie:
                self._delete_cookie(app, response)
            return
        if not (session.modified or self.settings.save_every_request) or response.status_code >= 500:
            return
        data = session._get_data()
        age = session.get_expiry_age() if data else 0
        if age <= 0:
            # Emptied (clear(), every key popped) or expired already: nothing to keep.
            if session._key is not None:
                self.delete_key(app, session._key)
                session._key = None
                session._stored = False
            if session.had_cookie:
                self._delete_cookie(app, response)
            return
        value = self.write(app, session, data, age)
        if value is None:
            return
        browser_close = session.get_expire_at_browser_close()
        response.set_cookie(
            self.get_cookie_name(app),
            value,
            max_age=None if browser_close else age,
            expires=None if browser_close else session.get_expiry_date(),
            path=self.get_cookie_path(app),
            domain=self.get_cookie_domain(app),
            secure=self.get_cookie_secure(app),
            httponly=self.get_cookie_httponly(app),
            samesite=self.get_cookie_samesite(app),
            partitioned=self.get_cookie_partitioned(app),
        )
        patch_vary_cookie(response)

    def regenerate(self, session: Session) -> None:
        """Flask-Session's name for :meth:`Session.cycle_key` (unlike Flask-Session's, it works on an empty session)."""
        session.cycle_key()

    def get_cookie_samesite(self, app: Flask) -> str | None:
        # False (Django's "no attribute") is None for Werkzeug, which would call False.title().
        return super().get_cookie_samesite(app) or None

    def get_expiration_time(self, app: Flask, session: Session) -> datetime | None:  # type: ignore[override]
        return None if session.get_expire_at_browser_close() else session.get_expiry_date()

    def _delete_cookie(self, app: Flask, response: Response) -> None:
        response.delete_cookie(
            self.get_cookie_name(app),
            path=self.get_cookie_path(app),
            domain=self.get_cookie_domain(app),
            secure=self.get_cookie_secure(app),
            httponly=self.get_cookie_httponly(app),
            samesite=self.get_cookie_samesite(app),
            partitioned=self.get_cookie_partitioned(app),
        )
        patch_vary_cookie(response)


class ServerSessionInterface(KitSessionInterface):
    """Sessions kept in a :class:`~flaskkit.plugins.session.store.SessionStore`; the cookie holds the id only."""

    #: How many fresh ids to try when a new one is taken (it never is, in practice).
    create_attempts = 10

    def __init__(self, settings: SessionSettings, engine: str, store: SessionStore) -> None:
        super().__init__(settings, engine)
        #: The app's store.
        self.store = store

    def key_from_cookie(self, value: str) -> str | None:
        return value if valid_session_key(value) else None

    def load_data(self, app: Flask, key: str) -> dict[str, t.Any] | None:
        if outages.unavailable_in_request():
            return None  # the store failed earlier in this request: the session reads as empty
        try:
            text = self.store.load(key)
        except ServiceUnavailable:
            outages.store_unavailable()
            raise
        if text is None:
            return None
        try:
            data = self.serializer.loads(text)
        except Exception as exc:  # corrupt data opens an empty session; never a 500
            logger.warning("Ignoring the unreadable data of a session in the %s store (%s).", self.engine, exc)
            return None
        return data if isinstance(data, dict) else None

    def delete_key(self, app: Flask, key: str) -> None:
        if outages.unavailable_in_request():
            return
        try:
            self.store.delete(key)
        except ServiceUnavailable:
            outages.store_unavailable()
            raise

    def save_session(self, app: Flask, session: Session, response: Response) -> None:  # type: ignore[override]
        # The store failing is answered with a 503, never a 500 (see outages.py).
        if outages.unavailable_in_request():
            if session.accessed:
                patch_vary_cookie(response)
            return  # nothing is written, and the user's cookie is kept
        try:
            super().save_session(app, session, response)
        except ServiceUnavailable as error:
            outages.failed_save(app, response, error)

    def new_key(self) -> str:
        return new_session_key()

    def write(self, app: Flask, session: Session, data: dict[str, t.Any], age: int) -> str | None:
        text = self.serializer.dumps(data)  # TypeError naming the key, before any write
        expire_date = utcnow() + timedelta(seconds=age)
        if session._key is not None and session._stored:
            if self.store.update(session._key, text, expire_date, age):
                return session._key
            # Deleted by another request (a logout, a cycle_key) while this one ran: reviving it
            # would undo that, so this request's changes are dropped, as Django does.
            logger.warning("The session was deleted by another request while this one ran; its changes were not saved.")
            return None
        key = session._key or new_session_key()
        for _ in range(self.create_attempts):
            if self.store.create(key, text, expire_date, age):
                session._key = key
                session._stored = True
                return key
            key = new_session_key()
        raise RuntimeError(f"Could not find a free session id in the {self.engine} store.")


class _Signing(SignedCookieSessionInterface):
    # Flask's signing (salt, SECRET_KEY_FALLBACKS), with our serializer: cookies that Flask
    # signed stay readable when an app moves to flaskkit. The signer is built once per key.
    serializer = serializer


class CookieSessionInterface(KitSessionInterface):
    """The data itself, signed (not encrypted) in the cookie, as Flask's default and Django's ``signed_cookies``.

    The session's expiry is checked against the signature's timestamp, so a
    copied cookie stops working when the session would have expired. A cookie
    cannot be revoked: :meth:`Session.cycle_key` and :meth:`Session.flush`
    change what the browser holds, but an old copy stays valid until it expires.
    """

    def __init__(self, settings: SessionSettings, engine: str) -> None:
        super().__init__(settings, engine)
        self._signing = _Signing()  # one per app: the signer it keeps is the app's

    def signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        return self._signing.get_signing_serializer(app)

    def open_session(self, app: Flask, request: Request) -> Session | None:
        if not app.secret_key:
            return None  # Flask's NullSession explains that SECRET_KEY is missing
        return super().open_session(app, request)

    def key_from_cookie(self, value: str) -> str | None:
        return value

    def load_data(self, app: Flask, key: str) -> dict[str, t.Any] | None:
        signer = self.signing_serializer(app)
        if signer is None:
            return None
        try:
            data, signed = signer.loads(key, return_timestamp=True)
        except (BadSignature, ValueError, TypeError):
            return None
        if not isinstance(data, dict):
            return None
        expiry = data.get(EXPIRY_KEY)
        if isinstance(expiry, datetime):
            expires = expiry if expiry.tzinfo else expiry.replace(tzinfo=UTC)
        elif isinstance(expiry, int) and not isinstance(expiry, bool) and expiry > 0:
            expires = signed + timedelta(seconds=expiry)
        else:
            expires = signed + timedelta(seconds=self.settings.cookie_age)
        return data if expires > utcnow() else None

    def delete_key(self, app: Flask, key: str) -> None:
        pass  # nothing on the server to delete

    def new_key(self) -> None:
        return None

    def write(self, app: Flask, session: Session, data: dict[str, t.Any], age: int) -> str | None:
        signer = self.signing_serializer(app)
        if signer is None:
            raise RuntimeError("The cookie session engine needs SECRET_KEY.")
        value = signer.dumps(data)
        session._key = value
        return t.cast(str, value)

"""``authenticate``, ``login``, ``logout`` and ``update_session_auth_hash``: Django's, on Flask-Login.

Flask-Login (0.6.3) keeps the logged-in user's id in the session, loads the
user on first use of ``current_user`` and gives third-party extensions the
``current_user`` they know. Where it falls short of Django
(django-parity.md §7), this module does the rest:

* ``login()`` cycles the session id (Flask-Login does not: a planted session id
  survived the login, maxcountryman/flask-login#449), or empties the session
  when another user was logged in, stores the session auth hash, rotates the
  CSRF token and sends ``user_logged_in``;
* every request checks the session auth hash: after a password change, the
  other sessions of that user are anonymous (and emptied);
* ``logout()`` empties the whole session (Flask-Login leaves every other key)
  and deletes a remember cookie;
* Flask-Login's own ``after_request`` hook is not installed (it read the
  session on every response, so every page got ``Vary: Cookie``), nor its
  remember cookie: a cookie that logs in without the session cannot be
  revoked by a password change. Use ``session.set_expiry()`` (Django's way) for
  "remember me".
"""

from __future__ import annotations

import hmac
import inspect
import re
import typing as t

import flask_login
from flask import after_this_request
from flask import current_app
from flask import g
from flask import has_request_context
from flask import request
from flask import session
from flask_login import LoginManager
from flask_login.signals import session_protected
from flask_login.signals import user_accessed

from flaskkit import timezone
from flaskkit.plugins.forms import rotate_csrf_token
from flaskkit.plugins.orm.outages import unavailable_in_request as database_unavailable_in_request
from flaskkit.plugins.signals.auth_signals import user_logged_in
from flaskkit.plugins.signals.auth_signals import user_logged_out
from flaskkit.plugins.signals.auth_signals import user_login_failed

from .exceptions import PermissionDenied
from .models import save
from .users import AnonymousUser
from .users import auth_plugin

if t.TYPE_CHECKING:
    from flask import Request
    from werkzeug.wrappers import Response

__all__ = [
    "BACKEND_SESSION_KEY",
    "HASH_SESSION_KEY",
    "SESSION_KEY",
    "KitLoginManager",
    "authenticate",
    "get_user",
    "login",
    "logout",
    "update_session_auth_hash",
]

#: The session key of the user's id (Flask-Login's, so its ``current_user`` reads it).
SESSION_KEY = "_user_id"
#: The backend that authenticated the user (Django's key).
BACKEND_SESSION_KEY = "_auth_user_backend"
#: The session auth hash (Django's key).
HASH_SESSION_KEY = "_auth_user_hash"
#: Flask-Login's other keys, removed at logout.
_FLASK_LOGIN_KEYS = ("_fresh", "_id", "_remember", "_remember_seconds")

#: Credentials whose value ``user_login_failed`` masks (Django's pattern).
SENSITIVE_CREDENTIALS = re.compile(r"api|token|key|secret|password|signature", re.IGNORECASE)
#: What replaces them.
CLEANSED_SUBSTITUTE = "********************"


def _clean_credentials(credentials: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    return {
        key: CLEANSED_SUBSTITUTE if SENSITIVE_CREDENTIALS.search(key) else value for key, value in credentials.items()
    }


def _current_request() -> Request | None:
    return t.cast("Request", request._get_current_object()) if has_request_context() else None  # type: ignore[attr-defined]


# -- authenticate ---------------------------------------------------------------------------------


def authenticate(request: Request | None = None, /, **credentials: t.Any) -> t.Any:
    """The user these credentials belong to, or ``None`` (Django's ``authenticate``).

    ::

        user = authenticate(username="ada", password=form.password.data)

    Each backend of ``AUTHENTICATION_BACKENDS`` that accepts these credentials
    is asked in order; the first user wins, and gets ``user.backend`` (its
    dotted path). When all fail, ``user_login_failed`` is sent with the
    credentials, the password (and any key, token or secret) masked.

    In a request, attempts are throttled (``AUTH_THROTTLE_*``): each is counted
    before the backends check the password, and one too many raises
    :class:`~flaskkit.plugins.auth.LoginThrottled` (a 429) without a check.
    """
    plugin = auth_plugin()
    if request is None:
        request = _current_request()
    throttle = plugin.throttle if has_request_context() else None
    username = credentials.get("username", credentials.get(plugin.user_model.USERNAME_FIELD))
    username = username if isinstance(username, str) else None
    # Counted before any password is checked: past the limit, this raises LoginThrottled (a 429).
    attempt = throttle.begin(username) if throttle is not None else None
    try:
        user = _ask_backends(plugin.backends, request, credentials)
    except BaseException:
        if attempt is not None:
            attempt.cancel()
        raise
    if user is not None:
        if attempt is not None:
            attempt.succeeded()
        return user
    if attempt is not None:
        attempt.failed()
    user_login_failed.send(__name__, credentials=_clean_credentials(credentials), request=request)
    return None


def _ask_backends(backends: list[tuple[str, t.Any]], request: Request | None, credentials: dict[str, t.Any]) -> t.Any:
    """The user of the first backend that accepts ``credentials``, with ``user.backend`` set; or ``None``."""
    for path, backend in backends:
        try:
            inspect.signature(backend.authenticate).bind(request, **credentials)
        except TypeError:
            continue  # this backend does not take these credentials
        try:
            user = backend.authenticate(request, **credentials)
        except PermissionDenied:
            return None  # the backend says: stop here, this user must not get in (Django's PermissionDenied)
        if user is not None:
            user.backend = path
            return user
    return None


# -- login / logout -------------------------------------------------------------------------------


def _session_user_id() -> str | None:
    value = session.get(SESSION_KEY)
    return None if value is None else str(value)


def _same_hash(stored: object, expected: str) -> bool:
    return isinstance(stored, str) and hmac.compare_digest(stored.encode(), expected.encode())


def login(user: t.Any, backend: str | None = None) -> None:
    """Log ``user`` in for the rest of this session (Django's ``login``).

    The session gets a new id (the old one is dead at once) and keeps its data;
    if another user (or the same user with another password) was logged in, it
    is emptied instead. The user's id, backend and session auth hash are
    stored, the CSRF token is rotated, ``last_login`` is saved and
    ``user_logged_in`` is sent.

    ``backend`` (a path of ``AUTHENTICATION_BACKENDS``) is needed only when
    several are configured and ``user`` did not come from ``authenticate()``.
    """
    plugin = auth_plugin()
    auth_hash = user.get_session_auth_hash() if hasattr(user, "get_session_auth_hash") else ""
    if SESSION_KEY in session:
        if _session_user_id() != user.get_id() or (
            auth_hash and not _same_hash(session.get(HASH_SESSION_KEY), auth_hash)
        ):
            session.flush()  # never reuse another user's session
        else:
            session.cycle_key()
    else:
        session.cycle_key()
    backend = backend or getattr(user, "backend", None)
    if backend is None:
        paths = [path for path, _ in plugin.backends]
        if len(paths) != 1:
            raise ValueError(
                "You have multiple authentication backends configured and therefore must provide the `backend` "
                "argument or set the `backend` attribute on the user."
            )
        backend = paths[0]
    elif not isinstance(backend, str):
        raise TypeError(f"backend must be a dotted import path string (got {backend!r}).")
    # Flask-Login's keys (_user_id, _fresh, _id), its current_user, and its own user_logged_in signal.
    flask_login.login_user(user, force=True)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = auth_hash
    rotate_csrf_token()
    if hasattr(user, "last_login"):
        user.last_login = timezone.now()
        save(user)
    user_logged_in.send(type(user), request=_current_request(), user=user)


def logout() -> None:
    """Log the current user out (Django's ``logout``): send ``user_logged_out``, then empty the
    whole session (its id dies in the store) and delete a remember cookie if the browser has one."""
    user = get_user()
    user = user if getattr(user, "is_authenticated", False) else None
    user_logged_out.send(type(user) if user is not None else None, request=_current_request(), user=user)
    flask_login.logout_user()  # Flask-Login's keys, its signal, and current_user becomes anonymous
    session.flush()
    forget_remember_cookie()


def forget_remember_cookie() -> None:
    """Delete Flask-Login's remember cookie from the browser, if the request brought one."""
    config = current_app.config
    name = config.get("REMEMBER_COOKIE_NAME", "remember_token")
    if name not in request.cookies:
        return

    @after_this_request
    def delete(response: Response) -> Response:
        response.delete_cookie(
            name, domain=config.get("REMEMBER_COOKIE_DOMAIN"), path=config.get("REMEMBER_COOKIE_PATH", "/")
        )
        return response


def update_session_auth_hash(user: t.Any) -> None:
    """Keep this session logged in after ``user`` changed their password (the others are logged out).

    Call it after saving the new password in a view where the user changes
    their own password (the password change view does). The session also gets
    a new id.
    """
    session.cycle_key()
    current = flask_login.current_user
    if hasattr(user, "get_session_auth_hash") and getattr(current, "get_id", lambda: None)() == user.get_id():
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()


def get_user() -> t.Any:
    """The current user (``current_user``, as the object itself): a user model instance or ``AnonymousUser``."""
    return flask_login.current_user._get_current_object()  # type: ignore[attr-defined]


# -- loading the user of a request -------------------------------------------------------------------


class KitLoginManager(LoginManager):
    """Flask-Login's ``LoginManager`` with Django's rules (one per app, made by the auth plugin).

    Differences, each for a reason given in the module docstring: no
    ``after_request`` hook and no remember-cookie login; session protection
    ("basic" or "strong", ``SESSION_PROTECTION``) looks only at sessions with a
    logged-in user, and "strong" also holds for permanent sessions (Flask-Login
    silently downgrades it to "basic" there, maxcountryman/flask-login#297).
    """

    def __init__(self) -> None:
        super().__init__(add_context_processor=False)
        self.anonymous_user = AnonymousUser
        self._session_identifier_generator = _session_identifier

    def _session_protection_failed(self) -> bool:
        mode = current_app.config.get("SESSION_PROTECTION", self.session_protection)
        if mode not in ("basic", "strong") or SESSION_KEY not in session:
            return False
        if session.get("_id") == self._session_identifier_generator():
            return False
        session_protected.send(current_app._get_current_object())  # type: ignore[attr-defined]
        if mode == "basic":
            if session.get("_fresh") is not False:
                session["_fresh"] = False
            return False
        for key in (SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY, *_FLASK_LOGIN_KEYS):
            session.pop(key, None)
        forget_remember_cookie()
        return True

    def _load_user(self) -> None:
        # A visitor whose session holds no user (every anonymous request): anonymous at once, the
        # signal sent as Flask-Login sends it. Flask-Login would then look for a remember cookie
        # (never honoured here) and ask loaders the app did not register: nothing to find.
        if (
            self._user_callback is not None
            and self._request_callback is None
            and self._header_callback is None
            and SESSION_KEY not in session
        ):
            user_accessed.send(current_app._get_current_object())  # type: ignore[attr-defined]
            g._login_user = self.anonymous_user()
            return
        super()._load_user()  # type: ignore[no-untyped-call]

    def _load_user_from_remember_cookie(self, cookie: str) -> None:
        # Not honoured: see the module docstring (the cookie cannot be revoked by a password change).
        return None


#: (X-Forwarded-For, REMOTE_ADDR, User-Agent) -> Flask-Login's identifier of a client (at most _IDENTIFIERS_KEPT).
_IDENTIFIERS: dict[tuple[t.Any, t.Any, t.Any], str] = {}
_IDENTIFIERS_KEPT = 1024


def _session_identifier() -> str:
    """Flask-Login's ``_create_identifier()`` (a SHA-512 of the client's address and user agent), made
    once per client: session protection compares it on every request of a logged-in user."""
    environ = request.environ
    key = (environ.get("HTTP_X_FORWARDED_FOR"), environ.get("REMOTE_ADDR"), environ.get("HTTP_USER_AGENT"))
    identifier = _IDENTIFIERS.get(key)
    if identifier is None:
        identifier = flask_login.utils._create_identifier()
        if len(_IDENTIFIERS) < _IDENTIFIERS_KEPT:
            _IDENTIFIERS[key] = identifier
    return identifier


def load_user(user_id: str) -> t.Any:
    """Flask-Login's user loader: the session's user, if the session is still valid for them.

    As Django's ``get_user``: the backend stored at login must still be
    configured, the user must still exist (and be active, for ``ModelBackend``),
    and the session auth hash must match the user's current password (or match
    under one of ``SECRET_KEY_FALLBACKS``, after which it is renewed). A session
    that fails the hash check is emptied.
    """
    if database_unavailable_in_request():
        return None  # the database failed earlier in this request: its error page renders as for a visitor
    plugin = auth_plugin()
    backend_path = session.get(BACKEND_SESSION_KEY)
    backend = dict(plugin.backends).get(backend_path) if isinstance(backend_path, str) else None
    if backend is None:
        return None
    key = plugin.user_pk_from_session(user_id)
    if key is None:
        return None
    user = backend.get_user(key)
    if user is None:
        return None
    if hasattr(user, "get_session_auth_hash"):
        stored = session.get(HASH_SESSION_KEY)
        if not _same_hash(stored, user.get_session_auth_hash()):
            if stored and any(_same_hash(stored, old) for old in user.get_session_auth_fallback_hash()):
                session.cycle_key()
                session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            else:
                session.flush()
                return None
    user.backend = backend_path
    return user

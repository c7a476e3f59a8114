"""Test helpers: a CSRF token for Flask's test client.

::

    from flaskkit.plugins.forms.testing import csrf_token

    def test_create(client):
        response = client.post("/articles/", data={"title": "Hi", "csrf_token": csrf_token(client)})
        assert response.status_code == 302

or send it as a header: ``headers={"X-CSRFToken": csrf_token(client)}``.
"""

from __future__ import annotations

import typing as t

from .csrf_storage import CSRF_SESSION_KEY
from .csrf_storage import cookie_name
from .csrf_tokens import CSRF_TOKEN_LENGTH
from .csrf_tokens import InvalidTokenFormat
from .csrf_tokens import check_token_format
from .csrf_tokens import get_new_csrf_string
from .csrf_tokens import mask_cipher_secret
from .csrf_tokens import unmask_cipher_token

if t.TYPE_CHECKING:
    from flask.testing import FlaskClient

__all__ = ["csrf_token"]


def _usable(value: object) -> str | None:
    """The secret in ``value`` (a cookie or session value), or ``None`` when it cannot be one."""
    if not isinstance(value, str):
        return None
    try:
        check_token_format(value)
    except InvalidTokenFormat:
        return None
    return unmask_cipher_token(value) if len(value) == CSRF_TOKEN_LENGTH else value


def csrf_token(client: FlaskClient) -> str:
    """A valid CSRF token for ``client``, as a page would give it.

    The client's secret is used (its ``csrftoken`` cookie, or the session with
    ``CSRF_USE_SESSIONS``); a client that has none gets one, as a browser gets
    it with its first page that holds a form.
    """
    config = client.application.config
    if config.get("CSRF_USE_SESSIONS"):
        with client.session_transaction() as session:
            secret = _usable(session.get(CSRF_SESSION_KEY))
            if secret is None:
                secret = session[CSRF_SESSION_KEY] = get_new_csrf_string()
        return mask_cipher_secret(secret)
    name = cookie_name(client.application)
    path = config.get("CSRF_COOKIE_PATH") or "/"
    domain = config.get("CSRF_COOKIE_DOMAIN") or config.get("SERVER_NAME") or "localhost"
    cookie = client.get_cookie(name, domain=domain, path=path)
    secret = _usable(cookie.value if cookie is not None else None)
    if secret is None:
        secret = get_new_csrf_string()
        client.set_cookie(name, secret, domain=domain, path=path, origin_only=not domain.startswith("."))
    return mask_cipher_secret(secret)

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

from flask.ctx import RequestContext
from flask.testing import EnvironBuilder
from flask_wtf.csrf import generate_csrf

from flaskkit.test import run_isolated

if t.TYPE_CHECKING:
    from flask.testing import FlaskClient

__all__ = ["csrf_token"]


def csrf_token(client: FlaskClient) -> str:
    """A valid CSRF token for ``client``'s session (one is stored in the session
    if it has none yet), made by Flask-WTF exactly as a page would get it.

    It is made on a request of its own, as a page would be: never from a token
    that the test's app context (or another client's request) holds in ``g``.
    """
    return run_isolated(_csrf_token, client)


def _csrf_token(client: FlaskClient) -> str:
    app = client.application
    with client.session_transaction() as session:
        builder = EnvironBuilder(app)
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        with RequestContext(app, environ, session=session):
            return t.cast(str, generate_csrf())

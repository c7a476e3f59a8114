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

if t.TYPE_CHECKING:
    from flask.testing import FlaskClient

__all__ = ["csrf_token"]


def csrf_token(client: FlaskClient) -> str:
    """A valid CSRF token for ``client``'s session (one is stored in the session
    if it has none yet), made by Flask-WTF exactly as a page would get it."""
    app = client.application
    with client.session_transaction() as session:
        builder = EnvironBuilder(app)
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        with RequestContext(app, environ, session=session):
            return t.cast(str, generate_csrf())

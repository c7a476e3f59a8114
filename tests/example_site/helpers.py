"""What the example site's tests do again and again: users, notes, and the login form as a browser fills it."""

from __future__ import annotations

import re
import typing as t
from urllib.parse import urlencode

import sqlalchemy as sa

from example_site.models import Note
from flaskkit.plugins.auth import User
from flaskkit.plugins.orm import db

if t.TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient
    from werkzeug.test import TestResponse

#: A password the site's validators accept.
PASSWORD = "correct-horse-battery"
#: The session cookie (SESSION_COOKIE_NAME in the site's settings).
SESSION_COOKIE = "sessionid"
#: The login page's message for a wrong username or password (Django's).
FAILED_LOGIN_MESSAGE = "Please enter a correct username and password. Note that both fields may be case-sensitive."

_CSRF_INPUT = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*>')
_VALUE = re.compile(r'\bvalue="([^"]+)"')


def create_user(app: Flask, username: str, password: str = PASSWORD) -> int:
    with app.app_context():
        return int(User.objects.create_user(username, password=password).id)


def create_note(app: Flask, author_id: int, title: str = "A note", body: str = "What it says.") -> int:
    with app.app_context():
        note = Note(title=title, body=body, author_id=author_id)
        db.session.add(note)
        db.session.commit()
        return int(note.id)


def get_note(app: Flask, note_id: int) -> tuple[str, str] | None:
    """``(title, body)`` of the note as the database has it, or ``None``."""
    with app.app_context():
        row = db.session.execute(sa.select(Note.title, Note.body).where(Note.id == note_id)).one_or_none()
        return (row.title, row.body) if row is not None else None


def count_notes(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(Note)) or 0)


def csrf_tokens(html: str) -> list[str]:
    """The value of every ``csrf_token`` input of the page, in order."""
    tokens = []
    for tag in _CSRF_INPUT.findall(html):
        match = _VALUE.search(tag)
        tokens.append(match.group(1) if match else "")
    return tokens


def form_count(html: str) -> int:
    """The page's forms that must carry a CSRF token: all but the language switcher (set_language
    checks the Origin of its POST instead, so that the pages showing it stay cacheable)."""
    return len(re.findall(r"<form\b", html)) - len(re.findall(r'<form class="language-switcher"', html))


def page_token(client: FlaskClient, path: str) -> str:
    """GET ``path`` and return the CSRF token of its first form, as a browser would submit it."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    tokens = csrf_tokens(response.text)
    assert tokens and tokens[0], f"no CSRF token in a form of {path}"
    return tokens[0]


def login(client: FlaskClient, username: str, password: str = PASSWORD, *, next_url: str | None = None) -> TestResponse:
    """Fill in and submit the login form (``next_url`` in the page's query string, as login_required sends it)."""
    path = "/accounts/login/" + (f"?{urlencode({'next': next_url})}" if next_url is not None else "")
    token = page_token(client, path)
    return client.post(path, data={"username": username, "password": password, "csrf_token": token})


def logout(client: FlaskClient) -> TestResponse:
    """Press the "Log out" button of the layout (a POST form on every page)."""
    return client.post("/accounts/logout/", data={"csrf_token": page_token(client, "/notes/mine/")})


def session_id(client: FlaskClient) -> str | None:
    cookie = client.get_cookie(SESSION_COOKIE)
    return cookie.value if cookie is not None else None


def with_session(client: FlaskClient, session_id: str) -> FlaskClient:
    """A new client of the same app that sends ``session_id`` as its session cookie."""
    other = client.application.test_client()
    other.set_cookie(SESSION_COOKIE, session_id)
    return other

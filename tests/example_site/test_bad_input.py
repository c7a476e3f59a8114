"""Bad input on the site's own forms, on SQLite and on PostgreSQL: a field error, never a 500;
and every error page (400, 403, 404, 405, 413, 429) in the site's layout."""

from __future__ import annotations

import io
import secrets
import typing as t

import pytest

from example_site import create_app
from example_site.seed import migrate
from flaskkit.plugins.forms.formdata import NULL_CHARACTERS_MESSAGE
from flaskkit.plugins.orm import db

from .conftest import FAST_PASSWORD_HASHERS
from .helpers import count_notes
from .helpers import create_note
from .helpers import create_user
from .helpers import get_note
from .helpers import login
from .helpers import page_token

if t.TYPE_CHECKING:
    from flask import Flask

LAYOUT_MARK = 'href="/static/site.css"'


@pytest.fixture(params=["sqlite", "postgresql"])
def any_site(request: pytest.FixtureRequest, site_environment, instance_path) -> t.Iterator[Flask]:
    """The site on SQLite, then on a new database of the PostgreSQL test server."""
    database = None
    if request.param == "postgresql":
        import psycopg

        server = request.getfixturevalue("postgres_url")
        database = f"example_site_bad_{secrets.token_hex(4)}"
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        site_environment.setenv("DATABASE_URL", f"{server.rpartition('/')[0]}/{database}")
    app = create_app(
        {"TESTING": True, "PASSWORD_HASHERS": FAST_PASSWORD_HASHERS, "EMAIL_BACKEND": "locmem"},
        instance_path=instance_path,
    )
    with app.app_context():
        migrate()
        assert db.engine.dialect.name == request.param
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if database is not None:
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def test_a_nul_character_in_the_login_form_is_a_field_error(any_site):
    create_user(any_site, "ada")
    client = any_site.test_client()
    token = page_token(client, "/accounts/login/")
    response = client.post("/accounts/login/", data={"username": "\x00", "password": "x", "csrf_token": token})
    assert response.status_code == 200
    assert NULL_CHARACTERS_MESSAGE in response.text
    response = client.post("/accounts/login/", data={"username": "ada\x00", "password": "x", "csrf_token": token})
    assert NULL_CHARACTERS_MESSAGE in response.text


def test_a_nul_character_in_a_note_is_a_field_error_and_saves_nothing(any_site):
    user = create_user(any_site, "ada")
    note = create_note(any_site, user, title="Before", body="Body")
    client = any_site.test_client()
    login(client, "ada")
    token = page_token(client, "/notes/new/")
    response = client.post("/notes/new/", data={"title": "a\x00b", "body": "text", "csrf_token": token})
    assert response.status_code == 200
    assert NULL_CHARACTERS_MESSAGE in response.text
    assert count_notes(any_site) == 1
    response = client.post(f"/notes/{note}/edit/", data={"title": "ok", "body": "x\x00", "csrf_token": token})
    assert response.status_code == 200
    assert NULL_CHARACTERS_MESSAGE in response.text
    assert get_note(any_site, note) == ("Before", "Body")


def test_a_file_sent_as_a_notes_title_is_a_missing_title(any_site):
    create_user(any_site, "ada")
    client = any_site.test_client()
    login(client, "ada")
    token = page_token(client, "/notes/new/")
    data = {"title": (io.BytesIO(b"a file"), "t.txt"), "body": "text", "csrf_token": token}
    response = client.post("/notes/new/", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert count_notes(any_site) == 0


def test_an_id_too_large_for_the_database_is_a_404(any_site):
    response = any_site.test_client().get("/notes/99999999999999999999/")
    assert response.status_code == 404
    assert LAYOUT_MARK in response.text


def assert_in_layout(response: t.Any, status: int, heading: str) -> None:
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert LAYOUT_MARK in response.text, response.text
    assert heading in response.text


def test_every_error_page_is_in_the_sites_layout(app):
    create_user(app, "ada")
    bob = create_user(app, "bob")
    note = create_note(app, bob)
    client = app.test_client()
    token = page_token(client, "/accounts/login/")

    bad = client.post("/accounts/login/", data=b"username=\xff", content_type="application/x-www-form-urlencoded")
    assert_in_layout(bad, 400, "<h1>400 Bad Request</h1>")
    assert "The form data is not valid UTF-8." in bad.text

    host = client.get("/", headers={"Host": "a" * 300})
    assert_in_layout(host, 400, "<h1>400 Bad Request</h1>")

    assert_in_layout(client.get("/notes/999/"), 404, "<h1>404 Not Found</h1>")
    assert_in_layout(client.get("/accounts/logout/"), 405, "<h1>405 Method Not Allowed</h1>")

    app.config["MAX_CONTENT_LENGTH"] = 1000
    large = client.post("/accounts/login/", data={"csrf_token": token, "username": "x" * 2000})
    assert_in_layout(large, 413, "<h1>413 Request Entity Too Large</h1>")
    assert "this site accepts at most 1000 bytes (MAX_CONTENT_LENGTH)" in large.text
    app.config["MAX_CONTENT_LENGTH"] = 10 * 1024 * 1024

    login(client, "ada")
    assert_in_layout(client.get(f"/notes/{note}/edit/"), 403, "<h1>403 Forbidden</h1>")

    other = app.test_client()
    token = page_token(other, "/accounts/login/")
    for _ in range(6):  # past AUTH_THROTTLE_SLOWDOWN_AFTER (3), an attempt made at once is refused
        throttled = other.post("/accounts/login/", data={"username": "bob", "password": "wrong", "csrf_token": token})
        if throttled.status_code == 429:
            break
    assert_in_layout(throttled, 429, "Too many login attempts")
    assert throttled.headers["Retry-After"].isdigit()

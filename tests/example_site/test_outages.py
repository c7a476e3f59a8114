"""The site in its production shape (PostgreSQL, Redis for sessions and caches) when a service goes away.

Redis is the test's own server (stopped and started by the test); PostgreSQL is reached through
a TCP proxy the test cuts and restores. ``TESTING`` is on, so any exception that would have been a
500 fails the test instead.
"""

from __future__ import annotations

import secrets
import typing as t

import pytest
import sqlalchemy as sa

from example_site import create_app
from example_site.seed import migrate
from flaskkit.plugins.orm import db
from flaskkit.plugins.signals import disconnect
from flaskkit.plugins.signals import post_commit_save
from tests.servers import tcp_proxy

from .conftest import FAST_PASSWORD_HASHERS
from .helpers import PASSWORD
from .helpers import count_notes
from .helpers import create_user
from .helpers import login
from .helpers import page_token

if t.TYPE_CHECKING:
    from flask import Flask


@pytest.fixture
def proxied_database(postgres_url: str) -> t.Iterator[tuple[t.Any, str]]:
    """A new database on the test server, reached through a proxy the test controls."""
    import psycopg

    name = f"outages_{secrets.token_hex(4)}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with tcp_proxy(f"{postgres_url.rpartition('/')[0]}/{name}") as (proxy, url):
            yield proxy, url
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def site(site_environment, proxied_database, own_redis, tmp_path) -> t.Iterator[tuple[Flask, t.Any, t.Any]]:
    proxy, url = proxied_database
    site_environment.setenv("DATABASE_URL", url)
    site_environment.setenv("REDIS_URL", own_redis.url)
    app = create_app({"TESTING": True, "PASSWORD_HASHERS": FAST_PASSWORD_HASHERS}, instance_path=tmp_path / "instance")
    with app.app_context():
        migrate()
    yield app, proxy, own_redis
    with app.app_context():
        db.engine.dispose()


def in_layout(response: t.Any) -> bool:
    return 'class="site-header"' in response.text and "flaskkit notes" in response.text


def test_redis_stopped_sessions_503_in_the_layout_public_pages_keep_working(site):
    app, _, redis_server = site
    create_user(app, "ada")
    client = app.test_client()
    assert login(client, "ada").status_code == 302
    visitor = app.test_client()
    assert visitor.get("/").status_code == 200
    token = page_token(client, "/notes/new/")

    redis_server.stop()
    mine = client.get("/notes/mine/")
    assert mine.status_code == 503
    assert mine.headers["Retry-After"] == "30"
    assert in_layout(mine)
    assert "503 Service Unavailable" in mine.text
    assert "Log in" in mine.text  # rendered as for a visitor: the session could not be read
    # A visitor without a session reads the board from the database: the page cache is a miss, not an error.
    board = visitor.get("/")
    assert board.status_code == 200 and "Age" not in board.headers
    note = {"title": "t", "body": "b", "csrf_token": token}
    assert client.post("/notes/new/", data=note).status_code == 503  # the session is needed first: no write
    assert count_notes(app) == 0

    redis_server.start()
    # The session was lost with this Redis (--save ''), so the user is sent to log in: the site works again.
    assert client.get("/notes/mine/").status_code == 302
    assert login(client, "ada").status_code == 302
    assert client.get("/notes/mine/").status_code == 200


def test_an_account_saved_just_before_redis_stopped_is_reported_as_saved(site):
    from flaskkit.plugins.auth import User

    app, _, redis_server = site
    client = app.test_client()
    token = page_token(client, "/accounts/register/")

    def stop_redis(sender: t.Any, **kwargs: t.Any) -> None:
        redis_server.stop()  # after the commit, before the new session (the login) is saved

    post_commit_save.connect(stop_redis, sender=User, weak=False)
    try:
        response = client.post(
            "/accounts/register/",
            data={"username": "ada", "password1": PASSWORD, "password2": PASSWORD, "csrf_token": token},
        )
    finally:
        disconnect(post_commit_save, stop_redis)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Location" not in response.headers
    assert in_layout(response)
    assert "<h1>Your change was saved</h1>" in response.text
    assert '<a href="/">Continue' in response.text  # where the registration was sending the user
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(User.username == "ada")) == 1  # it exists
    redis_server.start()
    assert login(app.test_client(), "ada").status_code == 302  # and works once Redis is back


def test_database_cut_503_in_the_layout_then_the_first_request_succeeds(site):
    app, proxy, _ = site
    create_user(app, "ada")
    client = app.test_client()
    login(client, "ada")
    visitor = app.test_client()
    assert visitor.get("/").status_code == 200  # now in the page cache (Redis)

    proxy.cut()
    cached = visitor.get("/")
    assert cached.status_code == 200 and "Age" in cached.headers  # served from the cache without the database
    mine = client.get("/notes/mine/")
    assert mine.status_code == 503
    assert in_layout(mine)
    assert "Log in" in mine.text  # the user could not be loaded: the page renders as for a visitor
    assert client.get("/notes/mine/").headers["Retry-After"] == "30"
    token_page = client.get("/notes/new/")
    assert token_page.status_code == 503

    proxy.restore()
    first = client.get("/notes/mine/")
    assert first.status_code == 200  # still logged in: the session lived in Redis meanwhile
    assert "ada" in first.text


def test_the_database_lost_after_the_user_was_loaded_still_gets_the_layout(site, caplog):
    app, proxy, _ = site
    cut_during = {"path": None}

    @app.before_request
    def cut_after_loading_the_user() -> None:
        from flask import request

        from flaskkit.plugins.auth import current_user

        if request.path == cut_during["path"]:
            assert current_user.is_authenticated  # loaded while the database answered
            proxy.cut()  # the view's query fails; the rollback expires the loaded user

    create_user(app, "ada")
    client = app.test_client()
    login(client, "ada")
    cut_during["path"] = "/notes/mine/"
    response = client.get("/notes/mine/")
    assert response.status_code == 503
    assert in_layout(response)  # not the plain page: the expired user was not touched again
    assert "Log in" in response.text
    assert "could not be rendered" not in caplog.text
    proxy.restore()
    cut_during["path"] = None
    assert client.get("/notes/mine/").status_code == 200

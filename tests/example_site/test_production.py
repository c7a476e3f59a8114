"""The same site on the real PostgreSQL and Redis: ``DATABASE_URL`` and ``REDIS_URL`` are all it takes.

Each test gets a database of its own on the test server (``postgres_url``), and Redis keys
under its own prefix (``redis_prefix``, deleted afterwards).
"""

from __future__ import annotations

import secrets
import typing as t

import pytest
import redis
import sqlalchemy as sa

from example_site import create_app
from example_site.models import Note
from example_site.seed import DEMO_NOTES
from example_site.seed import migrate
from flaskkit.plugins.orm import db

from .helpers import PASSWORD
from .helpers import count_notes
from .helpers import get_note
from .helpers import login
from .helpers import page_token
from .helpers import session_id
from .helpers import with_session
from .server import run_site
from .test_main import Browser

if t.TYPE_CHECKING:
    from flask import Flask


@pytest.fixture
def site_database(postgres_url: str) -> t.Iterator[str]:
    """A new, empty database on the test server, dropped afterwards."""
    import psycopg

    name = f"example_site_{secrets.token_hex(4)}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{postgres_url.rpartition('/')[0]}/{name}"
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def services(site_environment, site_database, redis_url, redis_prefix) -> dict[str, str]:
    """The environment that moves the site to PostgreSQL and Redis (set in this process too)."""
    env = {"DATABASE_URL": site_database, "REDIS_URL": redis_url, "REDIS_KEY_PREFIX": redis_prefix.rstrip(":")}
    for name, value in env.items():
        site_environment.setenv(name, value)
    return env


@pytest.fixture
def production_app(services, tmp_path) -> t.Iterator[Flask]:
    app = create_app({"TESTING": True}, instance_path=tmp_path / "instance")
    with app.app_context():
        migrate()
    yield app
    with app.app_context():
        db.engine.dispose()


def redis_keys(redis_url: str, pattern: str) -> list[bytes]:
    client = redis.Redis.from_url(redis_url)
    try:
        return list(client.scan_iter(match=pattern))
    finally:
        client.close()


def test_the_environment_moves_everything_to_the_servers(production_app, services):
    config = production_app.config
    assert config["SESSION_ENGINE"] == "redis"
    assert {alias: cache["BACKEND"] for alias, cache in config["CACHES"].items()} == {
        "default": "redis",
        "pages": "redis",
    }
    with production_app.app_context():
        assert db.engine.url.drivername == "postgresql+psycopg"
        assert db.engine.url.database == services["DATABASE_URL"].rpartition("/")[2]
        tables = set(sa.inspect(db.engine).get_table_names())
    assert {"note", "auth_user", "auth_group", "auth_permission", "alembic_version"} <= tables


def test_the_whole_flow_on_postgresql_and_redis(production_app, services):
    app = production_app
    prefix = services["REDIS_KEY_PREFIX"]
    client = app.test_client()
    token = page_token(client, "/accounts/register/")
    assert session_id(client) is None  # an anonymous page with a form makes no session
    with client.session_transaction() as data:
        data["draft"] = "before the registration"
    before = session_id(client)
    assert before is not None
    response = client.post(
        "/accounts/register/",
        data={"username": "ada", "password1": PASSWORD, "password2": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert session_id(client) != before
    assert client.get("/notes/mine/").status_code == 200
    assert with_session(client, before).get("/notes/mine/").status_code == 302  # the old id is dead
    assert redis_keys(services["REDIS_URL"], f"{prefix}:session:{session_id(client)}")  # the session is in Redis

    token = page_token(client, "/notes/new/")
    response = client.post("/notes/new/", data={"title": "On PostgreSQL", "body": "Really.", "csrf_token": token})
    assert response.status_code == 302
    note_id = int(response.headers["Location"].strip("/").rpartition("/")[2])

    visitor = app.test_client()
    assert "On PostgreSQL" in visitor.get("/").text
    assert "Age" in visitor.get("/").headers  # cached, in Redis
    assert redis_keys(services["REDIS_URL"], f"{prefix}:pages:*")

    token = page_token(client, f"/notes/{note_id}/edit/")
    client.post(f"/notes/{note_id}/edit/", data={"title": "Changed", "body": "Really.", "csrf_token": token})
    board = visitor.get("/")
    assert "Age" not in board.headers and "Changed" in board.text  # the signal cleared the Redis cache

    other = app.test_client()
    token = page_token(other, "/accounts/register/")
    other.post(
        "/accounts/register/",
        data={"username": "bob", "password1": PASSWORD, "password2": PASSWORD, "csrf_token": token},
    )
    token = page_token(other, "/notes/new/")
    assert other.post(f"/notes/{note_id}/delete/", data={"csrf_token": token}).status_code == 403
    assert get_note(app, note_id) == ("Changed", "Really.")

    token = page_token(client, f"/notes/{note_id}/delete/")
    assert client.post(f"/notes/{note_id}/delete/", data={"csrf_token": token}).status_code == 302
    assert count_notes(app) == 0


def test_failed_logins_are_counted_across_workers(production_app, services, tmp_path):
    """Two apps with the same settings are two workers: the counts are in Redis, shared."""
    app = production_app
    with app.app_context():
        from flaskkit.plugins.auth import User

        User.objects.create_user("ada", password=PASSWORD)
    other_worker = create_app({"TESTING": True}, instance_path=tmp_path / "instance")
    try:
        for worker in (app, other_worker, app):
            assert login(worker.test_client(), "ada", "wrong-password").status_code == 200
        assert login(other_worker.test_client(), "ada").status_code == 429
    finally:
        with other_worker.app_context():
            db.engine.dispose()


def test_python_m_example_site_on_postgresql_and_redis(services, tmp_path):
    instance = tmp_path / "instance"
    with run_site(instance, env=services) as site:
        _, board = Browser(site.url).get("/")
        assert "Welcome to the notes board" in board
    output = site.output()
    shown = sa.make_url(services["DATABASE_URL"]).set(drivername="postgresql+psycopg")
    assert f"database      {shown.render_as_string(hide_password=True)} (migrations applied)" in output
    assert "sessions      redis, cache redis" in output
    assert f"created: {len(DEMO_NOTES)} notes" in output
    assert not (instance / "example-site.db").exists()

    with run_site(instance, env=services) as site:
        Browser(site.url).log_in("demo", "notes-demo-2026")
    assert "already there" in site.output()
    engine = sa.create_engine(services["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as connection:
            assert connection.scalar(sa.select(sa.func.count()).select_from(Note.__table__)) == len(DEMO_NOTES)
    finally:
        engine.dispose()

"""Apps with the auth plugin, made through ``create_app`` with the tables made by ``flask db upgrade``.

Tests hash with MD5PasswordHasher unless they are about hashing (Django's advice
for test suites: PBKDF2 with 1,000,000 iterations takes most of a second).
"""

from __future__ import annotations

import re
import secrets
import typing as t
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask import jsonify
from flask import session

from flaskkit import create_app
from flaskkit import get_kit
from flaskkit.plugins.auth import current_user
from flaskkit.plugins.auth import login_required
from flaskkit.plugins.auth import permission_required
from flaskkit.plugins.orm import db
from tests.conftest import settings

from .models import TABLES

if t.TYPE_CHECKING:
    from flask.testing import FlaskClient

PLUGINS = ["orm", "session", "cache", "forms", "auth"]
FAST_HASHERS = [
    "flaskkit.plugins.auth.hashers:MD5PasswordHasher",
    "flaskkit.plugins.auth.hashers:PBKDF2PasswordHasher",
]
#: The password of the users the tests make.
PASSWORD = "correct-horse-battery"


def add_views(app: Flask) -> None:
    """The pages the tests visit: a home, a protected dashboard, permission-protected pages."""

    @app.get("/")
    def home() -> str:
        return "home"

    @app.get("/dashboard")
    @login_required
    def dashboard() -> str:
        return f"dashboard of {current_user.username}"

    @app.get("/whoami")
    def whoami() -> t.Any:
        user = current_user
        return jsonify(
            authenticated=user.is_authenticated,
            username=user.username if user.is_authenticated else None,
            keys=sorted(session.keys()),
        )

    @app.get("/posts/edit")
    @permission_required("blog.change_post", raise_exception=True)
    def edit_posts() -> str:
        return "editing"

    @app.get("/posts/publish")
    @permission_required("blog.publish_post")
    def publish_posts() -> str:
        return "publishing"


class SiteFactory:
    """``make(**settings)``: an app in a new instance folder, tables made by the migrations (``flask db
    upgrade``, run once per test session: each next empty database is a copy of the first one's)."""

    def __init__(self, tmp_path: Path, request: pytest.FixtureRequest) -> None:
        self.tmp_path = tmp_path
        self.request = request
        self.apps: list[Flask] = []

    def __call__(
        self, *, migrate: bool = True, views: bool = True, template_folder: str | None = None, **values: t.Any
    ) -> Flask:
        number = len(self.apps)
        values.setdefault("PLUGINS", PLUGINS)
        values.setdefault("TESTING", True)
        values.setdefault("PASSWORD_HASHERS", FAST_HASHERS)
        values.setdefault("DATABASE_URL", f"sqlite:///{self.tmp_path / f'auth{number}.sqlite'}")
        values.setdefault("MIGRATIONS_DIR", str(self.tmp_path / "no-migrations"))
        app = create_app(
            settings(**values),
            import_name=f"auth_test_app_{number}",
            instance_path=str(self.tmp_path / f"instance{number}"),
            **({"template_folder": template_folder} if template_folder else {}),
        )
        self.apps.append(app)
        if views:
            add_views(app)
        if migrate:
            self.request.getfixturevalue("kit_db_setup").prepare(app, tables=TABLES)
        return app

    def close(self) -> None:
        for app in self.apps:
            with app.app_context():
                db.session.remove()
                for engine in db.engines.values():
                    engine.dispose()
            store = get_kit(app).state(app).plugins["session"].store
            if store is not None:
                store.close()


@pytest.fixture
def make(tmp_path: Path, request: pytest.FixtureRequest) -> t.Iterator[SiteFactory]:
    factory = SiteFactory(tmp_path, request)
    yield factory
    factory.close()


@pytest.fixture
def site(make: SiteFactory) -> Flask:
    """The default app (file sessions, locmem cache, SQLite), with a user ``ada``."""
    app = make()
    create_user(app, "ada")
    return app


@pytest.fixture
def client(site: Flask) -> FlaskClient:
    return site.test_client()


@pytest.fixture
def pg_url(postgres_url: str) -> t.Iterator[str]:
    """The test PostgreSQL database through a new schema of this test (dropped afterwards)."""
    import psycopg

    schema = f"auth_{secrets.token_hex(4)}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{postgres_url}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("SET lock_timeout = '10s'")
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


# -- helpers ------------------------------------------------------------------------------------------


def create_user(app: Flask, username: str, password: str | None = PASSWORD, **fields: t.Any) -> int:
    """Create a user through the user model's manager; its id."""
    from flaskkit.plugins.auth import get_user_model

    with app.app_context():
        user = get_user_model().objects.create_user(username, f"{username}@example.com", password, **fields)
        return t.cast(int, user.id)


def page_token(client: FlaskClient, path: str, **request: t.Any) -> str:
    """The CSRF token of the form on the page ``path`` (as a browser gets it); ``request``: more
    arguments of the GET (``base_url``...)."""
    response = client.get(path, **request)
    assert response.status_code == 200, response.status_code
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.get_data(as_text=True))
    assert found, response.get_data(as_text=True)
    return found.group(1)


def log_in(
    client: FlaskClient,
    username: str = "ada",
    password: str = PASSWORD,
    *,
    next: str | None = None,
    base_url: str | None = None,
    **extra: t.Any,
) -> t.Any:
    """POST the login form as a browser does (token from the page, ``next`` in the query string);
    ``base_url``: the site's URL the browser uses (its Host)."""
    path = "/accounts/login/" + (f"?next={_quote(next)}" if next is not None else "")
    request = {"base_url": base_url} if base_url is not None else {}
    token = page_token(client, path, **request)
    data = {"username": username, "password": password, "csrf_token": token, **extra}
    return client.post(path, data=data, **request)


def log_out(client: FlaskClient, **data: t.Any) -> t.Any:
    token = page_token(client, "/accounts/login/")
    return client.post("/accounts/logout/", data={"csrf_token": token, **data})


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def session_cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie is not None else None


def whoami(client: FlaskClient) -> dict[str, t.Any]:
    return t.cast(dict[str, t.Any], client.get("/whoami").json)


def stored_hash(app: Flask, username: str) -> str:
    from flaskkit.plugins.auth import get_user_model

    with app.app_context():
        model = get_user_model()
        return t.cast(str, db.session.scalar(sa.select(model.password).where(model.username == username)))


def set_hash(app: Flask, username: str, encoded: str) -> None:
    from flaskkit.plugins.auth import get_user_model

    with app.app_context():
        model = get_user_model()
        db.session.execute(sa.update(model).where(model.username == username).values(password=encoded))
        db.session.commit()

"""Apps with the admin plugin: the auth, session and admin tables made by ``flask db upgrade``, the test
apps' tables (catalog, polls) by ``create_all``; users of every kind; a client that logs in as a browser does.

Tests hash with MD5PasswordHasher (Django's advice for test suites).
"""

from __future__ import annotations

import re
import typing as t
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from flaskkit import create_app
from flaskkit import get_kit
from flaskkit.plugins.auth import Group
from flaskkit.plugins.auth import Permission
from flaskkit.plugins.auth import get_user_model
from flaskkit.plugins.auth.permissions import sync_permissions
from flaskkit.plugins.orm import db
from tests.conftest import settings

from .catalog.models import TABLES as CATALOG_TABLES
from .polls.models import TABLES as POLLS_TABLES

if t.TYPE_CHECKING:
    from flask.testing import FlaskClient

PLUGINS = [
    "orm",
    "session",
    "cache",
    "forms",
    "signals",
    "auth",
    "admin",
    "tests.plugins.admin.catalog:CatalogPlugin",
    "tests.plugins.admin.polls:PollsPlugin",
]
FAST_HASHERS = ["flaskkit.plugins.auth.hashers:MD5PasswordHasher"]
PASSWORD = "correct-horse-battery"
TOKEN_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


class SiteFactory:
    """``make(**settings)``: an app in a new instance folder, its tables made, its permissions synced."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.apps: list[Flask] = []

    def __call__(self, *, migrate: bool = True, tables: t.Sequence[t.Any] | None = None, **values: t.Any) -> Flask:
        number = len(self.apps)
        values.setdefault("PLUGINS", PLUGINS)
        values.setdefault("TESTING", True)
        values.setdefault("PASSWORD_HASHERS", FAST_HASHERS)
        values.setdefault("DATABASE_URL", f"sqlite:///{self.tmp_path / f'admin{number}.sqlite'}")
        values.setdefault("MIGRATIONS_DIR", str(self.tmp_path / "no-migrations"))
        values.setdefault("AUTH_THROTTLE_ENABLED", False)
        app = create_app(
            settings(**values),
            import_name=values.pop("import_name", None) or f"admin_test_app_{number}",
            instance_path=str(self.tmp_path / f"instance{number}"),
        )
        self.apps.append(app)
        if migrate:
            result = app.test_cli_runner().invoke(args=["db", "upgrade"])
            assert result.exit_code == 0, result.output
            with app.app_context():
                db.metadata.create_all(db.engine, tables=[*CATALOG_TABLES, *POLLS_TABLES, *(tables or ())])
                sync_permissions(get_user_model())
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
def make(tmp_path: Path) -> t.Iterator[SiteFactory]:
    factory = SiteFactory(tmp_path)
    yield factory
    factory.close()


@pytest.fixture
def pg_url(postgres_url: str) -> t.Iterator[str]:
    """The test PostgreSQL database through a schema of this test's own (dropped afterwards)."""
    import secrets

    import psycopg

    schema = f"admin_{secrets.token_hex(4)}"
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{postgres_url}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            connection.execute("SET lock_timeout = '10s'")
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def site(make: SiteFactory) -> Flask:
    """The default app, with a superuser ``root``."""
    app = make()
    create_user(app, "root", is_staff=True, is_superuser=True)
    return app


@pytest.fixture
def admin_client(site: Flask) -> FlaskClient:
    """A client logged in as the superuser ``root``."""
    client = site.test_client()
    log_in(client, "root")
    return client


# -- helpers -------------------------------------------------------------------------------------------


def create_user(app: Flask, username: str, password: str | None = PASSWORD, *perms: str, **fields: t.Any) -> int:
    """A user (``perms`` given directly, as ``"app.codename"``); its id."""
    with app.app_context():
        user = get_user_model().objects.create_user(username, f"{username}@example.com", password, **fields)
        for perm in perms:
            user.user_permissions.append(permission(perm))
        db.session.commit()
        return t.cast(int, user.id)


def permission(perm: str) -> Permission:
    label, codename = perm.split(".")
    found = db.session.scalar(
        sa.select(Permission).where(Permission.app_label == label, Permission.codename == codename)
    )
    assert found is not None, f"no permission {perm} (sync_permissions ran?)"
    return found


def grant_group(app: Flask, username: str, group: str, *perms: str) -> None:
    with app.app_context():
        model = get_user_model()
        user = db.session.scalar(sa.select(model).where(model.username == username))
        holder = Group(name=group, permissions=[permission(p) for p in perms])
        user.groups.append(holder)
        db.session.commit()


def token_of(html: str) -> str:
    found = TOKEN_RE.search(html)
    assert found, html[:2000]
    return found.group(1)


def csrf_token(client: FlaskClient) -> str:
    """The session's CSRF token (from the login page, as a browser would get one)."""
    return token_of(client.get("/accounts/login/").get_data(as_text=True))


def log_in(client: FlaskClient, username: str, password: str = PASSWORD) -> None:
    token = csrf_token(client)
    response = client.post("/accounts/login/", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def post(client: FlaskClient, path: str, data: dict[str, t.Any] | None = None, **kwargs: t.Any) -> t.Any:
    """POST as a browser does: with the CSRF token of the session."""
    payload = {"csrf_token": csrf_token(client), **(data or {})}
    return client.post(path, data=payload, **kwargs)


def text(response: t.Any) -> str:
    return t.cast(str, response.get_data(as_text=True))


# -- a browser's way of filling a form ------------------------------------------------------------------


class _FormParser:
    """The fields of the admin's change form (``<form class="admin-form">``) with what a browser would send."""

    def __init__(self, html: str) -> None:
        from html.parser import HTMLParser

        self.fields: list[tuple[str, str]] = []
        fields = self.fields
        state: dict[str, t.Any] = {"in_form": False, "select": None, "multiple": False, "textarea": None, "template": 0}

        class Parser(HTMLParser):
            def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
                a = {k: (v or "") for k, v in attrs}
                if tag == "template":
                    state["template"] += 1
                if state["template"]:
                    return
                if tag == "form" and "admin-form" in a.get("class", ""):
                    state["in_form"] = True
                if not state["in_form"] or ("name" not in a and tag != "option"):
                    if tag == "option" and state["select"] is not None and "selected" in a:
                        fields.append((state["select"], a.get("value", "")))
                    return
                if tag == "input":
                    kind = a.get("type", "text")
                    if kind in ("submit", "button", "file"):
                        return
                    if kind in ("checkbox", "radio"):
                        if "checked" in a:
                            fields.append((a["name"], a.get("value", "y") or "y"))
                        return
                    fields.append((a["name"], a.get("value", "")))
                elif tag == "select":
                    state["select"] = a["name"]
                elif tag == "textarea":
                    state["textarea"] = a["name"]
                    fields.append((a["name"], ""))
                elif tag == "option" and state["select"] is not None and "selected" in a:
                    fields.append((state["select"], a.get("value", "")))

            def handle_endtag(self, tag: str) -> None:
                if tag == "template":
                    state["template"] -= 1
                elif tag == "form":
                    state["in_form"] = False
                elif tag == "select":
                    state["select"] = None
                elif tag == "textarea":
                    state["textarea"] = None

            def handle_data(self, data: str) -> None:
                if state["textarea"] is not None and not state["template"] and fields:
                    name, value = fields[-1]
                    fields[-1] = (name, value + data.lstrip("\n") if not value else value + data)

        Parser().feed(html)


def form_fields(client: FlaskClient, path: str) -> list[tuple[str, str]]:
    """What a browser would send from the change form at ``path`` (without any button)."""
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return _FormParser(response.get_data(as_text=True)).fields


def submit(client: FlaskClient, path: str, changes: dict[str, t.Any] | None = None, button: str = "_save") -> t.Any:
    """Fill the change form at ``path`` as it is, apply ``changes`` (None removes a field, a list sets
    several values), and press ``button``."""
    from werkzeug.datastructures import MultiDict

    fields = form_fields(client, path)
    data = MultiDict(fields)
    for name, value in (changes or {}).items():
        data.poplist(name)
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            data.add(name, item)
    data[button] = ""
    return client.post(path, data=data)

"""An anonymous visitor leaves nothing behind: no session and no database write, on every session engine.

A crawler that fetches every page, the login and registration forms included, must not fill
the session store (Django keeps the CSRF secret in its own cookie for this reason), and a
read-only request writes nothing to the database. Counted from outside: the store's files,
rows and keys, and every SQL statement any engine sends (SQLAlchemy's ``before_cursor_execute``).
"""

from __future__ import annotations

import os
import typing as t

import pytest
import sqlalchemy as sa
from flask import request_finished

from example_site import create_app
from example_site.seed import migrate
from flaskkit import get_kit

from .conftest import FAST_PASSWORD_HASHERS
from .helpers import SESSION_COOKIE
from .helpers import create_note
from .helpers import create_user
from .helpers import csrf_tokens

if t.TYPE_CHECKING:
    from pathlib import Path

    from flask import Flask

ENGINES = ["cookie", "file", "db", "cache", "redis"]

#: Every page an anonymous visitor (or a crawler) can GET, with its status.
PAGES = [
    ("/", 200),
    ("/?page=last", 200),
    ("/?page=2", 404),
    ("/notes/{note}/", 200),
    ("/notes/999999/", 404),
    ("/accounts/login/", 200),
    ("/accounts/login/?next=/notes/new/", 200),
    ("/accounts/register/", 200),
    ("/accounts/logout/", 405),
    ("/accounts/password_reset/", 200),
    ("/accounts/password_reset/done/", 200),
    ("/accounts/reset/MQ/not-a-token/", 200),  # the "invalid link" page
    ("/accounts/reset/done/", 200),
    ("/notes/new/", 302),
    ("/notes/mine/", 302),
    ("/notes/{note}/edit/", 302),
    ("/notes/{note}/delete/", 302),
    ("/accounts/password_change/", 302),
    ("/static/site.css", 200),
    ("/_flaskkit/forms/forms.css", 200),
    ("/no/such/page/", 404),
]
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return t.cast(str, request.param)


@pytest.fixture
def site(engine: str, request: pytest.FixtureRequest, site_environment, instance_path: Path) -> t.Iterator[Flask]:
    """The example site with ``SESSION_ENGINE = engine``, migrated, with a user and a note."""
    overrides: dict[str, t.Any] = {"TESTING": True, "PASSWORD_HASHERS": FAST_PASSWORD_HASHERS, "SESSION_ENGINE": engine}
    if engine == "redis":
        overrides.update(
            SESSION_REDIS_URL=request.getfixturevalue("redis_url"),
            SESSION_KEY_PREFIX=request.getfixturevalue("redis_prefix") + "session:",
        )
    if engine == "cache":
        # The sessions' cache alias on the real Redis, so its keys can be counted from outside.
        overrides.update(
            CACHES={
                "default": {"BACKEND": "locmem"},
                "pages": {"BACKEND": "locmem", "TIMEOUT": 60},
                "sessions": {
                    "BACKEND": "redis",
                    "LOCATION": request.getfixturevalue("redis_url"),
                    "KEY_PREFIX": request.getfixturevalue("redis_prefix") + "cache",
                },
            },
            SESSION_CACHE_ALIAS="sessions",
        )
    app = create_app(overrides, instance_path=instance_path)
    with app.app_context():
        migrate()
    app.config["NOTE_ID"] = create_note(app, create_user(app, "ada"))
    yield app
    for receiver in list(request_finished.receivers_for(app)):
        request_finished.disconnect(receiver)
    store = get_kit(app).state(app).plugins["session"].store
    if store is not None:
        store.close()


def stored_sessions(app: Flask) -> int:
    """How many sessions the app's store holds, looked at from outside the plugin."""
    plugin = get_kit(app).state(app).plugins["session"]
    store, engine = plugin.store, plugin.settings.engine
    if engine == "cookie":
        return 0  # nothing on the server: the cookies sent are counted by the test
    if engine == "file":
        return len(os.listdir(store.path)) if os.path.isdir(store.path) else 0
    if engine == "db":
        with store.sql_engine.connect() as connection:
            return int(connection.exec_driver_sql("SELECT count(*) FROM flaskkit_session").scalar() or 0)
    import redis

    if engine == "redis":
        client, pattern = store.client, store.prefix + "*"
    else:
        alias = app.config["CACHES"]["sessions"]
        client = redis.Redis.from_url(alias["LOCATION"])
        pattern = f"{alias['KEY_PREFIX']}*{store.prefix}*"  # this test's keys only: the server is shared
    try:
        return len(list(client.scan_iter(match=pattern)))
    finally:
        if engine == "cache":
            client.close()


@pytest.fixture
def statements() -> t.Iterator[list[str]]:
    """Every SQL statement sent by any engine (the ORM's and the session store's) while the test runs."""
    sent: list[str] = []

    def record(conn: t.Any, cursor: t.Any, statement: str, *args: t.Any) -> None:
        sent.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)


def test_an_anonymous_crawl_leaves_no_session_and_writes_nothing(site, engine, statements):
    note = site.config["NOTE_ID"]
    assert stored_sessions(site) == 0
    statements.clear()
    client = site.test_client()
    form_pages = 0
    for _ in range(3):  # a crawler comes back; a new visitor each time, and the same one again
        for visitor in (site.test_client(), client):
            for path, status in PAGES:
                path = path.format(note=note)
                with visitor.get(path) as response:
                    assert response.status_code == status, path
                    cookies = response.headers.getlist("Set-Cookie")
                    assert not [c for c in cookies if c.startswith(f"{SESSION_COOKIE}=")], (engine, path)
                    if csrf_tokens(response.get_data(as_text=True)):
                        form_pages += 1
                        # The form works without a session: its secret is in the csrftoken cookie.
                        assert [c.split("=", 1)[0] for c in cookies] == ["csrftoken"], path
            with visitor.head("/") as response:
                assert response.status_code == 200
    assert form_pages == 24  # the login (twice), register and password-reset pages, six times
    assert stored_sessions(site) == 0, engine
    writes = [s for s in statements if s.lstrip().split(None, 1)[0].upper() in WRITES]
    assert writes == [], writes
    assert statements  # the pages did read the database (the listener works)


def test_the_first_stored_value_creates_the_session(site, engine):
    """The counter-check: the same probes see a session once the site stores something (a login)."""
    from .helpers import PASSWORD
    from .helpers import login

    client = site.test_client()
    assert login(client, "ada", PASSWORD).status_code == 302
    assert client.get_cookie(SESSION_COOKIE) is not None
    if engine != "cookie":
        assert stored_sessions(site) == 1

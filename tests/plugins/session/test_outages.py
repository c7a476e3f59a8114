"""The session store going away: a Redis of the test's own, stopped and started again mid-test.

A request that needs the session gets a 503 with ``Retry-After`` (never a 500), the log one line
per outage naming the server and the setting, the user keeps their cookie, and the first request
after Redis is back succeeds. A change committed before the session could be saved is reported
as saved.
"""

from __future__ import annotations

import logging
import typing as t

import pytest
import sqlalchemy as sa
from flask import flash
from flask import redirect
from flask import session

from flaskkit import create_app
from flaskkit.plugins.orm import db
from tests.conftest import settings

if t.TYPE_CHECKING:
    from flask import Flask

    from tests.servers import RedisServer

SERVICES_LOGGER = "flaskkit.services"


def make_app(tmp_path, redis_url: str, engine: str = "redis", **extra: t.Any) -> Flask:
    plugins = ["orm", "session"] if engine == "redis" else ["orm", "cache", "session"]
    app = create_app(
        settings(
            PLUGINS=plugins,
            SESSION_ENGINE=engine,
            SESSION_REDIS_URL=redis_url,
            CACHES={"default": {"BACKEND": "redis", "LOCATION": redis_url, "KEY_PREFIX": "t"}},
            DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}",
            ATOMIC_REQUESTS=True,
            **extra,
        )
    )
    entries = sa.Table("entries", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))

    @app.get("/anonymous")
    def anonymous() -> str:
        return "no session needed"

    @app.get("/read")
    def read() -> str:
        return f"n={session.get('n')}"

    @app.post("/set")
    def set_value() -> t.Any:
        session["n"] = 1
        return redirect("/read")

    @app.post("/write")
    def write() -> t.Any:
        db.session.execute(entries.insert())
        flash("Saved.")
        return redirect("/read")

    with app.app_context():
        entries.create(db.engine)
    app.extensions["test.entries"] = entries
    return app


def outage_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == SERVICES_LOGGER and r.levelno >= logging.ERROR]


@pytest.mark.parametrize("engine", ["redis", "cache"])
def test_reading_the_session_while_redis_is_down_is_a_503_then_the_site_recovers(
    tmp_path, own_redis: RedisServer, caplog, engine
):
    app = make_app(tmp_path, own_redis.url, engine)
    client = app.test_client()
    assert client.post("/set").status_code == 302
    cookie = client.get_cookie("session")
    assert cookie is not None

    own_redis.stop()
    with caplog.at_level(logging.WARNING):
        responses = [client.get("/read") for _ in range(20)]
        assert {r.status_code for r in responses} == {503}
        assert responses[0].headers["Retry-After"] == "30"
        assert responses[0].headers["Cache-Control"] == "no-store"
        assert "Service unavailable" in responses[0].text
        # A page that needs no session still works.
        assert client.get("/anonymous").status_code == 200
    setting = "SESSION_REDIS_URL" if engine == "redis" else "CACHES['default']['LOCATION']"
    assert outage_lines(caplog) == [
        f"Redis at {own_redis.url} ({setting}) is unreachable: ConnectionError: Error 111 connecting to "
        f"127.0.0.1:{own_redis.port}. Connection refused."
    ]
    # The cookie was kept: once Redis is back (with its data, on a real server), the session is still there.
    assert client.get_cookie("session") is not None
    assert client.get_cookie("session").value == cookie.value

    own_redis.start()
    with caplog.at_level(logging.WARNING):
        first = client.get("/read")
    assert first.status_code == 200  # the first request after recovery succeeds
    assert first.text == "n=None"  # this Redis keeps nothing across a restart (--save '')
    assert any("is reachable again" in r.getMessage() for r in caplog.records if r.name == SERVICES_LOGGER)


def test_a_change_committed_before_the_session_could_be_saved_is_reported_as_saved(tmp_path, own_redis):
    app = make_app(tmp_path, own_redis.url)
    client = app.test_client()
    own_redis.stop()  # no cookie yet: the view never reads the store, only the save needs it
    response = client.post("/write")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Location" not in response.headers
    assert "<h1>Your change was saved</h1>" in response.text
    assert '<a href="/read">Continue</a>' in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(app.extensions["test.entries"])) == 1
    assert client.get_cookie("session") is None


def test_a_session_change_alone_that_cannot_be_saved_is_a_plain_503(tmp_path, own_redis):
    app = make_app(tmp_path, own_redis.url)
    client = app.test_client()
    own_redis.stop()
    response = client.post("/set")
    assert response.status_code == 503
    assert "saved" not in response.text
    assert "Location" not in response.headers


def test_json_clients_get_json(tmp_path, own_redis):
    app = make_app(tmp_path, own_redis.url)
    client = app.test_client()
    own_redis.stop()
    response = client.post("/write", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.json == {
        "error": "service_unavailable",
        "detail": response.json["detail"],
        "retry_after": 30,
        "saved": True,
    }
    assert response.json["detail"].startswith("Your change was saved.")


def test_retry_after_follows_the_setting(tmp_path, own_redis):
    app = make_app(tmp_path, own_redis.url, SERVICE_RETRY_AFTER=5)
    client = app.test_client()
    client.post("/set")
    own_redis.stop()
    assert client.get("/read").headers["Retry-After"] == "5"


def test_the_apps_503_handler_renders_the_page(tmp_path, own_redis):
    app = make_app(tmp_path, own_redis.url)

    @app.errorhandler(503)
    def site_page(error: t.Any) -> tuple[str, int]:
        # The session reads as empty once the store failed: the page renders as for a visitor.
        return f"site layout (n={session.get('n')}): {error.description}", 503

    client = app.test_client()
    client.post("/set")
    own_redis.stop()
    response = client.get("/read")
    assert response.status_code == 503
    assert response.text.startswith("site layout (n=None): The site is unavailable for a moment")
    assert response.headers["Retry-After"] == "30"


def test_a_failing_503_handler_falls_back_to_the_plain_page(tmp_path, own_redis, caplog):
    app = make_app(tmp_path, own_redis.url)

    @app.errorhandler(503)
    def site_page(error: t.Any) -> str:
        raise RuntimeError("the layout needs the service too")

    client = app.test_client()
    client.post("/set")
    own_redis.stop()
    with caplog.at_level(logging.WARNING):
        response = client.get("/read")
    assert response.status_code == 503
    assert "<h1>Service unavailable</h1>" in response.text
    assert response.headers["Retry-After"] == "30"
    assert (
        "The app's 503 page could not be rendered (RuntimeError: the layout needs the service too); "
        "a plain page was sent."
    ) in caplog.messages


def test_flask_kit_check_says_the_session_redis_cannot_be_reached(tmp_path, own_redis):
    from flaskkit import get_kit

    app = make_app(tmp_path, own_redis.url)
    kit = get_kit(app)
    assert [m for m in kit.run_checks(app, tags=["session"]).messages if m.id == "session.E004"] == []
    own_redis.stop()
    (message,) = [m for m in kit.run_checks(app, tags=["session"]).messages if m.id == "session.E004"]
    assert message.msg == (
        f"Sessions are kept in Redis at {own_redis.url} (SESSION_REDIS_URL), which cannot be reached "
        f"(ConnectionError: Error 111 connecting to 127.0.0.1:{own_redis.port}. Connection refused.). "
        "Until it can, every request that uses the session is answered 503."
    )
    assert message.hint == "Start Redis, or fix SESSION_REDIS_URL."

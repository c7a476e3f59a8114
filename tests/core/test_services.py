"""flaskkit.services: the outage log (once per outage), ServiceUnavailable answered with a 503, and its pages."""

from __future__ import annotations

import logging

import pytest

from flaskkit import create_app
from flaskkit.services import Service
from flaskkit.services import ServiceUnavailable
from flaskkit.services import register_service
from flaskkit.services import safe_url
from flaskkit.services import services
from tests.conftest import settings


def test_safe_url_hides_the_password():
    assert safe_url("redis://:s3cret@cache:6379/0") == "redis://:***@cache:6379/0"
    assert safe_url("postgresql://app:pw@db/app") == "postgresql://app:***@db/app"
    assert safe_url("redis://cache:6379/0") == "redis://cache:6379/0"
    assert safe_url(None) == "?"


def test_an_outage_is_logged_once_and_its_end_once(caplog):
    service = Service("Redis", "redis://cache:6379/0", "REDIS_URL")
    with caplog.at_level(logging.WARNING, logger="flaskkit.services"):
        for _ in range(3):
            service.failed(ConnectionError("Error 111 connecting to cache:6379.\nConnection refused."))
        service.recovered()
        service.recovered()
    assert [r.getMessage().split(" (after")[0] for r in caplog.records] == [
        "Redis at redis://cache:6379/0 (REDIS_URL) is unreachable: ConnectionError: Error 111 connecting to "
        "cache:6379. Connection refused.",
        "Redis at redis://cache:6379/0 (REDIS_URL) is reachable again",
    ]
    assert [r.levelname for r in caplog.records] == ["ERROR", "WARNING"]


def test_registering_the_same_service_twice_gives_the_first():
    app = create_app(settings())
    first = register_service(app, Service("Redis", "redis://a/0", "REDIS_URL"))
    assert register_service(app, Service("Redis", "redis://a/0", "REDIS_URL")) is first
    register_service(app, Service("Redis", "redis://a/0", "SESSION_REDIS_URL"))
    assert [s.setting for s in services(app)] == ["REDIS_URL", "SESSION_REDIS_URL"]


@pytest.fixture
def app():
    app = create_app(settings())
    service = register_service(app, Service("Redis", "redis://a/0", "REDIS_URL"))

    @app.get("/down")
    def down() -> str:
        raise ServiceUnavailable(service)

    @app.post("/saved")
    def saved() -> str:
        raise ServiceUnavailable(service, saved=True, continue_url="/next?a=1&b=<2>")

    return app


def test_a_plain_page_without_an_app_handler(app):
    response = app.test_client().get("/down")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "text/html"
    assert "<h1>Service unavailable</h1>" in response.text
    assert "<style" not in response.text and "style=" not in response.text  # nothing the CSP would block


def test_the_saved_page_links_on_escaped(app):
    response = app.test_client().post("/saved")
    assert response.status_code == 503
    assert "<h1>Your change was saved</h1>" in response.text
    assert '<a href="/next?a=1&amp;b=&lt;2&gt;">Continue</a>' in response.text


def test_json_for_json_clients(app):
    response = app.test_client().get("/down", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.json == {
        "error": "service_unavailable",
        "detail": "The site is unavailable for a moment: a service it depends on cannot be reached. Please try again.",
        "retry_after": 30,
    }

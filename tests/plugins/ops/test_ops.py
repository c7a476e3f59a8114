"""The ops plugin: /healthz, /readyz (with a Redis of the test's own), request ids and access logs."""

from __future__ import annotations

import json
import logging
import typing as t

import pytest

from flaskkit import ConfigurationError
from flaskkit import create_app
from flaskkit.plugins.ops import request_id
from tests.conftest import settings

if t.TYPE_CHECKING:
    from flask import Flask


def make_app(tmp_path, **extra: t.Any) -> Flask:
    values = {
        "PLUGINS": ["orm", "cache", "session", "middleware", "ops"],
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "ALLOWED_HOSTS": ["example.com"],
        "SECURE_SSL_REDIRECT": True,
        **extra,
    }
    app = create_app(settings(**values))

    @app.get("/")
    def home() -> str:
        return f"home {request_id()}"

    return app


def test_healthz_answers_before_the_host_check_and_the_https_redirect(tmp_path):
    client = make_app(tmp_path).test_client()
    assert client.get("/").status_code == 400  # localhost is not in ALLOWED_HOSTS
    response = client.get("/healthz")  # http, Host: localhost
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_readyz_reports_each_server_and_answers_503_when_one_is_down(tmp_path, own_redis):
    app = make_app(
        tmp_path,
        SESSION_ENGINE="redis",
        SESSION_REDIS_URL=own_redis.url,
        CACHES={"default": {"BACKEND": "redis", "LOCATION": own_redis.url, "KEY_PREFIX": "t"}},
    )
    client = app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json == {
        "status": "ok",
        "services": [
            {"service": "SQLite", "settings": ["DATABASE_URL"], "status": "ok"},
            # one entry per server: the cache and the sessions share this Redis
            {"service": "Redis", "settings": ["CACHES['default']['LOCATION']", "SESSION_REDIS_URL"], "status": "ok"},
        ],
    }
    own_redis.stop()
    down = client.get("/readyz")
    assert down.status_code == 503
    assert down.headers["Retry-After"] == "30"
    assert down.json["status"] == "unavailable"
    assert down.json["services"][1]["status"] == "unavailable"
    assert down.json["services"][1]["error"].startswith("ConnectionError: Error 111 connecting to 127.0.0.1:")
    assert own_redis.url not in down.text  # the endpoint is public: kinds and settings, no addresses
    assert client.get("/healthz").status_code == 200  # liveness does not depend on services
    own_redis.start()
    assert client.get("/readyz").status_code == 200


def test_the_endpoints_can_be_renamed_or_turned_off(tmp_path):
    client = make_app(tmp_path, HEALTH_URL="/-/alive", READINESS_URL=None, ALLOWED_HOSTS=["localhost"]).test_client()
    assert client.get("/-/alive").json == {"status": "ok"}
    assert client.get("/healthz").status_code == 301  # now an ordinary URL (SECURE_SSL_REDIRECT)
    assert client.get("/readyz").status_code == 301


def test_request_ids_come_from_the_proxy_or_are_made(tmp_path):
    client = make_app(tmp_path, ALLOWED_HOSTS=["localhost"], SECURE_SSL_REDIRECT=False).test_client()
    given = client.get("/", headers={"X-Request-ID": "lb-7f3a"})
    assert given.text == "home lb-7f3a" and given.headers["X-Request-ID"] == "lb-7f3a"
    made = client.get("/", headers={"X-Request-ID": "not a valid id\x00"})
    assert len(made.headers["X-Request-ID"]) == 32 and made.text == f"home {made.headers['X-Request-ID']}"
    assert client.get("/").headers["X-Request-ID"] != made.headers["X-Request-ID"]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_access_log_lines(tmp_path, caplog, fmt):
    app = make_app(
        tmp_path, ALLOWED_HOSTS=["localhost"], SECURE_SSL_REDIRECT=False, ACCESS_LOG=True, ACCESS_LOG_FORMAT=fmt
    )
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="flaskkit.access"):
        response = client.get("/?q=1", headers={"X-Request-ID": "r-1", "User-Agent": "probe"}, buffered=True)
        client.get("/healthz", buffered=True)  # not logged: outside the access log
    (record,) = [r for r in caplog.records if r.name == "flaskkit.access"]
    size = len(response.data)
    if fmt == "json":
        line = json.loads(record.getMessage())
        assert {k: v for k, v in line.items() if k not in ("time", "duration_ms")} == {
            "request_id": "r-1",
            "remote_addr": "127.0.0.1",
            "method": "GET",
            "path": "/",
            "query": "q=1",
            "status": 200,
            "bytes": size,
            "user_agent": "probe",
        }
        assert line["duration_ms"] >= 0
    else:
        message = record.getMessage()
        assert message.startswith(f'127.0.0.1 "GET /?q=1 HTTP/1.1" 200 {size} ')
        assert message.endswith("ms id=r-1")


def test_a_refused_host_is_logged_with_its_request_id(tmp_path, caplog):
    app = make_app(tmp_path, SECURE_SSL_REDIRECT=False, ACCESS_LOG=True)
    order = [
        line.split()[1]
        for line in app.test_cli_runner().invoke(args=["kit", "middleware"]).output.splitlines()
        if line.startswith("  ") and line.split()[0].isdigit() and "." in line.split()[1]
    ]
    assert order[-3:] == ["ops.health", "ops.access_log", "middleware.allowed_hosts"]
    with caplog.at_level(logging.INFO, logger="flaskkit.access"):
        response = app.test_client().get("/", headers={"Host": "evil.example", "X-Request-ID": "r-2"}, buffered=True)
    assert response.status_code == 400 and response.headers["X-Request-ID"] == "r-2"
    (record,) = [r for r in caplog.records if r.name == "flaskkit.access"]
    assert '"GET / HTTP/1.1" 400 ' in record.getMessage() and record.getMessage().endswith("id=r-2")


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("HEALTH_URL", "healthz"),
        ("ACCESS_LOG_FORMAT", "xml"),
        ("REQUEST_ID_HEADER", "X Id"),
        ("SERVICE_RETRY_AFTER", 0),
    ],
)
def test_bad_settings_stop_the_boot(tmp_path, setting, value):
    with pytest.raises(ConfigurationError) as raised:
        make_app(tmp_path, **{setting: value})
    assert raised.value.setting == setting

"""The deployment guide, done: the production settings pass ``flask kit check --deploy``, and the shipped
Gunicorn configuration serves the site (a real Gunicorn on a free port, stopped by its PID)."""

from __future__ import annotations

import json
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from example_site import create_app
from example_site.seed import migrate
from flaskkit.plugins.orm import db

from .server import ROOT
from .server import free_port
from .server import site_environment
from .test_production import site_database  # noqa: F401  (fixture)


@pytest.fixture
def production_environment(site_environment, site_database, redis_url, redis_prefix, tmp_path):  # noqa: F811
    env = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": site_database,
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": redis_prefix.rstrip(":"),
        "ALLOWED_HOSTS": "notes.example.com,127.0.0.1",
        "STATIC_ROOT": str(tmp_path / "static"),
        "ACCESS_LOG": "true",
        "ACCESS_LOG_FORMAT": "json",
        "EXAMPLE_SITE_INSTANCE_PATH": str(tmp_path / "instance"),
        "FLASK_SESSION_COOKIE_SECURE": "true",
        "FLASK_CSRF_COOKIE_SECURE": "true",
        "FLASK_SECURE_SSL_REDIRECT": "true",
        "FLASK_SECURE_HSTS_SECONDS": "31536000",
        "FLASK_SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
        "FLASK_PROXY_FIX": '{"x_for": 1, "x_proto": 1}',
        "EMAIL_URL": "smtp+tls://notes:secret@mail.example.com:587?timeout=10",
        "FLASK_ADMINS": '["ops@example.com"]',
        "FLASK_SERVER_EMAIL": "errors@notes.example.com",
        "FLASK_DEFAULT_FROM_EMAIL": "notes@notes.example.com",
    }
    for name, value in env.items():
        site_environment.setenv(name, value)
    app = create_app()
    with app.app_context():
        migrate()
        db.engine.dispose()
    return env


def flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "example_site", *args],
        cwd=ROOT,
        env=site_environment(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_guides_settings_pass_the_deploy_checks(production_environment):
    result = flask(production_environment, "kit", "check", "--deploy")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "Checks identified no issues (0 silenced).", result.stderr


def test_gunicorn_with_the_shipped_config_serves_the_site(production_environment, tmp_path):
    collected = flask(production_environment, "kit", "collectstatic")
    assert collected.returncode == 0, collected.stderr
    port = free_port()
    env = {**production_environment, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2"}
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "example_site/gunicorn.conf.py"],
            cwd=ROOT,
            env=site_environment(env),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        health = _get(base + "/healthz", timeout=60)
        assert health == (200, {"status": "ok"})
        status, body = _get(base + "/readyz")
        assert status == 200 and body["status"] == "ok"
        assert [s["service"] for s in body["services"]] == ["PostgreSQL", "Redis"]
        # Behind the proxy: the Host and scheme it forwards; the hashed, compressed stylesheet.
        request = urllib.request.Request(
            base + "/", headers={"Host": "notes.example.com", "X-Forwarded-Proto": "https"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            page = response.read().decode()
            assert response.status == 200
            assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        css = page.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
        assert css.startswith("/static/site.") and css != "/static/site.css"
        request = urllib.request.Request(base + css, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
            assert response.headers["Content-Encoding"] == "gzip"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    output = log.read_text()
    access = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert any(entry["path"] == "/" and entry["status"] == 200 for entry in access), output


def _get(url: str, timeout: float = 10) -> tuple[int, dict[str, object]]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)

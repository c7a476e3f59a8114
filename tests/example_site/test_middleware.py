"""The site's own middleware (``Server-Timing``), listed in MIDDLEWARE between Django's security middleware."""

from __future__ import annotations

import re

import pytest

from .helpers import create_note
from .helpers import create_user
from .helpers import login

SERVER_TIMING = re.compile(r'app;dur=\d+\.\d;desc="flaskkit"')


@pytest.mark.parametrize(("path", "status"), [("/", 200), ("/accounts/login/", 200), ("/nowhere/", 404)])
def test_every_response_has_a_server_timing_header(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert SERVER_TIMING.fullmatch(response.headers["Server-Timing"])


def test_redirects_and_refusals_have_it_too(app, client):
    ada = create_user(app, "ada")
    note_id = create_note(app, ada)
    assert SERVER_TIMING.fullmatch(client.get("/notes/new/").headers["Server-Timing"])  # 302 to the login page
    create_user(app, "bob")
    login(client, "bob")
    refused = client.get(f"/notes/{note_id}/edit/")
    assert refused.status_code == 403
    assert SERVER_TIMING.fullmatch(refused.headers["Server-Timing"])


def test_a_page_from_the_cache_is_timed_again(app, client):
    create_note(app, create_user(app, "ada"))
    client.get("/")
    cached = client.get("/")
    assert "Age" in cached.headers
    assert len(cached.headers.getlist("Server-Timing")) == 1


def test_the_security_headers_are_there(client):
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_the_middleware_order(runner):
    result = runner.invoke(args=["kit", "middleware"])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines() if re.match(r"\s+\d+\s", line)]
    assert [row[1] for row in rows] == [
        "i18n.locale",  # the request's language, for every middleware (Django's LocaleMiddleware)
        "flaskkit.plugins.middleware:SecurityMiddleware",
        "flaskkit.plugins.middleware:ContentSecurityPolicyMiddleware",
        "example_site.middleware:ServerTimingMiddleware",
        "flaskkit.plugins.middleware:XFrameOptionsMiddleware",
        "orm.atomic",  # ATOMIC_REQUESTS: the view's transaction, inside every middleware
        "cache.pages",  # a cached page answers here (Django's FetchFromCacheMiddleware, the innermost)
        # then the WSGI layers, outermost first: health checks before anything, static files before the app
        "ops.health",
        "static.files",
        "ops.access_log",
        "i18n.url_prefix",  # WSGI: /de/... is served as /... in German
        "middleware.allowed_hosts",  # innermost: a host ALLOWED_HOSTS does not name gets 400
    ]


def test_an_unknown_host_is_refused(client):
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


#: The site's policy (SECURE_CSP in settings.py) when the page used no nonce.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/accounts/register/", "/nowhere/", "/notes/new/", "/static/site.css"]
)
def test_every_response_has_the_content_security_policy(client, path):
    with client.get(path) as response:
        assert response.headers["Content-Security-Policy"] == POLICY
        assert "Content-Security-Policy-Report-Only" not in response.headers


def test_the_note_form_runs_its_script_with_a_fresh_nonce(app, client):
    create_user(app, "ada")
    login(client, "ada")
    nonces = []
    for path in ("/notes/new/", "/notes/new/"):
        response = client.get(path)
        [nonce] = re.findall(r'<script type="module" nonce="([^"]+)">', response.text)
        assert response.headers["Content-Security-Policy"] == POLICY.replace(
            "script-src 'self'", f"script-src 'self' 'nonce-{nonce}'"
        )
        assert response.headers["Cache-Control"] == "private"  # never kept by a shared cache
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
    with client.get("/static/notes.js") as script:
        assert script.status_code == 200
        assert script.mimetype == "text/javascript"


def test_the_csrf_failure_page_has_the_policy_too(client):
    response = client.post("/accounts/login/", data={"username": "x", "password": "y"})
    assert response.status_code == 403
    assert response.headers["Content-Security-Policy"] == POLICY
    assert "<style" not in response.text

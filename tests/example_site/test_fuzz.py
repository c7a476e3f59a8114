"""Thousands of generated bad requests against the example site: not one answer is a 500, and every
4xx is a proper page (the site's layout, the CSRF failure page, or JSON for a JSON client).

In-process through Flask's test client, on the embedded defaults (SQLite, file sessions) and on
PostgreSQL and Redis (the production shape: NUL characters, huge ids and garbage session ids
reach a real server there). The framing-level families (chunked bodies, lying Content-Length,
broken request lines) are in ``test_fuzz_http.py``, against real server processes. The
generator is seeded: a failure names the request, and the same seed gives it again.
"""

from __future__ import annotations

import collections
import traceback
import typing as t

import pytest
from flask import got_request_exception

from example_site import create_app
from example_site.seed import migrate
from flaskkit.plugins.orm import db

from .conftest import FAST_PASSWORD_HASHERS
from .conftest import SITE_ENVIRONMENT
from .fuzzing import CSRF_PLACEHOLDER
from .fuzzing import FAMILIES
from .fuzzing import FuzzRequest
from .fuzzing import Generator
from .helpers import create_note
from .helpers import create_user
from .helpers import login
from .helpers import page_token

if t.TYPE_CHECKING:
    from flask import Flask
    from werkzeug.test import TestResponse

#: Requests per run: enough for every family to come up hundreds of times, in seconds. The run on
#: PostgreSQL and Redis is shorter: the same generator, for what only real servers refuse.
COUNT = 3000
COUNT_ON_SERVICES = 1000
SEED = 20261204

#: What marks a page of the site's layout.
LAYOUT_MARK = 'href="/static/site.css"'
#: What marks a page of the admin's own layout (Django's admin has its own too).
ADMIN_LAYOUT_MARK = "admin/admin.css"


class LoggedIn(t.NamedTuple):
    cookies: dict[str, str]
    token: str


def cookie_header(cookies: t.Mapping[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def send_in_process(app: Flask, request: FuzzRequest, user: LoggedIn) -> TestResponse:
    """Replay ``request`` through the test client: the user's cookies and token when it asks for them."""
    headers = [(name, value) for name, value in request.headers if name.lower() not in ("content-length", "cookie")]
    environ: dict[str, t.Any] = {"REMOTE_ADDR": "127.0.0.1"}
    for name, value in request.headers:
        if name.lower() == "content-length":
            environ["CONTENT_LENGTH"] = value
        elif name.lower() == "cookie":
            environ["HTTP_COOKIE"] = value
    cookies = request.cookies if request.cookies is not None else (user.cookies if request.auth else {})
    if cookies and "HTTP_COOKIE" not in environ:
        environ["HTTP_COOKIE"] = cookie_header(cookies)
    body = request.body
    if request.auth:
        body = body.replace(CSRF_PLACEHOLDER, user.token.encode())
        if request.csrf == "header":
            headers.append(("X-CSRFToken", user.token))
    else:
        body = body.replace(CSRF_PLACEHOLDER, b"no-session-no-token")
    client = app.test_client(use_cookies=False)
    return client.open(
        request.path,
        method=request.method,
        query_string=request.query,
        headers=headers,
        data=body,
        content_type=request.content_type,
        environ_overrides=environ,
    )


def problem_with(request: FuzzRequest, response: TestResponse) -> str | None:
    """What is wrong with the answer, or None: a 5xx, or a 4xx that is not a proper page."""
    status = response.status_code
    if status >= 500:
        return f"answered {status}"
    if status < 400 or request.method.upper() == "HEAD":
        return None
    mimetype = response.mimetype
    if mimetype == "application/json":
        return None if isinstance(response.json, dict) else "a JSON error that is not an object"
    if mimetype != "text/html":
        return f"a {status} of type {mimetype!r}"
    text = response.get_data(as_text=True)
    if "</html>" not in text or "<title>" not in text:
        return f"a {status} that is not a whole HTML page: {text[:200]!r}"
    if LAYOUT_MARK in text or (request.path.startswith("/admin/") and ADMIN_LAYOUT_MARK in text):
        return None
    if status == 403 and "CSRF" in text:
        return None  # the forms plugin's CSRF failure page, which has its own layout
    return f"a {status} page outside the site's layout: {text[:300]!r}"


def run_fuzz(app: Flask, user: LoggedIn, notes: list[int], count: int) -> tuple[collections.Counter[str], list[str]]:
    """Send ``count`` generated requests; the status counts per family, and every problem found."""
    errors: list[str] = []

    def record(sender: Flask, exception: BaseException, **extra: t.Any) -> None:
        errors.append("".join(traceback.format_exception(exception)[-3:]))

    statuses: collections.Counter[str] = collections.Counter()
    problems: list[str] = []
    with got_request_exception.connected_to(record, app):
        for request in Generator(SEED, notes).take(count):
            errors.clear()
            response = send_in_process(app, request, user)
            statuses[f"{request.family} {response.status_code}"] += 1
            problem = problem_with(request, response)
            if problem:
                problems.append(f"{problem}\n  for {request.describe()}\n  {''.join(errors)}")
            response.close()
    return statuses, problems


@pytest.fixture(scope="module")
def fuzz_environment() -> t.Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in SITE_ENVIRONMENT:
            monkeypatch.delenv(name, raising=False)
        yield monkeypatch


def make_site(instance_path: t.Any, **overrides: t.Any) -> Flask:
    # TESTING off: an exception becomes the 500 a visitor would get (and got_request_exception tells which).
    settings = {"PASSWORD_HASHERS": FAST_PASSWORD_HASHERS, "EMAIL_BACKEND": "locmem", **overrides}
    app = create_app(settings, instance_path=instance_path)
    with app.app_context():
        migrate()
    return app


def log_in(app: Flask) -> tuple[LoggedIn, list[int]]:
    """A user with a few notes, logged in: their cookies, a CSRF token of their session, the notes' ids."""
    user_id = create_user(app, "fuzzer")  # not staff: the admin's pages answer a login page or 403
    notes = [create_note(app, user_id, title=f"Note {i}") for i in range(5)]
    client = app.test_client()
    assert login(client, "fuzzer").status_code == 302
    token = page_token(client, "/notes/new/")
    names = {app.config["SESSION_COOKIE_NAME"], app.config.get("CSRF_COOKIE_NAME", "csrftoken")}
    cookies = {name: cookie.value for name in names if (cookie := client.get_cookie(name)) is not None}
    assert app.config["SESSION_COOKIE_NAME"] in cookies
    return LoggedIn(cookies, token), notes


def assert_clean(statuses: collections.Counter[str], problems: list[str], count: int) -> None:
    families = {key.split()[0] for key in statuses}
    assert families == set(FAMILIES), statuses
    assert sum(statuses.values()) == count
    shown = "\n".join(problems[:15])
    assert not problems, f"{len(problems)} of {count} requests got no clean answer:\n{shown}"


def test_generated_bad_requests_on_the_embedded_defaults(fuzz_environment, tmp_path_factory):
    app = make_site(tmp_path_factory.mktemp("fuzz") / "instance")
    user, notes = log_in(app)
    statuses, problems = run_fuzz(app, user, notes, COUNT)
    assert_clean(statuses, problems, COUNT)
    # The requests reached the forms: some were answered with the form again (200), some refused (4xx).
    assert statuses["urlencoded 200"] > 0 and statuses["multipart 200"] > 0


def test_generated_bad_requests_on_postgresql_and_redis(fuzz_environment, tmp_path_factory, postgres_url, redis_url):
    import secrets

    import psycopg
    import redis

    name = f"fuzz_{secrets.token_hex(4)}"
    prefix = f"flaskkit-test:{secrets.token_hex(4)}:fuzz"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    fuzz_environment.setenv("DATABASE_URL", f"{postgres_url.rpartition('/')[0]}/{name}")
    fuzz_environment.setenv("REDIS_URL", redis_url)
    fuzz_environment.setenv("REDIS_KEY_PREFIX", prefix)
    app = None
    try:
        app = make_site(tmp_path_factory.mktemp("fuzz-services") / "instance")
        assert app.config["SESSION_ENGINE"] == "redis"
        user, notes = log_in(app)
        statuses, problems = run_fuzz(app, user, notes, COUNT_ON_SERVICES)
        assert_clean(statuses, problems, COUNT_ON_SERVICES)
    finally:
        if app is not None:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()

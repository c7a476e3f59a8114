"""New projects run: their own tests pass (before and after startapp), and the deploy check is clean once the
environment that their README documents is set. The commands run as a user runs them, in processes of their own."""

from __future__ import annotations

import re
import secrets
import typing as t

import pytest

from flaskkit.scaffold import start_project
from tests.services import POSTGRES_URL

from .helpers import flask
from .helpers import pytest_in
from .helpers import unique_name


@pytest.fixture
def database(postgres_url) -> t.Iterator[str]:
    """A PostgreSQL database of this test's own (created and dropped here), on the test server."""
    import psycopg

    name = f"flaskkit_scaffold_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_URL.rpartition('/')[0]}/{name}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def passed(output: str) -> int:
    """The number of passed tests in pytest's summary line; fails on any failure or error."""
    summaries = [line for line in output.splitlines() if re.search(r"\d+ (passed|failed|errors?) in ", line)]
    assert summaries, output
    summary = summaries[-1]
    assert "failed" not in summary and "error" not in summary, output
    match = re.search(r"(\d+) passed", summary)
    assert match, output
    return int(match.group(1))


def test_a_new_project_and_its_app_pass_their_tests_and_the_deploy_check(tmp_path, database, redis_url, redis_prefix):
    name = unique_name()
    project = start_project(name, tmp_path / name)

    # Green at once, whatever this shell's environment says: the tests use none of its services.
    unreachable = {
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nowhere",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "HTTPS": "1",
        "DEBUG": "1",
    }
    own = passed(pytest_in(project, env=unreachable))
    assert own >= 8

    output = flask(project, name, "kit", "startapp", "blog")
    assert "Added 'blog.plugin:BlogPlugin' to PLUGINS" in output
    assert passed(pytest_in(project)) >= own + 6  # the app's own tests run with the project's

    # Without the production environment, the deploy check says what is missing.
    output = flask(project, name, "kit", "check", "--deploy")
    for check in ("kit.W001", "orm.W010", "session.W001", "middleware.W005", "mail.W001", "mail.I001", "auth.W004"):
        assert f"({check})" in output
    assert "SECRET_KEY is the development key of the project's settings" in output

    # The environment README.md documents, then its deployment commands: no issue left.
    production = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "example.com,www.example.com",
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": redis_prefix.rstrip(":"),
        "HTTPS": "1",
        "EMAIL_URL": "smtp+tls://site:secret@smtp.example.com:587?timeout=10",
        "DEFAULT_FROM_EMAIL": "Site <noreply@example.com>",
        "SERVER_EMAIL": "errors@example.com",
        "ADMINS": "ops@example.com",
    }
    readme = (project / "README.md").read_text()
    for variable in production:
        if variable != "REDIS_KEY_PREFIX":  # optional: the project's name otherwise
            assert f"| `{variable}` |" in readme
    flask(project, name, "db", "upgrade", env=production)
    flask(project, name, "auth", "sync-perms", env=production)
    output = flask(project, name, "kit", "check", "--deploy", env=production)
    assert output.strip() == "Checks identified no issues (0 silenced).", output
    output = flask(project, name, "db", "check", env=production)
    assert "No new upgrade operations detected." in output


def test_a_minimal_postgres_project_makes_its_own_test_database(tmp_path, database):
    import psycopg

    name = unique_name()
    project = start_project(name, tmp_path / name, minimal=True, db="postgres")
    flask(project, name, "kit", "startapp", "shop", env={"DATABASE_URL": database})
    output = pytest_in(project, env={"DATABASE_URL": database})
    assert passed(output) >= 7
    # Its conftest.py made test_<database> on the same server, and dropped it afterwards.
    test_database = "test_" + database.rpartition("/")[2]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        assert admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (test_database,)).fetchone() is None

"""The real PostgreSQL and Redis servers the production-path tests talk to.

Addresses come from ``TEST_DATABASE_URL`` / ``TEST_REDIS_URL`` (defaults:
``postgresql://postgres@127.0.0.1:5432/test`` and ``redis://127.0.0.1:6379/0``).
When a server cannot be reached, a test that needs it is skipped with the
reason on a laptop, but **fails when CI=true**, so CI never skips them silently.
"""

from __future__ import annotations

import os
import secrets
import typing as t

import pytest

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def unavailable(service: str, url: str, error: BaseException) -> t.NoReturn:
    reason = f"{service} at {url} is not reachable ({type(error).__name__}: {error})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must run this test against the real server.", pytrace=False)
    pytest.skip(f"{reason}; start it or set TEST_{service.upper()}_URL to run this test.")


@pytest.fixture(scope="session")
def postgres_url() -> t.Iterator[str]:
    """A fresh, empty PostgreSQL database for this test session (dropped afterwards).

    The URL uses the ``postgresql://`` scheme (psycopg 3 under SQLAlchemy 2.1).
    """
    try:
        import psycopg

        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except Exception as exc:  # ImportError included: the [postgres] extra is part of the test install
        unavailable("database", POSTGRES_URL, exc)
    name = f"flaskkit_test_{os.getpid()}_{secrets.token_hex(3)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = POSTGRES_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis server's URL; tests must use their own key prefix (see ``redis_prefix``)."""
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        client.ping()
        client.close()
    except Exception as exc:
        unavailable("redis", REDIS_URL, exc)
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url: str) -> t.Iterator[str]:
    """A key prefix unique to this test; every key under it is deleted afterwards."""
    import redis

    prefix = f"flaskkit-test:{secrets.token_hex(4)}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"*{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()

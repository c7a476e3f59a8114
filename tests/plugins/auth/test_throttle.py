"""Throttling failed logins: per username and per address, 429 with Retry-After, counts in the cache."""

from __future__ import annotations

import pytest

from flaskkit import get_kit

from .conftest import PASSWORD
from .conftest import create_user
from .conftest import log_in
from .conftest import page_token
from .conftest import whoami

INVALID_LOGIN = "Please enter a correct username and password."


class Clock:
    """A clock the test moves forward (the throttle's ``clock``)."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def throttle_of(app):
    return get_kit(app).state(app).plugins["auth"].throttle


@pytest.fixture
def clocked(make):
    """The site with a throttle clock that the test controls, and users ada and bob."""
    app = make()
    create_user(app, "ada")
    create_user(app, "bob")
    clock = Clock()
    throttle_of(app).clock = clock
    return app, clock


def fail(client, username="ada", *, ip="192.0.2.1", json=False):
    token = page_token(client, "/accounts/login/")
    headers = {"Accept": "application/json"} if json else {}
    return client.post(
        "/accounts/login/",
        data={"username": username, "password": "wrong-password", "csrf_token": token},
        environ_base={"REMOTE_ADDR": ip},
        headers=headers,
    )


def succeed(client, username="ada", *, ip="192.0.2.1"):
    token = page_token(client, "/accounts/login/")
    return client.post(
        "/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        environ_base={"REMOTE_ADDR": ip},
    )


def test_repeated_failures_are_slowed_then_refused_with_429(clocked):
    app, clock = clocked
    client = app.test_client()
    for _ in range(3):
        assert fail(client).status_code == 200
        clock.now += 60
    # After the third failure, the next attempt must wait a second.
    assert fail(client).status_code == 200  # 4th, 60 s later: allowed, sets a 2 s wait
    slowed = fail(client)
    assert slowed.status_code == 429
    assert slowed.headers["Retry-After"] == "2"
    assert "Please wait 2 seconds before you try to log in again." in slowed.get_data(as_text=True)
    clock.now += 2
    assert fail(client).status_code == 200  # 5th failure: the limit
    locked = fail(client)
    assert locked.status_code == 429
    assert locked.headers["Retry-After"] == "900"
    page = locked.get_data(as_text=True)
    assert "<h1>Too many login attempts</h1>" in page
    assert "Please try again in\n15 minutes." in page
    assert locked.headers["Cache-Control"].startswith("max-age=0, no-cache")


def test_a_locked_username_is_refused_even_with_the_right_password(clocked):
    app, clock = clocked
    client = app.test_client()
    for _ in range(5):
        fail(client)
        clock.now += 60
    assert succeed(client).status_code == 429
    assert whoami(client)["authenticated"] is False
    # Another user from another address is not affected.
    assert succeed(app.test_client(), "bob", ip="198.51.100.7").status_code == 302
    # The lock ends after AUTH_THROTTLE_LOCKOUT.
    clock.now += 900
    assert succeed(client).status_code == 302


def test_the_username_is_matched_without_case_and_spaces(clocked):
    app, clock = clocked
    client = app.test_client()
    for name in ("ada", "ADA", " Ada ", "aDa", "ada"):
        fail(client, name)
        clock.now += 60
    assert succeed(client).status_code == 429


def test_a_successful_login_resets_the_username_count(clocked):
    app, clock = clocked
    client = app.test_client()
    for _ in range(4):
        fail(client)
        clock.now += 60
    assert succeed(client).status_code == 302
    other = app.test_client()
    for _ in range(4):
        assert fail(other).status_code == 200
        clock.now += 60


def test_one_address_trying_many_usernames_is_refused(make):
    app = make(AUTH_THROTTLE_ADDRESS_LIMIT=4, AUTH_THROTTLE_SLOWDOWN_AFTER=10)
    clock = Clock()
    throttle_of(app).clock = clock
    client = app.test_client()
    for name in ("u1", "u2", "u3", "u4"):
        assert fail(client, name).status_code == 200
    assert fail(client, "u5").status_code == 429
    assert fail(client, "u6", ip="203.0.113.9").status_code == 200  # another address


def test_ipv6_addresses_count_for_their_64_network(make):
    app = make(AUTH_THROTTLE_ADDRESS_LIMIT=2, AUTH_THROTTLE_SLOWDOWN_AFTER=10)
    client = app.test_client()
    assert fail(client, "u1", ip="2001:db8:1:2::10").status_code == 200
    assert fail(client, "u2", ip="2001:db8:1:2::ffff").status_code == 200
    assert fail(client, "u3", ip="2001:db8:1:2:aaaa::1").status_code == 429
    assert fail(client, "u4", ip="2001:db8:1:3::1").status_code == 200


def test_json_clients_get_json(clocked):
    app, clock = clocked
    client = app.test_client()
    for _ in range(5):
        fail(client)
        clock.now += 60
    response = fail(client, json=True)
    assert response.status_code == 429
    assert response.json == {
        "error": "login_throttled",
        "detail": "Too many failed login attempts. Please try again later.",
        "retry_after": 840,  # 900 from the fifth failure, 60 seconds ago
    }


def test_authenticate_itself_is_throttled_for_every_view(clocked):
    app, clock = clocked
    from flask import request

    from flaskkit.plugins.auth import authenticate
    from flaskkit.plugins.forms import csrf_exempt

    @app.post("/api/token")
    @csrf_exempt
    def api_token():
        user = authenticate(username=request.form["username"], password=request.form["password"])
        return {"ok": user is not None}

    client = app.test_client()
    for _ in range(5):
        assert client.post("/api/token", data={"username": "ada", "password": "x"}).json == {"ok": False}
        clock.now += 60
    response = client.post("/api/token", data={"username": "ada", "password": PASSWORD})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "840"


def test_throttling_can_be_switched_off(make):
    app = make(AUTH_THROTTLE_ENABLED=False)
    create_user(app, "ada")
    client = app.test_client()
    for _ in range(8):
        assert fail(client).status_code == 200
    assert log_in(client).status_code == 302


def test_the_counts_live_in_redis_and_hold_across_workers(make, redis_url, redis_prefix):
    import redis

    caches = {"default": {"BACKEND": "redis", "LOCATION": redis_url, "KEY_PREFIX": f"{redis_prefix}site"}}
    worker1 = make(CACHES=caches)
    worker2 = make(CACHES=caches, DATABASE_URL=worker1.config["SQLALCHEMY_DATABASE_URI"], migrate=False)
    create_user(worker1, "ada")
    clock = Clock()
    throttle_of(worker1).clock = clock
    throttle_of(worker2).clock = clock
    for index in range(5):
        worker = worker1 if index % 2 == 0 else worker2
        assert fail(worker.test_client()).status_code == 200
        clock.now += 60
    for worker in (worker1, worker2):
        response = succeed(worker.test_client())
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "840"  # locked at the fifth failure, 60 s ago
    client = redis.Redis.from_url(redis_url)
    try:
        keys = sorted(k.decode() for k in client.scan_iter(match=f"{redis_prefix}site*"))
        assert len(keys) == 4  # a count and a wait, for the username and for the address
        assert all(key.startswith(f"{redis_prefix}site:1:auth:throttle:") for key in keys)
        assert not any("ada" in key for key in keys)  # usernames are not written into the cache
        assert all(0 < client.ttl(key) <= 900 for key in keys)
    finally:
        client.close()

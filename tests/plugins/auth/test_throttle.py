"""Throttling failed logins: per username and per address, 429 with Retry-After, counts in the cache,
counted before the password check (so parallel guesses cannot all get through)."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from flaskkit import get_kit
from flaskkit.plugins.auth.hashers import MD5PasswordHasher
from flaskkit.plugins.cache.facade import Cache
from tests.conftest import SECRET
from tests.example_site.server import ROOT
from tests.example_site.server import free_port
from tests.example_site.server import site_environment
from tests.example_site.server import stop

from .conftest import PASSWORD
from .conftest import create_user
from .conftest import log_in
from .conftest import page_token
from .conftest import whoami
from .hashers import RECORDING_PATH

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
    assert "Please try again in 15 minutes." in page
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
    # ... nor its full-width form, which logs in as "ada" too (NFKC).
    for name in ("ada", "ADA", " Ada ", "\uff41\uff44\uff41", "ada"):
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


# -- counted before the check: concurrency ------------------------------------------------------------

#: Simultaneous wrong guesses for one username, each from its own address (the issue's attack).
GUESSES = 12
#: AUTH_THROTTLE_USERNAME_LIMIT's default.
LIMIT = 5


def test_an_attempt_is_counted_before_its_password_is_checked(make, monkeypatch):
    app = make()
    create_user(app, "ada")
    events: list[str] = []
    add, incr, verify = Cache.add, Cache.incr, MD5PasswordHasher.verify

    def counting_add(self, key, *args, **kwargs):
        if "auth:throttle:" in str(key) and str(key).endswith(":count"):
            events.append("count")
        return add(self, key, *args, **kwargs)

    def counting_incr(self, key, *args, **kwargs):
        if "auth:throttle:" in str(key):
            events.append("count")
        return incr(self, key, *args, **kwargs)

    def checking(self, password, encoded):
        events.append("check")
        return verify(self, password, encoded)

    monkeypatch.setattr(Cache, "add", counting_add)
    monkeypatch.setattr(Cache, "incr", counting_incr)
    monkeypatch.setattr(MD5PasswordHasher, "verify", checking)
    assert fail(app.test_client()).status_code == 200
    # The username's and the address's counts, then the password.
    assert events == ["count", "count", "check"]


def guess_at_once(app, count: int, username: str = "ada") -> list:
    """``count`` wrong guesses for ``username``, each from its own client and address, released together."""
    clients = [app.test_client() for _ in range(count)]
    tokens = [page_token(client, "/accounts/login/") for client in clients]
    start = threading.Barrier(count)

    def guess(index: int):
        start.wait(timeout=30)
        return clients[index].post(
            "/accounts/login/",
            data={"username": username, "password": f"guess-{index}", "csrf_token": tokens[index]},
            environ_base={"REMOTE_ADDR": f"192.0.2.{index + 1}"},
        )

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(guess, range(count)))


def password_checks(path) -> int:
    return path.read_text(encoding="ascii").count("check\n") if path.exists() else 0


@pytest.mark.parametrize("backend", ["locmem", "redis"])
def test_parallel_guesses_past_the_limit_are_refused_without_a_check(make, tmp_path, request, backend):
    checks = tmp_path / "checks.txt"
    values = {}
    if backend == "redis":
        location, prefix = request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")
        values["CACHES"] = {"default": {"BACKEND": "redis", "LOCATION": location, "KEY_PREFIX": f"{prefix}site"}}
    # No slowdown (it would refuse some guesses by itself): the limit alone is tested.
    app = make(
        PASSWORD_HASHERS=[RECORDING_PATH], PASSWORD_CHECKS_FILE=str(checks), AUTH_THROTTLE_SLOWDOWN_AFTER=10, **values
    )
    create_user(app, "ada")
    responses = guess_at_once(app, GUESSES)
    # Each check lasts 0.3 s, so all twelve guesses are in flight together: five are checked,
    # the other seven are refused at once, without a check.
    assert password_checks(checks) == LIMIT
    assert sorted(response.status_code for response in responses) == [200] * LIMIT + [429] * (GUESSES - LIMIT)
    for response in responses:
        if response.status_code == 429:
            assert 0 < int(response.headers["Retry-After"]) <= 900
        else:
            assert INVALID_LOGIN in response.text
    # The username is locked: the right password is refused too, still without a check.
    assert succeed(app.test_client(), ip="198.51.100.1").status_code == 429
    assert password_checks(checks) == LIMIT


def test_a_success_gives_its_attempt_back_to_the_address(make):
    app = make(AUTH_THROTTLE_ADDRESS_LIMIT=3, AUTH_THROTTLE_SLOWDOWN_AFTER=10)
    create_user(app, "bob")
    client = app.test_client()
    for _ in range(4):
        assert succeed(client, "bob").status_code == 302  # successes are not failures
    assert fail(client, "u1").status_code == 200
    assert fail(client, "u2").status_code == 200
    assert fail(client, "u3").status_code == 200  # the third failure from this address: locked
    assert fail(client, "u4").status_code == 429


@contextlib.contextmanager
def forking_server(settings: dict, instance, log):
    """``tests.plugins.auth.throttle_server`` on a free port of 127.0.0.1: its URL; stopped by its PID."""
    port = free_port()
    env = site_environment({"THROTTLE_SITE_SETTINGS": json.dumps(settings), "THROTTLE_SITE_INSTANCE": str(instance)})
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.plugins.auth.throttle_server", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"{url}/ping", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, f"the server did not answer:\n{log.read_text()}"
                time.sleep(0.1)
        yield url
    finally:
        stop(process)


def post_guess(url: str, index: int) -> tuple[int, dict, dict]:
    """A wrong guess for "ada" from the address 192.0.2.<index + 1> (behind the site's proxy)."""
    body = urllib.parse.urlencode({"username": "ada", "password": f"guess-{index}"}).encode()
    headers = {"Accept": "application/json", "X-Forwarded-For": f"192.0.2.{index + 1}"}
    request = urllib.request.Request(f"{url}/api/login", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), json.load(error)


def test_parallel_guesses_across_processes_check_at_most_the_limit(make, tmp_path, redis_url, redis_prefix):
    checks = tmp_path / "checks.txt"
    settings = {
        "SECRET_KEY": SECRET,
        "PLUGINS": ["orm", "session", "cache", "forms", "middleware", "auth"],
        "CACHES": {"default": {"BACKEND": "redis", "LOCATION": redis_url, "KEY_PREFIX": f"{redis_prefix}site"}},
        "PASSWORD_HASHERS": [RECORDING_PATH],
        "PASSWORD_CHECKS_FILE": str(checks),
        "AUTH_THROTTLE_SLOWDOWN_AFTER": 10,  # the limit alone
        "PROXY_FIX": {"x_for": 1},  # the client's address from X-Forwarded-For, as behind a proxy
        "ALLOWED_HOSTS": ["127.0.0.1"],
    }
    site = make(**{key: value for key, value in settings.items() if key != "PLUGINS"})
    create_user(site, "ada")
    settings["DATABASE_URL"] = site.config["SQLALCHEMY_DATABASE_URI"]
    with forking_server(settings, tmp_path / "server-instance", tmp_path / "server.log") as url:
        start = threading.Barrier(GUESSES)

        def guess(index: int) -> tuple[int, dict, dict]:
            start.wait(timeout=30)
            return post_guess(url, index)

        with ThreadPoolExecutor(GUESSES) as pool:
            results = list(pool.map(guess, range(GUESSES)))
    assert password_checks(checks) == LIMIT
    assert sorted(status for status, _, _ in results) == [200] * LIMIT + [429] * (GUESSES - LIMIT)
    for status, headers, body in results:
        if status == 200:
            assert body == {"ok": False}
        else:
            assert body["error"] == "login_throttled"
            assert 0 < int(headers["Retry-After"]) <= 900

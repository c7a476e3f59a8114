"""The login throttle's Redis going away: logins refused with a 503 (fail closed), or let through uncounted."""

from __future__ import annotations

import pytest

from flaskkit import get_kit

from .conftest import PASSWORD
from .conftest import create_user
from .conftest import page_token


def post_login(client, password=PASSWORD):
    token = page_token(client, "/accounts/login/")
    return lambda: client.post("/accounts/login/", data={"username": "ada", "password": password, "csrf_token": token})


@pytest.mark.parametrize(("fail_open", "status"), [(False, 503), (True, 302)])
def test_logins_while_the_throttle_cache_is_down(make, own_redis, fail_open, status):
    caches = {"default": {"BACKEND": "redis", "LOCATION": own_redis.url, "KEY_PREFIX": "site"}}
    app = make(CACHES=caches, AUTH_THROTTLE_FAIL_OPEN=fail_open)
    create_user(app, "ada")
    client = app.test_client()
    attempt = post_login(client)  # the page (and its token) while Redis is up
    own_redis.stop()
    response = attempt()
    assert response.status_code == status
    if status == 503:
        assert response.headers["Retry-After"] == "30"
    own_redis.start()
    assert post_login(app.test_client())().status_code == 302  # the first login after recovery works


def test_the_check_says_the_throttle_cache_cannot_be_reached(make, own_redis):
    caches = {"default": {"BACKEND": "redis", "LOCATION": own_redis.url, "KEY_PREFIX": "site"}}
    app = make(CACHES=caches)
    kit = get_kit(app)
    with app.app_context():
        assert [m.id for m in kit.run_checks(app, tags=["auth"]).messages if m.id == "auth.E004"] == []
        own_redis.stop()
        (message,) = [m for m in kit.run_checks(app, tags=["auth"]).messages if m.id == "auth.E004"]
    assert message.msg == (
        f"Failed logins are counted in the cache 'default', whose server (Redis at {own_redis.url} "
        f"(CACHES['default']['LOCATION'])) cannot be reached (ConnectionError: Error 111 connecting to "
        f"127.0.0.1:{own_redis.port}. Connection refused.). Until it can, logins are refused (503)."
    )
    assert message.hint == "Start Redis, or fix CACHES['default']['LOCATION']."

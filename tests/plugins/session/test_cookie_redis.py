"""What only the cookie engine and the redis engine do: signing keys, TTLs and key prefixes."""

from __future__ import annotations

import secrets

import pytest
import redis
from flask import Flask
from flask import session

from flaskkit import create_app
from tests.conftest import SECRET
from tests.conftest import settings

from .conftest import AGE
from .conftest import Probe
from .conftest import cookie_value


def test_cookie_signed_with_a_fallback_key_is_still_accepted(new_app):
    old = new_app("cookie", SECRET_KEY="an-old-secret-key-" + "o" * 40)
    value = cookie_value(old.test_client().get("/incr"))
    rotated = new_app("cookie", SECRET_KEY="a-new-secret-key-" + "n" * 40, SECRET_KEY_FALLBACKS=[old.secret_key])
    client = rotated.test_client()
    client.set_cookie("session", value)
    assert client.get("/read").json == {"n": 1}
    nobody = new_app("cookie", SECRET_KEY="another-secret-key-" + "x" * 40).test_client()
    nobody.set_cookie("session", value)
    assert nobody.get("/read").json == {"n": None}


def test_cookie_engine_signs_with_each_apps_own_key_built_once(new_app, signers_built):
    first = new_app("cookie", SECRET_KEY="the-first-apps-secret-key-" + "f" * 40)
    second = new_app("cookie", SECRET_KEY="the-second-apps-secret-key-" + "s" * 40)
    one, two = first.test_client(), second.test_client()
    for n in (1, 2, 3):  # the two apps' requests interleaved
        assert one.get("/incr").json == {"n": n}
        assert two.get("/incr").json == {"n": n}
    assert len(signers_built) == 2  # a signer per app, not per request
    stranger = second.test_client()
    stranger.set_cookie("session", cookie_value(one.get("/incr")))
    assert stranger.get("/read").json == {"n": None}  # the first app's cookie means nothing to the second
    first.config["SECRET_KEY"] = "the-first-apps-new-secret-key-" + "g" * 40
    assert one.get("/read").json == {"n": None}  # a new key: the old cookies stop at once


def test_cookie_engine_reads_cookies_that_flask_signed(new_app):
    # Moving an app from Flask's default cookie sessions to flaskkit logs nobody out.
    plain = Flask("plain")
    plain.secret_key = SECRET

    @plain.get("/set")
    def set_value():
        session["n"] = 7
        session["t"] = (1, 2)
        return "ok"

    value = cookie_value(plain.test_client().get("/set"))
    client = new_app("cookie").test_client()
    client.set_cookie("session", value)
    assert client.get("/read").json == {"n": 7}
    assert client.get("/types").json["t"] == ["tuple", "(1, 2)"]


def test_cookie_engine_without_secret_key_explains(tmp_path):
    app = create_app(
        {"PLUGINS": ["session"], "SESSION_ENGINE": "cookie", "SILENCED_CHECKS": ["kit.E001"], "TESTING": True},
        import_name="nosecret",
        instance_path=str(tmp_path),
    )

    @app.get("/set")
    def set_value():
        session["n"] = 1
        return "ok"

    with pytest.raises(RuntimeError, match=r"^The session is unavailable because no secret key was set\."):
        app.test_client().get("/set")


def test_redis_ttl_is_the_expiry_age(new_app):
    app = new_app("redis")
    client = app.test_client()
    key = cookie_value(client.get("/incr"))
    probe = Probe(app)
    assert AGE - 5 <= probe.store.client.ttl(probe.store.prefix + key) <= AGE
    client.post("/expiry?value=90")
    assert 85 <= probe.store.client.ttl(probe.store.prefix + key) <= 90


def test_redis_key_prefix_setting(new_app, redis_prefix):
    app = new_app("redis")  # SESSION_KEY_PREFIX=redis_prefix
    key = cookie_value(app.test_client().get("/incr"))
    client = Probe(app).store.client
    assert client.get(redis_prefix + key) == b'{"n":1}'


def test_two_apps_on_one_redis_do_not_share_sessions_by_default(redis_url, tmp_path):
    token = secrets.token_hex(4)
    apps = [
        create_app(
            settings(PLUGINS=["session"], SESSION_ENGINE="redis", REDIS_URL=redis_url),
            import_name=f"site_{token}_{number}",
            instance_path=str(tmp_path / str(number)),
        )
        for number in (1, 2)
    ]
    for app in apps:

        @app.get("/incr")
        def incr():
            session["n"] = session.get("n", 0) + 1
            return str(session["n"])

    client = redis.Redis.from_url(redis_url)
    try:
        first, second = (app.test_client() for app in apps)
        assert first.get("/incr").data == b"1"
        key = first.get_cookie("session").value
        assert client.exists(f"session:site_{token}_1:{key}") == 1
        second.set_cookie("session", key)  # the first app's id means nothing to the second
        assert second.get("/incr").data == b"1"
    finally:
        for name in client.scan_iter(match=f"session:site_{token}_*"):
            client.delete(name)
        client.close()
        for app in apps:
            app.session_interface.store.close()


def test_cache_engine_stores_under_the_alias_prefix(new_app, redis_prefix):
    app = new_app("cache")
    key = cookie_value(app.test_client().get("/incr"))
    probe = Probe(app)
    assert probe.store.cache.get("session:" + key) == '{"n":1}'
    assert probe.session_ids() == {key}
    assert probe.expires_at(key) > 0

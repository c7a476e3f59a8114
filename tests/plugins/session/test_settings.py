"""The session settings: Django's defaults, Flask's names kept in step, and boot errors that say what to do."""

from __future__ import annotations

from datetime import timedelta

import pytest

from flaskkit import ConfigurationError
from flaskkit import create_app
from flaskkit.plugins.session import CookieSessionInterface
from flaskkit.plugins.session import ServerSessionInterface
from flaskkit.plugins.session import SessionPlugin
from tests.conftest import settings


def boot(tmp_path, **values):
    return create_app(settings(**values), import_name="sessiontests", instance_path=str(tmp_path / "instance"))


def boot_error(tmp_path, **values) -> ConfigurationError:
    with pytest.raises(ConfigurationError) as info:
        boot(tmp_path, **values)
    return info.value


def test_defaults_are_djangos(tmp_path):
    app = boot(tmp_path, PLUGINS=["session"])
    config = app.config
    assert config["SESSION_ENGINE"] == "file"
    assert config["SESSION_COOKIE_AGE"] == 1209600
    assert config["PERMANENT_SESSION_LIFETIME"] == timedelta(days=14)
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is False
    assert config["SESSION_SAVE_EVERY_REQUEST"] is False
    assert config["SESSION_REFRESH_EACH_REQUEST"] is False
    assert isinstance(app.session_interface, ServerSessionInterface)
    assert app.session_interface.store.path == str(tmp_path / "instance" / "sessions")


def test_the_plugin_declares_its_ordering_and_migrations():
    assert SessionPlugin.after == ("cache", "orm")
    assert SessionPlugin.requires == ()
    assert SessionPlugin.migrations.endswith("/session/migrations")
    assert list(SessionPlugin.metadata.tables) == ["flaskkit_session"]


def test_file_path_setting(tmp_path):
    app = boot(tmp_path, PLUGINS=["session"], SESSION_FILE_PATH=str(tmp_path / "elsewhere"))
    client = app.test_client()

    @app.get("/set")
    def set_value():
        from flask import session

        session["a"] = 1
        return "ok"

    client.get("/set")
    assert len(list((tmp_path / "elsewhere").glob("*.json"))) == 1
    assert not (tmp_path / "instance" / "sessions").exists()


def test_cookie_engine_uses_the_signed_cookie_interface(tmp_path):
    app = boot(tmp_path, PLUGINS=["session"], SESSION_ENGINE="cookie")
    assert isinstance(app.session_interface, CookieSessionInterface)


def test_permanent_session_lifetime_alone_sets_the_age(tmp_path):
    app = boot(tmp_path, PLUGINS=["session"], PERMANENT_SESSION_LIFETIME=timedelta(hours=2))
    assert app.config["SESSION_COOKIE_AGE"] == 7200
    app = boot(tmp_path, PLUGINS=["session"], PERMANENT_SESSION_LIFETIME=600)
    assert app.config["SESSION_COOKIE_AGE"] == 600
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(seconds=600)


def test_cookie_age_and_lifetime_that_disagree(tmp_path):
    error = boot_error(
        tmp_path, PLUGINS=["session"], SESSION_COOKIE_AGE=60, PERMANENT_SESSION_LIFETIME=timedelta(hours=1)
    )
    assert str(error) == (
        "SESSION_COOKIE_AGE (60 seconds) and PERMANENT_SESSION_LIFETIME (3600 seconds) disagree about how long a "
        "session lasts.\n  Hint: Set only SESSION_COOKIE_AGE; flaskkit sets PERMANENT_SESSION_LIFETIME from it."
    )
    assert (error.setting, error.plugin) == ("SESSION_COOKIE_AGE", "session")


@pytest.mark.parametrize("value", [0, -5, "14 days", True, None])
def test_bad_cookie_age(tmp_path, value):
    error = boot_error(tmp_path, PLUGINS=["session"], SESSION_COOKIE_AGE=value)
    assert error.message == f"SESSION_COOKIE_AGE must be a number of seconds greater than 0, not {value!r}."


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("filesystem", "Did you mean 'file'? "),
        ("django.contrib.sessions.backends.signed_cookies", "Did you mean 'cookie'? "),
        ("django.contrib.sessions.backends.db", "Did you mean 'db'? "),
        ("sqlalchemy", "Did you mean 'db'? "),
        ("rediss", "Did you mean 'redis'? "),
        ("memcached", "Did you mean 'cache'? "),
        ("mongodb", ""),
    ],
)
def test_unknown_engine(tmp_path, value, hint):
    error = boot_error(tmp_path, PLUGINS=["session"], SESSION_ENGINE=value)
    assert error.message == (
        "SESSION_ENGINE must be one of 'cookie', 'file', 'cache', 'redis', 'db' (or 'module:Class' of a "
        f"SessionStore), not {value!r}."
    )
    assert error.hint == f"{hint}'file' keeps sessions in the instance folder and needs no server."
    assert error.setting == "SESSION_ENGINE"


def test_cache_engine_without_the_cache_plugin(tmp_path):
    error = boot_error(tmp_path, PLUGINS=["session"], SESSION_ENGINE="cache")
    assert error.message == (
        "SESSION_ENGINE is 'cache', which keeps sessions in the cache plugin's CACHES, but the cache plugin is "
        "not enabled: add 'cache' to PLUGINS."
    )


def test_db_engine_without_the_orm_plugin(tmp_path):
    error = boot_error(tmp_path, PLUGINS=["session"], SESSION_ENGINE="db")
    assert error.message == (
        "SESSION_ENGINE is 'db', which keeps sessions in the orm plugin's database, but the orm plugin is not "
        "enabled: add 'orm' to PLUGINS."
    )


def test_cache_alias_must_exist(tmp_path):
    error = boot_error(
        tmp_path,
        PLUGINS=["cache", "session"],
        SESSION_ENGINE="cache",
        CACHES={"default": {"BACKEND": "locmem"}, "sessions": {"BACKEND": "locmem"}},
        SESSION_CACHE_ALIAS="session",
    )
    assert error.message == "SESSION_CACHE_ALIAS is 'session', which is not an alias of CACHES ('default', 'sessions')."
    assert error.hint == "Did you mean 'sessions'? Name one of the aliases of CACHES, or add 'session' to CACHES."


def test_plugin_order_in_plugins_does_not_matter(tmp_path):
    app = boot(tmp_path, PLUGINS=["session", "cache"], SESSION_ENGINE="cache")
    assert list(app.extensions["flaskkit"].plugins) == ["cache", "session"]


def test_redis_engine_needs_an_address(tmp_path, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    error = boot_error(tmp_path, PLUGINS=["session"], SESSION_ENGINE="redis")
    assert error.message == "SESSION_ENGINE is 'redis' but no Redis server is configured."
    assert error.setting == "SESSION_REDIS_URL"
    assert error.hint.startswith("Set REDIS_URL (a setting or an environment variable), or SESSION_REDIS_URL")


def test_redis_engine_address_order(tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://from-env:6379/1")
    app = boot(tmp_path, PLUGINS=["session"], SESSION_ENGINE="redis")
    assert app.session_interface.settings.redis_url == "redis://from-env:6379/1"
    app = boot(tmp_path, PLUGINS=["session"], SESSION_ENGINE="redis", REDIS_URL="redis://setting:6379/2")
    assert app.session_interface.settings.redis_url == "redis://setting:6379/2"
    app = boot(
        tmp_path,
        PLUGINS=["session"],
        SESSION_ENGINE="redis",
        REDIS_URL="redis://setting:6379/2",
        SESSION_REDIS_URL="redis://sessions:6379/3",
    )
    assert app.session_interface.settings.redis_url == "redis://sessions:6379/3"
    assert app.session_interface.settings.key_prefix == "session:sessiontests:"


def test_samesite(tmp_path):
    assert boot(tmp_path, PLUGINS=["session"], SESSION_COOKIE_SAMESITE=None).config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert boot(tmp_path, PLUGINS=["session"], SESSION_COOKIE_SAMESITE="strict").config["SESSION_COOKIE_SAMESITE"] == (
        "Strict"
    )
    app = boot(tmp_path, PLUGINS=["session"], SESSION_COOKIE_SAMESITE=False)

    @app.get("/set")
    def set_value():
        from flask import session

        session["a"] = 1
        return "ok"

    assert "SameSite" not in app.test_client().get("/set").headers["Set-Cookie"]
    error = boot_error(tmp_path, PLUGINS=["session"], SESSION_COOKIE_SAMESITE="Relaxed")
    assert error.message == "SESSION_COOKIE_SAMESITE must be 'Lax', 'Strict', 'None' or False, not 'Relaxed'."


def test_flags_must_be_booleans(tmp_path):
    error = boot_error(tmp_path, PLUGINS=["session"], SESSION_SAVE_EVERY_REQUEST="yes")
    assert error.message == "SESSION_SAVE_EVERY_REQUEST must be True or False, not 'yes'."
    error = boot_error(tmp_path, PLUGINS=["session"], SESSION_EXPIRE_AT_BROWSER_CLOSE=1)
    assert error.message == "SESSION_EXPIRE_AT_BROWSER_CLOSE must be True or False, not 1."


def test_engine_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_SESSION_ENGINE", "cookie")
    app = boot(tmp_path, PLUGINS=["session"])
    assert isinstance(app.session_interface, CookieSessionInterface)


def test_two_apps_keep_their_own_settings_and_sessions(tmp_path):
    from flask import session

    one = create_app(
        settings(PLUGINS=["session"], SESSION_COOKIE_AGE=60), import_name="one", instance_path=str(tmp_path / "one")
    )
    two = create_app(settings(PLUGINS=["session"], SESSION_ENGINE="cookie"), import_name="two")
    for app in (one, two):

        @app.get("/incr")
        def incr():
            session["n"] = session.get("n", 0) + 1
            return str(session["n"])

    c1, c2 = one.test_client(), two.test_client()
    assert c1.get("/incr").headers["Set-Cookie"].count("Max-Age=60") == 1
    assert "Max-Age=1209600" in c2.get("/incr").headers["Set-Cookie"]
    assert c1.get("/incr").data == b"2"
    # the first app's session id means nothing to the second app
    key = c1.get_cookie("session").value
    c2.set_cookie("session", key)
    assert c2.get("/incr").data == b"1"
    assert one.session_interface is not two.session_interface


def test_custom_store_by_path(tmp_path, make_module):
    make_module(
        "memory_sessions",
        """
        from flaskkit.plugins.session import SessionStore

        class MemoryStore(SessionStore):
            engine = "memory"

            def __init__(self, app, settings):
                super().__init__(app, settings)
                self.data = {}

            def load(self, key):
                return self.data.get(key)

            def create(self, key, data, expire_date, age):
                if key in self.data:
                    return False
                self.data[key] = data
                return True

            def update(self, key, data, expire_date, age):
                if key not in self.data:
                    return False
                self.data[key] = data
                return True

            def delete(self, key):
                self.data.pop(key, None)
        """,
    )
    app = boot(tmp_path, PLUGINS=["session"], SESSION_ENGINE="memory_sessions:MemoryStore")

    @app.get("/set")
    def set_value():
        from flask import session

        session["a"] = (1, 2)
        return "ok"

    app.test_client().get("/set")
    assert list(app.session_interface.store.data.values()) == ['{"a":{" t":[1,2]}}']
    error = boot_error(tmp_path, PLUGINS=["session"], SESSION_ENGINE="memory_sessions:Nope")
    assert error.message.startswith("SESSION_ENGINE 'memory_sessions:Nope' cannot be imported:")
    error = boot_error(tmp_path, PLUGINS=["session"], SESSION_ENGINE="os.path:join")
    assert error.message.startswith("SESSION_ENGINE 'os.path:join' is <function join")

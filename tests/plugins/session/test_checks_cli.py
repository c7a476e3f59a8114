"""The session plugin's checks (`flask kit check [--deploy]`) and `flask kit clearsessions`."""

from __future__ import annotations

import json
import os
import time

import pytest

from flaskkit import ConfigurationError
from flaskkit import create_app
from flaskkit.checks import Error
from flaskkit.checks import Warning
from tests.conftest import settings

from .conftest import Probe
from .conftest import cookie_value


def boot(tmp_path, **values):
    return create_app(settings(**values), import_name="sessiontests", instance_path=str(tmp_path / "instance"))


def messages(app, **kwargs):
    return [m for m in app.extensions["flaskkit"].run_checks(app, **kwargs).messages if m.id.startswith("session.")]


def test_deploy_check_flags_cookie_secure_off(tmp_path):
    app = boot(tmp_path, PLUGINS=["session"])
    assert messages(app) == []
    assert messages(app, include_deploy=True) == [
        Warning(
            "SESSION_COOKIE_SECURE is off: the session cookie is also sent over plain HTTP, where anyone on the "
            "network can read it and take over the session.",
            hint="Set SESSION_COOKIE_SECURE = True in your production settings and serve the site over HTTPS.",
            obj="SESSION_COOKIE_SECURE",
            id="session.W001",
        )
    ]
    secure = boot(tmp_path, PLUGINS=["session"], SESSION_COOKIE_SECURE=True)
    assert messages(secure, include_deploy=True) == []


def test_deploy_check_through_the_cli(tmp_path):
    app = boot(tmp_path, PLUGINS=["session"], SESSION_COOKIE_HTTPONLY=False)
    result = app.test_cli_runner().invoke(args=["kit", "check", "--deploy"])
    assert result.exit_code == 0
    assert "SESSION_COOKIE_SECURE: (session.W001) SESSION_COOKIE_SECURE is off" in result.output
    assert "SESSION_COOKIE_HTTPONLY: (session.W002) SESSION_COOKIE_HTTPONLY is off" in result.output
    assert "session.W00" not in app.test_cli_runner().invoke(args=["kit", "check"]).output


def test_secure_cookie_is_sent_secure(tmp_path):
    app = boot(tmp_path, PLUGINS=["session"], SESSION_COOKIE_SECURE=True)

    @app.get("/set")
    def set_value():
        from flask import session

        session["a"] = 1
        return "ok"

    assert "; Secure;" in app.test_client().get("/set", base_url="https://localhost").headers["Set-Cookie"]


def test_samesite_none_without_secure(tmp_path):
    app = boot(tmp_path, PLUGINS=["session"], SESSION_COOKIE_SAMESITE="None")
    assert [m.id for m in messages(app)] == ["session.W003"]
    assert boot(tmp_path, PLUGINS=["session"], SESSION_COOKIE_SAMESITE="None", SESSION_COOKIE_SECURE=True)


def test_flask_session_settings_are_pointed_out(tmp_path):
    app = boot(tmp_path, PLUGINS=["session"], SESSION_TYPE="redis", SESSION_PERMANENT=False)
    found = {m.obj: m for m in messages(app)}
    assert found["SESSION_TYPE"] == Warning(
        "SESSION_TYPE is a Flask-Session setting; flaskkit's session plugin does not read it.",
        hint="Use SESSION_ENGINE.",
        obj="SESSION_TYPE",
        id="session.W005",
    )
    assert found["SESSION_PERMANENT"].hint == "Use SESSION_EXPIRE_AT_BROWSER_CLOSE (inverted)."


def test_cache_engine_on_a_dummy_cache_stops_the_boot(tmp_path):
    with pytest.raises(ConfigurationError) as info:
        boot(tmp_path, PLUGINS=["cache", "session"], SESSION_ENGINE="cache", CACHES={"default": {"BACKEND": "dummy"}})
    assert info.value.messages == [
        Error(
            "SESSION_ENGINE is 'cache' but the cache 'default' is a 'dummy' cache, which keeps nothing: every "
            "session would be lost at once.",
            hint="Point SESSION_CACHE_ALIAS at a real cache ('redis', 'file'), or use SESSION_ENGINE = 'file'.",
            obj="SESSION_CACHE_ALIAS",
            id="session.E001",
        )
    ]


def test_cache_engine_on_locmem_is_a_deploy_warning(tmp_path):
    app = boot(tmp_path, PLUGINS=["cache", "session"], SESSION_ENGINE="cache", SESSION_COOKIE_SECURE=True)
    assert messages(app) == []
    assert [m.id for m in messages(app, include_deploy=True)] == ["session.W004"]


def test_cache_engine_works_on_the_default_locmem_cache(tmp_path):
    app = boot(tmp_path, PLUGINS=["cache", "session"], SESSION_ENGINE="cache")

    @app.get("/incr")
    def incr():
        from flask import session

        session["n"] = session.get("n", 0) + 1
        return str(session["n"])

    client = app.test_client()
    assert client.get("/incr").data == b"1"
    assert client.get("/incr").data == b"2"


def test_clearsessions_file_engine(new_app):
    app = new_app("file")
    client = app.test_client()
    keys = [cookie_value(app.test_client().get("/incr")) for _ in range(3)]
    probe = Probe(app)
    probe.expire_now(keys[0])
    probe.expire_now(keys[1])
    with open(os.path.join(probe.store.path, "b" * 32 + ".json"), "w") as file:
        file.write("not json")  # an unreadable file is removed too
    stale = os.path.join(probe.store.path, ".tmp-crashed.tmp")
    with open(stale, "w") as file:
        file.write("{}")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    result = app.test_cli_runner().invoke(args=["kit", "clearsessions"])
    assert result.exit_code == 0, result.output
    assert result.output == "Removed 3 expired sessions (file engine).\n"
    assert probe.session_ids() == {keys[2]}
    assert not os.path.exists(stale)
    assert client.get("/read").json == {"n": None}
    result = app.test_cli_runner().invoke(args=["kit", "clearsessions"])
    assert result.output == "Removed 0 expired sessions (file engine).\n"


def test_clearsessions_before_any_session(new_app):
    result = new_app("file").test_cli_runner().invoke(args=["kit", "clearsessions"])
    assert result.output == "Removed 0 expired sessions (file engine).\n"


@pytest.mark.parametrize(
    ("engine", "output"),
    [
        ("cookie", "The 'cookie' session engine keeps sessions in the browser: there is nothing to clear.\n"),
        (
            "redis",
            "The 'redis' session engine keeps sessions in a store that expires them by itself: there is "
            "nothing to clear.\n",
        ),
    ],
)
def test_clearsessions_on_engines_that_expire_by_themselves(new_app, engine, output):
    result = new_app(engine).test_cli_runner().invoke(args=["kit", "clearsessions"])
    assert (result.exit_code, result.output) == (0, output)


def test_clearsessions_is_listed_under_flask_kit(tmp_path):
    result = boot(tmp_path, PLUGINS=["session"]).test_cli_runner().invoke(args=["kit", "--help"])
    assert "clearsessions" in result.output


def test_file_store_files_are_private(new_app):
    app = new_app("file")
    key = cookie_value(app.test_client().get("/incr"))
    probe = Probe(app)
    assert os.stat(probe.store.path).st_mode & 0o777 == 0o700
    path = os.path.join(probe.store.path, key + ".json")
    assert os.stat(path).st_mode & 0o777 == 0o600
    with open(path) as file:
        record = json.load(file)
    assert set(record) == {"expire_date", "session_data"}

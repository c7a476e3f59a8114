"""Flask's signed-cookie session on a kit app: the same cookies, the signer built once per key."""

from __future__ import annotations

import pytest
from flask import Flask
from flask import session
from flask.sessions import SecureCookieSessionInterface

from flaskkit import Kit
from flaskkit import create_app
from flaskkit.cookie_session import SignedCookieSessionInterface
from tests.conftest import SECRET
from tests.conftest import settings

OTHER_SECRET = "another-secret-key-for-the-cookie-session-tests-0123456789"


def add_views(app):
    @app.get("/read")
    def read():
        return {"n": session.get("n")}

    @app.get("/count")
    def count():
        session["n"] = session.get("n", 0) + 1
        return {"n": session["n"]}

    return app


def kit_app(**values):
    return add_views(create_app(settings(**values)))


def bare_flask(secret=SECRET):
    app = Flask("bare")
    app.config["SECRET_KEY"] = secret
    return add_views(app)


def session_cookie(client):
    cookie = client.get_cookie("session")
    assert cookie is not None, "no session cookie was set"
    return cookie.value


def test_an_app_without_the_session_plugin_gets_it():
    app = create_app(settings())
    assert type(app.session_interface) is SignedCookieSessionInterface
    assert type(Flask.session_interface) is SecureCookieSessionInterface  # Flask's own class is untouched


def test_a_session_round_trips():
    client = kit_app().test_client()
    assert client.get("/count").json == {"n": 1}
    assert client.get("/count").json == {"n": 2}
    assert client.get("/read").json == {"n": 2}


def test_cookies_are_flasks_both_ways():
    # An app moving to flaskkit keeps its users' sessions, and a cookie it signs reads in plain Flask.
    flask_client = bare_flask().test_client()
    flask_client.get("/count")
    kit_client = kit_app().test_client()
    kit_client.set_cookie("session", session_cookie(flask_client))
    assert kit_client.get("/count").json == {"n": 2}
    flask_client.set_cookie("session", session_cookie(kit_client))
    assert flask_client.get("/read").json == {"n": 2}


def test_no_signer_is_built_for_a_request_without_the_cookie(signers_built):
    client = kit_app().test_client()
    for _ in range(3):
        assert client.get("/read").json == {"n": None}
    assert signers_built == []
    assert client.get("/count").json == {"n": 1}  # saving signs: the signer is built now
    assert len(signers_built) == 1


def test_the_signer_is_built_once_while_the_key_stays(signers_built):
    client = kit_app().test_client()
    for expected in range(1, 6):
        assert client.get("/count").json == {"n": expected}
    assert len(signers_built) == 1


def test_a_new_secret_key_invalidates_the_cookie_at_once(signers_built):
    app = kit_app()
    client = app.test_client()
    client.get("/count")
    app.config["SECRET_KEY"] = OTHER_SECRET
    assert client.get("/read").json == {"n": None}  # signed with the old key: not read
    assert client.get("/count").json == {"n": 1}
    assert client.get("/count").json == {"n": 2}
    assert len(signers_built) == 2  # one per key


def test_the_old_key_in_secret_key_fallbacks_still_reads():
    app = kit_app()
    client = app.test_client()
    client.get("/count")
    app.config.update(SECRET_KEY=OTHER_SECRET, SECRET_KEY_FALLBACKS=[SECRET])
    assert client.get("/count").json == {"n": 2}  # read with the fallback, re-signed with the new key
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.get("/read").json == {"n": 2}


def test_a_tampered_cookie_is_an_empty_session():
    client = kit_app().test_client()
    client.get("/count")
    value = session_cookie(client)
    client.set_cookie("session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert client.get("/read").json == {"n": None}


def test_an_expired_permanent_session_is_not_read():
    app = kit_app()

    @app.get("/keep")
    def keep():
        session.permanent = True
        session["n"] = 7
        return ""

    client = app.test_client()
    client.get("/keep")
    app.config["PERMANENT_SESSION_LIFETIME"] = -1  # the signature is now older than the session may live
    assert client.get("/read").json == {"n": None}


def test_without_a_secret_key_flasks_error_names_it():
    app = kit_app()
    app.config["SECRET_KEY"] = None
    app.config["PROPAGATE_EXCEPTIONS"] = True
    client = app.test_client()
    assert client.get("/read").json == {"n": None}  # reading works on Flask's null session
    with pytest.raises(RuntimeError, match="no secret key was set"):
        client.get("/count")


def test_an_interface_the_app_chose_is_kept():
    class Mine(SecureCookieSessionInterface):
        pass

    class MyFlask(Flask):
        session_interface = Mine()

    app = MyFlask("mine")
    app.config.update(settings())
    Kit(app)
    assert type(app.session_interface) is Mine

    app = Flask("set_before")
    app.config.update(settings())
    app.session_interface = mine = Mine()
    Kit(app)
    assert app.session_interface is mine


def test_the_session_plugin_keeps_its_own():
    app = create_app(settings(PLUGINS=["session"], SESSION_ENGINE="cookie"))
    assert not isinstance(app.session_interface, SecureCookieSessionInterface)


def test_the_test_clients_session_transaction_works():
    client = kit_app().test_client()
    with client.session_transaction() as stored:
        stored["n"] = 41
    assert client.get("/count").json == {"n": 42}
    with client.session_transaction() as stored:
        assert stored["n"] == 42


def test_a_request_context_has_a_writable_session():
    app = kit_app()
    with app.test_request_context("/"):
        assert not session and not session.modified
        session["n"] = 1
        assert session.modified

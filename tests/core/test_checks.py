"""The check framework and the kit's own checks."""

from __future__ import annotations

import logging

import pytest

from flaskkit import ConfigurationError
from flaskkit import Plugin
from flaskkit import checks
from flaskkit import create_app
from flaskkit.checks import DEPLOY
from flaskkit.checks import check
from tests.conftest import SECRET
from tests.conftest import settings


def ids(messages):
    return [m.id for m in messages]


def test_message_shape_and_text():
    message = checks.Error("Something is off.", hint="Fix it.", obj="SOME_SETTING", id="demo.E001")
    assert message.level == checks.ERROR
    assert message.level_name == "error"
    assert message.is_serious()
    assert not checks.Warning("w").is_serious()
    assert checks.Warning("w").is_serious(checks.WARNING)
    assert message.is_silenced({"demo.E001"})
    assert str(message) == "SOME_SETTING: (demo.E001) Something is off.\n\tHINT: Fix it."
    assert str(checks.Info("Just so you know.")) == "?: Just so you know."
    assert [checks.Debug("").level, checks.Critical("").level] == [checks.DEBUG, checks.CRITICAL]
    assert message == checks.Error("Something is off.", hint="Fix it.", obj="SOME_SETTING", id="demo.E001")


def test_missing_secret_key_stops_the_boot():
    with pytest.raises(ConfigurationError) as info:
        create_app({"PLUGINS": []})
    message = str(info.value)
    assert "The checks found 1 error:" in message
    assert "(kit.E001) SECRET_KEY is not set." in message
    assert "FLASK_SECRET_KEY" in message
    assert ids(info.value.messages) == ["kit.E001"]


def test_every_error_is_listed_not_only_the_first():
    class Picky(Plugin):
        def checks(self, app):
            yield checks.Error("First problem.", id="picky.E001")
            yield checks.Critical("Second problem.", id="picky.E002")
            yield checks.Warning("Only a warning.", id="picky.W001")

    with pytest.raises(ConfigurationError) as info:
        create_app({"PLUGINS": [Picky]})
    assert "The checks found 3 errors:" in str(info.value)
    assert ids(info.value.messages) == ["kit.E001", "picky.E001", "picky.E002"]


def test_warnings_at_boot_are_logged_not_raised(caplog):
    class Cautious(Plugin):
        def checks(self, app):
            return [checks.Warning("Careful.", id="cautious.W001")]

    with caplog.at_level(logging.WARNING, logger="flaskkit"):
        create_app(settings(PLUGINS=[Cautious]))
    assert "(cautious.W001) Careful." in caplog.text


def test_silenced_checks_are_dropped_and_counted():
    class Noisy(Plugin):
        def checks(self, app):
            return [checks.Error("Known and accepted.", id="noisy.E001")]

    app = create_app(settings(PLUGINS=[Noisy], SILENCED_CHECKS=["noisy.E001"]))
    report = app.extensions["flaskkit"].run_checks()
    assert report.messages == []
    assert report.silenced == 1


def test_deploy_checks_only_run_on_demand():
    app = create_app(settings(DEBUG=True, SECRET_KEY="short"))  # boots: both findings are deploy-only
    kit = app.extensions["flaskkit"]
    assert ids(kit.run_checks().messages) == []
    assert ids(kit.run_checks(include_deploy=True).messages) == ["kit.W001", "kit.W002"]
    assert ids(kit.run_checks(tags=["deploy"]).messages) == ["kit.W001", "kit.W002"]


def test_secret_key_strength_follows_djangos_rule():
    kit = create_app(settings(SECRET_KEY="a" * 60)).extensions["flaskkit"]
    [weak] = kit.run_checks(include_deploy=True).messages
    assert weak.id == "kit.W001"
    assert "it has 60 characters (1 different)" in weak.msg
    strong = create_app(settings()).extensions["flaskkit"]
    assert strong.run_checks(include_deploy=True).messages == []


def test_the_development_key_of_a_new_project_is_reported():
    # flaskkit startproject writes a random key with Django's kind of prefix: long and varied, never for production.
    key = "flaskkit-insecure-" + "Zx9-Kq2_Lm8vPw3RtY7uNb4HcD6fGj1sA5eWo0iQ"
    [insecure] = create_app(settings(SECRET_KEY=key)).extensions["flaskkit"].run_checks(include_deploy=True).messages
    assert insecure.id == "kit.W001"
    assert insecure.msg == (
        "SECRET_KEY is the development key of the project's settings (it starts with 'flaskkit-insecure-'): "
        "anyone who can read the code can forge sessions and CSRF tokens."
    )
    assert insecure.hint.startswith("Set the SECRET_KEY environment variable (which the project's settings read)")


def test_plugin_checks_with_tags_and_the_check_decorator():
    class Shop(Plugin):
        def checks(self, app):
            return [checks.Info("Shop is configured.", id="shop.I001")]

        # (inside the class body, `checks` is the method above: import the decorator by name)
        @check(DEPLOY)
        def check_payments_live(self, app):
            if not app.config.get("PAYMENTS_LIVE"):
                yield checks.Warning("Payments are in test mode.", id="shop.W001")

    kit = create_app(settings(PLUGINS=[Shop])).extensions["flaskkit"]
    assert ids(kit.run_checks().messages) == ["shop.I001"]
    assert ids(kit.run_checks(include_deploy=True).messages) == ["shop.I001", "shop.W001"]
    assert ids(kit.run_checks(tags=["shop"], include_deploy=True).messages) == ["shop.I001", "shop.W001"]
    assert {"shop", "deploy", "security", "settings"} <= kit.checks.tags()


def test_app_registered_checks():
    app = create_app(settings())
    kit = app.extensions["flaskkit"]

    @kit.checks.register("uploads")
    def check_uploads(app):
        return [checks.Error("UPLOAD_FOLDER is missing.", id="myapp.E001")]

    assert ids(kit.run_checks(tags=["uploads"]).messages) == ["myapp.E001"]


def test_a_check_must_return_messages():
    app = create_app(settings())
    kit = app.extensions["flaskkit"]
    kit.checks.register(lambda app: ["not a message"])
    with pytest.raises(TypeError, match=r"which is not a CheckMessage; return flaskkit\.checks\.Error"):
        kit.run_checks()


def test_a_check_that_raises_at_boot_is_reported():
    class Crashing(Plugin):
        def checks(self, app):
            raise ZeroDivisionError("division by zero")

    with pytest.raises(ConfigurationError, match="A check raised ZeroDivisionError while the app booted") as info:
        create_app(settings(PLUGINS=[Crashing]))
    assert isinstance(info.value.__cause__, ZeroDivisionError)


@pytest.mark.parametrize(
    ("key", "hint"),
    [
        ("PLUGIN", "Did you mean PLUGINS?"),
        ("MIDDLEWARES", "Did you mean MIDDLEWARE?"),
        ("INSTALLED_APPS", "Rename it to PLUGINS."),
        ("SILENCED_SYSTEM_CHECKS", "Rename it to SILENCED_CHECKS."),
    ],
)
def test_misspelt_settings_are_flagged(key, hint):
    kit = create_app({"SECRET_KEY": SECRET, key: []}).extensions["flaskkit"]
    [message] = kit.run_checks().messages
    assert (message.id, message.obj, message.hint) == ("kit.W003", key, hint)


def test_misspelt_plugin_settings_are_flagged_too():
    class Mailer(Plugin):
        defaults = {"MAIL_SERVER": "localhost"}

    kit = create_app(settings(PLUGINS=[Mailer], MAIL_SERVR="smtp.example.com", APP_TITLE="x")).extensions["flaskkit"]
    assert [(m.obj, m.hint) for m in kit.run_checks().messages] == [("MAIL_SERVR", "Did you mean MAIL_SERVER?")]


def test_database_checks_never_run_at_boot():
    calls = []

    class Db(Plugin):
        @check(checks.DATABASE)
        def check_migrations(self, app):
            calls.append("ran")
            return [checks.Error("3 unapplied migrations.", id="db.E001")]

    app = create_app(settings(PLUGINS=[Db]))  # boots: the database check did not run
    assert calls == []
    kit = app.extensions["flaskkit"]
    assert ids(kit.run_checks().messages) == ["db.E001"]
    assert ids(kit.run_checks(include_database=False).messages) == []


def test_a_secret_key_that_is_not_a_string_is_an_error(monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", "12345678901234567890")  # JSON-parsed by Flask into an int
    with pytest.raises(ConfigurationError) as info:
        create_app({})
    assert ids(info.value.messages) == ["kit.E002"]
    assert "SECRET_KEY must be a string, not int." in str(info.value)


def test_misspelt_flask_settings_are_flagged():
    kit = create_app(settings(SESSION_COOKIE_SECUR=True)).extensions["flaskkit"]
    assert [(m.obj, m.hint) for m in kit.run_checks().messages] == [
        ("SESSION_COOKIE_SECUR", "Did you mean SESSION_COOKIE_SECURE?")
    ]


def test_checks_run_in_an_app_context_at_boot_too():
    from flask import current_app

    class UsesCurrentApp(Plugin):
        def checks(self, app):
            assert current_app.name == app.name
            return []

    create_app(settings(PLUGINS=[UsesCurrentApp]))


def test_plugins_without_checks_add_no_tag():
    kit = create_app(settings(PLUGINS=["flask_cors:CORS"])).extensions["flaskkit"]
    assert "flask_cors:CORS" not in kit.checks.tags()


def test_middleware_without_the_middleware_plugin_is_flagged():
    kit = create_app(settings(MIDDLEWARE=["myapp.middleware:Timing"])).extensions["flaskkit"]
    [message] = kit.run_checks().messages
    assert (message.id, message.hint) == ("kit.W004", "Add 'middleware' to PLUGINS.")
    with_plugin = create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=[], ALLOWED_HOSTS=["example.com"]))
    with_plugin = with_plugin.extensions["flaskkit"]
    assert with_plugin.run_checks().messages == []

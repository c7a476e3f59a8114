"""Boot phases, defaults, failures inside plugins, signals, and app isolation."""

from __future__ import annotations

import typing as t

import click
import pytest
from flask import Flask

from flaskkit import ConfigurationError
from flaskkit import Kit
from flaskkit import Plugin
from flaskkit import create_app
from flaskkit import get_kit
from flaskkit.signals import kit_ready
from flaskkit.signals import plugin_ready
from tests.conftest import settings


class Recorder(Plugin):
    name = "recorder"
    defaults: t.ClassVar[dict[str, t.Any]] = {"RECORDER_TAGS": ["a"], "RECORDER_LEVEL": 1}

    def configure(self, app):
        app.extensions.setdefault("log", []).append(("configure", self.name))

    def init_app(self, app):
        app.extensions["log"].append(("init_app", self.name))

    def ready(self, app):
        app.extensions["log"].append(("ready", self.name))


class Second(Recorder):
    name = "second"
    requires = ("recorder",)
    defaults: t.ClassVar[dict[str, t.Any]] = {}


def test_phases_run_in_order_for_every_plugin():
    app = create_app(settings(PLUGINS=[Second, Recorder]))
    assert app.extensions["log"] == [
        ("configure", "recorder"),
        ("configure", "second"),
        ("init_app", "recorder"),
        ("init_app", "second"),
        ("ready", "recorder"),
        ("ready", "second"),
    ]


def test_defaults_never_override_the_apps_settings():
    app = create_app(settings(PLUGINS=[Recorder], RECORDER_LEVEL=5))
    assert app.config["RECORDER_LEVEL"] == 5
    assert app.config["RECORDER_TAGS"] == ["a"]


def test_mutable_defaults_are_not_shared_between_apps():
    one = create_app(settings(PLUGINS=[Recorder]))
    two = create_app(settings(PLUGINS=[Recorder]))
    one.config["RECORDER_TAGS"].append("changed")
    assert two.config["RECORDER_TAGS"] == ["a"]
    assert Recorder.defaults["RECORDER_TAGS"] == ["a"]


def test_plugins_mapping_is_ordered_and_read_only():
    kit = create_app(settings(PLUGINS=[Second, Recorder])).extensions["flaskkit"]
    assert isinstance(kit, Kit)
    assert list(kit.plugins) == ["recorder", "second"]
    with pytest.raises(TypeError):
        kit.plugins["x"] = Recorder()  # type: ignore[index]


class Exploding(Plugin):
    name = "exploding"

    def init_app(self, app):
        raise KeyError("REDIS_URL")


def test_exception_in_init_app_names_the_plugin_and_is_chained():
    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=[Exploding]))
    assert str(info.value).startswith("Plugin 'exploding' failed in init_app(): KeyError: 'REDIS_URL'")
    assert info.value.plugin == "exploding"
    assert isinstance(info.value.__cause__, KeyError)


def test_exception_in_ready_is_reported_the_same_way():
    class LateFailure(Plugin):
        def ready(self, app):
            raise ValueError("nope")

    with pytest.raises(
        ConfigurationError, match=r"Plugin 'late_failure' failed in ready\(\): ValueError: nope"
    ) as info:
        create_app(settings(PLUGINS=[LateFailure]))
    assert isinstance(info.value.__cause__, ValueError)


def test_configuration_error_from_a_plugin_passes_through_with_the_plugin_named():
    class Strict(Plugin):
        def configure(self, app):
            raise ConfigurationError("STRICT_MODE must be 'on' or 'off'.", setting="STRICT_MODE")

    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=[Strict]))
    assert str(info.value) == "STRICT_MODE must be 'on' or 'off'."
    assert (info.value.setting, info.value.plugin) == ("STRICT_MODE", "strict")


def test_kit_signals_are_sent_with_the_app_as_sender():
    seen: list[tuple[str, str]] = []

    def on_plugin_ready(app, plugin):
        seen.append(("plugin", plugin.name))

    def on_kit_ready(app, kit):
        seen.append(("kit", ",".join(kit.state(app).plugins)))

    with plugin_ready.connected_to(on_plugin_ready), kit_ready.connected_to(on_kit_ready):
        create_app(settings(PLUGINS=[Second, Recorder]))
    assert seen == [("plugin", "recorder"), ("plugin", "second"), ("kit", "recorder,second")]


def test_kit_on_an_existing_app_and_in_a_factory():
    app = Flask("existing")
    app.config.update(settings(PLUGINS=[Recorder]))
    kit = Kit(app)
    assert app.extensions["flaskkit"] is kit
    assert list(kit.plugins) == ["recorder"]

    shared = Kit()

    def factory(plugins: list[object]) -> Flask:
        app = Flask("factory")
        app.config.update(settings(PLUGINS=plugins))
        shared.init_app(app)
        return app

    one, two = factory([Recorder]), factory([Second, Recorder])
    assert get_kit(one) is get_kit(two) is shared
    assert list(shared.state(one).plugins) == ["recorder"]
    assert list(shared.state(two).plugins) == ["recorder", "second"]
    with two.app_context():
        assert list(shared.plugins) == ["recorder", "second"]
    with pytest.raises(RuntimeError, match=r"This Kit serves 2 apps: work inside an app context"):
        shared.plugins  # noqa: B018


def test_initialising_twice_is_refused():
    app = create_app(settings())
    with pytest.raises(ConfigurationError, match="flaskkit is already initialised on the app"):
        Kit(app)


def test_get_kit_on_a_plain_flask_app():
    with pytest.raises(RuntimeError, match=r"does not use flaskkit: create it with flaskkit\.create_app"):
        get_kit(Flask("plain"))


class Greeter(Plugin):
    name = "greeter"
    defaults: t.ClassVar[dict[str, t.Any]] = {"GREETING": "hello"}

    def commands(self, app):
        @click.command("greet")
        def greet():
            click.echo(app.config["GREETING"])

        return [greet]

    def kit_commands(self, app):
        @click.command("greeting")
        def greeting():
            click.echo(f"greeting is {app.config['GREETING']}")

        return [greeting]


def test_two_apps_in_one_process_stay_apart():
    one = create_app(settings(PLUGINS=[Greeter], GREETING="bonjour"))
    two = create_app(settings(PLUGINS=[Recorder]))
    assert list(one.extensions["flaskkit"].plugins) == ["greeter"]
    assert list(two.extensions["flaskkit"].plugins) == ["recorder"]
    assert one.extensions["flaskkit"] is not two.extensions["flaskkit"]
    assert "GREETING" in one.config and "GREETING" not in two.config
    assert "RECORDER_LEVEL" in two.config and "RECORDER_LEVEL" not in one.config
    assert "greet" in one.cli.commands and "greet" not in two.cli.commands

    result = one.test_cli_runner().invoke(args=["greet"])
    assert result.output == "bonjour\n"
    assert two.test_cli_runner().invoke(args=["greet"]).exit_code == 2
    assert one.test_cli_runner().invoke(args=["kit", "greeting"]).output == "greeting is bonjour\n"
    missing = two.test_cli_runner().invoke(args=["kit", "greeting"])
    assert missing.exit_code == 2
    assert "No such command 'greeting'" in missing.output


def test_conflicting_commands_between_plugins_are_an_error():
    class Other(Greeter):
        name = "other"

    with pytest.raises(
        ConfigurationError, match="The plugins 'greeter' and 'other' both add the command 'flask greet'"
    ):
        create_app(settings(PLUGINS=[Greeter, Other]))


def test_plugin_kit_command_cannot_replace_a_builtin():
    class Clash(Plugin):
        def kit_commands(self, app):
            return [click.Command("check")]

    with pytest.raises(ConfigurationError, match="adds the command 'flask kit check', which flaskkit already has"):
        create_app(settings(PLUGINS=[Clash]))


def test_silenced_checks_must_be_a_list_of_ids():
    with pytest.raises(ConfigurationError, match=r"SILENCED_CHECKS must be a list of check ids, not 'kit.W002'"):
        create_app(settings(SILENCED_CHECKS="kit.W002"))


def test_the_kit_forgets_a_failed_boot_so_a_corrected_retry_works():
    app = Flask("retry")
    app.config.update(settings(PLUGINS=[Exploding]))
    kit = Kit()
    with pytest.raises(ConfigurationError):
        kit.init_app(app)
    assert "flaskkit" not in app.extensions
    app.config["PLUGINS"] = [Recorder]
    kit.init_app(app)
    assert list(kit.plugins) == ["recorder"]


@pytest.mark.parametrize("name", ["run", "routes", "kit"])
def test_a_plugin_command_that_flask_would_shadow_is_an_error(name):
    class Shadowed(Plugin):
        def commands(self, app):
            return [click.Command(name)]

    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=[Shadowed]))
    assert f"adds the command 'flask {name}', but Flask's CLI already has a command {name!r}" in str(info.value)


def test_a_flask_command_installed_after_a_boot_is_seen_at_the_next(make_distribution):
    class Greeter(Plugin):
        def commands(self, app):
            return [click.Command("greet")]

    create_app(settings(PLUGINS=[Greeter]))  # nothing else adds `flask greet` yet
    dist_info = make_distribution("greetings")
    (dist_info / "entry_points.txt").write_text("[flask.commands]\ngreet = greetings:cli\n")
    with pytest.raises(ConfigurationError) as info:
        create_app(settings(PLUGINS=[Greeter]))
    assert "adds the command 'flask greet', but Flask's CLI already has a command 'greet'" in str(info.value)

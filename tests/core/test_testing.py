"""The pytest plugin, as a flaskkit user's own test suite would use it (pytester)."""

from __future__ import annotations

import pytest

from tests.conftest import SECRET


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.syspathinsert()
    pytester.makepyfile(
        proj_settings=f"""
        SECRET_KEY = {SECRET!r}
        PLUGINS = ["proj_plugins:Greeting"]
        GREETING = "hello"
        """,
        proj_plugins="""
        import click
        from flask import current_app
        from flaskkit import Plugin

        class Greeting(Plugin):
            def init_app(self, app):
                @app.get("/")
                def index():
                    return current_app.config["GREETING"]

            def commands(self, app):
                @click.command("greet")
                def greet():
                    click.echo(app.config["GREETING"])
                return [greet]
        """,
    )
    pytester.makeini("[pytest]\nflaskkit_settings = proj_settings\n")
    return pytester


def test_app_client_and_runner_fixtures(project: pytest.Pytester):
    project.makepyfile(
        test_site="""
        def test_app(app):
            assert app.testing
            assert list(app.extensions["flaskkit"].plugins) == ["greeting"]

        def test_client(client):
            assert client.get("/").data == b"hello"

        def test_runner(runner):
            assert runner.invoke(args=["greet"]).output == "hello\\n"

        def test_instance_folder_is_private(app, tmp_path):
            assert app.instance_path == str(tmp_path / "instance")
        """
    )
    project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=4)


def test_marker_overrides_closest_wins(project: pytest.Pytester):
    project.makepyfile(
        test_markers="""
        import pytest

        pytestmark = pytest.mark.kit_settings(GREETING="module")

        def test_module_level(client):
            assert client.get("/").data == b"module"

        @pytest.mark.kit_settings(GREETING="function")
        def test_function_level(client):
            assert client.get("/").data == b"function"

        @pytest.mark.kit_settings({"GREETING": "mapping"}, EXTRA=1)
        def test_mapping_form(app):
            assert (app.config["GREETING"], app.config["EXTRA"]) == ("mapping", 1)

        @pytest.mark.kit_settings(PLUGINS=[])
        def test_plugins_can_be_changed(app):
            assert list(app.extensions["flaskkit"].plugins) == []
        """
    )
    project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=4)


def test_command_line_option_selects_other_settings(project: pytest.Pytester):
    project.makepyfile(
        other_settings=f"SECRET_KEY = {SECRET!r}\nGREETING = 'other'\n",
        test_other="""
        def test_other(app):
            assert app.config["GREETING"] == "other"
            assert list(app.extensions["flaskkit"].plugins) == []
        """,
    )
    project.runpytest("-p", "no:cacheprovider", "--flaskkit-settings", "other_settings").assert_outcomes(passed=1)


def test_environment_variable_beats_the_ini_file(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    project.makepyfile(
        env_settings=f"SECRET_KEY = {SECRET!r}\nGREETING = 'from env'\n",
        test_env="""
        def test_env(app):
            assert app.config["GREETING"] == "from env"
        """,
    )
    monkeypatch.setenv("FLASKKIT_SETTINGS", "env_settings")
    project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_boot_error_fails_the_test_with_the_message(project: pytest.Pytester):
    project.makepyfile(
        test_broken="""
        import pytest

        @pytest.mark.kit_settings(PLUGINS=["nosuch"])
        def test_broken(app):
            pass
        """
    )
    result = project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ConfigurationError: Unknown plugin 'nosuch' in PLUGINS*"])


def test_app_fixture_can_be_overridden_in_conftest(project: pytest.Pytester):
    project.makeconftest(
        """
        import pytest
        from flask import Flask
        from flaskkit import Kit

        @pytest.fixture
        def app():
            app = Flask("handmade")
            app.config.update(SECRET_KEY="x" * 60, PLUGINS=[])
            Kit(app)
            return app
        """
    )
    project.makepyfile(
        test_custom="""
        def test_custom(app, client):
            assert app.name == "handmade"
            assert client.get("/").status_code == 404
        """
    )
    project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


# -- and in this very suite (flaskkit_settings = "tests.settings" in pyproject.toml) ----------


def test_our_own_suite_uses_the_fixtures(app, client, runner):
    assert app.testing
    assert app.config["SECRET_KEY"].startswith("test-only-secret-key")
    assert client.get("/nope").status_code == 404
    assert runner.invoke(args=["kit", "check"]).output == "Checks identified no issues (0 silenced).\n"


@pytest.mark.kit_settings(PLUGINS=["flask_cors:CORS"])
def test_marker_in_our_own_suite(app):
    assert list(app.extensions["flaskkit"].plugins) == ["flask_cors:CORS"]

"""`flask kit plugins` and `flask kit check`, through the test runner and the real `flask` command."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import click
import pytest

from flaskkit import Plugin
from flaskkit import checks
from flaskkit import create_app
from tests.conftest import SECRET
from tests.conftest import settings


class Base(Plugin):
    name = "base"


class Feature(Plugin):
    name = "feature"
    requires = ("base",)


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_plugins_lists_boot_order_and_sources():
    app = create_app(settings(PLUGINS=[Feature, "flask_cors:CORS", Base]), import_name="shop")
    result = run(app, "kit", "plugins")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Plugins of the app 'shop', in boot order:"
    assert lines[1].split() == ["#", "name", "requires", "source"]
    assert lines[2].split()[:3] == ["1", "base", "-"]
    assert lines[3].split()[:3] == ["2", "feature", "base"]
    assert lines[4].split()[:3] == ["3", "flask_cors:CORS", "-"]
    assert lines[4].endswith("Flask extension flask_cors:CORS (wrapped)")
    assert "object tests.core.test_cli:Base" in lines[2]


def test_plugins_with_none_enabled():
    result = run(create_app(settings(), import_name="empty"), "kit", "plugins")
    assert result.output == "The app 'empty' has no plugins: list them in the PLUGINS setting.\n"


def test_check_passes_with_no_issues():
    result = run(create_app(settings()), "kit", "check")
    assert result.exit_code == 0
    assert "Checks identified no issues (0 silenced)." in result.output


def test_check_deploy_reports_warnings_but_exits_zero():
    app = create_app(settings(DEBUG=True))
    assert "no issues" in run(app, "kit", "check").output
    result = run(app, "kit", "check", "--deploy")
    assert result.exit_code == 0
    assert "WARNINGS:" in result.output
    assert "DEBUG: (kit.W002) DEBUG is on." in result.output
    assert "Checks identified 1 issue (0 silenced)." in result.output
    assert run(app, "kit", "check", "--deploy", "--fail-level", "warning").exit_code == 1


def test_check_exits_one_when_an_error_remains():
    app = create_app(settings())

    @app.extensions["flaskkit"].checks.register
    def broken(app):
        return [checks.Error("The thing is broken.", hint="Mend it.", obj="THING", id="app.E001")]

    result = run(app, "kit", "check")
    assert result.exit_code == 1
    assert "ERRORS:\nTHING: (app.E001) The thing is broken.\n\tHINT: Mend it." in result.output
    assert "Checks identified 1 issue (0 silenced)." in result.output


def test_check_counts_silenced():
    app = create_app(settings(DEBUG=True, SILENCED_CHECKS=["kit.W002"]))
    result = run(app, "kit", "check", "--deploy")
    assert "Checks identified no issues (1 silenced)." in result.output


def test_check_tags():
    app = create_app(settings(DEBUG=True))
    tags = run(app, "kit", "check", "--list-tags").output.split()
    assert tags == ["security", "settings"]
    assert "deploy" in run(app, "kit", "check", "--list-tags", "--deploy").output.split()
    result = run(app, "kit", "check", "--tag", "security", "--deploy")
    assert "kit.W002" in result.output
    unknown = run(app, "kit", "check", "--tag", "nosuch")
    assert unknown.exit_code == 2
    assert "There is no check with the tag 'nosuch'. Available tags: deploy, security, settings." in unknown.output


class Sessions(Plugin):
    def kit_commands(self, app):
        @click.command("clearsessions")
        def clearsessions():
            """Remove expired sessions."""
            click.echo(f"cleared for {app.name}")

        return [clearsessions]


def test_plugin_kit_commands_are_listed_in_help():
    app = create_app(settings(PLUGINS=[Sessions]), import_name="site")
    assert "clearsessions" in run(app, "kit", "--help").output
    assert run(app, "kit", "clearsessions").output == "cleared for site\n"


# -- the real `flask` command, in a subprocess ------------------------------------


def flask(tmp_path, app_source: str, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "siteapp.py").write_text(textwrap.dedent(app_source))
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK")}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "siteapp", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


GOOD_APP = f"""
    import click
    from flaskkit import Plugin, create_app

    class Sessions(Plugin):
        def commands(self, app):
            @click.command("hello")
            def hello():
                click.echo("hello from the plugin")
            return [hello]

        def kit_commands(self, app):
            @click.command("clearsessions")
            def clearsessions():
                click.echo("cleared")
            return [clearsessions]

    app = create_app({{"SECRET_KEY": {SECRET!r}, "PLUGINS": [Sessions, "flask_cors:CORS"]}})
"""


def test_flask_cli_plugins_check_and_plugin_commands(tmp_path):
    listed = flask(tmp_path, GOOD_APP, "kit", "plugins")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines()]
    assert rows[2] == ["1", "sessions", "-", "object", "siteapp:Sessions"]
    assert rows[3] == ["2", "flask_cors:CORS", "-", "Flask", "extension", "flask_cors:CORS", "(wrapped)"]
    check = flask(tmp_path, GOOD_APP, "kit", "check")
    assert (check.returncode, check.stdout) == (0, "Checks identified no issues (0 silenced).\n")
    assert flask(tmp_path, GOOD_APP, "hello").stdout == "hello from the plugin\n"
    assert flask(tmp_path, GOOD_APP, "kit", "clearsessions").stdout == "cleared\n"
    assert "clearsessions" in flask(tmp_path, GOOD_APP, "kit", "--help").stdout


def test_flask_cli_check_on_an_app_that_fails_its_checks(tmp_path):
    result = flask(tmp_path, "from flaskkit import create_app\napp = create_app({'PLUGINS': []})\n", "kit", "check")
    assert result.returncode == 1
    assert "ERRORS:\nSECRET_KEY: (kit.E001) SECRET_KEY is not set." in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_flask_cli_on_an_app_that_cannot_boot(tmp_path):
    source = f"from flaskkit import create_app\napp = create_app({{'SECRET_KEY': {SECRET!r}, 'PLUGINS': ['nosuch']}})\n"
    for args in (["kit", "check"], ["kit", "plugins"]):
        result = flask(tmp_path, source, *args)
        assert result.returncode == 1, args
        assert "The app failed to boot: Unknown plugin 'nosuch' in PLUGINS" in result.stderr
        assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("command", ["plugins", "check"])
def test_flask_cli_on_a_plain_flask_app(tmp_path, command):
    result = flask(tmp_path, "from flask import Flask\napp = Flask('plain')\n", "kit", command)
    assert result.returncode == 1
    assert "The app 'plain' does not use flaskkit" in result.stderr

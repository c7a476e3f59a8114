"""create_app: every form of settings, the environment, the instance folder."""

from __future__ import annotations

import os
import textwrap

import pytest

from flaskkit import ConfigurationError
from flaskkit import create_app
from tests.conftest import SECRET
from tests.conftest import settings


def test_import_path(make_module):
    make_module("mysite.settings", f"SECRET_KEY = {SECRET!r}\nPOSTS_PER_PAGE = 7\nlowercase_is_ignored = 1\n")
    app = create_app("mysite.settings")
    assert app.config["POSTS_PER_PAGE"] == 7
    assert "lowercase_is_ignored" not in app.config
    assert app.import_name == "mysite"  # templates and the instance folder sit beside the project


def test_import_path_to_a_class(make_module):
    make_module("mysite.config", f"class Production:\n    SECRET_KEY = {SECRET!r}\n    DEBUG = False\n")
    app = create_app("mysite.config:Production")
    assert app.config["SECRET_KEY"] == SECRET


def test_mapping_and_object():
    class Settings:
        SECRET_KEY = SECRET
        FEATURE = "on"

    assert create_app(settings(FEATURE="on")).config["FEATURE"] == "on"
    assert create_app(Settings).config["FEATURE"] == "on"


def test_py_file_path(tmp_path):
    path = tmp_path / "site_settings.py"
    path.write_text(f"SECRET_KEY = {SECRET!r}\nGREETING = 'hi'\n")
    app = create_app(str(path))
    assert app.config["GREETING"] == "hi"
    assert app.root_path == str(tmp_path)


def test_relative_py_path_is_read_from_the_current_directory(tmp_path, monkeypatch):
    (tmp_path / "local.py").write_text(f"SECRET_KEY = {SECRET!r}\nWHERE = 'cwd'\n")
    monkeypatch.chdir(tmp_path)
    assert create_app("local.py").config["WHERE"] == "cwd"


def test_instance_relative_config_reads_from_the_instance_folder(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "prod.py").write_text(f"SECRET_KEY = {SECRET!r}\nWHERE = 'instance'\n")
    app = create_app("prod.py", instance_path=str(instance), instance_relative_config=True)
    assert app.config["WHERE"] == "instance"
    assert app.instance_path == str(instance)


def test_environment_overrides_settings(monkeypatch):
    monkeypatch.setenv("FLASK_GREETING", "from-env")
    monkeypatch.setenv("FLASK_PAGE_SIZE", "50")
    app = create_app(settings(GREETING="from-settings", PAGE_SIZE=10))
    assert app.config["GREETING"] == "from-env"
    assert app.config["PAGE_SIZE"] == 50  # JSON-parsed, as Flask does


def test_overrides_come_last(monkeypatch):
    monkeypatch.setenv("FLASK_GREETING", "from-env")
    assert create_app(settings(), overrides={"GREETING": "override"}).config["GREETING"] == "override"


def test_settings_from_the_environment_variable(make_module, monkeypatch):
    make_module("envsite.settings", f"SECRET_KEY = {SECRET!r}\nNAME = 'envsite'\n")
    monkeypatch.setenv("FLASKKIT_SETTINGS", "envsite.settings")
    assert create_app().config["NAME"] == "envsite"


def test_secret_key_from_the_environment(monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", SECRET)
    assert create_app().config["SECRET_KEY"] == SECRET


def test_unimportable_settings_module():
    with pytest.raises(ConfigurationError) as info:
        create_app("no_such_project.settings")
    assert "Cannot import the settings 'no_such_project.settings'" in str(info.value)
    assert "FLASKKIT_SETTINGS" in str(info.value)


def test_missing_settings_file(tmp_path):
    with pytest.raises(ConfigurationError, match=r"The settings file '.*nope\.py' does not exist\."):
        create_app(str(tmp_path / "nope.py"))


def test_settings_file_that_raises(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text(textwrap.dedent("SECRET_KEY = undefined_name\n"))
    with pytest.raises(ConfigurationError, match=r"Running the settings file .* raised NameError") as info:
        create_app(str(path))
    assert isinstance(info.value.__cause__, NameError)


def test_settings_of_the_wrong_type():
    with pytest.raises(ConfigurationError, match="create_app\\(\\) cannot read settings from list"):
        create_app(["SECRET_KEY"])  # type: ignore[arg-type]


def test_flask_kwargs_are_passed_through(tmp_path):
    app = create_app(settings(), import_name="custom", static_url_path="/assets", instance_path=str(tmp_path))
    assert (app.name, app.static_url_path, app.instance_path) == ("custom", "/assets", str(tmp_path))
    assert not os.path.exists(tmp_path / "custom")

"""Settings are validated at boot; checks forms.E001 and forms.W001-W003; two apps in one process."""

from __future__ import annotations

import pytest

from flaskkit import ConfigurationError
from flaskkit import create_app
from flaskkit import get_kit
from flaskkit._pip import pip_install
from flaskkit.plugins.forms import FormsPlugin
from flaskkit.plugins.forms.testing import csrf_token
from tests.conftest import settings


def boot(tmp_path, **values):
    values.setdefault("PLUGINS", ["forms"])
    return create_app(settings(**values), instance_path=str(tmp_path / "instance"))


def ids(app, **kwargs):
    return [m.id for m in get_kit(app).run_checks(app, **kwargs).messages]


def test_the_plugin_boots_from_plugins_with_upstreams_keys(tmp_path):
    app = boot(tmp_path)
    plugin = get_kit(app).plugins["forms"]
    assert isinstance(plugin, FormsPlugin)
    assert FormsPlugin.after == ("session", "orm")
    assert app.extensions["csrf"] is plugin.csrf
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None
    assert app.config["WTF_CSRF_METHODS"] == {"POST", "PUT", "PATCH", "DELETE"}
    assert app.config["WTF_CSRF_HEADERS"] == ["X-CSRFToken", "X-CSRF-Token"]
    assert app.config["CSRF_TRUSTED_ORIGINS"] == []
    assert ids(app, include_deploy=True) == []


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"CSRF_TRUSTED_ORIGINS": ["example.com"]},
            "CSRF_TRUSTED_ORIGINS contains 'example.com', which is not an origin: each entry must start with its "
            "scheme, http:// or https:// (as in Django 4.0 and later).\n  Hint: Did you mean 'https://example.com'?",
        ),
        (
            {"CSRF_TRUSTED_ORIGINS": ["https://example.com/app/"]},
            "CSRF_TRUSTED_ORIGINS contains 'https://example.com/app/': an origin has no path, query or fragment.\n"
            "  Hint: Did you mean 'https://example.com'?",
        ),
        (
            {"CSRF_TRUSTED_ORIGINS": "https://example.com"},
            "CSRF_TRUSTED_ORIGINS must be a list of origins, not str 'https://example.com'.\n"
            "  Hint: Write CSRF_TRUSTED_ORIGINS = ['https://example.com'].",
        ),
        (
            {"CSRF_TRUSTED_ORIGINS": [42]},
            "CSRF_TRUSTED_ORIGINS must contain strings, not 42.",
        ),
        (
            {"MAX_CONTENT_LENGTH": "10MB"},
            "MAX_CONTENT_LENGTH must be a number of bytes (an int greater than 0), not '10MB'.\n"
            "  Hint: Write MAX_CONTENT_LENGTH = 10 * 1024 * 1024 (10 MB, the default with the forms plugin).",
        ),
        (
            {"MAX_FORM_PARTS": 0},
            "MAX_FORM_PARTS must be a number of form fields (an int greater than 0) or None, not 0.",
        ),
        (
            {"MEDIA_URL": "/media"},
            "MEDIA_URL must be a URL path or URL that ends with a slash, not '/media'.\n"
            "  Hint: Write MEDIA_URL = '/media/'.",
        ),
        (
            {"MEDIA_ROOT": 42},
            "MEDIA_ROOT must be a directory path, not 42.",
        ),
        (
            {"WTF_CSRF_TIME_LIMIT": "1h"},
            "WTF_CSRF_TIME_LIMIT must be a number of seconds (an int greater than 0) or None, not '1h'.\n"
            "  Hint: Leave it at None (the default: a token lives as long as the session) or write e.g. 3600.",
        ),
    ],
)
def test_bad_settings_stop_the_boot(tmp_path, values, message):
    with pytest.raises(ConfigurationError) as info:
        boot(tmp_path, **values)
    assert str(info.value).startswith(message)
    assert info.value.setting == next(iter(values))
    assert info.value.plugin == "forms"


def test_safe_methods_in_wtf_csrf_methods_are_an_error(tmp_path):
    with pytest.raises(ConfigurationError) as info:
        boot(tmp_path, WTF_CSRF_METHODS=["GET", "POST"])
    assert [m.id for m in info.value.messages] == ["forms.E001"]
    assert "(forms.E001) WTF_CSRF_METHODS includes GET: every such request would need a CSRF token" in str(info.value)


def test_csrf_off_is_a_deploy_warning_outside_testing(tmp_path):
    app = boot(tmp_path, WTF_CSRF_ENABLED=False)
    assert ids(app) == []  # not at boot
    messages = get_kit(app).run_checks(app, include_deploy=True).messages
    assert [m.id for m in messages] == ["forms.W001"]
    assert messages[0].msg.startswith("CSRF protection is off (WTF_CSRF_ENABLED = False)")
    testing = create_app(
        settings(PLUGINS=["forms"], WTF_CSRF_ENABLED=False, TESTING=True), instance_path=str(tmp_path / "t")
    )
    assert ids(testing, include_deploy=True) == []


def test_check_default_off_and_no_field_cap_are_deploy_warnings(tmp_path):
    app = boot(tmp_path, WTF_CSRF_CHECK_DEFAULT=False, MAX_FORM_PARTS=None)
    assert ids(app, include_deploy=True) == ["forms.W002", "forms.W003"]


def test_flask_kit_check_deploy_lists_the_warning(tmp_path):
    app = boot(tmp_path, WTF_CSRF_ENABLED=False)
    result = app.test_cli_runner().invoke(args=["kit", "check", "--deploy"])
    assert "(forms.W001) CSRF protection is off" in result.output


def test_the_settings_are_known_to_the_misspelling_check(tmp_path):
    app = boot(tmp_path, CSRF_TRUSTED_ORIGIN=["https://example.com"])
    messages = get_kit(app).run_checks(app).messages
    assert [(m.id, m.hint) for m in messages] == [("kit.W003", "Did you mean CSRF_TRUSTED_ORIGINS?")]


def test_two_apps_in_one_process_keep_their_own_settings(make):
    strict = make(CSRF_TRUSTED_ORIGINS=[], MAX_FORM_PARTS=5)
    open_ = make(CSRF_TRUSTED_ORIGINS=["https://other.example"], WTF_CSRF_ENABLED=True)
    strict_client, open_client = strict.test_client(), open_.test_client()
    headers = {"Origin": "https://other.example"}
    assert (
        strict_client.post("/echo", data={"csrf_token": csrf_token(strict_client)}, headers=headers).status_code == 403
    )
    assert open_client.post("/echo", data={"csrf_token": csrf_token(open_client)}, headers=headers).status_code == 200
    many = {f"f{i}": "1" for i in range(10)}
    assert strict_client.post("/echo", data={**many, "csrf_token": csrf_token(strict_client)}).status_code == 413
    assert open_client.post("/echo", data={**many, "csrf_token": csrf_token(open_client)}).status_code == 200
    assert strict.extensions["csrf"] is not open_.extensions["csrf"]
    # a token of one app is no good on the other (different sessions)
    assert open_client.post("/echo", data={"csrf_token": csrf_token(strict_client)}).status_code == 403


def test_forms_work_without_sqlalchemy_installed():
    """Only ModelForm and the query fields need SQLAlchemy (the orm extra); they say so."""
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['sqlalchemy'] = None\n"
        "import flaskkit.plugins.forms as forms\n"
        "assert forms.Form and forms.csrf_exempt\n"
        "try:\n"
        "    forms.ModelForm\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout == (
        f"ModelForm needs SQLAlchemy, which is not installed: {pip_install('flaskkit', ['forms', 'orm'])} "
        "and add 'orm' to PLUGINS.\n"
    )

"""Settings are validated at boot; checks forms.E001 and forms.W001-W004; two apps in one process."""

from __future__ import annotations

import pytest

from flaskkit import ConfigurationError
from flaskkit import create_app
from flaskkit import get_kit
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
    # Django's names and defaults for the secret's cookie
    assert {key: app.config[key] for key in app.config if key.startswith("CSRF_") and "TRUSTED" not in key} == {
        "CSRF_USE_SESSIONS": False,
        "CSRF_COOKIE_NAME": "csrftoken",
        "CSRF_COOKIE_AGE": 31449600,
        "CSRF_COOKIE_DOMAIN": None,
        "CSRF_COOKIE_PATH": "/",
        "CSRF_COOKIE_SECURE": False,
        "CSRF_COOKIE_HTTPONLY": False,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "CSRF_HEADER_NAME": "X-CSRFToken",
        "CSRF_FAILURE_VIEW": None,
    }
    assert ids(app, include_deploy=True) == ["forms.W004"]


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
            {"WTF_CSRF_TIME_LIMIT": 600},
            "WTF_CSRF_TIME_LIMIT is 600, but flaskkit's CSRF tokens follow Django's scheme: they do not expire by "
            "themselves; the secret they are made from lives in the CSRF cookie for CSRF_COOKIE_AGE seconds after "
            "the last page that used it.\n"
            "  Hint: Remove WTF_CSRF_TIME_LIMIT, and write CSRF_COOKIE_AGE = 600 to make an unused secret expire "
            "sooner (with CSRF_USE_SESSIONS, it lives as long as the session).",
        ),
        (
            {"WTF_CSRF_TIME_LIMIT": "1h"},
            "WTF_CSRF_TIME_LIMIT is '1h', but flaskkit's CSRF tokens follow Django's scheme",
        ),
        (
            {"CSRF_USE_SESSIONS": "yes"},
            "CSRF_USE_SESSIONS must be True or False, not 'yes'.\n  Hint: Write CSRF_USE_SESSIONS = True.",
        ),
        (
            {"CSRF_COOKIE_SECURE": 1},
            "CSRF_COOKIE_SECURE must be True or False, not 1.",
        ),
        (
            {"CSRF_COOKIE_NAME": ""},
            "CSRF_COOKIE_NAME must be a cookie name (letters, digits, - or _), not ''.",
        ),
        (
            {"CSRF_COOKIE_NAME": "session"},
            "CSRF_COOKIE_NAME and SESSION_COOKIE_NAME are both 'session': the CSRF secret and the session would "
            "overwrite each other's cookie.",
        ),
        (
            {"CSRF_COOKIE_AGE": 0},
            "CSRF_COOKIE_AGE must be a number of seconds (an int greater than 0) or None, not 0.",
        ),
        (
            {"CSRF_COOKIE_DOMAIN": "https://example.com"},
            "CSRF_COOKIE_DOMAIN must be a domain name (e.g. '.example.com') or None, not 'https://example.com'.",
        ),
        (
            {"CSRF_COOKIE_PATH": "app/"},
            "CSRF_COOKIE_PATH must be a URL path starting with '/', not 'app/'.",
        ),
        (
            {"CSRF_COOKIE_SAMESITE": "lax"},
            "CSRF_COOKIE_SAMESITE must be 'Lax', 'Strict', 'None' or False, not 'lax'.\n"
            "  Hint: Write CSRF_COOKIE_SAMESITE = 'Lax'.",
        ),
        (
            {"CSRF_HEADER_NAME": "X CSRF"},
            "CSRF_HEADER_NAME must be the name of an HTTP header, not 'X CSRF'.",
        ),
        (
            {"CSRF_FAILURE_VIEW": "tests.plugins.forms.nowhere:csrf_failure"},
            "CSRF_FAILURE_VIEW 'tests.plugins.forms.nowhere:csrf_failure' cannot be used: it cannot be imported "
            "(No module named 'tests.plugins.forms.nowhere').",
        ),
        (
            {"CSRF_FAILURE_VIEW": 42},
            "CSRF_FAILURE_VIEW 42 cannot be used: 42 is not callable.",
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
    app = boot(tmp_path, WTF_CSRF_CHECK_DEFAULT=False, MAX_FORM_PARTS=None, CSRF_COOKIE_SECURE=True)
    assert ids(app, include_deploy=True) == ["forms.W002", "forms.W003"]


def test_an_insecure_csrf_cookie_is_a_deploy_warning(tmp_path):
    """Django's security.W016."""
    app = boot(tmp_path)
    [message] = get_kit(app).run_checks(app, include_deploy=True).messages
    assert (message.id, message.obj) == ("forms.W004", "CSRF_COOKIE_SECURE")
    assert message.msg == (
        "CSRF_COOKIE_SECURE is not True: the CSRF cookie is also sent over plain HTTP, where a network "
        "eavesdropper can read it."
    )
    assert message.hint == "Set CSRF_COOKIE_SECURE = True once the site is served over HTTPS only."
    assert ids(boot(tmp_path, CSRF_COOKIE_SECURE=True), include_deploy=True) == []
    assert ids(boot(tmp_path, CSRF_USE_SESSIONS=True), include_deploy=True) == []  # no CSRF cookie then


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
    # a token of one app is no good on the other (different secrets)
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
        'ModelForm needs SQLAlchemy, which is not installed: pip install "flaskkit[forms,orm]" '
        "and add 'orm' to PLUGINS.\n"
    )

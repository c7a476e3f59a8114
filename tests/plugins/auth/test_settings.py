"""Boot errors that name the setting and the fix, checks, and two apps with different settings in one process."""

from __future__ import annotations

import pytest

from flaskkit import ConfigurationError
from flaskkit import get_kit
from flaskkit.plugins.auth import get_user_model
from flaskkit.plugins.auth import make_password
from flaskkit.plugins.auth.hashers import get_hashers

from .conftest import PLUGINS
from .conftest import create_user
from .conftest import log_in
from .conftest import stored_hash


def boot_error(make, **values):
    with pytest.raises(ConfigurationError) as info:
        make(migrate=False, **values)
    return info.value


def test_auth_requires_orm_session_and_forms(make):
    error = boot_error(make, PLUGINS=["cache", "auth"])
    assert str(error).splitlines() == [
        "Plugin 'auth' requires 'orm', which is not in PLUGINS: add 'orm' to PLUGINS.",
        "Plugin 'auth' requires 'session', which is not in PLUGINS: add 'session' to PLUGINS.",
        "Plugin 'auth' requires 'forms', which is not in PLUGINS: add 'forms' to PLUGINS.",
    ]


def test_throttling_without_the_cache_plugin_says_to_add_it(make):
    error = boot_error(make, PLUGINS=["orm", "session", "forms", "auth"])
    assert error.message == (
        "The auth plugin throttles failed logins in the cache plugin's cache (AUTH_THROTTLE_CACHE), but the cache "
        "plugin is not enabled: add 'cache' to PLUGINS."
    )
    assert error.hint.endswith("or turn throttling off with AUTH_THROTTLE_ENABLED = False.")
    assert error.plugin == "auth"
    # Without throttling, the cache plugin is not needed.
    app = make(migrate=False, PLUGINS=["orm", "session", "forms", "auth"], AUTH_THROTTLE_ENABLED=False)
    assert list(get_kit(app).state(app).plugins) == ["orm", "session", "forms", "auth"]


def test_plugins_order_does_not_matter(make):
    app = make(migrate=False, PLUGINS=["auth", "signals", "forms", "cache", "session", "orm"])
    order = list(get_kit(app).state(app).plugins)
    assert order.index("auth") > max(order.index(name) for name in ("orm", "session", "forms", "cache", "signals"))


def test_throttle_cache_must_be_an_alias(make):
    error = boot_error(make, AUTH_THROTTLE_CACHE="defualt")
    assert (
        error.message
        == "AUTH_THROTTLE_CACHE is 'defualt', which is not an alias of CACHES ('default'). Did you mean 'default'?"
    )
    assert error.setting == "AUTH_THROTTLE_CACHE"


@pytest.mark.parametrize(
    ("values", "setting", "text"),
    [
        (
            {"AUTH_USER_MODEL": "myapp.nothing:Member"},
            "AUTH_USER_MODEL",
            "AUTH_USER_MODEL is 'myapp.nothing:Member', which cannot be imported",
        ),
        (
            {"AUTH_USER_MODEL": "flaskkit.plugins.auth:Group"},
            "AUTH_USER_MODEL",
            "which is <class 'flaskkit.plugins.auth.models.Group'>, not a user model",
        ),
        (
            {"AUTH_USER_MODEL": "flaskkit.plugins.auth:AbstractUser"},
            "AUTH_USER_MODEL",
            "an abstract class with no table",
        ),
        ({"AUTH_USER_MODEL": "flaskkit.plugins.auth:Usr"}, "AUTH_USER_MODEL", "Did you mean 'User'?"),
        ({"AUTH_USER_MODEL": ""}, "AUTH_USER_MODEL", "AUTH_USER_MODEL must be the import path of the user model"),
        ({"PASSWORD_HASHERS": []}, "PASSWORD_HASHERS", "PASSWORD_HASHERS must be a non-empty list of hasher classes"),
        (
            {"PASSWORD_HASHERS": ["flaskkit.plugins.auth.hashers:WerkzeugPasswordHasher"]},
            "PASSWORD_HASHERS",
            "WerkzeugPasswordHasher can only verify",
        ),
        (
            {"PASSWORD_HASHERS": ["django.contrib.auth.hashers.Argon2PasswordHasher"]},
            "PASSWORD_HASHERS",
            "a Django class that flaskkit does not provide",
        ),
        ({"PASSWORD_HASHERS": ["flaskkit.plugins.auth:Group"]}, "PASSWORD_HASHERS", "which is not a password hasher"),
        (
            {"AUTHENTICATION_BACKENDS": ["flaskkit.plugins.auth.hashers:MD5PasswordHasher"]},
            "AUTHENTICATION_BACKENDS",
            "which is not a backend",
        ),
        (
            {"SESSION_PROTECTION": "paranoid"},
            "SESSION_PROTECTION",
            "SESSION_PROTECTION must be 'basic', 'strong' or None",
        ),
        ({"AUTH_URL_PREFIX": "accounts"}, "AUTH_URL_PREFIX", "AUTH_URL_PREFIX must be a path that starts with '/'"),
        (
            {"AUTH_REGISTRATION_ENABLED": "no"},
            "AUTH_REGISTRATION_ENABLED",
            "AUTH_REGISTRATION_ENABLED must be True or False",
        ),
        ({"AUTH_THROTTLE_USERNAME_LIMIT": 0}, "AUTH_THROTTLE_USERNAME_LIMIT", "must be a whole number greater than 0"),
        (
            {"AUTH_SUCCESS_URL_ALLOWED_HOSTS": "example.com"},
            "AUTH_SUCCESS_URL_ALLOWED_HOSTS",
            "must be a list of host names",
        ),
    ],
)
def test_bad_settings_stop_the_boot(make, values, setting, text):
    error = boot_error(make, **values)
    assert text in str(error)
    assert error.setting == setting


def test_django_paths_are_accepted(make):
    app = make(
        migrate=False,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.ModelBackend"],
    )
    plugin = get_kit(app).state(app).plugins["auth"]
    assert plugin.backends[0][0] == "flaskkit.plugins.auth.backends:ModelBackend"
    assert plugin.hashers.preferred.algorithm == "md5"


def test_two_apps_with_different_settings_in_one_process(make):
    fast = make()
    slow = make(PASSWORD_HASHERS=["flaskkit.plugins.auth.hashers:PBKDF2SHA1PasswordHasher"], AUTH_URL_PREFIX="/users")
    create_user(fast, "ada")
    with fast.app_context():
        assert make_password("x").startswith("md5$")
        assert get_hashers().preferred.algorithm == "md5"
    with slow.app_context():
        assert make_password("x").startswith("pbkdf2_sha1$1000000$")
    assert stored_hash(fast, "ada").startswith("md5$")
    assert fast.test_client().get("/dashboard").headers["Location"] == "/accounts/login/?next=/dashboard"
    assert slow.test_client().get("/dashboard").headers["Location"] == "/users/login/?next=/dashboard"
    assert log_in(fast.test_client()).status_code == 302


def test_deploy_checks(make):
    app = make(migrate=False)  # MD5 first, a locmem cache
    with app.app_context():
        report = get_kit(app).run_checks(app, include_deploy=True, include_database=False)
    ids = {m.id for m in report.messages}
    assert {"auth.W004", "auth.W006"} <= ids
    app = make(migrate=False, AUTH_THROTTLE_ENABLED=False, AUTH_PASSWORD_VALIDATORS=[])
    with app.app_context():
        report = get_kit(app).run_checks(app, include_deploy=True, include_database=False)
    assert {"auth.W002", "auth.W005"} <= {m.id for m in report.messages}


def test_a_dummy_throttle_cache_is_a_warning_at_boot(make, caplog):
    app = make(migrate=False, CACHES={"default": {"BACKEND": "dummy"}})
    assert "auth.W001" in caplog.text
    assert get_kit(app).state(app).plugins["auth"].throttle is not None


def test_get_user_model_needs_an_app(make):
    with pytest.raises(RuntimeError, match="The auth plugin is per app: use it inside a request or an app context"):
        get_user_model()
    app = make(migrate=False, PLUGINS=[*PLUGINS])
    with app.app_context():
        assert get_user_model().__name__ == "User"


def test_shell_context_has_the_models(site):
    with site.app_context():  # as `flask shell` runs
        context = site.make_shell_context()
    assert context["User"].__tablename__ == "auth_user"
    assert {"Group", "Permission"} <= set(context)

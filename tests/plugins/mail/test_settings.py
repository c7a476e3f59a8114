"""The mail settings: Django's names, Flask-Mailman's keys, EMAIL_URL, and the errors at boot."""

from __future__ import annotations

import pytest

from flaskkit import ConfigurationError
from flaskkit.plugins.mail import backends
from flaskkit.plugins.mail import parse_email_url


def test_defaults_are_djangos_with_locmem_in_tests(make_app):
    app = make_app()
    config = app.config
    assert config["EMAIL_BACKEND"] == "locmem"
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"]) == ("localhost", 25)
    assert config["DEFAULT_FROM_EMAIL"] == "webmaster@localhost"
    assert config["SERVER_EMAIL"] == "root@localhost"
    assert config["ADMINS"] == [] and config["MANAGERS"] == []
    # Flask-Mailman reads the same values under its own keys.
    assert config["MAIL_SERVER"] == "localhost" and config["MAIL_DEFAULT_SENDER"] == "webmaster@localhost"
    assert app.extensions["mailman"].backend is backends.LocmemBackend


def test_outside_tests_the_default_backend_is_smtp(make_app):
    assert make_app(TESTING=False).config["EMAIL_BACKEND"] == "smtp"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("smtp", backends.SMTPBackend),
        ("console", backends.ConsoleBackend),
        ("file", backends.FileBackend),
        ("locmem", backends.LocmemBackend),
        ("dummy", backends.DummyBackend),
        ("django.core.mail.backends.console.EmailBackend", backends.ConsoleBackend),
        ("django.core.mail.backends.smtp.EmailBackend", backends.SMTPBackend),
        ("flask_mailman.backends.locmem", backends.LocmemBackend),
        ("flaskkit.plugins.mail.backends:DummyBackend", backends.DummyBackend),
    ],
)
def test_backend_names_and_paths(make_app, value, expected):
    assert make_app(EMAIL_BACKEND=value).extensions["mailman"].backend is expected


def test_unknown_backend_is_a_boot_error_with_a_suggestion(make_app):
    with pytest.raises(ConfigurationError) as info:
        make_app(EMAIL_BACKEND="consle")
    assert "EMAIL_BACKEND is 'consle', which is not a mail backend. Did you mean 'console'?" in str(info.value)
    with pytest.raises(ConfigurationError, match=r"EMAIL_BACKEND names 'myapp\.nowhere:Backend', which cannot be"):
        make_app(EMAIL_BACKEND="myapp.nowhere:Backend")


def test_flask_mailman_keys_are_read_when_djangos_are_not_set(make_app):
    app = make_app(MAIL_SERVER="mail.example.com", MAIL_PORT=2525, MAIL_DEFAULT_SENDER="noreply@example.com")
    assert app.config["EMAIL_HOST"] == "mail.example.com"
    assert app.config["EMAIL_PORT"] == 2525
    assert app.config["DEFAULT_FROM_EMAIL"] == "noreply@example.com"


def test_two_names_with_different_values_are_refused(make_app):
    with pytest.raises(ConfigurationError) as info:
        make_app(EMAIL_HOST="a.example.com", MAIL_SERVER="b.example.com")
    assert str(info.value).startswith(
        "The mail setting EMAIL_HOST is given twice, with different values: EMAIL_HOST gives 'a.example.com', "
        "MAIL_SERVER gives 'b.example.com'."
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://ada:s%40cret@mail.example.com:2525",
            {
                "EMAIL_HOST": "mail.example.com",
                "EMAIL_PORT": 2525,
                "EMAIL_HOST_USER": "ada",
                "EMAIL_HOST_PASSWORD": "s@cret",
                "EMAIL_USE_TLS": False,
                "EMAIL_USE_SSL": False,
            },
        ),
        ("smtp://mail.example.com", {"EMAIL_PORT": 25, "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": ""}),
        ("smtp+tls://u:p@mail.example.com", {"EMAIL_PORT": 587, "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False}),
        ("smtps://u:p@mail.example.com", {"EMAIL_PORT": 465, "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": True}),
        ("smtp://mail.example.com:587?tls=true&timeout=7.5", {"EMAIL_USE_TLS": True, "EMAIL_TIMEOUT": 7.5}),
        ("console://", {"EMAIL_BACKEND": "console"}),
        ("memory://", {"EMAIL_BACKEND": "locmem"}),
        ("dummy://", {"EMAIL_BACKEND": "dummy"}),
        ("file:///var/mail/site", {"EMAIL_BACKEND": "file", "EMAIL_FILE_PATH": "/var/mail/site"}),
    ],
)
def test_email_url(url, expected):
    parsed = parse_email_url(url)
    assert {key: parsed[key] for key in expected} == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("smpt://mail.example.com", "EMAIL_URL has the scheme 'smpt', which is not a mail backend: "),
        ("smtp://", "EMAIL_URL names no host"),
        ("smtp://h?tls=maybe", "EMAIL_URL has ?tls=maybe, which is not true or false."),
        ("smtp://h?timeout=soon", "EMAIL_URL has ?timeout=soon, which is not a number of seconds."),
        ("smtp://h?retries=3", "EMAIL_URL has the parameter 'retries', which flaskkit does not know"),
        ("smtp://h:99999", "EMAIL_URL is not a valid URL"),
    ],
)
def test_bad_email_url_is_a_boot_error(make_app, url, message):
    with pytest.raises(ConfigurationError) as info:
        make_app(EMAIL_URL=url)
    assert message in str(info.value)
    assert info.value.setting == "EMAIL_URL"


def test_email_url_hides_the_password_in_its_errors():
    with pytest.raises(ConfigurationError) as info:
        parse_email_url("smpt://ada:topsecret@mail.example.com")
    assert "topsecret" not in str(info.value)
    assert "ada:********@mail.example.com" in str(info.value)


def test_email_url_setting_configures_the_app(make_app):
    app = make_app(EMAIL_URL="smtp+tls://ada:pw@mail.example.com:587?timeout=10")
    config = app.config
    assert config["EMAIL_BACKEND"] == "smtp"
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"], config["EMAIL_USE_TLS"]) == ("mail.example.com", 587, True)
    assert (config["EMAIL_HOST_USER"], config["EMAIL_HOST_PASSWORD"], config["EMAIL_TIMEOUT"]) == ("ada", "pw", 10.0)


def test_email_url_and_a_different_email_host_are_refused(make_app):
    with pytest.raises(ConfigurationError) as info:
        make_app(EMAIL_URL="smtp://a.example.com", EMAIL_HOST="b.example.com")
    assert "The mail setting EMAIL_HOST is given twice" in str(info.value)
    assert "EMAIL_URL (the EMAIL_URL setting) gives 'a.example.com'" in str(info.value)


def test_the_environment_variable_is_read_outside_tests_only(make_app, monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp://env.example.com:2525")
    assert make_app(TESTING=False).config["EMAIL_HOST"] == "env.example.com"
    # A test suite run from a shell with a production EMAIL_URL never sends real mail.
    tested = make_app()
    assert tested.config["EMAIL_BACKEND"] == "locmem" and tested.config["EMAIL_HOST"] == "localhost"


def test_tls_and_ssl_together_are_refused(make_app):
    with pytest.raises(ConfigurationError, match="EMAIL_USE_TLS and EMAIL_USE_SSL are both True"):
        make_app(EMAIL_USE_TLS=True, EMAIL_USE_SSL=True)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT must be a port number (1-65535), not 'smtp'."),
        ({"EMAIL_USE_TLS": "yes"}, "EMAIL_USE_TLS must be True or False, not 'yes'."),
        ({"EMAIL_TIMEOUT": 0}, "EMAIL_TIMEOUT must be a number of seconds greater than 0 (or None), not 0."),
        ({"ADMINS": "ops@example.com"}, "ADMINS must be a list of email addresses, not 'ops@example.com'."),
        ({"ADMINS": ["not an address"]}, "ADMINS contains 'not an address', which is not an email address."),
        ({"DEFAULT_FROM_EMAIL": "site@example.com\nBcc: x@evil.com"}, "DEFAULT_FROM_EMAIL contains a line break"),
    ],
)
def test_bad_values_are_boot_errors(make_app, values, message):
    with pytest.raises(ConfigurationError) as info:
        make_app(**values)
    assert message in str(info.value)


def test_admins_accept_djangos_pairs_and_plain_addresses(make_app):
    app = make_app(ADMINS=[("Ada Lovelace", "ada@example.com"), "ops@example.com"])
    assert app.config["ADMINS"] == ["Ada Lovelace <ada@example.com>", "ops@example.com"]


def test_file_path_defaults_to_the_instance_folder(make_app):
    app = make_app(EMAIL_BACKEND="file")
    assert app.config["EMAIL_FILE_PATH"] == f"{app.instance_path}/sent-mail"

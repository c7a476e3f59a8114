"""Django's four password validators, with Django's messages, and AUTH_PASSWORD_VALIDATORS."""

from __future__ import annotations

import gzip
import types

import pytest

from flaskkit import ConfigurationError
from flaskkit.plugins.auth import validate_password
from flaskkit.plugins.auth.password_validation import CommonPasswordValidator
from flaskkit.plugins.auth.password_validation import MinimumLengthValidator
from flaskkit.plugins.auth.password_validation import NumericPasswordValidator
from flaskkit.plugins.auth.password_validation import UserAttributeSimilarityValidator
from flaskkit.plugins.auth.password_validation import ValidationError
from flaskkit.plugins.auth.password_validation import get_default_password_validators
from flaskkit.plugins.auth.password_validation import password_validators_help_texts


def messages(password, user=None, validators=None):
    with pytest.raises(ValidationError) as info:
        validate_password(password, user, validators)
    return info.value.messages


def test_numeric_and_common_password_gets_both_messages():
    assert messages("12345678") == ["This password is too common.", "This password is entirely numeric."]


def test_short_password():
    assert messages("a9#kQ") == ["This password is too short. It must contain at least 8 characters."]
    assert MinimumLengthValidator(1).get_error_message() == (
        "This password is too short. It must contain at least 1 character."
    )


def test_a_good_password_passes():
    validate_password("correct-horse-battery", types.SimpleNamespace(username="ada", email="ada@example.com"))


def test_similar_to_the_users_attributes():
    user = types.SimpleNamespace(username="grace.hopper", first_name="Grace", last_name="", email="gh@navy.mil")
    assert messages("gracehopper1", user) == ["The password is too similar to the username."]
    assert messages("GraceLynn#7", types.SimpleNamespace(first_name="Gracelynn", username="x")) == [
        "The password is too similar to the first name."
    ]
    user = types.SimpleNamespace(username="u", email="hopper.grace@navy.mil")
    assert messages("hopper.grace@navy", user) == ["The password is too similar to the email address."]
    with pytest.raises(ValueError, match=r"^max_similarity must be at least 0\.1$"):
        UserAttributeSimilarityValidator(max_similarity=0.05)


def test_common_passwords_are_compared_in_lower_case():
    assert messages("PassWord123") == ["This password is too common."]
    assert messages("  Qwerty123  ") == ["This password is too common."]


def test_common_password_list_can_be_djangos_gzip_file(tmp_path):
    path = tmp_path / "list.txt.gz"
    with gzip.open(path, "wt", encoding="utf-8") as file:
        file.write("hunter2hunter2\nsomething-else\n")
    validator = CommonPasswordValidator(password_list_path=path)
    with pytest.raises(ValidationError, match=r"^This password is too common\.$"):
        validator.validate("Hunter2Hunter2")
    validator.validate("password")  # not in that list


def test_help_texts_are_djangos():
    assert password_validators_help_texts() == [
        "Your password can’t be too similar to your other personal information.",  # noqa: RUF001
        "Your password must contain at least 8 characters.",
        "Your password can’t be a commonly used password.",  # noqa: RUF001
        "Your password can’t be entirely numeric.",  # noqa: RUF001
    ]


def test_the_setting_takes_django_entries_and_options(make):
    app = make(
        migrate=False,
        AUTH_PASSWORD_VALIDATORS=[
            {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
            {"NAME": "flaskkit.plugins.auth.password_validation:NumericPasswordValidator"},
        ],
    )
    with app.app_context():
        validators = get_default_password_validators()
        assert [type(v) for v in validators] == [MinimumLengthValidator, NumericPasswordValidator]
        assert messages("1234567890") == [
            "This password is too short. It must contain at least 12 characters.",
            "This password is entirely numeric.",
        ]
        validate_password("password-long")  # the common-password validator is not listed


def test_an_empty_setting_validates_nothing(make):
    app = make(migrate=False, AUTH_PASSWORD_VALIDATORS=[])
    with app.app_context():
        validate_password("1")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("MinimumLengthValidator", "AUTH_PASSWORD_VALIDATORS must be a list of {'NAME': ..., 'OPTIONS': {...}}"),
        (["MinimumLengthValidator"], "AUTH_PASSWORD_VALIDATORS contains 'MinimumLengthValidator'; each entry is a"),
        (
            [{"NAME": "myapp.nothing:Validator"}],
            "AUTH_PASSWORD_VALIDATORS names 'myapp.nothing:Validator', which cannot",
        ),
        (
            [{"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"length": 3}}],
            "The password validator 'django.contrib.auth.password_validation.MinimumLengthValidator' cannot be made "
            "with OPTIONS {'length': 3}",
        ),
        (
            [{"NAME": "flaskkit.plugins.auth.password_validation:NumericPasswordValidator", "OPTION": {}}],
            "has unknown keys ['OPTION']",
        ),
    ],
)
def test_a_bad_setting_stops_the_boot(make, value, expected):
    with pytest.raises(ConfigurationError) as info:
        make(migrate=False, AUTH_PASSWORD_VALIDATORS=value)
    assert expected in str(info.value)
    assert info.value.setting == "AUTH_PASSWORD_VALIDATORS"

"""Django's four password validators and ``validate_password``.

``AUTH_PASSWORD_VALIDATORS`` lists them as Django does (``NAME`` and
``OPTIONS``); the password forms, ``flask auth createsuperuser`` and
``flask auth changepassword`` run them. The messages are Django's, word for
word::

    AUTH_PASSWORD_VALIDATORS = [
        {"NAME": "flaskkit.plugins.auth.password_validation:UserAttributeSimilarityValidator"},
        {"NAME": "flaskkit.plugins.auth.password_validation:MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
        {"NAME": "flaskkit.plugins.auth.password_validation:CommonPasswordValidator"},
        {"NAME": "flaskkit.plugins.auth.password_validation:NumericPasswordValidator"},
    ]

Django's dotted names (``django.contrib.auth.password_validation.MinimumLengthValidator``)
are accepted too, so settings can be copied from a Django project.
"""

from __future__ import annotations

import functools
import gzip
import re
import typing as t
from difflib import SequenceMatcher
from pathlib import Path

from flask import current_app
from flask import has_app_context
from wtforms.validators import ValidationError as _WTFormsValidationError

from flaskkit.translation import gettext
from flaskkit.translation import gettext_lazy
from flaskkit.translation import ngettext

__all__ = [
    "DEFAULT_PASSWORD_LIST_PATH",
    "DEFAULT_PASSWORD_VALIDATORS",
    "CommonPasswordValidator",
    "MinimumLengthValidator",
    "NumericPasswordValidator",
    "PasswordValidator",
    "UserAttributeSimilarityValidator",
    "ValidationError",
    "get_default_password_validators",
    "password_changed",
    "password_validators_help_texts",
    "validate_password",
]

#: The list of common passwords shipped with flaskkit (one per line, lower case).
DEFAULT_PASSWORD_LIST_PATH = Path(__file__).resolve().with_name("common-passwords.txt")

_MODULE = "flaskkit.plugins.auth.password_validation"

#: ``AUTH_PASSWORD_VALIDATORS`` when the app does not set it: the four of Django's startproject.
DEFAULT_PASSWORD_VALIDATORS: tuple[dict[str, t.Any], ...] = (
    {"NAME": f"{_MODULE}:UserAttributeSimilarityValidator"},
    {"NAME": f"{_MODULE}:MinimumLengthValidator"},
    {"NAME": f"{_MODULE}:CommonPasswordValidator"},
    {"NAME": f"{_MODULE}:NumericPasswordValidator"},
)


class ValidationError(_WTFormsValidationError):
    """A password failed validation: ``messages`` holds every reason (and ``codes`` their codes).

    A WTForms ``ValidationError``, so raising it from a form's ``clean_<field>()``
    or ``clean()`` puts each message on the form.
    """

    def __init__(self, messages: str | t.Sequence[str], code: str | t.Sequence[str] | None = None) -> None:
        listed = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(*listed)
        #: The messages, in the order the validators gave them.
        self.messages: list[str] = listed
        codes = [code] if isinstance(code, str) or code is None else list(code)
        #: A stable code per message (``password_too_short``, ``password_too_common``...).
        self.codes: list[str | None] = codes if len(codes) == len(listed) else [None] * len(listed)

    def __str__(self) -> str:
        return " ".join(self.messages)


@t.runtime_checkable
class PasswordValidator(t.Protocol):
    """What a validator class of ``AUTH_PASSWORD_VALIDATORS`` provides (Django's API)."""

    def validate(self, password: str, user: t.Any = None) -> None:
        """Raise :class:`ValidationError` when ``password`` is not acceptable."""
        ...

    def get_help_text(self) -> str:
        """One sentence that tells the user what this validator wants."""
        ...


class MinimumLengthValidator:
    """The password must have at least ``min_length`` characters (8)."""

    def __init__(self, min_length: int = 8) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: t.Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(self.get_error_message(), code="password_too_short")

    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must contain at least %(min_length)d character.",
            "Your password must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


def exceeds_maximum_length_ratio(password: str, max_similarity: float, value: str) -> bool:
    """Whether ``value`` is too short, next to ``password``, for the similarity test to mean anything.

    Django's shortcut: ``SequenceMatcher`` is quadratic, and a long password
    cannot be "too similar" to a much shorter attribute.
    """
    pwd_len = len(password)
    length_bound_similarity = max_similarity / 2 * pwd_len
    value_len = len(value)
    return pwd_len >= 10 * value_len and value_len < length_bound_similarity


class UserAttributeSimilarityValidator:
    """The password must not be too similar to the user's username, names or email address."""

    DEFAULT_USER_ATTRIBUTES: t.ClassVar[tuple[str, ...]] = ("username", "first_name", "last_name", "email")
    #: How the attributes are named in the message (Django's verbose names).
    VERBOSE_NAMES: t.ClassVar[dict[str, t.Any]] = {
        "username": gettext_lazy("username"),
        "first_name": gettext_lazy("first name"),
        "last_name": gettext_lazy("last name"),
        "email": gettext_lazy("email address"),
    }

    def __init__(self, user_attributes: t.Sequence[str] = DEFAULT_USER_ATTRIBUTES, max_similarity: float = 0.7) -> None:
        self.user_attributes = user_attributes
        if max_similarity < 0.1:
            raise ValueError("max_similarity must be at least 0.1")
        self.max_similarity = max_similarity

    def validate(self, password: str, user: t.Any = None) -> None:
        if not user:
            return
        password = password.lower()
        for attribute in self.user_attributes:
            value = getattr(user, attribute, None)
            if not value or not isinstance(value, str):
                continue
            value_lower = value.lower()
            for part in [*re.split(r"\W+", value_lower), value_lower]:
                if exceeds_maximum_length_ratio(password, self.max_similarity, part):
                    continue
                if SequenceMatcher(a=password, b=part).quick_ratio() >= self.max_similarity:
                    raise ValidationError(
                        self.get_error_message(self._verbose_name(user, attribute)), code="password_too_similar"
                    )

    def _verbose_name(self, user: t.Any, attribute: str) -> str:
        names = getattr(type(user), "verbose_names", None)
        if isinstance(names, t.Mapping) and attribute in names:
            return str(names[attribute])
        return str(self.VERBOSE_NAMES.get(attribute, attribute.replace("_", " ")))

    def get_error_message(self, verbose_name: str = "%(verbose_name)s") -> str:
        return gettext("The password is too similar to the %(verbose_name)s.") % {"verbose_name": verbose_name}

    def get_help_text(self) -> str:
        return gettext("Your password can’t be too similar to your other personal information.")  # noqa: RUF001


@functools.cache
def _read_password_list(path: str) -> frozenset[str]:
    opener: t.Callable[..., t.IO[str]] = gzip.open if path.endswith(".gz") else open  # type: ignore[assignment]
    with opener(path, "rt", encoding="utf-8") as file:
        return frozenset(line.strip() for line in file if line.strip())


class CommonPasswordValidator:
    """The password must not be one of a list of common passwords.

    The list is a text file, one password per line (compressed with gzip when
    its name ends in ``.gz``), compared in lower case. flaskkit ships its own
    list; Django's ``common-passwords.txt.gz`` (20,000 passwords) works too::

        {"NAME": "...:CommonPasswordValidator", "OPTIONS": {"password_list_path": "/path/to/common-passwords.txt.gz"}}
    """

    DEFAULT_PASSWORD_LIST_PATH: t.ClassVar[Path] = DEFAULT_PASSWORD_LIST_PATH

    def __init__(self, password_list_path: str | Path | None = None) -> None:
        path = self.DEFAULT_PASSWORD_LIST_PATH if password_list_path is None else password_list_path
        #: The lower-cased common passwords (read once per file and process).
        self.passwords = _read_password_list(str(path))

    def validate(self, password: str, user: t.Any = None) -> None:
        if password.lower().strip() in self.passwords:
            raise ValidationError(self.get_error_message(), code="password_too_common")

    def get_error_message(self) -> str:
        return gettext("This password is too common.")

    def get_help_text(self) -> str:
        return gettext("Your password can’t be a commonly used password.")  # noqa: RUF001  (Django's text)


class NumericPasswordValidator:
    """The password must not be made of digits only."""

    def validate(self, password: str, user: t.Any = None) -> None:
        if password.isdigit():
            raise ValidationError(self.get_error_message(), code="password_entirely_numeric")

    def get_error_message(self) -> str:
        return gettext("This password is entirely numeric.")

    def get_help_text(self) -> str:
        return gettext("Your password can’t be entirely numeric.")  # noqa: RUF001  (Django's text)


# -- running them -------------------------------------------------------------------------------


def get_default_password_validators() -> list[PasswordValidator]:
    """The current app's validators (``AUTH_PASSWORD_VALIDATORS``); Django's four outside an app."""
    if has_app_context():
        plugin = current_app.extensions.get("flaskkit.auth")
        if plugin is not None:
            return list(plugin.password_validators)
    return [
        UserAttributeSimilarityValidator(),
        MinimumLengthValidator(),
        CommonPasswordValidator(),
        NumericPasswordValidator(),
    ]


def validate_password(
    password: str, user: t.Any = None, password_validators: t.Sequence[PasswordValidator] | None = None
) -> None:
    """Run every validator; raise one :class:`ValidationError` holding all their messages."""
    validators = get_default_password_validators() if password_validators is None else password_validators
    messages: list[str] = []
    codes: list[str | None] = []
    for validator in validators:
        try:
            validator.validate(password, user)
        except ValidationError as error:
            messages.extend(error.messages)
            codes.extend(error.codes)
    if messages:
        raise ValidationError(messages, codes)


def password_changed(
    password: str, user: t.Any = None, password_validators: t.Sequence[PasswordValidator] | None = None
) -> None:
    """Tell the validators that have a ``password_changed(password, user)`` method (a password history)."""
    validators = get_default_password_validators() if password_validators is None else password_validators
    for validator in validators:
        hook = getattr(validator, "password_changed", None)
        if callable(hook):
            hook(password, user)


def password_validators_help_texts(password_validators: t.Sequence[PasswordValidator] | None = None) -> list[str]:
    """The help text of every validator, for a password field's description."""
    validators = get_default_password_validators() if password_validators is None else password_validators
    return [validator.get_help_text() for validator in validators if hasattr(validator, "get_help_text")]

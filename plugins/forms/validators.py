"""Validators with Django's semantics, used by ``ModelForm``'s generated fields."""

from __future__ import annotations

import decimal
import typing as t

from werkzeug.datastructures import FileStorage
from wtforms.validators import StopValidation
from wtforms.validators import ValidationError

from flaskkit.translation import gettext_noop
from flaskkit.translation import ngettext

__all__ = ["DecimalDigits", "FileRequiredUnlessChanging", "Required", "RequiredUnlessCreating"]

REQUIRED_MESSAGE = gettext_noop("This field is required.")


_SIZED = (str, list, tuple, set, frozenset, dict)


def is_empty(value: object) -> bool:
    """Django's ``EMPTY_VALUES``: None, "", and empty lists, tuples, sets and dicts."""
    if value is None:
        return True
    return isinstance(value, _SIZED) and len(value) == 0


def blank_input(field: t.Any) -> bool:
    """Whether the user left ``field`` blank: nothing sent, or only spaces
    (without form data: whether its value is empty)."""
    raw = field.raw_data
    if raw is None:
        return is_empty(field.data)
    if not raw:
        return True
    first = raw[0]
    if isinstance(first, str):
        return not first.strip()
    return not first  # an empty FileStorage


class Required:
    """The field must have a value (Django's ``required=True``): "This field is required."

    Unlike WTForms' ``DataRequired`` it accepts falsy values such as ``0``;
    unlike ``InputRequired`` it refuses a string of spaces; a blank number or
    date gets this message rather than "Not a valid integer value.". A field
    whose input could not be converted keeps only that conversion error.
    Sets the ``required`` flag, so widgets render the HTML attribute.
    """

    field_flags = {"required": True}

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def __call__(self, form: t.Any, field: t.Any) -> None:
        if blank_input(field):
            field.errors[:] = []
            raise StopValidation(self.message or field.gettext(REQUIRED_MESSAGE))
        if field.errors:  # a conversion error, or an invalid choice: that says it
            raise StopValidation()
        if is_empty(field.data):
            raise StopValidation(self.message or field.gettext(REQUIRED_MESSAGE))


class RequiredUnlessCreating(Required):
    """For a NOT NULL column with a default: blank is fine when the form creates
    a row (the column's default applies), required when it changes one.

    The form tells which by its ``creating`` attribute (``ModelForm`` sets it
    and the ``required`` flag of the field).
    """

    field_flags: dict[str, bool] = {}

    def __call__(self, form: t.Any, field: t.Any) -> None:
        if getattr(form, "creating", False) and blank_input(field):
            field.errors[:] = []
            raise StopValidation()
        super().__call__(form, field)


class FileRequiredUnlessChanging:
    """A file column's presence rule: an upload is required when the form creates a
    row (unless ``optional``); when it changes one, no upload keeps the stored file."""

    def __init__(self, optional: bool = False, message: str | None = None) -> None:
        self.optional = optional
        self.message = message
        self.field_flags = {} if optional else {"required": True}

    def __call__(self, form: t.Any, field: t.Any) -> None:
        if isinstance(field.data, FileStorage) and field.data:
            return
        if self.optional or not getattr(form, "creating", True):
            field.errors[:] = []
            raise StopValidation()
        raise StopValidation(self.message or field.gettext(REQUIRED_MESSAGE))


class DecimalDigits:
    """At most ``max_digits`` digits in all, ``decimal_places`` of them after the point
    (a ``Numeric(precision, scale)`` column); Django's ``DecimalValidator`` messages."""

    def __init__(self, max_digits: int | None, decimal_places: int | None) -> None:
        self.max_digits = max_digits
        self.decimal_places = decimal_places

    def __call__(self, form: t.Any, field: t.Any) -> None:
        value = field.data
        if not isinstance(value, decimal.Decimal) or not value.is_finite():
            return
        _sign, digit_tuple, exponent = value.as_tuple()
        assert isinstance(exponent, int)
        if exponent >= 0:
            digits, decimals = len(digit_tuple) + exponent, 0
        elif abs(exponent) > len(digit_tuple):
            digits = decimals = abs(exponent)
        else:
            digits, decimals = len(digit_tuple), abs(exponent)
        whole_digits = digits - decimals
        if self.max_digits is not None and digits > self.max_digits:
            raise ValidationError(
                ngettext(
                    "Ensure that there are no more than %(max)s digit in total.",
                    "Ensure that there are no more than %(max)s digits in total.",
                    self.max_digits,
                )
                % {"max": self.max_digits}
            )
        if self.decimal_places is not None and decimals > self.decimal_places:
            raise ValidationError(
                ngettext(
                    "Ensure that there are no more than %(max)s decimal place.",
                    "Ensure that there are no more than %(max)s decimal places.",
                    self.decimal_places,
                )
                % {"max": self.decimal_places}
            )
        if (
            self.max_digits is not None
            and self.decimal_places is not None
            and whole_digits > self.max_digits - self.decimal_places
        ):
            whole = self.max_digits - self.decimal_places
            raise ValidationError(
                ngettext(
                    "Ensure that there are no more than %(max)s digit before the decimal point.",
                    "Ensure that there are no more than %(max)s digits before the decimal point.",
                    whole,
                )
                % {"max": whole}
            )

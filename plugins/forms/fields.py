"""Fields that WTForms lacks and ``ModelForm`` needs: JSON and UUID (Django's
``forms.JSONField`` and ``forms.UUIDField``)."""

from __future__ import annotations

import json
import typing as t
import uuid

from wtforms.fields import StringField
from wtforms.fields import TextAreaField

from flaskkit.translation import gettext_noop

__all__ = ["BLANK_TEXT", "JSONField", "UUIDField"]

#: The label of the empty choice of a select (Django's ``"---------"``).
BLANK_TEXT = "---------"


class JSONField(TextAreaField):
    """A textarea holding JSON (Django's ``forms.JSONField``): the data is the decoded value."""

    def __init__(self, label: str | None = None, validators: t.Sequence[t.Any] | None = None, **kwargs: t.Any):
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return json.dumps(self.data, ensure_ascii=False, indent=2, sort_keys=True)

    invalid_message = gettext_noop("Enter a valid JSON.")

    def parse(self, text: str) -> t.Any:
        return json.loads(text)

    def process_formdata(self, valuelist: list[t.Any]) -> None:
        _parse_text(self, valuelist)


class UUIDField(StringField):
    """A text input whose data is a :class:`uuid.UUID` (Django's ``forms.UUIDField``)."""

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)

    invalid_message = gettext_noop("Enter a valid UUID.")

    def parse(self, text: str) -> t.Any:
        return uuid.UUID(text)

    def process_formdata(self, valuelist: list[t.Any]) -> None:
        _parse_text(self, valuelist)


def _parse_text(field: t.Any, valuelist: list[t.Any]) -> None:
    """Submitted text -> ``field.parse(text)``; blank is ``None``, unparsable is the field's error."""
    if not valuelist:
        return
    text = str(valuelist[0]).strip()
    if text == "":
        field.data = None
        return
    try:
        field.data = field.parse(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: JSON nested deeper than Python's stack
        field.data = None
        raise ValueError(field.gettext(field.invalid_message)) from exc

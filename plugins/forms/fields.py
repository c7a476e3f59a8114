"""Fields that WTForms lacks and ``ModelForm`` needs: JSON and UUID (Django's
``forms.JSONField`` and ``forms.UUIDField``)."""

from __future__ import annotations

import json
import typing as t
import uuid

from wtforms.fields import StringField
from wtforms.fields import TextAreaField

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

    def process_formdata(self, valuelist: list[t.Any]) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip()
        if text == "":
            self.data = None
            return
        try:
            self.data = json.loads(text)
        except ValueError as exc:
            self.data = None
            raise ValueError(self.gettext("Enter a valid JSON.")) from exc


class UUIDField(StringField):
    """A text input whose data is a :class:`uuid.UUID` (Django's ``forms.UUIDField``)."""

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist: list[t.Any]) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip()
        if text == "":
            self.data = None
            return
        try:
            self.data = uuid.UUID(text)
        except ValueError as exc:
            self.data = None
            raise ValueError(self.gettext("Enter a valid UUID.")) from exc

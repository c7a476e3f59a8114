"""What a form reads from the request, and the input no field may take.

Flask-WTF hands a form ``request.files`` and ``request.form`` combined, and a
JSON body as it is. So a file part sent under a text field's name lands in
the text field (``len(FileStorage)`` then fails in ``Length``), and a JSON
number, object or list reaches fields that expect text. Django keeps the
two apart (``request.POST`` for fields, ``request.FILES`` for file fields)
and its fields clean what they get. Here:

* :class:`FieldFormData` gives file fields (WTForms' ``FileField`` and its
  subclasses, Flask-WTF's included) the files sent under their name, and
  every other field only the text values: a file sent under a text field's
  name is as if nothing was sent ("This field is required.");
* :func:`json_formdata` turns a JSON object into text values, as a browser
  would have sent them (numbers and ``true``/``false`` as JSON writes them,
  nested objects and lists as JSON text); any other JSON body is a 400;
* :func:`prohibit_null_characters` is Django's ``ProhibitNullCharactersValidator``:
  every field of a :class:`~flaskkit.plugins.forms.Form` refuses input
  with a NUL character ("Null characters are not allowed."), which
  PostgreSQL cannot store in text and which no person types.
"""

from __future__ import annotations

import json
import typing as t

from flask import request
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.datastructures import FileStorage
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from wtforms.fields import FieldList
from wtforms.fields import FileField
from wtforms.fields import FormField
from wtforms.validators import StopValidation

__all__ = [
    "NULL_CHARACTERS_MESSAGE",
    "FieldFormData",
    "guard_fields",
    "json_formdata",
    "prohibit_null_characters",
    "request_formdata",
]

#: Django's message (``ProhibitNullCharactersValidator``).
NULL_CHARACTERS_MESSAGE = "Null characters are not allowed."
#: The 400's description for a JSON body that is not an object.
JSON_NOT_AN_OBJECT = 'A JSON body sent to a form must be an object of field names and values: {"title": "..."}.'


def prohibit_null_characters(form: t.Any, field: t.Any) -> None:
    """Refuse input with a NUL character; the field's other errors and validators then do not apply."""
    for value in field.raw_data or ():
        if isinstance(value, str) and "\x00" in value:
            field.errors[:] = []
            raise StopValidation(field.gettext(NULL_CHARACTERS_MESSAGE))


def guard_fields(fields: t.Iterable[t.Any]) -> None:
    """Put :func:`prohibit_null_characters` first in the validators of every field that takes text,
    the fields of nested forms (``FormField``) and lists (``FieldList``) included."""
    for field in fields:
        if isinstance(field, FormField):
            guard_fields(field.form)
        elif isinstance(field, FieldList):
            guard_fields(field.entries)
        elif not isinstance(field, FileField):
            validators = list(field.validators or ())
            if prohibit_null_characters not in validators:
                field.validators = [prohibit_null_characters, *validators]


class FieldFormData:
    """Form data (any ``getlist`` mapping) as the fields of one form may read it: the files sent
    under a name only for a file field of that name, the text values for every field.

    ``file_names`` are the names of the form's file fields; ``file_prefixes`` the prefixes of its
    nested forms and lists that hold file fields (their keys keep the files).
    """

    def __init__(self, data: t.Any, file_names: t.Collection[str], file_prefixes: tuple[str, ...] = ()) -> None:
        self.data = data
        self.file_names = frozenset(file_names)
        self.file_prefixes = file_prefixes

    def _takes_files(self, key: str) -> bool:
        return key in self.file_names or (bool(self.file_prefixes) and key.startswith(self.file_prefixes))

    def getlist(self, key: str) -> list[t.Any]:
        values = list(self.data.getlist(key))
        if self._takes_files(key):
            return values
        return [value for value in values if not isinstance(value, FileStorage)]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self.data and bool(self.getlist(key))

    def __iter__(self) -> t.Iterator[str]:
        return (key for key in dict.fromkeys(self.data) if key in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def get(self, key: str, default: t.Any = None) -> t.Any:
        values = self.getlist(key)
        return values[0] if values else default

    def __getitem__(self, key: str) -> t.Any:
        values = self.getlist(key)
        if not values:
            raise KeyError(key)
        return values[0]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.data!r})"


def json_formdata(value: t.Any) -> MultiDict[str, str]:
    """A JSON body as the text values a browser would send; a body that is not an object is a 400."""
    if not isinstance(value, dict):
        raise BadRequest(JSON_NOT_AN_OBJECT)
    items: list[tuple[str, str]] = []
    for key, item in value.items():
        for one in item if isinstance(item, list) else [item]:
            if one is None:
                continue
            items.append((key, one if isinstance(one, str) else json.dumps(one, ensure_ascii=False)))
    return MultiDict(items)


def request_formdata() -> t.Any:
    """The request's data for a form, as Flask-WTF reads it (files and form, else the JSON body), or None."""
    if request.files:
        return CombinedMultiDict((request.files, request.form))
    if request.form:
        return request.form
    if request.is_json:
        return json_formdata(request.get_json())
    return None


def file_inputs(fields: t.Iterable[t.Any]) -> tuple[set[str], tuple[str, ...]]:
    """The names of the file inputs of a form's bound ``fields`` (those of its nested forms too), and
    the prefixes of its lists that hold file fields (their entries are numbered as the data comes)."""
    names: set[str] = set()
    prefixes: list[str] = []
    for field in fields:
        if isinstance(field, FileField):
            names.add(field.name)
        elif isinstance(field, FormField):
            _declared_file_inputs(field.form_class, field.name + field.separator, names, prefixes)
        elif isinstance(field, FieldList) and _unbound_holds_files(field.unbound_field):
            prefixes.append(field.name + getattr(field, "_separator", "-"))
    return names, tuple(prefixes)


def _declared_fields(form_class: t.Any) -> list[tuple[str, t.Any]]:
    """The unbound fields a WTForms form class declares (what ``FormMeta`` collects), by name."""
    found = getattr(form_class, "_unbound_fields", None)
    if found:
        return list(found)
    return [
        (name, getattr(form_class, name))
        for name in dir(form_class)
        if not name.startswith("_") and hasattr(getattr(form_class, name, None), "_formfield")
    ]


def _declared_file_inputs(form_class: t.Any, prefix: str, names: set[str], prefixes: list[str], depth: int = 0) -> None:
    if depth > 10:  # deeper than any real form: keep the files of everything below
        prefixes.append(prefix)
        return
    for name, unbound in _declared_fields(form_class):
        field_class = getattr(unbound, "field_class", None)
        if not isinstance(field_class, type):
            continue
        args, kwargs = getattr(unbound, "args", ()), getattr(unbound, "kwargs", {})
        if issubclass(field_class, FileField):
            names.add(prefix + name)
        elif issubclass(field_class, FormField):
            inner = kwargs.get("form_class", args[0] if args else None)
            separator = kwargs.get("separator", "-")
            _declared_file_inputs(inner, prefix + name + separator, names, prefixes, depth + 1)
        elif issubclass(field_class, FieldList) and _unbound_holds_files(unbound, depth + 1):
            prefixes.append(prefix + name + kwargs.get("separator", "-"))


def _unbound_holds_files(unbound: t.Any, depth: int = 0) -> bool:
    """Whether an unbound field (a list's entry) is, or holds, a file field."""
    field_class = getattr(unbound, "field_class", None)
    if not isinstance(field_class, type) or depth > 10:
        return False
    if issubclass(field_class, FileField):
        return True
    args, kwargs = getattr(unbound, "args", ()), getattr(unbound, "kwargs", {})
    if issubclass(field_class, FormField):
        inner = kwargs.get("form_class", args[0] if args else None)
        return any(_unbound_holds_files(u, depth + 1) for _name, u in _declared_fields(inner))
    if issubclass(field_class, FieldList):
        return _unbound_holds_files(kwargs.get("unbound_field", args[0] if args else None), depth + 1)
    return False


def for_fields(data: t.Any, fields: t.Iterable[t.Any]) -> FieldFormData | None:
    """``data`` (form data, or None) wrapped for the bound ``fields`` of one form."""
    if data is None:
        return None
    if isinstance(data, FieldFormData):
        data = data.data
    names, prefixes = file_inputs(fields)
    return FieldFormData(data, names, prefixes)

"""How the admin names models and fields, and shows values (Django's ``admin.utils``).

Every value reaches the page as text that Jinja escapes, except a
:class:`markupsafe.Markup` that a ``@admin.display`` method returned on
purpose (Django's ``format_html``): a ``<script>`` in a title, a JSON
document or a related object's ``__str__`` is shown, never run.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import json
import re
import typing as t
from dataclasses import dataclass

import sqlalchemy as sa
from markupsafe import Markup
from markupsafe import escape
from sqlalchemy.orm import ColumnProperty
from sqlalchemy.orm import RelationshipProperty

from flaskkit.plugins.auth.permissions import app_label as _app_label
from flaskkit.plugins.auth.permissions import model_name as _model_name
from flaskkit.plugins.auth.permissions import verbose_name as _verbose_name
from flaskkit.plugins.forms.converters import humanize
from flaskkit.translation import gettext

__all__ = [
    "ModelOptions",
    "app_verbose_name",
    "boolean_icon",
    "choice_label",
    "display_for_value",
    "field_label",
    "model_options",
]

#: Django's names of its own apps, for the index (other apps: the label in title case).
APP_NAMES = {"auth": "Authentication and Authorization", "admin": "Administration"}

#: The longest JSON shown in a change list cell before "…".
JSON_IN_LIST = 120


@dataclass(frozen=True)
class ModelOptions:
    """Django's ``Model._meta``, the parts the admin reads."""

    app_label: str
    model_name: str
    object_name: str
    verbose_name: str
    verbose_name_plural: str


def model_options(model: type) -> ModelOptions:
    meta = getattr(model, "Meta", None)
    verbose = _verbose_name(model)
    plural = getattr(meta, "verbose_name_plural", None)
    if not isinstance(plural, str) or not plural:
        plural = f"{verbose}s"
    return ModelOptions(_app_label(model), _model_name(model), model.__name__, verbose, plural)


def app_verbose_name(app_label: str) -> str:
    """The name of an app on the index: ``"blog"`` -> ``"Blog"``."""
    return APP_NAMES.get(app_label) or app_label.replace("_", " ").title()


def capfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


def field_label(model: type, name: str) -> str:
    """A field's label: ``info={"label": ...}`` of the column or relationship, else its name in words."""
    prop = sa.inspect(model).attrs.get(name)
    info: t.Mapping[str, t.Any] = {}
    if isinstance(prop, ColumnProperty) and len(prop.columns) == 1:
        info = getattr(prop.columns[0], "info", {}) or {}
    elif isinstance(prop, RelationshipProperty):
        info = prop.info
    verbose = getattr(model, "verbose_names", {}).get(name) if hasattr(model, "verbose_names") else None
    label = info.get("label") or verbose or humanize(name)
    return capfirst(str(label))


def choice_label(value: enum.Enum) -> str:
    """An enum member as people read it: its ``label`` if it has one, else its string value, else its name."""
    label = getattr(value, "label", None)
    if isinstance(label, str):
        return label
    if isinstance(value.value, str):
        return value.value
    return value.name.replace("_", " ").capitalize()


def boolean_icon(value: bool | None) -> Markup:
    """Django's yes/no/unknown icon, as text with an accessible name (no image, no inline style)."""
    if value is None:
        return Markup('<span class="icon-unknown" role="img" aria-label="{0}" title="{0}">?</span>').format(
            gettext("Unknown")
        )
    if value:
        return Markup('<span class="icon-yes" role="img" aria-label="{0}" title="{0}">✔</span>').format(gettext("Yes"))
    return Markup('<span class="icon-no" role="img" aria-label="{0}" title="{0}">✘</span>').format(gettext("No"))


def format_datetime(value: datetime.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC)
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    return value.strftime("%Y-%m-%d %H:%M:%S")


def display_for_value(
    value: t.Any, empty_value_display: str, *, boolean: bool = False, in_list: bool = True
) -> str | Markup:
    """The text (or trusted Markup) that shows ``value`` in a list cell or a read-only field."""
    if boolean:
        return boolean_icon(None if value is None else bool(value))
    if value is None or (value == "" and not isinstance(value, Markup)):
        return empty_value_display
    if isinstance(value, Markup):
        return value
    if isinstance(value, bool):
        return boolean_icon(value)
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return choice_label(value)
    if isinstance(value, decimal.Decimal | float | int):
        return str(value)
    if isinstance(value, dict):
        return _json_text(value, in_list)
    if isinstance(value, list | tuple | set) and value and all(_is_model(item) for item in value):
        return ", ".join(str(item) for item in value)
    if isinstance(value, list | tuple):
        return _json_text(value, in_list) if value else empty_value_display
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return str(value)


def _json_text(value: t.Any, in_list: bool) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if in_list and len(text) > JSON_IN_LIST:
        return text[: JSON_IN_LIST - 1] + "…"
    return text


def _is_model(value: object) -> bool:
    try:
        sa.inspect(value)
    except sa.exc.NoInspectionAvailable:
        return False
    return True


def linebreaks(text: str) -> Markup:
    """Escape ``text`` and keep its line breaks (read-only text fields)."""
    return Markup("<br>".join(str(escape(line)) for line in re.split(r"\r\n|\r|\n", text)))


# -- list_display and readonly_fields entries ------------------------------------------------------


@dataclass(frozen=True)
class DisplayItem:
    """One entry of ``list_display`` (or ``readonly_fields``), resolved: how to get and show its value."""

    #: The entry's name: the field or method name, or the function's ``__name__``.
    name: str
    #: The column heading (or the read-only field's label).
    label: str
    #: ``"field"`` (a column), ``"relation"``, ``"callable"``, ``"admin"`` (a ModelAdmin method),
    #: ``"model"`` (a model attribute or method) or ``"str"`` (``"__str__"``).
    kind: str
    #: ``getter(obj)`` gives the raw value.
    getter: t.Callable[[t.Any], t.Any]
    boolean: bool = False
    empty_value: str | None = None
    #: The field path the column sorts by (``"-pub_date"`` sorts descending first), or None.
    order_field: str | None = None
    #: The function (callable, admin method or model method), for its ``short_description``...
    function: t.Any = None

    @property
    def css_name(self) -> str:
        return re.sub(r"[^\w-]", "_", self.name)


class DisplayItemError(LookupError):
    """A ``list_display``/``readonly_fields`` entry names nothing usable."""


def _admin_method(model_admin: t.Any, name: str) -> t.Any:
    """A method that the user's ModelAdmin subclass defines (not an attribute of the base classes)."""
    from .inlines import InlineModelAdmin
    from .options import ModelAdmin

    owner = model_admin if isinstance(model_admin, type) else type(model_admin)
    for klass in owner.__mro__:
        if klass in (ModelAdmin, InlineModelAdmin) or klass.__module__.startswith("flask_admin."):
            break
        if name in klass.__dict__:
            value = getattr(model_admin, name)
            return value if callable(value) else None
    return None


def resolve_display_item(model_admin: t.Any, model: type, item: t.Any) -> DisplayItem:
    """Resolve a ``list_display`` entry as Django does: a field, a callable, a ModelAdmin method,
    or a model attribute; :class:`DisplayItemError` when it is none of them."""
    mapper = sa.inspect(model)
    if callable(item) and not isinstance(item, str):
        name = getattr(item, "__name__", repr(item))
        return _from_function(name, item, lambda obj, f=item: f(obj), "callable")
    if not isinstance(item, str):
        raise DisplayItemError(f"{item!r} is not a field name, a method name or a callable.")
    if item == "__str__":
        return DisplayItem("__str__", capfirst(model_options(model).verbose_name), "str", str)
    if item == "password" and is_user_model(model):
        # Never the hash itself: Django's ReadOnlyPasswordHashWidget summary (algorithm, masked salt and hash).
        return DisplayItem("password", "Password", "field", lambda obj: password_summary(obj.password))
    prop = mapper.attrs.get(item)
    if isinstance(prop, ColumnProperty):
        column = prop.columns[0] if len(prop.columns) == 1 else None
        is_bool = column is not None and isinstance(_base(column.type), sa.Boolean)
        return DisplayItem(
            item,
            field_label(model, item),
            "field",
            lambda obj, k=item: getattr(obj, k),
            boolean=is_bool,
            order_field=item,
        )
    if isinstance(prop, RelationshipProperty):
        order = item if not prop.uselist else None
        return DisplayItem(
            item,
            field_label(model, item),
            "relation",
            lambda obj, k=item: getattr(obj, k),
            order_field=order,
        )
    method = _admin_method(model_admin, item)
    if method is not None:
        return _from_function(item, method, method, "admin")
    attribute = getattr(model, item, None)
    if attribute is not None or hasattr(model, item):
        if isinstance(attribute, property):
            fget = attribute.fget
            return _from_function(item, fget, lambda obj, k=item: getattr(obj, k), "model")
        if callable(attribute):
            return _from_function(item, attribute, lambda obj, k=item: getattr(obj, k)(), "model")
        return DisplayItem(item, capfirst(item.replace("_", " ")), "model", lambda obj, k=item: getattr(obj, k))
    names = [p.key for p in mapper.attrs]
    owner = model_admin if isinstance(model_admin, type) else type(model_admin)
    raise DisplayItemError(
        f"{item!r} is not a callable or attribute of {owner.__name__}, or an attribute, method, or field "
        f"on {model.__name__}. Its fields: {', '.join(names)}."
    )


def is_user_model(model: type) -> bool:
    """Whether ``model`` is a user model (its ``password`` column holds a hash that must never be shown)."""
    from flaskkit.plugins.auth.models import AbstractBaseUser

    return isinstance(model, type) and issubclass(model, AbstractBaseUser)


def password_summary(encoded: str | None) -> str:
    """``"algorithm: pbkdf2_sha256 iterations: 1000000 salt: ab****** hash: Zx******"`` (nothing readable)."""
    from flaskkit.plugins.auth.hashers import identify_hasher
    from flaskkit.plugins.auth.hashers import is_password_usable

    if not encoded or not is_password_usable(encoded):
        return gettext("No password set.")
    try:
        summary = identify_hasher(encoded).safe_summary(encoded)
    except (ValueError, KeyError, TypeError, NotImplementedError):
        return gettext("Invalid password format or unknown hashing algorithm.")
    return " ".join(f"{key}: {value}" for key, value in summary.items())


def _from_function(name: str, function: t.Any, getter: t.Callable[[t.Any], t.Any], kind: str) -> DisplayItem:
    description = getattr(function, "short_description", None)
    if description is None:
        description = "" if name == "<lambda>" else capfirst(name.replace("_", " "))
    return DisplayItem(
        name,
        str(description),
        kind,
        getter,
        boolean=bool(getattr(function, "boolean", False)),
        empty_value=getattr(function, "empty_value_display", None),
        order_field=getattr(function, "admin_order_field", None),
        function=function,
    )


def _base(type_: sa.types.TypeEngine[t.Any]) -> sa.types.TypeEngine[t.Any]:
    while isinstance(type_, sa.types.TypeDecorator):
        type_ = type_.impl_instance
    return type_

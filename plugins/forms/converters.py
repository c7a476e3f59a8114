"""From a SQLAlchemy mapping to form fields, with Django's ``ModelForm`` rules.

A small in-house generator rather than wtforms-sqlalchemy's ``model_form``,
which makes a NOT NULL Boolean with a default required (an unchecked box is
refused), has no unique check and yields deprecated raw tuples from its
select fields, or wtforms-alchemy's, which generates no relationship fields.

The rules, column by column:

* the label is ``Meta.labels[name]``, else ``info={"label": ...}`` on the
  column or relationship, else the name with spaces ("published at");
  ``Meta.help_texts`` / ``info={"description": ...}`` give the description;
  ``info={"validators": [...]}`` adds validators;
* a String gets ``Length(max=...)``; text is stripped (Django's ``strip``);
  Integer, SmallInteger and BigInteger get their range; Numeric its digits;
* nullable: optional, blank is stored as None; NOT NULL with a default:
  optional when creating (the default applies), required when changing a
  row; a String whose default is ``""``: optional, blank is ``""``;
  otherwise required;
* a Boolean is never required: an unchecked box is False;
* many-to-one: a select of the related rows (a blank "---------" first);
  many-to-many: a multiple select; one-to-many is not editable here;
* left out of ``"__all__"`` / ``exclude``: primary keys that the database or a
  default fills, foreign-key columns (their relationship is the field),
  computed columns, columns with ``onupdate`` and ``info={"editable": False}``.
"""

from __future__ import annotations

import datetime
import difflib
import enum
import re
import typing as t
from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa
from flask_wtf.file import FileField
from sqlalchemy.orm import ColumnProperty
from sqlalchemy.orm import Mapper
from sqlalchemy.orm import RelationshipDirection
from sqlalchemy.orm import RelationshipProperty
from wtforms import fields as wtf
from wtforms.fields.choices import SelectChoice
from wtforms.fields.choices import enum_choices
from wtforms.fields.choices import enum_coerce
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from flaskkit import ConfigurationError
from flaskkit.translation import gettext_lazy

from .fields import BLANK_TEXT
from .fields import JSONField
from .fields import UUIDField
from .queryfields import QuerySelectField
from .queryfields import QuerySelectMultipleField
from .storage import UploadTo
from .validators import DecimalDigits
from .validators import FileRequiredUnlessChanging
from .validators import Required
from .validators import RequiredUnlessCreating

__all__ = ["ALL_FIELDS", "ModelField", "check_names", "editable_names", "humanize", "model_fields", "selected_names"]

#: ``Meta.fields = "__all__"``: every editable field of the model.
ALL_FIELDS = "__all__"

#: How a blank submission is stored.
BLANK_REQUIRED = "required"  # refused
BLANK_NULL = "null"  # stored as None
BLANK_EMPTY = "empty"  # stored as "" (a NOT NULL string whose default is "")
BLANK_DEFAULT = "default"  # the column default applies when creating; refused when changing
BLANK_FALSE = "false"  # a Boolean: unchecked is False

_AT_LEAST = gettext_lazy("Ensure this value is greater than or equal to %(min)s.")
_AT_MOST = gettext_lazy("Ensure this value is less than or equal to %(max)s.")
_INTEGER_RANGES: list[tuple[type[sa.types.TypeEngine[t.Any]], int, int]] = [
    (sa.SmallInteger, -(2**15), 2**15 - 1),
    (sa.BigInteger, -(2**63), 2**63 - 1),
    (sa.Integer, -(2**31), 2**31 - 1),
]


@dataclass
class ModelField:
    """One model attribute a ``ModelForm`` edits."""

    name: str
    #: "column", "many_to_one" or "many_to_many".
    kind: str
    prop: ColumnProperty[t.Any] | RelationshipProperty[t.Any]
    #: The table columns the field sets (for a many-to-one: the foreign key).
    columns: tuple[sa.Column[t.Any], ...]
    blank: str
    #: The model-level label ("Title"), used in "Article with this Title already exists."
    verbose_name: str
    unbound: t.Any = None
    #: For a many-to-one: local column -> attribute name on the related object.
    remote_keys: dict[sa.Column[t.Any], str] = field(default_factory=dict)
    #: For a file column (``info={"upload_to": ...}``): where uploads are stored.
    upload_to: UploadTo | None = None


def humanize(name: str) -> str:
    """``"published_at"`` -> ``"Published at"`` (Django's ``capfirst(verbose_name)``)."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def model_verbose_name(model: type[t.Any]) -> str:
    """``BlogPost`` -> ``"Blog post"``, or ``__table__.info["verbose_name"]``."""
    table = getattr(model, "__table__", None)
    name = table.info.get("verbose_name") if table is not None else None
    if not name:
        name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", model.__name__).lower()
    return humanize(str(name))


def _base_type(type_: sa.types.TypeEngine[t.Any]) -> sa.types.TypeEngine[t.Any]:
    while isinstance(type_, sa.types.TypeDecorator):
        type_ = type_.impl_instance
    return type_


def _column_of(prop: ColumnProperty[t.Any]) -> sa.Column[t.Any] | None:
    column = prop.columns[0] if len(prop.columns) == 1 else None
    return column if isinstance(column, sa.Column) else None


def _has_default(column: sa.Column[t.Any]) -> bool:
    return column.default is not None or column.server_default is not None


def _scalar_default(column: sa.Column[t.Any]) -> t.Any:
    default = column.default
    if default is not None and getattr(default, "is_scalar", False):
        return getattr(default, "arg", None)
    return None


def _relationship_kind(prop: RelationshipProperty[t.Any]) -> str | None:
    if prop.viewonly:
        return None
    if prop.direction is RelationshipDirection.MANYTOONE and not prop.uselist:
        return "many_to_one"
    if prop.direction is RelationshipDirection.MANYTOMANY:
        return "many_to_many"
    if prop.direction is RelationshipDirection.ONETOMANY and not prop.uselist:
        return None  # the other side of a one-to-one: edited from the side holding the key
    return None


def _fk_columns_with_relationship(mapper: Mapper[t.Any]) -> set[sa.Column[t.Any]]:
    covered: set[sa.Column[t.Any]] = set()
    for prop in mapper.relationships:
        if _relationship_kind(prop) == "many_to_one":
            covered.update(t.cast("set[sa.Column[t.Any]]", set(prop.local_columns)))
    return covered


def _editable_by_default(mapper: Mapper[t.Any], prop: t.Any, covered: set[sa.Column[t.Any]]) -> bool:
    """Whether ``prop`` is in ``"__all__"`` (and in what ``exclude`` starts from)."""
    if isinstance(prop, RelationshipProperty):
        return _relationship_kind(prop) is not None and prop.info.get("editable", True)
    if not isinstance(prop, ColumnProperty):
        return False
    column = _column_of(prop)
    if column is None or not column.info.get("editable", True):
        return False
    if column.computed is not None or column.onupdate is not None or column.server_onupdate is not None:
        return False
    if column.primary_key and (_has_default(column) or column.autoincrement is True or _is_auto_pk(column)):
        return False
    return column not in covered


def _is_auto_pk(column: sa.Column[t.Any]) -> bool:
    table = column.table
    return bool(
        isinstance(table, sa.Table)
        and table.autoincrement_column is column
        and isinstance(_base_type(column.type), sa.Integer)
    )


def editable_names(model: type[t.Any]) -> list[str]:
    """The names ``fields = "__all__"`` selects, in the model's order."""
    mapper = sa.inspect(model)
    covered = _fk_columns_with_relationship(mapper)
    by_column: dict[sa.Column[t.Any], str] = {}
    for prop in mapper.relationships:
        if _relationship_kind(prop) == "many_to_one" and _editable_by_default(mapper, prop, covered):
            for column in prop.local_columns:
                by_column.setdefault(t.cast("sa.Column[t.Any]", column), prop.key)
    names: list[str] = []
    for prop in mapper.column_attrs:
        column = _column_of(prop)
        if column is not None and column in by_column:
            if by_column[column] not in names:
                names.append(by_column[column])
        elif _editable_by_default(mapper, prop, covered):
            names.append(prop.key)
    for prop in mapper.relationships:
        if prop.key not in names and _editable_by_default(mapper, prop, covered):
            names.append(prop.key)
    return names


def check_names(
    form_name: str,
    model: type[t.Any],
    fields: t.Sequence[str] | str | None,
    exclude: t.Sequence[str] | None,
    declared: t.Collection[str],
) -> None:
    """Refuse a name in ``fields`` or ``exclude`` that the model and the form do not have.

    Reads the mapped attributes without configuring the mappers (which would
    fail for good if a related model is not imported yet), so it can run
    when the form class is created.
    """
    names = [n for n in sa.inspect(model).all_orm_descriptors.keys() if n[:1] != "_"]  # noqa: SIM118  (iter: values)
    known = set(names) | set(declared)
    for setting, chosen in (("fields", fields), ("exclude", exclude)):
        if chosen is None or chosen == ALL_FIELDS:
            continue
        unknown = [name for name in chosen if name not in known]
        if unknown:
            name = unknown[0]
            close = difflib.get_close_matches(name, sorted(known), n=1)
            guess = f"Did you mean {close[0]!r}? " if close else ""
            raise ConfigurationError(
                f"{form_name}.Meta.{setting} names {name!r}, which is not a column or relationship of "
                f"{model.__name__} (nor a field declared on the form).",
                hint=f"{guess}{model.__name__} has: {', '.join(sorted(names))}.",
            )


def selected_names(
    form_name: str,
    model: type[t.Any],
    fields: t.Sequence[str] | str | None,
    exclude: t.Sequence[str] | None,
    declared: t.Collection[str],
) -> list[str]:
    """The names the form edits, in order (the mappers must be configurable by now)."""
    check_names(form_name, model, fields, exclude, declared)
    chosen = list(editable_names(model)) if fields is None or fields == ALL_FIELDS else list(dict.fromkeys(fields))
    if exclude:
        chosen = [name for name in chosen if name not in exclude]
    return chosen


def model_fields(
    form_name: str,
    model: type[t.Any],
    names: t.Sequence[str],
    *,
    labels: t.Mapping[str, str],
    help_texts: t.Mapping[str, str],
    widgets: t.Mapping[str, t.Any],
    declared: t.Collection[str],
) -> dict[str, ModelField]:
    """A :class:`ModelField` for each of ``names`` that is a model attribute.

    The unbound form field is made only for names the form does not declare
    itself (a declared field wins, as in Django).
    """
    mapper = sa.inspect(model)
    result: dict[str, ModelField] = {}
    for name in names:
        prop = mapper.attrs.get(name)
        if prop is None:
            continue  # a field declared on the form only
        make = name not in declared
        if isinstance(prop, RelationshipProperty):
            spec = _relationship_field(form_name, model, prop, make, labels, help_texts, widgets)
        elif isinstance(prop, ColumnProperty):
            spec = _column_field(form_name, model, prop, make, labels, help_texts, widgets)
        else:
            raise ConfigurationError(
                f"{form_name}.Meta.fields names {name!r}, a {type(prop).__name__} of {model.__name__}, "
                "which a ModelForm cannot edit.",
                hint=f"Declare the field {name!r} on {form_name} yourself, or leave it out of Meta.fields.",
            )
        result[name] = spec
    return result


def _form_validators(info: t.Mapping[str, t.Any]) -> list[t.Any]:
    """The WTForms validators (``(form, field)``) of ``info["validators"]``; Django's (``validator(value)``)
    are the model's, which ``full_clean()`` runs (and the ModelForm through it)."""
    from flaskkit.plugins.orm.validation import is_model_validator

    return [v for v in info.get("validators", ()) if not is_model_validator(v)]


def _label(name: str, info: t.Mapping[str, t.Any], labels: t.Mapping[str, str]) -> tuple[str, str]:
    # A lazy label (gettext_lazy) stays lazy: the form shows it in each request's language.
    verbose = info.get("label") or humanize(name)
    return labels.get(name, verbose), verbose


def _common_kwargs(
    name: str, info: t.Mapping[str, t.Any], labels: t.Mapping[str, str], help_texts: t.Mapping[str, str], widgets: t.Any
) -> tuple[dict[str, t.Any], str]:
    label, verbose = _label(name, info, labels)
    kwargs: dict[str, t.Any] = {"label": label}
    description = help_texts.get(name, info.get("description") or info.get("help_text"))
    if description:
        kwargs["description"] = description
    if name in widgets:
        kwargs["widget"] = widgets[name]
    return kwargs, verbose


def _blank_policy(column: sa.Column[t.Any], base: sa.types.TypeEngine[t.Any]) -> str:
    if isinstance(base, sa.Boolean):
        return BLANK_FALSE
    if column.nullable and not column.primary_key:
        return BLANK_NULL
    if isinstance(base, sa.String) and _scalar_default(column) == "":
        return BLANK_EMPTY
    if _has_default(column):
        return BLANK_DEFAULT
    return BLANK_REQUIRED


def _presence_validator(blank: str) -> t.Any:
    if blank == BLANK_REQUIRED:
        return Required()
    if blank == BLANK_DEFAULT:
        return RequiredUnlessCreating()
    return Optional()


def _strip(value: t.Any) -> t.Any:
    return value.strip() if isinstance(value, str) else value


def _empty_to_none(value: t.Any) -> t.Any:
    return None if value == "" else value


def _blank_or(coerce: t.Callable[[t.Any], t.Any]) -> t.Callable[[t.Any], t.Any]:
    def convert(value: t.Any) -> t.Any:
        if value is None or value == "":
            return None
        return coerce(value)

    return convert


def _column_field(
    form_name: str,
    model: type[t.Any],
    prop: ColumnProperty[t.Any],
    make: bool,
    labels: t.Mapping[str, str],
    help_texts: t.Mapping[str, str],
    widgets: t.Mapping[str, t.Any],
) -> ModelField:
    name = prop.key
    column = _column_of(prop)
    if column is None:
        raise ConfigurationError(
            f"{form_name}.Meta.fields names {name!r}, an SQL expression of {model.__name__} rather than a column.",
            hint=f"Leave {name!r} out of Meta.fields, or declare the field on {form_name} yourself.",
        )
    if column.computed is not None or not column.info.get("editable", True):
        why = "a computed column" if column.computed is not None else 'marked info={"editable": False}'
        raise ConfigurationError(
            f"{form_name}.Meta.fields names {name!r}, which is {why} of {model.__name__} and cannot be edited.",
            hint=f"Remove {name!r} from {form_name}.Meta.fields.",
        )
    base = _base_type(column.type)
    blank = _blank_policy(column, base)
    kwargs, verbose = _common_kwargs(name, column.info, labels, help_texts, widgets)
    spec = ModelField(name, "column", prop, (column,), blank, verbose, upload_to=column.info.get("upload_to"))
    if spec.upload_to is not None:
        if not isinstance(base, sa.String):
            raise ConfigurationError(
                f"{model.__name__}.{name} has info upload_to but is a {type(column.type).__name__} column: "
                "a file column stores the file's name.",
                hint=f"Make {name} a String(255) column.",
            )
        if make:
            validators = [FileRequiredUnlessChanging(optional=blank != BLANK_REQUIRED)]
            validators.extend(_form_validators(column.info))
            spec.unbound = FileField(validators=validators, **kwargs)
        return spec
    if not make:
        return spec

    validators: list[t.Any] = []
    filters: list[t.Callable[[t.Any], t.Any]] = []
    field_class: type[wtf.Field]
    default = _scalar_default(column)

    if isinstance(base, sa.Boolean):
        field_class = wtf.BooleanField
        kwargs["default"] = bool(default) if default is not None else False
    elif isinstance(base, sa.Enum):
        field_class = wtf.SelectField
        choices: list[SelectChoice] = []
        if blank == BLANK_NULL or not _has_default(column):
            choices.append(SelectChoice(value="", label=BLANK_TEXT))
        if base.enum_class is not None:
            enum_class = t.cast("type[enum.Enum]", base.enum_class)
            choices += enum_choices(enum_class, by="name")
            kwargs["coerce"] = _blank_or(enum_coerce(enum_class, by="name"))
        else:
            choices += [SelectChoice(value=value) for value in base.enums]
            kwargs["coerce"] = _blank_or(str)
        kwargs["choices"] = choices
        validators.append(_presence_validator(blank))
    elif isinstance(base, sa.String):  # Text and Unicode too
        field_class = wtf.TextAreaField if isinstance(base, sa.Text) else wtf.StringField
        filters.append(_strip)
        if blank == BLANK_NULL:
            filters.append(_empty_to_none)
        validators.append(_presence_validator(blank))
        if base.length:
            validators.append(
                Length(
                    max=base.length,
                    message=gettext_lazy("Ensure this value has at most %(max)d characters (it has %(length)d)."),
                )
            )
    elif isinstance(base, sa.Integer):
        field_class = wtf.IntegerField
        validators.append(_presence_validator(blank))
        for type_class, low, high in _INTEGER_RANGES:
            if isinstance(base, type_class):
                validators.append(NumberRange(min=low, message=_AT_LEAST))
                validators.append(NumberRange(max=high, message=_AT_MOST))
                break
    elif isinstance(base, sa.Float):
        field_class = wtf.FloatField
        validators.append(_presence_validator(blank))
    elif isinstance(base, sa.Numeric):
        field_class = wtf.DecimalField
        kwargs["places"] = base.scale
        validators.append(_presence_validator(blank))
        validators.append(DecimalDigits(base.precision, base.scale))
    elif isinstance(base, sa.DateTime):
        field_class = wtf.DateTimeLocalField
        if base.timezone:
            kwargs["tz"] = datetime.UTC
        validators.append(_presence_validator(blank))
    elif isinstance(base, sa.Date):
        field_class = wtf.DateField
        validators.append(_presence_validator(blank))
    elif isinstance(base, sa.Time):
        field_class = wtf.TimeField
        validators.append(_presence_validator(blank))
    elif isinstance(base, sa.Uuid):
        field_class = UUIDField
        if not base.as_uuid:
            filters.append(lambda value: None if value is None else str(value))
        validators.append(_presence_validator(blank))
    elif isinstance(base, sa.JSON):
        field_class = JSONField
        validators.append(_presence_validator(blank))
    else:
        raise ConfigurationError(
            f"{form_name} cannot make a form field for {model.__name__}.{name} "
            f"(a {type(column.type).__name__} column).",
            hint=f"Declare the field {name!r} on {form_name} yourself, or leave it out of Meta.fields.",
        )
    if default is not None:
        kwargs.setdefault("default", default)
    validators.extend(_form_validators(column.info))
    if filters:
        kwargs["filters"] = filters
    spec.unbound = field_class(validators=validators, **kwargs)
    return spec


def _relationship_field(
    form_name: str,
    model: type[t.Any],
    prop: RelationshipProperty[t.Any],
    make: bool,
    labels: t.Mapping[str, str],
    help_texts: t.Mapping[str, str],
    widgets: t.Mapping[str, t.Any],
) -> ModelField:
    name = prop.key
    kind = _relationship_kind(prop)
    if kind is None:
        what = "a view-only" if prop.viewonly else "a one-to-many"
        raise ConfigurationError(
            f"{form_name}.Meta.fields names {name!r}, {what} relationship of {model.__name__}, "
            "which a ModelForm cannot edit.",
            hint=f"Edit it from the other side (a form for {prop.mapper.class_.__name__}), "
            f"or remove {name!r} from {form_name}.Meta.fields.",
        )
    related = prop.mapper.class_
    kwargs, verbose = _common_kwargs(name, prop.info, labels, help_texts, widgets)
    get_label = prop.info.get("choice_label")
    if kind == "many_to_many":
        spec = ModelField(name, kind, prop, (), BLANK_NULL, verbose)
        if make:
            validators = [Optional(), *_form_validators(prop.info)]
            spec.unbound = QuerySelectMultipleField(validators=validators, model=related, get_label=get_label, **kwargs)
        return spec

    columns = tuple(t.cast("sa.Column[t.Any]", c) for c in prop.local_columns)
    if all(c.nullable for c in columns):
        blank = BLANK_NULL
    elif all(_has_default(c) or c.nullable for c in columns):
        blank = BLANK_DEFAULT
    else:
        blank = BLANK_REQUIRED
    remote_mapper = prop.mapper
    remote_keys = {
        t.cast("sa.Column[t.Any]", local): remote_mapper.get_property_by_column(remote).key
        for local, remote in prop.local_remote_pairs
    }
    spec = ModelField(name, kind, prop, columns, blank, verbose, remote_keys=remote_keys)
    if make:
        validators = [_presence_validator(blank), *_form_validators(prop.info)]
        spec.unbound = QuerySelectField(
            validators=validators, model=related, get_label=get_label, allow_blank=True, **kwargs
        )
    return spec

"""``instance.full_clean()``: Django's model validation, for SQLAlchemy models.

::

    post = Post(title="x" * 300)
    try:
        post.full_clean()
    except ValidationError as exc:
        exc.message_dict   # {"title": ["Ensure this value has at most 200 characters (it has 300)."]}

In order, as Django: :func:`clean_fields` (each column: its type, ``choices``,
nullability, blankness, length, range, digits and validators), the model's
``clean()``, :func:`validate_unique` (unique columns, constraints and indexes,
multi-column ones included, one query each) and :func:`validate_constraints`
(check constraints, evaluated by the database on the instance's values). Errors of
every step are collected into one :class:`~flaskkit.ValidationError` whose
``message_dict`` maps field names (``"__all__"`` for the whole object) to messages.

Field names are the model's attribute names; a foreign-key column that a
many-to-one relationship sets is named after the relationship (``author``, not
``author_id``), as Django names its ``ForeignKey`` field; ``exclude=`` takes either.

The column tells what is valid (``info`` is SQLAlchemy's ``Column.info`` dict):

* nullable columns, and strings whose default is ``""``, may be blank; other
  columns refuse ``None`` ("This field cannot be null.") and ``""`` ("This field
  cannot be blank."); ``info={"blank": True}`` allows a blank value. A column that a
  default, the database or a sequence fills may be ``None`` on a new row;
* ``info={"choices": [(value, label), ...]}`` (or a list of values), and an ``Enum``
  column's members: "Value 'x' is not a valid choice.";
* ``info={"validators": [...]}``: Django's validators, callables ``validator(value)``
  that raise ``ValidationError`` (WTForms validators, ``(form, field)``, listed there
  are the ModelForm's only).

Queries (uniqueness, check constraints) run on the instance's session, or
``db.session``; nothing is flushed.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import inspect
import json
import sys
import typing as t
import uuid
import weakref
from dataclasses import dataclass
from dataclasses import field as dataclass_field

import sqlalchemy as sa
from sqlalchemy.orm import RelationshipDirection
from sqlalchemy.orm import RelationshipProperty
from sqlalchemy.sql.util import ClauseAdapter

from flaskkit.exceptions import NON_FIELD_ERRORS
from flaskkit.exceptions import ValidationError
from flaskkit.translation import gettext
from flaskkit.translation import ngettext

from .database import Model
from .labels import verbose_name

__all__ = [
    "NON_FIELD_ERRORS",
    "ValidationError",
    "clean_fields",
    "full_clean",
    "model_fields",
    "unique_column_sets",
    "validate_constraints",
    "validate_unique",
]

_EMPTY_VALUES: tuple[t.Any, ...] = (None, "", [], (), {})
_INTEGER_RANGES: list[tuple[type[sa.types.TypeEngine[t.Any]], int, int]] = [
    (sa.SmallInteger, -(2**15), 2**15 - 1),
    (sa.BigInteger, -(2**63), 2**63 - 1),
    (sa.Integer, -(2**31), 2**31 - 1),
]


class _Pending:
    """A value the flush will set (a related object without its primary key yet)."""

    def __repr__(self) -> str:
        return "<pending>"


PENDING: t.Final = _Pending()


@dataclass(frozen=True)
class ModelField:
    """What validation knows about one column of a model."""

    #: The field's name: the attribute, or the many-to-one relationship that sets the column.
    name: str
    #: The column attribute's name.
    attr: str
    column: sa.Column[t.Any]
    relationship: RelationshipProperty[t.Any] | None
    #: "Title", "Published at": the label in messages.
    label: str

    def __post_init__(self) -> None:
        # Worked out once per model (model_fields() caches its fields): each request's
        # validation reads them for every field.
        set_ = object.__setattr__
        set_(self, "names", frozenset({self.name, self.attr}))
        set_(self, "blank", _blank(self.column))
        set_(self, "base", _base_type(self.column.type))
        set_(self, "choices", self.column.info.get("choices"))
        validators = tuple(self.column.info.get("validators", ()))
        set_(self, "validators", tuple(v for v in validators if is_model_validator(v)))

    #: The names ``exclude=`` recognises for the field.
    names: frozenset[str] = dataclass_field(init=False, repr=False, compare=False)
    #: Whether a blank value (``None``, ``""``, empty list...) is valid.
    blank: bool = dataclass_field(init=False, repr=False, compare=False)
    #: The column's type, under its ``TypeDecorator``s.
    base: sa.types.TypeEngine[t.Any] = dataclass_field(init=False, repr=False, compare=False)
    #: ``info["choices"]``, or ``None``.
    choices: t.Any = dataclass_field(init=False, repr=False, compare=False)
    #: ``info["validators"]`` of Django's kind, ``validator(value)`` (WTForms' are the ModelForm's).
    validators: tuple[t.Callable[[t.Any], t.Any], ...] = dataclass_field(init=False, repr=False, compare=False)


def _blank(column: sa.Column[t.Any]) -> bool:
    info = column.info
    if "blank" in info:
        return bool(info["blank"])
    if column.nullable and not column.primary_key:
        return True
    default = column.default
    return bool(default is not None and getattr(default, "is_scalar", False) and getattr(default, "arg", None) == "")


# -- the model's fields ------------------------------------------------------------------------

_FIELDS: weakref.WeakKeyDictionary[type, list[ModelField]] = weakref.WeakKeyDictionary()


def humanize(name: str) -> str:
    """``"published_at"`` -> ``"Published at"`` (Django's ``capfirst(verbose_name)``)."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def model_fields(model: type) -> list[ModelField]:
    """The validated fields of ``model``: one per column attribute, in the mapper's order."""
    cached = _FIELDS.get(model)
    if cached is not None:
        return cached
    mapper = sa.inspect(model)
    covering: dict[sa.Column[t.Any], RelationshipProperty[t.Any]] = {}
    for prop in mapper.relationships:
        if prop.viewonly or prop.direction is not RelationshipDirection.MANYTOONE or prop.uselist:
            continue
        local = list(prop.local_columns)
        if len(local) == 1:
            covering.setdefault(t.cast("sa.Column[t.Any]", local[0]), prop)
    fields = []
    for prop in mapper.column_attrs:
        column = prop.columns[0] if len(prop.columns) == 1 else None
        if not isinstance(column, sa.Column) or column.computed is not None:
            continue
        relationship = covering.get(column)
        name = relationship.key if relationship is not None else prop.key
        info = {**column.info, **(relationship.info if relationship is not None else {})}
        fields.append(ModelField(name, prop.key, column, relationship, info.get("label") or humanize(name)))
    _FIELDS[model] = fields
    return fields


def _session(instance: object) -> t.Any:
    session = sa.orm.object_session(instance)
    if session is not None:
        return session
    from .database import db

    return db.session


def _is_new(instance: object) -> bool:
    return not sa.inspect(instance).has_identity


def field_value(instance: object, field: ModelField) -> t.Any:
    """The field's value: the column attribute, or what its relationship will set (:data:`PENDING`)."""
    relationship = field.relationship
    if relationship is not None:
        state = sa.inspect(instance)
        if relationship.key in state.dict:
            related = state.dict[relationship.key]
            if related is None:
                return None
            remote = next(remote for local, remote in relationship.local_remote_pairs if local is field.column)
            value = getattr(related, relationship.mapper.get_property_by_column(remote).key)
            return PENDING if value is None else value
    return getattr(instance, field.attr)


def _filled_later(instance: object, column: sa.Column[t.Any]) -> bool:
    """Whether a new row's ``None`` in ``column`` is filled by a default, the database or a sequence."""
    if not _is_new(instance):
        return False
    if column.default is not None or column.server_default is not None or column.identity is not None:
        return True
    table = column.table
    return bool(column.primary_key and isinstance(table, sa.Table) and table.autoincrement_column is column)


# -- clean_fields -------------------------------------------------------------------------------


def clean_fields(instance: object, exclude: t.Collection[str] | None = None) -> None:
    """Validate and convert each field's value; raise one :class:`ValidationError` for all of them."""
    with _session(instance).no_autoflush:
        _clean_fields(instance, set(exclude or ()))


def _clean_fields(instance: object, exclude: set[str]) -> None:
    errors: dict[str, list[ValidationError]] = {}
    for field in model_fields(type(instance)):
        _clean_field(instance, field, exclude, errors)
    if errors:
        raise ValidationError(errors)


def _clean_field(
    instance: object, field: ModelField, exclude: set[str], errors: dict[str, list[ValidationError]]
) -> None:
    if field.names & exclude:
        return
    raw = field_value(instance, field)
    if raw is PENDING or (raw is None and _filled_later(instance, field.column)):
        return
    if field.blank and _is_empty(raw):
        return
    try:
        value = clean_value(field, raw)
    except ValidationError as exc:
        errors[field.name] = exc.error_list
        return
    if value is not raw and field.relationship is None:
        setattr(instance, field.attr, value)


def _is_empty(value: t.Any) -> bool:
    if type(value) is str:  # (most values: no generator)
        return not value
    return any(value is empty or (type(value) is type(empty) and value == empty) for empty in _EMPTY_VALUES)


def clean_value(field: ModelField, value: t.Any) -> t.Any:
    """Django's ``Field.clean()``: the value converted (``to_python``), checked, then validated."""
    value = _to_python(field.base, value)
    _validate(field, value)
    _run_validators(field, value)
    return value


def _base_type(type_: sa.types.TypeEngine[t.Any]) -> sa.types.TypeEngine[t.Any]:
    while isinstance(type_, sa.types.TypeDecorator):
        type_ = type_.impl_instance
    return type_


def _invalid(message: str, value: t.Any, code: str = "invalid") -> ValidationError:
    return ValidationError(message, code=code, params={"value": value})


def to_python(column: sa.Column[t.Any], value: t.Any) -> t.Any:
    """``value`` as the column's Python type (a fixture's ``"2024-01-31"`` becomes a date), or a ValidationError."""
    return _to_python(_base_type(column.type), value)


#: The column types whose Python value is a str as it is (an Enum, a String too, is not one of them).
_PLAIN_STRINGS = frozenset({sa.String, sa.Text, sa.Unicode, sa.UnicodeText, sa.VARCHAR, sa.CHAR, sa.NVARCHAR, sa.TEXT})


def _to_python(base: sa.types.TypeEngine[t.Any], value: t.Any) -> t.Any:
    if value is None:
        return None
    if type(value) is str and type(base) in _PLAIN_STRINGS:  # (most fields of a form: no chain of isinstance)
        return value
    if isinstance(base, sa.Enum):
        return _enum_value(base, value)
    if isinstance(base, sa.Boolean):
        if value in (True, False):
            return bool(value)
        if value in ("t", "True", "1"):
            return True
        if value in ("f", "False", "0"):
            return False
        raise _invalid(gettext("“%(value)s” value must be either True or False."), value)
    if isinstance(base, sa.Integer):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _invalid(gettext("“%(value)s” value must be an integer."), value) from None
    if isinstance(base, sa.Float) or (isinstance(base, sa.Numeric) and not base.asdecimal):
        try:
            return value if isinstance(value, float) else float(value)
        except (TypeError, ValueError):
            raise _invalid(gettext("“%(value)s” value must be a float."), value) from None
    if isinstance(base, sa.Numeric):
        return _decimal(value)
    if isinstance(base, sa.DateTime):
        return _datetime(value)
    if isinstance(base, sa.Date):
        return _date(value)
    if isinstance(base, sa.Time):
        return _time(value)
    if isinstance(base, sa.Uuid):
        try:
            parsed = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
        except (TypeError, ValueError, AttributeError):
            raise _invalid(gettext("“%(value)s” is not a valid UUID."), value) from None
        return parsed if base.as_uuid else (value if isinstance(value, str) else str(parsed))
    if isinstance(base, sa.JSON):
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            raise ValidationError(gettext("Value must be valid JSON."), code="invalid") from None
        return value
    if isinstance(base, sa.String):
        return value if isinstance(value, str) else str(value)
    return value


def _enum_value(base: sa.Enum, value: t.Any) -> t.Any:
    enum_class = base.enum_class
    if enum_class is not None:
        members = t.cast("type[enum.Enum]", enum_class)
        if isinstance(value, members):
            return value
        if isinstance(value, str) and value in members.__members__:
            return members.__members__[value]
        for member in members:
            if member.value == value:
                return member
    elif value in base.enums:
        return value
    raise _invalid(gettext("Value %(value)r is not a valid choice."), value, code="invalid_choice")


def _decimal(value: t.Any) -> decimal.Decimal:
    if isinstance(value, decimal.Decimal):
        return value
    try:
        if isinstance(value, float):
            return decimal.Context(prec=15).create_decimal_from_float(value)
        return decimal.Decimal(str(value))
    except (decimal.InvalidOperation, TypeError, ValueError):
        raise _invalid(gettext("“%(value)s” value must be a decimal number."), value) from None


def _datetime(value: t.Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    try:
        return dt.datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise _invalid(
            gettext(
                "“%(value)s” value has an invalid format. It must be in YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format."
            ),
            value,
        ) from None


def _date(value: t.Any) -> dt.date:
    if isinstance(value, dt.datetime):
        from flaskkit import timezone

        if timezone.use_tz() and timezone.is_aware(value):
            value = timezone.make_naive(value, timezone.get_default_timezone())
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise _invalid(
            gettext("“%(value)s” value has an invalid date format. It must be in YYYY-MM-DD format."), value
        ) from None


def _time(value: t.Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, dt.datetime):
        return value.time()
    try:
        return dt.time.fromisoformat(str(value).strip())
    except ValueError:
        raise _invalid(
            gettext("“%(value)s” value has an invalid format. It must be in HH:MM[:ss[.uuuuuu]] format."), value
        ) from None


def _validate(field: ModelField, value: t.Any) -> None:
    """Choices, nullability and blankness (Django's ``Field.validate``)."""
    choices = field.choices
    if choices is not None and not _is_empty(value):
        allowed = [choice[0] if isinstance(choice, list | tuple) else choice for choice in choices]
        if value not in allowed:
            raise _invalid(gettext("Value %(value)r is not a valid choice."), value, code="invalid_choice")
    if value is None and not field.blank:
        raise ValidationError(gettext("This field cannot be null."), code="null")
    if not field.blank and _is_empty(value):
        raise ValidationError(gettext("This field cannot be blank."), code="blank")


def _run_validators(field: ModelField, value: t.Any) -> None:
    if value is None:
        return
    errors: list[ValidationError] = []
    base = field.base
    if isinstance(base, sa.String) and not isinstance(base, sa.Enum) and base.length and isinstance(value, str):
        if len(value) > base.length:
            errors.append(
                ValidationError(
                    gettext("Ensure this value has at most %(limit_value)d characters (it has %(show_value)d)."),
                    code="max_length",
                    params={"limit_value": base.length, "show_value": len(value), "value": value},
                )
            )
    elif isinstance(base, sa.Integer) and isinstance(value, int):
        for type_class, low, high in _INTEGER_RANGES:
            if isinstance(base, type_class):
                if value < low:
                    errors.append(
                        _limit(gettext("Ensure this value is greater than or equal to %(limit_value)s."), low)
                    )
                elif value > high:
                    errors.append(_limit(gettext("Ensure this value is less than or equal to %(limit_value)s."), high))
                break
    elif isinstance(base, sa.Numeric) and isinstance(value, decimal.Decimal):
        message = decimal_digits_error(value, base.precision, base.scale)
        if message:
            errors.append(ValidationError(message, code="invalid"))
    for validator in field.validators:  # WTForms validators (form, field) are left to the ModelForm's field
        try:
            validator(value)
        except ValidationError as exc:
            errors.extend(exc.error_list)
        except _wtforms_validation_errors() as exc:
            errors.append(ValidationError(str(exc) or gettext("Enter a valid value."), code="invalid"))
    if errors:
        raise ValidationError(errors)


def _limit(message: str, limit: int) -> ValidationError:
    return ValidationError(message, code="limit_value", params={"limit_value": limit})


def _wtforms_validation_errors() -> tuple[type[BaseException], ...]:
    """WTForms' ``ValidationError`` (what ``flaskkit.plugins.forms`` exports), if WTForms is loaded."""
    validators = sys.modules.get("wtforms.validators")
    return (validators.ValidationError,) if validators is not None else ()


def is_model_validator(validator: t.Any) -> bool:
    """Whether ``validator`` is Django's kind, ``validator(value)``, rather than WTForms' ``(form, field)``."""
    try:
        signature = inspect.signature(validator)
    except (TypeError, ValueError):
        return True
    required = [
        p
        for p in signature.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    return len(required) <= 1


def decimal_digits_error(value: decimal.Decimal, max_digits: int | None, decimal_places: int | None) -> str | None:
    """Django's ``DecimalValidator``: the message for too many digits, or ``None``."""
    if not value.is_finite():
        return gettext("Enter a number.")
    _sign, digit_tuple, exponent = value.as_tuple()
    exponent = t.cast(int, exponent)
    if exponent >= 0:
        digits, decimals = len(digit_tuple) + exponent, 0
    elif abs(exponent) > len(digit_tuple):
        digits = decimals = abs(exponent)
    else:
        digits, decimals = len(digit_tuple), abs(exponent)
    if max_digits is not None and digits > max_digits:
        return ngettext(
            "Ensure that there are no more than %(max)s digit in total.",
            "Ensure that there are no more than %(max)s digits in total.",
            max_digits,
        ) % {"max": max_digits}
    if decimal_places is not None and decimals > decimal_places:
        return ngettext(
            "Ensure that there are no more than %(max)s decimal place.",
            "Ensure that there are no more than %(max)s decimal places.",
            decimal_places,
        ) % {"max": decimal_places}
    if max_digits is not None and decimal_places is not None and digits - decimals > max_digits - decimal_places:
        whole = max_digits - decimal_places
        return ngettext(
            "Ensure that there are no more than %(max)s digit before the decimal point.",
            "Ensure that there are no more than %(max)s digits before the decimal point.",
            whole,
        ) % {"max": whole}
    return None


# -- validate_unique ------------------------------------------------------------------------------


def unique_column_sets(mapper: sa.orm.Mapper[t.Any]) -> list[tuple[sa.Column[t.Any], ...]]:
    """The primary key, unique columns, unique constraints and unconditional unique indexes of the model's tables.

    Worked out once per mapper (a model's tables do not change once its requests are served).
    """
    cached = _UNIQUE_SETS.get(mapper)
    if cached is None:
        cached = _UNIQUE_SETS[mapper] = _unique_column_sets(mapper)
    return cached


#: mapper -> its unique column sets (see unique_column_sets).
_UNIQUE_SETS: weakref.WeakKeyDictionary[sa.orm.Mapper[t.Any], list[tuple[sa.Column[t.Any], ...]]] = (
    weakref.WeakKeyDictionary()
)


def _unique_column_sets(mapper: sa.orm.Mapper[t.Any]) -> list[tuple[sa.Column[t.Any], ...]]:
    sets: list[tuple[sa.Column[t.Any], ...]] = []
    for table in mapper.tables:
        if not isinstance(table, sa.Table):
            continue
        sets.append(tuple(table.primary_key.columns))
        sets.extend((column,) for column in table.columns if column.unique)
        for constraint in table.constraints:
            if isinstance(constraint, sa.UniqueConstraint):
                sets.append(tuple(constraint.columns))
        for index in table.indexes:
            conditional = any(options.get("where") is not None for options in index.dialect_options.values())
            if index.unique and not conditional and all(isinstance(e, sa.Column) for e in index.expressions):
                sets.append(tuple(index.columns))
    unique: dict[tuple[str, ...], tuple[sa.Column[t.Any], ...]] = {}
    for columns in sets:
        if columns:
            unique.setdefault(tuple(sorted(f"{c.table.name}.{c.name}" for c in columns)), columns)
    return list(unique.values())


def validate_unique(instance: object, exclude: t.Collection[str] | None = None) -> None:
    """Refuse values that another row already has in a unique column or set of columns.

    A check is skipped when one of its fields is excluded or ``None`` (SQL's NULLs are
    never equal), and for the primary key of a saved row. One query per check.
    """
    with _session(instance).no_autoflush:
        _validate_unique(instance, set(exclude or ()))


#: model -> its unique column sets (see unique_column_sets), each with the fields of its columns, or
#: ``None`` when a column is no field of the model.
_UNIQUE_CHECKS: weakref.WeakKeyDictionary[
    type, list[tuple[tuple[sa.Column[t.Any], ...], tuple[ModelField, ...] | None]]
] = weakref.WeakKeyDictionary()


def _unique_checks(model: type) -> list[tuple[tuple[sa.Column[t.Any], ...], tuple[ModelField, ...] | None]]:
    checks = _UNIQUE_CHECKS.get(model)
    if checks is None:
        by_column = {field.column: field for field in model_fields(model)}
        checks = []
        for columns in unique_column_sets(sa.inspect(model)):
            fields = tuple(by_column.get(column) for column in columns)
            checks.append((columns, None if None in fields else t.cast("tuple[ModelField, ...]", fields)))
        _UNIQUE_CHECKS[model] = checks
    return checks


def _validate_unique(instance: object, exclude: set[str]) -> None:
    model = type(instance)
    checks = [
        (columns, fields)
        for columns, fields in _unique_checks(model)
        if fields is not None and not any(field.names & exclude for field in fields)
    ]
    if not checks:
        return
    mapper = sa.inspect(model)
    session = _session(instance)
    new = _is_new(instance)
    errors: dict[str, list[ValidationError]] = {}
    for columns, fields in checks:
        if not new and all(column.primary_key for column in columns):
            continue
        values = [field_value(instance, field) for field in fields]
        if any(value is None or value is PENDING for value in values):
            continue
        statement = sa.select(sa.literal(1)).select_from(model)
        statement = statement.where(*(c == v for c, v in zip(columns, values, strict=True))).limit(1)
        if not new:
            identity = [column == value for column, value in zip(mapper.primary_key, _pk(instance), strict=True)]
            statement = statement.where(sa.not_(sa.and_(*identity)))
        if session.scalar(statement) is None:
            continue
        names = list(dict.fromkeys(field.name for field in fields))
        labels = list(dict.fromkeys(str(field.label) for field in fields))
        message = gettext("%(model_name)s with this %(field_labels)s already exists.") % {
            "model_name": humanize(verbose_name(model)),
            "field_labels": _text_list(labels),
        }
        key = names[0] if len(names) == 1 else NON_FIELD_ERRORS
        errors.setdefault(key, []).append(ValidationError(message, code="unique"))
    if errors:
        raise ValidationError(errors)


def _pk(instance: object) -> list[t.Any]:
    state = sa.inspect(instance)
    if state.identity is not None:
        return list(state.identity)
    return sa.inspect(type(instance)).primary_key_from_instance(instance)


def _text_list(items: list[str]) -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"`` (Django's ``get_text_list``)."""
    if len(items) <= 1:
        return "".join(items)
    return gettext("%(items)s and %(last_item)s") % {"items": ", ".join(items[:-1]), "last_item": items[-1]}


# -- validate_constraints ---------------------------------------------------------------------------


def validate_constraints(instance: object, exclude: t.Collection[str] | None = None) -> None:
    """Refuse values that break a ``CheckConstraint`` of the model's tables.

    The database evaluates each check (its SQL, as written) on the instance's values,
    in one query each; a check on an excluded field is skipped. The message is the
    constraint's ``info={"violation_error_message": ...}``, else Django's
    "Constraint “name” is violated.".
    """
    with _session(instance).no_autoflush:
        _validate_constraints(instance, set(exclude or ()))


#: model -> the check constraints of its tables: (table, constraint, the columns it reads).
_CHECKS: weakref.WeakKeyDictionary[type, list[tuple[sa.Table, sa.CheckConstraint, list[sa.Column[t.Any]]]]] = (
    weakref.WeakKeyDictionary()
)


def _model_checks(model: type) -> list[tuple[sa.Table, sa.CheckConstraint, list[sa.Column[t.Any]]]]:
    checks = _CHECKS.get(model)
    if checks is None:
        checks = [
            (table, constraint, _referenced_columns(constraint, table))
            for table in sa.inspect(model).tables
            if isinstance(table, sa.Table)
            for constraint in _check_constraints(table)
        ]
        _CHECKS[model] = checks
    return checks


def _validate_constraints(instance: object, exclude: set[str]) -> None:
    model = type(instance)
    checks = _model_checks(model)
    if not checks:
        return
    by_column = {field.column: field for field in model_fields(model)}
    session = _session(instance)
    errors: list[ValidationError] = []
    for table, constraint, referenced in checks:
        if any(by_column[c].names & exclude for c in referenced if c in by_column):
            continue
        values = []
        for column in table.columns:
            field = by_column.get(column)
            # an excluded field (one that failed) may hold a value the driver refuses
            usable = field is not None and not field.names & exclude
            value = field_value(instance, field) if usable else None
            values.append(sa.literal(None if value is PENDING else value, column.type).label(column.name))
        row = sa.select(*values).subquery(table.name)
        sqltext = constraint.sqltext
        if isinstance(sqltext, sa.TextClause):  # SQL as written: its names are the row's columns
            violated: t.Any = sa.text(f"NOT ({sqltext.text})")
        else:
            violated = sa.not_(ClauseAdapter(row).traverse(sqltext))
        if session.scalar(sa.select(sa.literal(1)).select_from(row).where(violated)) is None:
            continue
        message = constraint.info.get("violation_error_message") or gettext("Constraint “%(name)s” is violated.")
        errors.append(ValidationError(message, code="constraint", params={"name": constraint.name or table.name}))
    if errors:
        raise ValidationError({NON_FIELD_ERRORS: errors})


def _check_constraints(table: sa.Table) -> list[sa.CheckConstraint]:
    found: dict[int, sa.CheckConstraint] = {}
    for constraint in [*table.constraints, *(c for column in table.columns for c in column.constraints)]:
        if isinstance(constraint, sa.CheckConstraint) and not getattr(constraint, "_type_bound", False):
            found.setdefault(id(constraint), constraint)
    return list(found.values())


def _referenced_columns(constraint: sa.CheckConstraint, table: sa.Table) -> list[sa.Column[t.Any]]:
    import re

    found = [e for e in sa.sql.visitors.iterate(constraint.sqltext) if isinstance(e, sa.Column)]
    text = str(constraint.sqltext) if isinstance(constraint.sqltext, sa.TextClause) else ""
    found += [c for c in table.columns if text and re.search(rf"\b{re.escape(c.name)}\b", text)]
    return found


# -- full_clean --------------------------------------------------------------------------------------


def full_clean(
    instance: object,
    exclude: t.Collection[str] | None = None,
    validate_unique: bool = True,
    validate_constraints: bool = True,
) -> None:
    """Django's ``Model.full_clean()`` for a mapped ``instance``: every check, one ValidationError."""
    with _session(instance).no_autoflush:
        _full_clean(instance, set(exclude or ()), validate_unique, validate_constraints)


def run_full_clean(instance: object, exclude: t.Collection[str], *, validate_unique: bool = True) -> None:
    """``instance.full_clean(exclude=exclude, validate_unique=...)``, for a caller already in the
    session's ``no_autoflush`` (a ModelForm's validation): a model that does not override
    ``full_clean`` has its steps run without the calls through the instance."""
    own = _overridden(instance, "full_clean")
    if own is not None:
        own(exclude=exclude, validate_unique=validate_unique)
    else:
        _full_clean(instance, set(exclude), validate_unique, True)


def run_validate_unique(instance: object, exclude: t.Collection[str]) -> None:
    """``instance.validate_unique(exclude=exclude)``, as :func:`run_full_clean` runs ``full_clean``."""
    own = _overridden(instance, "validate_unique")
    if own is not None:
        own(exclude=exclude)
    else:
        _validate_unique(instance, set(exclude))


def _full_clean(instance: object, exclude: set[str], validate_unique: bool, validate_constraints: bool) -> None:
    errors: dict[str, list[ValidationError]] = {}
    try:
        _call(instance, "clean_fields", _clean_fields, exclude)
    except ValidationError as exc:
        exc.update_error_dict(errors)
    clean = _overridden(instance, "clean")
    if clean is not None:
        try:
            clean()
        except ValidationError as exc:
            exc.update_error_dict(errors)
    # A field that failed is not checked further (Django: its value may be a wrong type).
    exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
    if validate_unique:
        try:
            _call(instance, "validate_unique", _validate_unique, exclude)
        except ValidationError as exc:
            exc.update_error_dict(errors)
    if validate_constraints:
        try:
            _call(instance, "validate_constraints", _validate_constraints, exclude)
        except ValidationError as exc:
            exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _call(instance: object, method: str, step: t.Callable[[object, set[str]], None], exclude: set[str]) -> None:
    """The instance's own method, if its model overrides it; else the step itself (already in
    ``full_clean``'s ``no_autoflush``: the public function would enter it again)."""
    own = _overridden(instance, method)
    if own is not None:
        own(exclude=exclude)
    else:
        step(instance, exclude)


def _overridden(instance: object, method: str) -> t.Callable[..., t.Any] | None:
    """``instance.<method>``, unless it is flaskkit's ``Model``'s own (or missing: a model on
    another declarative base), which the steps here do without a call through the instance."""
    own = getattr(type(instance), method, None)
    if own is None or own is getattr(Model, method) or not callable(own):
        return None
    return t.cast("t.Callable[..., t.Any]", getattr(instance, method))

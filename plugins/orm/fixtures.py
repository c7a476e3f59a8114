"""Fixtures: the app's rows as Django's JSON fixtures, and back (``flask kit dumpdata``/``loaddata``).

::

    [{"model": "auth.user", "pk": 1, "fields": {"username": "ada", "groups": [1], ...}},
     {"model": "blog.post", "pk": 7, "fields": {"title": "Hello", "author": 1, "tags": [2, 3]}}]

A model is named by its label ``"app_label.model_name"`` (see :mod:`.labels`); its
fields by the model's attribute names, a foreign key by its relationship (its value
is the related row's primary key) and a many-to-many relationship as a list of
primary keys. With natural keys (``natural_key()`` on the model,
``get_by_natural_key(*key)`` on it or its ``objects``), a reference is the related
row's natural key (``"author": ["ada"]``), and an object may leave out its ``pk``:
the row with its natural key is updated, or a new one made.

Loading happens in one transaction: an error rolls everything back and names the
fixture, the object and the field. A row whose primary key exists is updated (as
Django's ``save()`` does); many-to-many lists are set once every object is in, so a
fixture may refer to objects further down; on PostgreSQL the sequences are moved past
the loaded keys. Datetimes keep their microseconds (Django's dumps keep
milliseconds; both load).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import enum
import json
import os
import typing as t
import uuid
from dataclasses import dataclass
from dataclasses import field as dataclass_field

import sqlalchemy as sa
from sqlalchemy.orm import RelationshipDirection
from sqlalchemy.orm import RelationshipProperty

from flaskkit.exceptions import ValidationError

from .database import concrete_model
from .database import db
from .labels import get_model
from .labels import installed_models
from .labels import label
from .validation import ModelField
from .validation import model_fields
from .validation import to_python

__all__ = ["FixtureError", "dump_data", "load_data", "load_fixture", "serialize"]


class FixtureError(Exception):
    """A fixture that cannot be loaded (or models that cannot be dumped); the message says where and why."""


# -- what is serialized -------------------------------------------------------------------------------


class _Models:
    """The current app's installed models, worked out once per dump or load."""

    def __init__(self) -> None:
        self.models = installed_models()
        self.order = {model: index for index, model in enumerate(self.models)}
        self.by_label: dict[str, list[type]] = {}
        for model in self.models:
            self.by_label.setdefault(label(model), []).append(model)
        self._many: dict[type, list[RelationshipProperty[t.Any]]] = {}

    def get(self, name: str) -> type:
        """The model of a label (:func:`.labels.get_model`'s errors)."""
        found = self.by_label.get(name.strip().lower(), [])
        return found[0] if len(found) == 1 else get_model(name)

    def many_to_many(self, model: type) -> list[RelationshipProperty[t.Any]]:
        """The many-to-many relationships serialized with ``model``: one side of each association table."""
        if model not in self._many:
            self._many[model] = _many_to_many(model, self.order)
        return self._many[model]


def _many_to_many(model: type, order: dict[type, int]) -> list[RelationshipProperty[t.Any]]:
    found = []
    for prop in sa.inspect(model).relationships:
        if prop.viewonly or prop.direction is not RelationshipDirection.MANYTOMANY or prop.secondary is None:
            continue
        # Of the relationships through one table (a relationship and its backref), the first model's.
        sides = [
            other
            for mapper in sa.inspect(model).registry.mappers
            for other in mapper.relationships
            if other.secondary is prop.secondary and not other.viewonly
        ]
        first = min(sides, key=lambda p: (order.get(p.parent.class_, len(order)), p.key))
        if first is prop:
            found.append(prop)
    return found


def _pk_fields(model: type) -> list[ModelField]:
    return [field for field in model_fields(model) if field.column.primary_key]


def _has_natural_key(model: type) -> bool:
    return callable(getattr(model, "natural_key", None)) and _natural_key_getter(model) is not None


def _natural_key_getter(model: type) -> t.Callable[..., t.Any] | None:
    objects = getattr(model, "objects", None)
    getter = getattr(objects, "get_by_natural_key", None) or getattr(model, "get_by_natural_key", None)
    return getter if callable(getter) else None


# -- dumping ----------------------------------------------------------------------------------------


def json_value(value: t.Any) -> t.Any:
    """A column value as JSON sees it (Django's ``DjangoJSONEncoder``, microseconds kept)."""
    if isinstance(value, dt.datetime):
        text = value.isoformat()
        return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return _duration(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _duration(value: dt.timedelta) -> str:
    """ISO 8601, as Django's ``duration_iso_string``: ``P3DT04H05M06.000007S``."""
    sign = "-" if value < dt.timedelta(0) else ""
    value = abs(value)
    minutes, seconds = divmod(value.seconds, 60)
    hours, minutes = divmod(minutes, 60)
    micro = f".{value.microseconds:06d}" if value.microseconds else ""
    return f"{sign}P{value.days}DT{hours:02d}H{minutes:02d}M{seconds:02d}{micro}S"


def serialize(
    objects: t.Iterable[t.Any], *, natural_foreign: bool = False, natural_primary: bool = False
) -> list[dict[str, t.Any]]:
    """``objects`` (model instances) as the list of a Django JSON fixture."""
    models = _Models()
    return [_serialize(obj, natural_foreign, natural_primary, models) for obj in objects]


def _serialize(obj: t.Any, natural_foreign: bool, natural_primary: bool, models: _Models) -> dict[str, t.Any]:
    model = concrete_model(type(obj))  # a single-table subclass's rows are its base model's
    fields: dict[str, t.Any] = {}
    for field in model_fields(model):
        if field.column.primary_key:
            continue
        relationship = field.relationship
        value = getattr(obj, field.attr)
        if relationship is not None and value is not None and natural_foreign:
            related_model = relationship.mapper.class_
            if _has_natural_key(related_model):
                related = getattr(obj, relationship.key)
                fields[field.name] = list(related.natural_key()) if related is not None else None
                continue
        fields[field.name] = json_value(value)
    for prop in models.many_to_many(model):
        related_model = prop.mapper.class_
        natural = natural_foreign and _has_natural_key(related_model)
        fields[prop.key] = [
            list(other.natural_key()) if natural else _json_pk(other) for other in getattr(obj, prop.key)
        ]
    item: dict[str, t.Any] = {"model": label(model)}
    if not (natural_primary and _has_natural_key(model)):
        item["pk"] = _json_pk(obj)
    item["fields"] = fields
    return item


def _json_pk(obj: t.Any) -> t.Any:
    values = [json_value(v) for v in sa.inspect(type(obj)).primary_key_from_instance(obj)]
    return values[0] if len(values) == 1 else values


def _models_of(names: t.Iterable[str], registry: _Models) -> list[type]:
    """Models from ``app_label`` or ``app_label.ModelName`` names (LookupError for an unknown one)."""
    found: list[type] = []
    for name in names:
        if "." in name:
            models = [registry.get(name)]
        else:
            models = [m for m in registry.models if label(m).partition(".")[0] == name]
            if not models:
                from flaskkit._text import did_you_mean

                labels = sorted({label(m).partition(".")[0] for m in registry.models})
                raise LookupError(f"No installed app has the label {name!r}.{did_you_mean(name, labels)}")
        found.extend(m for m in models if m not in found)
    return found


def dump_data(
    names: t.Sequence[str] = (),
    *,
    exclude: t.Sequence[str] = (),
    natural_foreign: bool = False,
    natural_primary: bool = False,
    pks: t.Sequence[str] | None = None,
) -> tuple[list[dict[str, t.Any]], list[type]]:
    """The rows of the models ``names`` name (default: every installed model), as a fixture.

    Returns the fixture and the models left out because the database has no table for
    them (a model named by its label must have one: LookupError).
    Parents come before children, rows in primary-key order.
    """
    registry = _Models()
    chosen = _models_of(names, registry) if names else list(registry.models)
    excluded = set(_models_of(exclude, registry)) if exclude else set()
    order = registry.order
    chosen = sorted((m for m in chosen if m not in excluded), key=lambda m: order.get(m, len(order)))
    existing = set(sa.inspect(db.session.connection()).get_table_names())
    missing = [m for m in chosen if sa.inspect(m).local_table.name not in existing]
    named = [m for m in missing if any("." in name and registry.get(name) is m for name in names)]
    if named:  # a model named by its label must have its table; an app's other models are left out
        table = sa.inspect(named[0]).local_table.name
        raise LookupError(
            f"The database has no table {table!r} for the model {label(named[0])}: "
            "apply the migrations (flask db upgrade)."
        )
    if pks is not None and len(chosen) != 1:
        raise LookupError("Give exactly one model (app_label.ModelName) with --pks.")
    items: list[dict[str, t.Any]] = []
    for model in chosen:
        if model in missing:
            continue
        mapper = sa.inspect(model)
        statement = sa.select(model).order_by(*mapper.primary_key)  # single-table subclasses too
        if pks is not None:
            pk = mapper.primary_key[0]
            values = [to_python(pk, value.strip()) for value in pks if value.strip()]
            statement = statement.where(pk.in_(values))
        for obj in db.session.scalars(statement):
            items.append(_serialize(obj, natural_foreign, natural_primary, registry))
    return items, missing


# -- loading ----------------------------------------------------------------------------------------


@dataclass
class _Loaded:
    model: type
    instance: t.Any
    where: str
    many: dict[str, list[t.Any]] = dataclass_field(default_factory=dict)


def load_fixture(path: str | os.PathLike[str], *, commit: bool = True, ignore_nonexistent: bool = False) -> int:
    """Load the JSON fixture at ``path`` into the current app's database; return how many objects it had.

    For tests: ``load_fixture("tests/fixtures/users.json")`` inside an app context.
    ``commit=False`` flushes only (the caller's transaction decides).
    """
    name = os.fspath(path)
    try:
        with open(name, encoding="utf-8") as file:
            text = file.read()
    except OSError as exc:
        raise FixtureError(f"Problem installing fixture {name!r}: {exc.strerror or exc}.") from exc
    return load_data(_parse(text, name), source=name, commit=commit, ignore_nonexistent=ignore_nonexistent)


def _parse(text: str, source: str) -> t.Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FixtureError(f"Problem installing fixture {source!r}: it is not valid JSON: {exc}.") from exc


def load_data(
    data: t.Any,
    *,
    source: str = "<data>",
    commit: bool = True,
    ignore_nonexistent: bool = False,
    exclude: t.Sequence[str] = (),
) -> int:
    """Load a fixture's objects (the parsed JSON list) in one transaction; return how many were loaded."""
    if not isinstance(data, list):
        raise FixtureError(
            f"Problem installing fixture {source!r}: a JSON fixture is a list of objects "
            f'([{{"model": "app_label.model_name", "pk": 1, "fields": {{...}}}}]), not {type(data).__name__}.'
        )
    session = db.session
    registry = _Models()
    skipped = set(_models_of(exclude, registry)) if exclude else set()
    try:
        loader = _Loader(source, ignore_nonexistent, registry)
        order = registry.order
        parsed = [loader.parse(number, item) for number, item in enumerate(data, start=1)]
        parsed = [entry for entry in parsed if entry[0] not in skipped]
        # Parents first (the file's order within a model), so foreign keys hold on every database.
        parsed.sort(key=lambda entry: order.get(entry[0], len(order)))
        loader.prefetch(parsed)
        loaded = [loader.build(*entry) for entry in parsed]
        session.flush()  # every object in: many-to-many lists may refer to any of them
        for entry in loaded:
            loader.set_many_to_many(entry)
        session.flush()
        _reset_sequences(session, {entry.model for entry in loaded})
        if commit:
            session.commit()
    except FixtureError:
        session.rollback()
        raise
    except sa.exc.SQLAlchemyError as exc:
        session.rollback()
        detail = getattr(exc, "orig", None) or exc
        raise FixtureError(f"Problem installing fixture {source!r}: the database refused it: {detail}") from exc
    return len(loaded)


class _Loader:
    def __init__(self, source: str, ignore_nonexistent: bool, models: _Models) -> None:
        self.source = source
        self.ignore_nonexistent = ignore_nonexistent
        self.models = models
        self.existing: dict[type, dict[t.Any, t.Any]] = {}

    def prefetch(self, parsed: list[tuple[type, t.Any, dict[str, t.Any], str]]) -> None:
        """The rows the fixture's primary keys already have, in one query per model and 500 keys."""
        wanted: dict[type, set[t.Any]] = {}
        for model, pk, _fields, _where in parsed:
            pk_fields = _pk_fields(model)
            if pk is None or len(pk_fields) != 1:
                continue
            try:
                wanted.setdefault(model, set()).add(to_python(pk_fields[0].column, pk))
            except (ValidationError, TypeError):
                continue  # reported when the object is built
        for model, keys in wanted.items():
            column = sa.inspect(model).primary_key[0]
            attr = sa.inspect(model).get_property_by_column(column).key
            found: dict[t.Any, t.Any] = {}
            ordered = list(keys)
            for start in range(0, len(ordered), 500):
                rows = db.session.scalars(sa.select(model).where(column.in_(ordered[start : start + 500])))
                found.update((getattr(row, attr), row) for row in rows)
            self.existing[model] = found

    def error(self, where: str, message: str) -> FixtureError:
        return FixtureError(f"Problem installing fixture {self.source!r}: {where}: {message}")

    def parse(self, number: int, item: t.Any) -> tuple[type, t.Any, dict[str, t.Any], str]:
        where = f"object #{number}"
        if not isinstance(item, dict) or not isinstance(item.get("model"), str):
            raise self.error(where, 'each object needs a "model" ("app_label.model_name") and "fields".')
        try:
            model = self.models.get(item["model"])
        except LookupError as exc:
            raise self.error(where, f"Invalid model identifier: {item['model']!r}. {exc}") from None
        fields = item.get("fields", {})
        if not isinstance(fields, dict):
            raise self.error(where, '"fields" must be an object of field names and values.')
        pk = item.get("pk")
        where = f"object #{number} ({label(model)}" + (f" pk={pk!r})" if pk is not None else ")")
        return model, pk, fields, where

    def build(self, model: type, pk: t.Any, fields: dict[str, t.Any], where: str) -> _Loaded:
        by_name: dict[str, ModelField] = {}
        for field in model_fields(model):
            by_name.setdefault(field.name, field)
            by_name.setdefault(field.attr, field)
        many = {prop.key: prop for prop in self.models.many_to_many(model)}
        unknown = [name for name in fields if name not in by_name and name not in many]
        if unknown and not self.ignore_nonexistent:
            names = ", ".join(repr(n) for n in unknown)
            known = ", ".join(sorted({f.name for f in by_name.values() if not f.column.primary_key} | set(many)))
            raise self.error(where, f"Invalid field name(s) for model {label(model)}: {names} (it has: {known}).")
        values: dict[str, t.Any] = {}
        for name, raw in fields.items():
            field = by_name.get(name)
            if field is None or field.column.primary_key:
                continue
            values[field.attr] = self.value(field, raw, where)
        entry_many = {name: fields[name] for name in many if name in fields}
        instance = self.instance(model, pk, values, where)
        for attr, value in values.items():
            setattr(instance, attr, value)
        db.session.add(instance)
        return _Loaded(model, instance, where, entry_many)

    def value(self, field: ModelField, raw: t.Any, where: str) -> t.Any:
        relationship = field.relationship
        if relationship is not None and isinstance(raw, list):
            related = self.by_natural_key(relationship.mapper.class_, raw, f"{where}, field {field.name!r}")
            remote = next(r for local, r in relationship.local_remote_pairs if local is field.column)
            return getattr(related, relationship.mapper.get_property_by_column(remote).key)
        try:
            return to_python(field.column, raw)
        except ValidationError as exc:
            raise self.error(f"{where}, field {field.name!r}", f"{'; '.join(exc.messages)}") from None

    def instance(self, model: type, pk: t.Any, values: dict[str, t.Any], where: str) -> t.Any:
        pk_fields = _pk_fields(model)
        if pk is None:
            if not _has_natural_key(model):
                if all(f.column.autoincrement is not False for f in pk_fields):
                    return model()
                raise self.error(where, 'the object has no "pk" and its model has no natural key.')
            candidate = model(**values)
            existing = self.call_natural_key(model, candidate.natural_key(), where)
            return existing if existing is not None else candidate
        raw_pks = pk if isinstance(pk, list) and len(pk_fields) > 1 else [pk]
        if len(raw_pks) != len(pk_fields):
            raise self.error(where, f'"pk" must have {len(pk_fields)} values (the model\'s primary key columns).')
        try:
            key_values = [to_python(f.column, v) for f, v in zip(pk_fields, raw_pks, strict=True)]
        except ValidationError as exc:
            raise self.error(where, f'"pk": {"; ".join(exc.messages)}') from None
        known = self.existing.get(model)
        if known is not None and len(key_values) == 1:
            existing = known.get(key_values[0])
        else:
            existing = db.session.get(model, key_values[0] if len(key_values) == 1 else tuple(key_values))
        if existing is not None:
            return existing
        return model(**{f.attr: v for f, v in zip(pk_fields, key_values, strict=True)})

    def call_natural_key(self, model: type, key: t.Sequence[t.Any], where: str) -> t.Any:
        getter = t.cast(t.Callable[..., t.Any], _natural_key_getter(model))
        try:
            return getter(*key)
        except TypeError as exc:
            raise self.error(where, f"the natural key {list(key)!r} of {label(model)} does not fit: {exc}") from None

    def by_natural_key(self, model: type, key: list[t.Any], where: str) -> t.Any:
        if _natural_key_getter(model) is None:
            raise self.error(where, f"{label(model)} has no natural key (get_by_natural_key); give its pk.")
        found = self.call_natural_key(model, key, where)
        if found is None or (isinstance(found, list | tuple) and not found):
            raise self.error(where, f"there is no {label(model)} with the natural key {key!r}.")
        return found

    def set_many_to_many(self, entry: _Loaded) -> None:
        for name, raw in entry.many.items():
            prop = next(p for p in self.models.many_to_many(entry.model) if p.key == name)
            related_model = prop.mapper.class_
            where = f"{entry.where}, field {name!r}"
            if not isinstance(raw, list):
                raise self.error(where, "a many-to-many value is a list of primary keys (or natural keys).")
            related = []
            pk_column = sa.inspect(related_model).primary_key[0]
            for value in raw:
                if isinstance(value, list):
                    related.append(self.by_natural_key(related_model, value, where))
                    continue
                try:
                    key = to_python(pk_column, value)
                except ValidationError as exc:
                    raise self.error(where, "; ".join(exc.messages)) from None
                other = db.session.get(related_model, key)
                if other is None:
                    raise self.error(where, f"there is no {label(related_model)} with the pk {value!r}.")
                related.append(other)
            setattr(entry.instance, name, related)


def _reset_sequences(session: t.Any, models: set[type]) -> None:
    """On PostgreSQL, move each loaded table's id sequence past its largest id (Django's sequence reset)."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    preparer = connection.dialect.identifier_preparer
    for model in models:
        table = sa.inspect(model).local_table
        column = table.autoincrement_column if isinstance(table, sa.Table) else None
        if column is None:
            continue
        name = preparer.format_table(table)
        sequence = connection.execute(sa.select(sa.func.pg_get_serial_sequence(name, column.name))).scalar_one_or_none()
        if sequence is None:
            continue
        quoted = preparer.quote(column.name)
        connection.execute(
            sa.text(
                f"SELECT setval(:sequence, COALESCE(MAX({quoted}), 1), MAX({quoted}) IS NOT NULL) FROM {name}"
            ).bindparams(sequence=sequence)
        )

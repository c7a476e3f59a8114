"""What the generic views do with models and ``select()`` statements (Django's querysets)."""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
import sqlalchemy.orm as sa_orm

from flaskkit import ConfigurationError
from flaskkit._text import did_you_mean
from flaskkit.plugins.forms.converters import humanize
from flaskkit.plugins.forms.converters import model_verbose_name
from flaskkit.plugins.orm import db

if t.TYPE_CHECKING:
    import collections.abc as cabc

    #: ``ordering`` as the views take it: ``"title"``, ``"-created"``, a column, or a sequence of those.
    Ordering = str | sa.ColumnElement[t.Any] | sa_orm.InstrumentedAttribute[t.Any] | cabc.Sequence[t.Any]

__all__ = [
    "ObjectAttributes",
    "check_model",
    "check_model_and_queryset",
    "count_rows",
    "entity_of",
    "field_values",
    "order_by_clauses",
    "primary_key_names",
    "rows",
    "verbose_name",
    "verbose_name_plural",
]


def check_model(owner: str, setting: str, model: object) -> type[t.Any]:
    """``model`` if it is a mapped model class; a ``ConfigurationError`` naming ``owner.setting`` otherwise."""
    if isinstance(model, type):
        try:
            sa.inspect(model)
        except sa.exc.NoInspectionAvailable:
            pass
        else:
            return model
    raise ConfigurationError(
        f"{owner}.{setting} is {model!r}, which is not a mapped SQLAlchemy model.",
        hint="Give a model class (a subclass of flaskkit.plugins.orm.Model).",
    )


def check_model_and_queryset(owner: str, model: object, queryset: object) -> type[t.Any] | None:
    """Validate a view's ``model`` and ``queryset`` options; the model they name, if any."""
    if model is not None:
        check_model(owner, "model", model)
    if queryset is not None and not isinstance(queryset, sa.Select):
        raise ConfigurationError(
            f"{owner}.queryset must be a select() statement, not {queryset!r}.",
            hint="Write queryset = select(Post).where(Post.published), or set model = Post.",
        )
    return t.cast("type[t.Any] | None", model or entity_of(queryset))


def entity_of(statement: object) -> type[t.Any] | None:
    """The model a ``select(Model)`` statement selects, or ``None``."""
    if not isinstance(statement, sa.Select):
        return None
    descriptions = statement.column_descriptions
    entity = descriptions[0].get("entity") if descriptions else None
    return entity if isinstance(entity, type) else None


def primary_key_names(model: type[t.Any]) -> list[str]:
    """The attribute names of the model's primary key columns."""
    mapper = sa.inspect(model)
    return [mapper.get_property_by_column(column).key for column in mapper.primary_key]


def order_by_clauses(owner: str, model: type[t.Any] | None, ordering: Ordering) -> list[t.Any]:
    """Django's ``ordering`` as ``ORDER BY`` clauses: ``"title"``, ``"-created"`` (descending), or SQL expressions."""
    items = [ordering] if isinstance(ordering, str) or not _is_sequence(ordering) else list(ordering)
    clauses: list[t.Any] = []
    for item in items:
        if not isinstance(item, str):
            clauses.append(item)
            continue
        descending = item.startswith("-")
        name = item.lstrip("-+")
        if model is None:
            raise ConfigurationError(
                f"{owner}.ordering names {name!r}, but the view has no model to find it on.",
                hint="Set model, or give columns (ordering = [Post.created.desc()]).",
            )
        column = _column(owner, model, name)
        clauses.append(column.desc() if descending else column.asc())
    return clauses


def _is_sequence(value: object) -> bool:
    return isinstance(value, list | tuple)


def _column(owner: str, model: type[t.Any], name: str) -> t.Any:
    names = list(sa.inspect(model).column_attrs.keys())  # .keys(): iterating gives the properties
    if name not in names:
        raise ConfigurationError(
            f"{owner}.ordering names {name!r}, which is not a column of {model.__name__}." + did_you_mean(name, names),
            hint=f"Use one of {', '.join(map(repr, names))}, with '-' in front to sort descending.",
        )
    return getattr(model, name)


def count_rows(statement: sa.Select[t.Any]) -> int:
    """How many rows ``statement`` selects (Flask-SQLAlchemy's count query: no eager loads, no ORDER BY)."""
    subquery = statement.options(sa_orm.lazyload("*")).order_by(None).subquery()
    return int(db.session.execute(sa.select(sa.func.count()).select_from(subquery)).scalar() or 0)


def rows(statement: sa.Select[t.Any]) -> list[t.Any]:
    """Every row ``statement`` selects, as model instances."""
    return list(db.session.scalars(statement).unique().all())


def verbose_name(model: type[t.Any]) -> str:
    """``BlogPost`` -> ``"Blog post"``, or ``__table__.info["verbose_name"]`` (the forms plugin's rule)."""
    return model_verbose_name(model)


def verbose_name_plural(model: type[t.Any]) -> str:
    """``__table__.info["verbose_name_plural"]``, else the verbose name with an ``s``."""
    table = getattr(model, "__table__", None)
    name = table.info.get("verbose_name_plural") if table is not None else None
    return humanize(str(name)) if name else f"{verbose_name(model)}s"


def field_values(obj: object) -> list[tuple[str, t.Any]]:
    """``(label, value)`` for each column of ``obj``'s model, for the shipped detail page.

    The label is the column's ``info={"label": ...}``, else its name with spaces.
    """
    mapper = sa.inspect(type(obj))
    values = []
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        label = column.info.get("label") if isinstance(column, sa.Column) else None
        values.append((str(label) if label else humanize(prop.key), getattr(obj, prop.key)))
    return values


class ObjectAttributes:
    """``success_url.format_map(ObjectAttributes(obj))``: ``"/posts/{id}/"`` filled from the object.

    Django formats with ``obj.__dict__``; an SQLAlchemy object's ``__dict__``
    is empty after a commit (its attributes are expired and load on access),
    so the attributes are read one by one. Names starting with ``_`` are refused.
    """

    def __init__(self, obj: object) -> None:
        self.obj = obj

    def __getitem__(self, name: str) -> t.Any:
        if name.startswith("_"):
            raise KeyError(name)
        try:
            return getattr(self.obj, name)
        except AttributeError:
            raise KeyError(name) from None

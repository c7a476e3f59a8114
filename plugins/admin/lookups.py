"""Django's field paths (``"author__username"``) on SQLAlchemy models.

``list_filter``, ``search_fields``, ``ordering`` and ``@admin.display(ordering=)``
name fields as Django does: an attribute of the model, or a path through its
relationships joined by ``__``. A condition on a path becomes nested
``EXISTS`` subqueries (``Post.author.has(User.username == ...)``,
``Post.tags.any(...)``), so filtering and searching across a one-to-many or
many-to-many relationship never repeats a row; ordering joins the
many-to-one steps (outer joins, so rows without the related row stay).
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import ColumnProperty
from sqlalchemy.orm import RelationshipProperty
from sqlalchemy.orm import aliased

from flaskkit._text import did_you_mean

__all__ = [
    "LOOKUP_SEP",
    "FieldPath",
    "base_type",
    "is_aware_datetime",
    "order_by_path",
    "resolve_path",
    "where_path",
]

LOOKUP_SEP = "__"


class PathError(LookupError):
    """A field path names nothing on the model; the message says what is there."""


def base_type(type_: sa.types.TypeEngine[t.Any]) -> sa.types.TypeEngine[t.Any]:
    """The type under any ``TypeDecorator`` (an aware datetime type is a ``DateTime(timezone=True)``)."""
    while isinstance(type_, sa.types.TypeDecorator):
        type_ = type_.impl_instance
    return type_


def is_aware_datetime(column: sa.ColumnElement[t.Any]) -> bool:
    """Whether the column holds timezone-aware datetimes (by its behaviour, not its class)."""
    base = base_type(column.type)
    return isinstance(base, sa.DateTime) and bool(base.timezone)


@dataclass(frozen=True)
class FieldPath:
    """Where a path leads: the relationships on the way and the attribute at the end."""

    #: The path as written (``"author__username"``).
    path: str
    #: The model the path starts from.
    model: type
    #: The relationships crossed, in order.
    steps: tuple[RelationshipProperty[t.Any], ...]
    #: The attribute at the end: a column or a relationship.
    prop: ColumnProperty[t.Any] | RelationshipProperty[t.Any]

    @property
    def owner(self) -> type:
        """The model that has the final attribute."""
        return self.steps[-1].mapper.class_ if self.steps else self.model

    @property
    def is_relationship(self) -> bool:
        return isinstance(self.prop, RelationshipProperty)

    @property
    def is_collection(self) -> bool:
        """Whether the path crosses (or ends on) a to-many relationship."""
        rels = [*self.steps, *([self.prop] if isinstance(self.prop, RelationshipProperty) else [])]
        return any(rel.uselist for rel in rels)

    @property
    def column(self) -> sa.Column[t.Any] | None:
        """The table column at the end (None for a relationship or an SQL expression)."""
        if isinstance(self.prop, ColumnProperty) and len(self.prop.columns) == 1:
            column = self.prop.columns[0]
            return column if isinstance(column, sa.Column) else None
        return None

    @property
    def expression(self) -> sa.ColumnElement[t.Any] | None:
        """The column, or the SQL expression of a ``column_property``."""
        if isinstance(self.prop, ColumnProperty) and len(self.prop.columns) == 1:
            return t.cast("sa.ColumnElement[t.Any]", self.prop.columns[0])
        return None

    @property
    def related_model(self) -> type | None:
        """For a path ending on a relationship: the related model."""
        return self.prop.mapper.class_ if isinstance(self.prop, RelationshipProperty) else None


def resolve_path(model: type, path: str) -> FieldPath:
    """The :class:`FieldPath` of ``path`` on ``model``; :class:`PathError` when a part names nothing."""
    parts = path.split(LOOKUP_SEP)
    if not path or not all(parts):
        raise PathError(f"{path!r} is not a field path (write 'field' or 'relation__field').")
    current = model
    steps: list[RelationshipProperty[t.Any]] = []
    for index, part in enumerate(parts):
        mapper = sa.inspect(current)
        prop = mapper.attrs.get(part)
        if prop is None or not isinstance(prop, ColumnProperty | RelationshipProperty):
            names = [p.key for p in mapper.attrs if isinstance(p, ColumnProperty | RelationshipProperty)]
            raise PathError(
                f"{current.__name__} has no field named {part!r}.{did_you_mean(part, names)} "
                f"Its fields: {', '.join(names)}."
            )
        if index == len(parts) - 1:
            return FieldPath(path, model, tuple(steps), prop)
        if not isinstance(prop, RelationshipProperty):
            raise PathError(f"{current.__name__}.{part} is not a relationship, so {path!r} cannot go further.")
        steps.append(prop)
        current = prop.mapper.class_
    raise AssertionError("unreachable")


def where_path(field: FieldPath, condition: t.Callable[[t.Any], sa.ColumnElement[bool]]) -> sa.ColumnElement[bool]:
    """A WHERE clause: ``condition(attribute)`` on the path's end, inside ``has()``/``any()`` per relationship.

    ``attribute`` is the final column attribute, or, for a path ending on a
    relationship, that relationship's primary key column of the related model.
    """
    if isinstance(field.prop, RelationshipProperty):
        related = field.prop.mapper
        pk = related.primary_key[0]
        inner = condition(pk)
        attribute = getattr(field.owner, field.prop.key)
        clause = attribute.any(inner) if field.prop.uselist else attribute.has(inner)
    else:
        clause = condition(getattr(field.owner, field.prop.key))
    for step in reversed(field.steps):
        attribute = getattr(step.parent.class_, step.key)
        clause = attribute.any(clause) if step.uselist else attribute.has(clause)
    return clause


def order_by_path(query: t.Any, field: FieldPath, joins: dict[tuple[str, ...], t.Any]) -> tuple[t.Any, t.Any]:
    """``(query, expression)`` to order by the path's end; many-to-one steps are outer-joined once.

    ``joins`` remembers the aliases already joined (by path prefix) for this query.
    """
    current: t.Any = field.model
    prefix: tuple[str, ...] = ()
    for step in field.steps:
        prefix = (*prefix, step.key)
        alias = joins.get(prefix)
        if alias is None:
            alias = aliased(step.mapper.class_)
            query = query.outerjoin(getattr(current, step.key).of_type(alias))
            joins[prefix] = alias
        current = alias
    if isinstance(field.prop, RelationshipProperty):
        # Ordering by a relationship orders by its foreign key column(s), as Django orders by the related pk.
        columns = [getattr(current, _column_key(field, column)) for column in field.prop.local_columns]
        return query, columns[0]
    return query, getattr(current, field.prop.key)


def _column_key(field: FieldPath, column: sa.ColumnElement[t.Any]) -> str:
    mapper = sa.inspect(field.owner)
    return mapper.get_property_by_column(column).key

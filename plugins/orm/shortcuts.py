"""Django's ``get_object_or_404`` and ``get_list_or_404`` for SQLAlchemy models."""

from __future__ import annotations

import decimal
import typing as t
import uuid

import sqlalchemy as sa
import sqlalchemy.orm as sa_orm
from werkzeug.exceptions import NotFound

from .database import db

__all__ = ["get_list_or_404", "get_object_or_404"]

_M = t.TypeVar("_M")

#: Inclusive ranges of the integer column types. A value outside the range
#: matches no row (Django 5.0 does the same) instead of making the database
#: raise (PostgreSQL: "bigint out of range", a 500).
_INTEGER_RANGES: tuple[tuple[type[sa.types.TypeEngine[t.Any]], int], ...] = (
    (sa.SmallInteger, 2**15),
    (sa.BigInteger, 2**63),
    (sa.Integer, 2**31),
)
_CONVERTERS: dict[type[t.Any], t.Callable[[str], t.Any]] = {
    int: int,
    float: float,
    decimal.Decimal: decimal.Decimal,
    uuid.UUID: uuid.UUID,
}


class _NoMatch(Exception):
    """A filter value that no row can match (``id="abc"`` on an integer column)."""


@t.overload
def get_object_or_404(model: type[_M], /, *where: sa.ColumnElement[bool], **filters: t.Any) -> _M: ...
@t.overload
def get_object_or_404(model: sa.Select[t.Any], /, *where: sa.ColumnElement[bool], **filters: t.Any) -> t.Any: ...


def get_object_or_404(model: t.Any, /, *where: sa.ColumnElement[bool], **filters: t.Any) -> t.Any:
    """The one row of ``model`` that matches, or a 404 (:class:`werkzeug.exceptions.NotFound`).

    ::

        post = get_object_or_404(Post, id=post_id, published=True)
        post = get_object_or_404(Post, Post.slug == slug)
        post = get_object_or_404(select(Post).options(selectinload(Post.tags)), id=post_id)

    ``model`` is a model class or a ``select()`` of one; ``where`` are SQL
    expressions and ``filters`` column values, as in ``filter_by``. A value
    that cannot be one of the column's (``id="abc"`` on an integer column, a
    number out of its range, a malformed UUID) matches nothing: 404, not a
    database error. More than one match raises
    :class:`sqlalchemy.exc.MultipleResultsFound`, like Django's
    ``MultipleObjectsReturned``.
    """
    try:
        statement = _statement(model, where, filters)
    except _NoMatch:
        raise NotFound(_description(model)) from None
    found = db.session.scalars(statement).unique().one_or_none()
    if found is None:
        raise NotFound(_description(model))
    return found


@t.overload
def get_list_or_404(model: type[_M], /, *where: sa.ColumnElement[bool], **filters: t.Any) -> list[_M]: ...
@t.overload
def get_list_or_404(model: sa.Select[t.Any], /, *where: sa.ColumnElement[bool], **filters: t.Any) -> list[t.Any]: ...


def get_list_or_404(model: t.Any, /, *where: sa.ColumnElement[bool], **filters: t.Any) -> list[t.Any]:
    """Every row of ``model`` that matches, or a 404 when there is none.

    Takes the same arguments as :func:`get_object_or_404`; order with a
    ``select()``: ``get_list_or_404(select(Post).order_by(Post.created), author_id=1)``.
    """
    try:
        statement = _statement(model, where, filters)
    except _NoMatch:
        raise NotFound(_description(model)) from None
    found = list(db.session.scalars(statement).unique().all())
    if not found:
        raise NotFound(_description(model))
    return found


def _statement(model: t.Any, where: tuple[t.Any, ...], filters: dict[str, t.Any]) -> sa.Select[t.Any]:
    if isinstance(model, sa.Select):
        statement = model
        entity = _entity_of(model)
    elif isinstance(model, type):
        try:
            sa.inspect(model)
        except sa.exc.NoInspectionAvailable:
            raise TypeError(f"{model.__qualname__} is not a mapped model class.") from None
        statement = sa.select(model)
        entity = model
    else:
        raise TypeError(f"The first argument must be a model class or a select() statement, not {model!r}.")
    if where:
        statement = statement.where(*where)
    if filters:
        if entity is not None:
            filters = {name: _coerce(entity, name, value) for name, value in filters.items()}
        statement = statement.filter_by(**filters)
    return statement


def _entity_of(statement: sa.Select[t.Any]) -> type | None:
    descriptions = statement.column_descriptions
    entity = descriptions[0].get("entity") if descriptions else None
    return entity if isinstance(entity, type) else None


def _coerce(entity: type, name: str, value: t.Any) -> t.Any:
    """``value`` as the column ``name`` of ``entity`` holds it; raise :class:`_NoMatch` when it cannot be."""
    attribute: object = sa.inspect(entity).attrs.get(name)
    if not isinstance(attribute, sa_orm.ColumnProperty) or len(attribute.columns) != 1:
        return value
    column = attribute.columns[0]
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return value
    if isinstance(value, str) and python_type in _CONVERTERS:
        try:
            value = _CONVERTERS[python_type](value.strip())
        except (ValueError, TypeError, ArithmeticError):
            raise _NoMatch(name) from None
    if isinstance(value, int) and not isinstance(value, bool):
        for integer_type, bound in _INTEGER_RANGES:
            if isinstance(column.type, integer_type):
                if not -bound <= value < bound:
                    raise _NoMatch(name)
                break
    return value


def _description(model: t.Any) -> str:
    entity = _entity_of(model) if isinstance(model, sa.Select) else model
    name = getattr(entity, "__name__", "object")
    return f"No {name} matches the given query."

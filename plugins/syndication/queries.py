"""Items given as a SQLAlchemy ``select()``: run through the orm plugin's session.

``Feed.items()`` and ``Sitemap.items()`` may return a list, any iterable, or a
``select(Note).order_by(...)`` statement, which is run when the view needs the rows
(a sitemap page runs it with ``LIMIT``/``OFFSET`` and counts with ``COUNT(*)``). SQLAlchemy
is imported only when a statement is actually given.
"""

from __future__ import annotations

import sys
import typing as t

if t.TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = ["count_rows", "is_select", "ordered_by_primary_key", "rows", "select_entity", "session"]


def is_select(value: object) -> bool:
    """Whether ``value`` is a SQLAlchemy ``Select`` (without importing SQLAlchemy)."""
    sa_module = sys.modules.get("sqlalchemy")
    return sa_module is not None and isinstance(value, sa_module.Select)


def select_entity(statement: sa.Select[t.Any]) -> type[t.Any] | None:
    """The mapped class a ``select(Model)`` returns, or ``None`` for a statement of columns."""
    descriptions = statement.column_descriptions
    if len(descriptions) != 1:
        return None
    entity = descriptions[0].get("entity")
    expression = descriptions[0].get("expr")
    return entity if isinstance(entity, type) and expression is entity else None


def ordered_by_primary_key(statement: sa.Select[t.Any]) -> sa.Select[t.Any]:
    """The statement with its entity's primary key added at the end of ``ORDER BY``: pages taken with
    ``LIMIT``/``OFFSET`` are stable only in a total order."""
    import sqlalchemy as sa

    entity = select_entity(statement)
    if entity is None:
        return statement
    return statement.order_by(*sa.inspect(entity).primary_key)


def session() -> t.Any:
    """The orm plugin's session (imported when a statement is run)."""
    from flaskkit.plugins.orm import db

    return db.session


def rows(statement: sa.Select[t.Any]) -> list[t.Any]:
    """The objects (or first column values) the statement returns."""
    result = session().scalars(statement)
    if select_entity(statement) is not None:
        result = result.unique()  # a joined eager load of a collection repeats the object
    return list(result.all())


def count_rows(statement: sa.Select[t.Any]) -> int:
    """``SELECT count(*)`` of the statement's rows (its ``ORDER BY`` dropped)."""
    import sqlalchemy as sa

    counted = sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
    return int(session().scalar(counted) or 0)

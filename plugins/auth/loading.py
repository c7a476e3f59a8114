"""The session's user, loaded by primary key on every request of a logged-in user: at half the ORM's cost.

``db.session.get(User, pk)`` builds its ``SELECT`` and the statement's cache key on each
call, then runs the ORM's loading machinery for one row (a query context, a row
processor made per query, the identity map's bookkeeping): on SQLite that is most of
the time of loading a user, for a row of a dozen columns. :func:`get_by_pk` runs one
Core ``SELECT`` of the mapped columns, built once per model, on the session's own
connection (the same bind, the same transaction), and makes the persistent instance
from the row with SQLAlchemy's public API (``instance_dict``,
``make_transient_to_detached``, ``Session.add``): the object is the one the ORM would
load, in the session's identity map, clean, its relationships lazy as usual.

Where the ORM does more than that, the ORM loads the user (``Session.get`` through a
statement built once): a model whose columns are not all plain columns of one table
(inheritance, ``column_property`` expressions, deferred columns), a model with ``load``
event listeners, or a session with ``do_orm_execute`` listeners (which may add
criteria to every ORM query, such as soft deletes or tenants) other than those that
only watch writes (:mod:`flaskkit.plugins.orm.listeners`).
"""

from __future__ import annotations

import typing as t
import weakref

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict
from sqlalchemy.orm.instrumentation import manager_of_class

from flaskkit.plugins.orm import db
from flaskkit.plugins.orm.listeners import may_change_reads

__all__ = ["get_by_pk"]


class _Plan(t.NamedTuple):
    #: The attribute keys, in the order of the statement's columns.
    keys: tuple[str, ...]
    statement: sa.Select[t.Any]


#: model -> how to load it by primary key with Core (``None``: through the ORM); see get_by_pk.
_CORE: weakref.WeakKeyDictionary[type, _Plan | None] = weakref.WeakKeyDictionary()
#: model -> ``select(model).where(<primary key> == :pk)``, for the ORM's way.
_ORM: weakref.WeakKeyDictionary[type, sa.Select[t.Any]] = weakref.WeakKeyDictionary()


def get_by_pk(model: type[t.Any], pk: t.Any) -> t.Any:
    """``db.session.get(model, pk)``: the instance in the session's identity map, else loaded (or ``None``)."""
    session = db.session()
    mapper = sa.inspect(model)
    if len(mapper.primary_key) != 1:
        return session.get(model, pk)
    found = session.identity_map.get(mapper.identity_key_from_primary_key([pk]))
    if found is not None:
        return found
    try:
        plan = _CORE[model]
    except KeyError:
        plan = _CORE[model] = _core_plan(mapper)
    manager = manager_of_class(model)
    if plan is None or manager.dispatch.load or may_change_reads(session):
        return _orm_get(session, model, mapper, pk)
    row = session.connection(bind_arguments={"mapper": mapper}).execute(plan.statement, {"pk": pk}).first()
    if row is None:
        return None
    instance = manager.new_instance()
    # What the ORM's loader does with a row: the values straight into the instance's dict, then
    # committed at once (make_transient_to_detached: the identity from the primary key, every
    # attribute loaded and unchanged).
    instance_dict(instance).update(zip(plan.keys, row, strict=True))
    make_transient_to_detached(instance)
    session.add(instance)  # persistent and clean: in the identity map, nothing to flush
    return instance


def _core_plan(mapper: sa.orm.Mapper[t.Any]) -> _Plan | None:
    """The Core statement for ``mapper``, or ``None`` where only the ORM loads its instances right."""
    table = mapper.local_table
    if mapper.inherits is not None or mapper.polymorphic_on is not None or not isinstance(table, sa.Table):
        return None
    keys: list[str] = []
    columns: list[sa.Column[t.Any]] = []
    for prop in mapper.column_attrs:
        column = prop.columns[0] if len(prop.columns) == 1 else None
        if not isinstance(column, sa.Column) or column.table is not table or prop.deferred:
            return None
        keys.append(prop.key)
        columns.append(column)
    (pk_column,) = mapper.primary_key
    statement = sa.select(*columns).where(pk_column == sa.bindparam("pk", type_=pk_column.type))
    return _Plan(tuple(keys), statement)


def _orm_get(session: t.Any, model: type[t.Any], mapper: sa.orm.Mapper[t.Any], pk: t.Any) -> t.Any:
    """``Session.get``, through a statement built once per model (``Session.get`` builds it on each call)."""
    statement = _ORM.get(model)
    if statement is None:
        column = mapper.primary_key[0]
        statement = _ORM[model] = sa.select(model).where(column == sa.bindparam("pk", type_=column.type))
    return session.execute(statement, {"pk": pk}).unique().scalar_one_or_none()

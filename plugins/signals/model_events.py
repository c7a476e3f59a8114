"""The model signals, sent from SQLAlchemy's session and mapper events on the orm plugin's ``db``.

When (for an app whose ``PLUGINS`` has both ``"orm"`` and ``"signals"``):

* ``before_flush``: ``pre_save`` for each new instance and each instance with
  a net change to a column or a many-to-one reference, ``pre_delete`` for each
  instance given to ``session.delete()``. Receivers may use the session
  (query, add objects: they are flushed too, with their own signals). An
  orphan that a ``delete-orphan`` cascade will delete gets ``pre_delete``, not
  ``pre_save``; any other instance the flush deletes unannounced gets it from
  the mapper's ``before_delete``, where the session must not be used.
* mapper ``after_insert``/``after_update``/``after_delete``: what was really
  written is noted, in the flush's order (an instance with no net change is
  not saved, so it gets no signal: unlike Django's ``save()``).
* ``after_flush_postexec``: ``post_save``/``post_delete``, once per instance
  per flush; receivers may query and add objects (flushed before the commit).
  For each, ``post_commit_save``/``post_commit_delete`` is queued with the orm
  plugin's ``on_commit()``: sent after the commit, dropped on rollback.
* ``do_orm_execute``: ``bulk_update``/``bulk_delete`` before an ORM
  ``update(Model)``/``delete(Model)`` statement runs; such statements send no
  per-object signal (SQLAlchemy does not load the rows).

The listeners are attached once per process, in the signals plugin's
``ready()``; each returns at once for an app that does not enable the signals
plugin, so model signals never leak into another app of the process.
"""

from __future__ import annotations

import functools
import typing as t
from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa
import sqlalchemy.orm as sa_orm
from flask import current_app
from flask import has_app_context

from . import model_signals as signals
from .dispatch import send_robust

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["EXTENSION_KEY", "install_model_signals", "model_signals_enabled"]

#: ``app.extensions[EXTENSION_KEY]`` is set on apps whose model signals are on.
EXTENSION_KEY = "flaskkit.signals"
#: ``session.info`` key of the current flush's bookkeeping.
_FLUSH = "flaskkit.signals.flush"

_SAVE = "save"
_DELETE = "delete"

_PER_OBJECT = (
    signals.pre_save,
    signals.post_save,
    signals.pre_delete,
    signals.post_delete,
    signals.post_commit_save,
    signals.post_commit_delete,
)


@dataclass
class _Flush:
    #: id(instance) -> (instance, kind, created, update_fields): those that got their pre_* signal.
    announced: dict[int, tuple[t.Any, str, bool, frozenset[str] | None]] = field(default_factory=dict)
    #: What the flush wrote, in its order.
    written: list[tuple[t.Any, str, bool, frozenset[str] | None]] = field(default_factory=list)


def model_signals_enabled(app: Flask | None = None) -> bool:
    """Whether the model signals are sent for ``app`` (default: the current app)."""
    if app is None:
        if not has_app_context():
            return False
        app = t.cast("Flask", current_app)
    return EXTENSION_KEY in app.extensions


def install_model_signals(app: Flask) -> None:
    """Turn the model signals on for ``app``; attach the listeners (once per process)."""
    from flaskkit.plugins.orm import Model
    from flaskkit.plugins.orm import db
    from flaskkit.plugins.orm.listeners import watches_writes_only

    watches_writes_only(_do_orm_execute)  # it sends the bulk signals of updates and deletes; reads are left alone

    app.extensions[EXTENSION_KEY] = True
    listeners: list[tuple[t.Any, str, t.Callable[..., t.Any], dict[str, t.Any]]] = [
        (db.session, "before_flush", _before_flush, {}),
        (db.session, "after_flush_postexec", _after_flush_postexec, {}),
        (db.session, "after_rollback", _after_rollback, {}),
        (db.session, "do_orm_execute", _do_orm_execute, {}),
        (Model, "before_delete", _before_delete, {"propagate": True}),
        (Model, "after_insert", _after_insert, {"propagate": True}),
        (Model, "after_update", _after_update, {"propagate": True}),
        (Model, "after_delete", _after_delete, {"propagate": True}),
    ]
    for target, event, listener, options in listeners:
        if not sa.event.contains(target, event, listener):
            sa.event.listen(target, event, listener, **options)


# -- session events -----------------------------------------------------------------


def _before_flush(session: sa_orm.Session, flush_context: t.Any, instances: t.Any) -> None:
    session.info.pop(_FLUSH, None)
    if not any(signal.receivers for signal in _PER_OBJECT) or not model_signals_enabled():
        return  # (the receivers first: a flush with nobody listening asks nothing of the app)
    from flaskkit.plugins.orm import Model

    flush = session.info[_FLUSH] = _Flush()
    announced = flush.announced
    # A pre_save receiver may add or change objects: announce until nothing new appears.
    for _round in range(100):
        pending: list[tuple[t.Any, str, bool, frozenset[str] | None]] = []
        for obj in session.new:
            if id(obj) not in announced and isinstance(obj, Model):
                pending.append((obj, _SAVE, True, None))
        for obj in session.dirty:
            if id(obj) not in announced and isinstance(obj, Model):
                if _is_orphan(obj):  # the flush will delete it (delete-orphan cascade), not update it
                    pending.append((obj, _DELETE, False, None))
                    continue
                fields = changed_fields(obj)
                if fields:
                    pending.append((obj, _SAVE, False, fields))
        for obj in session.deleted:
            if id(obj) not in announced and isinstance(obj, Model):
                pending.append((obj, _DELETE, False, None))
        if not pending:
            break
        for item in pending:
            obj, kind, created, fields = item
            announced[id(obj)] = item
            if kind == _SAVE:
                signals.pre_save.send(type(obj), instance=obj, created=created, update_fields=fields, session=session)
            else:
                signals.pre_delete.send(type(obj), instance=obj, session=session)


def _after_flush_postexec(session: sa_orm.Session, flush_context: t.Any) -> None:
    flush: _Flush | None = session.info.pop(_FLUSH, None)
    if flush is None or not flush.written:
        return
    from flaskkit.plugins.orm import db
    from flaskkit.plugins.orm import on_commit

    # on_commit() follows db.session's transaction (and its savepoints); another session is not queued.
    queue = session is db.session()
    for obj, kind, created, fields in flush.written:
        if kind == _SAVE:
            signals.post_save.send(type(obj), instance=obj, created=created, update_fields=fields, session=session)
            if queue and signals.post_commit_save.receivers:
                on_commit(
                    functools.partial(
                        send_robust,
                        signals.post_commit_save,
                        type(obj),
                        instance=obj,
                        created=created,
                        update_fields=fields,
                    ),
                    robust=True,
                )
        else:
            signals.post_delete.send(type(obj), instance=obj, session=session)
            if queue and signals.post_commit_delete.receivers:
                on_commit(
                    functools.partial(send_robust, signals.post_commit_delete, type(obj), instance=obj), robust=True
                )


def _after_rollback(session: sa_orm.Session) -> None:
    session.info.pop(_FLUSH, None)  # a flush that failed


def _do_orm_execute(state: sa_orm.ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    signal = signals.bulk_update if state.is_update else signals.bulk_delete
    if not signal.receivers or not model_signals_enabled():
        return
    mapper = state.bind_mapper
    if mapper is None:
        return
    signal.send(mapper.class_, statement=state.statement, params=state.parameters, session=state.session)


# -- mapper events ----------------------------------------------------------------------


def _flush_of(target: t.Any) -> _Flush | None:
    session = sa_orm.object_session(target)
    return session.info.get(_FLUSH) if session is not None else None


def _before_delete(mapper: sa_orm.Mapper[t.Any], connection: sa.Connection, target: t.Any) -> None:
    flush = _flush_of(target)
    if flush is None:
        return
    item = flush.announced.get(id(target))
    if item is not None and item[1] == _DELETE:
        return
    # Deleted by the flush itself, in a way before_flush did not foresee: announce it now.
    flush.announced[id(target)] = (target, _DELETE, False, None)
    signals.pre_delete.send(type(target), instance=target, session=sa_orm.object_session(target))


def _after_insert(mapper: sa_orm.Mapper[t.Any], connection: sa.Connection, target: t.Any) -> None:
    flush = _flush_of(target)
    if flush is not None:
        flush.written.append((target, _SAVE, True, None))


def _after_update(mapper: sa_orm.Mapper[t.Any], connection: sa.Connection, target: t.Any) -> None:
    flush = _flush_of(target)
    if flush is None:
        return
    item = flush.announced.get(id(target))
    if item is not None and item[1] == _SAVE:  # not announced: no net change, no UPDATE was sent
        flush.written.append(item)


def _after_delete(mapper: sa_orm.Mapper[t.Any], connection: sa.Connection, target: t.Any) -> None:
    flush = _flush_of(target)
    if flush is not None:
        flush.written.append((target, _DELETE, False, None))


# -- helpers ------------------------------------------------------------------------------


def _is_orphan(obj: object) -> bool:
    """Whether the flush will delete ``obj`` as an orphan (``delete-orphan``, no parent left).

    The same test SQLAlchemy's flush makes (``Mapper._is_orphan``, not public
    API); without it, the orphan's ``pre_delete`` comes from ``before_delete``.
    """
    state = sa.inspect(obj)
    is_orphan = getattr(state.mapper, "_is_orphan", None)
    return bool(state.has_identity and is_orphan is not None and is_orphan(state))


def changed_fields(obj: object) -> frozenset[str]:
    """The attributes of ``obj`` with a net change: columns and many-to-one references (``update_fields``)."""
    state = sa.inspect(obj)
    mapper = state.mapper
    names = [prop.key for prop in mapper.column_attrs]
    names += [rel.key for rel in mapper.relationships if rel.direction is sa_orm.MANYTOONE]
    attrs = state.attrs
    return frozenset(name for name in names if attrs[name].history.has_changes())

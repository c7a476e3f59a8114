"""Django's transaction tools on ``db.session``: ``ATOMIC_REQUESTS``, ``non_atomic``, ``on_commit``.

``ATOMIC_REQUESTS`` wraps the *view call* (the ``orm.atomic`` layer of the
kit's request pipeline, a ``wrap_view`` hook), not the request teardown: Flask
calls ``teardown_request`` with ``exc=None`` after ``abort(404)`` and after any
error an ``errorhandler`` handled, so a commit there would save the half-done
work of a view that failed. Around the view we see every exception the view
raises. As in Django, middleware, ``before_request``/``after_request`` hooks
and error handlers run outside the view's transaction.
"""

from __future__ import annotations

import logging
import typing as t

import sqlalchemy.event as sa_event
import sqlalchemy.orm as sa_orm
from flask import g
from flask import has_app_context
from flask import request

from flaskkit.pipeline import Layer

from .database import Session
from .database import db

if t.TYPE_CHECKING:
    from flask import Flask
    from flask.typing import ResponseReturnValue

__all__ = ["ATOMIC_LAYER", "atomic_request_layer", "is_atomic_request", "non_atomic", "on_commit"]

#: The name of the ``ATOMIC_REQUESTS`` layer in the request pipeline.
ATOMIC_LAYER = "orm.atomic"

logger = logging.getLogger("flaskkit.orm")

_F = t.TypeVar("_F", bound=t.Callable[..., t.Any])

#: ``session.info`` key: the callbacks waiting for the commit, as ``(savepoint, fn, robust)``.
_PENDING = "flaskkit.on_commit"
#: ``session.info`` key: set by ``after_commit`` of the outermost transaction.
_COMMITTED = "flaskkit.on_commit.committed"
#: Marks a view (function or ``View`` class) that ``non_atomic`` opted out.
_NON_ATOMIC_ATTR = "_flaskkit_non_atomic"
#: ``g`` key: the current view runs inside an atomic request.
_ATOMIC_G = "_flaskkit_atomic_request"


# -- on_commit ------------------------------------------------------------------


def on_commit(func: t.Callable[[], t.Any], *, robust: bool = False) -> None:
    """Call ``func()`` once the current transaction of ``db.session`` is committed.

    Never after a rollback: the callback is dropped when the transaction rolls
    back (or ends without a commit), and when the savepoint it was registered in
    rolls back. Callbacks run in the order they were registered, after the
    *outermost* commit (releasing a savepoint runs nothing), and may use
    ``db.session`` (a new transaction).

    Like Django, with no transaction open (nothing done on ``db.session`` since
    the last commit, and not inside an atomic request) ``func`` runs at once.
    With ``ATOMIC_REQUESTS`` the whole view is one transaction: callbacks run
    after the view returned and its work was committed.

    An exception from ``func`` propagates out of ``commit()`` and the
    callbacks after it are dropped, unless ``robust=True``: then it is logged
    (logger ``flaskkit.orm``) and the next callbacks still run.
    """
    if not callable(func):
        raise TypeError(f"on_commit() needs a callable, not {func!r}.")
    session = db.session()
    if not session.in_transaction() and not is_atomic_request():
        _run([(None, func, robust)])
        return
    pending: list[tuple[sa_orm.SessionTransaction | None, t.Callable[[], t.Any], bool]]
    pending = session.info.setdefault(_PENDING, [])
    pending.append((session.get_nested_transaction(), func, robust))


def _run(callbacks: list[tuple[t.Any, t.Callable[[], t.Any], bool]]) -> None:
    for _savepoint, func, robust in callbacks:
        if not robust:
            func()
            continue
        try:
            func()
        except Exception:
            logger.exception("The on_commit callback %r raised; the next callbacks still run (robust=True).", func)


# SQLAlchemy forbids SQL inside ``after_commit`` (the session is in its
# 'committed' state there), and Django's callbacks may use the database: so
# ``after_commit`` only notes that the outermost transaction committed, and the
# callbacks run in ``after_transaction_end``, when the session is usable again.


@sa_event.listens_for(Session, "after_commit")
def _note_commit(session: sa_orm.Session) -> None:
    if not session.in_nested_transaction():  # releasing a savepoint is not the commit
        session.info[_COMMITTED] = True


@sa_event.listens_for(Session, "after_rollback")
def _drop_rolled_back(session: sa_orm.Session) -> None:
    pending = session.info.get(_PENDING)
    if not pending:
        return
    savepoint = session.get_nested_transaction()
    if savepoint is None:  # the whole transaction rolled back
        pending.clear()
        return
    # A savepoint rolled back: drop what was registered inside it (or inside one of its savepoints).
    pending[:] = [entry for entry in pending if not _within(entry[0], savepoint)]


@sa_event.listens_for(Session, "after_transaction_end")
def _run_after_commit(session: sa_orm.Session, transaction: sa_orm.SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    committed = session.info.pop(_COMMITTED, False)
    pending = session.info.pop(_PENDING, None)
    if committed and pending:
        _run(pending)


def _within(savepoint: sa_orm.SessionTransaction | None, ancestor: sa_orm.SessionTransaction) -> bool:
    while savepoint is not None:
        if savepoint is ancestor:
            return True
        savepoint = savepoint.parent
    return False


# -- ATOMIC_REQUESTS --------------------------------------------------------------


def non_atomic(view: _F) -> _F:
    """Run this view outside the per-request transaction of ``ATOMIC_REQUESTS``
    (Django's ``@transaction.non_atomic_requests``). Works on a view function and
    on a ``flask.views.View`` class; put it closest to the function when you stack
    decorators that do not copy attributes."""
    setattr(view, _NON_ATOMIC_ATTR, True)
    return view


def is_atomic_request() -> bool:
    """Whether the code runs inside the view of an atomic request."""
    return has_app_context() and bool(g.get(_ATOMIC_G))


def atomic_request_layer(app: Flask) -> Layer:
    """The pipeline layer that makes every view of ``app`` (but those marked :func:`non_atomic`) one transaction.

    The view's return value (any status, 4xx and 5xx included) commits; any
    exception it raises (``abort(404)``, an ``HTTPException``, an error an
    ``errorhandler`` turns into a page) rolls back, then propagates. It sits
    inside every ``MIDDLEWARE`` layer, as Django's view transaction does.
    """
    view_functions = app.view_functions

    def atomic_view(call_view: t.Callable[[], ResponseReturnValue]) -> ResponseReturnValue:
        if not _view_is_atomic(view_functions):
            return call_view()
        g.setdefault(_ATOMIC_G, True)
        try:
            try:
                rv = call_view()
            except BaseException:
                _rollback()
                raise
            try:
                _commit()
            except BaseException:
                _rollback()
                raise
            return rv
        finally:
            g.pop(_ATOMIC_G, None)

    return Layer(
        ATOMIC_LAYER,
        wrap_view=atomic_view,
        under="MIDDLEWARE",
        description="ATOMIC_REQUESTS: each view in one transaction",
    )


def _view_is_atomic(view_functions: t.Mapping[str, t.Any]) -> bool:
    rule = request.url_rule
    if rule is None or request.routing_exception is not None:
        return False
    view = view_functions.get(t.cast(str, rule.endpoint))
    if view is None:
        return False
    return not (
        getattr(view, _NON_ATOMIC_ATTR, False) or getattr(getattr(view, "view_class", None), _NON_ATOMIC_ATTR, False)
    )


def _commit() -> None:
    # Only a session the view used: a view that never touched db.session costs nothing.
    if db.session.registry.has():
        db.session.commit()  # runs the on_commit callbacks, even when nothing was written


def _rollback() -> None:
    if db.session.registry.has():
        session = db.session()
        session.rollback()
        session.info.pop(_PENDING, None)  # registered before the transaction began

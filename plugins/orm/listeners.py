"""Session ``do_orm_execute`` listeners that only watch writes.

SQLAlchemy calls a session's ``do_orm_execute`` listeners for every ORM statement; one
may change a read (add criteria: soft deletes, tenants), so code that loads rows
without an ORM statement (the auth plugin's user loader) must go through the ORM when
any such listener is there. flaskkit's own listeners only note writes (the outage
tracking, the bulk signals): they mark themselves with :func:`watches_writes_only`, and
:func:`may_change_reads` leaves them out. A plugin's listener that never changes a
``SELECT`` can do the same.
"""

from __future__ import annotations

import typing as t

__all__ = ["may_change_reads", "watches_writes_only"]

_F = t.TypeVar("_F", bound=t.Callable[..., t.Any])

_WRITE_WATCHERS: set[t.Callable[..., t.Any]] = set()


def watches_writes_only(listener: _F) -> _F:
    """Mark a ``do_orm_execute`` listener that neither changes nor needs a ``SELECT``."""
    _WRITE_WATCHERS.add(listener)
    return listener


def may_change_reads(session: t.Any) -> bool:
    """Whether ``session`` has a ``do_orm_execute`` listener not marked with :func:`watches_writes_only`."""
    return any(listener not in _WRITE_WATCHERS for listener in session.dispatch.do_orm_execute)

"""Django's database assertions: ``assertNumQueries``, ``assertQuerySetEqual``, ``CaptureQueriesContext``.

Also importable from :mod:`flaskkit.test`. The app is the one given, else the
current one (the ``db`` fixture keeps an app context open; the pytest fixtures
``assert_num_queries`` and ``assert_max_num_queries`` are bound to the test's app).
"""

from __future__ import annotations

import collections
import contextlib
import re
import typing as t

import sqlalchemy as sa
import sqlalchemy.event as sa_event
from flask import current_app
from flask import has_app_context

from .testing import _all_engines

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = [
    "CapturedQueries",
    "assert_max_num_queries",
    "assert_num_queries",
    "assert_queryset_equal",
    "capture_queries",
]

#: Transaction control is not a query (BEGIN and COMMIT are not statements to SQLAlchemy; under the
#: db fixture, the app's commits are savepoint releases).
_TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)


class CapturedQueries(list[dict[str, t.Any]]):
    """The statements run, in order: ``{"sql": ..., "params": ...}`` (Django's ``captured_queries``)."""

    @property
    def captured_queries(self) -> list[dict[str, t.Any]]:
        return list(self)

    def numbered(self) -> str:
        return "\n".join(f"{number}. {query['sql']}" for number, query in enumerate(self, start=1))


def _app(app: Flask | None, what: str) -> Flask:
    if app is not None:
        return app
    if not has_app_context():
        raise RuntimeError(f"{what} needs the app: pass app=..., or use it inside an app context.")
    return t.cast("Flask", current_app._get_current_object())  # type: ignore[attr-defined]


@contextlib.contextmanager
def capture_queries(app: Flask | None = None) -> t.Iterator[CapturedQueries]:
    """Record the statements the app runs in the block, on every engine of the app (``db.engines`` and
    the other engines plugins registered, the session plugin's ``db`` store), whatever the thread."""
    app = _app(app, "capture_queries()")
    captured = CapturedQueries()

    def record(connection: t.Any, cursor: t.Any, statement: str, parameters: t.Any, *args: t.Any) -> None:
        if not _TRANSACTION_CONTROL.match(statement):
            captured.append({"sql": statement, "params": parameters})

    engines = _all_engines(app)
    for engine in engines:
        sa_event.listen(engine, "before_cursor_execute", record)
    try:
        yield captured
    finally:
        for engine in engines:
            sa_event.remove(engine, "before_cursor_execute", record)


class _QueryCount:
    def __init__(self, num: int, app: Flask | None, *, exact: bool, info: str | None) -> None:
        self.num, self.app, self.exact, self.info = num, app, exact, info
        self._capture: t.ContextManager[CapturedQueries] | None = None
        self.captured = CapturedQueries()

    def __enter__(self) -> CapturedQueries:
        self._capture = capture_queries(_app(self.app, "assert_num_queries()"))
        self.captured = self._capture.__enter__()
        return self.captured

    def __exit__(self, exc_type: t.Any, exc: t.Any, tb: t.Any) -> None:
        assert self._capture is not None
        self._capture.__exit__(exc_type, exc, tb)
        if exc_type is not None:
            return
        executed = len(self.captured)
        if executed == self.num if self.exact else executed <= self.num:
            return
        expected = f"{self.num} expected" if self.exact else f"at most {self.num} expected"
        message = f"{executed} queries executed, {expected}"
        if self.info:
            message += f"\n{self.info}"
        raise AssertionError(f"{message}\nCaptured queries were:\n{self.captured.numbered()}")


def assert_num_queries(
    num: int,
    func: t.Callable[..., t.Any] | None = None,
    /,
    *args: t.Any,
    app: Flask | None = None,
    info: str | None = None,
    **kwargs: t.Any,
) -> t.Any:
    """Assert that exactly ``num`` statements run (Django's ``assertNumQueries``)::

        with assert_num_queries(1):
            client.get("/polls/")

    or ``assert_num_queries(1, client.get, "/polls/")``. Every engine of the app
    counts, the session store's too; transaction control (BEGIN, COMMIT,
    savepoints) does not. The failure lists the statements.
    """
    context = _QueryCount(num, app, exact=True, info=info)
    if func is None:
        return context
    with context:
        return func(*args, **kwargs)


def assert_max_num_queries(num: int, *, app: Flask | None = None, info: str | None = None) -> t.Any:
    """A context manager: at most ``num`` statements (pytest-django's ``django_assert_max_num_queries``)."""
    return _QueryCount(num, app, exact=False, info=info)


# -- assert_queryset_equal --------------------------------------------------------------------------


def assert_queryset_equal(
    qs: t.Any,
    values: t.Iterable[t.Any],
    transform: t.Callable[[t.Any], t.Any] | None = None,
    ordered: bool = True,
    msg: str | None = None,
) -> None:
    """Assert that the query gives ``values`` (Django's ``assertQuerySetEqual``).

    ``qs`` is a ``select()`` (run on ``db.session``), a result or any iterable.
    Model instances are compared by primary key (and model), as Django's models are;
    ``transform`` maps each item first. With ``ordered=False`` the order does not
    matter (each value must appear as many times). An unordered ``select()``
    compared with more than one value in order is an error, as in Django.
    """
    expected = list(values)
    if isinstance(qs, sa.Select):
        if ordered and len(expected) > 1 and not getattr(qs, "_order_by_clauses", ()):
            raise ValueError("Trying to compare non-ordered queryset against more than one ordered value.")
        items = _run(qs)
    elif hasattr(qs, "all") and callable(qs.all):
        items = list(qs.all())
    else:
        items = list(qs)
    if transform is not None:
        items = [transform(item) for item in items]
    prefix = f"{msg}: " if msg else ""
    if ordered:
        if [_key(item) for item in items] != [_key(value) for value in expected]:
            raise AssertionError(f"{prefix}{items!r} != {expected!r}")
        return
    got, want = collections.Counter(map(_key, items)), collections.Counter(map(_key, expected))
    if got != want:
        missing = list((want - got).elements())
        extra = list((got - want).elements())
        raise AssertionError(
            f"{prefix}{items!r} != {expected!r} (in any order): missing {_shown(missing, expected)}, "
            f"unexpected {_shown(extra, items)}"
        )


def _run(query: sa.Select[t.Any]) -> list[t.Any]:
    from .database import db

    if len(query.column_descriptions) == 1:
        return list(db.session.scalars(query))
    return [tuple(row) for row in db.session.execute(query)]


def _key(item: t.Any) -> t.Any:
    """A model instance stands for its model and primary key (an unsaved one for itself)."""
    try:
        state = sa.inspect(item)
    except sa.exc.NoInspectionAvailable:
        return item
    identity = getattr(state, "identity", None)
    mapper = getattr(state, "mapper", None)
    if identity is None or mapper is None:
        return ("unsaved", id(item))
    return (mapper.base_mapper.class_, identity)


def _shown(keys: list[t.Any], items: list[t.Any]) -> str:
    by_key = {}
    for item in items:
        by_key.setdefault(_key(item), item)
    return repr([by_key.get(key, key) for key in keys])

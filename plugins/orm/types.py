"""Column types: ``AwareDateTime``, Django's ``DateTimeField`` under time zone support.

::

    from flaskkit import timezone
    from flaskkit.plugins.orm import AwareDateTime

    class Post(IdMixin, Model):
        published_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=timezone.now)

Stored in UTC (``TIMESTAMP WITH TIME ZONE`` on PostgreSQL; on SQLite, which keeps no
offset, the UTC wall time), so the stored values never depend on settings. Read back:

* ``USE_TZ = True`` (the default): an aware datetime in UTC, on every database;
* ``USE_TZ = False``: a naive datetime, the wall time in ``TIME_ZONE``.

A naive datetime given to it is taken to be in ``TIME_ZONE``; with ``USE_TZ`` on, it
also gets Django's ``RuntimeWarning`` ("DateTimeField post.published_at received a
naive datetime (...) while time zone support is active."), since it is usually a bug
(``datetime.now()`` instead of ``timezone.now()``). A ``date`` is midnight of that day.
"""

from __future__ import annotations

import typing as t
import warnings
from datetime import UTC
from datetime import date
from datetime import datetime

import sqlalchemy as sa
from flask.globals import _cv_app

from flaskkit import timezone

__all__ = ["AwareDateTime"]

#: Dialects whose DATETIME keeps no offset: they get the UTC wall time, naive.
_NAIVE_DIALECTS = frozenset({"sqlite", "mysql", "mariadb"})


class AwareDateTime(sa.TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` with Django's time zone rules: stored in UTC, read back aware."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    #: The column the type belongs to (for the naive-datetime warning), set when it is attached.
    _column: sa.Column[t.Any] | None = None

    def _set_parent(self, parent: t.Any, outer: bool = False, **kw: t.Any) -> None:
        super()._set_parent(parent, outer=outer, **kw)
        if isinstance(parent, sa.Column):
            self._column = parent

    def _label(self) -> str:
        column = self._column
        if column is None:
            return "(a column)"
        table = getattr(column, "table", None)
        return f"{table.name}.{column.name}" if isinstance(table, sa.Table) else str(column.name)

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day)
        if isinstance(value, datetime) and timezone.is_naive(value):
            if timezone.use_tz():
                warnings.warn(
                    f"DateTimeField {self._label()} received a naive datetime ({value}) "
                    "while time zone support is active.",
                    RuntimeWarning,
                    stacklevel=2,
                )
            value = timezone.make_aware(value, timezone.get_default_timezone())
        if not isinstance(value, datetime):
            return value  # SQLAlchemy's DateTime says what it accepts
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name in _NAIVE_DIALECTS else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else _from_database(value)

    def result_processor(self, dialect: sa.Dialect, coltype: object) -> t.Callable[[t.Any], datetime | None]:
        # TypeDecorator's own wraps process_result_value in a closure that also passes the dialect;
        # this runs for every datetime of every row read: one closure, the dialect's own conversion
        # first (kept, as TypeDecorator keeps it), then process_result_value's rules.
        convert = self.impl_instance.result_processor(dialect, coltype)
        if convert is None:

            def process(value: t.Any) -> datetime | None:
                return None if value is None else _from_database(value)

        else:

            def process(value: t.Any) -> datetime | None:
                # _from_database, inlined for a naive UTC value (SQLite, MySQL): one call less per value
                if value is None:
                    return None
                converted: datetime | None = convert(value)
                if converted is None or converted.tzinfo is not None:
                    return None if converted is None else _from_database(converted)
                ctx = _cv_app.get(None)
                if ctx is None or ctx.app.config.get("USE_TZ", True):
                    return converted.replace(tzinfo=UTC)
                return _from_database(converted)

        return process

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def __repr__(self) -> str:
        return "AwareDateTime()"


def _from_database(value: datetime) -> datetime:
    """A stored datetime (UTC, naive on SQLite and MySQL) as the app reads it: aware in UTC, or with
    ``USE_TZ = False`` naive in ``TIME_ZONE``."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    ctx = _cv_app.get(None)  # timezone.use_tz(), inlined: read for every datetime of every row
    if ctx is None or ctx.app.config.get("USE_TZ", True):
        return value
    return timezone.make_naive(value, timezone.get_default_timezone())

"""The ``db`` engine: Django's ``django_session``, as the table ``flaskkit_session``.

The store has its own SQLAlchemy engine on the orm plugin's database
(``database_url(app)``) and runs each operation in its own short transaction
on its own connection. It never touches the app's ``db.session``: Flask-Session's
SQLAlchemy backend commits (or rolls back) the shared ``db.session`` when it
saves, which committed a view's unfinished work (django-parity.md §0.2).

Expiry dates are aware UTC datetimes (``timestamptz`` on PostgreSQL); expired
rows are never loaded and ``flask kit clearsessions`` deletes them.

On SQLite, one writer at a time: a view that leaves a *flushed*, uncommitted
transaction open when it returns makes the session's write wait for it (the
busy timeout, 5 s, then an error). Commit before returning, or use
``ATOMIC_REQUESTS``, which commits when the view returns.
"""

from __future__ import annotations

import contextlib
import typing as t
from datetime import datetime

import sqlalchemy as sa

from flaskkit.plugins.orm import database_url
from flaskkit.plugins.orm.conf import engine_options
from flaskkit.plugins.orm.conf import prepare_engine
from flaskkit.plugins.orm.connections import add_engine
from flaskkit.plugins.orm.connections import connect

from .models import TABLE_NAME
from .models import session_table
from .session import utcnow
from .store import SessionStore

if t.TYPE_CHECKING:
    from flask import Flask

    from .conf import SessionSettings

__all__ = ["DbStore"]

_table = session_table
_key = session_table.c.session_key


class DbStore(SessionStore):
    engine = "db"

    def __init__(self, app: Flask, settings: SessionSettings) -> None:
        super().__init__(app, settings)
        url = sa.make_url(database_url(app))
        #: The store's own engine, with the app's engine options (DATABASE_OPTIONS: SSL, timeouts...) but its
        #: own pool; nothing connects before the first session is used.
        self.sql_engine = sa.create_engine(url, **engine_options(app, url))
        prepare_engine(app, self.sql_engine)  # as db's engine: SQLite's pragmas, psycopg's check at checkout
        # Counted by assert_num_queries; in a test's transaction, connect() joins it.
        add_engine(app, self.sql_engine)

    def load(self, key: str) -> str | None:
        query = sa.select(_table.c.session_data).where(_key == key, _table.c.expire_date > utcnow())
        with self._errors(), connect(self.sql_engine) as connection:
            return t.cast(str | None, connection.execute(query).scalar())

    def create(self, key: str, data: str, expire_date: datetime, age: int) -> bool:
        statement = sa.insert(_table).values(session_key=key, session_data=data, expire_date=expire_date)
        try:
            with self._errors(), connect(self.sql_engine, begin=True) as connection:
                connection.execute(statement)
        except sa.exc.IntegrityError:
            return False
        return True

    def update(self, key: str, data: str, expire_date: datetime, age: int) -> bool:
        statement = sa.update(_table).where(_key == key).values(session_data=data, expire_date=expire_date)
        with self._errors(), connect(self.sql_engine, begin=True) as connection:
            return connection.execute(statement).rowcount > 0

    def delete(self, key: str) -> None:
        with self._errors(), connect(self.sql_engine, begin=True) as connection:
            connection.execute(sa.delete(_table).where(_key == key))

    def clear_expired(self) -> int:
        statement = sa.delete(_table).where(_table.c.expire_date <= utcnow())
        with self._errors(), connect(self.sql_engine, begin=True) as connection:
            return connection.execute(statement).rowcount

    def close(self) -> None:
        self.sql_engine.dispose()

    def table_exists(self) -> bool:
        """Whether the session table is in the database (connects)."""
        with self.sql_engine.connect() as connection:
            return sa.inspect(connection).has_table(TABLE_NAME)

    @contextlib.contextmanager
    def _errors(self) -> t.Iterator[None]:
        """A missing table becomes an error that says how to create it."""
        try:
            yield
        except (sa.exc.OperationalError, sa.exc.ProgrammingError) as exc:
            try:
                missing = not self.table_exists()
            except sa.exc.SQLAlchemyError:
                missing = False
            if missing:
                raise RuntimeError(
                    f"The session table {TABLE_NAME!r} does not exist in the database "
                    f"{self.sql_engine.url.render_as_string(hide_password=True)}: run 'flask db upgrade' "
                    "(the session plugin ships its migration)."
                ) from exc
            raise

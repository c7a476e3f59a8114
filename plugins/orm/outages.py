"""The database gone, or missing its tables: what the request gets and what the log says.

* **The database cannot be reached** (the server is down, a connection was cut,
  the pool is exhausted): the request gets a **503** with ``Retry-After``
  (:class:`~flaskkit.services.ServiceUnavailable`, in the site's layout when the
  app has a 503 handler), and the log one line per outage, ``PostgreSQL at
  postgresql://app@db/app (DATABASE_URL) is unreachable: ...``; the next
  connection that works ends the outage (the pool's pre-ping replaces the
  connections the server dropped, so the first request after recovery succeeds).
  Other database errors (an integrity error, bad SQL) are left to Flask: a 500.
* **A table is missing** (a model whose migration was never applied): in debug,
  a page that names the table and says to run ``flask db upgrade``; otherwise a
  500, with that same line in the log.
* **A commit that wrote something** marks the request
  (:func:`flaskkit.services.note_saved_change`), so that a failure after it (the
  session could not be saved) tells the user the change was saved.
"""

from __future__ import annotations

import logging
import re
import typing as t
import weakref

import sqlalchemy as sa
import sqlalchemy.event as sa_event
import sqlalchemy.orm as sa_orm
from flask import current_app
from flask import has_request_context
from flask import request
from markupsafe import escape

from flaskkit.services import Service
from flaskkit.services import ServiceUnavailable
from flaskkit.services import describe_error
from flaskkit.services import note_saved_change
from flaskkit.services import register_service
from flaskkit.services import unavailable_response

from .conf import safe_url
from .database import Session
from .database import db
from .listeners import watches_writes_only

if t.TYPE_CHECKING:
    from flask import Flask
    from werkzeug.wrappers import Response

    from .conf import DatabaseAddress

__all__ = ["database_service", "install", "is_unavailable", "missing_table", "unavailable_in_request"]

logger = logging.getLogger("flaskkit.orm")

#: ``request.environ`` key: the database could not be reached in this request.
_UNAVAILABLE = "flaskkit.orm.unavailable"
#: ``session.info`` key: the current transaction flushed changes.
_WROTE = "flaskkit.orm.wrote"

#: SQLSTATE classes and codes that say the connection is gone (PostgreSQL): 08 connection exception,
#: 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up).
_DISCONNECT_STATES = ("08", "57P01", "57P02", "57P03")
_KINDS = {"postgresql": "PostgreSQL", "sqlite": "SQLite", "mysql": "MySQL", "mariadb": "MariaDB", "oracle": "Oracle"}

_MISSING_TABLE = (
    re.compile(r'relation "(?P<table>[^"]+)" does not exist'),  # PostgreSQL
    re.compile(r"no such table: (?P<table>\S+)"),  # SQLite
    re.compile(r"Table '(?:[^'.]+\.)?(?P<table>[^']+)' doesn't exist"),  # MySQL, MariaDB
)


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` means that the database cannot be used now, rather than that the statement is wrong."""
    if isinstance(error, sa.exc.TimeoutError):  # the pool is exhausted: every connection is busy or hanging
        return True
    if not isinstance(error, sa.exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError) and error.statement is None:
        return True  # raised while connecting
    state = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return isinstance(state, str) and state.startswith(_DISCONNECT_STATES)


def missing_table(error: BaseException) -> str | None:
    """The name of the table the statement needed and the database lacks, if that is the error."""
    if not isinstance(error, sa.exc.ProgrammingError | sa.exc.OperationalError):
        return None
    text = str(error.orig) if error.orig is not None else str(error)
    for pattern in _MISSING_TABLE:
        found = pattern.search(text)
        if found:
            return found.group("table")
    return None


def unavailable_in_request() -> bool:
    """Whether the database could not be reached earlier in this request (the auth plugin then loads no user)."""
    return has_request_context() and bool(request.environ.get(_UNAVAILABLE))


def database_service(app: Flask, address: DatabaseAddress) -> Service:
    """The app's database as a :class:`~flaskkit.services.Service` (registered), probed with ``SELECT 1``."""

    # Weakly: the engine's checkout listener holds the service, and Flask-SQLAlchemy keeps each app's
    # engines in a WeakKeyDictionary whose key must not be reachable from its value.
    app_ref = weakref.ref(app)

    def probe() -> None:
        alive = app_ref()
        if alive is None:
            return
        with alive.app_context(), db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))

    kind = _KINDS.get(address.url.get_backend_name(), address.url.get_backend_name())
    return register_service(app, Service(kind, safe_url(address.url), address.setting, probe=probe))


def install(app: Flask, service: Service) -> None:
    """Answer the app's database outages with a 503 and missing tables with a clear message; log recoveries."""
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        # Each connection handed out (after the pool's pre-ping) proves the database is back.
        sa_event.listen(engine, "checkout", lambda *args: service.recovered())

    logged: set[str] = set()  # the missing tables already logged (once per table, not per request)

    def database_error(error: Exception) -> Response:
        if is_unavailable(error):
            service.failed(getattr(error, "orig", None) or error)  # the driver's words, not the SQL
            request.environ[_UNAVAILABLE] = True
            _rollback()
            return unavailable_response(ServiceUnavailable(service))
        table = missing_table(error)
        if table is not None:
            if table not in logged:
                logged.add(table)
                logger.error("%s (%s)", _missing_table_message(service, table), describe_error(error))
            if not app.debug:
                raise error  # a 500, as for any other server error; the log says why
            return _missing_table_page(service, table, error)
        raise error

    app.register_error_handler(sa.exc.DBAPIError, database_error)
    app.register_error_handler(sa.exc.TimeoutError, database_error)


def _rollback() -> None:
    """Leave ``db.session`` usable for the error page (its connection is dead)."""
    try:
        if db.session.registry.has():
            db.session.rollback()
    except sa.exc.SQLAlchemyError:
        pass


def _missing_table_message(service: Service, table: str) -> str:
    return (
        f"The table {table!r} does not exist in the database {service.address}: the migrations that create it "
        "were not applied. Run: flask db upgrade (for a model of your own with no migration yet, "
        "flask db migrate -m '...' first)."
    )


def _missing_table_page(service: Service, table: str, error: Exception) -> Response:
    _rollback()
    page = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Missing table {escape(table)}</title>\n</head>\n<body>\n<main>\n"
        f"<h1>The table {escape(table)} does not exist</h1>\n"
        f"<p>The database {escape(service.address)} has no table {escape(table)}: the migrations that create it "
        "were not applied.</p>\n<p>Apply them:</p>\n<pre><code>flask db upgrade</code></pre>\n"
        "<p>If the model is new and has no migration yet, write one first: "
        "<code>flask db migrate -m '...'</code>, then <code>flask db upgrade</code>.</p>\n"
        f"<p>The database said: <code>{escape(describe_error(getattr(error, 'orig', None) or error))}</code></p>\n"
        "<p>This page is shown because the app runs in debug mode.</p>\n</main>\n</body>\n</html>\n"
    )
    return current_app.response_class(page, status=500, mimetype="text/html")


# -- commits that wrote something mark the request -------------------------------------------------------


@sa_event.listens_for(Session, "after_flush")
def _note_flush(session: sa_orm.Session, flush_context: t.Any) -> None:
    session.info[_WROTE] = True


_READS = ("select", "with", "show", "explain")


@sa_event.listens_for(Session, "do_orm_execute")
@watches_writes_only
def _note_statement(state: sa_orm.ORMExecuteState) -> None:
    # Statements run through db.session.execute() write without a flush (an insert(), text("UPDATE ...")).
    statement = state.statement
    if (
        state.is_insert
        or state.is_update
        or state.is_delete
        or (isinstance(statement, sa.TextClause) and not statement.text.lstrip().lower().startswith(("select", "with")))
    ):
        state.session.info[_WROTE] = True


@sa_event.listens_for(Session, "after_commit")
def _note_saved(session: sa_orm.Session) -> None:
    if not session.in_nested_transaction() and session.info.pop(_WROTE, False):
        note_saved_change()


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_flush(session: sa_orm.Session, previous_transaction: sa_orm.SessionTransaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_WROTE, None)

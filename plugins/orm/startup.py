"""Warn, when an app starts serving, that its database lacks migrations or tables.

Django's ``runserver`` prints "You have N unapplied migration(s)" when it starts.
A Flask app has no such moment (``flask run``, gunicorn and ``app.run()`` all just
import it), and the boot never touches the database (an app must start without
it). So the check runs once, on the app's **first request**, in each process:
two cheap reads (the ``alembic_version`` rows and the table names) and a parse of
the migration files. It logs ``orm.W001`` (unapplied migrations) and ``orm.W005``
(tables of the models missing from the database) as warnings, at most once.

Not in tests (``app.testing``), nor when the ids are in ``SILENCED_CHECKS``; a
database that cannot be reached is left to the request itself (its 503).
"""

from __future__ import annotations

import logging
import threading
import typing as t

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from flaskkit.checks import CheckMessage
from flaskkit.checks import Warning

from .checks import _pending
from .checks import _unapplied
from .database import db

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["check_at_first_request", "startup_messages"]

logger = logging.getLogger("flaskkit.orm")


def check_at_first_request(app: Flask) -> None:
    """Run :func:`startup_messages` on the app's first request (once per process) and log them."""
    lock = threading.Lock()
    done = False

    def check_database_once() -> None:
        nonlocal done
        if done:
            return
        with lock:
            if done:
                return
            done = True
        # Done: off the request path. A new list replaces the old one (a request that is iterating
        # over the old list in another thread goes on with it: nothing is skipped).
        funcs = app.before_request_funcs.get(None)
        if funcs is not None and check_database_once in funcs:
            app.before_request_funcs[None] = [func for func in funcs if func is not check_database_once]
        if app.testing:
            return
        try:
            messages = startup_messages(app)
        except Exception as exc:  # never fail a request for a warning; the request reports an outage itself
            logger.debug("The start-up check of the database could not run: %s", exc)
            return
        for message in messages:
            logger.warning("%s", message)

    app.before_request(check_database_once)


def startup_messages(app: Flask) -> list[CheckMessage]:
    """``orm.W001`` and ``orm.W005`` for the app's database (reads only; no reflection of columns)."""
    silenced = set(app.config.get("SILENCED_CHECKS") or ())
    wanted = {"orm.W001", "orm.W005"} - silenced
    if not wanted:
        return []
    config = app.extensions["migrate"].migrate.get_config()
    scripts = ScriptDirectory.from_config(config)
    heads = set(scripts.get_heads())
    with db.engine.connect() as connection:
        current = tuple(MigrationContext.configure(connection).get_current_heads())
        present = set(sa.inspect(connection).get_table_names())
    messages: list[CheckMessage] = []
    pending = _pending(scripts, current, heads)
    if pending and "orm.W001" in wanted:
        messages.append(_unapplied(app, pending))
    # The models' tables (db.Model's metadata: the app's and the plugins' models); the plugins' own
    # tables (a session table the app may not use) are covered by orm.W001.
    missing = sorted(
        table.name for table in db.metadata.tables.values() if table.schema is None and table.name not in present
    )
    if missing and "orm.W005" in wanted:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        messages.append(
            Warning(
                f"The database has no table for {len(missing)} of the app's models ({shown}): pages that use "
                "them will fail.",
                hint="Apply the migrations with: flask db upgrade (for a model with no migration yet, "
                "flask db migrate -m '...' first).",
                obj="orm",
                id="orm.W005",
            )
        )
    return messages

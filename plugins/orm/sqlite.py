"""What each SQLite connection runs first: ``PRAGMA foreign_keys=ON`` and ``SQLITE_PRAGMAS``.

SQLite's own defaults keep files readable by its oldest versions; a web app wants
others, as Rails 8 chose and Django's ``init_command`` examples suggest:

* ``foreign_keys=ON``, always: ``ON DELETE CASCADE``, ``SET NULL`` and dangling
  references behave as on PostgreSQL (Django turns it on too).
* ``journal_mode=wal`` by default (the ``SQLITE_PRAGMAS`` setting): readers no longer
  block the writer nor the writer the readers (two gunicorn workers serve pages while
  a third saves), and a commit writes and syncs one log instead of a rollback journal
  and the database (one fsync instead of two or three: a POST that saves a row costs about
  a third less on a real disk, docs/performance.md). With SQLite's default
  ``synchronous=FULL`` kept, a committed transaction survives a power cut as before.
  The mode is stored in the file, so the first connection converts it once; later
  connections find it set. WAL needs the processes on one machine (no network file
  system): ``SQLITE_PRAGMAS = {"journal_mode": None}`` keeps the file's own mode.

A connection that cannot change the mode (a read-only file, another connection holding
the file) goes on in the file's mode: the pragma is a speed-up, never a reason to fail a
request. A value SQLite would not parse is a boot error that names the setting.
"""

from __future__ import annotations

import collections.abc as cabc
import logging
import re
import sqlite3
import typing as t

import sqlalchemy as sa
import sqlalchemy.event as sa_event

from flaskkit import ConfigurationError

from .conf import is_memory_sqlite
from .conf import is_sqlite

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["DEFAULT_PRAGMAS", "SqlitePragmas", "enable_foreign_keys", "prepare_sqlite_engine", "sqlite_pragmas"]

logger = logging.getLogger("flaskkit.orm")

#: ``SQLITE_PRAGMAS``'s default.
DEFAULT_PRAGMAS: t.Mapping[str, object] = {"journal_mode": "wal"}

_NAME = re.compile(r"[a-z_]+\Z")
# A pragma's value, as SQLite reads it unquoted: a keyword (WAL, NORMAL, ON) or an integer.
_VALUE = re.compile(r"-?[0-9]+\Z|[A-Za-z_]+\Z")
_HINT = 'Write SQLITE_PRAGMAS = {"journal_mode": "wal", "synchronous": "normal"}; None leaves a pragma as it is.'


def sqlite_pragmas(value: object) -> tuple[tuple[str, str], ...]:
    """``SQLITE_PRAGMAS`` as ``(name, value)`` pairs to run, or a :class:`ConfigurationError`."""
    if value is None:
        return ()
    if not isinstance(value, cabc.Mapping):
        raise ConfigurationError(
            f"SQLITE_PRAGMAS must be a dict of pragma names and values, not {type(value).__name__} {value!r}.",
            setting="SQLITE_PRAGMAS",
            hint=_HINT,
        )
    pairs = []
    for name, setting in value.items():
        if not isinstance(name, str) or not _NAME.match(name.lower()):
            raise ConfigurationError(
                f"SQLITE_PRAGMAS has the key {name!r}, which is not a pragma name.",
                setting="SQLITE_PRAGMAS",
                hint=_HINT,
            )
        if name.lower() == "foreign_keys":
            raise ConfigurationError(
                "SQLITE_PRAGMAS sets foreign_keys, which flaskkit always turns on (relations behave as on "
                "PostgreSQL; Django does the same).",
                setting="SQLITE_PRAGMAS",
                hint="Remove foreign_keys from SQLITE_PRAGMAS.",
            )
        if setting is None:
            continue
        if isinstance(setting, bool) or not isinstance(setting, str | int) or not _VALUE.match(str(setting)):
            raise ConfigurationError(
                f"SQLITE_PRAGMAS[{name!r}] is {setting!r}; a pragma takes a keyword (wal, normal, on) or an integer.",
                setting="SQLITE_PRAGMAS",
                hint=_HINT,
            )
        pairs.append((name.lower(), str(setting)))
    return tuple(pairs)


def enable_foreign_keys(dbapi_connection: t.Any, connection_record: t.Any) -> None:
    """SQLite ignores foreign keys unless each connection turns them on (Django does it too)."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


class SqlitePragmas:
    """A ``connect`` listener of a SQLite engine: runs the app's ``SQLITE_PRAGMAS`` on each new connection."""

    def __init__(self, pragmas: tuple[tuple[str, str], ...]) -> None:
        self.pragmas = pragmas

    def __call__(self, dbapi_connection: t.Any, connection_record: t.Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            for name, value in self.pragmas:
                try:
                    cursor.execute(f"PRAGMA {name}={value}")
                except sqlite3.OperationalError as exc:
                    # A read-only file, or a file another connection holds for longer than the busy
                    # timeout: this connection keeps the file's mode (a later one converts it).
                    logger.debug("PRAGMA %s=%s not applied: %s", name, value, exc)
        finally:
            cursor.close()

    def __repr__(self) -> str:
        return f"SqlitePragmas({dict(self.pragmas)!r})"


def prepare_sqlite_engine(app: Flask, engine: sa.Engine) -> None:
    """Give a SQLite ``engine`` of ``app`` (``db``'s, the session plugin's...) its ``connect`` listeners:
    foreign keys on, then ``SQLITE_PRAGMAS`` (a file database only). Nothing for other databases, or twice."""
    if not is_sqlite(engine.url) or sa_event.contains(engine, "connect", enable_foreign_keys):
        return
    sa_event.listen(engine, "connect", enable_foreign_keys)
    pragmas = sqlite_pragmas(app.config.get("SQLITE_PRAGMAS", DEFAULT_PRAGMAS))
    if pragmas and not is_memory_sqlite(engine.url):
        sa_event.listen(engine, "connect", SqlitePragmas(pragmas))

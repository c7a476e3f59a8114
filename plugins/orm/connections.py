"""Every engine an app has on its databases, and the connections that stand in for them in a test.

``db.engines`` are Flask-SQLAlchemy's; a plugin that makes an engine of its
own on the app's database (the session plugin's ``db`` store does, so that its
writes never commit ``db.session``) registers it with :func:`add_engine`, and
runs its statements through :func:`connect`. Then:

* ``assert_num_queries`` counts that engine's statements too;
* under the ``db`` test fixture (each test in a transaction that is rolled
  back), its statements run in the test's transaction, on the test's connection
  to that database (on SQLite, a second connection could not write while the
  test's transaction holds the database).

Outside such a test :func:`connect` is ``engine.connect()`` / ``engine.begin()``.
"""

from __future__ import annotations

import contextlib
import typing as t

from flask import current_app
from flask import has_app_context

if t.TYPE_CHECKING:
    import sqlalchemy as sa
    from flask import Flask

__all__ = [
    "JOINED_KEY",
    "add_engine",
    "connect",
    "extra_engines",
    "join_test_connections",
    "joined_connection",
    "leave_test_connections",
    "url_key",
]

#: ``app.extensions`` key: the engines plugins registered with :func:`add_engine`.
ENGINES_KEY = "flaskkit.orm.engines"
#: ``app.extensions`` key, set by the test fixtures: engine (or database URL) -> the test's connection.
JOINED_KEY = "flaskkit.orm.joined"


def add_engine(app: Flask, engine: sa.Engine) -> None:
    """Register ``engine``, an engine of ``app`` besides ``db.engines`` (see the module docstring)."""
    engines: list[sa.Engine] = app.extensions.setdefault(ENGINES_KEY, [])
    if engine not in engines:
        engines.append(engine)


def extra_engines(app: Flask) -> list[sa.Engine]:
    """The engines registered with :func:`add_engine`."""
    return list(app.extensions.get(ENGINES_KEY, ()))


def url_key(url: sa.URL) -> str:
    """One database, whichever engine points at it."""
    return url.render_as_string(hide_password=False)


#: How many apps run a test in a transaction now (see join_test_connections): while none does,
#: ``joined_connection`` answers without looking at the app (it runs at each query's get_bind).
_joined_apps = 0


def join_test_connections(app: Flask, joined: dict[object, sa.Connection]) -> None:
    """Make ``joined`` (engine or URL key -> connection) stand in for the app's engines, for a test."""
    global _joined_apps
    if JOINED_KEY not in app.extensions:
        _joined_apps += 1
    app.extensions[JOINED_KEY] = joined


def leave_test_connections(app: Flask) -> None:
    """Undo :func:`join_test_connections`."""
    global _joined_apps
    if app.extensions.pop(JOINED_KEY, None) is not None:
        _joined_apps -= 1


def joined_connection(engine: sa.Engine, app: Flask | None = None) -> sa.Connection | None:
    """The connection that stands in for ``engine`` while a test runs in a transaction, else ``None``."""
    if not _joined_apps:
        return None
    if app is None:
        if not has_app_context():
            return None
        app = t.cast("Flask", current_app._get_current_object())  # type: ignore[attr-defined]
    joined: dict[object, sa.Connection] | None = app.extensions.get(JOINED_KEY)
    if not joined:
        return None
    return joined.get(engine) or joined.get(url_key(engine.url))


@contextlib.contextmanager
def connect(engine: sa.Engine, *, begin: bool = False) -> t.Iterator[sa.Connection]:
    """``engine.connect()`` (``engine.begin()`` with ``begin=True``: committed at the end, rolled back on an
    error); in a test's transaction, the test's connection (``begin=True``: in a savepoint)."""
    joined = joined_connection(engine)
    if joined is None:
        with engine.begin() if begin else engine.connect() as connection:
            yield connection
    elif begin:
        with joined.begin_nested():
            yield joined
    else:
        yield joined

"""Where the database is, and how its engine is made: ``database_url(app)``.

One place decides the address, for ``db`` and for any other engine on the same
database (the session plugin's ``db`` engine), in this order:

1. the ``DATABASE_URL`` setting;
2. the ``DATABASE_URL`` environment variable (what Heroku, Render, Fly... set);
3. Flask-SQLAlchemy's own ``SQLALCHEMY_DATABASE_URI``, when the app sets it;
4. SQLite, ``flaskkit.db`` in the app's instance folder.
"""

from __future__ import annotations

import collections.abc as cabc
import difflib
import os
import re
import typing as t
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.event as sa_event
import sqlalchemy.exc as sa_exc

from flaskkit import ConfigurationError

from .liveness import checked_checkout
from .liveness import wants_checked_checkout

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = [
    "DEFAULT_SQLITE_FILE",
    "DatabaseAddress",
    "database_url",
    "engine_options",
    "is_memory_sqlite",
    "is_sqlite",
    "prepare_engine",
    "resolve_database_url",
    "safe_url",
]

#: The file of the embedded default database, in the app's instance folder.
DEFAULT_SQLITE_FILE = "flaskkit.db"

#: The driver SQLAlchemy uses for PostgreSQL URLs without one: psycopg 3.
POSTGRES_DRIVER = "postgresql+psycopg"

_URL_HINT = (
    "Write it as postgresql://USER:PASSWORD@HOST:5432/NAME, or sqlite:///path/to/file.db "
    "(a relative SQLite path is in the app's instance folder)."
)
_KNOWN_BACKENDS = ("postgresql", "sqlite", "mysql", "mariadb", "oracle", "mssql")


@dataclass(frozen=True)
class DatabaseAddress:
    """The resolved database URL and where it came from (for error messages)."""

    url: sa.URL
    #: ``"the DATABASE_URL setting"``, ``"the DATABASE_URL environment variable"``,
    #: ``"the SQLALCHEMY_DATABASE_URI setting"`` or ``"the default"``.
    source: str
    #: The setting to name in an error: ``"DATABASE_URL"`` or ``"SQLALCHEMY_DATABASE_URI"``.
    setting: str


def database_url(app: Flask) -> str:
    """The app's database URL, as a string SQLAlchemy accepts (the password included).

    ``postgres://`` and ``postgresql://`` become ``postgresql+psycopg://``; a
    relative SQLite path is made absolute in the app's instance folder. No side
    effect but creating the instance folder when the database is a SQLite file
    in it; nothing connects. Raises :class:`~flaskkit.ConfigurationError` for a
    URL that cannot work.
    """
    return resolve_database_url(app).url.render_as_string(hide_password=False)


def resolve_database_url(app: Flask) -> DatabaseAddress:
    """:func:`database_url`, with where the URL came from."""
    value: object = app.config.get("DATABASE_URL")
    if _is_set(value):
        source, setting = "the DATABASE_URL setting", "DATABASE_URL"
    elif _is_set(os.environ.get("DATABASE_URL")):
        value = os.environ["DATABASE_URL"]
        source, setting = "the DATABASE_URL environment variable", "DATABASE_URL"
    elif _is_set(app.config.get("SQLALCHEMY_DATABASE_URI")):
        value = app.config["SQLALCHEMY_DATABASE_URI"]
        source, setting = "the SQLALCHEMY_DATABASE_URI setting", "SQLALCHEMY_DATABASE_URI"
    else:
        value = f"sqlite:///{DEFAULT_SQLITE_FILE}"
        source, setting = "the default", "DATABASE_URL"
    url = _parse(value, source, setting)
    url = _with_driver(url)
    _check_dialect(url, source, setting)
    if is_sqlite(url):
        url = _sqlite_in_instance_folder(app, url)
    return DatabaseAddress(url, source, setting)


#: Seconds to wait for a PostgreSQL server to accept a connection, unless the URL or DATABASE_OPTIONS say.
CONNECT_TIMEOUT = 10


def engine_options(app: Flask, url: sa.URL) -> dict[str, t.Any]:
    """The keyword arguments of the app's engine (besides the URL).

    ``SQLALCHEMY_ENGINE_OPTIONS``, then ``DATABASE_OPTIONS`` (the last wins), then,
    for a server database that they do not say it for, ``pool_pre_ping`` (a connection
    the server dropped is replaced instead of failing the request) -- but for psycopg,
    whose engines get :func:`liveness.checked_checkout` instead (see :func:`prepare_engine`).
    """
    options: dict[str, t.Any] = {}
    for setting in ("SQLALCHEMY_ENGINE_OPTIONS", "DATABASE_OPTIONS"):
        value = app.config.get(setting)
        if value is None:
            continue
        if not isinstance(value, cabc.Mapping) or not all(isinstance(k, str) for k in value):
            raise ConfigurationError(
                f"{setting} must be a dict of create_engine() arguments, not {value!r}.",
                setting=setting,
                hint=f"Write {setting} = {{'pool_size': 10, 'pool_recycle': 3600}}.",
            )
        if "url" in value:
            raise ConfigurationError(
                f"{setting} has a 'url' key; the database address is not an engine option.",
                setting=setting,
                hint="Set DATABASE_URL instead, and remove 'url' from " + setting + ".",
            )
        options.update(value)
    if not is_sqlite(url) and "pool_pre_ping" not in options and not wants_checked_checkout(url, options):
        options["pool_pre_ping"] = True  # (psycopg: liveness.checked_checkout, without a round trip)
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        # libpq waits for an unreachable server as long as TCP does (minutes): a request (or /readyz) would
        # hang instead of answering 503. Ten seconds, unless the URL or DATABASE_OPTIONS say otherwise.
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", CONNECT_TIMEOUT)
        options["connect_args"] = connect_args
    return options


def is_sqlite(url: sa.URL) -> bool:
    return url.get_backend_name() == "sqlite"


def is_memory_sqlite(url: sa.URL) -> bool:
    """An in-memory SQLite database (each engine, even each connection, has its own)."""
    if not is_sqlite(url):
        return False
    database = url.database or ""
    return database in ("", ":memory:") or url.query.get("mode") == "memory" or database.startswith("file::memory:")


def sqlite_file(url: sa.URL) -> str | None:
    """The file of a SQLite URL (absolute once resolved), or ``None`` in memory."""
    if not is_sqlite(url) or is_memory_sqlite(url):
        return None
    database = url.database or ""
    if url.query.get("uri") and database.startswith("file:"):
        database = database[len("file:") :].partition("?")[0]
    return database


def safe_url(url: sa.URL | str) -> str:
    """The URL without its password, for messages and logs."""
    if isinstance(url, sa.URL):
        return url.render_as_string(hide_password=True)
    return _mask_password(url)


# -- helpers ------------------------------------------------------------------


def _is_set(value: object) -> bool:
    if value is None:
        return False
    return not (isinstance(value, str) and not value.strip())


def _parse(value: object, source: str, setting: str) -> sa.URL:
    if isinstance(value, sa.URL):
        return value
    if not isinstance(value, str):
        raise ConfigurationError(
            f"{_capital(source)} must be a database URL string, not {type(value).__name__} {value!r}.",
            setting=setting,
            hint=_URL_HINT,
        )
    try:
        return sa.make_url(value.strip())
    except (sa_exc.ArgumentError, ValueError) as exc:
        raise ConfigurationError(
            f"{_capital(source)} is not a valid database URL: {_mask_password(value)!r} ({exc}).",
            setting=setting,
            hint=_URL_HINT,
        ) from exc


def _with_driver(url: sa.URL) -> sa.URL:
    """``postgres://`` (Heroku's spelling, which SQLAlchemy rejects) and the
    driverless ``postgresql://`` become ``postgresql+psycopg://`` (psycopg 3)."""
    backend, _, driver = url.drivername.partition("+")
    if backend in ("postgres", "postgresql"):
        return url.set(drivername=f"postgresql+{driver}" if driver else POSTGRES_DRIVER)
    return url


def _check_dialect(url: sa.URL, source: str, setting: str) -> None:
    try:
        url.get_dialect()
    except sa_exc.NoSuchModuleError as exc:
        backend = url.get_backend_name()
        close = difflib.get_close_matches(backend, _KNOWN_BACKENDS, n=1, cutoff=0.6)
        known = backend in _KNOWN_BACKENDS
        what = f"the driver {url.get_driver_name()!r} of {backend!r}" if known else f"the database {backend!r}"
        hint = f"Did you mean {close[0]}://...? " if close and not known else ""
        raise ConfigurationError(
            f"{_capital(source)} names {what}, which SQLAlchemy does not know: {safe_url(url)!r}.",
            setting=setting,
            hint=hint + _URL_HINT,
        ) from exc


def _sqlite_in_instance_folder(app: Flask, url: sa.URL) -> sa.URL:
    """A relative SQLite path is relative to the instance folder (as Flask-SQLAlchemy does)."""
    if is_memory_sqlite(url):
        return url
    database = url.database or ""
    is_uri = bool(url.query.get("uri")) and database.startswith("file:")
    path = database[len("file:") :] if is_uri else database
    if os.path.isabs(path):
        return url
    os.makedirs(app.instance_path, exist_ok=True)
    path = os.path.join(app.instance_path, path)
    return url.set(database=f"file:{path}" if is_uri else path)


def _mask_password(value: str) -> str:
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", value)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def prepare_engine(app: Flask, engine: sa.Engine) -> None:
    """What an engine on the app's database gets once made (``db``'s, the session plugin's...): SQLite's
    ``connect`` listeners (see sqlite.py), or psycopg's check at checkout (see liveness.py)."""
    from .sqlite import prepare_sqlite_engine

    if is_sqlite(engine.url):
        prepare_sqlite_engine(app, engine)
        return
    if wants_checked_checkout(engine.url, engine_options(app, engine.url)) and not sa_event.contains(
        engine.pool, "checkout", checked_checkout
    ):
        sa_event.listen(engine.pool, "checkout", checked_checkout)

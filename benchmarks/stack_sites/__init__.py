"""The notes-board workload of ``benchmarks/stacks.py``, in three stacks.

Each stack is a module here that builds one WSGI app on a folder of its own (a
SQLite file, the session files), seeded with the same users and notes:

* :mod:`stack_sites.kit_site`: flaskkit, as its tutorial and plugin pages teach;
* :mod:`stack_sites.flask_site`: Flask-SQLAlchemy, Flask-Login, Flask-WTF,
  Flask-Caching and Flask-Session wired by hand, as their own docs teach;
* :mod:`stack_sites.django_site`: Django 5.2, as its docs teach.

The URLs are the same in the three: ``/notes/`` (the 20-row list, for logged-in
users), ``/notes/new/`` (POST: a new note, then a redirect to the list),
``/dashboard/`` (a per-user page, cached per session cookie), ``/hello/`` (a plain
string) and ``/accounts/login/``.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
import hashlib
import pathlib
import typing as t

if t.TYPE_CHECKING:
    import collections.abc as cabc

__all__ = [
    "LIST_ROWS",
    "NOTES",
    "PASSWORD",
    "SECRET_KEY",
    "USERS",
    "Stack",
    "pbkdf2_password_hash",
    "seed_notes",
]

#: Every stack signs with this key (the gunicorn workers must read the sessions the benchmark made).
SECRET_KEY = "benchmark-only-secret-key-" + "k" * 40
#: The two users; both log in with :data:`PASSWORD`.
USERS = ("alice", "bob")
PASSWORD = "correct-horse-battery-staple"
#: Notes seeded in each stack's database, alternately by alice and bob.
NOTES = 200
#: Rows on one page of the list.
LIST_ROWS = 20
#: The hosts the apps answer to (the in-process calls use ``localhost``, gunicorn ``127.0.0.1``).
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
#: The timestamp of the first seeded note; each next one is a minute later.
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@dataclasses.dataclass
class Stack:
    """One stack, built on its folder: what the checks and the timings need to drive it."""

    #: Short name, as shown in the tables.
    name: str
    #: The WSGI callable.
    app: t.Callable[..., t.Any]
    #: The session cookie's name.
    session_cookie: str
    #: The CSRF cookie's name, when the stack keeps the CSRF secret in a cookie of its own.
    csrf_cookie: str | None
    #: The form field that carries the CSRF token.
    csrf_field: str
    #: The login page (where anonymous users are sent).
    login_url: str
    #: The number of notes in the database.
    count_notes: cabc.Callable[[], int]
    #: Delete the notes made after seeding (the timed POSTs add some).
    reset_notes: cabc.Callable[[], None]
    #: ``module:attribute`` of a gunicorn entry point, given the folder in ``BENCH_STACK_DIR``.
    gunicorn_app: str
    #: The stack's folder (its database and session files).
    folder: pathlib.Path


def seed_notes() -> list[tuple[str, str, str, dt.datetime]]:
    """(author, title, body, created) of the seeded notes, oldest first."""
    return [
        (
            USERS[i % 2],
            f"Note number {i}",
            f"The body of note {i}. " * 4,
            EPOCH + dt.timedelta(minutes=i),
        )
        for i in range(NOTES)
    ]


@functools.cache
def pbkdf2_password_hash() -> str:
    """:data:`PASSWORD` hashed as Django 5.2 and flaskkit store it (``pbkdf2_sha256``, 1,000,000 iterations).

    The two stacks store the same format; computing it once spares the seeding
    three hashings of a third of a second each (logging in still checks it).
    """
    salt, iterations = "benchmarksalt0123456789", 1_000_000
    digest = hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode()}"

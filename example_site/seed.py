"""Applying the migrations and adding the demo content: what ``python -m example_site`` does first.

Both need an app context. Neither runs when the app is only imported or served by
``flask run``: a plain boot never writes to the database.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import flask_migrate

from flaskkit.plugins.auth import User
from flaskkit.plugins.auth import get_user_model
from flaskkit.plugins.auth import validate_password
from flaskkit.plugins.auth.permissions import sync_permissions
from flaskkit.plugins.orm import db

from .models import Note

__all__ = [
    "DEFAULT_DEMO_PASSWORD",
    "DEMO_PASSWORD_ENV_VAR",
    "DEMO_USERNAME",
    "STAFF_USERNAME",
    "SeedResult",
    "demo_password",
    "migrate",
    "seed_demo_content",
]

DEMO_USERNAME = "demo"
#: The staff account of the demo (a superuser, for /admin/), with the demo account's password.
STAFF_USERNAME = "admin"
#: The second author of the demo notes: nobody can log in as them (an unusable password).
OTHER_AUTHOR = "ada"
#: The environment variable that sets the demo account's password on the first run.
DEMO_PASSWORD_ENV_VAR = "EXAMPLE_SITE_DEMO_PASSWORD"
#: The demo account's password when the variable is not set (printed at start).
DEFAULT_DEMO_PASSWORD = "notes-demo-2026"


@dataclass(frozen=True)
class SeedResult:
    """What :func:`seed_demo_content` did."""

    created: bool
    notes: int = 0


def demo_password() -> str:
    return os.environ.get(DEMO_PASSWORD_ENV_VAR) or DEFAULT_DEMO_PASSWORD


def migrate() -> None:
    """Django's ``migrate``: ``flask db upgrade`` (the site's migrations and those of its plugins),
    then ``flask auth sync-perms`` (the models' default permissions, which Django's ``migrate``
    creates too). Neither writes when the database is up to date."""
    flask_migrate.upgrade(revision="heads")
    sync_permissions(get_user_model())


#: (author, title, body) of the demo notes, oldest first.
DEMO_NOTES: tuple[tuple[str, str, str], ...] = (
    (
        OTHER_AUTHOR,
        "Where the data lives",
        "With no settings, everything is in the instance folder: the SQLite database "
        "(example-site.db), the session files (sessions/) and the secret key.\n\n"
        "Set DATABASE_URL=postgresql://... and REDIS_URL=redis://... and the same code "
        "runs on PostgreSQL, with sessions and caches in Redis.",
    ),
    (
        OTHER_AUTHOR,
        "Migrations, as in Django",
        "The Note table comes from example_site/migrations, written by `flask db migrate` "
        "and applied by `flask db upgrade` together with the auth and session plugins' own "
        "tables. python -m example_site runs the upgrade for you.",
    ),
    (
        OTHER_AUTHOR,
        "Try to edit this note",
        "This note belongs to ada. Logged in as demo you can read it, but its edit and "
        "delete pages answer 403 Forbidden.",
    ),
    (
        DEMO_USERNAME,
        "Generic views",
        "Every page of notes is a generic class-based view: ListView (this list, nine notes "
        "a page), DetailView, CreateView, UpdateView and DeleteView, as in Django.",
    ),
    (
        DEMO_USERNAME,
        "A cached page",
        "Anonymous visitors get this list from the cache (look for the Age header). "
        "When a note is saved or deleted, a post-commit model signal clears the cached pages.",
    ),
    (
        DEMO_USERNAME,
        "Server-Timing",
        "Open your browser's developer tools, Network tab: every response has a "
        "Server-Timing header, added by the site's own middleware (example_site/middleware.py).",
    ),
    (
        DEMO_USERNAME,
        "CSRF on every form",
        "Every POST needs its CSRF token: the forms carry it, and a form without it gets a 403 page that says why.",
    ),
    (
        DEMO_USERNAME,
        "Log out is a POST",
        "The log out button is a small form, as Django's LogoutView wants: a link or an "
        "image on another site cannot log you out.",
    ),
    (
        DEMO_USERNAME,
        "Failed logins are throttled",
        "Too many wrong passwords for one account or from one address, and the login page "
        "answers 429 for a while. The counts live in the cache, so every worker sees them.",
    ),
    (
        DEMO_USERNAME,
        "Your own account",
        "Register at /accounts/register/, change your password at /accounts/password_change/. "
        "Your notes are under My notes.",
    ),
    (
        DEMO_USERNAME,
        "Django password hashes",
        "Passwords are hashed with Django's pbkdf2_sha256, so users can come over from a Django "
        "site with their passwords.",
    ),
    (
        DEMO_USERNAME,
        "Welcome to the notes board",
        "This is flaskkit's example site: a small notes board built from the kit's plugins. "
        "Anyone can read the notes; log in to write your own, and to edit or delete them.",
    ),
)


def seed_demo_content(password: str) -> SeedResult:
    """Add the demo account and the demo notes, unless the demo account exists (first run only).

    All in one transaction: a failure leaves nothing half-seeded. The password must pass the
    site's password validators (``AUTH_PASSWORD_VALIDATORS``), as any user's does:
    :class:`~flaskkit.plugins.auth.password_validation.ValidationError` otherwise.
    """
    if User.objects.get_by_natural_key(DEMO_USERNAME) is not None:
        return SeedResult(created=False)
    demo = User(username=DEMO_USERNAME, first_name="Demo", last_name="User")
    validate_password(password, demo)
    demo.set_password(password)
    ada = User(username=OTHER_AUTHOR, first_name="Ada", last_name="Lovelace")
    ada.set_unusable_password()  # a second author, so that demo sees notes it may not change
    staff = User(username=STAFF_USERNAME, first_name="Site", last_name="Admin", is_staff=True, is_superuser=True)
    staff.set_password(password)
    db.session.add(staff)
    authors = {DEMO_USERNAME: demo, OTHER_AUTHOR: ada}
    now = dt.datetime.now(dt.UTC)
    count = len(DEMO_NOTES)
    for index, (author, title, body) in enumerate(DEMO_NOTES):
        written = now - dt.timedelta(hours=3 * (count - index))
        db.session.add(Note(title=title, body=body, author=authors[author], created_at=written, updated_at=written))
    db.session.commit()
    return SeedResult(created=True, notes=count)

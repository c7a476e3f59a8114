"""Django 5.2 settings built in code, the app on a folder, and its gunicorn entry point.

The settings are those of ``django-admin startproject`` trimmed to what the board uses
(no admin, no messages), with ``DEBUG = False``: file sessions, the local-memory cache,
the cached template loader (Django's default without ``DEBUG``), and the default
middleware (SecurityMiddleware, sessions, CommonMiddleware, CsrfViewMiddleware,
authentication, XFrameOptionsMiddleware).
"""

from __future__ import annotations

import os
import pathlib
import typing as t

import django
from django.conf import settings

from .. import ALLOWED_HOSTS
from .. import SECRET_KEY
from .. import USERS
from .. import Stack
from .. import pbkdf2_password_hash
from .. import seed_notes

__all__ = ["configure", "create", "gunicorn_app"]


def configure(folder: pathlib.Path) -> None:
    """Configure Django once for this process, on ``folder``."""
    if settings.configured:
        raise RuntimeError("Django is configured once per process; run each Django stack in a process of its own.")
    settings.configure(
        DEBUG=False,
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS=ALLOWED_HOSTS,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "stack_sites.django_notes.apps.NotesConfig",
        ],
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        ROOT_URLCONF="stack_sites.django_notes.urls",
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [],
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                    ]
                },
            }
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(folder / "django.db")}},
        SESSION_ENGINE="django.contrib.sessions.backends.file",
        SESSION_FILE_PATH=str(folder / "sessions"),
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        LOGIN_URL="/accounts/login/",
        LOGIN_REDIRECT_URL="/notes/",
        USE_TZ=True,
        TIME_ZONE="UTC",
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    )
    (folder / "sessions").mkdir(parents=True, exist_ok=True)
    django.setup()


def _seed() -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from .models import Note

    call_command("migrate", verbosity=0)
    users = {name: User(username=name, password=pbkdf2_password_hash()) for name in USERS}  # PASSWORD, hashed
    User.objects.bulk_create(users.values())
    Note.objects.bulk_create(
        Note(title=title, body=body, author=users[author], created_at=created)
        for author, title, body, created in seed_notes()
    )


def create(folder: pathlib.Path) -> Stack:
    folder.mkdir(parents=True, exist_ok=True)
    configure(folder)
    from django.core.wsgi import get_wsgi_application

    from .models import Note

    _seed()
    seeded = Note.objects.order_by("-id").values_list("id", flat=True).first()

    def count_notes() -> int:
        return Note.objects.count()

    def reset_notes() -> None:
        Note.objects.filter(id__gt=seeded).delete()

    return Stack(
        name="Django",
        app=get_wsgi_application(),
        session_cookie=settings.SESSION_COOKIE_NAME,
        csrf_cookie=settings.CSRF_COOKIE_NAME,
        csrf_field="csrfmiddlewaretoken",
        login_url=settings.LOGIN_URL,
        count_notes=count_notes,
        reset_notes=reset_notes,
        gunicorn_app="stack_sites.django_notes.site:gunicorn_app()",
        folder=folder,
    )


def gunicorn_app() -> t.Any:
    from django.core.wsgi import get_wsgi_application

    configure(pathlib.Path(os.environ["BENCH_STACK_DIR"]))
    return get_wsgi_application()

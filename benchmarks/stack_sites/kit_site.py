"""The notes board in flaskkit, written as docs/tutorial.md and docs/plugins/*.md teach.

The plugins are listed in settings; the pages are the views plugin's generic views with
the auth plugin's access mixins, the per-user page is a function view under the cache
plugin's ``cache_page`` (keyed on the ``Cookie`` header, which Flask adds to ``Vary``
once the view reads the session), and the login page is the auth plugin's. The default
``MIDDLEWARE`` (SecurityMiddleware, XFrameOptionsMiddleware) sets the security headers.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import pathlib
import typing as t

import sqlalchemy as sa
from flask import Blueprint
from flask import Flask
from flask import render_template
from flask import url_for
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from flaskkit import Plugin
from flaskkit import create_app
from flaskkit.plugins.auth import LoginRequiredMixin
from flaskkit.plugins.auth import User
from flaskkit.plugins.auth import current_user
from flaskkit.plugins.auth import get_user
from flaskkit.plugins.auth import login_required
from flaskkit.plugins.cache import cache_page
from flaskkit.plugins.orm import IdMixin
from flaskkit.plugins.orm import Model
from flaskkit.plugins.orm import db
from flaskkit.plugins.views import CreateView
from flaskkit.plugins.views import ListView

from . import ALLOWED_HOSTS
from . import LIST_ROWS
from . import SECRET_KEY
from . import USERS
from . import Stack
from . import pbkdf2_password_hash
from . import seed_notes

__all__ = ["Note", "build", "create", "gunicorn_app", "trivial_app"]

#: Renders of the per-user page in this process (the page shows it: a cached copy keeps its number).
_renders = itertools.count(1)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Note(IdMixin, Model):
    """A note on the board (table ``note``)."""

    title: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey(User.id, ondelete="CASCADE"), index=True)
    author: Mapped[User] = relationship(User, lazy="joined", info={"editable": False})
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=_now, index=True)

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return url_for("notes.list")


class NoteList(LoginRequiredMixin, ListView):
    model = Note
    ordering = ("-created_at", "-id")
    paginate_by = LIST_ROWS
    template_name = "notes/list.html"


class NoteCreate(LoginRequiredMixin, CreateView):
    model = Note
    fields = ["title", "body"]
    template_name = "notes/form.html"

    def form_valid(self, form: t.Any) -> t.Any:
        form.instance.author_id = current_user.id
        return super().form_valid(form)


notes = Blueprint("notes", __name__)
notes.add_url_rule("/notes/", view_func=NoteList.as_view("list"))
notes.add_url_rule("/notes/new/", view_func=NoteCreate.as_view("create"))


@notes.get("/dashboard/")
@cache_page(60)
@login_required
def dashboard() -> str:
    """The logged-in user's page: cached per session cookie for a minute."""
    user = get_user()
    mine = sa.select(Note).where(Note.author_id == user.id)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(mine.subquery()))
    latest = db.session.scalars(mine.order_by(Note.created_at.desc()).limit(5)).all()
    return render_template("notes/dashboard.html", count=count, latest=latest, render=next(_renders))


@notes.get("/hello/")
def hello() -> str:
    return "Hello, World!"


class NotesPlugin(Plugin):
    """The board's own plugin: its pages."""

    name = "notes"
    requires = ("orm", "cache", "forms", "auth", "views")

    def init_app(self, app: Flask) -> None:
        app.register_blueprint(notes)


def settings(folder: pathlib.Path) -> dict[str, t.Any]:
    return {
        "SECRET_KEY": SECRET_KEY,
        "PLUGINS": [
            "orm",
            "session",
            "cache",
            "forms",
            "middleware",
            "signals",
            "auth",
            "views",
            "stack_sites.kit_site:NotesPlugin",
        ],
        "DATABASE_URL": f"sqlite:///{folder / 'kit.db'}",
        "ALLOWED_HOSTS": ALLOWED_HOSTS,
        "LOGIN_REDIRECT_URL": "/notes/",
    }


def build(folder: pathlib.Path) -> Flask:
    """The app on ``folder`` (its database, its session files in ``folder/instance``)."""
    return create_app(
        settings(folder),
        import_name=__name__,
        instance_path=str(folder / "instance"),
        template_folder="kit_templates",
    )


def _seed(app: Flask) -> None:
    import flask_migrate

    with app.app_context():
        flask_migrate.upgrade(revision="heads")  # the plugins' tables (auth_user...)
        db.create_all()  # the board's note table (a benchmark keeps no migration of its own)
        users = {name: User.objects.create_user(name) for name in USERS}
        for user in users.values():
            user.password = pbkdf2_password_hash()  # PASSWORD, hashed once for the two pbkdf2 stacks
        db.session.add_all(
            Note(title=title, body=body, author=users[author], created_at=created)
            for author, title, body, created in seed_notes()
        )
        db.session.commit()


def create(folder: pathlib.Path) -> Stack:
    """The seeded stack on a new folder."""
    folder.mkdir(parents=True, exist_ok=True)
    app = build(folder)
    _seed(app)
    with app.app_context():
        seeded = db.session.scalar(sa.select(sa.func.max(Note.id)))

    def count_notes() -> int:
        with app.app_context():
            return int(db.session.scalar(sa.select(sa.func.count()).select_from(Note)) or 0)

    def reset_notes() -> None:
        with app.app_context():
            db.session.execute(sa.delete(Note).where(Note.id > seeded))
            db.session.commit()

    return Stack(
        name="flaskkit",
        app=app,
        session_cookie=app.config["SESSION_COOKIE_NAME"],
        csrf_cookie=app.config["CSRF_COOKIE_NAME"],
        csrf_field="csrf_token",
        login_url="/accounts/login/",
        count_notes=count_notes,
        reset_notes=reset_notes,
        gunicorn_app="stack_sites.kit_site:gunicorn_app()",
        folder=folder,
    )


def gunicorn_app() -> Flask:
    """The app for a gunicorn worker, on the folder the benchmark seeded (``BENCH_STACK_DIR``)."""
    return build(pathlib.Path(os.environ["BENCH_STACK_DIR"]))


def trivial_app() -> Flask:
    """flaskkit with the middleware plugin and ``MIDDLEWARE = []``, one route returning a string."""
    app = create_app(
        {"SECRET_KEY": SECRET_KEY, "PLUGINS": ["middleware"], "MIDDLEWARE": [], "ALLOWED_HOSTS": ALLOWED_HOSTS},
        import_name="stack_sites.kit_trivial",
    )
    app.add_url_rule("/hello/", "hello", lambda: "Hello, World!")
    return app

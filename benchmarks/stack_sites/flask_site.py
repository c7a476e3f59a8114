"""The notes board in Flask, with each extension wired by hand as its own docs teach.

* Flask-SQLAlchemy 3.1 (``SQLAlchemy(model_class=Base)``, ``db.paginate``);
* Flask-Login (``LoginManager``, ``UserMixin``, ``@login_required``, ``login_view``);
* Flask-WTF (``CSRFProtect`` on every view, ``FlaskForm``s; the create form writes the model);
* Flask-Caching (``SimpleCache``; the per-user page under ``@cache.cached`` with a
  ``key_prefix`` made of the user's id);
* Flask-Session (server-side sessions in files through cachelib's ``FileSystemCache``,
  as its docs show);
* werkzeug's password hashing, and the security headers of flaskkit's and Django's
  default middleware set in an ``after_request`` function.

Two settings make the semantics those of the other stacks (the docs of performance say so):
``SESSION_REFRESH_EACH_REQUEST = False`` (a session is written only when it changed, as in
Django; Flask's default rewrites a permanent session on every request), and
``login_manager.login_message = None`` (the redirect to the login page flashes no message,
so an anonymous visit creates no session, as in Django).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import pathlib
import typing as t

import sqlalchemy as sa
from cachelib.file import FileSystemCache
from flask import Flask
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_caching import Cache
from flask_login import LoginManager
from flask_login import UserMixin
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from flask_session import Session
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from flask_wtf import FlaskForm
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash
from wtforms import PasswordField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from . import LIST_ROWS
from . import PASSWORD
from . import SECRET_KEY
from . import USERS
from . import Stack
from . import seed_notes

__all__ = ["build", "create", "gunicorn_app", "trivial_app"]

_renders = itertools.count(1)


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
login_manager.login_view = "login"
login_manager.login_message = None
csrf = CSRFProtect()
cache = Cache()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(150), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))


class Note(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey(User.id, ondelete="CASCADE"), index=True)
    author: Mapped[User] = relationship(User, lazy="joined")
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=_now, index=True)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


class NoteForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=120)])
    body = TextAreaField("Body", validators=[DataRequired()])


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return url_for("list_notes")


def register_views(app: Flask) -> None:
    @app.route("/accounts/login/", methods=["GET", "POST"])
    def login() -> t.Any:
        form = LoginForm()
        error = None
        if form.validate_on_submit():
            user = db.session.scalar(sa.select(User).filter_by(username=form.username.data))
            if user is not None and check_password_hash(user.password_hash, form.password.data or ""):
                app.session_interface.regenerate(session)  # type: ignore[attr-defined]  # Flask-Session: new id
                login_user(user)
                return redirect(_safe_next(request.args.get("next")))
            error = "Please enter a correct username and password."
        return render_template("login.html", form=form, error=error)

    @app.get("/notes/")
    @login_required
    def list_notes() -> str:
        page = db.paginate(
            sa.select(Note).order_by(Note.created_at.desc(), Note.id.desc()), per_page=LIST_ROWS, error_out=True
        )
        return render_template("notes/list.html", page=page, form=NoteForm())

    @app.post("/notes/new/")
    @login_required
    def create_note() -> t.Any:
        form = NoteForm()
        if form.validate_on_submit():
            note = Note(author_id=current_user.id)
            form.populate_obj(note)
            db.session.add(note)
            db.session.commit()
            return redirect(url_for("list_notes"))
        return render_template("notes/form.html", form=form)

    @app.get("/dashboard/")
    @login_required
    @cache.cached(timeout=60, key_prefix=lambda: f"dashboard/{current_user.id}")
    def dashboard() -> str:
        mine = sa.select(Note).where(Note.author_id == current_user.id)
        count = db.session.scalar(sa.select(sa.func.count()).select_from(mine.subquery()))
        latest = db.session.scalars(mine.order_by(Note.created_at.desc()).limit(5)).all()
        return render_template("notes/dashboard.html", count=count, latest=latest, render=next(_renders))

    @app.get("/hello/")
    def hello() -> str:
        return "Hello, World!"

    @app.after_request
    def security_headers(response: t.Any) -> t.Any:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response


def build(folder: pathlib.Path) -> Flask:
    app = Flask(__name__, template_folder="flask_templates", instance_path=str(folder / "instance"))
    app.config.update(
        SECRET_KEY=SECRET_KEY,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'flask.db'}",
        SESSION_TYPE="cachelib",
        SESSION_CACHELIB=FileSystemCache(cache_dir=str(folder / "sessions"), threshold=500),
        SESSION_REFRESH_EACH_REQUEST=False,
        CACHE_TYPE="SimpleCache",
        CACHE_DEFAULT_TIMEOUT=300,
    )
    db.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    cache.init_app(app)
    Session(app)
    register_views(app)
    return app


def _seed(app: Flask) -> None:
    with app.app_context():
        db.create_all()
        digest = generate_password_hash(PASSWORD)
        users = {name: User(username=name, password_hash=digest) for name in USERS}
        db.session.add_all(users.values())
        db.session.add_all(
            Note(title=title, body=body, author=users[author], created_at=created)
            for author, title, body, created in seed_notes()
        )
        db.session.commit()


def create(folder: pathlib.Path) -> Stack:
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
        name="hand-wired Flask",
        app=app,
        session_cookie=app.config["SESSION_COOKIE_NAME"],
        csrf_cookie=None,
        csrf_field="csrf_token",
        login_url="/accounts/login/",
        count_notes=count_notes,
        reset_notes=reset_notes,
        gunicorn_app="stack_sites.flask_site:gunicorn_app()",
        folder=folder,
    )


def gunicorn_app() -> Flask:
    return build(pathlib.Path(os.environ["BENCH_STACK_DIR"]))


def trivial_app(*, secret_key: bool = True) -> Flask:
    """A bare Flask app with one route returning a string: with a secret key, as the flaskkit one,
    or (``secret_key=False``) as Flask's quickstart writes it, with no session at all."""
    app = Flask("stack_sites.bare_trivial")
    if secret_key:
        app.config["SECRET_KEY"] = SECRET_KEY
    app.add_url_rule("/hello/", "hello", lambda: "Hello, World!")
    return app

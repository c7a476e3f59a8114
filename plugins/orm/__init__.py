"""The ``orm`` plugin: Flask-SQLAlchemy and Flask-Migrate with Django's defaults.

::

    # settings.py
    PLUGINS = ["orm"]
    DATABASE_URL = "postgresql://app:secret@db.internal/app"   # default: SQLite in the instance folder
    ATOMIC_REQUESTS = True

    # models.py
    from sqlalchemy.orm import Mapped, mapped_column
    from flaskkit.plugins.orm import IdMixin, Model

    class Post(IdMixin, Model):              # table "post", BIGINT primary key "id"
        title: Mapped[str] = mapped_column(String(200))

    # views.py
    from flaskkit.plugins.orm import db, get_object_or_404, on_commit

    @app.post("/posts/<int:post_id>/publish")
    def publish(post_id):
        post = get_object_or_404(Post, id=post_id)
        post.published = True
        on_commit(lambda: notify_followers(post_id))
        return redirect(...)                 # ATOMIC_REQUESTS commits, then notifies

Settings (defaults in :attr:`OrmPlugin.defaults`): ``DATABASE_URL``,
``DATABASE_OPTIONS``, ``SQLITE_PRAGMAS``, ``ATOMIC_REQUESTS``, ``MIGRATIONS_DIR``, ``FIXTURE_DIRS``, and
Flask-SQLAlchemy's own ``SQLALCHEMY_*`` keys. See docs/plugins/orm.md.
"""

from __future__ import annotations

import collections.abc as cabc
import os
import typing as t

import sqlalchemy as sa
from flask_migrate import Migrate

from flaskkit import ConfigurationError
from flaskkit import Plugin
from flaskkit import ValidationError
from flaskkit._pip import pip_install
from flaskkit.checks import DATABASE
from flaskkit.checks import DEPLOY
from flaskkit.checks import check

from . import checks as _checks
from . import outages
from .cli import db_command
from .conf import DatabaseAddress
from .conf import database_url
from .conf import engine_options
from .conf import is_sqlite
from .conf import prepare_engine
from .conf import resolve_database_url
from .conf import safe_url
from .database import IdMixin
from .database import Model
from .database import db
from .migrations import configure_alembic
from .migrations import include_object
from .migrations import plugin_migrations
from .migrations import render_item
from .shortcuts import get_list_or_404
from .shortcuts import get_object_or_404
from .sqlite import DEFAULT_PRAGMAS
from .sqlite import sqlite_pragmas
from .startup import check_at_first_request
from .transactions import atomic_request_layer
from .transactions import is_atomic_request
from .transactions import non_atomic
from .transactions import on_commit
from .types import AwareDateTime

if t.TYPE_CHECKING:
    import click
    from alembic.config import Config
    from flask import Flask

    from flaskkit.checks import CheckMessage
    from flaskkit.pipeline import Layer
    from flaskkit.services import Service

__all__ = [
    "AwareDateTime",
    "IdMixin",
    "Model",
    "OrmPlugin",
    "ValidationError",
    "database_url",
    "db",
    "get_list_or_404",
    "get_object_or_404",
    "is_atomic_request",
    "non_atomic",
    "on_commit",
]

#: ``app.extensions[EXTENSION_KEY]`` is the app's :class:`OrmPlugin`.
EXTENSION_KEY = "flaskkit.orm"

#: Drivers that a flaskkit extra installs.
_DRIVER_EXTRAS = {"psycopg": "postgres"}


class OrmPlugin(Plugin):
    """Sets up ``db`` (Flask-SQLAlchemy) and ``flask db`` (Flask-Migrate) on an app."""

    name = "orm"
    extra = "orm"

    #: The settings, with their defaults (the app's settings win).
    defaults: t.ClassVar[t.Mapping[str, t.Any]] = {
        # The database: a URL (setting or environment variable). None: see database_url().
        "DATABASE_URL": None,
        # create_engine() arguments, over SQLALCHEMY_ENGINE_OPTIONS.
        "DATABASE_OPTIONS": {},
        # What each new SQLite connection runs (see sqlite.py): WAL, so readers and the writer do not
        # wait for each other and a commit syncs one file. None (or a None value) leaves SQLite's default.
        "SQLITE_PRAGMAS": DEFAULT_PRAGMAS,
        # Each view runs in one transaction: committed when it returns, rolled back when it raises.
        "ATOMIC_REQUESTS": False,
        # The app's Alembic folder; relative to the app's root_path.
        "MIGRATIONS_DIR": "migrations",
        # Where `flask kit loaddata NAME` looks for NAME.json, after the app's fixtures/ folder.
        "FIXTURE_DIRS": [],
        # Flask-SQLAlchemy's own keys keep working (DATABASE_URL wins over the URI).
        "SQLALCHEMY_DATABASE_URI": None,
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SQLALCHEMY_BINDS": {},
        "SQLALCHEMY_ECHO": False,
        "SQLALCHEMY_RECORD_QUERIES": False,
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    }

    #: Where the database is and where that came from (set by :meth:`init_app`).
    address: DatabaseAddress
    #: The app's Flask-Migrate extension (set by :meth:`init_app`).
    migrate: Migrate
    #: The database as the log and ``/readyz`` name it (set by :meth:`init_app`).
    service: Service
    #: ``SQLALCHEMY_DATABASE_URI`` as the app's settings gave it.
    _given_sqlalchemy_uri: object = None

    # -- phases -------------------------------------------------------------------

    def configure(self, app: Flask) -> None:
        atomic = app.config["ATOMIC_REQUESTS"]
        if not isinstance(atomic, bool):
            raise ConfigurationError(
                f"ATOMIC_REQUESTS must be True or False, not {atomic!r}.",
                setting="ATOMIC_REQUESTS",
                hint="From the environment: FLASK_ATOMIC_REQUESTS=true (JSON).",
            )
        directory = app.config["MIGRATIONS_DIR"]
        if not isinstance(directory, str | os.PathLike) or not os.fspath(directory):
            raise ConfigurationError(
                f"MIGRATIONS_DIR must be a directory path, not {directory!r}.",
                setting="MIGRATIONS_DIR",
                hint="Write MIGRATIONS_DIR = 'migrations' (relative to the app's root_path) or an absolute path.",
            )
        sqlite_pragmas(app.config["SQLITE_PRAGMAS"])  # a ConfigurationError naming the setting
        for setting in ("DATABASE_OPTIONS", "SQLALCHEMY_ENGINE_OPTIONS", "SQLALCHEMY_BINDS"):
            value = app.config[setting]
            if value is not None and not isinstance(value, cabc.Mapping):
                raise ConfigurationError(
                    f"{setting} must be a dict, not {type(value).__name__} {value!r}.",
                    setting=setting,
                )

    def init_app(self, app: Flask) -> None:
        self.address = resolve_database_url(app)
        self._given_sqlalchemy_uri = app.config.get("SQLALCHEMY_DATABASE_URI")
        options = engine_options(app, self.address.url)
        # Flask-SQLAlchemy reads these two keys; they now say what the app really uses.
        app.config["SQLALCHEMY_DATABASE_URI"] = self.address.url.render_as_string(hide_password=False)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
        self._init_sqlalchemy(app)

        directory = os.path.join(app.root_path, os.fspath(app.config["MIGRATIONS_DIR"]))
        self.migrate = Migrate(
            directory=directory,
            compare_type=True,
            # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
            render_as_batch=is_sqlite(self.address.url),
            include_object=include_object(),
            # A revision that uses flaskkit's (or the app's) column types imports their modules.
            render_item=render_item,
        )
        previous = app.cli.commands.get("db")
        self.migrate.init_app(app, db)
        # Flask-Migrate adds its own `flask db`; ours (commands()) replaces it.
        if previous is None:
            app.cli.commands.pop("db", None)
        else:
            app.cli.commands["db"] = previous
        self.migrate.configure(_configure_alembic)

        # A database that cannot be reached is a 503 (logged once per outage), a missing table says
        # "flask db upgrade"; the first request warns about unapplied migrations (see outages.py, startup.py).
        self.service = outages.database_service(app, self.address)
        outages.install(app, self.service)
        check_at_first_request(app)

        app.shell_context_processor(_shell_context)
        app.extensions[EXTENSION_KEY] = self

    def layers(self, app: Flask) -> t.Iterable[Layer]:
        if app.config["ATOMIC_REQUESTS"]:
            yield atomic_request_layer(app)

    def ready(self, app: Flask) -> None:
        plugin_migrations(app)  # every enabled plugin's 'migrations' and 'metadata' are valid

    def commands(self, app: Flask) -> t.Iterable[click.Command]:
        return [db_command()]

    def kit_commands(self, app: Flask) -> t.Iterable[click.Command]:
        from .fixture_commands import dumpdata_command
        from .fixture_commands import loaddata_command

        return [dumpdata_command(), loaddata_command()]

    # -- checks ----------------------------------------------------------------------

    def checks(self, app: Flask) -> t.Iterable[CheckMessage]:
        yield from _checks.check_address(app, self.address, self._given_sqlalchemy_uri)
        yield from _checks.check_django_settings(app)

    @check(DATABASE)
    def check_database(self, app: Flask) -> t.Iterable[CheckMessage]:
        """Unapplied migrations (orm.W001), model changes without a migration (orm.W002)..."""
        return _checks.check_migrations(app, self.address)

    @check(DEPLOY)
    def check_sqlite_in_production(self, app: Flask) -> t.Iterable[CheckMessage]:
        return _checks.check_sqlite_in_production(app, self.address)

    # -- helpers ------------------------------------------------------------------------

    def _init_sqlalchemy(self, app: Flask) -> None:
        url = self.address.url
        try:
            db.init_app(app)
        except ModuleNotFoundError as exc:  # the DBAPI driver (create_engine imports it)
            module = exc.name or "?"
            extra = _DRIVER_EXTRAS.get(module.partition(".")[0])
            install = pip_install("flaskkit", [extra]) if extra else f"pip install the package that provides {module!r}"
            raise ConfigurationError(
                f"The database {safe_url(url)} (from {self.address.source}) needs the driver module "
                f"{module!r}, which is not installed.",
                setting=self.address.setting,
                hint=f"Install it ({install}), or name another driver in the URL (dialect+driver://...).",
            ) from exc
        except TypeError as exc:  # an unknown create_engine() argument
            raise ConfigurationError(
                f"The database engine options are not valid: {exc}",
                setting="DATABASE_OPTIONS",
                hint="Check DATABASE_OPTIONS and SQLALCHEMY_ENGINE_OPTIONS against sqlalchemy.create_engine().",
            ) from exc
        except sa.exc.ArgumentError as exc:
            raise ConfigurationError(
                f"SQLAlchemy rejected the database settings: {exc}", setting=self.address.setting
            ) from exc
        with app.app_context():
            engines = list(db.engines.values())
        for engine in engines:
            prepare_engine(app, engine)


def _configure_alembic(config: Config) -> Config:
    from flask import current_app

    return configure_alembic(t.cast("Flask", current_app._get_current_object()), config)  # type: ignore[attr-defined]


def _shell_context() -> dict[str, t.Any]:
    """``flask shell``: ``db``, ``sa`` (SQLAlchemy) and every model by its class name (Django 5.2's
    automatic imports), but a swapped-out one; of two models with one name, the later module's wins."""
    from .labels import is_swapped

    models = sorted((m.class_ for m in Model.registry.mappers), key=lambda c: (c.__module__, c.__qualname__))
    return {"db": db, "sa": sa, **{model.__name__: model for model in models if not is_swapped(model)}}

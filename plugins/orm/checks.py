"""The orm plugin's checks (ids ``orm.*``).

At boot: ``orm.W003`` (two addresses), ``orm.W004`` (Django's ``DATABASES``).
Tagged ``database`` (``flask kit check``, never at boot): ``orm.E001`` (the
database cannot be reached), ``orm.E002`` (the migrations cannot be read, or a
plugin's break the contract), ``orm.E003`` (the database is at a revision
nobody has), ``orm.W001`` (unapplied migrations), ``orm.W002`` (model changes
that no migration has). Tagged ``deploy``: ``orm.W010`` (SQLite in production).
"""

from __future__ import annotations

import os
import typing as t

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError

from flaskkit.checks import CheckMessage
from flaskkit.checks import Error
from flaskkit.checks import Warning

from .conf import DatabaseAddress
from .conf import is_memory_sqlite
from .conf import safe_url
from .conf import sqlite_file
from .database import db
from .migrations import PluginMigrationsError
from .migrations import app_versions_directory
from .migrations import check_plugin_branches
from .migrations import owner_of
from .migrations import target_metadata

if t.TYPE_CHECKING:
    from alembic.script import Script
    from flask import Flask

__all__ = ["check_address", "check_django_settings", "check_migrations", "check_sqlite_in_production"]

#: How many model changes orm.W002 lists before "and N more".
_SHOWN_CHANGES = 5


def check_address(app: Flask, address: DatabaseAddress, sqlalchemy_uri: object) -> list[CheckMessage]:
    """orm.W003: ``SQLALCHEMY_DATABASE_URI`` is set too, but ``DATABASE_URL`` wins."""
    if address.setting != "DATABASE_URL" or sqlalchemy_uri in (None, ""):
        return []
    try:
        other = sa.make_url(t.cast("str | sa.URL", sqlalchemy_uri))
    except (sa.exc.ArgumentError, ValueError, TypeError):
        other = None
    if other is not None and other.render_as_string(False) == address.url.render_as_string(False):
        return []
    return [
        Warning(
            f"SQLALCHEMY_DATABASE_URI is set, but {address.source} wins: the app uses {safe_url(address.url)}.",
            hint="Keep one address: remove SQLALCHEMY_DATABASE_URI from the settings (flaskkit reads DATABASE_URL).",
            obj="SQLALCHEMY_DATABASE_URI",
            id="orm.W003",
        )
    ]


def check_django_settings(app: Flask) -> list[CheckMessage]:
    """orm.W004: Django's ``DATABASES`` setting, which nothing reads."""
    if "DATABASES" not in app.config:
        return []
    return [
        Warning(
            "The setting DATABASES is Django's; flaskkit does not read it.",
            hint="Set DATABASE_URL = 'postgresql://USER:PASSWORD@HOST:5432/NAME' (or the DATABASE_URL "
            "environment variable) instead.",
            obj="DATABASES",
            id="orm.W004",
        )
    ]


def check_sqlite_in_production(app: Flask, address: DatabaseAddress) -> list[CheckMessage]:
    """orm.W010 (deploy): the database is SQLite."""
    if address.url.get_backend_name() != "sqlite":
        return []
    where = "in memory" if is_memory_sqlite(address.url) else f"in the file {sqlite_file(address.url)}"
    return [
        Warning(
            f"The database is SQLite ({where}), from {address.source}. It takes one writer at a time "
            "and lives on this machine only.",
            hint="For production, set DATABASE_URL (setting or environment variable) to a PostgreSQL "
            "database: postgresql://USER:PASSWORD@HOST:5432/NAME.",
            obj="DATABASE_URL",
            id="orm.W010",
        )
    ]


def check_migrations(app: Flask, address: DatabaseAddress) -> list[CheckMessage]:
    """orm.E001, orm.E002, orm.W001 and orm.W002: the database against the migrations and the models."""
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        try:
            scripts = ScriptDirectory.from_config(config)
            check_plugin_branches(app, scripts, require_revisions=True)
            heads = set(scripts.get_heads())
        except CommandError as exc:
            hint = _CONTRACT_HINT if isinstance(exc, PluginMigrationsError) else None
            return [Error(str(exc), hint=hint, obj="orm", id="orm.E002")]

        path = sqlite_file(address.url)
        if path is not None and not os.path.exists(path):
            # Nothing to connect to yet; connecting would create the file.
            current: tuple[str, ...] = ()
            pending = _pending(scripts, current, heads)
            if pending:
                return [_unapplied(app, pending)]
            return _model_changes(app, [("add_table", table) for table in _tables(app)], config)

        try:
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection)
                current = tuple(context.get_current_heads())
                try:
                    pending = _pending(scripts, current, heads)
                except RevisionError as exc:
                    return [_unknown_revision(current, exc)]
                if pending:
                    return [_unapplied(app, pending)]
                context = MigrationContext.configure(
                    connection,
                    opts={
                        "compare_type": True,
                        "target_metadata": target_metadata(app),
                        **_compare_options(app),
                    },
                )
                # A list of MetaData works (autogenerate's target_metadata may be one), whatever the annotation says.
                diffs = compare_metadata(context, t.cast(sa.MetaData, target_metadata(app)))
        except sa.exc.DBAPIError as exc:
            return [
                Error(
                    f"Cannot connect to the database {safe_url(address.url)}: {_first_line(exc.orig or exc)}",
                    hint="Check DATABASE_URL (from " + address.source + ") and that the database server runs "
                    "and accepts this user.",
                    obj="DATABASE_URL",
                    id="orm.E001",
                )
            ]
        return _model_changes(app, diffs, config)


def _unknown_revision(current: tuple[str, ...], exc: Exception) -> CheckMessage:
    return Error(
        f"The database is at the revision(s) {', '.join(current)}, which no migrations folder of the app "
        f"or of its plugins has ({exc}).",
        hint="Was a plugin that ships migrations removed from PLUGINS? Put it back, or downgrade its branch "
        "first (flask db downgrade <plugin>@base) with the plugin still enabled.",
        obj="orm",
        id="orm.E003",
    )


_CONTRACT_HINT = (
    "A plugin's 'migrations' directory must hold its Alembic revisions, the root one with "
    "branch_labels = ('<plugin name>',). See the orm plugin's documentation, 'Plugins that own tables'."
)


def _pending(scripts: ScriptDirectory, current: tuple[str, ...], heads: set[str]) -> list[Script]:
    if set(current) == heads:
        return []
    return list(scripts.iterate_revisions("heads", current, implicit_base=True))


def _unapplied(app: Flask, pending: list[Script]) -> CheckMessage:
    owners = sorted({owner_of(app, script) for script in pending}, key=lambda name: (name != "app", name))
    count = len(pending)
    return Warning(
        f"The database has {count} unapplied migration{'s' if count != 1 else ''} (of: {', '.join(owners)}). "
        "The app may not work properly until they are applied.",
        hint="Apply them with: flask db upgrade",
        obj="orm",
        id="orm.W001",
    )


def _model_changes(app: Flask, diffs: list[t.Any], config: t.Any) -> list[CheckMessage]:
    changes = [_describe(diff) for diff in diffs]
    changes = [change for change in changes if change]
    if not changes:
        return []
    shown = ", ".join(changes[:_SHOWN_CHANGES])
    more = f" and {len(changes) - _SHOWN_CHANGES} more" if len(changes) > _SHOWN_CHANGES else ""
    has_folder = app_versions_directory(app, config) is not None
    command = "flask db migrate -m '...' then flask db upgrade"
    return [
        Warning(
            f"The models have changes that are not in a migration yet: {shown}{more}.",
            hint=("Write and apply a migration: " if has_folder else "Run flask db init (once), then ") + command + ".",
            obj="orm",
            id="orm.W002",
        )
    ]


def _describe(diff: t.Any) -> str:
    if isinstance(diff, list):  # modify_* changes come grouped by column
        return ", ".join(filter(None, (_describe(item) for item in diff)))
    kind = str(diff[0])
    what = kind.replace("_", " ")
    if kind in ("add_table", "remove_table"):
        return f"{what} {diff[1].name}"
    if kind in ("add_column", "remove_column"):
        return f"{what} {diff[2]}.{diff[3].name}"
    if kind.startswith("modify_"):
        return f"{what} {diff[2]}.{diff[3]}"
    if kind in ("add_index", "remove_index", "add_constraint", "remove_constraint", "add_fk", "remove_fk"):
        name = diff[1].name
        return f"{what} {name} on {diff[1].table.name}" if name else f"{what} on {diff[1].table.name}"
    return what


def _tables(app: Flask) -> list[sa.Table]:
    return [table for metadata in target_metadata(app) for table in metadata.sorted_tables]


def _compare_options(app: Flask) -> dict[str, t.Any]:
    args = app.extensions["migrate"].configure_args
    return {key: args[key] for key in ("include_object", "include_name", "include_schemas") if key in args}


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__

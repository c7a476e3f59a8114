"""Alembic (through Flask-Migrate) for a flaskkit app and its plugins.

The plugin-migrations contract, for plugin authors
--------------------------------------------------

A plugin that owns tables ships their Alembic revisions; ``flask db upgrade``
applies them with the app's own, and before the app ran ``flask db init``::

    class AuthPlugin(Plugin):
        requires = ("orm",)
        #: Absolute path of a directory of Alembic revision files.
        migrations = str(Path(__file__).with_name("migrations"))
        #: Only for tables that are not on ``db.metadata`` (optional).
        metadata = auth_metadata

* ``migrations``: the root revision of the directory (``down_revision =
  None``) has ``branch_labels = ("<plugin name>",)``; each later revision
  revises one of the directory's own. The directory is not a Python package.
* ``metadata``: a :class:`sqlalchemy.MetaData` holding the plugin's tables
  that are not on ``db.metadata``, so that autogenerate (``flask db
  migrate``) neither drops nor re-creates them. Tables of models on
  ``db.Model`` need nothing more.
* ``migration_settings`` (optional): the names of the settings the revisions
  read (the auth plugin's read ``AUTH_USER_MODEL``); the test databases are
  made again when one changes.

The orm plugin adds every enabled plugin's directory to Alembic's
``version_locations``, after the app's own ``migrations/versions``; each
plugin is a branch of its own, so the database has one head per branch
(``flask db upgrade`` goes to ``heads``). A revision of the app that adds a
foreign key to a plugin's table depends on that plugin's head (``depends_on``),
so upgrades run in the right order on a new database.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sys
import typing as t
from dataclasses import dataclass
from logging.config import fileConfig
from pathlib import Path

import sqlalchemy as sa
from alembic.util import CommandError
from flask import current_app

from flaskkit import ConfigurationError
from flaskkit import get_kit

from .database import Model
from .database import db

if t.TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext
    from alembic.config import Config
    from alembic.operations.ops import MigrationScript
    from alembic.runtime.migration import MigrationContext
    from alembic.script import Script
    from alembic.script import ScriptDirectory
    from flask import Flask

    from flaskkit import Plugin

__all__ = [
    "ENV_DIRECTORY",
    "TEMPLATES_DIRECTORY",
    "TEMPLATE_NAME",
    "PluginMigrations",
    "PluginMigrationsError",
    "app_versions_directory",
    "check_plugin_branches",
    "configure_alembic",
    "include_object",
    "owner_of",
    "plugin_migrations",
    "render_item",
    "run_env",
    "target_metadata",
]

logger = logging.getLogger("alembic.env")

#: The directory of flaskkit's Alembic templates (``flask db init`` uses ``flaskkit``).
TEMPLATES_DIRECTORY = Path(__file__).with_name("templates")
TEMPLATE_NAME = "flaskkit"
#: The Alembic environment used while the app has no migrations folder of its own.
ENV_DIRECTORY = TEMPLATES_DIRECTORY / TEMPLATE_NAME

#: Who owns the revisions in the app's own migrations folder (in messages).
APP_OWNER = "app"


class PluginMigrationsError(CommandError):
    """A plugin's migrations break the contract (an Alembic ``CommandError``, so ``flask db`` reports it)."""


@dataclass(frozen=True)
class PluginMigrations:
    """What one enabled plugin declares under the contract above."""

    #: The plugin's name, which is also its branch label.
    name: str
    #: Absolute path of its revisions.
    directory: str
    #: Its tables that are not on ``db.metadata``.
    metadata: sa.MetaData | None
    #: The module of the plugin class: models defined in it, or in its submodules
    #: when it is a package, are the plugin's (its tables on ``db.metadata``).
    package: str


# -- the plugins' declarations ------------------------------------------------------


def plugin_migrations(app: Flask) -> list[PluginMigrations]:
    """The migrations of the app's enabled plugins, in boot order (validated)."""
    found = []
    for plugin in get_kit(app).state(app).plugins.values():
        declared = _declaration(plugin)
        if declared is not None:
            found.append(declared)
    return found


def _declaration(plugin: Plugin) -> PluginMigrations | None:
    directory = getattr(plugin, "migrations", None)
    metadata = getattr(plugin, "metadata", None)
    if directory is None:
        if metadata is not None:
            raise ConfigurationError(
                f"The plugin {plugin.name!r} has a 'metadata' attribute but no 'migrations': "
                "nothing would create its tables.",
                plugin=plugin.name,
                hint="Set its 'migrations' attribute to the directory of the Alembic revisions that create them.",
            )
        return None
    if not isinstance(directory, str | os.PathLike):
        raise ConfigurationError(
            f"The 'migrations' attribute of the plugin {plugin.name!r} must be a directory path, not {directory!r}.",
            plugin=plugin.name,
            hint='Write migrations = str(Path(__file__).with_name("migrations")).',
        )
    directory = os.fspath(directory)
    if not os.path.isabs(directory) or not os.path.isdir(directory):
        problem = "is not an absolute path" if not os.path.isabs(directory) else "is not a directory"
        raise ConfigurationError(
            f"The 'migrations' directory of the plugin {plugin.name!r} {problem}: {directory!r}.",
            plugin=plugin.name,
            hint='Write migrations = str(Path(__file__).with_name("migrations")), a directory shipped with the plugin.',
        )
    if metadata is not None and not isinstance(metadata, sa.MetaData):
        raise ConfigurationError(
            f"The 'metadata' attribute of the plugin {plugin.name!r} must be a sqlalchemy.MetaData, not {metadata!r}.",
            plugin=plugin.name,
        )
    # The models of the plugin's package (a plugin class in a package's __init__) or module.
    return PluginMigrations(plugin.name, os.path.normpath(directory), metadata, type(plugin).__module__)


def target_metadata(app: Flask) -> list[sa.MetaData]:
    """What autogenerate compares the database with: ``db.metadata`` and the plugins' own."""
    found = [db.metadata]
    for declared in plugin_migrations(app):
        if declared.metadata is not None and all(declared.metadata is not m for m in found):
            found.append(declared.metadata)
    return found


def table_owners(app: Flask) -> dict[str, str]:
    """Table name -> the plugin that owns it (its ``metadata``, or models defined in its package)."""
    owners: dict[str, str] = {}
    declared = plugin_migrations(app)
    for plugin in declared:
        if plugin.metadata is not None:
            owners.update(dict.fromkeys(plugin.metadata.tables, plugin.name))
    for mapper in Model.registry.mappers:
        module = mapper.class_.__module__
        for plugin in declared:
            if module == plugin.package or module.startswith(plugin.package + "."):
                owners.update({table.name: plugin.name for table in mapper.tables})
    return owners


def include_object() -> t.Callable[..., bool]:
    """An ``include_object`` hook for Flask-Migrate's stock ``env.py``, which
    compares with ``db.metadata`` only: keep autogenerate from dropping the
    tables of plugins' own metadata. (flaskkit's ``env.py`` compares with them.)"""

    def include(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
        if type_ == "table" and reflected and compare_to is None:
            app = t.cast("Flask", current_app._get_current_object())  # type: ignore[attr-defined]
            return not any(name in metadata.tables for metadata in target_metadata(app)[1:])
        return True

    return include


# -- rendering revisions ----------------------------------------------------------------


def render_item(type_: str, obj: object, autogen_context: AutogenContext) -> str | t.Literal[False]:
    """Alembic's ``render_item`` hook: a column type from outside SQLAlchemy is written with its import.

    Alembic writes such a type as ``flaskkit.plugins.orm.types.AwareDateTime()`` but imports
    nothing, so the revision fails with ``NameError: name 'flaskkit' is not defined``. Here
    the type is written from the shortest public module that exports it
    (``flaskkit.plugins.orm.AwareDateTime()``, a name that stays stable when the code
    moves) and that module is imported at the top of the revision. Everything else is
    Alembic's (``False``), and so is any type when the app set ``user_module_prefix``.
    """
    if type_ != "type" or not isinstance(obj, sa.types.TypeEngine):
        return False
    module = type(obj).__module__
    if module.startswith("sqlalchemy.") or module == "builtins":
        return False
    if autogen_context.opts.get("user_module_prefix") is not None:
        return False
    public = public_module(type(obj))
    if autogen_context.imports is not None:
        autogen_context.imports.add(f"import {public}")
    code = f"{public}.{obj!r}"
    # .with_variant(...): Alembic would hand this same object back as the base, so the parts are done here.
    variants: dict[str, sa.types.TypeEngine[t.Any]] = getattr(obj, "_variant_mapping", None) or {}
    if variants:
        from alembic.autogenerate.render import _repr_type

        for dialect in sorted(variants):
            code += f".with_variant({_repr_type(variants[dialect], autogen_context, _skip_variants=True)}, {dialect!r})"
    return code


def public_module(cls: type) -> str:
    """The shortest module (a package of the class's module, or the module) that exports ``cls`` by its name."""
    parts = cls.__module__.split(".")
    for length in range(1, len(parts)):
        package = sys.modules.get(".".join(parts[:length]))
        if package is not None and getattr(package, cls.__name__, None) is cls:
            return ".".join(parts[:length])
    return cls.__module__


# -- the Alembic configuration --------------------------------------------------------


def configure_alembic(app: Flask, config: Config) -> Config:
    """Flask-Migrate's ``configure`` callback: where the scripts and revisions are.

    The app's migrations folder (``MIGRATIONS_DIR``, or ``flask db -d DIR``)
    is the script location when it holds an ``env.py``; otherwise flaskkit's own
    environment is, so ``flask db upgrade`` works before ``flask db init``.
    """
    directory = config.get_main_option("script_location") or ""
    locations: list[str] = []
    if os.path.isfile(os.path.join(directory, "env.py")):
        own = config.get_main_option("version_locations")
        if own:  # the app's alembic.ini lists its own
            locations.extend(config.get_version_locations_list() or ())
        else:
            locations.append(os.path.join(os.path.abspath(directory), "versions"))
    else:
        config.set_main_option("script_location", _escape(str(ENV_DIRECTORY)))
    locations.extend(declared.directory for declared in plugin_migrations(app))
    config.set_main_option("path_separator", "os")
    if locations:
        config.set_main_option("version_locations", _escape(os.pathsep.join(locations)))
    return config


def app_versions_directory(app: Flask, config: Config) -> str | None:
    """The app's own versions directory, or ``None`` when the app has no migrations folder."""
    directory = config.get_main_option("script_location") or ""
    if os.path.normpath(directory) == os.path.normpath(ENV_DIRECTORY):
        return None
    own = config.get_main_option("version_locations")
    plugin_dirs = {os.path.normpath(d.directory) for d in plugin_migrations(app)}
    for location in (config.get_version_locations_list() or []) if own else []:
        if os.path.normpath(location) not in plugin_dirs:
            return os.path.normpath(location)
    return os.path.join(os.path.abspath(directory), "versions")


def owner_of(app: Flask, script: Script) -> str:
    """``"app"`` or the name of the plugin whose directory holds ``script``."""
    path = os.path.normpath(os.path.dirname(os.path.abspath(script.path)))
    for declared in plugin_migrations(app):
        if path == declared.directory or path.startswith(declared.directory + os.sep):
            return declared.name
    return APP_OWNER


def check_plugin_branches(app: Flask, scripts: ScriptDirectory, *, require_revisions: bool = False) -> None:
    """Enforce the contract: the roots of a plugin's directory carry its branch label (and, with
    ``require_revisions``, the directory holds revisions: not while its author writes the first)."""
    try:
        revisions = list(scripts.walk_revisions())
    except KeyError as exc:  # Alembic's message for a missing dependency is a bare KeyError
        raise CommandError(
            f"A revision depends on the revision {exc.args[0]!r}, which no migrations folder has. "
            "Was the plugin that ships it removed from PLUGINS? Put it back, or remove the dependency."
        ) from exc
    by_owner: dict[str, list[Script]] = {}
    for script in revisions:
        by_owner.setdefault(owner_of(app, script), []).append(script)
    for declared in plugin_migrations(app):
        owned = by_owner.get(declared.name, [])
        if not owned and require_revisions:
            raise PluginMigrationsError(
                f"The plugin {declared.name!r} declares migrations in {declared.directory}, "
                "but that directory holds no Alembic revision."
            )
        for script in owned:
            if script.down_revision is None and declared.name not in script.branch_labels:
                raise PluginMigrationsError(
                    f"The root revision {script.revision} of the plugin {declared.name!r} "
                    f"({os.path.basename(script.path)}) must have branch_labels = ({declared.name!r},), "
                    f"not {tuple(script.branch_labels)!r}."
                )


# -- env.py -------------------------------------------------------------------------------


def run_env() -> None:
    """The body of ``env.py``: run Alembic on the current app's ``db`` engine."""
    from alembic import context

    app = t.cast("Flask", current_app._get_current_object())  # type: ignore[attr-defined]
    config = context.config
    _configure_logging(config)
    options = dict(app.extensions["migrate"].configure_args)
    options.setdefault("process_revision_directives", functools.partial(_process_revision_directives, app))
    metadata = target_metadata(app)
    engine = db.engine
    if context.is_offline_mode():
        context.configure(
            url=engine.url.render_as_string(hide_password=False),
            target_metadata=metadata,
            literal_binds=True,
            **options,
        )
        check_plugin_branches(app, t.cast("ScriptDirectory", context.get_context().script))
        with context.begin_transaction():
            context.run_migrations()
        return
    with engine.connect() as connection, _sqlite_foreign_keys_off(connection):
        context.configure(connection=connection, target_metadata=metadata, **options)
        check_plugin_branches(app, t.cast("ScriptDirectory", context.get_context().script))
        with context.begin_transaction():
            context.run_migrations()


def _configure_logging(config: Config) -> None:
    """The logging sections of the app's ``alembic.ini``, if it has one.

    Unlike Flask-Migrate's ``env.py``, existing loggers stay enabled
    (``fileConfig`` would silence the app's and flaskkit's own).
    """
    path = config.config_file_name
    if path and os.path.isfile(path):
        with open(path, encoding="utf-8") as file:
            if "[loggers]" in file.read():
                fileConfig(path, disable_existing_loggers=False)
                return
    alembic_logger = logging.getLogger("alembic")
    configured = [h for h in (*alembic_logger.handlers, *logging.getLogger().handlers) if not _is_null(h)]
    if not configured:
        # No logging set up at all (flask db upgrade before flask db init): say what runs.
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-5.5s [%(name)s] %(message)s"))
        alembic_logger.addHandler(handler)
        alembic_logger.setLevel(logging.INFO)


def _is_null(handler: logging.Handler) -> bool:
    return isinstance(handler, logging.NullHandler)


@contextlib.contextmanager
def _sqlite_foreign_keys_off(connection: sa.Connection) -> t.Iterator[None]:
    """Turn SQLite's foreign keys off while migrations run, as Django's schema editor does.

    Batch mode rebuilds a table (copy, drop, rename); with foreign keys on,
    dropping a table that others reference deletes (``ON DELETE CASCADE``) or
    rejects their rows. The pragma cannot change inside a transaction, so it is
    set before Alembic's begins; ``PRAGMA foreign_key_check`` then reports what
    the migrations left inconsistent, and the connection gets foreign keys back
    before it returns to the pool.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.commit()
    try:
        yield
        violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        connection.commit()
        if violations:
            listing = ", ".join(f"{row[0]} row {row[1]} -> {row[2]}" for row in violations[:10])
            raise CommandError(f"The migrations left {len(violations)} foreign key violation(s): {listing}.")
    finally:
        if connection.in_transaction():
            connection.rollback()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


def _process_revision_directives(
    app: Flask, context: MigrationContext, revision: object, directives: list[MigrationScript]
) -> None:
    config = t.cast("Config", context.environment_context.config)  # type: ignore[union-attr]
    autogenerate = getattr(config.cmd_opts, "autogenerate", False)
    if autogenerate and directives and all(ops.is_empty() for ops in directives[0].upgrade_ops_list):
        directives[:] = []  # no empty revision from `flask db migrate` (as Flask-Migrate's env.py)
        logger.info("No changes in schema detected.")
        return
    scripts = t.cast("ScriptDirectory", context.script)
    for directive in directives:
        _depend_on_referenced_plugins(app, scripts, directive)


def _depend_on_referenced_plugins(app: Flask, scripts: ScriptDirectory, directive: MigrationScript) -> None:
    """A new app revision with a foreign key to a plugin's table depends on that plugin's head."""
    target = directive.version_path
    if target is None:
        return
    target = os.path.normpath(os.path.abspath(target))
    declared = plugin_migrations(app)
    if any(target == d.directory for d in declared):
        return  # a plugin author's own revision
    owners = table_owners(app)
    plugins = {owners[name] for name in _referenced_tables(directive) if name in owners}
    if not plugins:
        return
    depends = list(_as_list(directive.depends_on))
    for head in scripts.get_revisions("heads"):
        if owner_of(app, head) in plugins and head.revision not in depends:
            depends.append(head.revision)
    directive.depends_on = depends or None


def _referenced_tables(directive: MigrationScript) -> set[str]:
    names: set[str] = set()
    for upgrade_ops in directive.upgrade_ops_list:
        for diff in upgrade_ops.as_diffs():
            if not isinstance(diff, tuple):
                continue
            kind = diff[0]
            if kind == "add_table":
                keys: t.Iterable[sa.ForeignKey] = diff[1].foreign_keys
            elif kind == "add_column":
                keys = diff[3].foreign_keys
            elif kind == "add_fk":
                keys = diff[1].elements
            else:
                continue
            for key in keys:
                parts = key.target_fullname.split(".")
                if len(parts) >= 2:
                    names.add(parts[-2])
    return names


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(t.cast("t.Iterable[str]", value))


def _escape(value: str) -> str:
    """For ``Config.set_main_option``, which interpolates ``%``."""
    return value.replace("%", "%%")

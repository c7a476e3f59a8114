"""``flask db ...``: Flask-Migrate's commands, with the defaults a flaskkit app needs.

Every Flask-Migrate command is here, unchanged but for these defaults:

* ``flask db init`` writes flaskkit's template (a one-line ``env.py`` that
  knows the plugins' migrations), unless ``--template``/``--multidb`` is given;
* ``flask db upgrade`` and ``flask db stamp`` go to ``heads``: each plugin
  that owns tables is a branch of its own, so there is more than one head;
* ``flask db migrate`` and ``flask db revision`` write into the app's own
  migrations folder, on top of the app's own head (a new branch for the app's
  first revision), unless ``--head``/``--version-path`` is given.
"""

from __future__ import annotations

import copy
import functools
import typing as t

import click
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from flask import g
from flask_migrate import cli as migrate_cli

from .migrations import APP_OWNER
from .migrations import ENV_DIRECTORY
from .migrations import app_versions_directory
from .migrations import owner_of

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["db_command"]


def db_command() -> click.Group:
    """A new ``db`` group (click commands hold no app state; each call is independent)."""
    upstream = migrate_cli.db
    group = click.Group(
        "db",
        params=[_param(param) for param in upstream.params],
        callback=upstream.callback,
        help="Perform database migrations (Flask-Migrate; flaskkit applies the plugins' migrations too).",
    )
    for name, command in upstream.commands.items():
        if name == "init":
            command = _init_command(command)
        elif name in ("upgrade", "stamp"):
            command = _with_default(command, "revision", "heads")
        elif name in ("migrate", "revision"):
            command = _placed_command(command)
        else:
            command = _copy(command)
        group.add_command(command, name)
    return group


_DIRECTORY_HELP = "Migration script directory (default: the MIGRATIONS_DIR setting, 'migrations' beside the app)"


def _copy(command: click.Command) -> click.Command:
    command = copy.copy(command)
    command.params = [_param(param) for param in command.params]
    if command.callback is not None:
        command.callback = _unreachable_in_one_line(command.callback)
    return command


def _unreachable_in_one_line(callback: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    """A database that cannot be reached is one line naming it and the fix, not SQLAlchemy's traceback."""

    @functools.wraps(callback)
    def command(*args: t.Any, **kwargs: t.Any) -> t.Any:
        import sqlalchemy as sa

        from .outages import is_unavailable

        try:
            return callback(*args, **kwargs)
        except sa.exc.SQLAlchemyError as exc:
            if not is_unavailable(exc):
                raise
            from flaskkit.services import describe_error

            from . import EXTENSION_KEY
            from .conf import safe_url

            plugin = current_app.extensions[EXTENSION_KEY]
            address = plugin.address
            raise click.ClickException(
                f"Cannot connect to the database {safe_url(address.url)} (from {address.source}): "
                f"{describe_error(getattr(exc, 'orig', None) or exc)} Start the database server, or fix "
                f"{address.setting}."
            ) from None

    return command


def _param(param: click.Parameter) -> click.Parameter:
    param = copy.copy(param)
    if param.name == "directory" and isinstance(param, click.Option):
        param.help = _DIRECTORY_HELP
    return param


def _with_default(command: click.Command, name: str, default: object) -> click.Command:
    command = _copy(command)
    for param in command.params:
        if param.name == name:
            param.default = default
    return command


def _init_command(command: click.Command) -> click.Command:
    command = _copy(command)
    original = t.cast(t.Callable[..., t.Any], command.callback)

    @functools.wraps(original)
    def init(**kwargs: t.Any) -> t.Any:
        if kwargs.get("template") is None and not kwargs.get("multidb"):
            kwargs["template"] = str(ENV_DIRECTORY)
        return original(**kwargs)

    command.callback = init
    for param in command.params:
        if param.name == "template" and isinstance(param, click.Option):
            param.help = "Repository template to use (default: flaskkit's; 'flask' is Flask-Migrate's)"
    return command


def _placed_command(command: click.Command) -> click.Command:
    command = _copy(command)
    original = t.cast(t.Callable[..., t.Any], command.callback)

    @functools.wraps(original)
    def placed(**kwargs: t.Any) -> t.Any:
        app = t.cast("Flask", current_app._get_current_object())  # type: ignore[attr-defined]
        directory = kwargs.get("directory") or g.get("directory")
        kwargs["head"], kwargs["version_path"] = _placement(app, directory, kwargs["head"], kwargs["version_path"])
        return original(**kwargs)

    command.callback = placed
    for param in command.params:
        if param.name == "head" and isinstance(param, click.Option):
            param.default = None
            param.help = (
                "The head revision (or <branchname>@head) to base the new revision on "
                "(default: the head of the app's own migrations)"
            )
    return command


def _placement(app: Flask, directory: str | None, head: str | None, version_path: str | None) -> tuple[str, str | None]:
    """Where a new revision goes: on top of the app's own head, in the app's versions folder."""
    if head is not None:  # the user chose (a plugin author writing the plugin's revisions...)
        return head, version_path
    migrate = app.extensions["migrate"].migrate
    config = migrate.get_config(directory)
    versions = app_versions_directory(app, config)
    if versions is None:
        folder = directory or migrate.directory
        raise click.ClickException(
            f"The app has no migrations folder ({folder}): create it with 'flask db init', then run this again."
        )
    try:
        scripts = ScriptDirectory.from_config(config)
        heads = [script for script in scripts.get_revisions("heads") if owner_of(app, script) == APP_OWNER]
    except CommandError as exc:
        raise click.ClickException(str(exc)) from exc
    if len(heads) > 1:
        ids = " ".join(script.revision for script in heads)
        raise click.ClickException(
            f"The app's migrations have {len(heads)} heads ({ids}): merge them with 'flask db merge {ids}', "
            "or choose one with --head."
        )
    return (heads[0].revision if heads else "base"), version_path or versions

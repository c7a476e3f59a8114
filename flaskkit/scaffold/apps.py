"""``flask --app PROJECT kit startapp NAME``: a new app in a project, registered in its ``PLUGINS``.

The app is Django's app: a package beside the project's own (``blog/`` next to ``mysite/``) with its
plugin, model, views, URLs, templates, admin module and tests. The migration that creates its table goes
into the project's migrations folder, on top of the project's own head (where ``flask db migrate``
writes the next ones), and ``"blog.plugin:BlogPlugin"`` is appended to ``PLUGINS`` in the settings file.
Everything is checked first; then the app folder is moved into place, the migration and the settings
written, and a failure on the way undoes what was done.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import os
import shutil
import typing as t
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from .errors import ScaffoldError
from .names import camel_case
from .names import plugin_names
from .names import validate_name
from .rendering import Staging
from .rendering import check_destination
from .rendering import locate_template
from .rendering import render_file
from .rendering import render_tree
from .settings_file import add_to_plugins
from .settings_file import write_atomically

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["APP_TEMPLATE", "MIGRATION_TEMPLATE", "StartedApp", "app_context", "start_app"]

_TEMPLATES = Path(__file__).with_name("templates")
#: The built-in app template.
APP_TEMPLATE = _TEMPLATES / "app"
#: The migration of the built-in app's model.
MIGRATION_TEMPLATE = _TEMPLATES / "migration.py-tpl"

#: The plugins the built-in app template uses.
REQUIRED_PLUGINS = ("orm", "views")


@dataclass
class StartedApp:
    """What :func:`start_app` wrote."""

    #: The app's folder.
    folder: Path
    #: The entry added to ``PLUGINS`` (None when a custom template has no plugin class to add).
    plugin_entry: str | None
    #: The settings file it was added to.
    settings: Path
    #: The migration written (built-in template only).
    migration: Path | None = None
    #: The files and folders written, relative to the app's folder.
    files: list[Path] = field(default_factory=list)


def app_context(app: Flask, name: str) -> dict[str, t.Any]:
    """The variables of the app template (documented in docs/cli.md)."""
    from .. import get_kit

    plugins = list(get_kit(app).state(app).plugins)
    auth = "auth" in plugins
    requires = [plugin for plugin in ("orm", "forms", "auth", "views") if plugin in plugins]
    return {
        "app_name": name,
        "app_class": camel_case(name) + "Plugin",
        "project_name": app.import_name.partition(".")[0],
        "plugins": plugins,
        "auth": auth,
        "requires": "(" + ", ".join(f'"{p}"' for p in requires) + ("," if len(requires) == 1 else "") + ")",
        "model_class": "Entry",
        "model_name": "entry",
        "table_name": f"{name}_entry",
        "url_prefix": f"/{name}",
        "views": ["List", "Detail", "Create", "Update"] if auth else ["List", "Detail"],
    }


def start_app(
    app: Flask,
    name: str,
    directory: str | os.PathLike[str] | None = None,
    *,
    template: str | os.PathLike[str] | None = None,
    settings: str | os.PathLike[str] | None = None,
) -> StartedApp:
    """Write the app ``name`` of the project whose app is ``app``, and add it to the project's ``PLUGINS``.

    ``directory`` defaults to ``<name>/`` beside the project's package; ``settings`` to the
    ``settings.py`` of the project's package. Raises :class:`ScaffoldError`, having written nothing,
    when the name, the folder or the settings file is refused.
    """
    from .. import get_kit

    package_folder = Path(app.root_path)
    destination = Path(directory).expanduser().absolute() if directory else package_folder.parent / name
    if directory is None and (destination.exists() or destination.is_symlink()):
        check_destination(destination, existing_ok=False, kind="app")
    enabled = list(get_kit(app).state(app).plugins)
    project = app.import_name.partition(".")[0]
    taken = {
        project: "it is the project's own name",
        "flaskkit": "it is flaskkit's own name",
        **plugin_names(),
        **{plugin: f"the plugin {plugin!r} is in PLUGINS already" for plugin in enabled},
    }
    validate_name(name, "app", taken=taken)
    check_destination(destination, existing_ok=directory is not None, kind="app")
    settings_path = _settings_file(package_folder, settings)
    if template is None:
        missing = [plugin for plugin in REQUIRED_PLUGINS if plugin not in enabled]
        if missing:
            raise ScaffoldError(
                f"The app template writes a model and generic views, which need the plugins "
                f"{', '.join(repr(m) for m in missing)}: add them to PLUGINS, or give your own --template."
            )
    context = app_context(app, name)
    with contextlib.ExitStack() as stack:
        source = locate_template(template, APP_TEMPLATE, stack)
        staging = Staging(destination, stack)
        files = render_tree(source, staging.path, context, {"app_name": name})
        entry = _plugin_entry(staging.path, name, context["app_class"] if template is None else None)
        new_settings = None
        if entry is not None:
            new_settings = add_to_plugins(_read(settings_path), entry, str(settings_path))
        migration = migration_text = None
        if template is None:
            migration, migration_text = _migration(app, context)
        created = staging.commit()
        try:
            if migration is not None and migration_text is not None:
                with open(migration, "x", encoding="utf-8") as file:
                    file.write(migration_text)
            if new_settings is not None:
                write_atomically(settings_path, new_settings)
        except BaseException as exc:
            if migration is not None:
                with contextlib.suppress(OSError):
                    migration.unlink()
            for path in created:
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                message = f"Cannot write {exc.filename or ''}: {exc.strerror or exc}. Nothing was written."
                raise ScaffoldError(message) from exc
            raise
    return StartedApp(destination, entry, settings_path, migration, files)


def _settings_file(package_folder: Path, given: str | os.PathLike[str] | None) -> Path:
    path = Path(given).expanduser().absolute() if given else package_folder / "settings.py"
    if not path.is_file():
        if given:
            raise ScaffoldError(f"The settings file {path} does not exist.")
        raise ScaffoldError(
            f"Cannot find the project's settings in {path}, where the app is to be added to PLUGINS: "
            "give the settings file with --settings."
        )
    return path


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScaffoldError(f"Cannot read the settings file {path}: {exc}") from exc


def _plugin_entry(folder: Path, name: str, known_class: str | None) -> str | None:
    """The ``PLUGINS`` entry of the rendered app: ``<name>.plugin:<Class>``, the one class of its
    plugin.py whose name ends in "Plugin" (None when there is not exactly one)."""
    if known_class is not None:
        return f"{name}.plugin:{known_class}"
    module = folder / "plugin.py"
    if not module.is_file():
        return None
    try:
        tree = ast.parse(module.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError):
        return None
    classes = [node.name for node in tree.body if isinstance(node, ast.ClassDef) and node.name.endswith("Plugin")]
    return f"{name}.plugin:{classes[0]}" if len(classes) == 1 else None


def _migration(app: Flask, context: dict[str, t.Any]) -> tuple[Path, str]:
    """Where the migration of the app's model goes, and its text: on top of the project's own head."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError
    from alembic.util import rev_id

    from ..plugins.orm.migrations import APP_OWNER
    from ..plugins.orm.migrations import app_versions_directory
    from ..plugins.orm.migrations import owner_of

    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        versions = app_versions_directory(app, config)
        if versions is None:
            raise ScaffoldError(
                "The project has no migrations folder (MIGRATIONS_DIR) for the app's migration: "
                f"create it with 'flask --app {context['project_name']} db init', then run this again."
            )
        try:
            scripts = ScriptDirectory.from_config(config)
            heads = [script for script in scripts.get_revisions("heads") if owner_of(app, script) == APP_OWNER]
        except CommandError as exc:
            raise ScaffoldError(f"Cannot read the project's migrations: {exc}") from exc
    if len(heads) > 1:
        ids = " ".join(script.revision for script in heads)
        raise ScaffoldError(
            f"The project's migrations have {len(heads)} heads ({ids}): merge them first with "
            f"'flask --app {context['project_name']} db merge {ids}'."
        )
    revision = rev_id()
    down = heads[0].revision if heads else None
    text = render_file(
        MIGRATION_TEMPLATE,
        {**context, "revision": revision, "down_revision": down, "create_date": dt.datetime.now()},
    )
    folder = Path(versions)
    if not folder.is_dir():
        raise ScaffoldError(f"The project's migrations folder has no {folder.name}/ folder ({folder}).")
    return folder / f"{revision}_{context['app_name']}.py", text

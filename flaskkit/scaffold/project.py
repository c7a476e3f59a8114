"""``flaskkit startproject``: a new project, rendered from ``templates/project`` (or the user's template)."""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import io
import json
import os
import secrets
import typing as t
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ..checks.core import INSECURE_SECRET_KEY_PREFIX
from .errors import ScaffoldError
from .names import camel_case
from .names import plugin_names
from .names import validate_name
from .rendering import Staging
from .rendering import check_destination
from .rendering import locate_template
from .rendering import render_tree

__all__ = [
    "DATABASES",
    "INSECURE_KEY_PREFIX",
    "PROJECT_PLUGINS",
    "PROJECT_TEMPLATE",
    "FlaskkitOrigin",
    "ProjectPlugin",
    "flaskkit_origin",
    "project_context",
    "start_project",
]

#: The built-in project template.
PROJECT_TEMPLATE = Path(__file__).with_name("templates") / "project"

#: ``--db`` choices.
DATABASES = ("sqlite", "postgres")

#: The development ``SECRET_KEY`` written into a new project's settings starts with this; the deploy
#: check ``kit.W001`` reports a key that does (Django's ``django-insecure-``).
INSECURE_KEY_PREFIX = INSECURE_SECRET_KEY_PREFIX


@dataclass(frozen=True)
class ProjectPlugin:
    """A built-in plugin that new projects list in ``PLUGINS``."""

    #: Its name in ``PLUGINS`` (an entry point of the ``flaskkit.plugins`` group).
    name: str
    #: The flaskkit extra that brings its libraries ("" for none).
    extra: str = ""
    #: Left out of ``--minimal`` projects.
    full_only: bool = False


#: What a new project lists in ``PLUGINS``, in this order; the project's own plugin comes last. A plugin
#: added here is listed by every new project, and its extra added to the project's dependency on flaskkit;
#: its settings go in templates/project/project_name/settings.py-tpl, inside ``{% if "name" in plugins %}``.
PROJECT_PLUGINS: tuple[ProjectPlugin, ...] = (
    ProjectPlugin("orm", "orm"),
    ProjectPlugin("session", "session"),
    ProjectPlugin("cache", "cache"),
    ProjectPlugin("forms", "forms"),
    ProjectPlugin("middleware"),
    ProjectPlugin("signals"),
    ProjectPlugin("messages"),
    ProjectPlugin("mail", "mail"),
    ProjectPlugin("tasks", "rq"),
    ProjectPlugin("auth", "auth", full_only=True),
    ProjectPlugin("admin", "admin", full_only=True),
    ProjectPlugin("views", "views"),
    ProjectPlugin("ops"),
)

#: Extras every project depends on besides the plugins' own: the drivers of its production services.
PRODUCTION_EXTRAS = ("postgres", "redis")


@dataclass(frozen=True)
class FlaskkitOrigin:
    """Where the running flaskkit was installed from (PEP 610's ``direct_url.json``)."""

    #: The URL pip installed it from (``file:///.../flaskkit-0.1.0-py3-none-any.whl``, or a clone's folder).
    url: str
    #: That URL as a local path, when it is one.
    path: str | None
    #: Installed with ``pip install -e``.
    editable: bool

    def install_command(self, extras: t.Sequence[str]) -> str | None:
        """A pip command that installs this flaskkit again, with ``extras`` (None for a remote URL)."""
        if self.path is None:
            return None
        suffix = f"[{','.join(extras)}]" if extras else ""
        return f'python -m pip install "{self.path}{suffix}"'


def flaskkit_origin() -> FlaskkitOrigin | None:
    """Where pip installed the running flaskkit from, or None (from an index, or not known)."""
    try:
        text = importlib.metadata.distribution("flaskkit").read_text("direct_url.json")
        data = json.loads(text) if text else None
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        return None
    url = data["url"]
    parsed = urllib.parse.urlsplit(url)
    path = urllib.request.url2pathname(parsed.path) if parsed.scheme == "file" else None
    dir_info = data.get("dir_info")
    editable = isinstance(dir_info, dict) and bool(dir_info.get("editable"))
    return FlaskkitOrigin(url=url, path=path, editable=editable)


def project_context(name: str, *, db: str = "sqlite", minimal: bool = False) -> dict[str, t.Any]:
    """The variables of the project template (documented in docs/cli.md)."""
    from .. import __version__

    plugins = [plugin for plugin in PROJECT_PLUGINS if not (minimal and plugin.full_only)]
    extras = sorted({plugin.extra for plugin in plugins if plugin.extra} | set(PRODUCTION_EXTRAS))
    origin = flaskkit_origin()
    requirement = f"flaskkit[{','.join(extras)}]>={__version__}"
    return {
        "project_name": name,
        "project_class": camel_case(name) + "Plugin",
        "secret_key": INSECURE_KEY_PREFIX + secrets.token_urlsafe(50),
        "db": db,
        "minimal": minimal,
        "plugins": [plugin.name for plugin in plugins],
        "extras": extras,
        "flaskkit_version": __version__,
        "flaskkit_requirement": requirement,
        "flaskkit_install": origin.install_command(extras) if origin else None,
        "flaskkit_origin": origin.url if origin else None,
    }


def start_project(
    name: str,
    directory: str | os.PathLike[str] | None = None,
    *,
    template: str | os.PathLike[str] | None = None,
    db: str = "sqlite",
    minimal: bool = False,
) -> Path:
    """Write a new project named ``name`` into ``directory`` (default ``./<name>``); return its folder.

    ``directory`` may exist if it holds nothing but hidden entries (``.git``, ``.venv``). Raises
    :class:`ScaffoldError`, having written nothing, when the name or the folder is refused or the
    template cannot be rendered.
    """
    if db not in DATABASES:
        raise ScaffoldError(f"--db must be one of {', '.join(DATABASES)}, not {db!r}.")
    destination = Path(directory if directory is not None else name).expanduser().absolute()
    if directory is None and (destination.exists() or destination.is_symlink()):
        check_destination(destination, existing_ok=False, kind="project")
    validate_name(name, "project", taken={"flaskkit": "it is flaskkit's own name", **plugin_names()})
    check_destination(destination, existing_ok=directory is not None, kind="project")
    context = project_context(name, db=db, minimal=minimal)
    with contextlib.ExitStack() as stack:
        source = locate_template(template, PROJECT_TEMPLATE, stack)
        staging = Staging(destination, stack)
        render_tree(source, staging.path, context, {"project_name": name})
        if template is None:
            init_migrations(staging.path / name / "migrations")
        staging.commit()
    return destination


def init_migrations(directory: Path) -> None:
    """``flask db init`` without an app: the orm plugin's Alembic template, through Alembic's ``init``."""
    try:
        from alembic import command
        from alembic.config import Config
        from alembic.util import CommandError
    except ImportError as exc:  # pragma: no cover - flaskkit[orm] brings Alembic
        raise ScaffoldError(
            'A new project is made with its migrations folder, which needs Alembic: pip install "flaskkit[orm]" '
            "(from where you installed flaskkit)."
        ) from exc
    from ..plugins.orm.migrations import ENV_DIRECTORY

    config = Config(str(directory / "alembic.ini"), cmd_opts=argparse.Namespace(quiet=True))
    try:
        # An absolute template path: Alembic joins it to its own templates folder, which it then replaces.
        with contextlib.redirect_stdout(io.StringIO()):  # its "Generating ... done" lines
            command.init(config, str(directory), template=str(ENV_DIRECTORY))
    except CommandError as exc:
        raise ScaffoldError(f"Cannot create the migrations folder {directory.name}/: {exc}") from exc
    # git keeps no empty folder, and Alembic needs versions/.
    (directory / "versions" / ".gitkeep").touch()

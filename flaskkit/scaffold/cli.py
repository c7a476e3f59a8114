"""``flaskkit``: the command that starts a project (``flaskkit startproject``; also ``python -m flaskkit``).

The commands that work on an app are under ``flask --app APP kit``, ``startapp`` included.
"""

from __future__ import annotations

from pathlib import Path

import click

from .errors import ScaffoldError
from .project import DATABASES
from .project import start_project

__all__ = ["main", "startproject_command"]


@click.group("flaskkit", context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="flaskkit", prog_name="flaskkit", message="%(prog)s %(version)s")
def main() -> None:
    """flaskkit: Django-level batteries for Flask.

    Start a project here; the commands of a project's app are under `flask --app APP kit`.
    """


@main.command("startproject")
@click.argument("name")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option(
    "--template",
    metavar="DIR_OR_ARCHIVE",
    help="The project template to render: a folder, or a .zip or .tar.gz archive of one (default: flaskkit's).",
)
@click.option(
    "--db",
    type=click.Choice(DATABASES),
    default="sqlite",
    show_default=True,
    help="The development database (production sets DATABASE_URL either way).",
)
@click.option("--minimal", is_flag=True, help="Leave out the users and logins (the auth plugin).")
def startproject_command(name: str, directory: Path | None, template: str | None, db: str, minimal: bool) -> None:
    """Create the project NAME in DIRECTORY (default: ./NAME).

    NAME becomes the project's Python package. DIRECTORY, when given, may exist if it is empty
    (hidden entries such as .git or .venv aside). Nothing is ever overwritten: on any error, nothing
    is written.
    """
    try:
        folder = start_project(name, directory, template=template, db=db, minimal=minimal)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        shown = folder.relative_to(Path.cwd())
    except ValueError:
        shown = folder
    where = "the current folder" if str(shown) == "." else f"{shown}/"
    next_steps = " Next (README.md says more):" if template is None else ""
    click.echo(f"Created the project {name!r} in {where}.{next_steps}")
    if template is None:
        if str(shown) != ".":
            click.echo(f"  cd {shown}")
        click.echo('  python -m pip install -e ".[dev]" && python -m pytest')
        click.echo(f"  flask --app {name} db upgrade && flask --app {name} run --debug")

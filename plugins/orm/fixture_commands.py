"""``flask kit dumpdata`` and ``flask kit loaddata``: Django's commands, on Django's JSON fixtures."""

from __future__ import annotations

import json
import os
import sys
import typing as t
from pathlib import Path

import click
from flask import current_app

from .fixtures import FixtureError
from .fixtures import dump_data
from .fixtures import load_data
from .fixtures import load_fixture

__all__ = ["dumpdata_command", "loaddata_command"]


def dumpdata_command() -> click.Command:
    @click.command("dumpdata")
    @click.argument("labels", nargs=-1, metavar="[app_label[.ModelName] ...]")
    @click.option("--format", "format_", default="json", show_default=True, help="The format (json only).")
    @click.option("--indent", type=click.IntRange(min=0), default=None, help="Indent the JSON by this many spaces.")
    @click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
    @click.option(
        "-e", "--exclude", multiple=True, metavar="app_label[.ModelName]", help="Leave out an app or a model."
    )
    @click.option(
        "--natural-foreign", is_flag=True, help="Refer to rows by their natural keys, where models have them."
    )
    @click.option("--natural-primary", is_flag=True, help="Leave out the pk of objects whose model has a natural key.")
    @click.option("--pks", help="Only these primary keys (comma-separated; with one model).")
    def dumpdata(
        labels: tuple[str, ...],
        format_: str,
        indent: int | None,
        output: str | None,
        exclude: tuple[str, ...],
        natural_foreign: bool,
        natural_primary: bool,
        pks: str | None,
    ) -> None:
        """Output the rows of the app's models (or of the apps and models named) as a JSON fixture.

        Models are named by their label, as in fixtures: `auth` (every model of the app),
        `auth.user`. Parents come before children, so `flask kit loaddata` can load the
        output into an empty database.
        """
        if format_ != "json":
            raise click.UsageError(f"Unknown serialization format: {format_!r} (flaskkit writes json).")
        try:
            items, missing = dump_data(
                labels,
                exclude=exclude,
                natural_foreign=natural_foreign,
                natural_primary=natural_primary,
                pks=pks.split(",") if pks is not None else None,
            )
        except LookupError as exc:
            raise click.ClickException(str(exc.args[0] if exc.args else exc)) from exc
        text = json.dumps(items, indent=indent, ensure_ascii=False)
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
        else:
            click.echo(text)
        if missing:
            from .labels import label

            names = ", ".join(label(model) for model in missing)
            click.echo(f"Left out (no table in the database): {names}.", err=True)

    return dumpdata


def loaddata_command() -> click.Command:
    @click.command("loaddata")
    @click.argument("fixtures", nargs=-1, required=True, metavar="FIXTURE [FIXTURE ...]")
    @click.option(
        "-e", "--exclude", multiple=True, metavar="app_label[.ModelName]", help="Do not load this app or model."
    )
    @click.option(
        "-i", "--ignorenonexistent", is_flag=True, help="Ignore fields that the models do not have (any more)."
    )
    @click.option("--format", "format_", default="json", show_default=True, help="The format of stdin ('-').")
    def loaddata(fixtures: tuple[str, ...], exclude: tuple[str, ...], ignorenonexistent: bool, format_: str) -> None:
        """Load JSON fixtures (Django's format) into the database, each in one transaction.

        A FIXTURE is a path, or a name looked up in the app's `fixtures/` folder and the
        FIXTURE_DIRS setting (`users` finds `fixtures/users.json`); `-` reads stdin.
        """
        total = 0
        for name in fixtures:
            try:
                if name == "-":
                    if format_ != "json":
                        raise click.UsageError(f"Unknown serialization format: {format_!r} (flaskkit reads json).")
                    data = _stdin_json()
                    total += load_data(data, source="<stdin>", ignore_nonexistent=ignorenonexistent, exclude=exclude)
                    continue
                path = find_fixture(name)
                total += _load(path, ignorenonexistent, exclude)
            except (FixtureError, LookupError) as exc:
                raise click.ClickException(str(exc.args[0] if exc.args else exc)) from exc
        objects = f"{total} object{'s' if total != 1 else ''}"
        click.echo(f"Installed {objects} from {len(fixtures)} fixture{'s' if len(fixtures) != 1 else ''}.")

    return loaddata


def _load(path: str, ignore_nonexistent: bool, exclude: tuple[str, ...]) -> int:
    if not exclude:
        return load_fixture(path, ignore_nonexistent=ignore_nonexistent)
    with open(path, encoding="utf-8") as file:
        text = file.read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FixtureError(f"Problem installing fixture {path!r}: it is not valid JSON: {exc}.") from exc
    return load_data(data, source=path, ignore_nonexistent=ignore_nonexistent, exclude=exclude)


def _stdin_json() -> t.Any:
    try:
        return json.loads(sys.stdin.read())
    except json.JSONDecodeError as exc:
        raise FixtureError(f"Problem installing fixture '<stdin>': it is not valid JSON: {exc}.") from exc


def fixture_dirs() -> list[str]:
    """Where fixtures are looked up by name: the app's ``fixtures/`` folder, then ``FIXTURE_DIRS``."""
    app = current_app
    dirs = [os.path.join(app.root_path, "fixtures")]
    dirs.extend(os.fspath(d) for d in app.config.get("FIXTURE_DIRS") or ())
    return dirs


def find_fixture(name: str) -> str:
    """The file of the fixture ``name`` (a path, or a name in :func:`fixture_dirs`, ``.json`` optional)."""
    candidates = [name] if name.endswith(".json") else [name, f"{name}.json"]
    for candidate in candidates:
        if os.path.isfile(candidate):
            return candidate
    if not os.path.isabs(name) and os.sep not in name:
        for directory in fixture_dirs():
            for candidate in candidates:
                path = os.path.join(directory, candidate)
                if os.path.isfile(path):
                    return path
    looked = ", ".join(fixture_dirs())
    raise FixtureError(f"No fixture named {name!r} found (looked at the path, and in: {looked}).")

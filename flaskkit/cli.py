"""``flask kit``: the kit's commands, plus those the app's plugins add.

The group is registered in Flask's ``flask.commands`` entry-point group, so
``flask kit check`` still runs (and reports the errors) when the app fails to
boot; each app also gets it on ``app.cli`` for ``app.test_cli_runner()``. It
holds no state: every command works on the app that Flask's CLI loads.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask import current_app
from flask.cli import NoAppException
from flask.cli import ScriptInfo

from .checks.messages import ERROR
from .checks.messages import LEVEL_NAMES
from .checks.messages import CheckMessage
from .exceptions import ConfigurationError
from .kit import Kit
from .kit import get_kit
from .pipeline import MIDDLEWARE_GROUP
from .pipeline import Pipeline

__all__ = ["kit_command"]


class KitGroup(click.Group):
    """The ``kit`` group: built-in subcommands first, then the app's plugins' ones."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        builtin = super().get_command(ctx, cmd_name)
        if builtin is not None:
            return builtin
        app = _load_app(ctx)
        _push_app_context(ctx, app)
        entry = _kit_of(app).state(app).kit_commands.get(cmd_name)
        return entry[0] if entry else None

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        try:
            app = _load_app(ctx)
            names.update(_kit_of(app).state(app).kit_commands)
        except (click.ClickException, RuntimeError):
            pass  # the built-in commands still show; `flask kit check` tells what is wrong
        return sorted(names)


@click.group("kit", cls=KitGroup)
def kit_command() -> None:
    """flaskkit: plugins, checks and the commands of the app's plugins."""


@kit_command.command("plugins")
@click.pass_context
def plugins_command(ctx: click.Context) -> None:
    """List the app's plugins in boot order, with where each came from."""
    app = _load_app(ctx)
    kit = _kit_of(app)
    plugins = kit.state(app).plugins
    if not plugins:
        click.echo(f"The app {app.name!r} has no plugins: list them in the PLUGINS setting.")
        return
    rows = [("#", "name", "requires", "source")]
    for number, (name, plugin) in enumerate(plugins.items(), start=1):
        source = plugin.source.describe() if plugin.source else "?"
        rows.append((str(number), name, ", ".join(plugin.requires) or "-", source))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    click.echo(f"Plugins of the app {app.name!r}, in boot order:")
    for row in rows:
        click.echo("  " + "  ".join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(row)).rstrip())


@kit_command.command("middleware")
@click.pass_context
def middleware_command(ctx: click.Context) -> None:
    """Show the request pipeline: every layer, outermost first, with its hooks and where it came from."""
    app = _load_app(ctx)
    click.echo("\n".join(describe_pipeline(_kit_of(app).state(app).pipeline, app.name)))


def describe_pipeline(pipeline: Pipeline, app_name: str) -> list[str]:
    """The lines ``flask kit middleware`` prints."""
    layers = [layer for layer in pipeline.layers if layer.hooks != ("wsgi",)]
    lines: list[str] = []
    if not layers and not pipeline.wsgi_layers:
        lines.append(f"The app {app_name!r} has no request pipeline: no layer runs on the request path.")
    elif not layers:
        lines.append(f"The app {app_name!r} has no layer inside Flask's request handling (only WSGI layers).")
    else:
        lines.append(f"Request pipeline of the app {app_name!r}, outermost first:")
        rows = [("#", "layer", "hooks", "from")]
        for number, layer in enumerate(layers, start=1):
            hooks = f"not used: {layer.not_used}" if layer.not_used is not None else ", ".join(layer.hooks) or "-"
            # A MIDDLEWARE entry's place is its place in the list; other layers show what they declared.
            declared = layer.position if layer.position and layer.group != MIDDLEWARE_GROUP else ""
            origin = layer.origin + (f" ({declared})" if declared else "")
            rows.append(
                (str(number), layer.name + (f" = {layer.description}" if layer.description else ""), hooks, origin)
            )
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines += [
            "  "
            + "  ".join([row[0].rjust(widths[0]), row[1].ljust(widths[1]), row[2].ljust(widths[2]), row[3]]).rstrip()
            for row in rows
        ]
        lines.append(
            "A request meets the request hooks top-down, then Flask's before_request functions, the view hooks "
            "top-down and the view inside the wrap_view hooks; exception hooks run bottom-up when the view raises, "
            "then Flask's after_request functions and the response hooks bottom-up."
        )
    wsgi = pipeline.wsgi_layers
    if wsgi:
        lines.append("WSGI layers around app.wsgi_app, outermost first:")
        lines += [
            f"  {number}  {layer.name}" + (f" {layer.description}" if layer.description else "") + f"  ({layer.origin})"
            for number, layer in enumerate(wsgi, start=1)
        ]
    return lines


@kit_command.command("check")
@click.option("--deploy", is_flag=True, help="Also run the checks for a production deployment.")
@click.option("--tag", "-t", "tags", multiple=True, metavar="TAG", help="Run only the checks with this tag.")
@click.option("--list-tags", is_flag=True, help="List the available tags and exit.")
@click.option(
    "--fail-level",
    type=click.Choice([LEVEL_NAMES[level] for level in sorted(LEVEL_NAMES)], case_sensitive=False),
    default="error",
    show_default=True,
    help="The message level that makes the command exit with status 1.",
)
@click.pass_context
def check_command(ctx: click.Context, deploy: bool, tags: tuple[str, ...], list_tags: bool, fail_level: str) -> None:
    """Run the checks; exit with status 1 when an error (or --fail-level) remains."""
    try:
        app = _load_app(ctx, raw=True)
    except ConfigurationError as exc:
        # The app did not boot: report what stopped it, in the same format.
        _report(exc.messages or [], silenced=0, fail_level=ERROR, boot_error=exc)
        ctx.exit(1)
    kit = _kit_of(app)
    registry = kit.state(app).checks
    if list_tags:
        for tag in sorted(registry.tags(include_deploy=deploy)):
            click.echo(tag)
        return
    unknown = sorted(set(tags) - registry.tags(include_deploy=True))
    if unknown:
        available = ", ".join(sorted(registry.tags(include_deploy=True)))
        raise click.UsageError(f"There is no check with the tag {unknown[0]!r}. Available tags: {available}.")
    with app.app_context():
        try:
            report = kit.run_checks(app, tags=tags, include_deploy=deploy)
        except Exception as exc:
            raise click.ClickException(f"A check raised {type(exc).__name__}: {exc}") from exc
    level = next(number for number, name in LEVEL_NAMES.items() if name == fail_level.lower())
    failed = _report(report.messages, silenced=report.silenced, fail_level=level)
    if failed:
        ctx.exit(1)


@kit_command.command("startapp")
@click.argument("name")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option(
    "--template",
    metavar="DIR_OR_ARCHIVE",
    help="The app template to render: a folder, or a .zip or .tar.gz archive of one (default: flaskkit's).",
)
@click.option(
    "--settings",
    "settings_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The settings file whose PLUGINS gets the app (default: settings.py in the project's package).",
)
@click.pass_context
def startapp_command(
    ctx: click.Context, name: str, directory: Path | None, template: str | None, settings_file: Path | None
) -> None:
    """Create the app NAME in the project (in DIRECTORY, default: beside the project's package) and add
    it to PLUGINS: a plugin, a model and its migration, views, templates, an admin module and tests.

    Nothing is ever overwritten: on any error, nothing is written.
    """
    from .scaffold import ScaffoldError
    from .scaffold import start_app

    app = _load_app(ctx)
    try:
        started = start_app(app, name, directory, template=template, settings=settings_file)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created the app {name!r} in {_shown(started.folder)}/.")
    if started.migration is not None:
        click.echo(f"Its migration: {_shown(started.migration)}.")
    if started.plugin_entry is not None:
        click.echo(f"Added {started.plugin_entry!r} to PLUGINS in {_shown(started.settings)}.")
    else:
        click.echo(
            f"Its plugin.py has no one class named ...Plugin: add the app to PLUGINS in {_shown(started.settings)}."
        )
    project = app.import_name.partition(".")[0]
    if started.migration is not None:
        click.echo(f"Next: flask --app {project} db upgrade, then open /{name}/ (its tests run with python -m pytest).")


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _report(
    messages: list[CheckMessage], *, silenced: int, fail_level: int, boot_error: ConfigurationError | None = None
) -> bool:
    """Print the messages grouped by level, Django style; return whether any reaches ``fail_level``."""
    if boot_error is not None and not messages:
        click.echo(f"The app failed to boot: {boot_error}", err=True)
        return True
    if messages:
        click.echo("Checks identified some issues:\n", err=True)
        for level in sorted(LEVEL_NAMES, reverse=True):
            group = [m for m in messages if m.level_name == LEVEL_NAMES[level]]
            if group:
                click.echo(f"{LEVEL_NAMES[level].upper()}S:", err=True)
                for message in group:
                    click.echo(str(message), err=True)
                click.echo("", err=True)
    count = len(messages)
    summary = "no issues" if not count else f"{count} issue{'s' if count != 1 else ''}"
    click.echo(f"Checks identified {summary} ({silenced} silenced).")
    return any(m.is_serious(fail_level) for m in messages)


def _load_app(ctx: click.Context, *, raw: bool = False) -> Flask:
    """The app Flask's CLI is working on; a boot failure becomes a clean CLI error."""
    info = ctx.ensure_object(ScriptInfo)
    # Keep DEBUG as the settings and FLASK_DEBUG give it: Flask's CLI would
    # otherwise reset app.debug from FLASK_DEBUG alone, and the deploy check of
    # DEBUG must see what the app runs with (`flask --debug` still sets FLASK_DEBUG).
    info.set_debug_flag = False
    try:
        return info.load_app()
    except NoAppException as exc:
        raise click.ClickException(exc.format_message()) from exc
    except ConfigurationError as exc:
        if raw:
            raise
        raise click.ClickException(f"The app failed to boot: {exc}") from exc


def _kit_of(app: Flask) -> Kit:
    try:
        return get_kit(app)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc


def _push_app_context(ctx: click.Context, app: Flask) -> None:
    if not current_app or current_app._get_current_object() is not app:  # type: ignore[attr-defined]
        ctx.with_resource(app.app_context())


def add_kit_command(app: Flask) -> None:
    """Put ``kit`` on ``app.cli`` (for ``app.test_cli_runner()`` and custom CLIs)."""
    app.cli.add_command(kit_command)

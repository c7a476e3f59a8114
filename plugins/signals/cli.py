"""``flask kit signals``: every registered signal with its receivers (dotted paths) and sender filters."""

from __future__ import annotations

import typing as t

import click
from flask import current_app

from flaskkit._text import did_you_mean

from .model_events import model_signals_enabled
from .registry import SignalRegistry
from .registry import registry as default_registry

__all__ = ["signals_command"]


def signals_command(registry: SignalRegistry = default_registry) -> click.Command:
    @click.command("signals")
    @click.argument("names", nargs=-1, metavar="[SIGNAL]...")
    @click.option("--connected", is_flag=True, help="Only the signals that have receivers.")
    def command(names: tuple[str, ...], connected: bool) -> None:
        """List the signals with their receivers (dotted paths) and sender filters."""
        unknown = [name for name in names if name not in registry]
        if unknown:
            raise click.UsageError(
                f"There is no signal {unknown[0]!r}."
                + did_you_mean(unknown[0], registry)
                + " `flask kit signals` lists them all."
            )
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        lines = describe(registry, app.name, model_signals_enabled(app), names, connected=connected, app=app)
        click.echo("\n".join(lines))

    return command


def describe(
    registry: SignalRegistry,
    app_name: str,
    model_signals: bool,
    names: t.Sequence[str] = (),
    *,
    connected: bool = False,
    app: object | None = None,
) -> list[str]:
    """The lines ``flask kit signals`` prints (for ``app``: not the receivers connected only for other apps)."""
    rows: list[tuple[str, str, str, str, str]] = [("signal", "origin", "receiver", "sender", "notes")]
    dead = 0
    for name in names or list(registry):
        infos = registry.receivers(name, app)
        if not infos:
            if not connected:
                rows.append((name, registry.origin(name), "-", "", ""))
            continue
        for number, info in enumerate(infos):
            notes = ["weak" if info.weak else "strong"]
            if info.propagate:
                notes.append("and subclasses")
            if info.dispatch_uid is not None:
                notes.append(f"dispatch_uid={info.dispatch_uid!r}")
            if info.dead:
                dead += 1
                notes.append("DEAD: garbage-collected, never called")
            first = number == 0
            rows.append(
                (
                    name if first else "",
                    registry.origin(name) if first else "",
                    info.receiver,
                    ", ".join(info.senders),
                    ", ".join(notes),
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["Signals and their receivers (receivers are process-wide), in registry order:"]
    lines += [
        "  " + "  ".join(cell.ljust(widths[i]) if i < 4 else cell for i, cell in enumerate(row)).rstrip()
        for row in rows
    ]
    if dead:
        lines.append(
            f"{dead} receiver{'s' if dead != 1 else ''} connected weakly {'were' if dead != 1 else 'was'} "
            "garbage-collected: connect with weak=False, or define the receiver at module level."
        )
    if model_signals:
        lines.append(f"The app {app_name!r} sends the model signals (orm and signals are in PLUGINS).")
    else:
        lines.append(f"The app {app_name!r} sends no model signals: add 'orm' to PLUGINS.")
    return lines

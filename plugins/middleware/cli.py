"""``flask kit middleware``: the resolved onion, outermost first, with each layer's hooks."""

from __future__ import annotations

import typing as t

import click
from flask import current_app

if t.TYPE_CHECKING:
    from . import MiddlewarePlugin

__all__ = ["middleware_command"]


def middleware_command(plugin: MiddlewarePlugin) -> click.Command:
    """The command, bound to one app's plugin instance."""

    @click.command("middleware")
    def command() -> None:
        """Show the MIDDLEWARE onion, outermost first, with each entry's hooks."""
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        click.echo("\n".join(describe(plugin, app.name)))

    return command


def describe(plugin: MiddlewarePlugin, app_name: str) -> list[str]:
    """The lines ``flask kit middleware`` prints."""
    lines: list[str] = []
    layers = plugin.stack.layers
    if not layers:
        lines.append(f"The app {app_name!r} has no middleware: MIDDLEWARE is empty, nothing runs on the request path.")
    else:
        lines.append(f"Middleware of the app {app_name!r}, outermost first:")
        rows = [("#", "middleware", "hooks")]
        for number, layer in enumerate(layers, start=1):
            name = layer.entry
            if name.replace(":", ".").rpartition(".")[2] != layer.cls.__name__:
                name += f" (= {layer.target})"  # an alias: say which class it is
            if layer.instance is None:
                hooks = f"not used: {layer.not_used}"
            else:
                hooks = ", ".join(layer.hooks) or "(no hook enabled for this app's settings)"
            rows.append((str(number), name, hooks))
        width = [max(len(row[i]) for row in rows) for i in range(2)]
        lines += [f"  {row[0].rjust(width[0])}  {row[1].ljust(width[1])}  {row[2]}".rstrip() for row in rows]
        last = len(layers)
        lines.append(
            f"Request: process_request 1 -> {last}, Flask's before_request functions, process_view 1 -> {last}, "
            f"the view. Response: process_exception {last} -> 1 (if the view raised), process_response {last} -> 1."
        )
    if plugin.wsgi_layers:
        lines.append("WSGI middleware around app.wsgi_app, outermost first:")
        lines += [f"  {number}  {text}" for number, text in enumerate(plugin.wsgi_layers, start=1)]
    return lines

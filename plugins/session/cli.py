"""``flask kit clearsessions``: Django's ``clearsessions``."""

from __future__ import annotations

import typing as t

import click

if t.TYPE_CHECKING:
    from . import SessionPlugin

__all__ = ["clearsessions_command"]


def clearsessions_command(plugin: SessionPlugin) -> click.Command:
    """The ``clearsessions`` command of one app's session plugin."""

    @click.command("clearsessions")
    def clearsessions() -> None:
        """Remove expired sessions from the store (db and file engines).

        The redis and cache engines expire sessions by themselves, and the
        cookie engine keeps them in the browser; for those there is nothing to do.
        Run it daily (cron, a scheduled job) with the db or file engine.
        """
        engine = plugin.settings.engine
        store = plugin.store
        removed = store.clear_expired() if store is not None else None
        if removed is None:
            where = "in the browser" if store is None else "in a store that expires them by itself"
            click.echo(f"The {engine!r} session engine keeps sessions {where}: there is nothing to clear.")
            return
        click.echo(f"Removed {removed} expired session{'' if removed == 1 else 's'} ({engine} engine).")

    return clearsessions

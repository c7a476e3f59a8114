"""The signals plugin's checks (ids ``signals.*``)."""

from __future__ import annotations

import typing as t

from flaskkit.checks import CheckMessage
from flaskkit.checks import Warning

from . import model_signals
from .model_events import model_signals_enabled
from .registry import SignalRegistry

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["check_dead_receivers", "check_model_receivers_without_orm"]


def check_dead_receivers(app: Flask, registry: SignalRegistry) -> list[CheckMessage]:
    """signals.W001: a weakly connected receiver was garbage-collected and will never be called."""
    return [
        Warning(
            f"The receiver {info.receiver} of the signal {info.signal!r} was connected weakly and has been "
            "garbage-collected: it will never be called.",
            hint="Connect it with weak=False, or define it at module level (a lambda, a partial or a function "
            "defined inside another function lives only as long as the code that connected it).",
            obj=info.signal,
            id="signals.W001",
        )
        for info in registry.list()
        if info.dead
    ]


def check_model_receivers_without_orm(app: Flask, registry: SignalRegistry) -> list[CheckMessage]:
    """signals.W002: model-signal receivers on an app that sends no model signals."""
    if model_signals_enabled(app):
        return []
    waiting = [name for name in model_signals.__all__ if registry[name].receivers]
    if not waiting:
        return []
    names = ", ".join(repr(name) for name in waiting)
    return [
        Warning(
            f"Receivers are connected to the model signal{'s' if len(waiting) > 1 else ''} {names}, but this app "
            "sends no model signals: the orm plugin is not enabled.",
            hint="Add 'orm' to PLUGINS (the model signals come from its db.session).",
            obj="PLUGINS",
            id="signals.W002",
        )
    ]

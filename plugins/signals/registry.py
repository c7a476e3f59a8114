"""One registry of signals: Flask's, the kit's, the model and auth signals, and any a plugin adds."""

from __future__ import annotations

import collections.abc as cabc
import dataclasses
import typing as t

import blinker
from flask import signals as flask_signals

from flaskkit import signals as kit_signals

from . import auth_signals
from . import model_signals
from .dispatch import ReceiverInfo
from .dispatch import forget_dead
from .dispatch import receiver_infos

__all__ = ["FLASK_SIGNALS", "MODEL_SIGNALS", "SignalRegistry", "registry"]

#: Flask 3.1's signals, by the names ``flask.signals`` gives them.
FLASK_SIGNALS = (
    "request_started",
    "request_finished",
    "request_tearing_down",
    "got_request_exception",
    "appcontext_pushed",
    "appcontext_popped",
    "appcontext_tearing_down",
    "before_render_template",
    "template_rendered",
    "message_flashed",
)


#: The model signals, in the order they are sent.
MODEL_SIGNALS = (
    "pre_save",
    "post_save",
    "pre_delete",
    "post_delete",
    "post_commit_save",
    "post_commit_delete",
    "bulk_update",
    "bulk_delete",
)


class SignalRegistry(cabc.Mapping[str, blinker.Signal]):
    """Name -> signal, in registration order; ``flask kit signals`` lists it.

    Signals and their receivers are process-wide (as in Django and Flask):
    the registry is too. What differs per app is whether the model signals
    are sent, which only apps that enable the signals plugin do.
    """

    def __init__(self) -> None:
        self._signals: dict[str, blinker.Signal] = {}
        self._origins: dict[str, str] = {}

    def register(self, name: str, signal: blinker.Signal, *, origin: str) -> blinker.Signal:
        """Add ``signal`` under ``name``; registering the same pair again is a no-op."""
        if not isinstance(signal, blinker.Signal):
            raise TypeError(f"Only blinker signals can be registered, not {signal!r}.")
        existing = self._signals.get(name)
        if existing is not None and existing is not signal:
            raise ValueError(
                f"The signal name {name!r} is already registered by {self._origins[name]}; choose another name."
            )
        self._signals[name] = signal
        self._origins[name] = origin
        return signal

    def origin(self, name: str) -> str:
        """Who registered ``name``: ``"flask"``, ``"flaskkit"``, a plugin's name..."""
        return self._origins[name]

    def __getitem__(self, name: str) -> blinker.Signal:
        return self._signals[name]

    def __iter__(self) -> t.Iterator[str]:
        return iter(self._signals)

    def __len__(self) -> int:
        return len(self._signals)

    def receivers(self, name: str, app: object | None = None) -> list[ReceiverInfo]:
        """The receivers of one signal, in connection order (dead weak ones last); with ``app``, not those
        connected only for other apps."""
        return [dataclasses.replace(info, signal=name) for info in receiver_infos(self._signals[name], app)]

    def list(self) -> list[ReceiverInfo]:
        """Every receiver of every signal: signal name, receiver dotted path, senders, weak/dead, dispatch_uid."""
        return [info for name in self._signals for info in self.receivers(name)]

    def forget_dead(self) -> int:
        """Stop reporting the garbage-collected weak receivers (``signals.W001``); return how many."""
        return sum(forget_dead(signal) for signal in self._signals.values())


#: The registry. Third-party plugins may add their signals:
#: ``registry.register("order_paid", order_paid, origin="shop")``.
registry = SignalRegistry()

for _name in FLASK_SIGNALS:
    registry.register(_name, getattr(flask_signals, _name), origin="flask")
registry.register("plugin_ready", kit_signals.plugin_ready, origin="flaskkit")
registry.register("kit_ready", kit_signals.kit_ready, origin="flaskkit")
for _name in MODEL_SIGNALS:
    registry.register(_name, getattr(model_signals, _name), origin="models")
for _name in auth_signals.__all__:
    registry.register(_name, getattr(auth_signals, _name), origin="auth")

"""The ``signals`` plugin: one registry of blinker signals, with Django's API and model signals.

::

    # settings.py
    PLUGINS = ["orm", "signals"]

    # receivers.py (imported by your app)
    from flaskkit.plugins.signals import post_save, post_commit_save, receiver
    from .models import Post

    @receiver(post_save, sender=Post)
    def on_post_saved(sender, instance, created, **kwargs):
        ...

    @receiver(post_commit_save, sender=Post, dispatch_uid="notify-followers")
    def notify(sender, instance, created, **kwargs):
        if created:
            send_mail(...)                     # only once the transaction committed

The registry (:data:`registry`, listed by ``flask kit signals``) holds Flask's
signals, the kit's, the model signals (sent at flush; post-commit variants
after the commit; ``bulk_update``/``bulk_delete`` for ORM statements) and the
auth signals. See docs/plugins/signals.md.
"""

from __future__ import annotations

import typing as t

from flaskkit import Plugin
from flaskkit import get_kit

from .auth_signals import user_logged_in
from .auth_signals import user_logged_out
from .auth_signals import user_login_failed
from .checks import check_dead_receivers
from .checks import check_model_receivers_without_orm
from .dispatch import ANY
from .dispatch import ReceiverInfo
from .dispatch import Signal
from .dispatch import SignalWarning
from .dispatch import connect
from .dispatch import disconnect
from .dispatch import receiver
from .dispatch import send_robust
from .model_events import install_model_signals
from .model_events import model_signals_enabled
from .model_signals import bulk_delete
from .model_signals import bulk_update
from .model_signals import post_commit_delete
from .model_signals import post_commit_save
from .model_signals import post_delete
from .model_signals import post_save
from .model_signals import pre_delete
from .model_signals import pre_save
from .registry import SignalRegistry
from .registry import registry

if t.TYPE_CHECKING:
    import click
    from flask import Flask

    from flaskkit.checks import CheckMessage

__all__ = [
    "ANY",
    "ReceiverInfo",
    "Signal",
    "SignalRegistry",
    "SignalWarning",
    "SignalsPlugin",
    "bulk_delete",
    "bulk_update",
    "connect",
    "disconnect",
    "model_signals_enabled",
    "post_commit_delete",
    "post_commit_save",
    "post_delete",
    "post_save",
    "pre_delete",
    "pre_save",
    "receiver",
    "registry",
    "send_robust",
    "user_logged_in",
    "user_logged_out",
    "user_login_failed",
]


class SignalsPlugin(Plugin):
    """Sends the model signals for the app (with the orm plugin) and adds ``flask kit signals``."""

    name = "signals"
    # The model signals hook into the orm plugin's db.session when it is enabled.
    after = ("orm",)

    def ready(self, app: Flask) -> None:
        # Wired here, not at import: only apps that enable this plugin (and orm) send model signals.
        if "orm" in get_kit(app).state(app).plugins:
            install_model_signals(app)

    def checks(self, app: Flask) -> t.Iterable[CheckMessage]:
        yield from check_dead_receivers(app, registry)
        yield from check_model_receivers_without_orm(app, registry)

    def kit_commands(self, app: Flask) -> t.Iterable[click.Command]:
        from .cli import signals_command

        return [signals_command(registry)]

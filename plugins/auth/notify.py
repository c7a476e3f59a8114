"""The auth views' messages ("You are logged in."), through the messages plugin when it is enabled."""

from __future__ import annotations

from flask import current_app
from flask import has_request_context

__all__ = ["notify"]

#: The messages plugin's levels, by name (kept here so nothing is imported without the plugin).
_LEVELS = {"debug": 10, "info": 20, "success": 25, "warning": 30, "error": 40}


def notify(level: str, message: str) -> None:
    """Add ``message`` for the user's next page when the messages plugin is enabled; else nothing."""
    if not message or not has_request_context() or "flaskkit.messages" not in current_app.extensions:
        return
    from flaskkit.plugins.messages import add_message

    add_message(None, _LEVELS[level], message, fail_silently=True)

"""Django's ``django.contrib.messages`` API: ``messages.success(request, "Saved.")`` and friends.

The first argument is the request, as in Django; flaskkit uses the current
request whatever is given, so ``None`` works too, and so does leaving it out::

    from flaskkit.plugins import messages

    messages.success(request, "Your note is on the board.")
    messages.error(None, "That did not work.")
    messages.add_message(request, messages.WARNING, "Careful.", extra_tags="sticky")
"""

from __future__ import annotations

import typing as t

from flask import current_app
from flask import g
from flask import has_request_context
from werkzeug.utils import import_string

from . import constants

if t.TYPE_CHECKING:
    from .storage import BaseStorage

__all__ = [
    "MessageFailure",
    "add_message",
    "debug",
    "error",
    "get_level",
    "get_messages",
    "info",
    "set_level",
    "success",
    "warning",
]

#: ``app.extensions[EXTENSION_KEY]`` is the app's :class:`~flaskkit.plugins.messages.MessagesPlugin`.
EXTENSION_KEY = "flaskkit.messages"
_G_KEY = "_flaskkit_messages"


class MessageFailure(Exception):
    """A message could not be added: there is no request, or the messages plugin is not enabled."""


def storage_for_request(create: bool = True) -> BaseStorage | None:
    """This request's storage (made on first use), or ``None`` without a request or the plugin."""
    if not has_request_context() or EXTENSION_KEY not in current_app.extensions:
        return None
    storage = g.get(_G_KEY)
    if storage is None and create:
        plugin = current_app.extensions[EXTENSION_KEY]
        storage = import_string(plugin.storage_path)()
        setattr(g, _G_KEY, storage)
    return t.cast("BaseStorage | None", storage)


def _message_and_request(request_or_message: object, message: object) -> object:
    # Django's signature is (request, message); messages.success("text") is accepted too.
    if message is None and isinstance(request_or_message, str):
        return request_or_message
    return message


def add_message(
    request: object, level: int, message: object = None, extra_tags: str = "", fail_silently: bool = False
) -> None:
    """Add a message of ``level`` for the current request's user (shown on this page or the next)."""
    message = _message_and_request(request, message)
    storage = storage_for_request()
    if storage is None:
        if fail_silently:
            return
        if not has_request_context():
            raise MessageFailure("Messages belong to a request: add them in a view (there is no request here).")
        raise MessageFailure(
            "You cannot add messages without the messages plugin: add 'messages' to PLUGINS "
            "(or pass fail_silently=True)."
        )
    storage.add(level, t.cast(str, message), extra_tags)


def get_messages(request: object = None) -> BaseStorage | list[t.Any]:
    """The messages of the current request: iterate once to show them (they are then removed).

    An empty list without a request or the plugin.
    """
    storage = storage_for_request()
    return storage if storage is not None else []


def get_level(request: object = None) -> int:
    """The lowest level recorded in this request (``MESSAGE_LEVEL``, INFO by default)."""
    storage = storage_for_request()
    if storage is None:
        return int(current_app.config.get("MESSAGE_LEVEL", constants.INFO))
    return storage.level


def set_level(request: object, level: int | None) -> bool:
    """Record messages of ``level`` and above in this request (``None``: back to ``MESSAGE_LEVEL``)."""
    storage = storage_for_request()
    if storage is None:
        return False
    storage.level = level
    return True


def debug(request: object, message: object = None, extra_tags: str = "", fail_silently: bool = False) -> None:
    """Add a DEBUG message (recorded only if ``MESSAGE_LEVEL`` is DEBUG or lower)."""
    add_message(request, constants.DEBUG, message, extra_tags=extra_tags, fail_silently=fail_silently)


def info(request: object, message: object = None, extra_tags: str = "", fail_silently: bool = False) -> None:
    """Add an INFO message."""
    add_message(request, constants.INFO, message, extra_tags=extra_tags, fail_silently=fail_silently)


def success(request: object, message: object = None, extra_tags: str = "", fail_silently: bool = False) -> None:
    """Add a SUCCESS message."""
    add_message(request, constants.SUCCESS, message, extra_tags=extra_tags, fail_silently=fail_silently)


def warning(request: object, message: object = None, extra_tags: str = "", fail_silently: bool = False) -> None:
    """Add a WARNING message."""
    add_message(request, constants.WARNING, message, extra_tags=extra_tags, fail_silently=fail_silently)


def error(request: object, message: object = None, extra_tags: str = "", fail_silently: bool = False) -> None:
    """Add an ERROR message."""
    add_message(request, constants.ERROR, message, extra_tags=extra_tags, fail_silently=fail_silently)

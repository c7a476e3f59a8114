"""The ``messages`` plugin: Django's messages framework (``django.contrib.messages``).

::

    # settings.py
    PLUGINS = ["messages"]

    # a view
    from flaskkit.plugins import messages

    messages.success(request, "Your note is on the board.")
    return redirect(url_for("notes.list"))

    {# the layout #}
    {% from "messages/macros.html" import render_messages %}
    {{ render_messages(messages) }}

* levels ``DEBUG`` (10), ``INFO``, ``SUCCESS``, ``WARNING``, ``ERROR`` and your own,
  ``MESSAGE_LEVEL`` (INFO), ``MESSAGE_TAGS``; ``message.tags`` / ``level_tag`` for CSS;
* storages (``MESSAGE_STORAGE``): ``"fallback"`` (the default: a signed cookie, and
  the session only for what does not fit), ``"cookie"``, ``"session"``, or a class;
* messages are shown once: iterating over them removes them at the end of the request;
* ``messages`` and ``DEFAULT_MESSAGE_LEVELS`` in every template;
* ``SuccessMessageMixin`` for the views plugin's edit views;
* ``flask.flash()`` messages show in the same place.

See docs/plugins/messages.md.
"""

from __future__ import annotations

import collections.abc as cabc
import logging
import typing as t

from flask import Blueprint
from flask import current_app
from werkzeug.utils import ImportStringError
from werkzeug.utils import import_string

from flaskkit import ConfigurationError
from flaskkit import Plugin
from flaskkit._text import did_you_mean

from .api import EXTENSION_KEY
from .api import MessageFailure
from .api import add_message
from .api import debug
from .api import error
from .api import get_level
from .api import get_messages
from .api import info
from .api import set_level
from .api import storage_for_request
from .api import success
from .api import warning
from .constants import DEBUG
from .constants import DEFAULT_LEVELS
from .constants import DEFAULT_TAGS
from .constants import ERROR
from .constants import INFO
from .constants import SUCCESS
from .constants import WARNING
from .storage import BaseStorage
from .storage import CookieStorage
from .storage import FallbackStorage
from .storage import Message
from .storage import SessionStorage
from .views import SuccessMessageMixin

if t.TYPE_CHECKING:
    from flask import Flask
    from werkzeug.wrappers import Response

__all__ = [
    "DEBUG",
    "DEFAULT_LEVELS",
    "DEFAULT_TAGS",
    "ERROR",
    "INFO",
    "SUCCESS",
    "WARNING",
    "BaseStorage",
    "CookieStorage",
    "FallbackStorage",
    "Message",
    "MessageFailure",
    "MessagesPlugin",
    "SessionStorage",
    "SuccessMessageMixin",
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

logger = logging.getLogger("flaskkit.messages")

#: ``MESSAGE_STORAGE``'s friendly names.
STORAGES = {
    "fallback": "flaskkit.plugins.messages.storage:FallbackStorage",
    "cookie": "flaskkit.plugins.messages.storage:CookieStorage",
    "session": "flaskkit.plugins.messages.storage:SessionStorage",
}
_DJANGO_STORAGES = {
    f"django.contrib.messages.storage.{module}.{cls}": name
    for module, cls, name in (
        ("fallback", "FallbackStorage", "fallback"),
        ("cookie", "CookieStorage", "cookie"),
        ("session", "SessionStorage", "session"),
    )
}


class MessagesPlugin(Plugin):
    """One-time messages for the next page (one instance per app; ``app.extensions["flaskkit.messages"]``)."""

    name = "messages"
    #: The session storage uses the session plugin's session when there is one.
    after = ("session",)
    defaults: t.ClassVar[t.Mapping[str, t.Any]] = {
        "MESSAGE_STORAGE": "fallback",
        "MESSAGE_LEVEL": INFO,
        "MESSAGE_TAGS": {},
        "MESSAGE_COOKIE_NAME": "messages",
        "MESSAGE_COOKIE_MAX_SIZE": 2048,
    }

    def __init__(self) -> None:
        #: The import path of the storage class (``MESSAGE_STORAGE``).
        self.storage_path = STORAGES["fallback"]

    def configure(self, app: Flask) -> None:
        config = app.config
        value = config["MESSAGE_STORAGE"]
        if not isinstance(value, str) or not value.strip():
            raise ConfigurationError(
                f"MESSAGE_STORAGE must be 'fallback', 'cookie', 'session' or an import path, not {value!r}.",
                setting="MESSAGE_STORAGE",
            )
        name = _DJANGO_STORAGES.get(value.strip(), value.strip())
        path = STORAGES.get(name, name)
        if "." not in path and ":" not in path:
            raise ConfigurationError(
                f"MESSAGE_STORAGE is {value!r}, which is not a message storage." + did_you_mean(name, STORAGES),
                setting="MESSAGE_STORAGE",
                hint="Use 'fallback' (the default), 'cookie', 'session', or 'package.module:StorageClass'.",
            )
        try:
            cls = import_string(path)
        except ImportStringError as exc:
            raise ConfigurationError(
                f"MESSAGE_STORAGE names {value!r}, which cannot be imported: {exc.exception}",
                setting="MESSAGE_STORAGE",
            ) from exc
        if not (isinstance(cls, type) and issubclass(cls, BaseStorage)):
            raise ConfigurationError(
                f"MESSAGE_STORAGE names {value!r}, which is not a subclass of flaskkit.plugins.messages.BaseStorage.",
                setting="MESSAGE_STORAGE",
            )
        self.storage_path = path
        level = config["MESSAGE_LEVEL"]
        if isinstance(level, bool) or not isinstance(level, int):
            raise ConfigurationError(
                f"MESSAGE_LEVEL must be a level number (DEBUG=10, INFO=20, SUCCESS=25, WARNING=30, ERROR=40), "
                f"not {level!r}.",
                setting="MESSAGE_LEVEL",
            )
        tags = config["MESSAGE_TAGS"]
        if not isinstance(tags, cabc.Mapping) or not all(
            isinstance(k, int) and not isinstance(k, bool) and isinstance(v, str) for k, v in tags.items()
        ):
            raise ConfigurationError(
                f"MESSAGE_TAGS must map level numbers to CSS classes, not {tags!r}.",
                setting="MESSAGE_TAGS",
                hint="Write MESSAGE_TAGS = {40: 'danger'} (or {messages.ERROR: 'danger'}).",
            )
        size = config["MESSAGE_COOKIE_MAX_SIZE"]
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ConfigurationError(
                f"MESSAGE_COOKIE_MAX_SIZE must be a number of bytes (0: no limit), not {size!r}.",
                setting="MESSAGE_COOKIE_MAX_SIZE",
            )

    def init_app(self, app: Flask) -> None:
        app.extensions[EXTENSION_KEY] = self
        app.register_blueprint(
            Blueprint(
                "flaskkit_messages",
                __name__,
                template_folder="templates",
                static_folder="static",
                static_url_path="/_flaskkit/messages",
            )
        )
        app.context_processor(_context)
        app.after_request(_store_messages)


def _context() -> dict[str, t.Any]:
    # The storage is lazy: nothing is read until a template looks at the messages.
    return {"messages": get_messages(), "DEFAULT_MESSAGE_LEVELS": DEFAULT_LEVELS}


def _store_messages(response: Response) -> Response:
    """Django's ``MessageMiddleware.process_response``: keep what must wait for the next request."""
    storage = storage_for_request(create=False)
    if storage is None:
        return response
    unstored = storage.update(response)
    if unstored:
        # Django's rule: an error while developing, a warning in production (the oldest messages are lost).
        text = f"Not all temporary messages could be stored: {len(unstored)} did not fit in MESSAGE_STORAGE."
        if current_app.debug:
            raise ValueError(text)
        logger.warning(text)
    if storage.accessed:
        response.vary.add("Cookie")  # the page shows what the request's cookies held
    return response

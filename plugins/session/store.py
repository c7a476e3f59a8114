"""The contract of a server-side session store.

A store keeps, under each session id, the session data as JSON text (made by
:data:`~flaskkit.plugins.session.serializer.serializer`) and an expiry. It
never sees Python objects, so no store can pickle or unpickle session data.
The built-in ones are in ``store_file``, ``store_cache``, ``store_redis`` and
``store_db``; ``SESSION_ENGINE = "myapp.sessions:MongoStore"`` plugs in your own.
"""

from __future__ import annotations

import abc
import typing as t
from datetime import datetime

if t.TYPE_CHECKING:
    from flask import Flask

    from .conf import SessionSettings

__all__ = ["SessionStore"]


class SessionStore(abc.ABC):
    """Where a server-side engine keeps its sessions; one instance per app.

    Writes come in two kinds, as in Django: :meth:`create` for a new id (it
    must not overwrite an existing one) and :meth:`update` for an id that was
    loaded (it must not bring back an id that was deleted meanwhile, by a
    logout or a :meth:`~flaskkit.plugins.session.Session.cycle_key` in another
    request: that would revive an id meant to be dead).
    """

    #: The engine's name, for messages.
    engine: t.ClassVar[str] = "custom"

    def __init__(self, app: Flask, settings: SessionSettings) -> None:
        self.settings = settings

    def ready(self, app: Flask) -> None:  # noqa: B027 - an optional hook
        """Called once every plugin of the app is initialised."""

    @abc.abstractmethod
    def load(self, key: str) -> str | None:
        """The data stored under ``key``, or ``None`` when there is none or it expired."""

    @abc.abstractmethod
    def create(self, key: str, data: str, expire_date: datetime, age: int) -> bool:
        """Store a new session; return ``False``, writing nothing, when ``key`` is taken.

        ``expire_date`` (aware, UTC) and ``age`` (seconds from now) say the same thing.
        """

    @abc.abstractmethod
    def update(self, key: str, data: str, expire_date: datetime, age: int) -> bool:
        """Replace the data of an existing session; return ``False``, writing nothing, when it is gone."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove a session; a missing one is fine."""

    def clear_expired(self) -> int | None:
        """Remove expired sessions and return how many; ``None`` when the store expires them by itself."""
        return None

    def close(self) -> None:  # noqa: B027 - an optional hook
        """Release connections (engine disposal, pools); the store stays usable."""

"""The session object: ``flask.session`` with Django's session API.

It loads its data lazily, on first use, so a request that never touches the
session costs no read of the store. Besides the mapping methods it offers
Django's :meth:`~Session.cycle_key`, :meth:`~Session.flush`,
:meth:`~Session.set_expiry`, :meth:`~Session.get_expiry_age`,
:meth:`~Session.get_expiry_date`, :meth:`~Session.get_expire_at_browser_close`
and :attr:`~Session.session_key`.
"""

from __future__ import annotations

import collections.abc as cabc
import typing as t
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from flask.sessions import SessionMixin

from .serializer import serializer

if t.TYPE_CHECKING:
    from flask import Flask

    from .interface import KitSessionInterface

__all__ = ["EXPIRY_KEY", "Session"]

#: The key under which :meth:`Session.set_expiry` keeps its value in the data (Django's name).
EXPIRY_KEY = "_session_expiry"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Session(SessionMixin):
    """The session of one request.

    A mutable mapping, as ``flask.session`` always is. Assigning a value that
    cannot be stored raises :class:`TypeError` naming the key, on the spot.
    Changing a mutable value in place (``session["cart"].append(3)``) is not
    seen: assign it again, or set ``session.modified = True``.
    """

    #: True once the data was changed in this request; then (and only then,
    #: unless ``SESSION_SAVE_EVERY_REQUEST``) the store is written and the cookie sent.
    modified: bool
    #: True once the session was used in this request; the response then gets ``Vary: Cookie``.
    accessed: bool
    #: Whether the request carried a session cookie (valid or not).
    had_cookie: bool

    def __init__(self, interface: KitSessionInterface, app: Flask, key: str | None, *, had_cookie: bool) -> None:
        self._interface = interface
        self._app = app
        self._key = key
        self._data: dict[str, t.Any] | None = None
        self._loaded_from_store = False
        #: Whether ``_key`` is known to exist in the store (loaded from it, or written by this request).
        self._stored = False
        self.had_cookie = had_cookie
        self.modified = False
        self.accessed = False

    # -- loading -----------------------------------------------------------------

    def _get_data(self) -> dict[str, t.Any]:
        self.accessed = True
        if self._data is None:
            data = None
            if self._key is not None:
                data = self._interface.load_data(self._app, self._key)
                if data is None:
                    # An unknown, expired or forged id: start a new session, never adopt the client's id.
                    self._key = None
            self._loaded_from_store = self._stored = data is not None
            self._data = data if data is not None else {}
        return self._data

    def _is_empty(self) -> bool:
        """No id and no data; never loads (Django's ``is_empty``)."""
        return self._key is None and not self._data

    # -- mapping -----------------------------------------------------------------

    def __getitem__(self, key: str) -> t.Any:
        return self._get_data()[key]

    def __setitem__(self, key: str, value: t.Any) -> None:
        serializer.check(key, value)
        self._get_data()[key] = value
        self.modified = True

    def __delitem__(self, key: str) -> None:
        del self._get_data()[key]
        self.modified = True

    def __iter__(self) -> cabc.Iterator[str]:
        return iter(self._get_data())

    def __len__(self) -> int:
        return len(self._get_data())

    def __contains__(self, key: object) -> bool:
        return key in self._get_data()

    def get(self, key: str, default: t.Any = None) -> t.Any:
        return self._get_data().get(key, default)

    def clear(self) -> None:
        """Remove every value. Unless values are set again, the session ends with the request (its
        record and cookie go); to change the id as well (at logout), use :meth:`flush`."""
        self._get_data()
        self._data = {}
        self.modified = True

    def __repr__(self) -> str:
        shown = dict(self._data) if self._data is not None else "(not loaded)"
        return f"<{type(self).__name__} engine={self._interface.engine!r} {shown}>"

    # -- identity ----------------------------------------------------------------

    @property
    def session_key(self) -> str | None:
        """The id of the session in the store (the signed value for the cookie engine).

        ``None`` for a session that is not stored yet: a new one, or one whose
        cookie named an unknown, expired or forged id.
        """
        self._get_data()
        return self._key

    @property
    def new(self) -> bool:  # type: ignore[override]
        """True when the request did not bring an existing session."""
        self._get_data()
        return not self._loaded_from_store

    def cycle_key(self) -> None:
        """Give the session a new id and keep its data; the old id is removed from the store now.

        Call it when the user's privileges change (the auth plugin does, at
        login), so that an id someone planted before is worth nothing after.
        """
        data = self._get_data()  # read the data before the old id dies
        old = self._key
        self._key = self._interface.new_key()
        self._stored = False
        self._data = data
        self.modified = True
        if old is not None:
            self._interface.delete_key(self._app, old)

    def flush(self) -> None:
        """End the session: remove its data and its id from the store (Django's ``flush``, for logout).

        Values set afterwards start a new session with a new id.
        """
        self.accessed = True
        old = self._key
        self._data = {}
        self._key = None
        self._stored = False
        self.modified = True
        if old is not None:
            self._interface.delete_key(self._app, old)

    # -- expiry ------------------------------------------------------------------

    def set_expiry(self, value: int | datetime | timedelta | None) -> None:
        """Set when this session expires (Django's ``set_expiry``).

        * an ``int``: that many seconds of inactivity;
        * ``0``: when the user's browser closes;
        * a ``datetime`` (naive means UTC) or a ``timedelta`` from now: at that moment;
        * ``None``: back to the policy, ``SESSION_COOKIE_AGE`` and ``SESSION_EXPIRE_AT_BROWSER_CLOSE``.
        """
        if value is None:
            if EXPIRY_KEY in self:
                del self[EXPIRY_KEY]
            return
        if isinstance(value, timedelta):
            value = utcnow() + value
        if isinstance(value, datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            # Stored to the second (what the serializer keeps), so it reads back the same.
            self[EXPIRY_KEY] = value.astimezone(UTC).replace(microsecond=0)
            return
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(
                f"set_expiry() takes seconds (int), a datetime, a timedelta or None, not {type(value).__name__} "
                f"{value!r}."
            )
        if value < 0:
            raise ValueError(f"set_expiry() takes 0 or more seconds, not {value}.")
        self[EXPIRY_KEY] = value

    def _expiry(self) -> int | datetime | None:
        value = self.get(EXPIRY_KEY)
        if isinstance(value, datetime) or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        return None

    def get_expiry_age(self) -> int:
        """Seconds from now until the session expires (the cookie's ``Max-Age``).

        A session that ends with the browser still lives ``SESSION_COOKIE_AGE``
        seconds in the store, as in Django.
        """
        expiry = self._expiry()
        if isinstance(expiry, datetime):
            delta = expiry - utcnow()
            return delta.days * 86400 + delta.seconds
        if expiry:
            return expiry
        return self._interface.settings.cookie_age

    def get_expiry_date(self) -> datetime:
        """The moment (an aware UTC datetime) the session expires if it is not used again."""
        expiry = self._expiry()
        if isinstance(expiry, datetime):
            return expiry
        return utcnow() + timedelta(seconds=self.get_expiry_age())

    def get_expire_at_browser_close(self) -> bool:
        """Whether the cookie lasts only until the browser closes."""
        expiry = self._expiry()
        if expiry is None:
            return self._interface.settings.expire_at_browser_close
        return expiry == 0

    @property
    def permanent(self) -> bool:
        """Flask's name for "outlives the browser": ``not get_expire_at_browser_close()``.

        Setting it maps onto :meth:`set_expiry`, so Flask code that sets
        ``session.permanent`` keeps working.
        """
        return not self.get_expire_at_browser_close()

    @permanent.setter
    def permanent(self, value: bool) -> None:
        if bool(value) != self._interface.settings.expire_at_browser_close:
            self.set_expiry(None)  # the policy already says so
        elif value:
            self.set_expiry(self._interface.settings.cookie_age)
        else:
            self.set_expiry(0)

"""Where messages wait between two requests: Django's message storages.

* :class:`CookieStorage`: a signed cookie (``messages``), at most
  ``MESSAGE_COOKIE_MAX_SIZE`` (2048) bytes; the oldest messages that do not fit
  are dropped (or handed to the next storage of a fallback);
* :class:`SessionStorage`: the session (key ``_messages``);
* :class:`FallbackStorage` (the default): the cookie, and the session only for
  what does not fit in it. So an anonymous visitor who gets a message has no
  server-side session made for it.

One storage object per request (:func:`flaskkit.plugins.messages.get_messages`).
Iterating over it marks the messages as used: at the end of the request they are
removed, and only messages added afterwards are kept for the next one. Messages
nobody iterated over stay for the next request.

Messages that ``flask.flash()`` stored (Flask's own key in the session,
``_flashes``) are read as well, after this storage's own: a Flask extension that
flashes (Flask-Login's "Please log in") shows in the same place. Their category
is read as a level name (``"error"`` is ERROR; an unknown category is INFO with
the category as an extra tag).
"""

from __future__ import annotations

import hashlib
import json
import typing as t
from http.cookies import SimpleCookie

from flask import current_app
from flask import request
from flask import session
from itsdangerous import BadSignature
from itsdangerous import URLSafeSerializer
from markupsafe import Markup

from flaskkit.http import request_cookie
from flaskkit.translation import LazyString

from . import constants

if t.TYPE_CHECKING:
    from werkzeug.wrappers import Response

__all__ = ["BaseStorage", "CookieStorage", "FallbackStorage", "Message", "SessionStorage"]

#: Flask's session key for ``flask.flash()``.
FLASK_FLASHES_KEY = "_flashes"


class Message:
    """One message: ``level``, ``message`` (text, or ``Markup`` kept as markup) and ``extra_tags``.

    ``str(message)`` is its text; ``message.tags`` is ``extra_tags`` and the
    level's tag (``"success"``), for a CSS class.
    """

    __slots__ = ("extra_tags", "level", "message")

    def __init__(self, level: int, message: str, extra_tags: str | None = None) -> None:
        self.level = int(level)
        self.message = message
        self.extra_tags = extra_tags or ""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return self.level == other.level and self.message == other.message

    def __hash__(self) -> int:
        return hash((self.level, str(self.message)))

    def __str__(self) -> str:
        return str(self.message)

    def __html__(self) -> str:
        # Jinja: {{ message }} escapes plain text and keeps Markup as markup.
        return Markup(self.message) if isinstance(self.message, Markup) else str(Markup.escape(self.message))

    def __repr__(self) -> str:
        extra = f", extra_tags={self.extra_tags!r}" if self.extra_tags else ""
        return f"Message(level={self.level}, message={str(self.message)!r}{extra})"

    @property
    def tags(self) -> str:
        """``extra_tags`` and :attr:`level_tag`, space-separated (``"important success"``)."""
        return " ".join(tag for tag in (self.extra_tags, self.level_tag) if tag)

    @property
    def level_tag(self) -> str:
        """The level's tag from ``MESSAGE_TAGS`` (``"success"`` for SUCCESS), ``""`` for an unknown level."""
        return constants.level_tags().get(self.level, "")

    # -- (de)serialising: [level, text, extra_tags, is_markup] ---------------------------------------

    def encode(self) -> list[t.Any]:
        return [self.level, str(self.message), self.extra_tags, isinstance(self.message, Markup)]

    @classmethod
    def decode(cls, data: t.Any) -> Message | None:
        if not isinstance(data, list) or len(data) != 4:
            return None
        level, text, extra_tags, is_markup = data
        if not isinstance(level, int) or not isinstance(text, str) or not isinstance(extra_tags, str):
            return None
        return cls(level, Markup(text) if is_markup else text, extra_tags)


class BaseStorage:
    """The messages of one request: iterate to read them (once), :meth:`add` to add one."""

    def __init__(self) -> None:
        self._queued_messages: list[Message] = []
        self._loaded: list[Message] | None = None
        #: True once the messages were iterated over: they are removed at the end of the request.
        self.used = False
        #: True once a message was added in this request.
        self.added_new = False
        #: True once the storage read what the request brought (the response then varies on Cookie).
        self.accessed = False
        self._level: int | None = None

    # -- reading ----------------------------------------------------------------------------

    @property
    def _loaded_messages(self) -> list[Message]:
        if self._loaded is None:
            self.accessed = True
            messages, _ = self._get()
            self._loaded = [*(messages or []), *_flask_flashes()]
        return self._loaded

    def __len__(self) -> int:
        return len(self._loaded_messages) + len(self._queued_messages)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self) -> t.Iterator[Message]:
        self.used = True
        if self._queued_messages:
            self._loaded_messages.extend(self._queued_messages)
            self._queued_messages = []
        return iter(self._loaded_messages)

    def __contains__(self, item: object) -> bool:
        return item in self._loaded_messages or item in self._queued_messages

    def __repr__(self) -> str:
        return f"<{type(self).__qualname__}: request=<{request.method} {request.path}>>"

    # -- adding ------------------------------------------------------------------------------

    def add(self, level: int, message: str, extra_tags: str = "") -> None:
        """Queue a message for this or the next request (dropped when ``level`` is below :attr:`level`)."""
        if not message:
            return
        level = int(level)
        if level < self.level:
            return
        self.added_new = True
        if isinstance(message, LazyString):
            message = str(message)  # translated now, in the request's language: storages keep text
        self._queued_messages.append(Message(level, message, extra_tags))

    @property
    def level(self) -> int:
        """The lowest level recorded: ``set_level()`` for this request, else ``MESSAGE_LEVEL`` (INFO)."""
        if self._level is None:
            return int(current_app.config.get("MESSAGE_LEVEL", constants.INFO))
        return self._level

    @level.setter
    def level(self, value: int | None) -> None:
        self._level = None if value is None else int(value)

    # -- the end of the request --------------------------------------------------------------------

    def update(self, response: Response) -> list[Message]:
        """Store what must wait for the next request; the messages that could not be stored."""
        if self.used:
            return self._store(self._queued_messages, response)
        if self.added_new:
            return self._store(self._loaded_messages + self._queued_messages, response)
        return []

    # -- for subclasses -------------------------------------------------------------------------------

    def _get(self) -> tuple[list[Message] | None, bool]:
        """``(messages, all_retrieved)`` from this storage (``None``: it has nothing)."""
        raise NotImplementedError

    def _store(self, messages: list[Message], response: Response, remove_oldest: bool = True) -> list[Message]:
        """Store ``messages`` (``[]``: remove them all); the messages that did not fit."""
        raise NotImplementedError


def _flask_flashes() -> list[Message]:
    """The messages ``flask.flash()`` put in the session, removed from it (as ``get_flashed_messages`` does)."""
    if FLASK_FLASHES_KEY not in session:
        return []
    found = []
    for entry in session.pop(FLASK_FLASHES_KEY) or ():
        category, text = entry if isinstance(entry, list | tuple) and len(entry) == 2 else ("message", entry)
        level = constants.level_from_name(str(category))
        found.append(Message(level if level is not None else constants.INFO, text, "" if level else str(category)))
    return found


class CookieStorage(BaseStorage):
    """Messages in a signed cookie (Django's ``CookieStorage``)."""

    #: Django's sentinel: the last item of a cookie that could not hold every message.
    not_finished = "__messagesnotfinished__"

    @property
    def cookie_name(self) -> str:
        return str(current_app.config.get("MESSAGE_COOKIE_NAME", "messages"))

    @property
    def max_cookie_size(self) -> int:
        """``MESSAGE_COOKIE_MAX_SIZE`` (2048, Django's: browsers refuse cookies over 4096 bytes)."""
        return int(current_app.config.get("MESSAGE_COOKIE_MAX_SIZE", 2048))

    def _serializer(self) -> URLSafeSerializer:
        app = current_app
        keys = [*(app.config.get("SECRET_KEY_FALLBACKS") or ()), app.secret_key]  # the newest key last
        return URLSafeSerializer(
            [k for k in keys if k],
            salt="flaskkit.messages",
            signer_kwargs={"digest_method": hashlib.sha256},
            serializer=_CompactJSON,
        )

    def _get(self) -> tuple[list[Message] | None, bool]:
        data = request_cookie(request, self.cookie_name)
        if not data:
            return None, True
        messages = self._decode(data)
        if messages is None:
            self.used = True  # a cookie that does not verify is deleted at the end of the request
            return [], True
        all_retrieved = not (messages and messages[-1] == self.not_finished)
        if not all_retrieved:
            messages.pop()
        return [m for m in (Message.decode(item) for item in messages) if m is not None], all_retrieved

    def _decode(self, data: str) -> list[t.Any] | None:
        try:
            value = self._serializer().loads(data)
        except (BadSignature, ValueError):
            return None
        return value if isinstance(value, list) else None

    def _encode(self, items: list[t.Any]) -> str:
        return self._serializer().dumps(items) if items else ""

    def _store(self, messages: list[Message], response: Response, remove_oldest: bool = True) -> list[Message]:
        messages = list(messages)
        unstored: list[Message] = []
        encoded = self._encode([m.encode() for m in messages])
        limit = self.max_cookie_size
        if limit:
            cookie = SimpleCookie()
            while encoded and len(cookie.value_encode(encoded)[1]) > limit:
                if remove_oldest:
                    unstored.append(messages.pop(0))
                else:
                    unstored.insert(0, messages.pop())
                encoded = self._encode([m.encode() for m in messages] + [self.not_finished])
        self._update_cookie(encoded, response)
        return unstored

    def _update_cookie(self, encoded: str, response: Response) -> None:
        config = current_app.config
        name = self.cookie_name
        domain = config.get("SESSION_COOKIE_DOMAIN") or None
        if encoded:
            response.set_cookie(
                name,
                encoded,
                domain=domain,
                path=config.get("APPLICATION_ROOT") or "/",
                secure=bool(config.get("SESSION_COOKIE_SECURE")),
                httponly=bool(config.get("SESSION_COOKIE_HTTPONLY", True)),
                samesite=config.get("SESSION_COOKIE_SAMESITE") or "Lax",
            )
        elif name in request.cookies:
            response.delete_cookie(
                name,
                domain=domain,
                path=config.get("APPLICATION_ROOT") or "/",
                secure=bool(config.get("SESSION_COOKIE_SECURE")),
                samesite=config.get("SESSION_COOKIE_SAMESITE") or "Lax",
            )


class _CompactJSON:
    @staticmethod
    def dumps(obj: t.Any) -> str:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)

    @staticmethod
    def loads(data: str | bytes) -> t.Any:
        return json.loads(data)


class SessionStorage(BaseStorage):
    """Messages in the session, under ``_messages`` (Django's ``SessionStorage``)."""

    session_key = "_messages"

    def _get(self) -> tuple[list[Message] | None, bool]:
        if self.session_key not in session:
            return None, True
        data = session.get(self.session_key)
        items = data if isinstance(data, list) else []
        return [m for m in (Message.decode(item) for item in items) if m is not None], True

    def _store(self, messages: list[Message], response: Response, remove_oldest: bool = True) -> list[Message]:
        if messages:
            session[self.session_key] = [m.encode() for m in messages]
        elif self.session_key in session:  # a pop() of a missing key would still mark the session modified
            session.pop(self.session_key)
        return []


class FallbackStorage(BaseStorage):
    """The cookie first, then the session for the messages that do not fit (Django's default storage)."""

    storage_classes: tuple[type[BaseStorage], ...] = (CookieStorage, SessionStorage)

    def __init__(self) -> None:
        super().__init__()
        self.storages = [cls() for cls in self.storage_classes]
        self._used_storages: set[int] = set()

    def _get(self) -> tuple[list[Message] | None, bool]:
        all_messages: list[Message] = []
        all_retrieved = False
        for number, storage in enumerate(self.storages):
            messages, all_retrieved = storage._get()
            if storage.used:
                self.used = True  # a tampered cookie: delete it
            if messages is None:
                break
            if messages:
                self._used_storages.add(number)
            all_messages.extend(messages)
            if all_retrieved:
                break
        return all_messages, all_retrieved

    def _store(self, messages: list[Message], response: Response, remove_oldest: bool = True) -> list[Message]:
        for number, storage in enumerate(self.storages):
            if messages:
                messages = storage._store(messages, response, remove_oldest=False)
            elif number in self._used_storages:
                storage._store([], response)
                self._used_storages.discard(number)
            elif isinstance(storage, CookieStorage) and storage.cookie_name in request.cookies:
                storage._store([], response)  # a cookie that did not verify
        return messages

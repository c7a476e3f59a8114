"""The one serializer of session data, for every engine.

Flask's :class:`~flask.json.tag.TaggedJSONSerializer` (the one its cookie
sessions use) keeps ``tuple``, ``bytes``, ``Markup``, ``UUID`` and ``datetime``
as they were, and is plain JSON text: nothing is ever unpickled. Two changes:

* the JSON step is the standard library's, not the app's JSON provider, so a
  value that would not come back as the same type (a ``date``, a ``Decimal``,
  a dataclass, a ``set``) is refused instead of being turned into a string;
* a value that cannot be stored raises :class:`TypeError` naming the session
  key, at once (Flask-Session retried the save three times with sleeps, then
  answered 500).
"""

from __future__ import annotations

import json
import typing as t

from flask.json.tag import TaggedJSONSerializer

__all__ = ["SessionSerializer", "serializer"]

_STORABLE = (
    "Session values must be JSON types (str, int, float, bool, None, list, dict with str keys) "
    "or a tuple, bytes, Markup, UUID or datetime (kept to the second)"
)


class SessionSerializer(TaggedJSONSerializer):
    """Tagged JSON with the standard ``json`` module and errors that name the key."""

    __slots__ = ()

    def dumps(self, value: t.Any) -> str:
        """The session dict as compact JSON text; :class:`TypeError` names the key that cannot be stored."""
        try:
            return json.dumps(self.tag(value), separators=(",", ":"), ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            if isinstance(value, dict):
                for key, item in value.items():
                    self.check(key, item)
            raise TypeError(f"The session data cannot be stored: {exc}. {_STORABLE}.") from exc

    def loads(self, value: str | bytes) -> t.Any:
        return self._untag_scan(json.loads(value))

    def check(self, key: str, value: t.Any) -> None:
        """Raise :class:`TypeError` naming ``key`` when ``value`` cannot be stored in a session."""
        try:
            json.dumps(self.tag(value), separators=(",", ":"))
        except (TypeError, ValueError) as exc:
            raise TypeError(f"The session value {key!r} cannot be stored: {exc}. {_STORABLE}.") from None


#: The serializer every engine uses.
serializer = SessionSerializer()

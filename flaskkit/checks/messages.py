"""Check messages, shaped like Django's ``django.core.checks.messages``."""

from __future__ import annotations

import typing as t

__all__ = [
    "CRITICAL",
    "DEBUG",
    "ERROR",
    "INFO",
    "LEVEL_NAMES",
    "WARNING",
    "CheckMessage",
    "Critical",
    "Debug",
    "Error",
    "Info",
    "Warning",
]

DEBUG = 10
INFO = 20
WARNING = 30
ERROR = 40
CRITICAL = 50

#: Level number -> lower-case name, as used by ``flask kit check --fail-level``.
LEVEL_NAMES: dict[int, str] = {
    DEBUG: "debug",
    INFO: "info",
    WARNING: "warning",
    ERROR: "error",
    CRITICAL: "critical",
}


class CheckMessage:
    """One finding of a check.

    :param level: one of :data:`DEBUG`, :data:`INFO`, :data:`WARNING`,
        :data:`ERROR`, :data:`CRITICAL` (or any int; higher is worse).
    :param msg: what is wrong, in one sentence.
    :param hint: how to fix it.
    :param obj: what it concerns: a plugin, a setting name, a class...
    :param id: a stable identifier, ``"<area>.<E|W|I|C|D><nnn>"`` such as
        ``"kit.E001"``; ``SILENCED_CHECKS`` refers to it.
    """

    def __init__(
        self,
        level: int,
        msg: str,
        hint: str | None = None,
        obj: object = None,
        id: str | None = None,
    ) -> None:
        if not isinstance(level, int):
            raise TypeError(f"The level of a check message must be an int, not {type(level).__name__}.")
        self.level = level
        self.msg = msg
        self.hint = hint
        self.obj = obj
        self.id = id

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CheckMessage):
            return NotImplemented
        return (self.level, self.msg, self.hint, self.obj, self.id) == (
            other.level,
            other.msg,
            other.hint,
            other.obj,
            other.id,
        )

    def __hash__(self) -> int:
        return hash((self.level, self.msg, self.hint, self.id))

    @property
    def level_name(self) -> str:
        """``"error"``, ``"warning"``...; levels between the named ones get the one below."""
        named = [lvl for lvl in LEVEL_NAMES if lvl <= self.level]
        return LEVEL_NAMES[max(named)] if named else "debug"

    def is_serious(self, level: int = ERROR) -> bool:
        """Whether this message is at ``level`` or worse (by default: an error)."""
        return self.level >= level

    def is_silenced(self, silenced: t.Collection[str]) -> bool:
        return self.id is not None and self.id in silenced

    def __str__(self) -> str:
        obj = "?" if self.obj is None else _describe(self.obj)
        ident = f"({self.id}) " if self.id else ""
        hint = f"\n\tHINT: {self.hint}" if self.hint else ""
        return f"{obj}: {ident}{self.msg}{hint}"

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__}: level={self.level!r}, msg={self.msg!r}, "
            f"hint={self.hint!r}, obj={self.obj!r}, id={self.id!r}>"
        )


def _describe(obj: object) -> str:
    if isinstance(obj, str):
        return obj
    name = getattr(obj, "name", None)
    if isinstance(name, str) and name:
        return name
    if isinstance(obj, type):
        return f"{obj.__module__}.{obj.__qualname__}"
    return repr(obj)


class Debug(CheckMessage):
    def __init__(self, msg: str, hint: str | None = None, obj: object = None, id: str | None = None) -> None:
        super().__init__(DEBUG, msg, hint, obj, id)


class Info(CheckMessage):
    def __init__(self, msg: str, hint: str | None = None, obj: object = None, id: str | None = None) -> None:
        super().__init__(INFO, msg, hint, obj, id)


class Warning(CheckMessage):
    def __init__(self, msg: str, hint: str | None = None, obj: object = None, id: str | None = None) -> None:
        super().__init__(WARNING, msg, hint, obj, id)


class Error(CheckMessage):
    def __init__(self, msg: str, hint: str | None = None, obj: object = None, id: str | None = None) -> None:
        super().__init__(ERROR, msg, hint, obj, id)


class Critical(CheckMessage):
    def __init__(self, msg: str, hint: str | None = None, obj: object = None, id: str | None = None) -> None:
        super().__init__(CRITICAL, msg, hint, obj, id)

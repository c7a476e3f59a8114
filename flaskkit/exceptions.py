"""The errors flaskkit raises at boot.

Every message names what is wrong *and* how to fix it; the tests assert on the
text, so treat a message as part of the public interface.
"""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from .checks.messages import CheckMessage

__all__ = ["ConfigurationError"]


class ConfigurationError(Exception):
    """Raised while an app boots when its configuration cannot work.

    The message is complete on its own. The structured fields let tools (and
    tests) look at the parts without parsing text.
    """

    #: The setting at fault, e.g. ``"PLUGINS"``, when there is one.
    setting: str | None
    #: The plugin at fault (its name or the ``PLUGINS`` entry), when there is one.
    plugin: str | None
    #: What to do about it, when it is not already said in the message.
    hint: str | None
    #: For errors found by the checks: every serious message, not only the first.
    messages: list[CheckMessage]

    def __init__(
        self,
        message: str,
        *,
        setting: str | None = None,
        plugin: str | None = None,
        hint: str | None = None,
        messages: t.Iterable[CheckMessage] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.setting = setting
        self.plugin = plugin
        self.hint = hint
        self.messages = list(messages)

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  Hint: {self.hint}"
        return self.message

"""The errors flaskkit raises: at boot (:class:`ConfigurationError`) and on invalid data (:class:`ValidationError`).

Every message names what is wrong *and* how to fix it; the tests assert on the
text, so treat a message as part of the public interface.
"""

from __future__ import annotations

import contextlib
import typing as t

if t.TYPE_CHECKING:
    from .checks.messages import CheckMessage

__all__ = ["NON_FIELD_ERRORS", "ConfigurationError", "ValidationError"]

#: The key of the errors that concern no single field (Django's ``NON_FIELD_ERRORS``).
NON_FIELD_ERRORS = "__all__"


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


class ValidationError(Exception):
    """Data that is not valid, as Django's ``django.core.exceptions.ValidationError``.

    ::

        raise ValidationError("Enter a valid slug.", code="invalid")
        raise ValidationError("%(value)s is not even.", params={"value": 3})
        raise ValidationError({"end": "The end is before the start.", "__all__": ["..."]})

    The message is a string, a list of messages (or errors), or a dict from field
    name to those (``"__all__"``, :data:`NON_FIELD_ERRORS`, for the whole object).
    ``message_dict`` (errors by field, for a dict), ``messages`` (every message) and
    ``error_list``/``error_dict`` are Django's attributes; ``params`` are
    %-substituted into each message when it is read.
    """

    error_dict: dict[str, list[ValidationError]]
    error_list: list[ValidationError]
    message: t.Any
    code: str | None
    params: t.Mapping[str, t.Any] | None

    def __init__(self, message: t.Any, code: str | None = None, params: t.Mapping[str, t.Any] | None = None) -> None:
        super().__init__(message, code, params)
        if isinstance(message, ValidationError):
            if hasattr(message, "error_dict"):
                message = message.error_dict
            elif not hasattr(message, "message"):
                message = message.error_list
            else:
                message, code, params = message.message, message.code, message.params
        if isinstance(message, dict):
            self.error_dict = {}
            for field, messages in message.items():
                if not isinstance(messages, ValidationError):
                    messages = ValidationError(messages)
                self.error_dict[str(field)] = messages.error_list
        elif isinstance(message, list | tuple):
            self.error_list = []
            for item in message:
                if not isinstance(item, ValidationError):
                    item = ValidationError(item)
                if hasattr(item, "error_dict"):
                    self.error_list.extend(error for errors in item.error_dict.values() for error in errors)
                else:
                    self.error_list.extend(item.error_list)
        else:
            self.message = message
            self.code = code
            self.params = params
            self.error_list = [self]

    @property
    def message_dict(self) -> dict[str, list[str]]:
        """Messages by field name (only for an error made from a dict: else ``AttributeError``)."""
        if not hasattr(self, "error_dict"):
            raise AttributeError("This ValidationError has no message_dict: it was not made from a dict of errors.")
        return {field: [_text(error) for error in errors] for field, errors in self.error_dict.items()}

    @property
    def messages(self) -> list[str]:
        """Every message, as text."""
        if hasattr(self, "error_dict"):
            return [message for messages in self.message_dict.values() for message in messages]
        return [_text(error) for error in self.error_list]

    def update_error_dict(self, error_dict: dict[str, list[ValidationError]]) -> dict[str, list[ValidationError]]:
        """Add these errors to ``error_dict`` (by field; ``"__all__"`` for those without a field)."""
        if hasattr(self, "error_dict"):
            for field, errors in self.error_dict.items():
                error_dict.setdefault(field, []).extend(errors)
        else:
            error_dict.setdefault(NON_FIELD_ERRORS, []).extend(self.error_list)
        return error_dict

    def __iter__(self) -> t.Iterator[t.Any]:
        if hasattr(self, "error_dict"):
            yield from self.message_dict.items()
        else:
            yield from self.messages

    def __str__(self) -> str:
        if hasattr(self, "error_dict"):
            return repr(self.message_dict)
        return repr(self.messages)

    def __repr__(self) -> str:
        return f"ValidationError({self})"


def _text(error: ValidationError) -> str:
    message = error.message
    if error.params:
        with contextlib.suppress(TypeError, KeyError, ValueError):  # not a %-template: shown as written
            message = message % error.params
    return str(message)

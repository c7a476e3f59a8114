"""``SuccessMessageMixin`` for the views plugin's edit views (Django's ``django.contrib.messages.views``)."""

from __future__ import annotations

import typing as t

from .api import success

if t.TYPE_CHECKING:
    from flask.typing import ResponseReturnValue

__all__ = ["SuccessMessageMixin"]


class SuccessMessageMixin:
    """Add a success message when the form is valid::

        class NoteCreate(SuccessMessageMixin, CreateView):
            model = Note
            fields = ["title", "body"]
            success_message = "“%(title)s” is on the board."

    ``success_message`` is %-formatted with the form's ``cleaned_data``;
    override :meth:`get_success_message` for more (``self.object`` is the saved
    object there).
    """

    #: The message, %-formatted with ``cleaned_data``; empty: no message.
    success_message: str = ""

    def form_valid(self, form: t.Any) -> ResponseReturnValue:
        response = super().form_valid(form)  # type: ignore[misc]
        message = self.get_success_message(dict(getattr(form, "cleaned_data", None) or {}))
        if message:
            success(None, message)
        return t.cast("ResponseReturnValue", response)

    def get_success_message(self, cleaned_data: dict[str, t.Any]) -> str:
        return self.success_message % cleaned_data if self.success_message else ""

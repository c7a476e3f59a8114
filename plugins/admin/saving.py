"""Saving, deleting and logging: Django's ``ModelAdmin`` hooks for the writes (a mixin of ``ModelAdmin``).

Every write goes through the ORM's session (``add``, ``delete``, the relationships' cascades), so the
signals plugin's model signals fire; the view ends the change with :meth:`SavingMixin.commit`: a
commit, or only a flush inside an atomic request, whose view commits.
"""

from __future__ import annotations

import typing as t

from flask import flash

from flaskkit.plugins.orm import db
from flaskkit.plugins.orm import is_atomic_request
from flaskkit.translation import override

from . import models as history

if t.TYPE_CHECKING:
    from flask import Request

__all__ = ["SavingMixin", "admin_message", "page_messages"]

#: Django's message levels by name (the messages plugin's numbers).
LEVELS = {"debug": 10, "info": 20, "success": 25, "warning": 30, "error": 40}


def admin_message(message: str, level: str = "info") -> None:
    """A message for the next page: the messages plugin's when the app enables it, else ``flask.flash``."""
    from flask import current_app

    if "flaskkit.messages" in current_app.extensions:
        from flaskkit.plugins.messages import add_message

        add_message(None, LEVELS.get(level, 20), message)
    else:
        flash(message, level)


def page_messages() -> list[tuple[str, t.Any]]:
    """The messages to show on this page, as ``(css classes, text)``, each shown once."""
    from flask import current_app
    from flask import get_flashed_messages

    if "flaskkit.messages" in current_app.extensions:
        from flaskkit.plugins.messages import get_messages

        return [(message.tags, message) for message in get_messages()]  # flask.flash() ones included
    return [(category, message) for category, message in get_flashed_messages(with_categories=True)]


class SavingMixin:
    """``save_model``, ``delete_model``, ``log_addition``... of :class:`~flaskkit.plugins.admin.ModelAdmin`."""

    if t.TYPE_CHECKING:
        opts: t.Any

        def pk_string(self, obj: t.Any) -> str: ...

    # -- saving (Django's hooks) ----------------------------------------------------------------------------

    def save_form(self, request: Request, form: t.Any, change: bool) -> t.Any:
        """The object the form changes, with the form's data on it, not saved yet."""
        return form.save(commit=False)

    def save_model(self, request: Request, obj: t.Any, form: t.Any, change: bool) -> None:
        """Save ``obj`` (``db.session.add`` and flush; the view commits). Override to set more first."""
        db.session.add(obj)
        db.session.flush()

    def save_formset(self, request: Request, form: t.Any, formset: t.Any, change: bool) -> None:
        formset.result = formset.save(db.session)

    def save_related(self, request: Request, form: t.Any, formsets: t.Sequence[t.Any], change: bool) -> None:
        for formset in formsets:
            self.save_formset(request, form, formset, change)
        db.session.flush()

    def delete_model(self, request: Request, obj: t.Any) -> None:  # type: ignore[override]
        """Delete ``obj`` through the ORM (its ``pre_delete``/``post_delete`` signals fire)."""
        db.session.delete(obj)
        db.session.flush()

    def delete_queryset(self, request: Request, queryset: t.Any) -> None:
        """Delete the objects of "delete selected", one by one through the ORM."""
        for obj in list(queryset):
            db.session.delete(obj)
        db.session.flush()

    def commit(self) -> None:
        """End the change: commit, or only flush inside an atomic request (its view commits)."""
        if is_atomic_request():
            db.session.flush()
        else:
            db.session.commit()

    # -- messages and history ------------------------------------------------------------------------------

    def message_user(self, request: Request, message: str, level: str = "info") -> None:
        """Tell the user something on the next page (Django's ``message_user``; ``level`` is a name:
        "debug", "info", "success", "warning" or "error")."""
        admin_message(message, level)

    def _log(self, obj: t.Any, flag: int, message: t.Any, object_repr: str | None = None) -> history.LogEntry:
        from flaskkit.plugins.auth import current_user

        return history.log_action(
            db.session,
            user_id=current_user.pk,
            app_label=self.opts.app_label,
            model_name=self.opts.model_name,
            object_id=self.pk_string(obj),
            object_repr=str(obj) if object_repr is None else object_repr,
            action_flag=flag,
            change_message=message,
        )

    def log_addition(self, request: Request, obj: t.Any, message: t.Any) -> history.LogEntry:
        return self._log(obj, history.ADDITION, message)

    def log_change(self, request: Request, obj: t.Any, message: t.Any) -> history.LogEntry:
        return self._log(obj, history.CHANGE, message)

    def log_deletion(self, request: Request, obj: t.Any, object_repr: str) -> history.LogEntry:
        return self._log(obj, history.DELETION, "", object_repr=object_repr)

    def construct_change_message(
        self, request: Request, form: t.Any, formsets: t.Sequence[t.Any], add: bool, changed: t.Sequence[str] = ()
    ) -> list[dict[str, t.Any]]:
        """Django's JSON change message: the changed fields, then what each inline added, changed, deleted.

        Labels and names are stored as text in ``LANGUAGE_CODE`` (Django stores them untranslated): a lazy
        label is no JSON, and the history should not depend on the language of whoever saved.
        """
        message: list[dict[str, t.Any]] = []
        with override(None):
            if add:
                message.append({"added": {}})
            elif changed:
                message.append({"changed": {"fields": [str(field) for field in changed]}})
            for formset in formsets:
                added, changed_children, deleted = getattr(formset, "result", ([], [], []))
                name = str(formset.inline.opts.verbose_name)
                message.extend({"added": {"name": name, "object": str(obj)}} for obj in added)
                message.extend(
                    {"changed": {"name": name, "object": str(obj), "fields": [str(f) for f in fields]}}
                    for obj, fields in changed_children
                )
                message.extend({"deleted": {"name": name, "object": str(obj)}} for obj in deleted)
        return message

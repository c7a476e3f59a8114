"""``LogEntry``: who changed what in the admin, and when (Django's ``django.contrib.admin.models``).

The table ``admin_logentry`` (Django's ``django_admin_log``) is created by the
plugin's migration (``flask db upgrade``). It is on a metadata of its own, not
``db.Model``'s: an app of the same process that does not enable the admin
never sees it in ``db.create_all()`` or in ``flask db migrate``.

Two differences from Django, both because the kit has no content types and
lets each app choose its user model: the model is named by ``app_label`` and
``model_name`` (Django's ``content_type``), and ``user_id`` is an indexed
column without a foreign-key constraint (the user table is per app,
``AUTH_USER_MODEL``): deleting a user keeps the history of what they did.
"""

from __future__ import annotations

import json
import typing as t
from datetime import UTC
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as sa_orm
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from flaskkit.plugins.orm import IdMixin
from flaskkit.plugins.orm.database import NAMING_CONVENTION
from flaskkit.translation import gettext

try:  # the aware datetime type: the orm plugin's, or the auth plugin's where it was first defined
    from flaskkit.plugins.orm import AwareDateTime  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - depends on the orm plugin's version
    from flaskkit.plugins.auth.models import AwareDateTime

__all__ = ["ADDITION", "CHANGE", "DELETION", "LogEntry", "metadata"]

ADDITION = 1
CHANGE = 2
DELETION = 3

ACTION_FLAG_CHOICES = {ADDITION: "Addition", CHANGE: "Change", DELETION: "Deletion"}

#: The plugin's own metadata (the orm plugin's migrations read it through ``AdminPlugin.metadata``).
metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class _Base(sa_orm.DeclarativeBase):
    metadata = metadata


def _now() -> datetime:
    return datetime.now(UTC)


class LogEntry(IdMixin, _Base):
    """One addition, change or deletion made through the admin."""

    __tablename__ = "admin_logentry"

    class Meta:
        app_label = "admin"
        verbose_name = "log entry"
        verbose_name_plural = "log entries"

    action_time: Mapped[datetime] = mapped_column(AwareDateTime(), default=_now, index=True)
    #: The user's primary key (of the app's ``AUTH_USER_MODEL``).
    user_id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), index=True)
    #: The model, as Django's content type: ``app_label`` and ``model_name`` ("blog", "post").
    app_label: Mapped[str] = mapped_column(sa.String(100))
    model_name: Mapped[str] = mapped_column(sa.String(100))
    object_id: Mapped[str | None] = mapped_column(sa.Text(), default=None)
    #: ``str(obj)`` when it was changed, cut to 200 characters.
    object_repr: Mapped[str] = mapped_column(sa.String(200))
    action_flag: Mapped[int] = mapped_column(sa.SmallInteger())
    #: Django's JSON list: ``[{"changed": {"fields": ["Title"]}}, {"added": {"name": "choice", "object": "Yes"}}]``.
    change_message: Mapped[str] = mapped_column(sa.Text(), default="")

    __table_args__ = (sa.Index("ix_admin_logentry_object", "app_label", "model_name", "object_id"),)

    def __repr__(self) -> str:
        return f"<LogEntry {self.action_flag} {self.app_label}.{self.model_name} {self.object_id!r}>"

    def __str__(self) -> str:
        if self.is_addition():
            return gettext("Added “%(object)s”.") % {"object": self.object_repr}
        if self.is_change():
            return gettext("Changed “%(object)s” — %(changes)s") % {
                "object": self.object_repr,
                "changes": self.get_change_message(),
            }
        if self.is_deletion():
            return gettext("Deleted “%(object)s.”") % {"object": self.object_repr}
        return gettext("LogEntry Object")

    def is_addition(self) -> bool:
        return self.action_flag == ADDITION

    def is_change(self) -> bool:
        return self.action_flag == CHANGE

    def is_deletion(self) -> bool:
        return self.action_flag == DELETION

    def get_change_message(self) -> str:
        """The change message in words: "Changed Title and Body. Added choice “Yes”."."""
        return change_message_text(self.change_message)


def change_message_text(raw: str) -> str:
    """Django's ``LogEntry.get_change_message``: the JSON list in words (plain text kept as it is)."""
    if not raw or raw[:1] != "[":
        return raw or ""
    try:
        entries = json.loads(raw)
    except ValueError:
        return raw
    messages: list[str] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        if "added" in entry:
            added = entry["added"] or {}
            if added:
                messages.append(
                    gettext("Added {name} “{object}”.").format(name=added.get("name"), object=added.get("object"))
                )
            else:
                messages.append(gettext("Added."))
        elif "changed" in entry:
            changed = entry["changed"] or {}
            fields = _text_list(list(changed.get("fields") or []), gettext("and"))
            if "name" in changed:
                messages.append(
                    gettext("Changed {fields} for {name} “{object}”.").format(
                        fields=fields, name=changed["name"], object=changed.get("object")
                    )
                )
            else:
                messages.append(gettext("Changed {fields}.").format(fields=fields))
        elif "deleted" in entry:
            deleted = entry["deleted"] or {}
            messages.append(
                gettext("Deleted {name} “{object}”.").format(name=deleted.get("name"), object=deleted.get("object"))
            )
    return " ".join(messages) or gettext("No fields changed.")


def _text_list(items: list[str], last: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def log_action(
    session: t.Any,
    *,
    user_id: t.Any,
    app_label: str,
    model_name: str,
    object_id: t.Any,
    object_repr: str,
    action_flag: int,
    change_message: list[dict[str, t.Any]] | str = "",
) -> LogEntry:
    """Add a :class:`LogEntry` to ``session`` (written with the change it describes)."""
    if not isinstance(change_message, str):
        change_message = json.dumps(change_message, ensure_ascii=False)
    entry = LogEntry(
        user_id=user_id,
        app_label=app_label,
        model_name=model_name,
        object_id=None if object_id is None else str(object_id),
        object_repr=str(object_repr)[:200],
        action_flag=action_flag,
        change_message=change_message,
    )
    session.add(entry)
    return entry

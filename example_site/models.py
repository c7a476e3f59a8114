"""The site's one model: a note, written by a user.

Its table comes from the site's migrations (``example_site/migrations``), written with
``flask --app example_site db migrate`` and applied by ``python -m example_site``.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from flaskkit.plugins.auth import User
from flaskkit.plugins.orm import IdMixin
from flaskkit.plugins.orm import Model
from flaskkit.translation import gettext_lazy

__all__ = ["Note"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Note(IdMixin, Model):
    """A note on the board (table ``note``): anyone may read it, only its author may change it."""

    title: Mapped[str] = mapped_column(sa.String(120), info={"label": gettext_lazy("Title")})
    body: Mapped[str] = mapped_column(
        sa.Text,
        info={"label": gettext_lazy("Note"), "description": gettext_lazy("Plain text; line breaks are kept.")},
    )
    author_id: Mapped[int] = mapped_column(sa.ForeignKey(User.id, ondelete="CASCADE"), index=True)
    author: Mapped[User] = relationship(User, lazy="joined", info={"editable": False})
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=_now, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=_now, onupdate=_now)

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """The note's page (where CreateView and UpdateView go once the form is saved)."""
        return url_for("notes.detail", pk=self.id)

    @property
    def edited(self) -> bool:
        """Changed after it was written (a minute's grace for typo fixes)."""
        return self.updated_at - self.created_at > dt.timedelta(minutes=1)

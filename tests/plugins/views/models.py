"""The models of the views plugin's tests (class names unique to this package: one model registry per process)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from flaskkit.plugins.orm import IdMixin
from flaskkit.plugins.orm import Model


class ViewsTestPost(IdMixin, Model):
    """Table ``views_test_post``; templates under ``views/`` (the package of tests/plugins/views/models.py)."""

    title: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str | None] = mapped_column(sa.String(100), unique=True, default=None)
    body: Mapped[str] = mapped_column(sa.Text, default="")

    def __str__(self) -> str:
        return self.title


class ViewsTestNote(IdMixin, Model):
    """A model with ``get_absolute_url`` and no templates of its own (the shipped ones render it)."""

    text: Mapped[str] = mapped_column(sa.String(100))

    def get_absolute_url(self) -> str:
        return f"/notes/{self.id}/"

    def __str__(self) -> str:
        return self.text


TABLES = [ViewsTestPost.__table__, ViewsTestNote.__table__]

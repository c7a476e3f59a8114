"""The models of the sitemaps tests (class names unique to this package: one model registry per process)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from flaskkit.plugins.orm import IdMixin
from flaskkit.plugins.orm import Model


class SitemapsTestAuthor(IdMixin, Model):
    name: Mapped[str] = mapped_column(sa.String(50))


class SitemapsTestEntry(IdMixin, Model):
    """An entry with a wide column (``body``) and an eagerly joined author: what a sitemap should not load."""

    title: Mapped[str] = mapped_column(sa.String(100))
    slug: Mapped[str] = mapped_column(sa.String(100), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True), default=None)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey(SitemapsTestAuthor.id), default=None)
    author: Mapped[SitemapsTestAuthor | None] = relationship(SitemapsTestAuthor, lazy="joined")

    def get_absolute_url(self) -> str:
        return f"/entries/{self.id}/"

    def __str__(self) -> str:
        return self.title


TABLES = [SitemapsTestAuthor.__table__, SitemapsTestEntry.__table__]

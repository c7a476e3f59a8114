"""The models of the orm plugin's tests (defined once per process, as an app's are)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from flaskkit.plugins.orm import IdMixin
from flaskkit.plugins.orm import Model


class Author(IdMixin, Model):
    __tablename__ = "orm_test_author"

    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    books: Mapped[list[Book]] = relationship(back_populates="author", order_by="Book.id")


class Book(IdMixin, Model):
    __tablename__ = "orm_test_book"

    title: Mapped[str] = mapped_column(sa.String(200))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("orm_test_author.id", ondelete="CASCADE"))
    author: Mapped[Author] = relationship(back_populates="books")


class OrmTestHTTPLog(IdMixin, Model):
    """No ``__tablename__``: the class name in snake case."""

    path: Mapped[str] = mapped_column(sa.String(200))


class Token(Model):
    __tablename__ = "orm_test_token"

    key: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    counter: Mapped[int] = mapped_column(sa.SmallInteger, default=0)


TABLES = [Author.__table__, Book.__table__, OrmTestHTTPLog.__table__, Token.__table__]

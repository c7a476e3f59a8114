"""The models of the orm plugin's tests (defined once per process, as an app's are)."""

from __future__ import annotations

import datetime
import decimal
import enum
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from flaskkit import ValidationError
from flaskkit.plugins.orm import AwareDateTime
from flaskkit.plugins.orm import IdMixin
from flaskkit.plugins.orm import Model
from flaskkit.plugins.orm import db


class Author(IdMixin, Model):
    __tablename__ = "orm_test_author"

    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    books: Mapped[list[Book]] = relationship(back_populates="author", order_by="Book.id")

    def natural_key(self) -> tuple[str]:
        return (self.name,)

    @classmethod
    def get_by_natural_key(cls, name: str) -> Author | None:
        return db.session.scalar(sa.select(cls).where(cls.name == name))


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


class Status(enum.Enum):
    DRAFT = "draft"
    LIVE = "live"


def even(value: int) -> None:
    """A Django-style validator."""
    if value % 2:
        raise ValidationError("%(value)s is not an even number", params={"value": value})


class Entry(IdMixin, Model):
    """Validation: lengths, nullability, choices, validators, unique constraints, a check, clean()."""

    __tablename__ = "orm_test_entry"
    __table_args__ = (
        sa.UniqueConstraint("author_id", "slug"),
        sa.CheckConstraint("score >= 0", name="ck_orm_test_entry_score_positive"),
    )

    class Meta:
        app_label = "blog"

    title: Mapped[str] = mapped_column(sa.String(20))
    slug: Mapped[str] = mapped_column(sa.String(20))
    code: Mapped[str | None] = mapped_column(sa.String(8), unique=True)
    status: Mapped[Status] = mapped_column(default=Status.DRAFT)
    kind: Mapped[str] = mapped_column(
        sa.String(10), default="post", info={"choices": [("post", "Post"), ("page", "Page")]}
    )
    score: Mapped[int] = mapped_column(sa.SmallInteger, default=0, info={"validators": [even]})
    price: Mapped[decimal.Decimal | None] = mapped_column(sa.Numeric(5, 2))
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    published_at: Mapped[datetime.datetime | None] = mapped_column(AwareDateTime())
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("orm_test_author.id", ondelete="CASCADE"))
    author: Mapped[Author] = relationship(info={"label": "Writer"})

    def clean(self) -> None:
        if self.status is Status.LIVE and self.published_at is None:
            raise ValidationError({"published_at": "A live entry needs a publication date."})
        if self.title and self.title.lower() == "forbidden":
            raise ValidationError("This title is not allowed.")


class Event(IdMixin, Model):
    """An aware datetime column."""

    __tablename__ = "orm_test_event"

    name: Mapped[str] = mapped_column(sa.String(50))
    starts_at: Mapped[datetime.datetime] = mapped_column(AwareDateTime())
    ends_at: Mapped[datetime.datetime | None] = mapped_column(AwareDateTime())


class Animal(IdMixin, Model):
    """Single-table inheritance: a Dog is an Animal row."""

    __tablename__ = "orm_test_animal"

    name: Mapped[str] = mapped_column(sa.String(50))
    kind: Mapped[str] = mapped_column(sa.String(20), default="animal")
    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "animal"}


class Dog(Animal):
    __mapper_args__ = {"polymorphic_identity": "dog"}


shelf_books = sa.Table(
    "orm_test_shelf_book",
    Model.metadata,
    sa.Column("shelf_id", sa.ForeignKey("orm_test_shelf.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("book_id", sa.ForeignKey("orm_test_book.id", ondelete="CASCADE"), primary_key=True),
)


class Shelf(IdMixin, Model):
    """A many-to-many relationship (and its backref on Book)."""

    __tablename__ = "orm_test_shelf"

    label: Mapped[str] = mapped_column(sa.String(50))
    books: Mapped[list[Book]] = relationship(secondary=shelf_books, backref="shelves", order_by="Book.id")


TABLES += [Entry.__table__, Event.__table__, Animal.__table__, Shelf.__table__, shelf_books]


class Unmigrated(IdMixin, Model):
    """A model whose table the tests never create (as a model added without its migration)."""

    __tablename__ = "orm_test_unmigrated"

    name: Mapped[str] = mapped_column(sa.String(50))

"""Models the forms tests edit (tables prefixed ``forms_``: the test database is shared)."""

from __future__ import annotations

import datetime
import decimal
import enum
import uuid

import sqlalchemy as sa
from flask_wtf.file import FileAllowed
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from wtforms.validators import Length

from flaskkit import ValidationError
from flaskkit.plugins.orm import Model

article_tags = sa.Table(
    "forms_article_tag",
    Model.metadata,
    sa.Column("article_id", sa.ForeignKey("forms_article.id"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("forms_tag.id"), primary_key=True),
)


class Status(enum.Enum):
    DRAFT = "draft"
    LIVE = "live"


class FormsCategory(Model):
    __tablename__ = "forms_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50), unique=True)

    def __str__(self) -> str:
        return self.name


class FormsTag(Model):
    __tablename__ = "forms_tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(30))

    def __str__(self) -> str:
        return self.name


class Article(Model):
    __tablename__ = "forms_article"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(100), unique=True)
    body: Mapped[str | None] = mapped_column(sa.Text, info={"label": "Body text", "description": "Markdown."})
    published: Mapped[bool] = mapped_column(default=False)
    cat_id: Mapped[int] = mapped_column(sa.ForeignKey("forms_category.id"))
    cat: Mapped[FormsCategory] = relationship()
    tags: Mapped[list[FormsTag]] = relationship(secondary=article_tags)
    status: Mapped[Status] = mapped_column(default=Status.DRAFT)
    views: Mapped[int] = mapped_column(default=0)
    price: Mapped[decimal.Decimal | None] = mapped_column(sa.Numeric(6, 2))
    subtitle: Mapped[str] = mapped_column(sa.String(80), default="")
    published_at: Mapped[datetime.datetime | None]
    updated: Mapped[datetime.datetime | None] = mapped_column(onupdate=sa.func.now())

    def __str__(self) -> str:
        return self.title


class FormsEdition(Model):
    """A multi-column unique constraint, a nullable foreign key, and more column types."""

    __tablename__ = "forms_edition"
    __table_args__ = (sa.UniqueConstraint("cat_id", "number"), {"info": {"verbose_name": "edition"}})

    id: Mapped[int] = mapped_column(primary_key=True)
    cat_id: Mapped[int | None] = mapped_column(sa.ForeignKey("forms_category.id"))
    cat: Mapped[FormsCategory | None] = relationship(info={"choice_label": "id", "label": "Category"})
    number: Mapped[int] = mapped_column(sa.SmallInteger)
    day: Mapped[datetime.date | None]
    opens: Mapped[datetime.time | None]
    ref: Mapped[uuid.UUID | None]
    extra: Mapped[dict[str, object] | None] = mapped_column(sa.JSON)
    ratio: Mapped[float | None]
    code: Mapped[str | None] = mapped_column(sa.String(10), unique=True)


class FormsShelf(Model):
    """A one-to-many relationship and a column marked not editable."""

    __tablename__ = "forms_shelf"

    id: Mapped[int] = mapped_column(primary_key=True)
    secret: Mapped[str] = mapped_column(sa.String(20), default="", info={"editable": False})
    books: Mapped[list[FormsBook]] = relationship(back_populates="shelf")


class FormsBook(Model):
    __tablename__ = "forms_book"

    id: Mapped[int] = mapped_column(primary_key=True)
    shelf_id: Mapped[int] = mapped_column(sa.ForeignKey("forms_shelf.id"))
    shelf: Mapped[FormsShelf] = relationship(back_populates="books")


class FormsClash(Model):
    """A column whose name is a form attribute."""

    __tablename__ = "forms_clash"

    id: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[str] = mapped_column(sa.String(20))


def _attachment_path(instance: FormsDocument, filename: str) -> str:
    return f"docs/{instance.title}/{filename}"


class FormsDocument(Model):
    """File columns: the stored name is in the column, the file in the storage."""

    __tablename__ = "forms_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(50))
    image: Mapped[str] = mapped_column(
        sa.String(255),
        info={"upload_to": "images/%Y/", "validators": [FileAllowed(["png", "jpg"], "Images only!")]},
    )
    attachment: Mapped[str | None] = mapped_column(sa.String(255), info={"upload_to": _attachment_path})


def no_spam(value: str) -> None:
    """A Django-style model validator."""
    if "spam" in value.lower():
        raise ValidationError("No spam, please.", code="spam")


class FormsEvent(Model):
    """The model validates too: a validator, clean() with field and non-field errors, a check constraint."""

    __tablename__ = "forms_event"
    __table_args__ = (sa.CheckConstraint("seats <= 500", name="ck_forms_event_seats_max"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40), info={"validators": [no_spam, Length(max=30)]})
    slug: Mapped[str] = mapped_column(sa.String(40), default="")
    seats: Mapped[int] = mapped_column(default=10)
    starts: Mapped[datetime.date | None]
    ends: Mapped[datetime.date | None]
    cat_id: Mapped[int | None] = mapped_column(sa.ForeignKey("forms_category.id"))
    cat: Mapped[FormsCategory | None] = relationship(backref="events")

    def clean(self) -> None:
        self.name = " ".join(self.name.split()) if self.name else self.name
        self.slug = "-".join(self.name.lower().split()) if self.name else ""
        if self.starts and self.ends and self.ends < self.starts:
            raise ValidationError({"ends": "The event ends before it starts."})
        if self.name == "Closed":
            raise ValidationError("This event cannot be created.")
        if self.seats == 13:
            raise ValidationError({"slug": "Unlucky."})

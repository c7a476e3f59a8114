"""The catalog's models: a product with a column of every type (text, numbers, boolean, enums, date,
aware datetime, JSON, UUID), a foreign key, a many-to-many and a one-to-many (reviews)."""

from __future__ import annotations

import datetime
import decimal
import enum
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from flaskkit.plugins.orm import IdMixin
from flaskkit.plugins.orm import Model

try:
    from flaskkit.plugins.orm import AwareDateTime  # type: ignore[attr-defined]
except ImportError:
    from flaskkit.plugins.auth.models import AwareDateTime


class Status(enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Category(IdMixin, Model):
    __tablename__ = "catalog_category"

    class Meta:
        app_label = "catalog"
        verbose_name_plural = "categories"

    name: Mapped[str] = mapped_column(sa.String(100), unique=True)

    def __str__(self) -> str:
        return self.name


class Tag(IdMixin, Model):
    __tablename__ = "catalog_tag"

    class Meta:
        app_label = "catalog"

    name: Mapped[str] = mapped_column(sa.String(50))

    def __str__(self) -> str:
        return self.name


product_tags = sa.Table(
    "catalog_product_tags",
    Model.metadata,
    sa.Column("product_id", sa.ForeignKey("catalog_product.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("catalog_tag.id", ondelete="CASCADE"), primary_key=True),
)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class Product(IdMixin, Model):
    __tablename__ = "catalog_product"

    class Meta:
        app_label = "catalog"

    name: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text(), default="")
    price: Mapped[decimal.Decimal] = mapped_column(sa.Numeric(10, 2), default=decimal.Decimal("0"))
    stock: Mapped[int] = mapped_column(sa.Integer(), default=0)
    active: Mapped[bool] = mapped_column(sa.Boolean(), default=True)
    status: Mapped[Status] = mapped_column(sa.Enum(Status, name="catalog_status"), default=Status.DRAFT)
    size: Mapped[str | None] = mapped_column(sa.Enum("S", "M", "L", name="catalog_size"), default=None)
    released: Mapped[datetime.date | None] = mapped_column(sa.Date(), default=None)
    updated_at: Mapped[datetime.datetime] = mapped_column(AwareDateTime(), default=_now)
    #: The column is "data"; the attribute is not, since a WTForms form has a "data" of its own.
    details: Mapped[dict | None] = mapped_column("data", sa.JSON(), default=None)
    code: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), default=uuid.uuid4)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("catalog_category.id"), default=None, index=True)
    # The targets are explicit: the test suite's model registry has other classes named Tag.
    category: Mapped[Category | None] = relationship(Category)
    tags: Mapped[list[Tag]] = relationship(Tag, secondary=product_tags)
    reviews: Mapped[list[Review]] = relationship(
        f"{__name__}.Review", back_populates="product", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/products/{self.id}/"


class Review(IdMixin, Model):
    __tablename__ = "catalog_review"

    class Meta:
        app_label = "catalog"

    product_id: Mapped[int] = mapped_column(sa.ForeignKey("catalog_product.id", ondelete="CASCADE"), index=True)
    product: Mapped[Product] = relationship(Product, back_populates="reviews")
    author: Mapped[str] = mapped_column(sa.String(100))
    rating: Mapped[int] = mapped_column(sa.Integer(), default=5)
    text: Mapped[str] = mapped_column(sa.Text(), default="")

    def __str__(self) -> str:
        return f"{self.author} ({self.rating})"


TABLES = [Category.__table__, Tag.__table__, Product.__table__, product_tags, Review.__table__]

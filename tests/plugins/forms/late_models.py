"""Models on a registry of their own, made on demand: a parent whose related model comes later."""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship


def make_parent(base: type[t.Any]) -> type[t.Any]:
    class LateParent(base):  # type: ignore[valid-type,misc]
        __tablename__ = "late_parent"
        id: Mapped[int] = mapped_column(primary_key=True)
        child_id: Mapped[int] = mapped_column(sa.ForeignKey("late_child.id"))
        child: Mapped[LateChild] = relationship()  # noqa: F821  (defined later: the point)

    return LateParent


def make_child(base: type[t.Any]) -> type[t.Any]:
    class LateChild(base):  # type: ignore[valid-type,misc]
        __tablename__ = "late_child"
        id: Mapped[int] = mapped_column(primary_key=True)

    return LateChild

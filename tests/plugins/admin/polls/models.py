"""Part 2 of Django's tutorial: ``Question`` and ``Choice`` (``polls/models.py``)."""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from flaskkit.plugins.admin import display
from flaskkit.plugins.orm import IdMixin
from flaskkit.plugins.orm import Model

try:  # the kit's aware datetime column type (Django's DateTimeField with USE_TZ)
    from flaskkit.plugins.orm import AwareDateTime  # type: ignore[attr-defined]
except ImportError:  # where it was first defined
    from flaskkit.plugins.auth.models import AwareDateTime


class Question(IdMixin, Model):
    __tablename__ = "polls_question"

    question_text: Mapped[str] = mapped_column(sa.String(200))
    pub_date: Mapped[datetime.datetime] = mapped_column(AwareDateTime(), info={"label": "date published"})
    choices: Mapped[list[Choice]] = relationship(
        f"{__name__}.Choice", back_populates="question", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.question_text

    @display(boolean=True, ordering="pub_date", description="Published recently?")
    def was_published_recently(self) -> bool:
        now = datetime.datetime.now(datetime.UTC)
        return now - datetime.timedelta(days=1) <= self.pub_date <= now


class Choice(IdMixin, Model):
    __tablename__ = "polls_choice"

    question_id: Mapped[int] = mapped_column(sa.ForeignKey("polls_question.id", ondelete="CASCADE"), index=True)
    question: Mapped[Question] = relationship(Question, back_populates="choices")
    choice_text: Mapped[str] = mapped_column(sa.String(200))
    votes: Mapped[int] = mapped_column(default=0)

    def __str__(self) -> str:
        return self.choice_text


TABLES = [Question.__table__, Choice.__table__]

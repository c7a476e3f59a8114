from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from flaskkit.plugins.orm import IdMixin
from flaskkit.plugins.orm import Model


class TaskNote(IdMixin, Model):
    text: Mapped[str] = mapped_column(String(200))

"""The onion around the orm plugin's ATOMIC_REQUESTS: middleware runs outside the view's transaction, as in Django."""

from __future__ import annotations

import typing as t

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from flaskkit import create_app
from flaskkit.plugins.middleware import Middleware
from flaskkit.plugins.orm import IdMixin
from flaskkit.plugins.orm import Model
from flaskkit.plugins.orm import db

from .local import settings


class Note(IdMixin, Model):
    __tablename__ = "middleware_note"
    text: Mapped[str] = mapped_column(sa.String(50))


class Recover(Middleware):
    """Answers for a failed view, and notes whether a transaction was open around the view."""

    def process_view(self, request, view_func, view_args):
        self.app.extensions.setdefault("seen", []).append(("view", db.session().in_transaction()))

    def process_exception(self, request, exc):
        self.app.extensions["seen"].append(("exception", db.session().in_transaction()))
        return "recovered", 200


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, tmp_path) -> t.Iterator[Flask]:
    url = (
        f"sqlite:///{tmp_path / 'db.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    )
    app = create_app(
        settings(PLUGINS=["middleware", "orm"], DATABASE_URL=url, ATOMIC_REQUESTS=True, MIDDLEWARE=[Recover])
    )

    @app.post("/notes")
    def add():
        db.session.add(Note(text="kept"))
        db.session.flush()
        return "added", 201

    @app.post("/notes/fail")
    def add_then_fail():
        db.session.add(Note(text="never"))
        db.session.flush()
        raise ValueError("half-done")

    with app.app_context():
        db.metadata.drop_all(db.engine, tables=[Note.__table__])
        db.metadata.create_all(db.engine, tables=[Note.__table__])
    yield app
    with app.app_context():
        db.session.remove()
        db.metadata.drop_all(db.engine, tables=[Note.__table__])
        db.engine.dispose()


def notes(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Note.text)))


def test_process_exception_runs_after_the_views_transaction_rolled_back(app):
    response = app.test_client().post("/notes/fail")
    assert (response.status_code, response.text) == (200, "recovered")
    assert notes(app) == []  # a response from process_exception does not commit the view's half-done work
    assert app.extensions["seen"] == [("view", False), ("exception", False)]


def test_a_view_that_returns_commits_as_usual(app):
    assert app.test_client().post("/notes").status_code == 201
    assert notes(app) == ["kept"]

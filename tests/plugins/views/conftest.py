"""Apps with the views plugin (and orm, forms; cache when a test asks), on SQLite in the test's folder."""

from __future__ import annotations

import contextlib
import typing as t
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask import template_rendered

from flaskkit import create_app
from flaskkit.plugins.orm import db
from tests.conftest import settings

from .models import TABLES
from .models import ViewsTestPost

PLUGINS = ["orm", "forms", "views"]


class SiteFactory:
    """``make(**settings)``: an app whose templates folder is ``tmp_path/templates``, with the test tables."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.templates = tmp_path / "templates"
        self.templates.mkdir()
        self.apps: list[Flask] = []

    def __call__(self, *, tables: bool = True, **values: t.Any) -> Flask:
        values.setdefault("PLUGINS", PLUGINS)
        values.setdefault("TESTING", True)
        number = len(self.apps)
        values.setdefault("DATABASE_URL", f"sqlite:///{self.tmp_path / f'db{number}.sqlite'}")
        app = create_app(
            settings(**values),
            import_name=f"views_test_app_{number}",
            instance_path=str(self.tmp_path / f"instance{number}"),
            template_folder=str(self.templates),
        )
        self.apps.append(app)
        if tables:
            with app.app_context():
                db.metadata.drop_all(db.engine, tables=TABLES)
                db.metadata.create_all(db.engine, tables=TABLES)
        return app

    def template(self, name: str, text: str) -> None:
        """Write the template ``name`` into the apps' templates folder."""
        path = self.templates / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def close(self) -> None:
        for app in self.apps:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.fixture
def make(tmp_path: Path) -> t.Iterator[SiteFactory]:
    factory = SiteFactory(tmp_path)
    yield factory
    factory.close()


@pytest.fixture
def site(make: SiteFactory) -> Flask:
    """The default app (orm, forms, views) with empty tables."""
    return make()


def add_posts(app: Flask, count: int, **values: t.Any) -> list[int]:
    """Insert ``count`` posts titled "Post 01", "Post 02"...; their ids."""
    with app.app_context():
        posts = [ViewsTestPost(title=f"Post {i:02}", **values) for i in range(1, count + 1)]
        db.session.add_all(posts)
        db.session.commit()
        return [post.id for post in posts]


def count_rows(app: Flask, model: type[t.Any]) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


@contextlib.contextmanager
def statements(app: Flask) -> t.Iterator[list[str]]:
    """Record the SQL the app's engine runs."""
    recorded: list[str] = []

    def record(conn: t.Any, cursor: t.Any, statement: str, *args: t.Any) -> None:
        recorded.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield recorded
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


@contextlib.contextmanager
def rendered(app: Flask) -> t.Iterator[list[tuple[str, dict[str, t.Any]]]]:
    """Record ``(template name, context)`` of each template the app renders (Flask's ``template_rendered``)."""
    recorded: list[tuple[str, dict[str, t.Any]]] = []

    def record(sender: Flask, template: t.Any, context: dict[str, t.Any], **extra: t.Any) -> None:
        recorded.append((template.name, dict(context)))

    with template_rendered.connected_to(record, app):
        yield recorded

"""The ``db`` fixture of the orm plugin (registered as the ``flaskkit_orm`` pytest plugin).

::

    @pytest.mark.kit_settings(PLUGINS=["orm"])
    def test_create(db):
        db.session.add(Post(title="hi"))
        db.session.commit()

It works on the ``app`` fixture (flaskkit's, or your own): inside an app
context, it applies every migration (the app's and the enabled plugins', as
``flask db upgrade`` does), creates the tables of models that have no
migration yet, yields :data:`flaskkit.plugins.orm.db`, and afterwards drops
every table of the test database, so each test starts empty. Point
``DATABASE_URL`` at a database used only by tests: everything in it is dropped.

This module is imported by pytest in every project where flaskkit is
installed, so it imports nothing from the orm stack until the fixture runs.
"""

from __future__ import annotations

import typing as t

import pytest

if t.TYPE_CHECKING:
    from flask import Flask
    from flask_sqlalchemy import SQLAlchemy


@pytest.fixture
def db(app: Flask) -> t.Iterator[SQLAlchemy]:
    """The orm plugin's ``db``, with the schema of every migration and model, emptied after the test."""
    plugins = app.extensions["flaskkit"].state(app).plugins if "flaskkit" in app.extensions else {}
    if "orm" not in plugins:
        pytest.fail(
            "The db fixture needs the orm plugin: add 'orm' to PLUGINS (in your test settings, or with "
            "@pytest.mark.kit_settings(PLUGINS=[..., 'orm'])).",
            pytrace=False,
        )
    import flask_migrate
    import sqlalchemy as sa

    from . import db as orm_db

    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        # Models the app has not written a migration for yet, on the binds this app configures (the
        # model registry is per process, so it may also hold models of binds this app does not have).
        orm_db.create_all(bind_key=list(orm_db.engines))
        try:
            yield orm_db
        finally:
            orm_db.session.remove()
            for engine in orm_db.engines.values():
                metadata = sa.MetaData()
                metadata.reflect(bind=engine)
                metadata.drop_all(bind=engine)
                engine.dispose()

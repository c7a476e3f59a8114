"""The admin's migration creates exactly LogEntry's table, on SQLite and on PostgreSQL; apps without the
admin plugin never see it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from flaskkit.plugins.admin import LogEntry
from flaskkit.plugins.admin.models import metadata as admin_metadata
from flaskkit.plugins.orm import db

from .conftest import create_user
from .conftest import log_in
from .conftest import submit


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated(request, make):
    values = {"DATABASE_URL": request.getfixturevalue("pg_url")} if request.param == "postgresql" else {}
    app = make(**values)
    with app.app_context():
        assert db.engine.dialect.name == request.param
    return app


def test_the_migration_matches_the_model(migrated):
    with migrated.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_name": lambda name, type_, parent: type_ != "table" or name == "admin_logentry",
            },
        )
        assert compare_metadata(context, admin_metadata) == []


def test_a_change_is_logged_on_the_migrated_table(migrated):
    create_user(migrated, "root", is_staff=True, is_superuser=True)
    client = migrated.test_client()
    log_in(client, "root")
    assert submit(client, "/admin/catalog/category/add/", {"name": "Lights"}).status_code == 302
    with migrated.app_context():
        entry = db.session.scalar(sa.select(LogEntry))
        assert entry.object_repr == "Lights" and entry.action_time.tzinfo is not None


def test_the_database_checks_see_no_model_change(migrated):
    result = migrated.test_cli_runner().invoke(args=["kit", "check", "--tag", "database"])
    assert "admin_logentry" not in result.output, result.output


def test_the_admin_branch_downgrades_to_nothing(migrated):
    result = migrated.test_cli_runner().invoke(args=["db", "downgrade", "admin@base"])
    assert result.exit_code == 0, result.output
    with migrated.app_context():
        assert "admin_logentry" not in sa.inspect(db.engine).get_table_names()


def test_an_app_without_the_admin_never_sees_its_table(make):
    app = make(PLUGINS=["orm", "session", "cache", "forms", "auth"], migrate=True)
    with app.app_context():
        assert "admin_logentry" not in sa.inspect(db.engine).get_table_names()
        assert "admin_logentry" not in db.metadata.tables

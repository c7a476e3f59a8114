"""The auth migrations: they create exactly the models' tables, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from flaskkit.plugins.auth import Group
from flaskkit.plugins.auth import Permission
from flaskkit.plugins.auth import User
from flaskkit.plugins.auth.models import group_permissions
from flaskkit.plugins.orm import db

from .conftest import create_user
from .conftest import log_in
from .conftest import whoami

AUTH_TABLES = [
    Permission.__table__,
    Group.__table__,
    group_permissions,
    User.__table__,
    User._auth_groups_table,
    User._auth_permissions_table,
]
NAMES = {table.name for table in AUTH_TABLES}


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated(request, make):
    values = {"DATABASE_URL": request.getfixturevalue("pg_url")} if request.param == "postgresql" else {}
    app = make(**values)
    with app.app_context():
        assert db.engine.dialect.name == request.param
    return app


def differences(app):
    """What autogenerate would change in the auth tables to match the models (nothing, if the migration is right)."""
    metadata = sa.MetaData(naming_convention=db.metadata.naming_convention)
    for table in AUTH_TABLES:
        table.to_metadata(metadata)
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_name": lambda name, type_, parent: type_ != "table" or name in NAMES,
            },
        )
        return compare_metadata(context, metadata)


def test_the_migration_matches_the_models(migrated):
    assert differences(migrated) == []


def test_the_login_flow_on_the_migrated_tables(migrated):
    create_user(migrated, "ada")
    client = migrated.test_client()
    assert log_in(client).status_code == 302
    assert whoami(client)["username"] == "ada"


def test_the_auth_branch_downgrades_to_nothing(migrated):
    result = migrated.test_cli_runner().invoke(args=["db", "downgrade", "auth@base"])
    assert result.exit_code == 0, result.output
    with migrated.app_context():
        left = set(sa.inspect(db.engine).get_table_names())
    assert not NAMES & left
    assert "flaskkit_session" in left  # the session plugin's branch is untouched


def test_the_database_records_the_auth_head(migrated):
    with migrated.app_context(), db.engine.connect() as connection:
        versions = set(connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())
    assert "flaskkit_auth_0001" in versions

"""The `db` fixture, as a flaskkit user's test suite uses it (pytester)."""

from __future__ import annotations

import secrets

import pytest
import sqlalchemy as sa

from tests.conftest import SECRET


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.syspathinsert()
    pytester.makepyfile(
        fixture_settings=f"SECRET_KEY = {SECRET!r}\nPLUGINS = ['orm', 'session']\nSESSION_ENGINE = 'db'\n",
        fixture_models="""
        from sqlalchemy import String
        from sqlalchemy.orm import Mapped, mapped_column
        from flaskkit.plugins.orm import IdMixin, Model

        class FixtureNote(IdMixin, Model):
            text: Mapped[str] = mapped_column(String(50))
        """,
    )
    pytester.makeini("[pytest]\nflaskkit_settings = fixture_settings\n")
    return pytester


def test_db_fixture_creates_every_table_and_empties_them_after(project: pytest.Pytester):
    project.makepyfile(
        test_notes="""
        import sqlalchemy as sa
        from fixture_models import FixtureNote

        def test_first(db):
            tables = set(sa.inspect(db.engine).get_table_names())
            assert {"fixture_note", "flaskkit_session", "alembic_version"} <= tables
            db.session.add(FixtureNote(text="one"))
            db.session.commit()
            assert db.session.scalar(sa.select(sa.func.count()).select_from(FixtureNote)) == 1

        def test_second_starts_empty(db):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(FixtureNote)) == 0
        """
    )
    project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_db_fixture_without_the_orm_plugin_says_what_to_add(project: pytest.Pytester):
    project.makepyfile(
        test_no_orm="""
        import pytest

        @pytest.mark.kit_settings(PLUGINS=[])
        def test_needs_db(db):
            pass
        """
    )
    result = project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*The db fixture needs the orm plugin: add 'orm' to PLUGINS*"])


# -- the schema once per test session, each test in a transaction ---------------------------------

MIGRATION = '''
"""notes, with the rows every database starts with"""
import os

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    with open(os.environ["MIGRATION_RUNS"], "a") as runs:
        runs.write("ran\\n")
    table = op.create_table(
        "migrated_note",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("text", sa.String(50), nullable=False),
    )
    op.bulk_insert(table, [{"text": "from the migration"}])


def downgrade():
    op.drop_table("migrated_note")
'''

MIGRATED_TESTS = """
import pytest
import sqlalchemy as sa
from flaskkit.plugins.orm import on_commit

def texts(db):
    return [row[0] for row in db.session.execute(sa.text("SELECT text FROM migrated_note ORDER BY id"))]

@pytest.mark.parametrize("round", range(3))
def test_rolled_back(db, round):
    assert texts(db) == ["from the migration"]
    db.session.execute(sa.text("INSERT INTO migrated_note (text) VALUES ('test')"))
    db.session.commit()
    assert texts(db) == ["from the migration", "test"]

def test_committed(transactional_db):
    db = transactional_db
    db.session.execute(sa.text("INSERT INTO migrated_note (text) VALUES ('committed')"))
    db.session.commit()
    assert texts(db) == ["from the migration", "committed"]

def test_after_the_committed_one(db):
    assert texts(db) == ["from the migration"]
    db.session.execute(sa.text("INSERT INTO migrated_note (text) VALUES ('next')"))
    db.session.commit()
    assert db.session.execute(sa.text("SELECT id FROM migrated_note WHERE text = 'next'")).scalar() == 2
"""


@pytest.fixture
def migrated_project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A project with a migration of its own, which notes each run in a file."""
    pytester.syspathinsert()
    pytester.makepyfile(migrated_settings=f"SECRET_KEY = {SECRET!r}\nPLUGINS = ['orm']\n")
    migrations = pytester.mkdir("migrations")
    (migrations / "env.py").write_text("from flaskkit.plugins.orm.migrations import run_env\n\nrun_env()\n")
    (migrations / "versions").mkdir()
    (migrations / "versions" / "0001_notes.py").write_text(MIGRATION)
    pytester.makeini("[pytest]\nflaskkit_settings = migrated_settings\n")
    pytester.makepyfile(test_migrated=MIGRATED_TESTS)
    monkeypatch.setenv("MIGRATION_RUNS", str(pytester.path / "runs.txt"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return pytester


def migration_runs(project: pytest.Pytester) -> int:
    path = project.path / "runs.txt"
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_each_test_has_its_own_sqlite_file_made_from_one_migration_run(migrated_project):
    # The app fixture's default database: a SQLite file in each test's instance folder.
    migrated_project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=5)
    assert migration_runs(migrated_project) == 1


def test_a_shared_sqlite_database_is_migrated_once_and_emptied_at_the_end(migrated_project, tmp_path):
    database = tmp_path / "shared.sqlite3"
    migrated_project.makepyfile(
        migrated_settings=f"SECRET_KEY = {SECRET!r}\nPLUGINS = ['orm']\nDATABASE_URL = 'sqlite:///{database}'\n"
    )
    migrated_project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=5)
    assert migration_runs(migrated_project) == 1
    engine = sa.create_engine(f"sqlite:///{database}")
    try:
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_a_shared_postgresql_database_is_migrated_once(migrated_project, postgres_url):
    import psycopg

    schema = f"fixture_{secrets.token_hex(4)}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        url = f"{postgres_url}?options=-csearch_path%3D{schema}"
        migrated_project.makepyfile(
            migrated_settings=f"SECRET_KEY = {SECRET!r}\nPLUGINS = ['orm']\nDATABASE_URL = {url!r}\n"
        )
        migrated_project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=5)
        assert migration_runs(migrated_project) == 1
        with psycopg.connect(postgres_url) as connection:
            left = connection.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s", (schema,)
            ).fetchone()
        assert left == (0,)
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("SET lock_timeout = '10s'")
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_the_kit_fixtures_marker_loads_json_fixtures_into_each_tests_database(project: pytest.Pytester):
    # In a process of its own: its models must not join this process's model registry.
    project.makepyfile(
        loaded_models="""
        from sqlalchemy import String
        from sqlalchemy.orm import Mapped, mapped_column
        from flaskkit.plugins.orm import IdMixin, Model

        class LoadedNote(IdMixin, Model):
            text: Mapped[str] = mapped_column(String(50))
        """
    )
    (project.path / "data").mkdir()
    (project.path / "data" / "notes.json").write_text(
        '[{"model": "loaded_models.loadednote", "pk": 1, "fields": {"text": "loaded"}}]'
    )
    project.makepyfile(
        test_loaded="""
        import pytest
        import sqlalchemy as sa
        from loaded_models import LoadedNote

        pytestmark = pytest.mark.kit_fixtures("data/notes.json")

        def texts(db):
            return list(db.session.scalars(sa.select(LoadedNote.text)))

        def test_loaded(db):
            assert texts(db) == ["loaded"]
            db.session.add(LoadedNote(text="mine"))
            db.session.commit()

        def test_loaded_again_after_the_rollback(db):
            assert texts(db) == ["loaded"]

        def test_with_real_commits(transactional_db):
            assert texts(transactional_db) == ["loaded"]

        def test_after_the_tables_were_emptied(db):
            assert texts(db) == ["loaded"]
        """,
        test_not_loaded="""
        import sqlalchemy as sa
        from loaded_models import LoadedNote

        def test_empty(db):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(LoadedNote)) == 0
        """,
    )
    project.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=5)

"""`flask db ...` as a user runs it: the real `flask` command on a project in a temporary folder.

The project enables the orm plugin and ``SamplePlugin`` (tests/plugins/orm/sample_plugin), which
ships one migration on its own branch, as the session and auth plugins do. Each command runs in a
new process that imports the project's app.py, so only the project's models are on ``db.metadata``.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
import sqlalchemy as sa

from .projects import Project
from .projects import Runner

SAMPLE = "tests.plugins.orm.sample_plugin:SamplePlugin"

NOTE = """
class Note(IdMixin, Model):
    title: Mapped[str] = mapped_column(sa.String(100))
"""
NOTE_WITH_BODY = """
class Note(IdMixin, Model):
    title: Mapped[str] = mapped_column(sa.String(100))
    body: Mapped[str | None] = mapped_column(sa.Text)
"""
PIN = """
class Pin(IdMixin, Model):
    note_id: Mapped[int] = mapped_column(sa.ForeignKey(sample_note.c.id, ondelete="CASCADE"))
"""
FAMILY = """
class Parent(IdMixin, Model):
    name: {name} = mapped_column(sa.String(50))

class Child(IdMixin, Model):
    parent_id: Mapped[int] = mapped_column(sa.ForeignKey("parent.id", ondelete="CASCADE"))
"""


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[Runner]:
    runner = Runner(tmp_path_factory.mktemp("runner"))
    yield runner
    runner.close()


@pytest.fixture
def project(tmp_path: Path, db_url: str, runner: Runner) -> Project:
    return Project(tmp_path / "project", db_url, runner)


def test_the_whole_flow_with_a_plugin_branch(project, backend):
    project.write(NOTE)

    # A brand-new app: `flask db upgrade` creates the plugin's table before any `flask db init`.
    output = project.flask("db", "upgrade")
    assert "Running upgrade  -> sample_0001, The sample plugin's table." in output
    assert project.tables() == {"alembic_version", "sample_note"}
    assert "sample_0001 (head)" in project.flask("db", "current").splitlines()

    output = project.flask("kit", "check")
    assert "(orm.W002) The models have changes that are not in a migration yet: add table note." in output
    assert "HINT: Run flask db init (once), then flask db migrate -m '...' then flask db upgrade." in output

    output = project.flask("db", "migrate", "-m", "notes", status=1)
    assert "The app has no migrations folder (" in output
    assert "create it with 'flask db init', then run this again." in output

    project.flask("db", "init")
    assert "run_env()" in (project.root / "migrations" / "env.py").read_text()

    # The app's first revision: a branch of its own, next to the plugin's.
    project.flask("db", "migrate", "-m", "notes")
    [first] = project.revisions()
    assert "down_revision = None" in first
    assert "depends_on = None" in first
    assert "op.create_table('note'," in first
    assert "sample_note" not in first  # the plugin's table is neither dropped nor re-created
    output = project.flask("db", "upgrade")
    assert "Running upgrade  -> " in output and ", notes" in output
    assert project.tables() == {"alembic_version", "sample_note", "note"}
    assert "No new upgrade operations detected." in project.flask("db", "check")
    heads = project.flask("db", "heads")
    assert "sample_0001 (sample) (head)" in heads
    assert len([line for line in heads.splitlines() if line.endswith("(head)")]) == 2
    assert "Checks identified no issues (0 silenced)." in project.flask("kit", "check")

    # A new column: autogenerate writes it on top of the app's head (batch mode on SQLite).
    project.write(NOTE_WITH_BODY)
    assert "(orm.W002) The models have changes that are not in a migration yet: add column note.body." in (
        project.flask("kit", "check")
    )
    assert "New upgrade operations detected" in project.flask("db", "check", status=1)
    project.flask("db", "migrate", "-m", "note body")
    first, second = project.revisions()
    first_id = first.split("revision = ")[1].splitlines()[0]
    assert f"down_revision = {first_id}" in second
    if backend == "sqlite":
        assert "with op.batch_alter_table('note', schema=None) as batch_op:" in second
        assert "batch_op.add_column(sa.Column('body', sa.Text(), nullable=True))" in second
    else:
        assert "op.add_column('note', sa.Column('body', sa.Text(), nullable=True))" in second
        assert "batch_alter_table" not in second
    project.flask("db", "upgrade")
    assert "No new upgrade operations detected." in project.flask("db", "check")
    assert "Checks identified no issues (0 silenced)." in project.flask("kit", "check")

    # Unapplied migrations are a warning of `flask kit check` (never at boot).
    project.flask("db", "downgrade", "sample@base")
    output = project.flask("kit", "check")
    assert (
        "orm: (orm.W001) The database has 1 unapplied migration (of: sample). "
        "The app may not work properly until they are applied.\n\tHINT: Apply them with: flask db upgrade"
    ) in output
    project.flask("db", "upgrade")
    assert "Checks identified no issues (0 silenced)." in project.flask("kit", "check")

    # compare_type: a longer VARCHAR is a change too.
    project.write(NOTE_WITH_BODY.replace("sa.String(100)", "sa.String(200)"))
    output = project.flask("db", "check", status=1)
    assert "New upgrade operations detected: [[('modify_type', None, 'note', 'title'," in output


def test_a_foreign_key_to_a_plugin_table_depends_on_the_plugin(project):
    project.write(NOTE, PIN)
    project.flask("db", "init")
    project.flask("db", "upgrade")
    project.flask("db", "migrate", "-m", "notes and pins")
    [revision] = project.revisions()
    assert "depends_on = 'sample_0001'" in revision
    assert "sa.ForeignKeyConstraint(['note_id'], ['sample_note.id']" in revision

    # From an empty database, the plugin's table comes first.
    project.flask("db", "downgrade", "base")
    assert project.tables() == {"alembic_version"}
    output = project.flask("db", "upgrade")
    assert output.index("-> sample_0001") < output.index(", notes and pins")
    assert {"note", "pin", "sample_note"} <= project.tables()
    assert "No new upgrade operations detected." in project.flask("db", "check")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_sqlite_batch_migrations_keep_the_rows_of_referencing_tables(project):
    """Batch mode copies, drops and re-creates a table; with foreign keys on, SQLite would
    delete the rows of ``ON DELETE CASCADE`` children when the parent table is dropped."""
    project.write(FAMILY.format(name="Mapped[str]"), plugins=("orm",))
    project.flask("db", "init")
    project.flask("db", "migrate", "-m", "family")
    project.flask("db", "upgrade")
    engine = sa.create_engine(project.database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO parent (id, name) VALUES (1, 'p')")
        connection.exec_driver_sql("INSERT INTO child (id, parent_id) VALUES (1, 1)")

    project.write(FAMILY.format(name="Mapped[str | None]"), plugins=("orm",))  # SQLite cannot ALTER this
    project.flask("db", "migrate", "-m", "optional name")
    assert "batch_op.alter_column('name'," in project.revisions()[1]
    output = project.flask("db", "upgrade")
    assert ", optional name" in output
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT id, parent_id FROM child").all() == [(1, 1)]
        assert connection.exec_driver_sql("SELECT id, name FROM parent").all() == [(1, "p")]
        assert (
            connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'parent'").scalar().count("NOT NULL")
            == 1
        )  # the id only: the table was re-created
    engine.dispose()
    assert "No new upgrade operations detected." in project.flask("db", "check")


def test_flask_db_init_can_still_use_flask_migrates_template(project):
    project.write(NOTE)
    project.flask("db", "init", "--template", "flask")
    assert "current_app.extensions['migrate']" in (project.root / "migrations" / "env.py").read_text()

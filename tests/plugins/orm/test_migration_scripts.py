"""What `flask db migrate` writes and what a revision can do: column types with their imports, a custom
user model from model to login, and a data migration written against the schema of its revision."""

from __future__ import annotations

import re
import typing as t
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import render
from alembic.autogenerate.api import AutogenContext
from alembic.migration import MigrationContext

from flaskkit.plugins.orm import AwareDateTime
from flaskkit.plugins.orm.migrations import render_item

from .projects import Project
from .projects import Runner


class Money(sa.TypeDecorator[int]):
    """A column type of the app's own."""

    impl = sa.Integer
    cache_ok = True


def rendered(column: sa.Column[t.Any], **opts: t.Any) -> tuple[str, set[str]]:
    defaults = {"render_item": render_item, "sqlalchemy_module_prefix": "sa.", "alembic_module_prefix": "op."}
    context = MigrationContext.configure(dialect_name="sqlite", opts={**defaults, "user_module_prefix": None, **opts})
    autogen = AutogenContext(context)
    return render._render_column(column, autogen), autogen.imports


def test_flaskkit_types_are_written_from_their_public_module_and_imported():
    code, imports = rendered(sa.Column("published_at", AwareDateTime(), nullable=True))
    assert code == "sa.Column('published_at', flaskkit.plugins.orm.AwareDateTime(), nullable=True)"
    assert imports == {"import flaskkit.plugins.orm"}


def test_the_apps_own_types_are_imported_too():
    code, imports = rendered(sa.Column("price", Money(), nullable=False))
    assert code == f"sa.Column('price', {__name__}.Money(), nullable=False)"
    assert imports == {f"import {__name__}"}


def test_a_variant_renders_each_part():
    code, imports = rendered(sa.Column("at", AwareDateTime().with_variant(sa.DateTime(), "mysql")))
    assert "flaskkit.plugins.orm.AwareDateTime().with_variant(sa.DateTime(), 'mysql')" in code
    assert imports == {"import flaskkit.plugins.orm"}


def test_sqlalchemy_types_and_a_user_module_prefix_are_left_to_alembic():
    code, imports = rendered(sa.Column("n", sa.String(20)))
    assert code == "sa.Column('n', sa.String(length=20), nullable=True)"
    assert not imports
    code, imports = rendered(sa.Column("price", Money()), user_module_prefix="types.")
    assert "types.Money()" in code


# -- projects -----------------------------------------------------------------------------------

MEMBER = """
from flaskkit.plugins.auth import AbstractUser


class Member(AbstractUser):
    __tablename__ = "member"
    bio: Mapped[str] = mapped_column(sa.Text, default="")
"""
USE_MEMBERS = """
import click
from flaskkit.plugins.auth import Group, get_user_model
from flaskkit.plugins.orm import db


@app.cli.command("use-members")
def use_members():
    model = get_user_model()
    user = model.objects.create_user("ada", "ada@example.com", "correct-horse-battery", bio="Analyst")
    user.groups.append(Group(name="readers"))
    db.session.commit()
    client = app.test_client()
    response = client.post("/accounts/login/", data={"username": "ada", "password": "correct-horse-battery"})
    click.echo(f"login {response.status_code} {response.headers.get('Location')}")
    db.session.expire_all()
    user = model.objects.get_by_natural_key("ada")
    click.echo(f"model {type(user).__name__} groups {[g.name for g in user.groups]} bio {user.bio}")
    click.echo(f"last_login aware {user.last_login.utcoffset() is not None}")
"""
AUTH_SETTINGS = {
    "PLUGINS": ["orm", "session", "cache", "forms", "auth"],
    "AUTH_USER_MODEL": "app:Member",
    "WTF_CSRF_ENABLED": False,
    "PASSWORD_HASHERS": ["flaskkit.plugins.auth.hashers:MD5PasswordHasher"],
}


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[Runner]:
    runner = Runner(tmp_path_factory.mktemp("runner"))
    yield runner
    runner.close()


@pytest.fixture
def project(tmp_path: Path, db_url: str, runner: Runner) -> Project:
    return Project(tmp_path / "project", db_url, runner)


def test_a_custom_user_model_from_model_to_login(project, backend):
    project.write(MEMBER, plugins=(), after=USE_MEMBERS, **AUTH_SETTINGS)
    project.flask("db", "init")
    project.flask("db", "upgrade")  # the auth plugin's own tables
    project.flask("db", "migrate", "-m", "members")
    [revision] = project.revisions()
    assert "import flaskkit.plugins.orm\n" in revision
    assert "sa.Column('last_login', flaskkit.plugins.orm.AwareDateTime(), nullable=True)" in revision
    assert "sa.Column('date_joined', flaskkit.plugins.orm.AwareDateTime(), nullable=False)" in revision
    assert "op.create_table('member_groups'," in revision
    assert re.search(r"depends_on = '\w+'", revision)  # the auth branch's head: member_groups refers to it
    output = project.flask("db", "upgrade")
    assert ", members" in output
    assert {"member", "member_groups", "member_user_permissions"} <= project.tables()
    assert "auth_user" not in project.tables()
    assert "No new upgrade operations detected." in project.flask("db", "check")
    output = project.flask("use-members")
    assert "login 302 /" in output
    assert "model Member groups ['readers'] bio Analyst" in output
    assert "last_login aware True" in output


NOTE = """
class Note(IdMixin, Model):
    title: Mapped[str] = mapped_column(sa.String(100))
"""
NOTE_WITH_SLUG = """
class Note(IdMixin, Model):
    title: Mapped[str] = mapped_column(sa.String(100))
    slug: Mapped[str | None] = mapped_column(sa.String(100))
"""
NOTE_WITHOUT_TITLE = """
class Note(IdMixin, Model):
    slug: Mapped[str | None] = mapped_column(sa.String(100))
"""
#: The body of a data migration, as docs/plugins/orm.md shows it: the table as it is at this
#: revision (sa.table() naming only the columns it uses), never the app's models.
FILL_SLUGS = """
def upgrade() -> None:
    note = sa.table("note", sa.column("id", sa.Integer), sa.column("title", sa.String), sa.column("slug", sa.String))
    connection = op.get_bind()
    for row in connection.execute(sa.select(note.c.id, note.c.title).where(note.c.slug.is_(None))):
        slug = "-".join(row.title.lower().split())
        connection.execute(note.update().where(note.c.id == row.id).values(slug=slug))


def downgrade() -> None:
    pass  # the slugs stay; the schema revision below removes the column
"""
#: The same, with the table reflected from the database (every column as the database has it).
NUMBER_SLUGS = """
def upgrade() -> None:
    connection = op.get_bind()
    note = sa.Table("note", sa.MetaData(), autoload_with=connection)
    assert "title" in note.c  # the column exists at this revision, whatever the models say now
    rows = connection.execute(sa.select(note.c.id, note.c.slug).order_by(note.c.id)).all()
    for number, row in enumerate(rows, start=1):
        connection.execute(note.update().where(note.c.id == row.id).values(slug=f"{number}-{row.slug}"))


def downgrade() -> None:
    pass
"""


def replace_body(path: Path, body: str) -> None:
    source = path.read_text()
    path.write_text(source[: source.index("\ndef upgrade()")] + body)


def revision_id(source: str) -> str:
    return source.split("revision = ")[1].splitlines()[0].strip("'")


def test_a_data_migration_uses_the_schema_of_its_revision(project, backend):
    project.write(NOTE, plugins=("orm",))
    project.flask("db", "init")
    project.flask("db", "migrate", "-m", "notes")
    project.flask("db", "upgrade")
    project.write(NOTE_WITH_SLUG, plugins=("orm",))
    project.flask("db", "migrate", "-m", "slug")
    project.flask("db", "upgrade")
    for message, body in (("fill slugs", FILL_SLUGS), ("number slugs", NUMBER_SLUGS)):
        project.flask("db", "revision", "-m", message)
        versions = sorted((project.root / "migrations" / "versions").glob("*.py"), key=lambda p: p.stat().st_mtime_ns)
        replace_body(versions[-1], body)
    project.flask("db", "upgrade")
    # The models move on: the title goes away in a later revision.
    project.write(NOTE_WITHOUT_TITLE, plugins=("orm",))
    project.flask("db", "migrate", "-m", "drop title")
    first = revision_id(project.revisions()[0])

    # A database with rows at the first revision, brought up to date by every revision in order.
    project.flask("db", "downgrade", "base")
    project.flask("db", "upgrade", first)
    engine = sa.create_engine(project.database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("INSERT INTO note (title) VALUES ('Hello World'), ('Data Migrations')"))
        output = project.flask("db", "upgrade")
        assert ", fill slugs" in output and ", number slugs" in output and ", drop title" in output
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT slug FROM note ORDER BY id")).scalars().all() == [
                "1-hello-world",
                "2-data-migrations",
            ]
            assert "title" not in {c["name"] for c in sa.inspect(connection).get_columns("note")}
    finally:
        engine.dispose()
    assert "No new upgrade operations detected." in project.flask("db", "check")

"""The orm plugin's checks, and the contract of plugins that ship migrations."""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from flaskkit import ConfigurationError
from flaskkit import Plugin
from flaskkit.plugins.orm import db
from tests.conftest import settings

from .sample_plugin import SamplePlugin

SAMPLE_MESSAGE = (
    "orm: (orm.W001) The database has 1 unapplied migration (of: sample). "
    "The app may not work properly until they are applied.\n\tHINT: Apply them with: flask db upgrade"
)


def messages(app, **kwargs):
    return app.extensions["flaskkit"].run_checks(app, **kwargs).messages


def ids(app, **kwargs):
    return [m.id for m in messages(app, **kwargs)]


def test_unapplied_plugin_migrations_warn_only_when_asked(make_app, backend, tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="flaskkit"):
        app = make_app(PLUGINS=["orm", SamplePlugin])  # boots: database checks never run at boot
    assert "orm.W001" not in caplog.text
    [message] = [m for m in messages(app) if m.id == "orm.W001"]
    assert str(message) == SAMPLE_MESSAGE
    if backend == "sqlite":
        assert not (tmp_path / "test.db").exists()  # the check did not create the database file

    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert "sample_note" in sa.inspect(db.engine).get_table_names()
    assert not [m for m in messages(app) if m.id.startswith("orm.") and m.id != "orm.W002"]


def test_migrations_leave_sqlite_foreign_keys_on(make_app, backend):
    app = make_app(PLUGINS=["orm", SamplePlugin], DATABASE_OPTIONS={"pool_size": 1})
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context(), db.engine.connect() as connection:
        if backend == "sqlite":  # the connection the migrations used, back from the pool
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("SELECT count(*) FROM sample_note").scalar() == 0


def test_flask_kit_check_reports_unapplied_migrations(make_app):
    app = make_app(PLUGINS=["orm", SamplePlugin])
    result = app.test_cli_runner().invoke(args=["kit", "check", "--tag", "database"])
    assert result.exit_code == 0  # a warning
    assert SAMPLE_MESSAGE in result.output


def test_unreachable_database_is_an_error(make_app):
    app = make_app(DATABASE_URL="postgresql://postgres@127.0.0.1:1/nothing")
    [message] = messages(app, tags=["database"])
    assert message.id == "orm.E001"
    assert message.msg.startswith("Cannot connect to the database postgresql+psycopg://postgres@127.0.0.1:1/nothing: ")
    assert message.hint == (
        "Check DATABASE_URL (from the DATABASE_URL setting) and that the database server runs and accepts this user."
    )
    result = app.test_cli_runner().invoke(args=["kit", "check"])
    assert result.exit_code == 1


def test_sqlite_in_production_is_a_deploy_warning(make_app, backend, tmp_path):
    app = make_app()
    deploy = [m for m in messages(app, include_deploy=True, include_database=False) if m.id == "orm.W010"]
    if backend == "postgresql":
        assert deploy == []
        return
    [message] = deploy
    assert message.msg == (
        f"The database is SQLite (in the file {tmp_path / 'test.db'}), from the DATABASE_URL setting. "
        "It takes one writer at a time and lives on this machine only."
    )
    assert "orm.W010" not in ids(app, include_database=False)  # deploy checks only on demand


def test_both_addresses_set_warns_at_boot(tmp_path, caplog):
    from flaskkit import create_app

    with caplog.at_level(logging.WARNING, logger="flaskkit"):
        create_app(
            settings(
                PLUGINS=["orm"],
                DATABASE_URL=f"sqlite:///{tmp_path / 'a.db'}",
                SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'b.db'}",
            ),
            instance_path=str(tmp_path / "instance"),
        )
    assert (
        f"SQLALCHEMY_DATABASE_URI: (orm.W003) SQLALCHEMY_DATABASE_URI is set, but the DATABASE_URL setting wins: "
        f"the app uses sqlite:///{tmp_path / 'a.db'}."
    ) in caplog.text


def test_djangos_databases_setting_warns(make_app):
    app = make_app(DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3"}})
    [message] = [m for m in messages(app, include_database=False) if m.id == "orm.W004"]
    assert message.msg == "The setting DATABASES is Django's; flaskkit does not read it."


def test_misspelt_setting_gets_a_suggestion(make_app):
    app = make_app(ATOMIC_REQUEST=True)
    [message] = [m for m in messages(app, include_database=False) if m.id == "kit.W003"]
    assert message.hint == "Did you mean ATOMIC_REQUESTS?"


# -- the contract of plugins that ship migrations ------------------------------------------------


def write_plugin(make_module, tmp_path: Path, *, label: str, migrations: str | None = None) -> str:
    directory = tmp_path / "broken_migrations"
    directory.mkdir(exist_ok=True)
    (directory / "0001_broken.py").write_text(
        textwrap.dedent(
            f"""\
            revision = "broken_0001"
            down_revision = None
            branch_labels = ({label!r},)
            depends_on = None

            def upgrade():
                pass

            def downgrade():
                pass
            """
        )
    )
    make_module(
        "broken_plugin",
        f"""
        from flaskkit import Plugin

        class BrokenPlugin(Plugin):
            name = "broken"
            migrations = {migrations or str(directory)!r}
        """,
    )
    return "broken_plugin:BrokenPlugin"


def test_a_root_revision_without_the_plugins_branch_label(make_app, make_module, tmp_path, caplog):
    app = make_app(PLUGINS=["orm", write_plugin(make_module, tmp_path, label="other")])
    expected = (
        "The root revision broken_0001 of the plugin 'broken' (0001_broken.py) must have "
        "branch_labels = ('broken',), not ('other',)."
    )
    [message] = messages(app, tags=["database"])
    assert (message.id, message.msg) == ("orm.E002", expected)
    with caplog.at_level(logging.ERROR, logger="flask_migrate"):
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 1
    assert f"Error: {expected}" in caplog.text


def test_migrations_must_be_an_absolute_directory(make_app, make_module, tmp_path):
    with pytest.raises(ConfigurationError) as info:
        make_app(PLUGINS=["orm", write_plugin(make_module, tmp_path, label="broken", migrations="migrations")])
    assert str(info.value).startswith(
        "The 'migrations' directory of the plugin 'broken' is not an absolute path: 'migrations'."
    )
    assert info.value.plugin == "broken"


def test_metadata_without_migrations_is_refused(make_app):
    class Tables(Plugin):
        name = "tables"
        metadata = sa.MetaData()

    with pytest.raises(ConfigurationError) as info:
        make_app(PLUGINS=["orm", Tables])
    assert str(info.value).startswith(
        "The plugin 'tables' has a 'metadata' attribute but no 'migrations': nothing would create its tables."
    )


def test_a_database_at_the_revision_of_a_removed_plugin(make_app):
    with_plugin = make_app(PLUGINS=["orm", SamplePlugin])
    assert with_plugin.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    without = make_app()
    [message] = [m for m in messages(without) if m.id.startswith("orm.E")]
    assert message.id == "orm.E003"
    assert message.msg.startswith(
        "The database is at the revision(s) sample_0001, which no migrations folder of the app or of its plugins has"
    )
    assert message.hint.startswith("Was a plugin that ships migrations removed from PLUGINS? Put it back")


def test_a_plugin_author_writes_the_first_revision_into_the_plugin(make_app, make_module, tmp_path):
    directory = tmp_path / "new_plugin_migrations"
    directory.mkdir()
    make_module(
        "new_plugin",
        f"""
        from flaskkit import Plugin

        class NewPlugin(Plugin):
            name = "fresh"
            migrations = {str(directory)!r}
        """,
    )
    app = make_app(PLUGINS=["orm", "new_plugin:NewPlugin"])
    [message] = [m for m in messages(app) if m.id.startswith("orm.E")]
    assert (message.id, message.msg) == (
        "orm.E002",
        f"The plugin 'fresh' declares migrations in {directory}, but that directory holds no Alembic revision.",
    )
    args = ["db", "revision", "-m", "first", "--head", "base", "--branch-label", "fresh", "--version-path"]
    result = app.test_cli_runner().invoke(args=[*args, str(directory)])
    assert result.exit_code == 0, result.output
    [revision] = directory.glob("*_first.py")
    assert "branch_labels = ('fresh',)" in revision.read_text()
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    assert not [m for m in messages(app) if m.id.startswith("orm.E") or m.id == "orm.W001"]

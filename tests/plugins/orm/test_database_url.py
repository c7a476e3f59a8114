"""Where the database is: DATABASE_URL (setting, then environment), SQLALCHEMY_DATABASE_URI, SQLite by default."""

from __future__ import annotations

import logging
import os

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy.record_queries import get_recorded_queries

from flaskkit import ConfigurationError
from flaskkit import Kit
from flaskkit import create_app
from flaskkit._pip import pip_install
from flaskkit.plugins.orm import database_url
from flaskkit.plugins.orm import db
from flaskkit.plugins.orm.liveness import checked_checkout
from tests.conftest import settings

from .models import Author


def boot(tmp_path, **values):
    values.setdefault("PLUGINS", ["orm"])
    return create_app(settings(**values), instance_path=str(tmp_path / "instance"))


def engine_of(app):
    with app.app_context():
        return db.engine


def test_default_is_sqlite_in_the_instance_folder_created_on_first_connect(tmp_path):
    app = boot(tmp_path)
    path = tmp_path / "instance" / "flaskkit.db"
    assert database_url(app) == f"sqlite:///{path}"
    assert engine_of(app).url.database == str(path)
    assert (tmp_path / "instance").is_dir()
    assert not path.exists()  # booting wrote nothing
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))
        db.session.commit()
    assert path.exists()
    engine_of(app).dispose()


def test_instance_folder_is_created_when_missing(tmp_path):
    app = boot(tmp_path / "nested")
    assert (tmp_path / "nested" / "instance").is_dir()
    assert database_url(app).endswith("/nested/instance/flaskkit.db")


def test_setting_wins_over_environment_which_wins_over_sqlalchemy_uri(tmp_path, monkeypatch):
    explicit = f"sqlite:///{tmp_path / 'explicit.db'}"
    from_env = f"sqlite:///{tmp_path / 'env.db'}"
    setting = f"sqlite:///{tmp_path / 'setting.db'}"

    assert database_url(boot(tmp_path, SQLALCHEMY_DATABASE_URI=explicit)) == explicit
    monkeypatch.setenv("DATABASE_URL", from_env)
    assert database_url(boot(tmp_path, SQLALCHEMY_DATABASE_URI=explicit)) == from_env
    app = boot(tmp_path, SQLALCHEMY_DATABASE_URI=explicit, DATABASE_URL=setting)
    assert database_url(app) == setting
    assert engine_of(app).url.database == str(tmp_path / "setting.db")
    # Flask-SQLAlchemy's key now says what the app uses.
    assert app.config["SQLALCHEMY_DATABASE_URI"] == setting


def test_empty_values_count_as_unset(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "  ")
    app = boot(tmp_path, DATABASE_URL="")
    assert database_url(app) == f"sqlite:///{tmp_path / 'instance' / 'flaskkit.db'}"


def test_flask_prefixed_environment_variable_is_the_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_DATABASE_URL", f"sqlite:///{tmp_path / 'prefixed.db'}")
    assert database_url(boot(tmp_path)) == f"sqlite:///{tmp_path / 'prefixed.db'}"


def test_relative_sqlite_path_is_in_the_instance_folder(tmp_path):
    app = boot(tmp_path, DATABASE_URL="sqlite:///data/site.db")
    assert database_url(app) == f"sqlite:///{tmp_path / 'instance' / 'data' / 'site.db'}"
    assert engine_of(app).url.database == str(tmp_path / "instance" / "data" / "site.db")


def test_in_memory_sqlite_stays_in_memory(tmp_path):
    app = boot(tmp_path, DATABASE_URL="sqlite://")
    assert database_url(app) == "sqlite://"
    assert isinstance(engine_of(app).pool, sa.pool.StaticPool)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:secret@db.example.com/shop", "postgresql+psycopg://u:secret@db.example.com/shop"),
        ("postgresql://u:secret@db.example.com:5433/shop", "postgresql+psycopg://u:secret@db.example.com:5433/shop"),
        ("postgres+psycopg://u@db/shop?sslmode=require", "postgresql+psycopg://u@db/shop?sslmode=require"),
        ("postgresql+psycopg://u@db/shop", "postgresql+psycopg://u@db/shop"),
    ],
)
def test_postgres_urls_use_psycopg_3(tmp_path, given, expected):
    app = boot(tmp_path, DATABASE_URL=given)  # nothing connects at boot: the host need not exist
    assert database_url(app) == expected
    engine = engine_of(app)
    assert engine.url.drivername == "postgresql+psycopg"
    # A dropped connection is replaced: checked at each checkout, without a round trip unless it may be dead.
    assert engine.pool._pre_ping is False
    assert sa.event.contains(engine.pool, "checkout", checked_checkout)


def test_environment_postgres_url_reaches_the_real_server(tmp_path, monkeypatch, pg_url):
    monkeypatch.setenv("DATABASE_URL", pg_url.replace("postgresql://", "postgres://", 1))
    app = boot(tmp_path)
    with app.app_context():
        assert db.engine.url.drivername == "postgresql+psycopg"
        assert db.session.execute(sa.text("SELECT current_schema()")).scalar() == pg_url.rpartition("%3D")[2]
        db.session.rollback()
        db.engine.dispose()


def test_sqlite_gets_no_pre_ping(tmp_path):
    assert engine_of(boot(tmp_path)).pool._pre_ping is False


def test_database_options_pass_engine_options_over_sqlalchemy_engine_options(tmp_path, pg_url):
    app = boot(
        tmp_path,
        DATABASE_URL=pg_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 2, "pool_recycle": 60},
        DATABASE_OPTIONS={"pool_size": 3, "pool_pre_ping": False},
    )
    engine = engine_of(app)
    assert engine.pool.size() == 3
    assert engine.pool._recycle == 60
    assert engine.pool._pre_ping is False
    engine.dispose()


def test_flask_sqlalchemy_keys_keep_working(tmp_path):
    other = tmp_path / "other.db"
    app = boot(
        tmp_path, SQLALCHEMY_ECHO=True, SQLALCHEMY_RECORD_QUERIES=True, SQLALCHEMY_BINDS={"other": f"sqlite:///{other}"}
    )
    with app.app_context():
        assert db.engine.echo is True
        assert set(db.engines) == {None, "other"}
        db.session.execute(sa.text("SELECT 1"))
        assert [q.statement for q in get_recorded_queries()] == ["SELECT 1"]
        # the bind's SQLite engine enforces foreign keys too
        with db.engines["other"].connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.session.rollback()
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)  # SQLALCHEMY_ECHO set it
    for engine in engine_of(app), db._app_engines[app]["other"]:
        engine.dispose()


def test_database_url_is_pure_and_shared_with_another_engine(tmp_path, db_url):
    """The session plugin's db engine: its own engine on database_url(app) sees what db wrote."""
    app = boot(tmp_path, DATABASE_URL=db_url)
    assert database_url(app) == database_url(app)
    with app.app_context():
        db.metadata.create_all(db.engine, tables=[Author.__table__])
        db.session.add(Author(name="Ada"))
        db.session.commit()
        other = sa.create_engine(database_url(app))
        with other.connect() as connection:
            assert connection.execute(sa.select(Author.name)).scalars().all() == ["Ada"]
        other.dispose()
        db.engine.dispose()


# -- errors -----------------------------------------------------------------------------


def test_unparsable_url_names_the_setting_and_hides_the_password(tmp_path):
    with pytest.raises(ConfigurationError) as info:
        boot(tmp_path, DATABASE_URL="postgresql://app:s3cret@db:notaport/shop")
    message = str(info.value)
    assert message.startswith(
        "The DATABASE_URL setting is not a valid database URL: 'postgresql://app:***@db:notaport/shop'"
    )
    assert "s3cret" not in message
    assert "Hint: Write it as postgresql://USER:PASSWORD@HOST:5432/NAME" in message
    assert info.value.setting == "DATABASE_URL"
    assert info.value.plugin == "orm"


def test_bad_url_in_the_environment_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "not a url")
    with pytest.raises(ConfigurationError, match=r"^The DATABASE_URL environment variable is not a valid database URL"):
        boot(tmp_path)


def test_misspelt_database_gets_a_suggestion(tmp_path):
    with pytest.raises(ConfigurationError) as info:
        boot(tmp_path, DATABASE_URL="postgress://u@db/shop")
    assert str(info.value).startswith(
        "The DATABASE_URL setting names the database 'postgress', which SQLAlchemy does not know: 'postgress://u@db/shop'."
    )
    assert "Hint: Did you mean postgresql://...?" in str(info.value)


def test_missing_driver_says_what_to_install(tmp_path):
    with pytest.raises(ConfigurationError) as info:
        boot(tmp_path, DATABASE_URL="mysql://u:s3cret@db/shop")
    assert str(info.value).startswith(
        "The database mysql://u:***@db/shop (from the DATABASE_URL setting) needs the driver module 'MySQLdb', "
        "which is not installed.\n  Hint: Install it (pip install the package that provides 'MySQLdb')"
    )


def test_sqlalchemy_uri_of_the_wrong_type(tmp_path):
    with pytest.raises(ConfigurationError) as info:
        boot(tmp_path, SQLALCHEMY_DATABASE_URI=42)
    assert str(info.value).startswith("The SQLALCHEMY_DATABASE_URI setting must be a database URL string, not int 42.")
    assert info.value.setting == "SQLALCHEMY_DATABASE_URI"


@pytest.mark.parametrize(
    ("values", "start"),
    [
        ({"DATABASE_OPTIONS": ["pool_size", 3]}, "DATABASE_OPTIONS must be a dict, not list ['pool_size', 3]."),
        ({"DATABASE_OPTIONS": {"url": "sqlite://"}}, "DATABASE_OPTIONS has a 'url' key"),
        ({"DATABASE_OPTIONS": {"pool_sise": 3}}, "The database engine options are not valid: Invalid argument(s)"),
        ({"ATOMIC_REQUESTS": "yes"}, "ATOMIC_REQUESTS must be True or False, not 'yes'."),
        ({"MIGRATIONS_DIR": ""}, "MIGRATIONS_DIR must be a directory path, not ''."),
    ],
)
def test_bad_settings_fail_at_boot(tmp_path, values, start):
    with pytest.raises(ConfigurationError) as info:
        boot(tmp_path, **values)
    assert str(info.value).startswith(start)


def test_an_apps_own_db_command_is_kept(tmp_path):
    app = Flask("ownapp", instance_path=str(tmp_path / "instance"))
    app.config.update(settings(PLUGINS=["orm"]))

    @app.cli.command("db")
    def own_db() -> None:
        """The app's own."""

    Kit(app)
    assert app.cli.commands["db"] is own_db


def test_boot_does_not_touch_the_environment(tmp_path):
    before = dict(os.environ)
    boot(tmp_path)
    assert dict(os.environ) == before


def test_missing_psycopg_says_which_extra_to_install(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if psycopg were not installed
    with pytest.raises(ConfigurationError) as info:
        boot(tmp_path, DATABASE_URL="postgres://u:s3cret@db/shop")
    assert str(info.value) == (
        "The database postgresql+psycopg://u:***@db/shop (from the DATABASE_URL setting) needs the driver module "
        "'psycopg', which is not installed.\n"
        f"  Hint: Install it ({pip_install('flaskkit', ['postgres'])}), or name another driver in the URL "
        "(dialect+driver://...)."
    )

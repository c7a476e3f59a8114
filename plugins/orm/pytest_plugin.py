"""The orm plugin's test fixtures (registered as the ``flaskkit_orm`` pytest plugin).

::

    @pytest.mark.kit_settings(PLUGINS=["orm"])
    def test_create(db):
        db.session.add(Post(title="hi"))
        db.session.commit()

* ``db``: the app's databases with their schema, made once per test session
  (every migration, the app's and its plugins', then the tables of models
  without one); the test runs in a transaction rolled back at the end
  (pytest-django's ``db``, Django's ``TestCase``). Yields
  :data:`flaskkit.plugins.orm.db`, inside an app context.
* ``transactional_db``: the same schema, real commits, every table emptied
  after the test (``TransactionTestCase``): for ``on_commit``, post-commit
  signals, several connections, a ``live_server`` (which asks for it by itself).
* ``capture_on_commit_callbacks``, ``assert_num_queries``,
  ``assert_max_num_queries``: see :mod:`flaskkit.plugins.orm.assertions`.
* ``@pytest.mark.kit_fixtures("users.json", ...)``: JSON fixture files (``flask kit
  dumpdata``'s format) loaded into the test's database first (Django's ``TestCase.fixtures``).
* ``kit_db_setup`` (session): what makes the schemas; call
  ``kit_db_setup.prepare(app)`` to give an app of your own making the same schema.

Point ``DATABASE_URL`` at a database used only by tests: what is in it is dropped.

This module is imported by pytest in every project where flaskkit is
installed, so it imports nothing from the orm stack until a fixture runs.
"""

from __future__ import annotations

import functools
import typing as t

import pytest

if t.TYPE_CHECKING:
    from flask import Flask
    from flask_sqlalchemy import SQLAlchemy

    from .testing import DatabaseSetup

#: The fixtures that need real commits.
TRANSACTIONAL = ("transactional_db", "live_server")


#: The marker that loads fixture files into the test's database.
FIXTURES_MARKER = "kit_fixtures"


def pytest_configure(config: pytest.Config) -> None:
    from flaskkit.signals import kit_ready

    config.addinivalue_line(
        "markers",
        f"{FIXTURES_MARKER}(*paths): flaskkit: JSON fixture files loaded into the test's database by the db "
        "and transactional_db fixtures (relative paths: from the test file's folder).",
    )
    kit_ready.connect(_no_fsync_in_tests)


def _no_fsync_in_tests(app: Flask, kit: t.Any) -> None:
    """Every app booted in a test run, whatever made it: its SQLite databases skip the fsync of
    each commit (``PRAGMA synchronous=OFF``), as the test databases of the fixtures do."""
    if "flaskkit.orm" not in app.extensions:
        return
    from .testing import _all_engines
    from .testing import _speed_up_sqlite

    for engine in _all_engines(app):
        _speed_up_sqlite(engine)


@pytest.fixture(scope="session")
def kit_db_setup(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[DatabaseSetup]:
    """Makes the test databases' schemas, each once per test session (pytest-django's ``django_db_setup``)."""
    from .testing import DatabaseSetup

    setup = DatabaseSetup(tmp_path_factory.mktemp("flaskkit-databases"))
    yield setup
    setup.close()


def _needs_orm(app: Flask, fixture: str) -> None:
    plugins = app.extensions["flaskkit"].state(app).plugins if "flaskkit" in app.extensions else {}
    if "orm" not in plugins:
        pytest.fail(
            f"The {fixture} fixture needs the orm plugin: add 'orm' to PLUGINS (in your test settings, or with "
            "@pytest.mark.kit_settings(PLUGINS=[..., 'orm'])).",
            pytrace=False,
        )


@pytest.fixture
def _kit_database(request: pytest.FixtureRequest, app: Flask, kit_db_setup: DatabaseSetup) -> t.Iterator[SQLAlchemy]:
    transactional = any(name in request.fixturenames for name in TRANSACTIONAL)
    _needs_orm(app, "transactional_db" if transactional else "db")
    from flaskkit.test.client import use_test_client

    from . import db as orm_db
    from .testing import TestDatabase

    use_test_client(app)
    with app.app_context():
        database = TestDatabase(app, kit_db_setup, transactional=transactional)
        database.start()
        try:
            _load_fixtures(request)
            yield orm_db
        finally:
            database.finish()


def _load_fixtures(request: pytest.FixtureRequest) -> None:
    """The files of the ``kit_fixtures`` markers (Django's ``TestCase.fixtures``), module's first."""
    paths = [path for marker in reversed(list(request.node.iter_markers(FIXTURES_MARKER))) for path in marker.args]
    if not paths:
        return
    from .fixtures import load_fixture

    folder = request.path.parent
    for path in paths:
        load_fixture(folder / path)  # an absolute path stays as it is


@pytest.fixture
def db(_kit_database: SQLAlchemy) -> SQLAlchemy:
    """The orm plugin's ``db``; the test runs in a transaction rolled back at the end."""
    return _kit_database


@pytest.fixture
def transactional_db(_kit_database: SQLAlchemy) -> SQLAlchemy:
    """The orm plugin's ``db``; the test commits for real, and the tables are emptied after it."""
    return _kit_database


@pytest.fixture(autouse=True)
def _kit_live_server_database(request: pytest.FixtureRequest) -> None:
    """A test with ``live_server`` gets ``transactional_db`` when its app has the orm plugin: the server's
    threads have connections of their own, which see only what is committed."""
    if "live_server" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    kit = app.extensions.get("flaskkit")
    if kit is not None and "orm" in kit.state(app).plugins:
        request.getfixturevalue("transactional_db")


@pytest.fixture
def capture_on_commit_callbacks(app: Flask) -> t.Callable[..., t.ContextManager[list[t.Any]]]:
    """``with capture_on_commit_callbacks(execute=True) as callbacks:`` (pytest-django's
    ``django_capture_on_commit_callbacks``), for the test's app."""
    from .testing import capture_on_commit_callbacks as capture

    return functools.partial(capture, app=app)


@pytest.fixture
def assert_num_queries(app: Flask) -> t.Callable[..., t.Any]:
    """``with assert_num_queries(2):`` for the test's app (pytest-django's ``django_assert_num_queries``)."""
    from .assertions import assert_num_queries as assertion

    return functools.partial(assertion, app=app)


@pytest.fixture
def assert_max_num_queries(app: Flask) -> t.Callable[..., t.Any]:
    """``with assert_max_num_queries(2):`` (pytest-django's ``django_assert_max_num_queries``)."""
    from .assertions import assert_max_num_queries as assertion

    return functools.partial(assertion, app=app)

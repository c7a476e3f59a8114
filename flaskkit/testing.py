"""The flaskkit pytest plugin (``pytest11``): ``app``, ``client``, ``runner``, ``settings``, ``live_server``.

Point it at your settings once, in ``pyproject.toml``::

    [tool.pytest.ini_options]
    flaskkit_settings = "myapp.settings"

(``pytest --flaskkit-settings myapp.settings`` or the ``FLASKKIT_SETTINGS``
environment variable win over the ini file), then override settings per test, class or module with
the ``kit_settings`` marker; the closest marker wins::

    @pytest.mark.kit_settings(PLUGINS=["orm"], ATOMIC_REQUESTS=True)
    def test_create(client):
        assert client.post("/posts/", data={...}).status_code == 302

Each test gets a new app with ``TESTING = True`` and its own instance folder
in a temporary directory. Override the ``app`` fixture in a ``conftest.py``
to build the app your own way; ``client``, ``runner``, ``settings`` and
``live_server`` follow it. The database fixtures (``db``, ``transactional_db``...)
are the orm plugin's (``flaskkit.plugins.orm.pytest_plugin``); the helpers with
Django's names are in :mod:`flaskkit.test`.
"""

from __future__ import annotations

import contextlib
import os
import typing as t

import pytest

from .test.client import use_test_client
from .test.server import LiveServer
from .test.settings import SettingsOverride
from .test.urls import test_app

if t.TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient
    from flask.testing import FlaskCliRunner

MARKER = "kit_settings"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("flaskkit_settings", "flaskkit: the settings the `app` fixture starts from (an import path).")
    parser.addoption(
        "--flaskkit-settings",
        dest="flaskkit_settings",
        default=None,
        help="flaskkit: the settings the `app` fixture starts from (overrides the ini option).",
    )


def pytest_configure(config: pytest.Config) -> None:
    from .signals import kit_ready

    # Every app booted in the run compiles each template once for all (see flaskkit.test.jinja).
    kit_ready.connect(_share_compiled_templates)
    config.addinivalue_line(
        "markers",
        f"{MARKER}(mapping=None, **settings): flaskkit: settings for the `app` fixture, over the base settings.",
    )


def _share_compiled_templates(app: Flask, **extra: t.Any) -> None:
    from .test.jinja import share_compiled_templates

    share_compiled_templates(app)


def _base_settings(config: pytest.Config) -> str | None:
    # The command line, then the environment, then the ini file (as pytest-django does).
    value = config.getoption("flaskkit_settings") or os.environ.get("FLASKKIT_SETTINGS")
    return value or config.getini("flaskkit_settings") or None


@pytest.fixture
def kit_settings(request: pytest.FixtureRequest) -> dict[str, t.Any]:
    """The settings the ``kit_settings`` markers give this test (closest marker wins)."""
    merged: dict[str, t.Any] = {}
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        for mapping in marker.args:
            merged.update(mapping)
        merged.update(marker.kwargs)
    return merged


@pytest.fixture
def app(request: pytest.FixtureRequest, kit_settings: dict[str, t.Any], tmp_path: t.Any) -> t.Iterator[Flask]:
    """A new app per test: base settings, then ``TESTING = True``, then the markers."""
    from .app import create_app

    base = _base_settings(request.config)
    kwargs: dict[str, t.Any] = {"instance_path": str(tmp_path / "instance")}
    if base is None:
        kwargs["import_name"] = request.module.__name__ if request.module else "tests"
    app = use_test_client(create_app(base, overrides={"TESTING": True, **kit_settings}, **kwargs))
    with _the_tests_app(app):
        yield app


@pytest.fixture
def client(app: Flask) -> t.Iterator[FlaskClient]:
    """The app's test client: :class:`flaskkit.test.Client` unless the app names its own class."""
    with _the_tests_app(app):
        yield use_test_client(app).test_client()


@contextlib.contextmanager
def _the_tests_app(app: Flask) -> t.Iterator[None]:
    """``reverse()`` outside an app context uses the test's app."""
    token = test_app.set(app)
    try:
        yield
    finally:
        test_app.reset(token)


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """The app's CLI runner: ``runner.invoke(args=["kit", "check"])``."""
    return app.test_cli_runner()


@pytest.fixture
def settings(app: Flask) -> t.Iterator[SettingsOverride]:
    """The app's settings, to change for the test: ``settings.FOO = 1`` (put back after the test),
    ``with settings(FOO=1):`` for a block. Settings read at boot need the ``kit_settings`` marker."""
    override = SettingsOverride(app)
    try:
        yield override
    finally:
        override.restore()


@pytest.fixture
def live_server(app: Flask) -> t.Iterator[LiveServer]:
    """The app served by a real server thread on 127.0.0.1, on a free port: ``live_server.url``.
    With the orm plugin the test gets ``transactional_db`` (the server's threads see what is committed)."""
    server = LiveServer(app).start()
    try:
        yield server
    finally:
        server.stop()

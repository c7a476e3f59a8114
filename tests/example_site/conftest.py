"""The example site's app for the tests: a fresh SQLite database in the test's temporary folder.

The ``app`` fixture (and so ``client`` and ``runner`` of flaskkit's pytest plugin) is the
site's own app, made by ``example_site.create_app`` with the site's settings, migrated as
``python -m example_site`` migrates it. The environment variables the site reads are
cleared first, so the tests never pick up a developer's ``DATABASE_URL``.
"""

from __future__ import annotations

import gc
import os
import typing as t
from pathlib import Path

import pytest
from flask import request_finished

from example_site import create_app
from example_site.caching import clear_cached_pages
from example_site.seed import migrate
from flaskkit.plugins.signals import disconnect
from flaskkit.plugins.signals import post_commit_delete
from flaskkit.plugins.signals import post_commit_save

if t.TYPE_CHECKING:
    from flask import Flask

#: The variables the site reads (besides FLASK_*).
SITE_ENVIRONMENT = (
    "DATABASE_URL",
    "REDIS_URL",
    "REDIS_KEY_PREFIX",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "EXAMPLE_SITE_INSTANCE_PATH",
    "EXAMPLE_SITE_DEMO_PASSWORD",
)


@pytest.fixture(scope="package", autouse=True)
def _leave_no_receivers_behind() -> t.Iterator[None]:
    """Signal receivers are process-wide: once the site's tests are done, the other test packages
    must not see the receivers the site's plugin connected (``ready``), nor those the plugins
    connected weakly for the site's apps (the cache plugin's ``request_finished``, per app)."""
    yield
    for signal in (post_commit_save, post_commit_delete):
        # By the receiver, for every sender: blinker keeps a receiver disconnected from one sender only.
        disconnect(signal, clear_cached_pages)
    gc.collect()  # the apps, and with them their plugins' weakly connected receivers


@pytest.fixture
def site_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No variable of the site's in the environment; set some with the returned monkeypatch."""
    for name in [*SITE_ENVIRONMENT, *(key for key in os.environ if key.startswith("FLASK_"))]:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def instance_path(tmp_path: Path) -> Path:
    return tmp_path / "instance"


#: Django's advice for tests: a fast password hasher. The site's default (Django's pbkdf2_sha256,
#: 1,000,000 iterations) takes about half a second per password; the tests of ``python -m
#: example_site``, of PostgreSQL and Redis, and the browser tests keep it.
FAST_PASSWORD_HASHERS = ["flaskkit.plugins.auth.hashers:MD5PasswordHasher"]


@pytest.fixture
def app(site_environment: pytest.MonkeyPatch, instance_path: Path, kit_db_setup: t.Any) -> t.Iterator[Flask]:
    """The site on SQLite in ``instance_path``, with every migration applied (``migrate()``, run once per
    test session: each next test's empty database is a copy of the first one's)."""
    # The locmem mail backend (the site prints its mail with the console backend): see the mailoutbox fixture.
    overrides = {"TESTING": True, "PASSWORD_HASHERS": FAST_PASSWORD_HASHERS, "EMAIL_BACKEND": "locmem"}
    app = create_app(overrides, instance_path=instance_path)
    kit_db_setup.prepare(app, migrate=migrate, tables=())
    yield app
    # The cache plugin stores pages from request_finished, connected (weakly) for this app once a
    # cached page was served: it would stay listed until the garbage collector frees the app.
    for receiver in list(request_finished.receivers_for(app)):
        request_finished.disconnect(receiver)

"""The example site: a small notes board built from flaskkit's plugins.

Run it with ``python -m example_site`` (see ``__main__.py``): that applies the
migrations, adds demo content on the first run and serves the site on
http://127.0.0.1:5000/. ``flask --app example_site run`` serves it too, without
migrating or seeding.

* ``settings.py``: the settings (every built-in plugin, embedded defaults,
  PostgreSQL and Redis from ``DATABASE_URL``/``REDIS_URL``);
* ``models.py``: the ``Note`` model; ``migrations/``: its Alembic revisions;
* ``plugin.py``: the site's own plugin (Django's app): adds the pages, connects the receivers;
* ``views.py``: the pages, built from the generic class-based views; ``urls.py``: their URLs;
* ``templates/`` and ``static/site.css``: the layout and the pages;
* ``feeds.py``: the newest notes in RSS and Atom; ``sitemaps.py``: the sitemap and ``robots.txt``;
* ``caching.py``: the public pages' cache and the signal receivers that clear it;
* ``middleware.py``: the site's own middleware (a ``Server-Timing`` header);
* ``seed.py``: applying the migrations and adding the demo content, for ``__main__``.
"""

from __future__ import annotations

import collections.abc as cabc
import os
import secrets
import tempfile
import typing as t
from pathlib import Path

from flask import Flask

from flaskkit import Kit

__all__ = ["DEFAULT_INSTANCE_PATH", "INSTANCE_PATH_ENV_VAR", "SETTINGS_FILE", "create_app", "instance_secret_key"]

PACKAGE_DIR = Path(__file__).resolve().parent
#: The settings, read again for each app (so the environment is read when the app is made).
SETTINGS_FILE = PACKAGE_DIR / "settings.py"
#: Flask's own default for a package that is not installed: ``instance/`` beside it.
DEFAULT_INSTANCE_PATH = PACKAGE_DIR.parent / "instance"
#: Points the instance folder (database, sessions, secret key) elsewhere.
INSTANCE_PATH_ENV_VAR = "EXAMPLE_SITE_INSTANCE_PATH"


def create_app(
    overrides: cabc.Mapping[str, t.Any] | None = None, *, instance_path: str | os.PathLike[str] | None = None
) -> Flask:
    """Make the site's app: the settings, then ``FLASK_*`` environment variables, then ``overrides``.

    ``instance_path`` (default: ``EXAMPLE_SITE_INSTANCE_PATH``, else ``instance/``
    beside the package) holds the SQLite database, the session files and the
    secret key. Nothing is written to the database here.
    """
    instance = Path(instance_path or os.environ.get(INSTANCE_PATH_ENV_VAR) or DEFAULT_INSTANCE_PATH).resolve()
    app = Flask(__name__, instance_path=str(instance))
    app.config.from_pyfile(str(SETTINGS_FILE))
    app.config.from_prefixed_env()
    if overrides:
        app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    Kit(app)  # boots the PLUGINS, the site's own NotesPlugin (plugin.py) included
    return app


def instance_secret_key(instance_path: str | os.PathLike[str]) -> str:
    """The secret key in ``<instance_path>/secret_key``, made on first use (as Django's
    ``startproject`` writes one into a new project's settings)."""
    path = Path(instance_path) / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key-")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(50) + "\n")
        os.link(temporary, path)  # atomic, and never replaces a key another process wrote first
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)
    return path.read_text(encoding="ascii").strip()

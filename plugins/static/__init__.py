"""The ``static`` plugin: static files served by WhiteNoise, collected and hashed by ``flask kit collectstatic``.

::

    PLUGINS = [..., "static"]
    STATIC_ROOT = "/srv/site/static"          # where collectstatic puts every file
    STATICFILES_DIRS = ["assets"]             # more folders, served under STATIC_URL

In development (nothing collected yet) Flask serves the app's and the
blueprints' static folders as usual, and WhiteNoise the ``STATICFILES_DIRS``.
In production, ``flask kit collectstatic`` copies every static file (the app's
``static/``, each blueprint's, ``STATICFILES_DIRS``) into ``STATIC_ROOT`` at
the path of its URL, adds a copy whose name carries a hash of its content
(``site.3f2a9c1be0d4.css``) and gzip (and Brotli, when installed) variants, and
writes ``staticfiles.json``; then ``url_for("static", filename="site.css")``
gives the hashed URL, and WhiteNoise serves it compressed and cached forever
(``Cache-Control: max-age=315360000, public, immutable``), before Flask. See
docs/deployment.md.
"""

from __future__ import annotations

import collections.abc as cabc
import functools
import json
import os
import typing as t

from whitenoise import WhiteNoise

from flaskkit import ConfigurationError
from flaskkit import Plugin
from flaskkit.pipeline import Layer

from .collect import MANIFEST_NAME
from .collect import collectstatic_command
from .collect import static_sources

if t.TYPE_CHECKING:
    import click
    from flask import Flask

__all__ = ["MANIFEST_NAME", "StaticPlugin", "static_sources"]


class StaticPlugin(Plugin):
    """WhiteNoise in front of the app, ``flask kit collectstatic``, and hashed URLs from ``url_for``."""

    name = "static"
    extra = "static"
    defaults: t.ClassVar[t.Mapping[str, t.Any]] = {
        #: The URL of STATICFILES_DIRS' files (Django's name); None: the app's static URL ("/static/").
        "STATIC_URL": None,
        #: Where collectstatic copies every static file (Django's name); None: nothing collected.
        "STATIC_ROOT": None,
        #: More folders whose files are served under STATIC_URL (Django's name).
        "STATICFILES_DIRS": [],
        #: Seconds browsers may keep a file whose name has no hash (a hashed one is kept forever).
        "STATIC_MAX_AGE": 60,
    }

    def __init__(self) -> None:
        #: URL path (no leading slash) -> its hashed URL path, from STATIC_ROOT/staticfiles.json.
        self.manifest: dict[str, str] = {}
        #: The hashed URLs ("/static/site.3f2a9c1be0d4.css"): cached forever.
        self.hashed_urls: frozenset[str] = frozenset()
        #: Static endpoint -> its URL path prefix ("static" -> "static/").
        self.endpoints: dict[str, str] = {}

    def configure(self, app: Flask) -> None:
        config = app.config
        url = config["STATIC_URL"]
        if url is None:
            url = config["STATIC_URL"] = (app.static_url_path or "/static").rstrip("/") + "/"
        if not isinstance(url, str) or not url.startswith("/") or not url.endswith("/"):
            raise ConfigurationError(
                f"STATIC_URL must be a path that starts and ends with '/', not {url!r}.",
                setting="STATIC_URL",
                hint="Write STATIC_URL = '/static/' (the URL of the files; a CDN in front keeps this path).",
            )
        root = config["STATIC_ROOT"]
        if root is not None and (not isinstance(root, str | os.PathLike) or not os.path.isabs(root)):
            raise ConfigurationError(
                f"STATIC_ROOT must be an absolute folder path, not {root!r}.",
                setting="STATIC_ROOT",
                hint="Write STATIC_ROOT = '/srv/mysite/static' (a folder collectstatic may fill).",
            )
        dirs = config["STATICFILES_DIRS"]
        if isinstance(dirs, str | bytes) or not isinstance(dirs, cabc.Iterable):
            raise ConfigurationError(
                f"STATICFILES_DIRS must be a list of folders, not {dirs!r}.",
                setting="STATICFILES_DIRS",
                hint="Write STATICFILES_DIRS = ['assets'] (relative to the app's root_path) or absolute paths.",
            )
        config["STATICFILES_DIRS"] = [os.path.join(app.root_path, os.fspath(d)) for d in dirs]
        age = config["STATIC_MAX_AGE"]
        if isinstance(age, bool) or not isinstance(age, int) or age < 0:
            raise ConfigurationError(
                f"STATIC_MAX_AGE must be seconds (0 or more), not {age!r}.", setting="STATIC_MAX_AGE"
            )

    def layers(self, app: Flask) -> t.Iterable[Layer]:
        yield Layer(
            "static.files",
            wsgi=functools.partial(self._whitenoise, app=app),
            # Outside the host check, as before Flask: a static file is the same whatever the host.
            over="middleware.allowed_hosts",
            description="WhiteNoise: "
            + (f"STATIC_ROOT {app.config['STATIC_ROOT']}" if app.config["STATIC_ROOT"] else "STATICFILES_DIRS"),
        )

    def init_app(self, app: Flask) -> None:
        app.url_defaults(self._hashed_filename)

    def ready(self, app: Flask) -> None:
        self.endpoints = {endpoint: prefix for endpoint, prefix, _folder in static_sources(app, with_dirs=False)}
        root = app.config["STATIC_ROOT"]
        path = os.path.join(root, MANIFEST_NAME) if root else None
        if path and os.path.isfile(path):
            with open(path, encoding="utf-8") as file:
                self.manifest = dict(json.load(file).get("paths", {}))
            self.hashed_urls = frozenset("/" + hashed for hashed in self.manifest.values())

    def kit_commands(self, app: Flask) -> list[click.Command]:
        return [collectstatic_command(self)]

    # -- request time --------------------------------------------------------------------------

    def _hashed_filename(self, endpoint: str, values: dict[str, t.Any]) -> None:
        """``url_for("static", filename="site.css")`` -> the collected, hashed file's name."""
        if not self.manifest:
            return
        prefix = self.endpoints.get(endpoint)
        filename = values.get("filename")
        if prefix is None or not isinstance(filename, str):
            return
        hashed = self.manifest.get(prefix + filename)
        if hashed is not None:
            values["filename"] = hashed[len(prefix) :]

    def _whitenoise(self, wsgi_app: t.Any, app: Flask) -> WhiteNoise:
        config = app.config
        server = WhiteNoise(
            wsgi_app,
            autorefresh=app.debug,
            max_age=config["STATIC_MAX_AGE"],
            immutable_file_test=lambda path, url: url in self.hashed_urls,
            add_headers_function=_nosniff,
        )
        root = config["STATIC_ROOT"]
        if root and os.path.isfile(os.path.join(root, MANIFEST_NAME)):
            server.add_files(os.fspath(root), prefix="/")  # collected at the path of each URL
        else:
            for folder in config["STATICFILES_DIRS"]:
                if os.path.isdir(folder):
                    server.add_files(folder, prefix=config["STATIC_URL"])
        return server


def _nosniff(headers: t.Any, path: str, url: str) -> None:
    # What SecurityMiddleware adds to Flask's responses; WhiteNoise answers before it.
    headers["X-Content-Type-Options"] = "nosniff"

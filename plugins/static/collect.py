"""``flask kit collectstatic``: every static file into ``STATIC_ROOT``, with hashed names and compressed copies.

Django's ``collectstatic`` with ``ManifestStaticFilesStorage`` and WhiteNoise's
compression: the files of the app's static folder, of each blueprint's (a
plugin's templates' CSS and JS) and of ``STATICFILES_DIRS`` are copied to
``STATIC_ROOT`` at the path of their URL (``/static/site.css`` ->
``STATIC_ROOT/static/site.css``); each gets a copy named after the MD5 of its
content (``site.3f2a9c1be0d4.css``, Django's 12 characters) and ``.gz`` (and
``.br`` with the ``brotli`` package) variants, and ``staticfiles.json`` maps
each path to its hashed one. When two sources have a file at the same URL, the
first one wins: ``STATICFILES_DIRS``, then the app's folder, then the
blueprints' in registration order, as Django's finders look in
``STATICFILES_DIRS`` before the apps' folders (and as WhiteNoise serves
``STATICFILES_DIRS`` before Flask in development).

CSS ``url(...)`` references are not rewritten (Django's manifest storage does):
a stylesheet keeps pointing at the unhashed file, which is served too, cached
``STATIC_MAX_AGE`` seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import typing as t

import click
from flask import current_app

if t.TYPE_CHECKING:
    from flask import Flask

    from . import StaticPlugin

__all__ = ["MANIFEST_NAME", "collect", "collectstatic_command", "static_sources"]

#: The manifest collectstatic writes into STATIC_ROOT (Django's name).
MANIFEST_NAME = "staticfiles.json"
_COMPRESSED = (".gz", ".br")


def static_sources(app: Flask, *, with_dirs: bool = True) -> list[tuple[str | None, str, str]]:
    """``(endpoint, URL path prefix without the leading slash, folder)`` of every static folder, first wins first."""
    sources: list[tuple[str | None, str, str]] = []
    for rule in app.url_map.iter_rules():
        endpoint = rule.endpoint
        if endpoint != "static" and not endpoint.endswith(".static"):
            continue
        if endpoint == "static":
            folder = app.static_folder
        else:
            blueprint = app.blueprints.get(endpoint.rpartition(".")[0])
            folder = blueprint.static_folder if blueprint is not None else None
        if folder and os.path.isdir(folder):
            sources.append((endpoint, rule.rule.split("<", 1)[0].lstrip("/"), folder))
    sources.sort(key=lambda source: source[0] != "static")  # the app's own first (stable for the blueprints)
    if with_dirs:  # first of all, as Django's finders look in STATICFILES_DIRS before the apps' folders
        prefix = app.config["STATIC_URL"].lstrip("/")
        dirs = [(None, prefix, folder) for folder in app.config["STATICFILES_DIRS"] if os.path.isdir(folder)]
        sources = [*dirs, *sources]
    return sources


def _hashed_name(path: str, data: bytes) -> str:
    digest = hashlib.md5(data, usedforsecurity=False).hexdigest()[:12]
    base, ext = os.path.splitext(path)
    return f"{base}.{digest}{ext}"


def collect(app: Flask, *, clear: bool = False) -> tuple[int, int]:
    """Collect into ``STATIC_ROOT``; ``(files copied, files skipped because another source had them)``."""
    from whitenoise.compress import Compressor

    root = os.fspath(app.config["STATIC_ROOT"])
    if clear and os.path.isdir(root):
        for entry in os.scandir(root):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
    os.makedirs(root, exist_ok=True)
    compressor = Compressor(quiet=True)
    paths: dict[str, str] = {}
    skipped = 0
    for _endpoint, prefix, folder in static_sources(app):
        for directory, _dirs, files in os.walk(folder):
            for name in sorted(files):
                if name.endswith(_COMPRESSED) or name.startswith("."):
                    continue
                source = os.path.join(directory, name)
                url_path = (prefix + os.path.relpath(source, folder).replace(os.sep, "/")).lstrip("/")
                if url_path in paths:
                    skipped += 1
                    continue
                with open(source, "rb") as file:
                    data = file.read()
                hashed = _hashed_name(url_path, data)
                for target in (url_path, hashed):
                    destination = os.path.join(root, *target.split("/"))
                    os.makedirs(os.path.dirname(destination), exist_ok=True)
                    with open(destination, "wb") as file:
                        file.write(data)
                    for _compressed in compressor.compress(destination):
                        pass
                paths[url_path] = hashed
    manifest = {"version": 1, "paths": dict(sorted(paths.items()))}
    with open(os.path.join(root, MANIFEST_NAME), "w", encoding="utf-8") as file:
        json.dump(manifest, file, indent=1)
    return len(paths), skipped


def collectstatic_command(plugin: StaticPlugin) -> click.Command:
    @click.command("collectstatic")
    @click.option("--clear", is_flag=True, help="Delete everything in STATIC_ROOT first.")
    def collectstatic(clear: bool) -> None:
        """Copy every static file into STATIC_ROOT, with hashed names and compressed copies (for WhiteNoise)."""
        app = t.cast("Flask", current_app._get_current_object())  # type: ignore[attr-defined]
        if not app.config.get("STATIC_ROOT"):
            raise click.ClickException(
                "STATIC_ROOT is not set: set it to the folder collectstatic should fill, e.g. "
                "STATIC_ROOT = '/srv/mysite/static' (or FLASK_STATIC_ROOT in the environment)."
            )
        copied, skipped = collect(app, clear=clear)
        more = f"; {skipped} skipped (another folder has a file at the same URL)" if skipped else ""
        click.echo(
            f"{copied} static file{'s' if copied != 1 else ''} copied to {app.config['STATIC_ROOT']}, "
            f"with hashed names and compressed copies{more}."
        )

    return collectstatic

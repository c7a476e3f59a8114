"""The site's own plugin: what a Django project's own app is, listed in ``PLUGINS`` as an app is in
``INSTALLED_APPS``.

It boots after the plugins it uses (``requires``): ``init_app`` adds the pages (Django's
``include("notes.urls")``), and ``ready`` connects the signal receivers, as a Django app does
in ``AppConfig.ready()``.
"""

from __future__ import annotations

import typing as t

from flaskkit import Plugin

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["NotesPlugin"]


class NotesPlugin(Plugin):
    """The notes board: its pages, error pages and template filters, and its receivers."""

    name = "notes"
    requires = ("orm", "cache", "forms", "signals", "auth", "views")

    def init_app(self, app: Flask) -> None:
        from .urls import register_urls

        register_urls(app)

    def ready(self, app: Flask) -> None:
        from .caching import connect_receivers

        connect_receivers()

"""The site's URLs (Django's ``urls.py``): the notes blueprint, and the app-wide pieces.

The log in, log out, register and password pages are the auth plugin's, under
``/accounts/`` (``AUTH_URL_PREFIX``). The feeds (``/feed/``, ``/feed/atom/``), the sitemap
(``/sitemap.xml``) and ``/robots.txt`` are in ``feeds.py`` and ``sitemaps.py``.
"""

from __future__ import annotations

import datetime as dt
import typing as t

from babel import dates
from flask import Blueprint
from werkzeug.exceptions import HTTPException

from flaskkit.plugins.i18n.formatting import current_locale
from flaskkit.plugins.sitemaps import SitemapIndexView
from flaskkit.plugins.sitemaps import SitemapView

from .feeds import LatestNotesAtomFeed
from .feeds import LatestNotesFeed
from .sitemaps import SITEMAPS
from .sitemaps import robots_txt
from .views import MyNotes
from .views import NoteCreate
from .views import NoteDelete
from .views import NoteDetail
from .views import NoteList
from .views import NoteUpdate
from .views import error_page

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["format_date", "format_datetime", "notes", "register_urls"]

#: Every page of notes; endpoints ``notes.list``, ``notes.detail``...
notes = Blueprint("notes", __name__)
notes.add_url_rule("/", view_func=NoteList.as_view("list"))
notes.add_url_rule("/notes/mine/", view_func=MyNotes.as_view("mine"))
notes.add_url_rule("/notes/new/", view_func=NoteCreate.as_view("create"))
notes.add_url_rule("/notes/<int:pk>/", view_func=NoteDetail.as_view("detail"))
notes.add_url_rule("/notes/<int:pk>/edit/", view_func=NoteUpdate.as_view("update"))
notes.add_url_rule("/notes/<int:pk>/delete/", view_func=NoteDelete.as_view("delete"))
#: The newest notes for feed readers (the syndication plugin).
notes.add_url_rule("/feed/", view_func=LatestNotesFeed.as_view("feed"))
notes.add_url_rule("/feed/atom/", view_func=LatestNotesAtomFeed.as_view("feed_atom"))


def register_urls(app: Flask) -> None:
    """Add the site's pages, error pages and template filter to ``app``."""
    app.register_blueprint(notes)
    # The sitemap for search engines (the sitemaps plugin): an index of its sections, and robots.txt naming it.
    app.add_url_rule("/sitemap.xml", view_func=SitemapIndexView.as_view("sitemap_index", sitemaps=SITEMAPS))
    app.add_url_rule("/sitemap-<section>.xml", view_func=SitemapView.as_view("sitemap", sitemaps=SITEMAPS))
    app.add_url_rule("/robots.txt", view_func=robots_txt)
    app.register_error_handler(HTTPException, error_page)  # every 4xx (400, 403, 404, 405, 413...) and 503
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_date, "date")


def format_datetime(value: dt.datetime) -> str:
    """``Nov 21, 2026, 14:05 UTC`` (``21. Nov. 2026, 14:05 UTC``...): in the visitor's language."""
    value, locale = _utc(value), current_locale()
    day = dates.format_skeleton("yMMMd", value, locale=locale)
    time = dates.format_skeleton("Hm", value, locale=locale)
    return dates.get_datetime_format("medium", locale).replace("{1}", day).replace("{0}", time) + " UTC"


def format_date(value: dt.datetime) -> str:
    """``Nov 21, 2026``, ``21.11.2026``..., in the visitor's language."""
    return dates.format_date(_utc(value), "medium", locale=current_locale())


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite gives naive datetimes back; they were written in UTC.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)

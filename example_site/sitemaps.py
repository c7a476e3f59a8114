"""The site's sitemap (the sitemaps plugin) and its ``robots.txt``, which points search engines at it.

``/sitemap.xml`` is an index of two sections: ``/sitemap-notes.xml`` (every note, with the
date it last changed) and ``/sitemap-pages.xml`` (the site's other public pages). A
section of more than 50,000 notes would be paged (``?p=2``) and listed page by page in
the index. Each page of notes is two queries, the ids and dates only.
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from flask import current_app
from flask import url_for

from flaskkit.plugins.sitemaps import GenericSitemap
from flaskkit.plugins.sitemaps import Sitemap
from flaskkit.plugins.syndication import get_current_site

from .models import Note

if t.TYPE_CHECKING:
    from werkzeug.wrappers import Response

__all__ = ["SITEMAPS", "PagesSitemap", "robots_txt"]


class PagesSitemap(Sitemap):
    """The public pages that are not notes."""

    changefreq = "hourly"

    def items(self) -> list[str]:
        return ["notes.list"]

    def location(self, endpoint: str) -> str:  # type: ignore[override]
        return url_for(endpoint)


#: The sections of the sitemap.
SITEMAPS: dict[str, t.Any] = {
    # "only": the note's URL needs its id; nothing else of the row (not the body, not the author) is loaded.
    "notes": GenericSitemap({"queryset": sa.select(Note), "date_field": "updated_at", "only": ["id"]}),
    "pages": PagesSitemap,
}


def robots_txt() -> Response:
    """``/robots.txt``: the sitemap's address (absolute, as the robots.txt rules want), and the pages to skip."""
    site = get_current_site()
    admin = str(current_app.config.get("ADMIN_URL") or "/admin").rstrip("/") + "/"
    lines = [
        "User-agent: *",
        "Disallow: /accounts/",
        f"Disallow: {admin}",
        f"Sitemap: {site.absolute_url(url_for('sitemap_index'))}",
    ]
    return current_app.response_class("\n".join(lines) + "\n", mimetype="text/plain")

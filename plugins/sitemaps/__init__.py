"""The ``sitemaps`` plugin: Django's sitemap framework (``django.contrib.sitemaps``).

::

    # settings.py
    PLUGINS = ["orm", "middleware", "sitemaps", ...]
    SITE_URL = "https://notes.example"       # optional: else the request's host, validated by ALLOWED_HOSTS

    # sitemaps.py
    from flaskkit.plugins.sitemaps import GenericSitemap, Sitemap, SitemapIndexView, SitemapView

    class StaticSitemap(Sitemap):
        changefreq = "monthly"

        def items(self):
            return ["notes.list", "about"]

        def location(self, endpoint):
            return url_for(endpoint)

    sitemaps = {
        "notes": GenericSitemap({"queryset": select(Note), "date_field": "updated_at", "only": ["id"]}),
        "pages": StaticSitemap,
    }
    app.add_url_rule("/sitemap.xml", view_func=SitemapIndexView.as_view("sitemap_index", sitemaps=sitemaps))
    app.add_url_rule("/sitemap-<section>.xml", view_func=SitemapView.as_view("sitemap", sitemaps=sitemaps))

* ``Sitemap`` (``items()``, ``location()``, ``lastmod``, ``changefreq``, ``priority``,
  ``protocol``, ``limit``, ``paginator``, Django's ``i18n`` hooks) and ``GenericSitemap``;
* the sitemap and sitemap-index views, paged at 50,000 URLs (``?p=2``), with
  ``X-Robots-Tag``, ``Last-Modified`` and conditional GET;
* items from a ``select()`` are counted and paged in SQL;
* absolute URLs from ``SITE_URL`` or the validated request host only (``sitemaps.E001``);
* the templates ``sitemaps/sitemap.xml`` and ``sitemaps/sitemap_index.xml`` and the
  template filter ``w3c_datetime``.

See docs/plugins/syndication.md.
"""

from __future__ import annotations

import typing as t

from flask import Blueprint

from flaskkit import Plugin
from flaskkit.plugins.syndication.dates import w3c_datetime
from flaskkit.plugins.syndication.sites import Site
from flaskkit.plugins.syndication.sites import check_site_url
from flaskkit.plugins.syndication.sites import get_current_site
from flaskkit.plugins.syndication.sites import parse_site_url

from .base import CHANGEFREQ_VALUES
from .base import GenericSitemap
from .base import Sitemap
from .pagination import MAX_URLS
from .pagination import EmptyPage
from .pagination import InvalidPage
from .pagination import PageNotAnInteger
from .pagination import SitemapPaginator
from .views import EXTENSION_KEY
from .views import X_ROBOTS_TAG
from .views import SitemapIndexItem
from .views import SitemapIndexView
from .views import SitemapView
from .views import x_robots_tag

if t.TYPE_CHECKING:
    from flask import Flask

    from flaskkit.checks import CheckMessage

__all__ = [
    "CHANGEFREQ_VALUES",
    "MAX_URLS",
    "X_ROBOTS_TAG",
    "EmptyPage",
    "GenericSitemap",
    "InvalidPage",
    "PageNotAnInteger",
    "Site",
    "Sitemap",
    "SitemapIndexItem",
    "SitemapIndexView",
    "SitemapPaginator",
    "SitemapView",
    "SitemapsPlugin",
    "get_current_site",
    "w3c_datetime",
    "x_robots_tag",
]


class SitemapsPlugin(Plugin):
    """Sitemaps: the templates, the ``w3c_datetime`` filter, and the check of how absolute URLs are built."""

    name = "sitemaps"
    #: ALLOWED_HOSTS (the middleware plugin) is what makes the request's host safe to use.
    after = ("middleware", "syndication")
    defaults: t.ClassVar[t.Mapping[str, t.Any]] = {"SITE_URL": None}

    def configure(self, app: Flask) -> None:
        parse_site_url(app.config.get("SITE_URL"), self.name)

    def init_app(self, app: Flask) -> None:
        app.extensions[EXTENSION_KEY] = self
        blueprint = Blueprint("flaskkit_sitemaps", __name__, template_folder="templates")
        blueprint.add_app_template_filter(w3c_datetime, "w3c_datetime")
        app.register_blueprint(blueprint)

    def checks(self, app: Flask) -> t.Iterable[CheckMessage]:
        kit = app.extensions.get("flaskkit")
        if kit is not None and "syndication" in kit.plugins:
            return []  # the syndication plugin reports the same condition (syndication.E001)
        return check_site_url(app, self.name)

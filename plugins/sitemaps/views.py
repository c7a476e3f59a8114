"""The sitemap and sitemap-index views (Django's ``django.contrib.sitemaps.views.sitemap`` and ``index``).

::

    sitemaps = {"notes": NoteSitemap, "pages": StaticSitemap}

    # a site with a few thousand URLs: one file
    app.add_url_rule("/sitemap.xml", view_func=SitemapView.as_view("sitemap", sitemaps=sitemaps))

    # a large site: an index of one sitemap per section, each paged at 50,000 URLs (?p=2)
    app.add_url_rule("/sitemap.xml", view_func=SitemapIndexView.as_view("sitemap_index", sitemaps=sitemaps))
    app.add_url_rule("/sitemap-<section>.xml", view_func=SitemapView.as_view("sitemap", sitemaps=sitemaps))

A value of ``sitemaps`` is a ``Sitemap`` class (made for each request) or instance.
Both views answer with ``X-Robots-Tag: noindex, noodp, noarchive`` (Django's), an
``ETag``, ``Last-Modified`` when every URL has a ``lastmod``, and 304 to a conditional
request. An unknown section or page is a 404 with Django's message.
"""

from __future__ import annotations

import dataclasses
import functools
import typing as t

from flask import current_app
from flask import render_template
from flask import request
from flask import url_for
from flask.views import View
from werkzeug.exceptions import NotFound

from flaskkit import ConfigurationError
from flaskkit.plugins.syndication.dates import latest
from flaskkit.plugins.syndication.sites import get_current_site
from flaskkit.translation import gettext
from flaskkit.translation import gettext_noop

from .base import Sitemap
from .pagination import EmptyPage
from .pagination import PageNotAnInteger

if t.TYPE_CHECKING:
    import collections.abc as cabc
    import datetime as dt

    from flask import Response

__all__ = [
    "EMPTY_PAGE",
    "EXTENSION_KEY",
    "NOT_A_PAGE",
    "NO_SECTION",
    "X_ROBOTS_TAG",
    "SitemapIndexItem",
    "SitemapIndexView",
    "SitemapView",
    "x_robots_tag",
]

#: ``app.extensions[EXTENSION_KEY]`` is the app's sitemaps plugin (it provides the templates).
EXTENSION_KEY = "flaskkit.sitemaps"

# -- what visitors read (one place, for translation) -------------------------------------------------

#: 404: ``/sitemap-<section>.xml`` names no section.
NO_SECTION = gettext_noop("No sitemap available for section: %(section)r")
#: 404: ``?p=`` names a page that does not exist.
EMPTY_PAGE = gettext_noop("Page %(page)s empty")
#: 404: ``?p=`` is not a number.
NOT_A_PAGE = gettext_noop("No page '%(page)s'")

#: What search engines are told about the sitemap files themselves (Django's value).
X_ROBOTS_TAG = "noindex, noodp, noarchive"

F = t.TypeVar("F", bound=t.Callable[..., t.Any])


def x_robots_tag(view: F) -> F:
    """Django's ``x_robots_tag`` decorator: the response says ``X-Robots-Tag: noindex, noodp, noarchive``."""

    @functools.wraps(view)
    def inner(*args: t.Any, **kwargs: t.Any) -> t.Any:
        response = current_app.make_response(view(*args, **kwargs))
        response.headers["X-Robots-Tag"] = X_ROBOTS_TAG
        return response

    return t.cast(F, inner)


@dataclasses.dataclass(frozen=True)
class SitemapIndexItem:
    """One ``<sitemap>`` of the index: the sitemap page's URL and its newest ``lastmod``."""

    location: str
    last_mod: dt.date | None = None


class _SitemapsView(View):
    init_every_request = False
    methods: t.ClassVar[list[str]] = ["GET", "HEAD"]

    def __init__(
        self,
        sitemaps: cabc.Mapping[str, Sitemap | type[Sitemap]],
        template_name: str,
        content_type: str = "application/xml; charset=utf-8",
    ) -> None:
        if not hasattr(sitemaps, "items"):
            raise TypeError(f"sitemaps must map section names to Sitemap classes or instances, not {sitemaps!r}.")
        #: Section name -> ``Sitemap`` class or instance.
        self.sitemaps = sitemaps
        self.template_name = template_name
        self.content_type = content_type

    @staticmethod
    def sitemap(value: Sitemap | type[Sitemap]) -> Sitemap:
        # Django calls what is callable: a class gets a fresh instance for the request.
        return value() if callable(value) else value  # type: ignore[return-value]

    @staticmethod
    def require_plugin() -> None:
        if EXTENSION_KEY not in current_app.extensions:
            raise ConfigurationError(
                "The sitemap views need the sitemaps plugin (its templates and template filter).",
                plugin="sitemaps",
                hint="Add 'sitemaps' to PLUGINS.",
            )

    def respond(self, context: dict[str, t.Any], last_modified: dt.datetime | None) -> Response:
        response = current_app.response_class(
            render_template(self.template_name, **context), content_type=self.content_type
        )
        response.headers["X-Robots-Tag"] = X_ROBOTS_TAG
        if last_modified is not None:
            response.last_modified = last_modified
        response.add_etag()
        return response.make_conditional(request)


class SitemapView(_SitemapsView):
    """A sitemap (``<urlset>``): every section, or the one named by the URL's ``section``; ``?p=`` pages it."""

    def __init__(
        self,
        sitemaps: cabc.Mapping[str, Sitemap | type[Sitemap]],
        template_name: str = "sitemaps/sitemap.xml",
        content_type: str = "application/xml; charset=utf-8",
    ) -> None:
        super().__init__(sitemaps, template_name, content_type)

    def dispatch_request(self, section: str | None = None, **kwargs: t.Any) -> Response:
        self.require_plugin()
        site = get_current_site()
        if section is not None:
            if section not in self.sitemaps:
                raise NotFound(gettext(NO_SECTION) % {"section": section})
            maps = [self.sitemaps[section]]
        else:
            maps = list(self.sitemaps.values())
        page = request.args.get("p", "1")
        urls: list[dict[str, t.Any]] = []
        last_modified: dt.datetime | None = None
        all_sites_lastmod = True
        for value in maps:
            sitemap = self.sitemap(value)
            try:
                page_urls, sitemap_lastmod = sitemap.page_urls(
                    sitemap.paginator, page, site.domain, sitemap.get_protocol(site.scheme)
                )
            except EmptyPage as exc:
                raise NotFound(gettext(EMPTY_PAGE) % {"page": page}) from exc
            except PageNotAnInteger as exc:
                raise NotFound(gettext(NOT_A_PAGE) % {"page": page}) from exc
            urls.extend(page_urls)
            if all_sites_lastmod:
                if sitemap_lastmod is not None:
                    last_modified = latest(last_modified, sitemap_lastmod)
                else:
                    all_sites_lastmod = False
        return self.respond({"urlset": urls}, last_modified if all_sites_lastmod else None)


class SitemapIndexView(_SitemapsView):
    """A sitemap index (``<sitemapindex>``): one ``<sitemap>`` per section and page.

    ``sitemap_url_name`` is the endpoint of the :class:`SitemapView` that takes ``section``
    (default ``".sitemap"``: the endpoint ``sitemap`` of the same blueprint, or of the app).
    """

    def __init__(
        self,
        sitemaps: cabc.Mapping[str, Sitemap | type[Sitemap]],
        template_name: str = "sitemaps/sitemap_index.xml",
        content_type: str = "application/xml; charset=utf-8",
        sitemap_url_name: str = ".sitemap",
    ) -> None:
        super().__init__(sitemaps, template_name, content_type)
        self.sitemap_url_name = sitemap_url_name

    def dispatch_request(self, **kwargs: t.Any) -> Response:
        self.require_plugin()
        site = get_current_site()
        entries: list[SitemapIndexItem] = []
        last_modified: dt.datetime | None = None
        all_indexes_lastmod = True
        for section, value in self.sitemaps.items():
            sitemap = self.sitemap(value)
            protocol = sitemap.get_protocol(site.scheme)
            location = f"{protocol}://{site.domain}{url_for(self.sitemap_url_name, section=section)}"
            sitemap_lastmod = sitemap.get_latest_lastmod()
            if all_indexes_lastmod:
                if sitemap_lastmod is not None:
                    last_modified = latest(last_modified, sitemap_lastmod)
                else:
                    all_indexes_lastmod = False
            entries.append(SitemapIndexItem(location, sitemap_lastmod))
            separator = "&" if "?" in location else "?"
            for number in range(2, sitemap.paginator.num_pages + 1):
                entries.append(SitemapIndexItem(f"{location}{separator}p={number}", sitemap_lastmod))
        return self.respond({"sitemaps": entries}, last_modified if all_indexes_lastmod else None)

"""The sitemaps of the tests: Django's tests/sitemaps_tests/urls/http.py, over plain objects."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import typing as t

from flask import Flask
from flask import g

from flaskkit.plugins.sitemaps import Sitemap
from flaskkit.plugins.sitemaps import SitemapIndexView
from flaskkit.plugins.sitemaps import SitemapView

NOW = dt.datetime.now()


class SimpleSitemap(Sitemap):
    changefreq = "never"
    priority = 0.5
    location = "/location/"
    lastmod = NOW

    def items(self) -> list[object]:
        return [object()]


class SimplePagedSitemap(Sitemap):
    lastmod = NOW
    location = "/location/"

    def items(self) -> list[object]:
        return [object() for _ in range(Sitemap.limit + 1)]


class EmptySitemap(Sitemap):
    changefreq = "never"
    priority = 0.5
    location = "/location/"


class FixedLastmodSitemap(SimpleSitemap):
    lastmod = dt.datetime(2013, 3, 13, 10, 0, 0)


class FixedLastmodMixedSitemap(Sitemap):
    loop = 0

    def items(self) -> list[object]:
        return [object(), object()]

    def location(self, item: object) -> str:
        return "/location/"

    def lastmod(self, item: object) -> dt.datetime | None:
        self.loop += 1
        return dt.datetime(2013, 4, 20, 5, 0, 0) if self.loop == 1 else None


class FixedNewerLastmodSitemap(SimpleSitemap):
    lastmod = dt.datetime(2013, 4, 20, 5, 0, 0)


class DateSiteMap(SimpleSitemap):
    lastmod = dt.date(2013, 3, 13)  # type: ignore[assignment]


class TimezoneSiteMap(SimpleSitemap):
    lastmod = dt.datetime(2013, 3, 13, 10, 0, 0, tzinfo=dt.timezone(dt.timedelta(minutes=-300)))


class CallableLastmodPartialSitemap(Sitemap):
    """Not every item has a lastmod."""

    location = "/location/"

    def items(self) -> list[t.Any]:
        o1, o2 = Item(), Item()
        o1.lastmod = dt.datetime(2013, 3, 13, 10, 0, 0)
        return [o1, o2]

    def lastmod(self, obj: t.Any) -> t.Any:
        return obj.lastmod


class CallableLastmodFullSitemap(CallableLastmodPartialSitemap):
    def items(self) -> list[t.Any]:
        o1, o2 = Item(), Item()
        o1.lastmod = dt.datetime(2013, 3, 13, 10, 0, 0)
        o2.lastmod = dt.datetime(2014, 3, 13, 10, 0, 0)
        return [o1, o2]


class CallableLastmodNoItemsSitemap(CallableLastmodPartialSitemap):
    def items(self) -> list[t.Any]:
        return []


class GetLatestLastmodNoneSiteMap(Sitemap):
    changefreq = "never"
    priority = 0.5
    location = "/location/"

    def items(self) -> list[object]:
        return [object()]

    def lastmod(self, obj: object) -> dt.datetime:
        return dt.datetime(2013, 3, 13, 10, 0, 0)

    def get_latest_lastmod(self) -> None:
        return None


class GetLatestLastmodSiteMap(SimpleSitemap):
    def get_latest_lastmod(self) -> dt.datetime:
        return dt.datetime(2013, 3, 13, 10, 0, 0)


class LatestLastmodTimezoneSitemap(SimpleSitemap):
    lastmod = dt.datetime(2013, 3, 13, 10, 0, 0, tzinfo=dt.timezone(dt.timedelta(minutes=-300)))


@dataclasses.dataclass
class Item:
    id: int = 1
    name: str = "item"
    lastmod: dt.datetime | None = None


@contextlib.contextmanager
def _override(lang_code: str) -> t.Iterator[None]:
    previous = g.get("lang", None)
    g.lang = lang_code
    try:
        yield
    finally:
        g.lang = previous


class FakeI18n:
    """What an i18n plugin provides: ``override(lang_code)``."""

    override = staticmethod(_override)


class I18nSitemap(SimpleSitemap):
    i18n = True
    lastmod = None  # type: ignore[assignment]

    def items(self) -> list[Item]:
        return [Item(1, "en and pt"), Item(2, "Only for PT")] if getattr(self, "with_pt", False) else [Item(1)]

    def location(self, item: Item) -> str:  # type: ignore[override]
        return f"/{g.lang}/i18n/testmodel/{item.id}/"


class AlternatesI18nSitemap(I18nSitemap):
    alternates = True


class LimitedI18nSitemap(AlternatesI18nSitemap):
    languages = ("en", "es")


class XDefaultI18nSitemap(AlternatesI18nSitemap):
    x_default = True


class ItemByLangSitemap(I18nSitemap):
    with_pt = True

    def get_languages_for_item(self, item: Item) -> list[str]:
        return ["pt"] if item.name == "Only for PT" else ["en", "pt"]


class ItemByLangAlternatesSitemap(ItemByLangSitemap):
    alternates = True
    x_default = True


class EscapedSitemap(SimpleSitemap):
    location = '/search/?q=a&b=<c>&title="straße"'


def add_urls(app: Flask) -> None:
    """Django's urls/http.py, as Flask rules."""
    sitemap = "simple_sitemap_section"

    def rule(path: str, view: t.Any) -> None:
        app.add_url_rule(path, view_func=view)

    def index(name: str, sitemaps: dict[str, t.Any], **kwargs: t.Any) -> t.Any:
        return SitemapIndexView.as_view(name, sitemaps=sitemaps, sitemap_url_name=sitemap, **kwargs)

    def section(name: str, sitemaps: dict[str, t.Any], **kwargs: t.Any) -> t.Any:
        return SitemapView.as_view(name, sitemaps=sitemaps, **kwargs)

    simple = {"simple": SimpleSitemap}
    rule("/simple/index.xml", index("simple_index", simple))
    rule("/simple-not-callable/index.xml", index("simple_not_callable", {"simple": SimpleSitemap()}))
    rule("/simple-paged/index.xml", index("simple_paged_index", {"simple": SimplePagedSitemap}))
    rule("/simple/custom-lastmod-index.xml", index("custom_index", simple, template_name="custom_sitemap_index.xml"))
    rule("/simple/sitemap-<section>.xml", section(sitemap, simple))
    rule("/simple/sitemap.xml", section("simple_sitemap", simple))
    rule("/simple/i18n.xml", section("i18n", {"i18n": I18nSitemap}))
    rule("/alternates/i18n.xml", section("alternates", {"i18n": AlternatesI18nSitemap}))
    rule("/limited/i18n.xml", section("limited", {"i18n": LimitedI18nSitemap}))
    rule("/x-default/i18n.xml", section("x_default", {"i18n": XDefaultI18nSitemap}))
    rule("/item-by-lang/i18n.xml", section("item_by_lang", {"i18n": ItemByLangSitemap}))
    rule("/item-by-lang-alternates/i18n.xml", section("item_by_lang_alt", {"i18n": ItemByLangAlternatesSitemap}))
    rule("/simple/custom-sitemap.xml", section("custom_sitemap", simple, template_name="custom_sitemap.xml"))
    rule("/empty/sitemap.xml", section("empty", {"empty": EmptySitemap}))
    rule("/simple-paged/sitemap-<section>.xml", section("simple_paged", {"simple": SimplePagedSitemap}))
    rule("/lastmod/sitemap.xml", section("lastmod", {"lastmod": FixedLastmodSitemap}))
    rule("/lastmod-mixed/sitemap.xml", section("lastmod_mixed", {"mixed": FixedLastmodMixedSitemap}))
    rule("/lastmod/date-sitemap.xml", section("date", {"date": DateSiteMap}))
    rule("/lastmod/tz-sitemap.xml", section("tz", {"tz": TimezoneSiteMap}))
    rule(
        "/lastmod-sitemaps/mixed-ascending.xml",
        section("mixed_asc", {"no-lastmod": EmptySitemap, "lastmod": FixedLastmodSitemap}),
    )
    rule(
        "/lastmod-sitemaps/mixed-descending.xml",
        section("mixed_desc", {"lastmod": FixedLastmodSitemap, "no-lastmod": EmptySitemap}),
    )
    rule(
        "/lastmod-sitemaps/ascending.xml",
        section("asc", {"older": FixedLastmodSitemap, "newer": FixedNewerLastmodSitemap}),
    )
    rule(
        "/lastmod-sitemaps/descending.xml",
        section("desc", {"newer": FixedNewerLastmodSitemap, "older": FixedLastmodSitemap}),
    )
    rule(
        "/lastmod/get-latest-lastmod-none-sitemap.xml",
        index("latest_none", {"get-latest-lastmod-none": GetLatestLastmodNoneSiteMap}),
    )
    rule("/lastmod/get-latest-lastmod-sitemap.xml", index("latest", {"get-latest-lastmod": GetLatestLastmodSiteMap}))
    rule(
        "/lastmod/latest-lastmod-timezone-sitemap.xml",
        index("latest_tz", {"latest-lastmod-timezone": LatestLastmodTimezoneSitemap}),
    )
    for name, cls in (
        ("partial", CallableLastmodPartialSitemap),
        ("full", CallableLastmodFullSitemap),
        ("no-items", CallableLastmodNoItemsSitemap),
    ):
        sitemaps = {"callable-lastmod": cls}
        rule(f"/callable-lastmod-{name}/index.xml", index(f"callable_{name}_index", sitemaps))
        rule(f"/callable-lastmod-{name}/sitemap.xml", section(f"callable_{name}", sitemaps))
    rule("/escaped/sitemap.xml", section("escaped", {"escaped": EscapedSitemap}))

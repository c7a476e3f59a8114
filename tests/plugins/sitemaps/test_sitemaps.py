"""The sitemap views: Django's tests/sitemaps_tests/test_http.py, and the sitemap protocol's rules."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from flask import Flask

from flaskkit import ConfigurationError
from flaskkit import create_app
from flaskkit.plugins.sitemaps import EmptyPage
from flaskkit.plugins.sitemaps import PageNotAnInteger
from flaskkit.plugins.sitemaps import Sitemap
from flaskkit.plugins.sitemaps import SitemapPaginator
from flaskkit.plugins.sitemaps import SitemapView
from flaskkit.plugins.sitemaps import w3c_datetime
from tests.conftest import settings

from . import sitemaps as maps
from .sitemaps import NOW
from .sitemaps import FakeI18n

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
BASE = "http://example.com"
#: ``lastmod = datetime.now()`` (naive: UTC) in the protocol's W3C Datetime format.
NOW_W3C = NOW.replace(microsecond=0).isoformat() + "+00:00"


def urlset(response) -> list[dict[str, str]]:
    """The ``<url>`` elements of a sitemap, checked against the protocol's structure."""
    assert response.status_code == 200, response.text
    root = ET.fromstring(response.data)
    assert root.tag == f"{NS}urlset"
    urls = []
    for url in root:
        assert url.tag == f"{NS}url"
        entry: dict[str, str] = {}
        for child in url:
            if child.tag == f"{XHTML}link":
                entry.setdefault("alternates", "")
                entry["alternates"] += f"{child.get('hreflang')}={child.get('href')};"
                continue
            name = child.tag.removeprefix(NS)
            assert name in ("loc", "lastmod", "changefreq", "priority"), name
            entry[name] = child.text or ""
        assert "loc" in entry
        urls.append(entry)
    return urls


def index(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    root = ET.fromstring(response.data)
    assert root.tag == f"{NS}sitemapindex"
    entries = []
    for sitemap in root:
        assert sitemap.tag == f"{NS}sitemap"
        entries.append({child.tag.removeprefix(NS): child.text or "" for child in sitemap})
    return entries


SIMPLE = {"loc": f"{BASE}/location/", "lastmod": NOW_W3C, "changefreq": "never", "priority": "0.5"}


# -- indexes ----------------------------------------------------------------------------------------


def test_simple_sitemap_index(client):
    response = client.get("/simple/index.xml")
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert response.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex')
    assert index(response) == [{"loc": f"{BASE}/simple/sitemap-simple.xml", "lastmod": NOW_W3C}]


def test_sitemap_not_callable(client):
    assert index(client.get("/simple-not-callable/index.xml")) == [
        {"loc": f"{BASE}/simple/sitemap-simple.xml", "lastmod": NOW_W3C}
    ]


def test_paged_sitemap_index_at_50000_urls(client):
    assert index(client.get("/simple-paged/index.xml")) == [
        {"loc": f"{BASE}/simple/sitemap-simple.xml", "lastmod": NOW_W3C},
        {"loc": f"{BASE}/simple/sitemap-simple.xml?p=2", "lastmod": NOW_W3C},
    ]


def test_pages_of_a_paged_sitemap(client):
    first = urlset(client.get("/simple-paged/sitemap-simple.xml"))
    assert len(first) == 50_000
    second = urlset(client.get("/simple-paged/sitemap-simple.xml?p=2"))
    assert len(second) == 1
    assert client.get("/simple-paged/sitemap-simple.xml?p=3").status_code == 404


def test_simple_sitemap_custom_lastmod_index(client):
    response = client.get("/simple/custom-lastmod-index.xml")
    assert b"<!-- This is a customised template -->" in response.data
    assert index(response) == [{"loc": f"{BASE}/simple/sitemap-simple.xml", "lastmod": NOW_W3C}]


# -- sitemaps ---------------------------------------------------------------------------------------


def test_simple_sitemap_section(client):
    response = client.get("/simple/sitemap-simple.xml")
    assert response.data.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        b'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
    )
    assert urlset(response) == [SIMPLE]


def test_simple_sitemap(client):
    assert urlset(client.get("/simple/sitemap.xml")) == [SIMPLE]


def test_simple_custom_sitemap(client):
    response = client.get("/simple/custom-sitemap.xml")
    assert b"<!-- This is a customised template -->" in response.data
    assert urlset(response) == [SIMPLE]


def test_no_section(client):
    response = client.get("/simple/sitemap-simple2.xml")
    assert response.status_code == 404
    assert "No sitemap available for section: &#39;simple2&#39;" in response.text


@pytest.mark.parametrize(
    ("query", "message"),
    [("p=0", "Page 0 empty"), ("p=2", "Page 2 empty"), ("p=test", "No page &#39;test&#39;"), ("p=1.5", "No page")],
)
def test_invalid_pages_are_404(client, query, message):
    response = client.get(f"/simple/sitemap-simple.xml?{query}")
    assert response.status_code == 404
    assert message in response.text


def test_empty_sitemap(client):
    assert urlset(client.get("/empty/sitemap.xml")) == []


def test_x_robots_sitemap(client):
    for path in ("/simple/index.xml", "/simple/sitemap.xml"):
        assert client.get(path).headers["X-Robots-Tag"] == "noindex, noodp, noarchive"


def test_escaping_of_locations(client):
    response = client.get("/escaped/sitemap.xml")
    (url,) = urlset(response)
    assert url["loc"] == f"{BASE}/search/?q=a&b=%3Cc%3E&title=%22stra%C3%9Fe%22"
    assert b"<loc>http://example.com/search/?q=a&amp;b=%3Cc%3E&amp;title=%22stra%C3%9Fe%22</loc>" in response.data


# -- Last-Modified and lastmod -----------------------------------------------------------------------


def test_sitemap_last_modified(client):
    assert client.get("/lastmod/sitemap.xml").headers["Last-Modified"] == "Wed, 13 Mar 2013 10:00:00 GMT"


def test_sitemap_last_modified_date(client):
    response = client.get("/lastmod/date-sitemap.xml")
    assert response.headers["Last-Modified"] == "Wed, 13 Mar 2013 00:00:00 GMT"
    assert urlset(response)[0]["lastmod"] == "2013-03-13"


def test_sitemap_last_modified_tz(client):
    response = client.get("/lastmod/tz-sitemap.xml")
    assert response.headers["Last-Modified"] == "Wed, 13 Mar 2013 15:00:00 GMT"
    assert urlset(response)[0]["lastmod"] == "2013-03-13T10:00:00-05:00"


def test_sitemap_last_modified_missing(client):
    assert "Last-Modified" not in client.get("/empty/sitemap.xml").headers


def test_sitemap_last_modified_mixed(client):
    assert "Last-Modified" not in client.get("/lastmod-mixed/sitemap.xml").headers


@pytest.mark.parametrize("order", ["mixed-ascending", "mixed-descending"])
def test_sitemaps_lastmod_mixed_last_modified_missing(client, order):
    assert "Last-Modified" not in client.get(f"/lastmod-sitemaps/{order}.xml").headers


@pytest.mark.parametrize("order", ["ascending", "descending"])
def test_sitemaps_lastmod_is_the_newest(client, order):
    assert client.get(f"/lastmod-sitemaps/{order}.xml").headers["Last-Modified"] == "Sat, 20 Apr 2013 05:00:00 GMT"


def test_sitemap_get_latest_lastmod_none(client):
    response = client.get("/lastmod/get-latest-lastmod-none-sitemap.xml")
    assert b"<lastmod>" not in response.data
    assert "Last-Modified" not in response.headers


def test_sitemap_get_latest_lastmod(client):
    response = client.get("/lastmod/get-latest-lastmod-sitemap.xml")
    assert b"<lastmod>2013-03-13T10:00:00+00:00</lastmod>" in response.data


def test_sitemap_latest_lastmod_timezone(client):
    response = client.get("/lastmod/latest-lastmod-timezone-sitemap.xml")
    assert b"<lastmod>2013-03-13T10:00:00-05:00</lastmod>" in response.data


def test_callable_lastmod_partial(client):
    index_response = client.get("/callable-lastmod-partial/index.xml")
    sitemap_response = client.get("/callable-lastmod-partial/sitemap.xml")
    assert "Last-Modified" not in index_response.headers
    assert "Last-Modified" not in sitemap_response.headers
    assert index(index_response) == [{"loc": f"{BASE}/simple/sitemap-callable-lastmod.xml"}]
    assert urlset(sitemap_response) == [
        {"loc": f"{BASE}/location/", "lastmod": "2013-03-13T10:00:00+00:00"},
        {"loc": f"{BASE}/location/"},
    ]


def test_callable_lastmod_full(client):
    index_response = client.get("/callable-lastmod-full/index.xml")
    sitemap_response = client.get("/callable-lastmod-full/sitemap.xml")
    assert index_response.headers["Last-Modified"] == "Thu, 13 Mar 2014 10:00:00 GMT"
    assert sitemap_response.headers["Last-Modified"] == "Thu, 13 Mar 2014 10:00:00 GMT"
    assert index(index_response) == [
        {"loc": f"{BASE}/simple/sitemap-callable-lastmod.xml", "lastmod": "2014-03-13T10:00:00+00:00"}
    ]
    assert urlset(sitemap_response) == [
        {"loc": f"{BASE}/location/", "lastmod": "2013-03-13T10:00:00+00:00"},
        {"loc": f"{BASE}/location/", "lastmod": "2014-03-13T10:00:00+00:00"},
    ]


def test_callable_lastmod_no_items(client):
    response = client.get("/callable-lastmod-no-items/index.xml")
    assert "Last-Modified" not in response.headers
    assert index(response) == [{"loc": f"{BASE}/simple/sitemap-callable-lastmod.xml"}]


def test_lastmod_in_time_zone(make):
    response = make(TIME_ZONE="Europe/Berlin").test_client().get("/lastmod/sitemap.xml")
    assert urlset(response)[0]["lastmod"] == "2013-03-13T10:00:00+01:00"
    assert response.headers["Last-Modified"] == "Wed, 13 Mar 2013 09:00:00 GMT"


def test_conditional_get(client):
    first = client.get("/lastmod/sitemap.xml")
    assert client.get("/lastmod/sitemap.xml", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    since = client.get("/lastmod/sitemap.xml", headers={"If-Modified-Since": "Wed, 13 Mar 2013 10:00:00 GMT"})
    assert since.status_code == 304
    assert client.head("/lastmod/sitemap.xml").status_code == 200


def test_w3c_datetime():
    assert w3c_datetime(dt.date(2013, 3, 13)) == "2013-03-13"
    assert w3c_datetime(dt.datetime(2013, 3, 13, 10, 0, 0, 123456, tzinfo=dt.UTC)) == "2013-03-13T10:00:00+00:00"
    assert w3c_datetime(None) == ""


# -- URLs and protocol --------------------------------------------------------------------------------


def test_sitemap_urls_from_the_validated_request_host(make):
    client = make(SITE_URL=None, ALLOWED_HOSTS=["testserver"]).test_client()
    assert urlset(client.get("/simple/sitemap.xml", base_url="https://testserver"))[0]["loc"] == (
        "https://testserver/location/"
    )
    assert client.get("/simple/sitemap.xml", headers={"Host": "evil.example"}).status_code == 400


def test_protocol_attribute_wins(make):
    class Secure(maps.SimpleSitemap):
        protocol = "https"

    app = make()
    app.add_url_rule("/secure.xml", view_func=SitemapView.as_view("secure", sitemaps={"s": Secure}))
    assert urlset(app.test_client().get("/secure.xml"))[0]["loc"] == "https://example.com/location/"


def test_get_urls_keeps_the_item_and_sets_latest_lastmod(make):
    sitemap = maps.FixedLastmodSitemap()
    with make().test_request_context("/"):
        urls = sitemap.get_urls()
    assert [url["location"] for url in urls] == ["https://example.com/location/"]  # Django's default: https
    assert all(type(url["item"]) is object for url in urls)
    assert sitemap.latest_lastmod == dt.datetime(2013, 3, 13, 10, tzinfo=dt.UTC)


def test_the_views_need_the_plugin(tmp_path):
    app = create_app(settings(PLUGINS=["middleware"], TESTING=True), instance_path=str(tmp_path))
    app.add_url_rule("/s.xml", view_func=SitemapView.as_view("s", sitemaps={"simple": maps.SimpleSitemap}))
    with pytest.raises(ConfigurationError, match="The sitemap views need the sitemaps plugin") as info:
        app.test_client().get("/s.xml")
    assert "Add 'sitemaps' to PLUGINS." in str(info.value)


# -- the protocol's values ---------------------------------------------------------------------------


def serve(app: Flask, sitemap: type[Sitemap]) -> object:
    app.add_url_rule("/one.xml", view_func=SitemapView.as_view("one", sitemaps={"one": sitemap}))
    return app.test_client().get("/one.xml")


@pytest.mark.parametrize("value", ["often", "Daily", 3])
def test_changefreq_outside_the_protocol_is_an_error(make, value):
    class Often(maps.SimpleSitemap):
        changefreq = value

    with pytest.raises(ConfigurationError, match=f"Often.changefreq is {value!r}, which the sitemap protocol") as info:
        serve(make(), Often)
    assert "always, hourly, daily, weekly, monthly, yearly, never" in str(info.value)


@pytest.mark.parametrize("value", [1.5, -0.1, "high", True, float("nan")])
def test_priority_outside_the_protocol_is_an_error(make, value):
    class Loud(maps.SimpleSitemap):
        priority = value

    with pytest.raises(
        ConfigurationError, match=r"Loud\.priority is .*: the sitemap protocol wants a number from 0\.0"
    ):
        serve(make(), Loud)


def test_priority_is_never_localised(make):
    class Precise(maps.SimpleSitemap):
        priority = 0.3

    assert urlset(serve(make(), Precise))[0]["priority"] == "0.3"


@pytest.mark.parametrize("limit", [0, 50_001, "10"])
def test_limit_must_respect_the_protocol(limit):
    with pytest.raises(ConfigurationError, match="a sitemap holds from 1 to 50,000 URLs"):
        SitemapPaginator([], limit)


def test_paginator_rules():
    paginator = SitemapPaginator(range(5), 2)
    assert (paginator.count, paginator.num_pages) == (5, 3)
    assert paginator.page("3").object_list == [4]
    with pytest.raises(PageNotAnInteger):
        paginator.page("x")
    with pytest.raises(EmptyPage):
        paginator.page(0)
    with pytest.raises(EmptyPage):
        paginator.page(4)
    assert SitemapPaginator([], 10).page(1).object_list == []
    generated = SitemapPaginator((n for n in range(3)), 2)
    assert (generated.count, list(generated.page(2))) == (3, [2])


# -- i18n hooks ----------------------------------------------------------------------------------------


@pytest.fixture
def i18n_client(make):
    app = make(LANGUAGES=[("en", "English"), ("pt", "Portuguese")], LANGUAGE_CODE="en")
    app.extensions["flaskkit.i18n"] = FakeI18n()
    return app.test_client()


def test_simple_i18n_sitemap(i18n_client):
    assert urlset(i18n_client.get("/simple/i18n.xml")) == [
        {"loc": f"{BASE}/en/i18n/testmodel/1/", "changefreq": "never", "priority": "0.5"},
        {"loc": f"{BASE}/pt/i18n/testmodel/1/", "changefreq": "never", "priority": "0.5"},
    ]


def test_alternate_i18n_sitemap(i18n_client):
    alternates = f"en={BASE}/en/i18n/testmodel/1/;pt={BASE}/pt/i18n/testmodel/1/;"
    assert [url["alternates"] for url in urlset(i18n_client.get("/alternates/i18n.xml"))] == [alternates, alternates]


def test_alternate_i18n_sitemap_limited(make):
    app = make(LANGUAGES=[("en", "English"), ("pt", "Portuguese"), ("es", "Spanish")], LANGUAGE_CODE="en")
    app.extensions["flaskkit.i18n"] = FakeI18n()
    urls = urlset(app.test_client().get("/limited/i18n.xml"))
    assert [url["loc"] for url in urls] == [f"{BASE}/en/i18n/testmodel/1/", f"{BASE}/es/i18n/testmodel/1/"]
    assert urls[0]["alternates"] == f"en={BASE}/en/i18n/testmodel/1/;es={BASE}/es/i18n/testmodel/1/;"


def test_alternate_i18n_sitemap_xdefault(i18n_client):
    urls = urlset(i18n_client.get("/x-default/i18n.xml"))
    assert urls[0]["alternates"] == (
        f"en={BASE}/en/i18n/testmodel/1/;pt={BASE}/pt/i18n/testmodel/1/;x-default={BASE}/i18n/testmodel/1/;"
    )


def test_language_for_item_i18n_sitemap(i18n_client):
    assert [url["loc"] for url in urlset(i18n_client.get("/item-by-lang/i18n.xml"))] == [
        f"{BASE}/en/i18n/testmodel/1/",
        f"{BASE}/pt/i18n/testmodel/1/",
        f"{BASE}/pt/i18n/testmodel/2/",
    ]


def test_alternate_language_for_item_i18n_sitemap(i18n_client):
    urls = urlset(i18n_client.get("/item-by-lang-alternates/i18n.xml"))
    assert [url["alternates"] for url in urls] == [
        f"en={BASE}/en/i18n/testmodel/1/;pt={BASE}/pt/i18n/testmodel/1/;x-default={BASE}/i18n/testmodel/1/;",
        f"en={BASE}/en/i18n/testmodel/1/;pt={BASE}/pt/i18n/testmodel/1/;x-default={BASE}/i18n/testmodel/1/;",
        f"pt={BASE}/pt/i18n/testmodel/2/;",
    ]


def test_i18n_without_a_translation_system_is_explained(make):
    client = make(LANGUAGES=[("en", "English")]).test_client()
    with pytest.raises(ConfigurationError, match=r"I18nSitemap\.i18n is True, but the app has no translation system"):
        client.get("/simple/i18n.xml")

"""The kit's own pages in German and Chinese, from the shipped catalogs of the core and of the plugins whose
text a visitor reads: the 503 page (core), the 400 page of a host the site does not serve (middleware), a feed's
404 (syndication) and a sitemap's 404s (sitemaps)."""

from __future__ import annotations

import pytest

from flaskkit.plugins.sitemaps import Sitemap
from flaskkit.plugins.sitemaps import SitemapView
from flaskkit.plugins.syndication import Feed
from flaskkit.plugins.syndication import FeedDoesNotExist
from flaskkit.services import ServiceUnavailable
from flaskkit.services import services

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}
CHINESE = {"Accept-Language": "zh-CN,zh;q=0.9"}


def test_the_503_page_in_the_visitors_language(make):
    app = make(SERVICE_RETRY_AFTER=30)
    services(app)  # what a plugin with a service does: the app answers ServiceUnavailable with the kit's page

    @app.get("/save")
    def save():
        raise ServiceUnavailable(saved=True, continue_url="/notes/")

    client = app.test_client()
    page = client.get("/save", headers={**GERMAN, "Accept": "text/html"})
    assert page.status_code == 503
    assert '<html lang="de">' in page.text
    assert "<h1>Ihre Änderung wurde gespeichert</h1>" in page.text
    assert "Bitte versuchen Sie es in 30 Sekunden erneut." in page.text
    assert '<a href="/notes/">Weiter</a>' in page.text
    page = client.get("/save", headers={**CHINESE, "Accept": "text/html"})
    assert "<h1>您的修改已保存</h1>" in page.text
    assert '<a href="/notes/">继续</a>' in page.text
    assert "Continue" not in page.text
    assert '<a href="/notes/">Continue</a>' in client.get("/save", headers={"Accept-Language": "en"}).text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "Diese Website antwortet nicht auf den Hostnamen &#39;evil.example&#39;."),
        ("zh-hans", "本网站不响应主机名 &#39;evil.example&#39; 的请求。"),
        ("en", "This site does not answer to the host name &#39;evil.example&#39;."),
    ],
)
def test_a_host_the_site_does_not_serve_is_refused_in_the_sites_language(make, language, expected):
    # The host is checked before the request's language is chosen: the page is in LANGUAGE_CODE.
    app = make(PLUGINS=["middleware", "i18n"], LANGUAGE_CODE=language, ALLOWED_HOSTS=["example.com"])
    response = app.test_client().get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert expected in response.text
    invalid = app.test_client().get("/", headers={"Host": "exa_mple.com"})
    assert invalid.status_code == 400
    if language == "de":
        assert "Der Hostname dieser Anfrage ist kein gültiger Hostname." in invalid.text


class ArticleFeed(Feed):
    title = "Articles"
    link = "/"
    description = "The newest articles."

    def get_object(self, request, number):
        raise FeedDoesNotExist

    def items(self, obj):  # pragma: no cover - the object is never found
        return []


def test_a_feed_object_that_does_not_exist_in_german_and_chinese(make):
    app = make(PLUGINS=["middleware", "syndication", "i18n"], SITE_URL="http://example.com")
    app.add_url_rule("/feeds/<int:number>/", view_func=ArticleFeed.as_view("articles"))
    client = app.test_client()
    german = client.get("/feeds/1/", headers=GERMAN)
    assert german.status_code == 404
    assert "Das Objekt dieses Feeds existiert nicht." in german.text
    assert "此订阅源的对象不存在。" in client.get("/feeds/1/", headers=CHINESE).text
    assert "Feed object does not exist." in client.get("/feeds/1/", headers={"Accept-Language": "en"}).text


class PlainSitemap(Sitemap):
    location = "/location/"

    def items(self) -> list[object]:
        return [object()]


def test_a_sitemap_page_that_does_not_exist_in_german_and_chinese(make):
    app = make(PLUGINS=["middleware", "syndication", "sitemaps", "i18n"], SITE_URL="http://example.com")
    app.add_url_rule("/sitemap.xml", view_func=SitemapView.as_view("sitemap", {"plain": PlainSitemap}))
    app.add_url_rule("/sitemap-<section>.xml", view_func=SitemapView.as_view("section", {"plain": PlainSitemap}))
    client = app.test_client()
    assert client.get("/sitemap.xml", headers=GERMAN).status_code == 200
    cases = [
        ("/sitemap.xml?p=abc", GERMAN, "Keine Seite „abc“"),
        ("/sitemap.xml?p=3", GERMAN, "Seite 3 ist leer"),
        ("/sitemap-other.xml", GERMAN, "Für den Abschnitt &#39;other&#39; gibt es keine Sitemap"),
        ("/sitemap.xml?p=abc", CHINESE, "没有“abc”这一页"),
        ("/sitemap.xml?p=3", CHINESE, "第 3 页为空"),
        ("/sitemap-other.xml", CHINESE, "分区 &#39;other&#39; 没有站点地图"),
    ]
    for url, headers, expected in cases:
        response = client.get(url, headers=headers)
        assert response.status_code == 404, url
        assert expected in response.text, (url, response.text)

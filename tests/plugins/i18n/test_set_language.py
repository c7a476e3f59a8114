"""set_language: Django's view, refusing cross-site POSTs and unsafe ``next`` URLs."""

from __future__ import annotations

import pytest
from flask import render_template_string

from flaskkit.translation import get_language

from .conftest import write_catalog


@pytest.fixture
def app(make, tmp_path):
    for locale in ("de", "zh_Hans"):
        write_catalog(tmp_path / "locale", locale, {"Language": f"Language ({locale})"})
    app = make(LOCALE_PATHS=[str(tmp_path / "locale")], ALLOWED_HOSTS=["localhost"], PLUGINS=["middleware", "i18n"])

    @app.get("/")
    def index():
        return get_language()

    @app.get("/switcher")
    def switcher():
        return render_template_string('{% from "i18n/macros.html" import language_switcher %}{{ language_switcher() }}')

    return app


def post(client, data, **headers):
    headers.setdefault("Origin", "http://localhost")
    return client.post("/i18n/setlang/", data=data, headers=headers)


def test_the_cookie_is_set_and_next_followed(app):
    client = app.test_client()
    response = post(client, {"language": "de", "next": "/somewhere/?a=1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/somewhere/?a=1"
    cookie = client.get_cookie("language")
    assert cookie.value == "de"
    assert cookie.path == "/"
    assert "SameSite=Lax" in response.headers["Set-Cookie"]
    assert client.get("/", headers={"Accept-Language": "zh"}).text == "de"


def test_a_prefixed_next_is_translated(app):
    client = app.test_client()
    response = post(client, {"language": "zh-hans", "next": "/de/notes/5/?page=2"})
    assert response.headers["Location"] == "/zh-hans/notes/5/?page=2"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "///evil.example/", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_an_unsafe_next_goes_home(app, next_url):
    response = post(app.test_client(), {"language": "de", "next": next_url}, Accept="text/html")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_referer_is_the_fallback(app):
    response = post(app.test_client(), {"language": "de"}, Referer="http://localhost/page/", Accept="text/html")
    assert response.headers["Location"] == "http://localhost/page/"


def test_without_next_a_script_gets_204(app):
    client = app.test_client()
    response = post(client, {"language": "de"}, Accept="application/json")
    assert response.status_code == 204
    assert client.get_cookie("language").value == "de"


def test_an_unknown_language_is_a_400_listing_the_languages(app):
    client = app.test_client()
    response = post(client, {"language": "klingon", "next": "/"})
    assert response.status_code == 400
    assert "klingon" in response.text and "Deutsch" in response.text and "中文" in response.text
    assert client.get_cookie("language") is None


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": None, "Sec-Fetch-Site": "cross-site"},
        {"Origin": None, "Sec-Fetch-Site": "same-site"},
    ],
)
def test_a_cross_site_post_is_refused(app, headers):
    client = app.test_client()
    headers = {k: v for k, v in headers.items() if v is not None}
    response = client.post("/i18n/setlang/", data={"language": "de", "next": "/"}, headers=headers)
    assert response.status_code == 403
    assert client.get_cookie("language") is None


def test_same_site_posts_pass(app):
    client = app.test_client()
    same_origin = {"Sec-Fetch-Site": "same-origin"}
    assert client.post("/i18n/setlang/", data={"language": "de"}, headers=same_origin).status_code in (302, 204)
    assert client.post("/i18n/setlang/", data={"language": "de"}).status_code in (302, 204)  # not a browser


def test_a_trusted_origin_passes(make, app):
    app.config["CSRF_TRUSTED_ORIGINS"] = ["https://app.example.com"]
    response = post(app.test_client(), {"language": "de", "next": "/"}, Origin="https://app.example.com")
    assert response.status_code == 302


def test_get_is_not_allowed(app):
    assert app.test_client().get("/i18n/setlang/?language=de").status_code == 405


def test_the_switcher_posts_to_set_language(app):
    client = app.test_client()
    html = client.get("/switcher?x=1", headers={"Accept-Language": "de"}).text
    assert 'action="/i18n/setlang/"' in html and 'method="post"' in html
    assert 'name="next" type="hidden" value="/switcher?x=1"' in html
    assert '<option value="de" lang="de" selected>Deutsch</option>' in html
    assert '<option value="zh-hans" lang="zh-hans">中文 (简体)</option>' in html
    assert "<script" not in html and "style=" not in html


def test_set_language_with_the_forms_plugin(make, tmp_path):
    # The forms plugin checks a token on every POST; set_language is exempt (it checks the Origin itself).
    write_catalog(tmp_path / "locale", "de", {"x": "y"})
    app = make(LOCALE_PATHS=[str(tmp_path / "locale")], PLUGINS=["session", "forms", "i18n"])
    client = app.test_client()
    assert post(client, {"language": "de", "next": "/"}).status_code == 302
    assert post(client, {"language": "de", "next": "/"}, Origin="https://evil.example").status_code == 403

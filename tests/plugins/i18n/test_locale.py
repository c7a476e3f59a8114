"""Choosing the request's language as Django's LocaleMiddleware: URL prefix, cookie, Accept-Language, LANGUAGE_CODE."""

from __future__ import annotations

import pytest
from flask import Blueprint
from flask import request
from flask import url_for

from flaskkit.plugins.i18n import i18n_patterns
from flaskkit.plugins.i18n import parse_accept_lang_header
from flaskkit.plugins.i18n.languages import LanguageChooser
from flaskkit.translation import get_language

from .conftest import write_catalog


@pytest.fixture
def app(make, tmp_path):
    for locale in ("de", "zh_Hans", "fr_CA"):
        write_catalog(tmp_path / "locale", locale, {"Hello": f"Hello ({locale})"})
    app = make(
        LOCALE_PATHS=[str(tmp_path / "locale")],
        LANGUAGES=[("en", "English"), ("de", "German"), ("zh-hans", "Chinese"), ("fr-ca", "French")],
    )

    @app.get("/")
    def index():
        return f"{get_language()}|{request.LANGUAGE_CODE}|{url_for('page')}"

    @app.get("/page/")
    def page():
        return get_language()

    return app


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de", "de"),
        ("de-AT,de;q=0.9", "de"),  # Django's fallback from a variant to its language
        ("de-at", "de"),
        ("fr-FR,fr;q=0.8", "fr-ca"),  # fr-fr is not offered: the first fr-* is
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-hans"),  # Django's special fallback for zh-cn
        ("zh", "zh-hans"),
        ("zh-TW", "zh-hans"),  # zh-hant is not offered: Django then takes the first zh-* there is
        ("es, de;q=0.5", "de"),
        ("en;q=0.1, de;q=0.9", "de"),  # by q, not by order
        ("*", "en"),
        ("ja", "en"),
        ("", "en"),
        ("de;q=2.0", "en"),  # malformed: ignored as a whole
        ("x" * 1000, "en"),
    ],
)
def test_accept_language(app, header, expected):
    response = app.test_client().get("/", headers={"Accept-Language": header})
    assert response.text.split("|")[0] == expected
    assert response.headers["Content-Language"] == expected
    assert set(response.vary) >= {"Accept-Language", "Cookie"}


def test_the_cookie_wins_over_accept_language(app):
    client = app.test_client()
    client.set_cookie("language", "zh-hans")
    assert client.get("/", headers={"Accept-Language": "de"}).text.startswith("zh-hans|")
    client.set_cookie("language", "de-at")  # a variant of an offered language
    assert client.get("/", headers={"Accept-Language": "zh"}).text.startswith("de|")
    client.set_cookie("language", "klingon")  # not offered: Accept-Language decides
    assert client.get("/", headers={"Accept-Language": "zh"}).text.startswith("zh-hans|")


def test_the_url_prefix_wins_and_links_keep_it(app):
    client = app.test_client()
    client.set_cookie("language", "zh-hans")
    response = client.get("/de/", headers={"Accept-Language": "zh"})
    assert response.status_code == 200
    assert response.text == "de|de|/de/page/"  # url_for builds under the prefix
    assert response.headers["Content-Language"] == "de"
    assert "Accept-Language" not in response.vary  # the URL says the language
    assert client.get("/zh-hans/page/").text == "zh-hans"
    assert client.get("/xx/page/").status_code == 404  # not a language of the app
    assert client.get("/page/").text == "zh-hans"  # no prefix: the cookie


def test_a_language_without_a_catalog_is_never_chosen(make, tmp_path):
    # LANGUAGES lists Italian, but no catalog has it (i18n.W001 says so at boot).
    app = make(LANGUAGES=[("en", "English"), ("it", "Italian")], SILENCED_CHECKS=["i18n.W001"])

    @app.get("/")
    def index():
        return get_language()

    client = app.test_client()
    assert client.get("/", headers={"Accept-Language": "it"}).text == "en"
    assert client.get("/it/").status_code == 404


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("de", (("de", 1.0),)),
        ("en-AU", (("en-au", 1.0),)),
        ("es-419", (("es-419", 1.0),)),
        ("*;q=1.00", (("*", 1.0),)),
        ("en-AU;q=0.123", (("en-au", 0.123),)),
        ("en-au;q=0.5", (("en-au", 0.5),)),
        ("en-au;q=1.0", (("en-au", 1.0),)),
        ("da, en-gb;q=0.25, en;q=0.5", (("da", 1.0), ("en", 0.5), ("en-gb", 0.25))),
        ("en-au-xx", (("en-au-xx", 1.0),)),
        (
            "de,en-au;q=0.75,en-us;q=0.5,en;q=0.25,es;q=0.125,fa;q=0.125",
            (("de", 1.0), ("en-au", 0.75), ("en-us", 0.5), ("en", 0.25), ("es", 0.125), ("fa", 0.125)),
        ),
        ("*", (("*", 1.0),)),
        ("de;q=0.", (("de", 0.0),)),
        ("en; q=1,", (("en", 1.0),)),
        ("", ()),
        # Django's bad cases
        ("en-gb;q=1.0000", ()),
        ("en;q=0.1234", ()),
        ("en;q=.2", ()),
        ("abcdefghi-au", ()),
        ("**", ()),
        ("en,,gb", ()),
        ("en-au;q=0.1.0", ()),
        (("X" * 97) + "Z,en", ()),
        ("da, en-gb;q=0.8, en;q=0.7,#", ()),
        ("de;q=2.0", ()),
        ("de;q=0.a", ()),
        ("12-345", ()),
        ("en;q=1e0", ()),
        ("en-au;q=１.0", ()),  # noqa: RUF001
    ],
)
def test_parse_accept_lang_header(value, expected):
    assert parse_accept_lang_header(value) == expected


def test_a_long_header_is_cut_at_a_comma():
    long = "en-gb;q=0.5, " * 40 + "de"
    assert len(long) > 500
    parsed = parse_accept_lang_header(long)
    assert parsed and ("de", 1.0) not in parsed  # cut before the tail, never parsed whole
    assert parse_accept_lang_header("a" * 600) == ()


def test_the_choice_is_cached_per_header():
    chooser = LanguageChooser(["en", "de"], {"en", "de"}, "en")
    assert chooser.from_accept_language("de-DE,de;q=0.9") == "de"
    assert chooser.from_accept_language("de-DE,de;q=0.9") == "de"
    info = chooser.from_accept_language.cache_info()
    assert (info.hits, info.misses, info.maxsize) == (1, 1, 1000)


# -- i18n_patterns -------------------------------------------------------------------------------


def _patterns_app(make, tmp_path, **values):
    write_catalog(tmp_path / "locale", "de", {"Hello": "Hallo"})
    app = make(LOCALE_PATHS=[str(tmp_path / "locale")], LANGUAGES=[("en", "English"), ("de", "German")], **values)
    blog = Blueprint("blog", __name__)

    @blog.get("/posts/")
    def posts():
        return f"{get_language()} {url_for('blog.posts')}"

    @app.get("/api/")
    def api():
        return get_language()

    app.register_blueprint(blog)
    return app


def test_i18n_patterns_redirect_to_the_visitors_language(make, tmp_path):
    app = _patterns_app(make, tmp_path, I18N_PATTERNS=["blog"])
    client = app.test_client()
    response = client.get("/posts/?page=2", headers={"Accept-Language": "de"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/de/posts/?page=2"
    assert {"Accept-Language", "Cookie"} <= set(response.vary)
    assert client.get("/posts/").headers["Location"] == "/en/posts/"  # the default language is prefixed too
    assert client.get("/de/posts/").text == "de /de/posts/"
    assert client.get("/en/posts/").text == "en /en/posts/"
    assert client.get("/api/", headers={"Accept-Language": "de"}).text == "de"  # not an i18n pattern


def test_i18n_patterns_without_prefixing_the_default_language(make, tmp_path):
    app = _patterns_app(make, tmp_path)
    i18n_patterns(app, "blog", prefix_default_language=False)  # after the blueprint is registered
    client = app.test_client()
    # Django: an unprefixed i18n URL is in LANGUAGE_CODE, whatever the browser asks for.
    assert client.get("/posts/", headers={"Accept-Language": "de"}).text == "en /posts/"
    assert client.get("/de/posts/").text == "de /de/posts/"


def test_i18n_patterns_need_the_plugin(tmp_path):
    from flaskkit import ConfigurationError
    from flaskkit import create_app
    from tests.conftest import settings

    app = create_app(settings(), import_name="no_i18n_patterns", instance_path=str(tmp_path))
    with pytest.raises(ConfigurationError, match="needs the i18n plugin"):
        i18n_patterns(app, "blog")


def test_an_unknown_pattern_is_reported(make, tmp_path):
    app = _patterns_app(make, tmp_path, I18N_PATTERNS=["blgo"])
    report = app.extensions["flaskkit"].run_checks(app)
    assert [m.id for m in report.messages if m.id.startswith("i18n")] == ["i18n.W003"]


def test_a_time_zone_selector_is_activated_per_request(make):
    import datetime as dt

    app = make(TIME_ZONE_SELECTOR=lambda: request.args.get("tz"))

    @app.get("/when")
    def when():
        from flask import render_template_string

        moment = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
        return render_template_string("{{ moment|timeformat('HH:mm') }}|{{ moment|date('H:i') }}", moment=moment)

    client = app.test_client()
    assert client.get("/when?tz=Asia/Tokyo").text == "21:00|21:00"
    assert client.get("/when").text == "12:00|12:00"  # TIME_ZONE (UTC): nothing leaked from the last request
    assert client.get("/when?tz=Not/AZone").text == "12:00|12:00"  # logged, ignored

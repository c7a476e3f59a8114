"""Apps serving the test sitemaps at Django's test URLs, on the site http://example.com."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
from flask import Flask

from flaskkit import create_app
from tests.conftest import settings

from .sitemaps import add_urls

#: Django's tests/sitemaps_tests/templates, in Jinja.
TEMPLATES = {
    "custom_sitemap.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!-- This is a customised template -->\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        "{% for url in urlset %}<url>{% if url.location %}<loc>{{ url.location }}</loc>{% endif %}"
        "{% if url.lastmod %}<lastmod>{{ url.lastmod|w3c_datetime }}</lastmod>{% endif %}"
        "{% if url.changefreq %}<changefreq>{{ url.changefreq }}</changefreq>{% endif %}"
        "{% if url.priority %}<priority>{{ url.priority }}</priority>{% endif %}</url>{% endfor %}\n</urlset>\n"
    ),
    "custom_sitemap_index.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!-- This is a customised template -->\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        "{% for site in sitemaps %}<sitemap><loc>{{ site.location }}</loc>"
        "{% if site.last_mod %}<lastmod>{{ site.last_mod|w3c_datetime }}</lastmod>{% endif %}</sitemap>{% endfor %}\n"
        "</sitemapindex>\n"
    ),
}


@pytest.fixture
def make(tmp_path: Path) -> t.Callable[..., Flask]:
    """``make(**settings)``: the middleware and sitemaps plugins, ``SITE_URL = "http://example.com"``, the test URLs."""
    templates = tmp_path / "templates"
    templates.mkdir()
    for name, text in TEMPLATES.items():
        (templates / name).write_text(text)
    count = iter(range(100))

    def make_app(**values: t.Any) -> Flask:
        values.setdefault("PLUGINS", ["middleware", "sitemaps"])
        values.setdefault("TESTING", True)
        values.setdefault("SITE_URL", "http://example.com")
        number = next(count)
        app = create_app(
            settings(**values),
            import_name=f"sitemaps_app_{number}",
            instance_path=str(tmp_path / f"instance{number}"),
            template_folder=str(templates),
        )
        add_urls(app)
        return app

    return make_app


@pytest.fixture
def client(make: t.Callable[..., Flask]) -> t.Any:
    return make().test_client()

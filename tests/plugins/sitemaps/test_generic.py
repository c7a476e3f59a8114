"""GenericSitemap and select() items: Django's test_generic.py, and bounded queries on a real database."""

from __future__ import annotations

import contextlib
import datetime as dt
import typing as t
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from flaskkit import ConfigurationError
from flaskkit import create_app
from flaskkit.plugins.orm import db
from flaskkit.plugins.sitemaps import GenericSitemap
from flaskkit.plugins.sitemaps import Sitemap
from flaskkit.plugins.sitemaps import SitemapIndexView
from flaskkit.plugins.sitemaps import SitemapView
from flaskkit.plugins.syndication import Feed
from tests.conftest import settings

from .models import TABLES
from .models import SitemapsTestAuthor as Author
from .models import SitemapsTestEntry as Entry

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "http://example.com"
LASTMOD = dt.datetime(2013, 3, 13, 10, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def app(tmp_path: Path) -> t.Iterator[Flask]:
    app = create_app(
        settings(
            PLUGINS=["orm", "middleware", "syndication", "sitemaps"],
            TESTING=True,
            SITE_URL=BASE,
            DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}",
        ),
        import_name="sitemaps_generic_app",
        instance_path=str(tmp_path / "instance"),
    )
    with app.app_context():
        db.metadata.create_all(db.engine, tables=TABLES)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def add_entries(app: Flask, count: int, *, lastmod: dt.datetime | None = None) -> list[int]:
    with app.app_context():
        author = Author(name="Ann")
        entries = [
            Entry(title=f"Entry {n}", slug=f"entry-{n}", body="x" * 1000, updated_at=lastmod, author=author)
            for n in range(count)
        ]
        db.session.add_all(entries)
        db.session.commit()
        return [entry.id for entry in entries]


def serve(app: Flask, sitemaps: dict[str, t.Any]) -> None:
    app.add_url_rule("/sitemap.xml", view_func=SitemapIndexView.as_view("sitemap_index", sitemaps=sitemaps))
    app.add_url_rule("/sitemap-<section>.xml", view_func=SitemapView.as_view("sitemap", sitemaps=sitemaps))


def locations(response) -> list[str]:
    assert response.status_code == 200, response.text
    root = ET.fromstring(response.data)
    assert root.tag in (f"{NS}urlset", f"{NS}sitemapindex")
    return [element.text or "" for element in root.iter(f"{NS}loc")]


@contextlib.contextmanager
def statements(app: Flask) -> t.Iterator[list[str]]:
    """The SQL the app runs."""
    recorded: list[str] = []

    def record(conn: t.Any, cursor: t.Any, statement: str, *args: t.Any) -> None:
        recorded.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield recorded
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def test_generic_sitemap_attributes():
    queryset = sa.select(Entry)
    sitemap = GenericSitemap(
        {"queryset": queryset, "date_field": "updated_at"}, priority=0.6, changefreq="monthly", protocol="https"
    )
    assert (sitemap.date_field, sitemap.priority, sitemap.changefreq, sitemap.protocol) == (
        "updated_at",
        0.6,
        "monthly",
        "https",
    )
    assert sitemap.queryset is queryset


def test_generic_sitemap(app):
    ids = add_entries(app, 3)
    serve(app, {"entries": GenericSitemap({"queryset": sa.select(Entry)})})
    response = app.test_client().get("/sitemap-entries.xml")
    assert locations(response) == [f"{BASE}/entries/{pk}/" for pk in ids]
    assert "Last-Modified" not in response.headers


def test_generic_sitemap_lastmod(app):
    (pk,) = add_entries(app, 1, lastmod=LASTMOD)
    serve(app, {"entries": GenericSitemap({"queryset": Entry, "date_field": "updated_at"})})
    response = app.test_client().get("/sitemap-entries.xml")
    root = ET.fromstring(response.data)
    assert [(url.findtext(f"{NS}loc"), url.findtext(f"{NS}lastmod")) for url in root] == [
        (f"{BASE}/entries/{pk}/", "2013-03-13T10:00:00+00:00")
    ]
    assert response.headers["Last-Modified"] == "Wed, 13 Mar 2013 10:00:00 GMT"


def test_index_lastmod_is_one_max_query(app):
    add_entries(app, 3, lastmod=LASTMOD)
    with app.app_context():
        db.session.execute(sa.update(Entry).where(Entry.id == 2).values(updated_at=LASTMOD + dt.timedelta(days=1)))
        db.session.commit()
    serve(
        app, {"entries": GenericSitemap({"queryset": sa.select(Entry).where(Entry.id < 3), "date_field": "updated_at"})}
    )
    with statements(app) as sql:
        response = app.test_client().get("/sitemap.xml")
    root = ET.fromstring(response.data)
    assert root.findtext(f"{NS}sitemap/{NS}lastmod") == "2013-03-14T10:00:00+00:00"
    assert response.headers["Last-Modified"] == "Thu, 14 Mar 2013 10:00:00 GMT"
    assert len(sql) == 2, sql  # max(updated_at) and count(*)
    assert any("max(" in statement for statement in sql)


def test_a_page_is_two_bounded_queries_and_pages_partition_the_rows(app):
    ids = add_entries(app, 120)

    class Entries(GenericSitemap):
        limit = 50

    sitemap = Entries({"queryset": sa.select(Entry), "only": ["id"]})
    serve(app, {"entries": sitemap})
    client = app.test_client()
    assert locations(client.get("/sitemap.xml")) == [
        f"{BASE}/sitemap-entries.xml",
        f"{BASE}/sitemap-entries.xml?p=2",
        f"{BASE}/sitemap-entries.xml?p=3",
    ]
    seen: list[str] = []
    for page in (1, 2, 3):
        with statements(app) as sql:
            seen += locations(client.get(f"/sitemap-entries.xml?p={page}"))
        assert len(sql) == 2, sql
        count, rows = sql
        assert count.startswith("SELECT count(*)")
        assert "LIMIT" in rows and "OFFSET" in rows
        # Only the columns the sitemap needs: not the wide body, not the joined author.
        assert "body" not in rows and "title" not in rows and "JOIN" not in rows.upper()
        assert "ORDER BY sitemaps_test_entry.id" in rows
    assert seen == [f"{BASE}/entries/{pk}/" for pk in ids]
    assert client.get("/sitemap-entries.xml?p=4").status_code == 404


def test_without_only_the_whole_row_is_loaded(app):
    add_entries(app, 2)
    serve(app, {"entries": GenericSitemap({"queryset": sa.select(Entry)})})
    with statements(app) as sql:
        locations(app.test_client().get("/sitemap-entries.xml"))
    assert "body" in sql[1] and "JOIN" in sql[1].upper()


def test_an_attribute_outside_only_raises_instead_of_a_query_per_row(app):
    add_entries(app, 3)

    class BySlug(GenericSitemap):
        def location(self, item: Entry) -> str:
            return f"/entries/{item.slug}/"

    serve(app, {"entries": BySlug({"queryset": sa.select(Entry), "only": ["id"]})})
    slugs = BySlug({"queryset": sa.select(Entry), "only": ["slug"]})
    app.add_url_rule("/slugs.xml", view_func=SitemapView.as_view("slugs", sitemaps={"s": slugs}))
    with statements(app) as sql, pytest.raises(sa.exc.InvalidRequestError, match="slug"):
        app.test_client().get("/sitemap-entries.xml")
    assert len(sql) == 2  # the count and the page: no query for the missing column
    assert locations(app.test_client().get("/slugs.xml"))[0] == f"{BASE}/entries/entry-0/"


def test_ordered_statement_keeps_its_order_with_the_key_as_tie_breaker(app):
    ids = add_entries(app, 4, lastmod=LASTMOD)

    class Newest(Sitemap):
        limit = 3

        def items(self) -> t.Any:
            return sa.select(Entry).order_by(Entry.updated_at.desc())

    serve(app, {"newest": Newest})
    client = app.test_client()
    both = locations(client.get("/sitemap-newest.xml")) + locations(client.get("/sitemap-newest.xml?p=2"))
    assert both == [f"{BASE}/entries/{pk}/" for pk in ids]


@pytest.mark.parametrize(
    ("info", "message"),
    [
        ({"only": ["titel"]}, "GenericSitemap names 'titel', which is not a column of SitemapsTestEntry. Did you mean"),
        ({"date_field": "updated"}, "GenericSitemap names 'updated', which is not a column"),
        ({"only": ["author"]}, "GenericSitemap names 'author', which is not a column"),
        ({"only": "id"}, "'only' is a list of attribute names"),
    ],
)
def test_wrong_field_names_are_explained(info, message):
    with pytest.raises(ConfigurationError, match=message):
        GenericSitemap({"queryset": sa.select(Entry), **info})


def test_only_needs_a_statement_of_one_model():
    with pytest.raises(ConfigurationError, match="'only' needs a select"):
        GenericSitemap({"queryset": [], "only": ["id"]})
    with pytest.raises(ConfigurationError, match="must select one model"):
        GenericSitemap({"queryset": sa.select(Entry.id, Entry.title), "date_field": "updated_at"})


def test_a_feed_of_a_select_runs_one_query(app):
    add_entries(app, 30, lastmod=LASTMOD)

    class Latest(Feed):
        title = "Latest"
        link = "/"
        description = "The newest entries."

        def items(self) -> t.Any:
            return sa.select(Entry).order_by(Entry.id.desc()).limit(10)

        def item_author_name(self, entry: Entry) -> str | None:
            return entry.author.name if entry.author else None

        def item_updateddate(self, entry: Entry) -> dt.datetime | None:
            return entry.updated_at

    app.add_url_rule("/feed/", view_func=Latest.as_view("feed"))
    with statements(app) as sql:
        response = app.test_client().get("/feed/")
    assert len(sql) == 1, sql  # the author is joined
    root = ET.fromstring(response.data)
    items = root.findall("channel/item")
    assert len(items) == 10
    assert items[0].findtext("title") == "Entry 29"
    assert items[0].findtext("{http://purl.org/dc/elements/1.1/}creator") == "Ann"
    assert response.headers["Last-Modified"] == "Wed, 13 Mar 2013 10:00:00 GMT"

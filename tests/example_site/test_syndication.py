"""The example site's feeds (RSS and Atom), its sitemap and robots.txt, as a feed reader and a crawler read them."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import sqlalchemy as sa

from example_site.feeds import FEED_NOTES
from example_site.models import Note
from flaskkit.plugins.orm import db

from .helpers import create_note
from .helpers import create_user

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SCRIPT_TITLE = "<script>alert(1)</script>"


def test_rss_feed_keeps_a_script_title_as_text(app, client):
    author = create_user(app, "ann")
    note_id = create_note(app, author, title=SCRIPT_TITLE, body="Line <b>one</b>\nline & two")
    response = client.get("/feed/")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert b"<script" not in response.data  # escaped in the bytes, whatever reads them
    channel = ET.fromstring(response.data).find("channel")
    assert channel is not None
    assert channel.findtext("title") == "flaskkit notes"
    assert channel.findtext("link") == "http://localhost/"
    self_link = channel.find(f"{ATOM}link")
    assert self_link is not None and self_link.get("href") == "http://localhost/feed/"
    (item,) = channel.findall("item")
    title = item.find("title")
    assert title is not None and title.text == SCRIPT_TITLE and len(title) == 0  # text, no child element
    # The description is HTML in which the user's text is escaped: a reader shows the tags as characters.
    assert item.findtext("description") == "<p>Line &lt;b&gt;one&lt;/b&gt;<br>\nline &amp; two</p>"
    assert item.findtext("link") == f"http://localhost/notes/{note_id}/"
    assert item.findtext("guid") == f"http://localhost/notes/{note_id}/"
    assert item.findtext("{http://purl.org/dc/elements/1.1/}creator") == "ann"
    assert re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000", item.findtext("pubDate") or "")


def test_atom_feed_keeps_a_script_title_as_text(app, client):
    author = create_user(app, "ann")
    create_note(app, author, title=SCRIPT_TITLE)
    response = client.get("/feed/atom/")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert b"<script" not in response.data
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}subtitle") == "The newest notes on the board."
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"alternate": "http://localhost/", "self": "http://localhost/feed/atom/"}
    (entry,) = feed.findall(f"{ATOM}entry")
    title = entry.find(f"{ATOM}title")
    assert title is not None and title.text == SCRIPT_TITLE and title.get("type") is None  # type="text"
    assert entry.findtext(f"{ATOM}id") == entry.find(f"{ATOM}link").get("href")  # type: ignore[union-attr]
    for date in ("updated", "published"):
        assert dt.datetime.fromisoformat(entry.findtext(f"{ATOM}{date}") or "").utcoffset() == dt.timedelta(0)
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "ann"


def test_feeds_hold_the_newest_notes_in_one_query(app, client):
    author = create_user(app, "ann")
    ids = [create_note(app, author, title=f"Note {n}") for n in range(FEED_NOTES + 5)]
    recorded: list[str] = []

    def record(conn, cursor, statement, *args):
        recorded.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        rss = client.get("/feed/")
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert len(recorded) == 1, recorded
    items = ET.fromstring(rss.data).findall("channel/item")
    assert len(items) == FEED_NOTES == 20
    newest = list(reversed(ids))[:FEED_NOTES]
    assert [item.findtext("link") for item in items] == [f"http://localhost/notes/{pk}/" for pk in newest]
    entries = ET.fromstring(client.get("/feed/atom/").data).findall(f"{ATOM}entry")
    assert len(entries) == FEED_NOTES
    # A conditional request for an unchanged feed is answered with 304.
    again = client.get("/feed/", headers={"If-None-Match": rss.headers["ETag"]})
    assert again.status_code == 304


def test_empty_feeds_are_valid(client):
    rss = ET.fromstring(client.get("/feed/").data)
    assert rss.findall("channel/item") == []
    atom = ET.fromstring(client.get("/feed/atom/").data)
    assert atom.findtext(f"{ATOM}author/{ATOM}name") == "flaskkit notes"  # RFC 4287 wants an author


def test_layout_links_the_feeds(client):
    page = client.get("/").text
    assert '<link rel="alternate" type="application/rss+xml" title="flaskkit notes (RSS)" href="/feed/">' in page
    assert '<link rel="alternate" type="application/atom+xml" title="flaskkit notes (Atom)" href="/feed/atom/">' in page


def test_sitemap_of_the_notes(app, client):
    author = create_user(app, "ann")
    ids = [create_note(app, author, title=f"Note {n}") for n in range(3)]
    with app.app_context():
        updated = {note.id: note.updated_at for note in db.session.scalars(sa.select(Note))}
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    assert index.headers["X-Robots-Tag"] == "noindex, noodp, noarchive"
    root = ET.fromstring(index.data)
    assert root.tag == f"{SITEMAP}sitemapindex"
    assert [element.text for element in root.iter(f"{SITEMAP}loc")] == [
        "http://localhost/sitemap-notes.xml",
        "http://localhost/sitemap-pages.xml",
    ]
    notes = client.get("/sitemap-notes.xml")
    assert notes.status_code == 200
    urls = ET.fromstring(notes.data)
    assert urls.tag == f"{SITEMAP}urlset"
    assert [url.findtext(f"{SITEMAP}loc") for url in urls] == [f"http://localhost/notes/{pk}/" for pk in ids]
    for url in urls:
        pk = int((url.findtext(f"{SITEMAP}loc") or "").rstrip("/").rsplit("/", 1)[1])
        lastmod = dt.datetime.fromisoformat(url.findtext(f"{SITEMAP}lastmod") or "")
        assert lastmod == updated[pk].replace(tzinfo=dt.UTC, microsecond=0)
    assert "Last-Modified" in notes.headers
    pages = ET.fromstring(client.get("/sitemap-pages.xml").data)
    assert [url.findtext(f"{SITEMAP}loc") for url in pages] == ["http://localhost/"]
    assert client.get("/sitemap-secret.xml").status_code == 404


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.text.splitlines() == [
        "User-agent: *",
        "Disallow: /accounts/",
        "Disallow: /admin/",
        "Sitemap: http://localhost/sitemap.xml",
    ]


def test_a_host_outside_allowed_hosts_never_reaches_the_feed(client):
    response = client.get("/feed/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert b"evil.example/" not in response.data


def test_site_url_setting(site_environment, instance_path):
    from example_site import create_app

    app = create_app({"TESTING": True, "SITE_URL": "https://notes.example"}, instance_path=instance_path)
    from example_site.seed import migrate

    with app.app_context():
        migrate()
    response = app.test_client().get("/robots.txt")
    assert "Sitemap: https://notes.example/sitemap.xml" in response.text

"""The feed generators: Django's tests/utils_tests/test_feedgenerator.py, and validity against RSS 2.0 / Atom 1.0."""

from __future__ import annotations

import datetime as dt
import email.utils
import xml.etree.ElementTree as ET
from xml.dom import minidom

import pytest

from flaskkit.plugins.syndication import feedgenerator
from flaskkit.plugins.syndication.feedgenerator import Atom1Feed
from flaskkit.plugins.syndication.feedgenerator import Enclosure
from flaskkit.plugins.syndication.feedgenerator import Rss201rev2Feed
from flaskkit.plugins.syndication.feedgenerator import Stylesheet

ATOM = "{http://www.w3.org/2005/Atom}"


def fixed(minutes: int) -> dt.timezone:
    return dt.timezone(dt.timedelta(minutes=minutes))


# -- Django's cases ---------------------------------------------------------------------------------


def test_get_tag_uri():
    assert (
        feedgenerator.get_tag_uri("http://example.org/foo/bar#headline", dt.date(2004, 10, 25))
        == "tag:example.org,2004-10-25:/foo/bar/headline"
    )


def test_get_tag_uri_with_port():
    assert (
        feedgenerator.get_tag_uri(
            "http://www.example.org:8000/2008/11/14/django#headline", dt.datetime(2008, 11, 14, 13, 37, 0)
        )
        == "tag:www.example.org,2008-11-14:/2008/11/14/django/headline"
    )


def test_rfc2822_date():
    assert feedgenerator.rfc2822_date(dt.datetime(2008, 11, 14, 13, 37, 0)) == "Fri, 14 Nov 2008 13:37:00 -0000"


def test_rfc2822_date_with_timezone():
    value = dt.datetime(2008, 11, 14, 13, 37, 0, tzinfo=fixed(60))
    assert feedgenerator.rfc2822_date(value) == "Fri, 14 Nov 2008 13:37:00 +0100"


def test_rfc2822_date_without_time():
    assert feedgenerator.rfc2822_date(dt.date(2008, 11, 14)) == "Fri, 14 Nov 2008 00:00:00 -0000"


def test_rfc3339_date():
    assert feedgenerator.rfc3339_date(dt.datetime(2008, 11, 14, 13, 37, 0)) == "2008-11-14T13:37:00Z"


def test_rfc3339_date_with_timezone():
    value = dt.datetime(2008, 11, 14, 13, 37, 0, tzinfo=fixed(120))
    assert feedgenerator.rfc3339_date(value) == "2008-11-14T13:37:00+02:00"


def test_rfc3339_date_without_time():
    assert feedgenerator.rfc3339_date(dt.date(2008, 11, 14)) == "2008-11-14T00:00:00Z"


def test_content_types_say_utf8():
    assert Atom1Feed("title", "link", "description").content_type == "application/atom+xml; charset=utf-8"
    assert Rss201rev2Feed("title", "link", "description").content_type == "application/rss+xml; charset=utf-8"


def test_feed_without_feed_url_gets_rendered_without_atom_link():
    feed = Rss201rev2Feed("title", "/link/", "descr")
    assert feed.feed["feed_url"] is None
    content = feed.writeString("utf-8")
    assert "<atom:link" not in content
    assert 'href="/feed/"' not in content
    assert 'rel="self"' not in content


def test_feed_with_feed_url_gets_rendered_with_atom_link():
    feed = Rss201rev2Feed("title", "/link/", "descr", feed_url="/feed/")
    assert feed.feed["feed_url"] == "/feed/"
    content = feed.writeString("utf-8")
    assert '<atom:link href="/feed/" rel="self" type="application/rss+xml"/>' in content


def test_atom_add_item_without_optional_arguments():
    feed = Atom1Feed("title", "/link/", "descr")
    feed.add_item("item_title", "item_link", "item_description")
    ET.fromstring(feed.writeString("utf-8"))


def test_deterministic_attribute_order():
    content = Atom1Feed("title", "/link/", "desc").writeString("utf-8")
    assert 'href="/link/" rel="alternate"' in content


def test_latest_post_date_returns_utc_time_without_items():
    assert Rss201rev2Feed("title", "link", "description").latest_post_date().tzinfo is dt.UTC


def test_stylesheet_keeps_lazy_urls():
    calls = []

    class Lazy:
        def __str__(self) -> str:
            calls.append(1)
            return "test.css"

    stylesheet = Stylesheet(Lazy())  # type: ignore[arg-type]
    assert calls == []
    assert str(stylesheet) == 'href="test.css" media="screen" type="text/css"'
    assert calls == [1]


def test_stylesheet_attribute_escaping():
    style = Stylesheet(
        url='http://example.com/style.css?foo="bar"&baz=<>',
        mimetype='text/css; charset="utf-8"',
        media='screen and (max-width: "600px")',
    )
    assert str(style) == (
        'href="http://example.com/style.css?foo=%22bar%22&amp;baz=%3C%3E" '
        'media="screen and (max-width: &quot;600px&quot;)" '
        'type="text/css; charset=&quot;utf-8&quot;"'
    )


def test_stylesheets_must_be_a_list():
    with pytest.raises(TypeError, match="stylesheets should be a list"):
        Rss201rev2Feed("t", "l", "d", stylesheets="/style.xsl")


def test_stylesheets_are_processing_instructions_before_the_root():
    feed = Rss201rev2Feed("t", "/l/", "d", stylesheets=["/feed.xsl", Stylesheet("/a.css", media="print")])
    content = feed.writeString("utf-8")
    first, second = (
        '<?xml-stylesheet href="/feed.xsl" media="screen" type="text/xsl"?>',
        ('<?xml-stylesheet href="/a.css" media="print" type="text/css"?>'),
    )
    assert content.index(first) < content.index(second) < content.index("<rss")
    minidom.parseString(content)


def test_rss_allows_one_enclosure_only():
    feed = Rss201rev2Feed("t", "/l/", "d")
    enclosures = [Enclosure("http://example.com/a.png", "0", "image/png"), Enclosure("http://e.com/b.png", "0", "x")]
    feed.add_item("i", "/i/", "d", enclosures=enclosures)
    with pytest.raises(ValueError, match="RSS feed items may only have one enclosure"):
        feed.writeString("utf-8")


# -- validity against the specifications ------------------------------------------------------------

CONTROL_CHARACTERS = "".join(chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))) + "\ufffe\uffff"


def filled(feed_type: type[feedgenerator.SyndicationFeed]) -> feedgenerator.SyndicationFeed:
    feed = feed_type(
        title="Tom & Jerry <b>",
        link="https://example.com/",
        description="Notes & more",
        feed_url="https://example.com/feed/",
        language="en",
    )
    feed.add_item(
        title="<script>alert(1)</script>",
        link="https://example.com/notes/1/",
        description="&lt;p&gt;escaped HTML&lt;/p&gt;",
        pubdate=dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC),
        author_name="Ann",
    )
    feed.add_item(
        title=f"bad{CONTROL_CHARACTERS}chars",
        link="https://example.com/notes/2/",
        description=f"x{CONTROL_CHARACTERS}y",
        categories=[f"c{CONTROL_CHARACTERS}"],
    )
    return feed


def test_rss2_document_has_the_required_elements_and_rfc822_dates():
    root = ET.fromstring(filled(Rss201rev2Feed).writeString("utf-8"))
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    (channel,) = root.findall("channel")
    for required in ("title", "link", "description"):
        assert channel.find(required) is not None, required
    assert channel.findtext("title") == "Tom & Jerry <b>"
    self_link = channel.find(f"{ATOM}link")
    assert self_link is not None
    assert self_link.attrib == {"href": "https://example.com/feed/", "rel": "self", "type": "application/rss+xml"}
    assert email.utils.parsedate_to_datetime(channel.findtext("lastBuildDate") or "") == dt.datetime(
        2024, 5, 1, 12, 30, tzinfo=dt.UTC
    )
    items = channel.findall("item")
    assert len(items) == 2
    assert items[0].findtext("title") == "<script>alert(1)</script>"
    assert items[0].find("title/script") is None  # text, not an element
    assert items[0].findtext("pubDate") == "Wed, 01 May 2024 12:30:00 +0000"
    assert items[0].findtext("{http://purl.org/dc/elements/1.1/}creator") == "Ann"
    assert items[0].findtext("description") == "&lt;p&gt;escaped HTML&lt;/p&gt;"


def test_atom_document_has_the_required_elements_and_rfc3339_dates():
    root = ET.fromstring(filled(Atom1Feed).writeString("utf-8"))
    assert root.tag == f"{ATOM}feed"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    for required in ("title", "id", "updated"):
        assert len(root.findall(f"{ATOM}{required}")) == 1, required
    assert root.findtext(f"{ATOM}updated") == "2024-05-01T12:30:00+00:00"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {"alternate": "https://example.com/", "self": "https://example.com/feed/"}
    # Not every entry has an author: the feed has one (RFC 4287 4.1.1).
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "Tom & Jerry <b>"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{required}")) == 1, required
        dt.datetime.fromisoformat(entry.findtext(f"{ATOM}updated") or "")
    assert entries[0].findtext(f"{ATOM}title") == "<script>alert(1)</script>"
    assert entries[0].find(f"{ATOM}summary").get("type") == "html"  # type: ignore[union-attr]
    # An entry without dates takes the feed's updated date.
    assert entries[1].findtext(f"{ATOM}updated") == "2024-05-01T12:30:00+00:00"


def test_a_feed_where_every_entry_has_an_author_has_no_invented_feed_author():
    feed = Atom1Feed("t", "https://example.com/", "d")
    feed.add_item("i", "https://example.com/i/", "d", author_name="Ann")
    root = ET.fromstring(feed.writeString("utf-8"))
    assert root.find(f"{ATOM}author") is None
    assert root.findtext(f"{ATOM}entry/{ATOM}author/{ATOM}name") == "Ann"


@pytest.mark.parametrize("feed_type", [Rss201rev2Feed, Atom1Feed])
def test_characters_xml_forbids_are_removed_never_a_broken_document(feed_type):
    content = filled(feed_type).writeString("utf-8")
    for char in CONTROL_CHARACTERS:
        assert char not in content
    root = ET.fromstring(content)  # any forbidden character would make this raise
    titles = [element.text for element in root.iter() if element.tag in ("title", f"{ATOM}title")]
    assert "badchars" in titles
    minidom.parseString(content.encode("utf-8"))


def test_tab_newline_and_non_ascii_text_survive():
    feed = Rss201rev2Feed("Grüße 你好", "https://example.com/", "line 1\nline 2\ttab")
    channel = ET.fromstring(feed.writeString("utf-8").encode("utf-8")).find("channel")
    assert channel is not None
    assert channel.findtext("title") == "Grüße 你好"
    assert channel.findtext("description") == "line 1\nline 2\ttab"


def test_iri_links_become_uris():
    feed = Rss201rev2Feed("t", "https://bücher.example/straße/", "d")
    assert feed.feed["link"] == "https://xn--bcher-kva.example/stra%C3%9Fe/"


def test_guid_that_is_not_a_url_is_not_a_permalink():
    feed = Rss201rev2Feed("t", "https://example.com/", "d")
    feed.add_item("a", "https://example.com/a/", "d", unique_id="https://example.com/a/")
    feed.add_item("b", "https://example.com/b/", "d", unique_id="note-2")
    feed.add_item("c", "https://example.com/c/", "d", unique_id="note-3", unique_id_is_permalink=True)
    guids = ET.fromstring(feed.writeString("utf-8")).findall("channel/item/guid")
    assert [guid.get("isPermaLink") for guid in guids] == [None, "false", "true"]

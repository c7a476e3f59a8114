"""Syndication feed generation: RSS 2.0, RSS 0.91 and Atom 1.0 documents.

Ported from Django's ``django/utils/feedgenerator.py`` (BSD-3-Clause, Copyright (c) Django
Software Foundation and individual contributors), with the same classes, arguments and
hooks, so a custom generator written for Django (``root_attributes``,
``add_root_elements``, ``item_attributes``, ``add_item_elements``) works here::

    feed = Rss201rev2Feed(title="Notes", link="https://example.com/", description="The newest notes.")
    feed.add_item(title="Hello", link="https://example.com/notes/1/", description="<p>Hi</p>")
    xml = feed.writeString("utf-8")

What differs, so that every document is valid against its specification:

* characters XML 1.0 forbids are removed from text and attributes (see ``xmlutils``),
  never written into a document no parser can read;
* Atom: every entry has its required ``<updated>`` (the updated date, else the
  published date, else the feed's); a feed whose entries do not all have an author
  gets one feed-level ``<author>`` (the feed's title), as RFC 4287 requires;
* RSS: the ``atom:link rel="self"`` says its type; a ``<guid>`` that is not an
  http(s) URL is marked ``isPermaLink="false"`` (RSS 2.0 assumes ``true``).

All arguments are strings except the dates (``datetime``) and enclosures; ``description``
is HTML (entity-encoded in the document, ``type="html"`` in Atom), every other text is
plain text.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import mimetypes
import typing as t
from urllib.parse import urlparse

from werkzeug.urls import iri_to_uri as _iri_to_uri

from .dates import rfc2822_date
from .dates import rfc3339_date
from .xmlutils import SimplerXMLGenerator

__all__ = [
    "Atom1Feed",
    "DefaultFeed",
    "Enclosure",
    "Rss201rev2Feed",
    "RssFeed",
    "RssUserland091Feed",
    "Stylesheet",
    "SyndicationFeed",
    "get_tag_uri",
    "iri_to_uri",
    "rfc2822_date",
    "rfc3339_date",
]


def iri_to_uri(iri: t.Any) -> str | None:
    """An IRI as a URI (non-ASCII characters percent-encoded, the host in IDNA); ``None`` stays ``None``."""
    if iri is None:
        return None
    return _iri_to_uri(str(iri))


def get_tag_uri(url: str, date: dt.date | None) -> str:
    """A tag URI (RFC 4151) for an entry without an id: ``tag:example.org,2004-10-25:/foo/bar/headline``."""
    bits = urlparse(url)
    day = f",{date.strftime('%Y-%m-%d')}" if date is not None else ""
    return f"tag:{bits.hostname}{day}:{bits.path}/{bits.fragment}"


def _guess_stylesheet_mimetype(url: str) -> str | None:
    # XSLT's registered type is application/xslt+xml, but browsers expect text/xsl (as Django notes).
    if url.lower().rsplit("?", 1)[0].endswith((".xsl", ".xslt")):
        return "text/xsl"
    return mimetypes.guess_type(url)[0]


class Stylesheet:
    """A stylesheet for the feed (``<?xml-stylesheet href=... type=... media=...?>``), as in Django 5.2."""

    def __init__(self, url: str, mimetype: str | None = "", media: str = "screen") -> None:
        self._url = url
        self._mimetype = mimetype
        self.media = media

    @property
    def url(self) -> str:
        # A property, so that a lazy URL is only built when the feed is written.
        return iri_to_uri(self._url) or ""

    @property
    def mimetype(self) -> str | None:
        """The given type; ``""`` (the default) guesses it from the URL."""
        if self._mimetype == "":
            return _guess_stylesheet_mimetype(self.url)
        return self._mimetype

    def __str__(self) -> str:
        url = self.url  # read once: a lazy URL is built once
        mimetype = _guess_stylesheet_mimetype(url) if self._mimetype == "" else self._mimetype
        attrs = {"href": url, "media": self.media, "type": mimetype}
        return " ".join(f'{key}="{html.escape(value)}"' for key, value in sorted(attrs.items()) if value is not None)

    def __repr__(self) -> str:
        return repr((self.url, self.mimetype, self.media))


class Enclosure:
    """A file attached to an item (a podcast's audio): URL, length in bytes, MIME type."""

    def __init__(self, url: str, length: t.Any, mime_type: str) -> None:
        self.length, self.mime_type = length, mime_type
        self.url = iri_to_uri(url)


def _to_str(value: t.Any) -> str | None:
    return str(value) if value is not None else None


class SyndicationFeed:
    """The base of every feed generator: collects the feed and its items; subclasses write them."""

    #: The ``Content-Type`` of the document.
    content_type = "application/xml; charset=utf-8"

    def __init__(
        self,
        title: str | None,
        link: str | None,
        description: str | None,
        language: str | None = None,
        author_email: str | None = None,
        author_name: str | None = None,
        author_link: str | None = None,
        subtitle: str | None = None,
        categories: t.Iterable[t.Any] | None = None,
        feed_url: str | None = None,
        feed_copyright: str | None = None,
        feed_guid: str | None = None,
        ttl: t.Any = None,
        stylesheets: t.Iterable[str | Stylesheet] | None = None,
        **kwargs: t.Any,
    ) -> None:
        if stylesheets is not None:
            if isinstance(stylesheets, Stylesheet | str):
                raise TypeError(f"stylesheets should be a list, not {stylesheets.__class__}")
            stylesheets = [s if isinstance(s, Stylesheet) else Stylesheet(s) for s in stylesheets]
        #: The feed's values, by Django's keys (plus any ``**kwargs``, for custom generators).
        self.feed: dict[str, t.Any] = {
            "title": _to_str(title),
            "link": iri_to_uri(link),
            "description": _to_str(description),
            "language": _to_str(language),
            "author_email": _to_str(author_email),
            "author_name": _to_str(author_name),
            "author_link": iri_to_uri(author_link),
            "subtitle": _to_str(subtitle),
            "categories": [str(c) for c in categories] if categories else (),
            "feed_url": iri_to_uri(feed_url),
            "feed_copyright": _to_str(feed_copyright),
            "id": feed_guid or iri_to_uri(link),
            "ttl": _to_str(ttl),
            "stylesheets": stylesheets,
            **kwargs,
        }
        #: One dict per :meth:`add_item`.
        self.items: list[dict[str, t.Any]] = []

    def add_item(
        self,
        title: str | None,
        link: str | None,
        description: str | None,
        author_email: str | None = None,
        author_name: str | None = None,
        author_link: str | None = None,
        pubdate: dt.datetime | None = None,
        comments: str | None = None,
        unique_id: str | None = None,
        unique_id_is_permalink: bool | None = None,
        categories: t.Iterable[t.Any] | None = (),
        item_copyright: str | None = None,
        ttl: t.Any = None,
        updateddate: dt.datetime | None = None,
        enclosures: t.Iterable[Enclosure] | None = None,
        **kwargs: t.Any,
    ) -> None:
        """Add an item. ``description`` is HTML; the other texts are plain text."""
        self.items.append(
            {
                "title": _to_str(title),
                "link": iri_to_uri(link),
                "description": _to_str(description),
                "author_email": _to_str(author_email),
                "author_name": _to_str(author_name),
                "author_link": iri_to_uri(author_link),
                "pubdate": pubdate,
                "updateddate": updateddate,
                "comments": _to_str(comments),
                "unique_id": _to_str(unique_id),
                "unique_id_is_permalink": unique_id_is_permalink,
                "enclosures": enclosures or (),
                "categories": [str(c) for c in categories] if categories else (),
                "item_copyright": _to_str(item_copyright),
                "ttl": _to_str(ttl),
                **kwargs,
            }
        )

    def num_items(self) -> int:
        return len(self.items)

    def root_attributes(self) -> dict[str, str]:
        """Extra attributes of the root element (``channel`` / ``feed``)."""
        return {}

    def add_root_elements(self, handler: SimplerXMLGenerator) -> None:
        """Write the elements of the root element (before the items)."""

    def add_stylesheets(self, handler: SimplerXMLGenerator) -> None:
        """Write the stylesheets' processing instructions."""

    def item_attributes(self, item: dict[str, t.Any]) -> dict[str, str]:
        """Extra attributes of each item's element (``item`` / ``entry``)."""
        return {}

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, t.Any]) -> None:
        """Write the elements of one item."""

    def write(self, outfile: t.IO[str], encoding: str) -> None:
        """Write the document to ``outfile`` (a text stream) declaring ``encoding``."""
        raise NotImplementedError("subclasses of SyndicationFeed must provide a write() method")

    def writeString(self, encoding: str) -> str:
        """The document as a string."""
        out = io.StringIO()
        self.write(out, encoding)
        return out.getvalue()

    def latest_date(self) -> dt.datetime | None:
        """The latest updated or published date of the items, ``None`` when no item has one."""
        dates = [date for item in self.items for date in (item.get("updateddate"), item.get("pubdate")) if date]
        return max(dates) if dates else None

    def latest_post_date(self) -> dt.datetime:
        """The latest item's updated or published date; the current UTC time when no item has one."""
        return self.latest_date() or dt.datetime.now(dt.UTC)


class RssFeed(SyndicationFeed):
    """The RSS family: ``<rss version><channel>...<item>...</item></channel></rss>``."""

    content_type = "application/rss+xml; charset=utf-8"
    _version = ""

    def write(self, outfile: t.IO[str], encoding: str) -> None:
        handler = SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        # A stylesheet comes after the start of the document and before any element.
        self.add_stylesheets(handler)
        handler.startElement("rss", self.rss_attributes())
        handler.startElement("channel", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        self.endChannelElement(handler)
        handler.endElement("rss")
        handler.endDocument()

    def rss_attributes(self) -> dict[str, str]:
        return {"version": self._version, "xmlns:atom": "http://www.w3.org/2005/Atom"}

    def write_items(self, handler: SimplerXMLGenerator) -> None:
        for item in self.items:
            handler.startElement("item", self.item_attributes(item))
            self.add_item_elements(handler, item)
            handler.endElement("item")

    def add_stylesheets(self, handler: SimplerXMLGenerator) -> None:
        for stylesheet in self.feed["stylesheets"] or ():
            handler.processingInstruction("xml-stylesheet", str(stylesheet))

    def add_root_elements(self, handler: SimplerXMLGenerator) -> None:
        handler.addQuickElement("title", self.feed["title"])
        handler.addQuickElement("link", self.feed["link"])
        handler.addQuickElement("description", self.feed["description"])
        if self.feed["feed_url"] is not None:
            # The RSS Advisory Board's profile: the feed's own URL, with its type.
            handler.addQuickElement(
                "atom:link", None, {"rel": "self", "href": self.feed["feed_url"], "type": "application/rss+xml"}
            )
        if self.feed["language"] is not None:
            handler.addQuickElement("language", self.feed["language"])
        for category in self.feed["categories"]:
            handler.addQuickElement("category", category)
        if self.feed["feed_copyright"] is not None:
            handler.addQuickElement("copyright", self.feed["feed_copyright"])
        handler.addQuickElement("lastBuildDate", rfc2822_date(self.latest_post_date()))
        if self.feed["ttl"] is not None:
            handler.addQuickElement("ttl", self.feed["ttl"])

    def endChannelElement(self, handler: SimplerXMLGenerator) -> None:
        handler.endElement("channel")


class RssUserland091Feed(RssFeed):
    """RSS 0.91."""

    _version = "0.91"

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, t.Any]) -> None:
        handler.addQuickElement("title", item["title"])
        handler.addQuickElement("link", item["link"])
        if item["description"] is not None:
            handler.addQuickElement("description", item["description"])


def _is_web_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


class Rss201rev2Feed(RssFeed):
    """RSS 2.0 (https://www.rssboard.org/rss-specification); the default feed type."""

    _version = "2.0"

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, t.Any]) -> None:
        handler.addQuickElement("title", item["title"])
        handler.addQuickElement("link", item["link"])
        if item["description"] is not None:
            handler.addQuickElement("description", item["description"])

        # RSS's <author> is an email address; a name alone goes in Dublin Core's <dc:creator>.
        if item["author_name"] and item["author_email"]:
            handler.addQuickElement("author", f"{item['author_email']} ({item['author_name']})")
        elif item["author_email"]:
            handler.addQuickElement("author", item["author_email"])
        elif item["author_name"]:
            handler.addQuickElement("dc:creator", item["author_name"], {"xmlns:dc": "http://purl.org/dc/elements/1.1/"})

        if item["pubdate"] is not None:
            handler.addQuickElement("pubDate", rfc2822_date(item["pubdate"]))
        if item["comments"] is not None:
            handler.addQuickElement("comments", item["comments"])
        if item["unique_id"] is not None:
            guid_attrs = {}
            permalink = item.get("unique_id_is_permalink")
            if isinstance(permalink, bool):
                guid_attrs["isPermaLink"] = str(permalink).lower()
            elif not _is_web_url(item["unique_id"]):
                guid_attrs["isPermaLink"] = "false"  # RSS 2.0 reads a guid without it as a URL
            handler.addQuickElement("guid", item["unique_id"], guid_attrs)
        if item["ttl"] is not None:
            handler.addQuickElement("ttl", item["ttl"])

        if item["enclosures"]:
            enclosures = list(item["enclosures"])
            if len(enclosures) > 1:
                raise ValueError(
                    "RSS feed items may only have one enclosure, see "
                    "http://www.rssboard.org/rss-profile#element-channel-item-enclosure"
                )
            enclosure = enclosures[0]
            handler.addQuickElement(
                "enclosure", "", {"url": enclosure.url, "length": enclosure.length, "type": enclosure.mime_type}
            )

        for category in item["categories"]:
            handler.addQuickElement("category", category)


class Atom1Feed(SyndicationFeed):
    """Atom 1.0 (RFC 4287)."""

    content_type = "application/atom+xml; charset=utf-8"
    ns = "http://www.w3.org/2005/Atom"

    def write(self, outfile: t.IO[str], encoding: str) -> None:
        handler = SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")
        handler.endDocument()

    def root_attributes(self) -> dict[str, str]:
        if self.feed["language"] is not None:
            return {"xmlns": self.ns, "xml:lang": self.feed["language"]}
        return {"xmlns": self.ns}

    def add_root_elements(self, handler: SimplerXMLGenerator) -> None:
        handler.addQuickElement("title", self.feed["title"])
        handler.addQuickElement("link", "", {"rel": "alternate", "href": self.feed["link"]})
        if self.feed["feed_url"] is not None:
            handler.addQuickElement("link", "", {"rel": "self", "href": self.feed["feed_url"]})
        handler.addQuickElement("id", self.feed["id"])
        handler.addQuickElement("updated", rfc3339_date(self.latest_post_date()))
        if self.feed["author_name"] is not None:
            handler.startElement("author", {})
            handler.addQuickElement("name", self.feed["author_name"])
            if self.feed["author_email"] is not None:
                handler.addQuickElement("email", self.feed["author_email"])
            if self.feed["author_link"] is not None:
                handler.addQuickElement("uri", self.feed["author_link"])
            handler.endElement("author")
        elif not self.items or any(item["author_name"] is None for item in self.items):
            # RFC 4287 4.1.1: a feed has an author unless every entry has one (validators want one in an empty feed).
            handler.startElement("author", {})
            handler.addQuickElement("name", self.feed["title"] or self.feed["link"])
            handler.endElement("author")
        if self.feed["subtitle"] is not None:
            handler.addQuickElement("subtitle", self.feed["subtitle"])
        for category in self.feed["categories"]:
            handler.addQuickElement("category", "", {"term": category})
        if self.feed["feed_copyright"] is not None:
            handler.addQuickElement("rights", self.feed["feed_copyright"])

    def write_items(self, handler: SimplerXMLGenerator) -> None:
        for item in self.items:
            handler.startElement("entry", self.item_attributes(item))
            self.add_item_elements(handler, item)
            handler.endElement("entry")

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, t.Any]) -> None:
        handler.addQuickElement("title", item["title"])
        handler.addQuickElement("link", "", {"href": item["link"], "rel": "alternate"})

        if item["pubdate"] is not None:
            handler.addQuickElement("published", rfc3339_date(item["pubdate"]))
        # RFC 4287 4.1.2: every entry has exactly one <updated>.
        updated = item["updateddate"] or item["pubdate"] or self.latest_post_date()
        handler.addQuickElement("updated", rfc3339_date(updated))

        if item["author_name"] is not None:
            handler.startElement("author", {})
            handler.addQuickElement("name", item["author_name"])
            if item["author_email"] is not None:
                handler.addQuickElement("email", item["author_email"])
            if item["author_link"] is not None:
                handler.addQuickElement("uri", item["author_link"])
            handler.endElement("author")

        unique_id = item["unique_id"]
        handler.addQuickElement(
            "id", unique_id if unique_id is not None else get_tag_uri(item["link"], item["pubdate"])
        )

        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "html"})

        for enclosure in item["enclosures"]:
            handler.addQuickElement(
                "link",
                "",
                {"rel": "enclosure", "href": enclosure.url, "length": enclosure.length, "type": enclosure.mime_type},
            )

        for category in item["categories"]:
            handler.addQuickElement("category", "", {"term": category})

        if item["item_copyright"] is not None:
            handler.addQuickElement("rights", item["item_copyright"])


#: The feed type of a ``Feed`` that does not set one.
DefaultFeed = Rss201rev2Feed

"""The Feed view: Django's tests/syndication_tests/tests.py, and what flaskkit adds (text vs HTML, 304, select())."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from xml.dom import minidom

import pytest

from flaskkit import ConfigurationError
from flaskkit.plugins.syndication import Atom1Feed
from flaskkit.plugins.syndication import add_domain
from flaskkit.plugins.syndication import rfc2822_date
from flaskkit.plugins.syndication import rfc3339_date

from . import feeds
from .feeds import ENTRIES

ATOM = "{http://www.w3.org/2005/Atom}"


def child_names(element: minidom.Element) -> set[str]:
    return {node.nodeName for node in element.childNodes}


def text_of(element: minidom.Element, name: str) -> str:
    return element.getElementsByTagName(name)[0].firstChild.wholeText  # type: ignore[union-attr]


def assert_child_content(element: minidom.Element, expected: dict[str, str]) -> None:
    for name, value in expected.items():
        assert text_of(element, name) == value, name


def categories(element: minidom.Element) -> set[str]:
    return {node.firstChild.wholeText for node in element.childNodes if node.nodeName == "category"}


def utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC)


def parse(response) -> minidom.Document:
    assert response.status_code == 200, response.text
    return minidom.parseString(response.data)


LATEST_PUBLISHED = max(entry.published for entry in ENTRIES)


# -- RSS ------------------------------------------------------------------------------------------


def test_rss2_feed(client):
    response = client.get("/syndication/rss2/")
    assert response.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    doc = parse(response)
    feeds = doc.getElementsByTagName("rss")
    assert len(feeds) == 1
    assert feeds[0].getAttribute("version") == "2.0"
    assert feeds[0].getElementsByTagName("channel")[0].getAttribute("xmlns:atom") == ""  # declared on <rss>
    assert feeds[0].getAttribute("xmlns:atom") == "http://www.w3.org/2005/Atom"
    channels = feeds[0].getElementsByTagName("channel")
    assert len(channels) == 1
    chan = channels[0]
    assert child_names(chan) == {
        "title",
        "link",
        "description",
        "language",
        "lastBuildDate",
        "item",
        "atom:link",
        "ttl",
        "copyright",
        "category",
    } - {"language"}  # no LANGUAGE_CODE and no language: no <language>
    assert_child_content(
        chan,
        {
            "title": "My blog",
            "description": "A more thorough description of my blog.",
            "link": "http://example.com/blog/",
            "lastBuildDate": rfc2822_date(utc(LATEST_PUBLISHED)),
            "ttl": "600",
            "copyright": "Copyright (c) 2007, Sally Smith",
        },
    )
    assert categories(chan) == {"python", "django"}
    assert chan.getElementsByTagName("atom:link")[0].getAttribute("href") == "http://example.com/syndication/rss2/"

    items = chan.getElementsByTagName("item")
    assert len(items) == len(ENTRIES)
    assert_child_content(
        items[0],
        {
            "title": "My first entry",
            "description": "Overridden description: My first entry",
            "link": "http://example.com/blog/1/",
            "guid": "http://example.com/blog/1/",
            "pubDate": rfc2822_date(utc(ENTRIES[0].published)),
            "author": "test@example.com (Sally Smith)",
            "comments": "/blog/1/comments",
        },
    )
    assert categories(items[0]) == {"python", "testing"}
    for item in items:
        assert child_names(item) == {
            "title",
            "link",
            "description",
            "guid",
            "category",
            "pubDate",
            "author",
            "comments",
        }
        assert item.getElementsByTagName("guid")[0].attributes.get("isPermaLink") is None


def test_rss2_feed_with_callable_object(client):
    chan = parse(client.get("/syndication/rss2/with-callable-object/")).getElementsByTagName("channel")[0]
    assert_child_content(chan, {"ttl": "700"})


def test_rss2_feed_with_decorated_methods(client):
    chan = parse(client.get("/syndication/rss2/with-decorated-methods/")).getElementsByTagName("channel")[0]
    assert_child_content(
        chan,
        {
            "title": "Overridden title -- decorated by @wraps.",
            "description": "Overridden description -- decorated by @wraps.",
            "ttl": "800 -- decorated by @wraps.",
            "copyright": "Copyright (c) 2022, John Doe -- decorated by @wraps.",
        },
    )
    assert categories(chan) == {"javascript", "vue"}
    assert_child_content(
        chan.getElementsByTagName("item")[0],
        {
            "title": "Overridden item title: My first entry -- decorated by @wraps.",
            "description": "Overridden item description -- decorated by @wraps.",
        },
    )


def test_a_method_decorated_without_wraps_still_gets_the_item(client):
    # Django refuses it (ImproperlyConfigured: "needs to use @functools.wraps"); the *args wrapper is given the item.
    chan = parse(client.get("/syndication/rss2/with-wrong-decorated-methods/")).getElementsByTagName("channel")[0]
    assert_child_content(
        chan.getElementsByTagName("item")[0],
        {"description": "Overridden item description: My first entry -- common decorated."},
    )


@pytest.mark.parametrize(("path", "value"), [("guid_ispermalink_false", "false"), ("guid_ispermalink_true", "true")])
def test_rss2_feed_guid_permalink(client, path, value):
    items = parse(client.get(f"/syndication/rss2/{path}/")).getElementsByTagName("item")
    assert items
    for item in items:
        assert item.getElementsByTagName("guid")[0].attributes.get("isPermaLink").value == value


def test_rss091_feed(client):
    doc = parse(client.get("/syndication/rss091/"))
    feed = doc.getElementsByTagName("rss")[0]
    assert feed.getAttribute("version") == "0.91"
    chan = feed.getElementsByTagName("channel")[0]
    assert child_names(chan) == {
        "title",
        "link",
        "description",
        "lastBuildDate",
        "item",
        "atom:link",
        "ttl",
        "copyright",
        "category",
    }
    assert_child_content(chan, {"title": "My blog", "link": "http://example.com/blog/"})
    assert categories(chan) == {"python", "django"}
    assert chan.getElementsByTagName("atom:link")[0].getAttribute("href") == "http://example.com/syndication/rss091/"
    items = chan.getElementsByTagName("item")
    assert len(items) == len(ENTRIES)
    assert_child_content(
        items[0],
        {
            "title": "My first entry",
            "description": "Overridden description: My first entry",
            "link": "http://example.com/blog/1/",
        },
    )
    for item in items:
        assert child_names(item) == {"title", "link", "description"}
        assert categories(item) == set()


# -- Atom -----------------------------------------------------------------------------------------


def test_atom_feed(client):
    response = client.get("/syndication/atom/")
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = parse(response).firstChild
    assert feed.nodeName == "feed"
    assert feed.getAttribute("xmlns") == "http://www.w3.org/2005/Atom"
    assert child_names(feed) == {"title", "subtitle", "link", "id", "updated", "entry", "rights", "category", "author"}
    links = {link.getAttribute("rel"): link.getAttribute("href") for link in feed.childNodes if link.nodeName == "link"}
    assert links == {"alternate": "http://example.com/blog/", "self": "http://example.com/syndication/atom/"}
    assert text_of(feed, "id") == "/foo/bar/1234"
    entries = feed.getElementsByTagName("entry")
    assert len(entries) == len(ENTRIES)
    for entry in entries:
        assert child_names(entry) == {
            "title",
            "link",
            "id",
            "summary",
            "category",
            "updated",
            "published",
            "rights",
            "author",
        }
        assert entry.getElementsByTagName("summary")[0].getAttribute("type") == "html"


def test_atom_feed_published_and_updated_elements(client):
    entries = parse(client.get("/syndication/atom/")).getElementsByTagName("entry")
    assert text_of(entries[0], "published") != text_of(entries[0], "updated")
    assert text_of(entries[0], "published") == "1986-09-25T20:15:00+00:00"
    assert text_of(entries[0], "updated") == "1980-01-01T12:30:00+00:00"


def test_atom_single_and_multiple_enclosures(client):
    for path, count in (("single-enclosure", 1), ("multiple-enclosure", 2)):
        feed = parse(client.get(f"/syndication/atom/{path}/")).firstChild
        for entry in feed.getElementsByTagName("entry"):
            links = [link for link in entry.getElementsByTagName("link") if link.getAttribute("rel") == "enclosure"]
            assert len(links) == count


def test_rss_single_enclosure(client):
    items = parse(client.get("/syndication/rss2/single-enclosure/")).getElementsByTagName("item")
    enclosure = items[0].getElementsByTagName("enclosure")[0]
    assert {name: enclosure.getAttribute(name) for name in ("url", "length", "type")} == {
        "url": "http://example.com",
        "length": "0",
        "type": "image/png",
    }


def test_rss_multiple_enclosures_raise(client):
    with pytest.raises(ValueError, match="RSS feed items may only have one enclosure"):
        client.get("/syndication/rss2/multiple-enclosure/")


def test_latest_post_date(client):
    # This feed's latest date is a <published>.
    feed = parse(client.get("/syndication/atom/")).firstChild
    assert text_of(feed, "updated") == rfc3339_date(utc(LATEST_PUBLISHED))
    # This one's is an <updated>.
    feed = parse(client.get("/syndication/latest/")).firstChild
    latest_updated = max(entry.updated for entry in ENTRIES if entry.title != "My last entry")
    assert text_of(feed, "updated") == rfc3339_date(utc(latest_updated))


def test_custom_feed_generator(client):
    feed = parse(client.get("/syndication/custom/")).firstChild
    assert feed.nodeName == "feed"
    assert feed.getAttribute("django") == "rocks"
    assert child_names(feed) == {
        "title",
        "subtitle",
        "link",
        "id",
        "updated",
        "entry",
        "spam",
        "rights",
        "category",
        "author",
    }
    entries = feed.getElementsByTagName("entry")
    assert len(entries) == len(ENTRIES)
    for entry in entries:
        assert entry.getAttribute("bacon") == "yum"
        assert "ministry" in child_names(entry)


def test_feed_type_and_attributes_as_view_arguments(make):
    app = make()
    app.add_url_rule("/as-atom/", view_func=feeds.TestRss2Feed.as_view("as_atom", feed_type=Atom1Feed, ttl=5))
    feed = parse(app.test_client().get("/as-atom/")).firstChild
    assert feed.nodeName == "feed"
    with pytest.raises(TypeError, match="'colour', which is not an attribute"):
        feeds.TestRss2Feed.as_view("bad", colour="red")


def test_an_instance_is_a_view_function_too(make):
    app = make()
    app.add_url_rule("/instance/", "instance", feeds.TestAtomFeed())
    feed = parse(app.test_client().get("/instance/")).firstChild
    assert text_of(feed, "title") == "My blog"


# -- text, HTML and escaping -------------------------------------------------------------------------


def test_title_is_plain_text_escaped_once(client):
    response = client.get("/syndication/rss2/")
    doc = parse(response)
    titles = {text_of(item, "link"): text_of(item, "title") for item in doc.getElementsByTagName("item")}
    # Django escapes its default title twice (#6533); here the title is the text itself.
    assert titles["http://example.com/blog/4/"] == "A & B < C > D"
    assert b"<title>A &amp; B &lt; C &gt; D</title>" in response.data


def test_descriptions_escape_text_and_keep_markup(client):
    doc = parse(client.get("/syndication/html-description/"))
    items = {text_of(item, "link"): item for item in doc.getElementsByTagName("item")}
    first, second = items["http://example.com/blog/1/"], items["http://example.com/blog/2/"]
    assert text_of(first, "description") == "<p>Hello <em>My first entry</em></p>"
    assert text_of(second, "description") == "&lt;p&gt;My second entry&lt;/p&gt;"
    # A Markup title is HTML: its text is what the title says.
    assert text_of(first, "title") == "Bold & My first entry"
    assert text_of(second, "title") == "My second entry"


def test_template_feed(client):
    items = parse(client.get("/syndication/template/")).getElementsByTagName("item")
    assert_child_content(
        items[0],
        {
            "title": "Title in your templates: My first entry",
            "description": "Description in your templates: My first entry",
            "link": "http://example.com/blog/1/",
        },
    )
    fourth = items[3]
    # An .html title template autoescapes; the title is its text.
    assert text_of(fourth, "title") == "Title in your templates: A & B < C > D"
    assert text_of(fourth, "description") == "Description in your templates: A &amp; B &lt; C &gt; D"


def test_template_context_feed(client):
    items = parse(client.get("/syndication/template_context/")).getElementsByTagName("item")
    assert_child_content(
        items[0], {"title": "My first entry (foo is bar)", "description": "My first entry (foo is bar)"}
    )


def test_text_templates_are_plain_text(client):
    items = parse(client.get("/syndication/text-template/")).getElementsByTagName("item")
    assert text_of(items[3], "title") == "Text title: A & B < C > D"
    assert text_of(items[3], "description") == "Text description: A &amp; B &lt; C &gt; D &lt;b&gt;not bold&lt;/b&gt;"


def test_a_missing_template_is_an_error(make):
    app = make()

    class Missing(feeds.TestRss2Feed):
        title_template = "syndication/missing.html"

    app.add_url_rule("/missing/", view_func=Missing.as_view("missing"))
    from jinja2 import TemplateNotFound

    with pytest.raises(TemplateNotFound, match=r"syndication/missing\.html"):
        app.test_client().get("/missing/")


# -- dates and conditional GET ------------------------------------------------------------------------


def test_naive_datetime_is_read_in_utc(client):
    doc = parse(client.get("/syndication/naive-dates/"))
    assert text_of(doc, "updated") == rfc3339_date(utc(LATEST_PUBLISHED))


def test_naive_datetime_is_read_in_time_zone(make):
    doc = parse(make(TIME_ZONE="America/Chicago").test_client().get("/syndication/naive-dates/"))
    # 2013-03-25 20:00 in Chicago is daylight time, UTC-5.
    assert text_of(doc, "updated") == "2013-03-25T20:00:00-05:00"


def test_aware_datetime_is_kept(client):
    doc = parse(client.get("/syndication/aware-dates/"))
    assert text_of(doc, "published")[-6:] == "+00:42"


def test_feed_last_modified_time(client, make):
    assert client.get("/syndication/naive-dates/").headers["Last-Modified"] == "Mon, 25 Mar 2013 20:00:00 GMT"
    chicago = make(TIME_ZONE="America/Chicago").test_client()
    assert chicago.get("/syndication/naive-dates/").headers["Last-Modified"] == "Tue, 26 Mar 2013 01:00:00 GMT"
    assert client.get("/syndication/aware-dates/").headers["Last-Modified"] == "Mon, 25 Mar 2013 19:18:00 GMT"
    # No Last-Modified when the feed has no item_pubdate.
    assert "Last-Modified" not in client.get("/syndication/no_pubdate/").headers


def test_conditional_get_answers_304(client):
    first = client.get("/syndication/rss2/")
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = client.get("/syndication/rss2/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert client.get("/syndication/rss2/", headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get("/syndication/rss2/", headers={"If-None-Match": '"other"'}).status_code == 200


def test_head_and_other_methods(client):
    head = client.head("/syndication/rss2/")
    assert head.status_code == 200
    assert head.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert client.post("/syndication/rss2/").status_code == 405


# -- URLs ----------------------------------------------------------------------------------------------


def test_feed_url(client):
    doc = parse(client.get("/syndication/feedurl/"))
    links = [link for link in doc.getElementsByTagName("link") if link.getAttribute("rel") == "self"]
    assert [link.getAttribute("href") for link in links] == ["http://example.com/customfeedurl/"]


def test_secure_urls_from_the_request(make):
    # No SITE_URL: the scheme and host are the request's (the host validated by ALLOWED_HOSTS).
    client = make(SITE_URL=None, ALLOWED_HOSTS=["example.org"]).test_client()
    doc = parse(client.get("/syndication/rss2/", base_url="https://example.org"))
    chan = doc.getElementsByTagName("channel")[0]
    assert text_of(chan, "link") == "https://example.org/blog/"
    assert chan.getElementsByTagName("atom:link")[0].getAttribute("href") == "https://example.org/syndication/rss2/"
    assert text_of(chan.getElementsByTagName("item")[0], "link") == "https://example.org/blog/1/"


def test_site_url_wins_over_the_request(make):
    client = make(SITE_URL="https://notes.example:8443").test_client()
    chan = parse(client.get("/syndication/rss2/")).getElementsByTagName("channel")[0]
    assert text_of(chan, "link") == "https://notes.example:8443/blog/"


def test_feed_url_includes_the_script_root(client):
    doc = parse(client.get("/syndication/rss2/", base_url="http://localhost/mounted"))
    href = doc.getElementsByTagName("atom:link")[0].getAttribute("href")
    assert href == "http://example.com/mounted/syndication/rss2/"


def test_item_link_error(client):
    with pytest.raises(ConfigurationError, match="Give your Article class a get_absolute_url"):
        client.get("/syndication/articles/")


def test_missing_items_and_link_are_explained(client):
    with pytest.raises(ConfigurationError, match=r"NoItemsFeed has no items\(\)"):
        client.get("/syndication/no-items/")
    with pytest.raises(ConfigurationError, match="NoLinkFeed has no link"):
        client.get("/syndication/no-link/")


def test_add_domain():
    assert add_domain("example.com", "/foo/?arg=value") == "http://example.com/foo/?arg=value"
    assert add_domain("example.com", "/foo/?arg=value", True) == "https://example.com/foo/?arg=value"
    assert add_domain("example.com", "http://djangoproject.com/doc/") == "http://djangoproject.com/doc/"
    assert add_domain("example.com", "https://djangoproject.com/doc/") == "https://djangoproject.com/doc/"
    assert add_domain("example.com", "mailto:uhoh@djangoproject.com") == "mailto:uhoh@djangoproject.com"
    assert add_domain("example.com", "//example.com/foo/?arg=value") == "http://example.com/foo/?arg=value"
    # Beyond Django: a relative path and a script URL stay on the site.
    assert add_domain("example.com", "foo/") == "http://example.com/foo/"
    assert add_domain("example.com", "javascript:alert(1)") == "http://example.com/javascript:alert(1)"
    assert add_domain("example.com", "/straße/") == "http://example.com/stra%C3%9Fe/"


# -- the feed's object, language, stylesheets ---------------------------------------------------------


def test_get_object(client):
    doc = parse(client.get("/syndication/rss2/articles/1/"))
    items = doc.getElementsByTagName("item")
    assert len(items) == 1
    assert_child_content(
        items[0],
        {
            "comments": "/blog/1/article/1/comments",
            "description": "Article description: My first article",
            "link": "http://example.com/blog/1/article/1/",
            "title": "Title: My first article",
            "pubDate": rfc2822_date(utc(ENTRIES[0].published)),
        },
    )


def test_get_non_existent_object(client):
    response = client.get("/syndication/rss2/articles/0/")
    assert response.status_code == 404
    assert "Feed object does not exist." in response.text


def test_feed_language(client, make):
    doc = parse(client.get("/syndication/language/"))
    assert text_of(doc, "language") == "de"
    doc = parse(make(LANGUAGE_CODE="en-us").test_client().get("/syndication/rss2/"))
    assert text_of(doc, "language") == "en-us"
    atom = ET.fromstring(make(LANGUAGE_CODE="fr").test_client().get("/syndication/atom/").data)
    assert atom.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"


def test_stylesheets(client):
    doc = parse(client.get("/syndication/stylesheet/"))
    instructions = [node for node in doc.childNodes if node.nodeType == node.PROCESSING_INSTRUCTION_NODE]
    assert [(node.target, node.data) for node in instructions] == [
        ("xml-stylesheet", 'href="/stylesheet1.xsl" media="screen" type="text/xsl"'),
        ("xml-stylesheet", 'href="/stylesheet2.xsl" media="screen" type="text/xsl"'),
    ]

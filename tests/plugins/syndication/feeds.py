"""The feeds of the syndication tests: Django's tests/syndication_tests/feeds.py, over plain objects."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import typing as t

from markupsafe import Markup

from flaskkit.plugins.syndication import Atom1Feed
from flaskkit.plugins.syndication import Enclosure
from flaskkit.plugins.syndication import Feed
from flaskkit.plugins.syndication import FeedDoesNotExist
from flaskkit.plugins.syndication import RssUserland091Feed
from flaskkit.plugins.syndication import Stylesheet


@dataclasses.dataclass
class Entry:
    id: int
    title: str
    updated: dt.datetime
    published: dt.datetime

    def get_absolute_url(self) -> str:
        return f"/blog/{self.id}/"

    def __str__(self) -> str:
        return self.title


@dataclasses.dataclass
class Article:
    id: int
    title: str
    entry: Entry
    published: dt.datetime
    updated: dt.datetime

    def __str__(self) -> str:
        return self.title


#: Django's fixture feeddata.json.
ENTRIES = [
    Entry(1, "My first entry", dt.datetime(1980, 1, 1, 12, 30), dt.datetime(1986, 9, 25, 20, 15)),
    Entry(2, "My second entry", dt.datetime(2008, 1, 2, 12, 30), dt.datetime(2006, 3, 17, 18, 0)),
    Entry(3, "My third entry", dt.datetime(2008, 1, 2, 13, 30), dt.datetime(2005, 6, 14, 10, 45)),
    Entry(4, "A & B < C > D", dt.datetime(2008, 1, 3, 13, 30), dt.datetime(2005, 11, 25, 12, 11, 23)),
    Entry(5, "My last entry", dt.datetime(2013, 1, 20, 0, 0), dt.datetime(2013, 3, 25, 20, 0)),
]
ARTICLES = [
    Article(1, "My first article", ENTRIES[0], dt.datetime(1986, 9, 25, 20, 15), dt.datetime(1986, 9, 25, 20, 15))
]


def wraps_decorator(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    @functools.wraps(f)
    def wrapper(*args: t.Any, **kwargs: t.Any) -> str:
        return f"{f(*args, **kwargs)} -- decorated by @wraps."

    return wrapper


def common_decorator(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    def wrapper(*args: t.Any, **kwargs: t.Any) -> str:
        return f"{f(*args, **kwargs)} -- common decorated."

    return wrapper


class TestRss2Feed(Feed):
    title = "My blog"
    description = "A more thorough description of my blog."
    link = "/blog/"
    feed_guid = "/foo/bar/1234"
    author_name = "Sally Smith"
    author_email = "test@example.com"
    author_link = "http://www.example.com/"
    categories = ("python", "django")
    feed_copyright = "Copyright (c) 2007, Sally Smith"
    ttl = 600

    def items(self) -> list[Entry]:
        return ENTRIES

    def item_description(self, item: Entry) -> str:
        return f"Overridden description: {item}"

    def item_pubdate(self, item: Entry) -> dt.datetime:
        return item.published

    def item_updateddate(self, item: Entry) -> dt.datetime:
        return item.updated

    def item_comments(self, item: Entry) -> str:
        return f"{item.get_absolute_url()}comments"

    item_author_name = "Sally Smith"
    item_author_email = "test@example.com"
    item_author_link = "http://www.example.com/"
    item_categories = ("python", "testing")
    item_copyright = "Copyright (c) 2007, Sally Smith"


class TestRss2FeedWithCallableObject(TestRss2Feed):
    class TimeToLive:
        def __call__(self) -> int:
            return 700

    ttl = TimeToLive()  # type: ignore[assignment]


class TestRss2FeedWithDecoratedMethod(TestRss2Feed):
    class TimeToLive:
        @wraps_decorator
        def __call__(self) -> int:
            return 800

    @staticmethod
    @wraps_decorator
    def feed_copyright() -> str:  # type: ignore[override]
        return "Copyright (c) 2022, John Doe"

    ttl = TimeToLive()  # type: ignore[assignment]

    @staticmethod
    def categories() -> tuple[str, ...]:  # type: ignore[override]
        return ("javascript", "vue")

    @wraps_decorator
    def title(self) -> str:  # type: ignore[override]
        return "Overridden title"

    @wraps_decorator
    def item_title(self, item: Entry) -> str:
        return f"Overridden item title: {item.title}"

    @wraps_decorator
    def description(self, obj: t.Any) -> str:  # type: ignore[override]
        return "Overridden description"

    @wraps_decorator
    def item_description(self) -> str:  # type: ignore[override]
        return "Overridden item description"


class TestRss2FeedWithWrongDecoratedMethod(TestRss2Feed):
    @common_decorator
    def item_description(self, item: Entry) -> str:
        return f"Overridden item description: {item.title}"


class TestRss2FeedWithGuidIsPermaLinkTrue(TestRss2Feed):
    def item_guid_is_permalink(self, item: Entry) -> bool:
        return True


class TestRss2FeedWithGuidIsPermaLinkFalse(TestRss2Feed):
    def item_guid(self, item: Entry) -> str:
        return str(item.id)

    def item_guid_is_permalink(self, item: Entry) -> bool:
        return False


class TestRss091Feed(TestRss2Feed):
    feed_type = RssUserland091Feed


class TestNoPubdateFeed(Feed):
    title = "Test feed"
    link = "/feed/"

    def items(self) -> list[Entry]:
        return ENTRIES


class TestAtomFeed(TestRss2Feed):
    feed_type = Atom1Feed
    subtitle = TestRss2Feed.description


class TestLatestFeed(TestRss2Feed):
    """A feed where the latest entry date is an ``updated`` element."""

    feed_type = Atom1Feed
    subtitle = TestRss2Feed.description

    def items(self) -> list[Entry]:
        return [entry for entry in ENTRIES if entry.title != "My last entry"]


class ArticlesFeed(TestRss2Feed):
    """Articles have no get_absolute_url(), and item_link() is not defined."""

    def items(self) -> list[Article]:  # type: ignore[override]
        return ARTICLES


class TestSingleEnclosureRSSFeed(TestRss2Feed):
    def item_enclosure_url(self, item: Entry) -> str:
        return "http://example.com"

    def item_enclosure_length(self, item: Entry) -> int:
        return 0

    def item_enclosure_mime_type(self, item: Entry) -> str:
        return "image/png"


class TestMultipleEnclosureRSSFeed(TestRss2Feed):
    def item_enclosures(self, item: Entry) -> list[Enclosure]:
        return [
            Enclosure("http://example.com/hello.png", "0", "image/png"),
            Enclosure("http://example.com/goodbye.png", "0", "image/png"),
        ]


class TemplateFeed(TestRss2Feed):
    title_template = "syndication/title.html"
    description_template = "syndication/description.html"

    # A template wins over item_title.
    def item_title(self) -> str:  # type: ignore[override]
        return "Not in a template"


class TemplateContextFeed(TestRss2Feed):
    title_template = "syndication/title_context.html"
    description_template = "syndication/description_context.html"

    def get_context_data(self, **kwargs: t.Any) -> dict[str, t.Any]:
        context = super().get_context_data(**kwargs)
        context["foo"] = "bar"
        return context


class TextTemplateFeed(TestRss2Feed):
    title_template = "syndication/title.txt"
    description_template = "syndication/description.txt"


class TestLanguageFeed(TestRss2Feed):
    language = "de"


class TestGetObjectFeed(TestRss2Feed):
    def get_object(self, request: t.Any, entry_id: int) -> Entry:
        for entry in ENTRIES:
            if entry.id == entry_id:
                return entry
        raise FeedDoesNotExist(entry_id)

    def items(self, obj: Entry) -> list[Article]:  # type: ignore[override]
        return [article for article in ARTICLES if article.entry is obj]

    def item_link(self, item: Article) -> str:  # type: ignore[override]
        return f"{item.entry.get_absolute_url()}article/{item.id}/"

    def item_comments(self, item: Article) -> str:  # type: ignore[override]
        return f"{self.item_link(item)}comments"

    def item_description(self, item: Article) -> str:  # type: ignore[override]
        return f"Article description: {item.title}"

    def item_title(self, item: Article) -> str:
        return f"Title: {item.title}"


class TestFeedWithStylesheets(TestRss2Feed):
    stylesheets = ["/stylesheet1.xsl", Stylesheet("/stylesheet2.xsl")]


class NaiveDatesFeed(TestAtomFeed):
    """Naive dates: read in TIME_ZONE (UTC when unset)."""


class TZAwareDatesFeed(TestAtomFeed):
    def item_pubdate(self, item: Entry) -> dt.datetime:
        # A weird offset, so the test knows it is this one and not TIME_ZONE's.
        return item.published.replace(tzinfo=dt.timezone(dt.timedelta(minutes=42)))


class TestFeedUrlFeed(TestAtomFeed):
    feed_url = "http://example.com/customfeedurl/"


class MyCustomAtom1Feed(Atom1Feed):
    def root_attributes(self) -> dict[str, str]:
        attrs = super().root_attributes()
        attrs["django"] = "rocks"
        return attrs

    def add_root_elements(self, handler: t.Any) -> None:
        super().add_root_elements(handler)
        handler.addQuickElement("spam", "eggs")

    def item_attributes(self, item: dict[str, t.Any]) -> dict[str, str]:
        attrs = super().item_attributes(item)
        attrs["bacon"] = "yum"
        return attrs

    def add_item_elements(self, handler: t.Any, item: dict[str, t.Any]) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("ministry", "silly walks")


class TestCustomFeed(TestAtomFeed):
    feed_type = MyCustomAtom1Feed


class TestSingleEnclosureAtomFeed(TestAtomFeed):
    def item_enclosure_url(self, item: Entry) -> str:
        return "http://example.com"

    def item_enclosure_length(self, item: Entry) -> int:
        return 0

    def item_enclosure_mime_type(self, item: Entry) -> str:
        return "image/png"


class TestMultipleEnclosureAtomFeed(TestAtomFeed):
    def item_enclosures(self, item: Entry) -> list[Enclosure]:
        return [
            Enclosure("http://example.com/hello.png", "0", "image/png"),
            Enclosure("http://example.com/goodbye.png", "0", "image/png"),
        ]


class HtmlDescriptionFeed(TestRss2Feed):
    """Markup is HTML, a plain string is text."""

    def item_description(self, item: Entry) -> t.Any:
        if item.id == 1:
            return Markup("<p>Hello <em>{}</em></p>").format(item.title)
        return f"<p>{item.title}</p>"

    def item_title(self, item: Entry) -> t.Any:
        return Markup("<b>Bold</b> &amp; {}").format(item.title) if item.id == 1 else item.title


class NoItemsFeed(Feed):
    title = "No items"
    link = "/"
    description = "Forgot items()."


class NoLinkFeed(Feed):
    title = "No link"
    description = "Forgot link."

    def items(self) -> list[Entry]:
        return ENTRIES


#: URL -> feed class, as Django's syndication_tests/urls.py.
URLS: dict[str, type[Feed]] = {
    "/syndication/rss2/": TestRss2Feed,
    "/syndication/rss2/with-callable-object/": TestRss2FeedWithCallableObject,
    "/syndication/rss2/with-decorated-methods/": TestRss2FeedWithDecoratedMethod,
    "/syndication/rss2/with-wrong-decorated-methods/": TestRss2FeedWithWrongDecoratedMethod,
    "/syndication/rss2/articles/<int:entry_id>/": TestGetObjectFeed,
    "/syndication/rss2/guid_ispermalink_true/": TestRss2FeedWithGuidIsPermaLinkTrue,
    "/syndication/rss2/guid_ispermalink_false/": TestRss2FeedWithGuidIsPermaLinkFalse,
    "/syndication/rss091/": TestRss091Feed,
    "/syndication/no_pubdate/": TestNoPubdateFeed,
    "/syndication/atom/": TestAtomFeed,
    "/syndication/latest/": TestLatestFeed,
    "/syndication/custom/": TestCustomFeed,
    "/syndication/language/": TestLanguageFeed,
    "/syndication/naive-dates/": NaiveDatesFeed,
    "/syndication/aware-dates/": TZAwareDatesFeed,
    "/syndication/feedurl/": TestFeedUrlFeed,
    "/syndication/articles/": ArticlesFeed,
    "/syndication/template/": TemplateFeed,
    "/syndication/template_context/": TemplateContextFeed,
    "/syndication/text-template/": TextTemplateFeed,
    "/syndication/stylesheet/": TestFeedWithStylesheets,
    "/syndication/rss2/single-enclosure/": TestSingleEnclosureRSSFeed,
    "/syndication/rss2/multiple-enclosure/": TestMultipleEnclosureRSSFeed,
    "/syndication/atom/single-enclosure/": TestSingleEnclosureAtomFeed,
    "/syndication/atom/multiple-enclosure/": TestMultipleEnclosureAtomFeed,
    "/syndication/html-description/": HtmlDescriptionFeed,
    "/syndication/no-items/": NoItemsFeed,
    "/syndication/no-link/": NoLinkFeed,
}

#: Templates the feeds use (Django's tests/syndication_tests/templates, plus text ones).
TEMPLATES = {
    "syndication/title.html": "Title in your templates: {{ obj }}\n",
    "syndication/description.html": "Description in your templates: {{ obj }}\n",
    "syndication/title_context.html": "{{ obj }} (foo is {{ foo }})\n",
    "syndication/description_context.html": "{{ obj }} (foo is {{ foo }})\n",
    "syndication/title.txt": "Text title: {{ obj }}\n",
    "syndication/description.txt": "Text description: {{ obj }} <b>not bold</b>\n",
}

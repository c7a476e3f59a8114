"""The ``syndication`` plugin: Django's syndication framework (``django.contrib.syndication``).

::

    # settings.py
    PLUGINS = ["middleware", "syndication", ...]
    SITE_URL = "https://notes.example"       # optional: else the request's host, validated by ALLOWED_HOSTS

    # feeds.py
    from flaskkit.plugins.syndication import Atom1Feed, Feed

    class LatestNotes(Feed):
        title = "Newest notes"
        link = "/"
        description = "The last twenty notes."

        def items(self):
            return select(Note).order_by(Note.created_at.desc()).limit(20)

    class LatestNotesAtom(LatestNotes):
        feed_type = Atom1Feed

    app.add_url_rule("/feed/", view_func=LatestNotes.as_view("feed"))
    app.add_url_rule("/feed/atom/", view_func=LatestNotesAtom.as_view("feed_atom"))

* ``Feed`` with Django's attributes (``title``, ``link``, ``description``, ``items()``,
  ``item_title``, ``item_description``, ``item_link``, ``item_pubdate``,
  ``item_updateddate``, ``item_author_name``, ``item_guid``, ``item_categories``,
  ``get_object()``, ``title_template``/``description_template``, ...);
* RSS 2.0 (the default) and Atom 1.0 documents from a port of Django's
  ``feedgenerator``, always well-formed (forbidden characters removed, text escaped);
* absolute URLs from ``SITE_URL`` or the validated request host only (``syndication.E001``);
* ``Last-Modified``, ``ETag`` and 304 answers to conditional requests.

As in Django, a ``Feed`` works without the plugin; the plugin adds the checks of
``SITE_URL`` at boot. See docs/plugins/syndication.md.
"""

from __future__ import annotations

import typing as t

from flaskkit import Plugin

from .dates import rfc2822_date
from .dates import rfc3339_date
from .feedgenerator import Atom1Feed
from .feedgenerator import DefaultFeed
from .feedgenerator import Enclosure
from .feedgenerator import Rss201rev2Feed
from .feedgenerator import RssFeed
from .feedgenerator import RssUserland091Feed
from .feedgenerator import Stylesheet
from .feedgenerator import SyndicationFeed
from .feedgenerator import get_tag_uri
from .sites import Site
from .sites import add_domain
from .sites import check_site_url
from .sites import get_current_site
from .sites import parse_site_url
from .views import Feed
from .views import FeedDoesNotExist

if t.TYPE_CHECKING:
    from flask import Flask

    from flaskkit.checks import CheckMessage

__all__ = [
    "Atom1Feed",
    "DefaultFeed",
    "Enclosure",
    "Feed",
    "FeedDoesNotExist",
    "Rss201rev2Feed",
    "RssFeed",
    "RssUserland091Feed",
    "Site",
    "Stylesheet",
    "SyndicationFeed",
    "SyndicationPlugin",
    "add_domain",
    "get_current_site",
    "get_tag_uri",
    "rfc2822_date",
    "rfc3339_date",
]

#: ``app.extensions[EXTENSION_KEY]`` is the app's :class:`SyndicationPlugin`.
EXTENSION_KEY = "flaskkit.syndication"


class SyndicationPlugin(Plugin):
    """Feeds: checks at boot that their absolute URLs can only name the site's own host."""

    name = "syndication"
    #: ALLOWED_HOSTS (the middleware plugin) is what makes the request's host safe to use.
    after = ("middleware",)
    defaults: t.ClassVar[t.Mapping[str, t.Any]] = {"SITE_URL": None}

    def configure(self, app: Flask) -> None:
        parse_site_url(app.config.get("SITE_URL"), self.name)

    def init_app(self, app: Flask) -> None:
        app.extensions[EXTENSION_KEY] = self

    def checks(self, app: Flask) -> t.Iterable[CheckMessage]:
        return check_site_url(app, self.name)

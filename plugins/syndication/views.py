"""``Feed``: Django's syndication framework (``django.contrib.syndication.views.Feed``) on Flask's ``View``.

::

    class LatestNotes(Feed):
        title = "Newest notes"
        link = "/"
        description = "The last twenty notes of the board."

        def items(self):
            return select(Note).order_by(Note.created_at.desc()).limit(20)

        def item_title(self, item):
            return item.title

        def item_pubdate(self, item):
            return item.created_at


    class LatestNotesAtom(LatestNotes):
        feed_type = Atom1Feed
        subtitle = LatestNotes.description


    app.add_url_rule("/feed/rss/", view_func=LatestNotes.as_view("feed_rss"))
    app.add_url_rule("/feed/atom/", view_func=LatestNotesAtom.as_view("feed_atom"))

Every Django attribute works as in Django: each may be a plain attribute, a method
without argument, or a method taking the feed's object (``title(self, obj)``) or the
item (``item_title(self, item)``). What differs:

* **Text and HTML.** Titles (``title``, ``item_title``, ``title_template``), names and
  categories are plain text: a note titled ``<script>`` is the text ``<script>`` in
  every reader. Descriptions are HTML, as in RSS and Atom: a plain ``str`` from
  ``item_description`` is **escaped** (Jinja's rule), a ``Markup`` is used as it is,
  and an autoescaped ``description_template`` (``.html``) renders HTML. Django escapes
  only the default title (and so shows ``&amp;amp;`` in Atom readers), and takes any
  description as HTML.
* **Absolute URLs** come from ``SITE_URL`` or the validated request host only (see
  ``sites.py``).
* ``items()`` may return a SQLAlchemy ``select()``; it is run with the orm plugin's session.
* A ``title_template``/``description_template`` that does not exist is an error, not
  silently ignored as in Django.
* The response has ``Last-Modified`` (the latest item date, when the feed defines
  ``item_pubdate`` or ``item_updateddate``) and an ``ETag``, and answers a conditional
  GET with 304 (Django leaves that to ``ConditionalGetMiddleware``).
"""

from __future__ import annotations

import functools
import inspect
import typing as t

from flask import current_app
from flask import render_template
from flask import request
from flask.views import View
from markupsafe import Markup
from markupsafe import escape
from werkzeug.exceptions import NotFound

from flaskkit import ConfigurationError
from flaskkit.translation import gettext
from flaskkit.translation import gettext_noop

from .dates import make_aware
from .feedgenerator import DefaultFeed
from .feedgenerator import Enclosure
from .queries import is_select
from .queries import rows
from .sites import get_current_site

if t.TYPE_CHECKING:
    from flask import Request
    from flask import Response
    from jinja2 import Template

    from .feedgenerator import SyndicationFeed
    from .sites import Site

__all__ = ["FEED_OBJECT_DOES_NOT_EXIST", "Feed", "FeedDoesNotExist"]

# -- what visitors read (one place, for translation) -------------------------------------------------

#: The 404 page's text when ``get_object()`` finds nothing.
FEED_OBJECT_DOES_NOT_EXIST = gettext_noop("Feed object does not exist.")


class FeedDoesNotExist(LookupError):
    """Raise it from :meth:`Feed.get_object` for a 404 (Django's ``FeedDoesNotExist``)."""


def _not_found_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [FeedDoesNotExist]
    try:
        from sqlalchemy.exc import NoResultFound
    except ImportError:  # pragma: no cover - SQLAlchemy is not installed
        pass
    else:
        errors.append(NoResultFound)  # .one() / scalar_one() found nothing: Django's ObjectDoesNotExist
    return tuple(errors)


@functools.lru_cache(maxsize=512)
def _function_takes_argument(function: t.Callable[..., t.Any], bound: bool) -> bool:
    parameters = list(inspect.signature(function).parameters.values())
    if bound and parameters and parameters[0].kind is not inspect.Parameter.VAR_POSITIONAL:
        parameters = parameters[1:]
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return any(p.kind in positional or p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters)


def takes_argument(attr: t.Callable[..., t.Any]) -> bool:
    """Whether a feed method wants the object/item (``title(self, obj)``) or nothing (``title(self)``).

    Read from the signature (decorators made with ``functools.wraps`` are seen through;
    one that hides the signature behind ``*args`` gets the argument), never by catching a
    ``TypeError`` that the method itself may raise.
    """
    if inspect.ismethod(attr):
        return _function_takes_argument(attr.__func__, True)
    if inspect.isfunction(attr):
        return _function_takes_argument(attr, False)
    try:
        signature = inspect.signature(attr)
    except (TypeError, ValueError):  # a builtin without a signature: give it the argument
        return True
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return any(
        p.kind in positional or p.kind is inspect.Parameter.VAR_POSITIONAL for p in signature.parameters.values()
    )


def as_text(value: t.Any) -> str | None:
    """Plain text for a title or a name: ``Markup`` (HTML) loses its tags and entities."""
    if value is None:
        return None
    if hasattr(value, "__html__"):
        return Markup(value.__html__()).striptags()
    return str(value)


def as_html(value: t.Any) -> str | None:
    """HTML for a description: ``Markup`` as it is, anything else escaped as text."""
    if value is None:
        return None
    return str(escape(value))


class Feed(View):
    """A syndication feed: subclass it, set the attributes, register ``YourFeed.as_view("name")``.

    The class attributes below are the ones with a default; every other Django attribute
    (``title``, ``link``, ``description``, ``items``, ``item_pubdate``, ``author_name``...)
    is read when the subclass defines it.
    """

    #: The generator: :class:`~.feedgenerator.Rss201rev2Feed` (the default) or
    #: :class:`~.feedgenerator.Atom1Feed`, or a subclass of one.
    feed_type: type[SyndicationFeed] = DefaultFeed
    #: A template for each item's title (context: ``obj`` the item, ``site``, and
    #: :meth:`get_context_data`'s); the output is plain text (an ``.html`` template's tags are removed).
    title_template: str | None = None
    #: A template for each item's description (HTML when the template autoescapes, as ``.html`` does).
    description_template: str | None = None
    #: The feed's language (``<language>``, ``xml:lang``); default :meth:`get_language`.
    language: str | None = None

    #: One instance serves every request (a feed keeps no state per request).
    init_every_request = False
    methods: t.ClassVar[list[str]] = ["GET", "HEAD"]

    def __init__(self, **attributes: t.Any) -> None:
        """``as_view("name", feed_type=Atom1Feed)`` sets attributes the class has (Django's ``as_view`` rule)."""
        for key, value in attributes.items():
            if not hasattr(type(self), key):
                raise TypeError(
                    f"{type(self).__name__}() received the keyword {key!r}, which is not an attribute of the "
                    "class: only attributes the feed has can be set this way."
                )
            setattr(self, key, value)
        #: The name Flask gives the endpoint when the instance itself is the view function.
        self.__name__ = type(self).__name__

    def __call__(self, **kwargs: t.Any) -> Response:
        """An instance is a view function too: ``app.add_url_rule("/feed/", "feed", LatestNotes())``."""
        return self.dispatch_request(**kwargs)

    # -- the request ---------------------------------------------------------------------------------

    def dispatch_request(self, **kwargs: t.Any) -> Response:
        try:
            obj = self.get_object(request, **kwargs)
        except _not_found_errors() as exc:
            raise NotFound(gettext(FEED_OBJECT_DOES_NOT_EXIST)) from exc
        feedgen = self.get_feed(obj, request)
        response = current_app.response_class(feedgen.writeString("utf-8"), content_type=feedgen.content_type)
        if hasattr(self, "item_pubdate") or hasattr(self, "item_updateddate"):
            latest = feedgen.latest_date()
            if latest is not None:
                response.last_modified = latest
        response.add_etag()
        return response.make_conditional(request)

    def get_object(self, request: Request, *args: t.Any, **kwargs: t.Any) -> t.Any:
        """The object the feed is about, from the URL's arguments (``/tags/<slug>/feed/``); ``None`` by default.

        Raise :class:`FeedDoesNotExist` (or use ``get_object_or_404``) when there is none: a 404.
        """
        return None

    def get_context_data(self, **kwargs: t.Any) -> dict[str, t.Any]:
        """The context of ``title_template`` and ``description_template``: ``obj`` (the item) and ``site``.

        ``kwargs`` holds ``item``, ``site``, ``obj`` (the feed's object) and ``request``.
        """
        return {"obj": kwargs.get("item"), "site": kwargs.get("site")}

    def get_language(self) -> str | None:
        """The feed's language when :attr:`language` is not set: ``LANGUAGE_CODE``, if the app sets it."""
        value = current_app.config.get("LANGUAGE_CODE")
        return str(value) if value else None

    def feed_extra_kwargs(self, obj: t.Any) -> dict[str, t.Any]:
        """Extra keyword arguments for the generator (for a custom ``feed_type``)."""
        return {}

    def item_extra_kwargs(self, item: t.Any) -> dict[str, t.Any]:
        """Extra keyword arguments for each ``add_item`` (for a custom ``feed_type``)."""
        return {}

    # -- defaults of the item attributes ---------------------------------------------------------------

    def item_title(self, item: t.Any) -> t.Any:
        return str(item)

    def item_description(self, item: t.Any) -> t.Any:
        return str(item)

    def item_link(self, item: t.Any) -> str:
        try:
            return str(item.get_absolute_url())
        except AttributeError as exc:
            raise ConfigurationError(
                f"Give your {type(item).__name__} class a get_absolute_url() method, or define an item_link() "
                f"method in your Feed class ({type(self).__name__})."
            ) from exc

    def item_enclosures(self, item: t.Any) -> list[Enclosure]:
        url = self._get_dynamic_attr("item_enclosure_url", item)
        if url:
            return [
                Enclosure(
                    url=str(url),
                    length=str(self._get_dynamic_attr("item_enclosure_length", item)),
                    mime_type=str(self._get_dynamic_attr("item_enclosure_mime_type", item)),
                )
            ]
        return []

    # -- building the feed ----------------------------------------------------------------------------

    def _get_dynamic_attr(self, attname: str, obj: t.Any, default: t.Any = None) -> t.Any:
        try:
            attr = getattr(self, attname)
        except AttributeError:
            return default
        if callable(attr):
            return attr(obj) if takes_argument(attr) else attr()
        return attr

    def _load_template(self, name: str | None) -> tuple[Template | None, bool]:
        if name is None:
            return None, False
        template = current_app.jinja_env.get_or_select_template(name)
        return template, current_app.select_jinja_autoescape(template.name or name)

    def get_feed(self, obj: t.Any, request: Request) -> SyndicationFeed:
        """The generator, filled with the feed's values and items."""
        site = get_current_site(request)
        link = self._get_dynamic_attr("link", obj)
        if link is None:
            raise ConfigurationError(
                f"{type(self).__name__} has no link: set link = '/news/' (the page the feed is about), or define "
                "link(self, obj)."
            )
        feed = self.feed_type(
            title=as_text(self._get_dynamic_attr("title", obj)),
            subtitle=as_text(self._get_dynamic_attr("subtitle", obj)),
            link=site.absolute_url(link),
            description=as_text(self._get_dynamic_attr("description", obj)),
            language=self.language or self.get_language(),
            feed_url=site.absolute_url(self._get_dynamic_attr("feed_url", obj) or (request.script_root + request.path)),
            author_name=as_text(self._get_dynamic_attr("author_name", obj)),
            author_link=self._get_dynamic_attr("author_link", obj),
            author_email=as_text(self._get_dynamic_attr("author_email", obj)),
            categories=self._get_dynamic_attr("categories", obj),
            feed_copyright=as_text(self._get_dynamic_attr("feed_copyright", obj)),
            feed_guid=self._get_dynamic_attr("feed_guid", obj),
            ttl=self._get_dynamic_attr("ttl", obj),
            stylesheets=self._get_dynamic_attr("stylesheets", obj),
            **self.feed_extra_kwargs(obj),
        )
        title_template, title_is_html = self._load_template(self.title_template)
        description_template, description_is_html = self._load_template(self.description_template)
        for item in self._items(obj):
            context = self.get_context_data(item=item, site=site, obj=obj, request=request)
            if title_template is not None:
                rendered = render_template(title_template, **context)
                title = Markup(rendered).striptags() if title_is_html else rendered.strip()
            else:
                title = as_text(self._get_dynamic_attr("item_title", item))
            if description_template is not None:
                rendered = render_template(description_template, **context)
                description = rendered if description_is_html else as_html(rendered)
            else:
                description = as_html(self._get_dynamic_attr("item_description", item))
            self._add_item(feed, item, site, title, description)
        return feed

    def _items(self, obj: t.Any) -> t.Iterable[t.Any]:
        if not hasattr(self, "items"):
            raise ConfigurationError(
                f"{type(self).__name__} has no items(): define items(self) (or items(self, obj)) returning the "
                "feed's items, newest first: a list or a select() statement."
            )
        items = self._get_dynamic_attr("items", obj)
        return rows(items) if is_select(items) else (items or ())

    def _add_item(
        self, feed: SyndicationFeed, item: t.Any, site: Site, title: str | None, description: str | None
    ) -> None:
        link = site.absolute_url(self._get_dynamic_attr("item_link", item))
        author_name = as_text(self._get_dynamic_attr("item_author_name", item))
        if author_name is not None:
            author_email = as_text(self._get_dynamic_attr("item_author_email", item))
            author_link = self._get_dynamic_attr("item_author_link", item)
        else:
            author_email = author_link = None
        pubdate = self._get_dynamic_attr("item_pubdate", item)
        updateddate = self._get_dynamic_attr("item_updateddate", item)
        feed.add_item(
            title=title,
            link=link,
            description=description,
            unique_id=self._get_dynamic_attr("item_guid", item, link),
            unique_id_is_permalink=self._get_dynamic_attr("item_guid_is_permalink", item),
            enclosures=self._get_dynamic_attr("item_enclosures", item),
            pubdate=make_aware(pubdate) if pubdate else None,
            updateddate=make_aware(updateddate) if updateddate else None,
            author_name=author_name,
            author_email=author_email,
            author_link=author_link,
            comments=self._get_dynamic_attr("item_comments", item),
            categories=self._get_dynamic_attr("item_categories", item),
            item_copyright=as_text(self._get_dynamic_attr("item_copyright", item)),
            **self.item_extra_kwargs(item),
        )

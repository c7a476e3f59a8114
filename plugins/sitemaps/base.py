"""``Sitemap`` and ``GenericSitemap``: Django's ``django.contrib.sitemaps`` classes.

::

    class NoteSitemap(Sitemap):
        changefreq = "weekly"
        priority = 0.5

        def items(self):
            return select(Note).order_by(Note.id)     # counted and paged in SQL

        def lastmod(self, note):
            return note.updated_at

    notes = GenericSitemap({"queryset": select(Note), "date_field": "updated_at", "only": ["id"]})

Every attribute may be a value or a method taking the item, as in Django. What differs:

* ``items()`` may return a SQLAlchemy ``select()``: each page is one ``LIMIT``/``OFFSET``
  query plus one ``COUNT(*)``, never the whole table;
* ``GenericSitemap`` takes ``"only"``: the columns ``location()`` needs, so a page of
  50,000 rows loads those (the primary key and ``date_field`` always) and nothing else,
  no relationship either;
* ``changefreq`` and ``priority`` are checked against the protocol (a value it does not
  allow is an error naming the sitemap, not a document search engines reject);
* ``lastmod`` is written to the second with its offset (W3C Datetime), a ``date`` as a date
  (Django writes every ``lastmod`` of a URL as a date);
* the ``i18n`` hooks are Django's; they need the translation system of an ``i18n`` plugin
  (:meth:`Sitemap.translation_override`).
"""

from __future__ import annotations

import contextlib
import datetime
import math
import typing as t

from flask import current_app

from flaskkit import ConfigurationError
from flaskkit._text import did_you_mean
from flaskkit.plugins.syndication.dates import default_timezone
from flaskkit.plugins.syndication.dates import latest
from flaskkit.plugins.syndication.dates import make_aware
from flaskkit.plugins.syndication.queries import is_select
from flaskkit.plugins.syndication.queries import rows
from flaskkit.plugins.syndication.queries import select_entity
from flaskkit.plugins.syndication.queries import session
from flaskkit.plugins.syndication.sites import get_current_site
from flaskkit.plugins.syndication.sites import to_uri

from .pagination import MAX_URLS
from .pagination import SitemapPaginator

if t.TYPE_CHECKING:
    import collections.abc as cabc
    import datetime as dt

    import sqlalchemy as sa

    from flaskkit.plugins.syndication.sites import Site

__all__ = ["CHANGEFREQ_VALUES", "I18N_EXTENSION_KEY", "GenericSitemap", "Sitemap"]

#: What ``<changefreq>`` may say.
CHANGEFREQ_VALUES = ("always", "hourly", "daily", "weekly", "monthly", "yearly", "never")

#: Where an i18n plugin keeps the object whose ``override(lang_code)`` activates a language.
I18N_EXTENSION_KEY = "flaskkit.i18n"


def _absolute(protocol: str, domain: str, location: t.Any) -> str:
    path = str(location)
    if path.lower().startswith(("http://", "https://")):
        return to_uri(path)
    if not path.startswith("/"):
        path = "/" + path
    return to_uri(f"{protocol}://{domain}{path}")


class Sitemap:
    """One section of the site's sitemap: its URLs, with when and how often they change."""

    #: URLs per page (``?p=2``...): at most 50,000, the protocol's limit.
    limit: int = MAX_URLS
    #: ``"http"`` or ``"https"``; default: the scheme of ``SITE_URL`` or of the request.
    protocol: str | None = None
    #: One URL per item and language (``LANGUAGES``), located with that language active.
    i18n: bool = False
    #: The language codes of the i18n URLs (default: the codes of ``LANGUAGES``).
    languages: cabc.Sequence[str] | None = None
    #: Add ``<xhtml:link rel="alternate" hreflang=...>`` for each language of an i18n URL.
    alternates: bool = False
    #: With :attr:`alternates`, add the ``x-default`` alternate (``LANGUAGE_CODE`` without its prefix).
    x_default: bool = False

    # -- what a subclass defines ----------------------------------------------------------------------

    def items(self) -> t.Any:
        """The objects of the sitemap: a list, or a ``select()`` (paged in SQL)."""
        return []

    def location(self, item: t.Any) -> str:
        """The item's path (``/notes/1/``): ``item.get_absolute_url()`` by default."""
        try:
            return str(item.get_absolute_url())
        except AttributeError as exc:
            raise ConfigurationError(
                f"Give your {type(item).__name__} class a get_absolute_url() method, or define a location() "
                f"method in {type(self).__name__}."
            ) from exc

    # -- Django's machinery ----------------------------------------------------------------------------

    def _get(self, name: str, item: t.Any, default: t.Any = None) -> t.Any:
        try:
            attr = getattr(self, name)
        except AttributeError:
            return default
        if callable(attr):
            if self.i18n:
                item, _lang_code = item
            return attr(item)
        return attr

    def _languages(self) -> list[str]:
        if self.languages is not None:
            return list(self.languages)
        return [code for code, _name in current_app.config.get("LANGUAGES") or ()]

    def get_languages_for_item(self, item: t.Any) -> list[str]:
        """The languages ``item`` exists in (all of :attr:`languages` by default)."""
        return self._languages()

    def _items(self) -> t.Any:
        if self.i18n:
            items = self.items()
            objects = rows(items) if is_select(items) else items
            return [(item, code) for item in objects for code in self.get_languages_for_item(item)]
        return self.items()

    def translation_override(self, lang_code: str) -> contextlib.AbstractContextManager[t.Any]:
        """A context in which ``lang_code`` is the active language, for :meth:`location` of an i18n sitemap.

        The i18n plugin provides it (``app.extensions["flaskkit.i18n"].override(lang_code)``).
        """
        i18n = current_app.extensions.get(I18N_EXTENSION_KEY)
        override = getattr(i18n, "override", None)
        if override is None:
            raise ConfigurationError(
                f"{type(self).__name__}.i18n is True, but the app has no translation system to activate each "
                "language with.",
                hint="Add the i18n plugin to PLUGINS, or set i18n = False.",
            )
        return t.cast("contextlib.AbstractContextManager[t.Any]", override(lang_code))

    def _location(self, item: t.Any, force_lang_code: str | None = None) -> t.Any:
        if self.i18n:
            _obj, lang_code = item
            with self.translation_override(force_lang_code or lang_code):
                return self._get("location", item)
        return self._get("location", item)

    @property
    def paginator(self) -> SitemapPaginator:
        """A new paginator of the items (it counts them once)."""
        return SitemapPaginator(self._items(), self.limit, owner=type(self).__name__)

    def get_protocol(self, protocol: str | None = None) -> str:
        return self.protocol or protocol or "https"

    def get_domain(self, site: Site | None = None) -> str:
        """The host of the URLs: ``site.domain``, else the current site's (``SITE_URL`` or the validated host)."""
        return (site or get_current_site()).domain

    def get_urls(
        self, page: object = 1, site: Site | None = None, protocol: str | None = None
    ) -> list[dict[str, t.Any]]:
        """The URLs of page ``page`` (Django's ``get_urls``): dicts with ``item``, ``location``, ``lastmod``,
        ``changefreq``, ``priority`` and ``alternates``; sets :attr:`latest_lastmod`."""
        urls, latest_lastmod = self.page_urls(self.paginator, page, self.get_domain(site), self.get_protocol(protocol))
        if latest_lastmod is not None:
            self.latest_lastmod = latest_lastmod
        return urls

    def get_latest_lastmod(self) -> dt.date | None:
        """The newest ``lastmod`` of all items (the sitemap index's ``<lastmod>``), ``None`` when unknown.

        For a callable ``lastmod`` this reads every item: a sitemap over a large table
        overrides it with one query (as :class:`GenericSitemap` does).
        """
        if not hasattr(self, "lastmod"):
            return None
        if callable(self.lastmod):
            items = self.items()
            try:
                return max((self.lastmod(item) for item in (rows(items) if is_select(items) else items)), default=None)
            except TypeError:  # an item without lastmod (None), or dates and datetimes mixed
                return None
        return t.cast("dt.date | None", self.lastmod)

    def page_urls(
        self, paginator: SitemapPaginator, page: object, domain: str, protocol: str
    ) -> tuple[list[dict[str, t.Any]], dt.datetime | None]:
        """The URLs of one page, and their newest ``lastmod`` when every URL has one (else ``None``).

        The views call this rather than :meth:`get_urls`, which stores the date on the
        sitemap (Django's API), where a sitemap instance shared by concurrent requests would mix them up.
        """
        urls = []
        latest_lastmod: dt.datetime | None = None
        all_items_lastmod = True
        tz = default_timezone()
        # A value that is not a method is read (and checked) once for the page, not once per URL.
        lastmod_of = self._per_item("lastmod", lambda value: value)
        changefreq_of = self._per_item("changefreq", self._check_changefreq)
        priority_of = self._per_item("priority", self._check_priority)
        for item in paginator.page(page).object_list:
            lastmod = lastmod_of(item)
            if isinstance(lastmod, datetime.datetime):
                lastmod = make_aware(lastmod, tz)  # a naive lastmod is in TIME_ZONE (default UTC)
            if all_items_lastmod:
                all_items_lastmod = lastmod is not None
                if all_items_lastmod:
                    latest_lastmod = latest(latest_lastmod, lastmod, tz)
            url_info = {
                "item": item,
                "location": _absolute(protocol, domain, self._location(item)),
                "lastmod": lastmod,
                "changefreq": changefreq_of(item),
                "priority": priority_of(item),
                "alternates": [],
            }
            if self.i18n and self.alternates:
                url_info["alternates"] = self._alternates(item, domain, protocol)
            urls.append(url_info)
        return urls, (latest_lastmod if all_items_lastmod else None)

    def _per_item(self, name: str, check: t.Callable[[t.Any], t.Any]) -> t.Callable[[t.Any], t.Any]:
        """A function of the item giving the checked value of the attribute ``name``."""
        attr = getattr(self, name, None)
        if callable(attr):
            return lambda item: check(self._get(name, item))
        value = check(attr)
        return lambda item: value

    def _alternates(self, item: t.Any, domain: str, protocol: str) -> list[dict[str, str]]:
        alternates = []
        item_languages = self.get_languages_for_item(item[0])
        for code in item_languages:
            alternates.append({"location": _absolute(protocol, domain, self._location(item, code)), "lang_code": code})
        default_language = current_app.config.get("LANGUAGE_CODE")
        if self.x_default and default_language in item_languages:
            location = _absolute(protocol, domain, self._location(item, default_language))
            location = location.replace(f"/{default_language}/", "/", 1)
            alternates.append({"location": location, "lang_code": "x-default"})
        return alternates

    def _check_changefreq(self, value: t.Any) -> str | None:
        if value is None or value == "":
            return None
        if value not in CHANGEFREQ_VALUES:
            raise ConfigurationError(
                f"{type(self).__name__}.changefreq is {value!r}, which the sitemap protocol does not allow."
                + did_you_mean(str(value), CHANGEFREQ_VALUES),
                hint=f"Use one of {', '.join(CHANGEFREQ_VALUES)}.",
            )
        return t.cast(str, value)

    def _check_priority(self, value: t.Any) -> str:
        if value is None or value == "":
            return ""
        try:
            if isinstance(value, bool):
                raise TypeError
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not 0.0 <= number <= 1.0:
            raise ConfigurationError(
                f"{type(self).__name__}.priority is {value!r}: the sitemap protocol wants a number from 0.0 to 1.0.",
                hint="Leave priority unset (search engines read 0.5) or give a number such as 0.8.",
            )
        return str(value)


class GenericSitemap(Sitemap):
    """A sitemap of a model's rows (Django's ``GenericSitemap``)::

        GenericSitemap({"queryset": select(Note).where(Note.public), "date_field": "updated_at", "only": ["id"]},
                       priority=0.6, changefreq="weekly")

    ``info_dict`` holds ``queryset`` (a ``select()`` of one model, or the model), optionally
    ``date_field`` (the attribute whose value is each URL's ``lastmod``) and flaskkit's
    ``only`` (the attributes ``location()`` reads, besides the primary key and ``date_field``:
    the only columns loaded; reading another one raises at once instead of querying per row).
    """

    priority: t.Any = None
    changefreq: t.Any = None

    def __init__(
        self,
        info_dict: cabc.Mapping[str, t.Any],
        priority: t.Any = None,
        changefreq: str | None = None,
        protocol: str | None = None,
    ) -> None:
        #: The statement (or the list) as given.
        self.queryset = info_dict["queryset"]
        #: The attribute read as each item's ``lastmod``.
        self.date_field: str | None = info_dict.get("date_field")
        #: The attributes to load (with the primary key and ``date_field``); ``None``: the whole row.
        self.only: cabc.Sequence[str] | None = info_dict.get("only")
        self.priority = self.priority or priority
        self.changefreq = self.changefreq or changefreq
        self.protocol = self.protocol or protocol
        self._base_statement: t.Any = None
        self._statement = self._build_statement()

    def _build_statement(self) -> t.Any:
        queryset = self.queryset
        if isinstance(queryset, type) and hasattr(queryset, "__mapper__"):
            import sqlalchemy as sa

            queryset = sa.select(queryset)
        self._base_statement = queryset
        if not is_select(queryset):
            if self.only is not None:
                raise ConfigurationError("GenericSitemap's 'only' needs a select() of one model as its 'queryset'.")
            return queryset
        entity = select_entity(queryset)
        if entity is None:
            if self.only is not None or self.date_field is not None:
                raise ConfigurationError(
                    "GenericSitemap's 'queryset' must select one model (select(Note)) to use 'date_field' or 'only'."
                )
            return queryset
        import sqlalchemy as sa
        from sqlalchemy import orm

        mapper = sa.inspect(entity)
        columns = [attr.key for attr in mapper.column_attrs]
        wanted = [mapper.get_property_by_column(column).key for column in mapper.primary_key]
        if self.date_field is not None:
            wanted.append(self.date_field)
        if self.only is not None:
            if isinstance(self.only, str):
                raise ConfigurationError(f"GenericSitemap's 'only' is a list of attribute names, not {self.only!r}.")
            wanted.extend(self.only)
        for name in wanted:
            if name not in columns:
                raise ConfigurationError(
                    f"GenericSitemap names {name!r}, which is not a column of {entity.__name__}."
                    + did_you_mean(str(name), columns)
                )
        if self.only is None:
            return queryset
        loaded = [getattr(entity, name) for name in dict.fromkeys(wanted)]
        return queryset.options(orm.load_only(*loaded, raiseload=True), orm.raiseload("*"))

    def items(self) -> t.Any:
        return self._statement

    def lastmod(self, item: t.Any) -> t.Any:
        if self.date_field is not None:
            return getattr(item, self.date_field)
        return None

    def get_latest_lastmod(self) -> dt.date | None:
        """The newest ``date_field`` value: one ``SELECT max(...)`` for a statement."""
        if self.date_field is None:
            return None
        if not is_select(self._statement):
            values = [getattr(item, self.date_field) for item in self._statement]
            return max((value for value in values if value is not None), default=None)
        return _latest_value(self._base_statement, self.date_field)


def _latest_value(statement: sa.Select[t.Any], field: str) -> t.Any:
    import sqlalchemy as sa
    from sqlalchemy import orm

    entity = t.cast(type, select_entity(statement))
    rows_of = orm.aliased(entity, statement.order_by(None).subquery())
    return session().scalar(sa.select(sa.func.max(getattr(rows_of, field))))

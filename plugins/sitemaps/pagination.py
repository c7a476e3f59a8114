"""The pages of a sitemap: Django's ``Paginator`` rules, with a ``select()`` counted and sliced in SQL.

A sitemap's items may be a list or a SQLAlchemy statement. A statement is never loaded
whole: the paginator counts it (``SELECT count(*)``, once) and fetches one page
(``LIMIT``/``OFFSET``, in the statement's order with the primary key as the last
tie-breaker, so that pages never overlap or skip a row).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import typing as t

from flaskkit import ConfigurationError
from flaskkit.plugins.syndication.queries import count_rows
from flaskkit.plugins.syndication.queries import is_select
from flaskkit.plugins.syndication.queries import ordered_by_primary_key
from flaskkit.plugins.syndication.queries import rows

__all__ = ["MAX_URLS", "EmptyPage", "InvalidPage", "Page", "PageNotAnInteger", "SitemapPaginator"]

#: The sitemap protocol's limit: at most 50,000 URLs in one sitemap file.
MAX_URLS = 50_000


class InvalidPage(LookupError):
    """A page number that does not name a page (Django's ``InvalidPage``)."""


class PageNotAnInteger(InvalidPage):
    """``?p=abc``."""


class EmptyPage(InvalidPage):
    """``?p=0``, or a page after the last."""


@dataclasses.dataclass
class Page:
    """One page of a sitemap's items."""

    object_list: list[t.Any]
    number: int
    paginator: SitemapPaginator

    def __iter__(self) -> t.Iterator[t.Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


class SitemapPaginator:
    """Pages of ``per_page`` items (a sitemap's ``limit``) over a list or a ``select()``."""

    def __init__(self, object_list: t.Any, per_page: int, *, owner: str = "Sitemap") -> None:
        if isinstance(per_page, bool) or not isinstance(per_page, int) or not 1 <= per_page <= MAX_URLS:
            raise ConfigurationError(
                f"{owner}.limit is {per_page!r}: a sitemap holds from 1 to {MAX_URLS:,} URLs "
                "(the sitemap protocol's limit)."
            )
        if not is_select(object_list) and not isinstance(object_list, t.Sequence):
            object_list = list(object_list)  # a generator or a query result: read it once
        #: The items: a sequence, or a statement.
        self.object_list = object_list
        #: Items per page.
        self.per_page = per_page

    @functools.cached_property
    def count(self) -> int:
        """How many items there are (one ``COUNT(*)`` for a statement)."""
        if is_select(self.object_list):
            return count_rows(self.object_list)
        return len(self.object_list)

    @property
    def num_pages(self) -> int:
        """The number of pages; 1 for no items (an empty sitemap is a valid document)."""
        return max(1, math.ceil(self.count / self.per_page))

    def validate_number(self, number: object) -> int:
        """``number`` (``"2"`` from ``?p=2``) as a page number, or :class:`PageNotAnInteger` / :class:`EmptyPage`."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            value = int(number)  # type: ignore[call-overload]
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger("That page number is not an integer") from exc
        if value < 1:
            raise EmptyPage("That page number is less than 1")
        if value > self.num_pages:
            raise EmptyPage("That page contains no results")
        return value

    def page(self, number: object) -> Page:
        """The items of page ``number``."""
        value = self.validate_number(number)
        bottom = (value - 1) * self.per_page
        if is_select(self.object_list):
            statement = ordered_by_primary_key(self.object_list).limit(self.per_page).offset(bottom)
            return Page(rows(statement), value, self)
        return Page(list(self.object_list[bottom : bottom + self.per_page]), value, self)

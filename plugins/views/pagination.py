"""``Paginator`` and ``Page``: Django's pagination objects over a Flask-SQLAlchemy page.

``ListView`` puts them in the context as ``paginator`` and ``page_obj``. The
rows of a page come from Flask-SQLAlchemy's ``db.paginate()``; these classes
add Django's names and rules on top (``page=last``, ``num_pages`` is 1 for an
empty list, ``get_elided_page_range``). ``page_obj`` also answers everything
Flask-SQLAlchemy's ``Pagination`` does (``iter_pages()``, ``has_prev``,
``next_num``...), so templates written for either work.

In Jinja the Django methods are properties: ``page_obj.has_next``,
``page_obj.next_page_number`` (no parentheses).
"""

from __future__ import annotations

import functools
import math
import typing as t

import sqlalchemy as sa
from flask_sqlalchemy.pagination import SelectPagination

if t.TYPE_CHECKING:
    import collections.abc as cabc

    from flask_sqlalchemy.pagination import Pagination

__all__ = ["LookaheadPagination", "Page", "Paginator"]


class Paginator:
    """How many rows and pages there are (Django's ``Paginator``, counted once)."""

    #: What :meth:`get_elided_page_range` yields for the pages it leaves out.
    ELLIPSIS = "…"

    def __init__(self, count: int | t.Callable[[], int], per_page: int, *, allow_empty_first_page: bool = True) -> None:
        # The number of rows, or the function that counts them when first asked (ListView's).
        self._count = count
        #: Rows per page.
        self.per_page = per_page
        #: Whether page 1 of an empty list exists (``ListView.allow_empty``).
        self.allow_empty_first_page = allow_empty_first_page

    @property
    def count(self) -> int:
        """The number of rows in the whole list (counted when first read, then kept)."""
        if callable(self._count):
            self._count = int(self._count())
        return self._count

    def set_count(self, count: int) -> None:
        """Give the number of rows (when it is known without counting)."""
        self._count = count

    @property
    def num_pages(self) -> int:
        """The number of pages: 1 for an empty list (0 when ``allow_empty_first_page`` is False)."""
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, math.ceil(self.count / self.per_page))

    @property
    def page_range(self) -> range:
        """``range(1, num_pages + 1)``."""
        return range(1, self.num_pages + 1)

    def get_elided_page_range(
        self, number: int = 1, *, on_each_side: int = 3, on_ends: int = 2
    ) -> cabc.Iterator[int | str]:
        """Page numbers around ``number`` and at both ends, with :attr:`ELLIPSIS` for the gaps (Django's)."""
        number = min(max(int(number), 1), max(self.num_pages, 1))
        if self.num_pages <= (on_each_side + on_ends) * 2:
            yield from self.page_range
            return
        if number > (1 + on_each_side + on_ends) + 1:
            yield from range(1, on_ends + 1)
            yield self.ELLIPSIS
            yield from range(number - on_each_side, number + 1)
        else:
            yield from range(1, number + 1)
        if number < (self.num_pages - on_each_side - on_ends) - 1:
            yield from range(number + 1, number + on_each_side + 1)
            yield self.ELLIPSIS
            yield from range(self.num_pages - on_ends + 1, self.num_pages + 1)
        else:
            yield from range(number + 1, self.num_pages + 1)

    def __repr__(self) -> str:
        return f"<Paginator: {self.count} rows, {self.per_page} per page>"


class Page:
    """One page of rows (Django's ``Page``); iterate over it, or read :attr:`object_list`."""

    def __init__(
        self,
        object_list: list[t.Any],
        number: int,
        paginator: Paginator,
        pagination: Pagination | None = None,
        *,
        has_next: bool | None = None,
    ) -> None:
        #: The rows on this page.
        self.object_list = object_list
        #: This page's number, from 1.
        self.number = number
        #: The :class:`Paginator`.
        self.paginator = paginator
        #: Flask-SQLAlchemy's ``Pagination`` of this page (``None`` for a list paginated in Python);
        #: its attributes are readable on the page too.
        self.pagination = pagination
        # Whether a next page exists, when the page was read with one row more (no count needed).
        self._has_next = has_next

    @property
    def num_pages(self) -> int:
        """The number of pages (``paginator.num_pages``)."""
        return self.paginator.num_pages

    @property
    def has_next(self) -> bool:
        if self._has_next is not None:
            return self._has_next
        return self.number < self.paginator.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def next_page_number(self) -> int | None:
        """The next page's number, or ``None`` on the last page."""
        return self.number + 1 if self.has_next else None

    @property
    def previous_page_number(self) -> int | None:
        """The previous page's number, or ``None`` on the first page."""
        return self.number - 1 if self.has_previous else None

    @property
    def start_index(self) -> int:
        """The 1-based position of the first row of this page in the whole list (0 for an empty list)."""
        if self.paginator.count == 0:
            return 0
        return self.paginator.per_page * (self.number - 1) + 1

    @property
    def end_index(self) -> int:
        """The 1-based position of the last row of this page in the whole list."""
        if self.number == self.paginator.num_pages:
            return self.paginator.count
        return self.number * self.paginator.per_page

    @property
    def page_range(self) -> range:
        """Every page number (``paginator.page_range``)."""
        return self.paginator.page_range

    def elided_page_range(self, *, on_each_side: int = 3, on_ends: int = 2) -> cabc.Iterator[int | str]:
        """``paginator.get_elided_page_range(number)`` around this page."""
        return self.paginator.get_elided_page_range(self.number, on_each_side=on_each_side, on_ends=on_ends)

    def __getattr__(self, name: str) -> t.Any:
        # Flask-SQLAlchemy's names (iter_pages, has_prev, prev_num, next_num, pages, total, items...).
        pagination = self.__dict__.get("pagination")
        if name.startswith("_") or pagination is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        if pagination.total is None:
            pagination.total = self.paginator.count  # counted now: its pages, has_next... need it
        return getattr(pagination, name)

    def __len__(self) -> int:
        return len(self.object_list)

    def __iter__(self) -> cabc.Iterator[t.Any]:
        return iter(self.object_list)

    def __getitem__(self, index: int | slice) -> t.Any:
        return self.object_list[index]

    def __repr__(self) -> str:
        return f"<Page {self.number} of {self.paginator.num_pages}>"


_LIMIT = "flaskkit_page_limit"
_OFFSET = "flaskkit_page_offset"


@functools.lru_cache(maxsize=512)
def windowed(statement: sa.Select[t.Any]) -> sa.Select[t.Any]:
    """``statement`` with its ``LIMIT`` and ``OFFSET`` as parameters, built once per statement.

    ``statement.limit(n).offset(m)`` is a new statement on every request, whose cache key
    SQLAlchemy then computes anew (a walk of the whole statement, its eager loads included);
    this one is the same object for every page, its key computed once, and the page's
    numbers are passed with the parameters.
    """
    return statement.limit(sa.bindparam(_LIMIT, type_=sa.Integer())).offset(sa.bindparam(_OFFSET, type_=sa.Integer()))


class LookaheadPagination(SelectPagination):
    """Flask-SQLAlchemy's page of a ``select()``, read with one row more than it shows.

    The extra row says whether a next page exists (:attr:`has_more`) without a
    ``COUNT`` query; it is not part of :attr:`items`. ``total`` stays ``None``
    until :class:`Page` sets it from the paginator's count.
    """

    #: Whether rows exist after this page.
    has_more: bool

    def _query_items(self) -> list[t.Any]:
        select = windowed(self._query_args["select"])
        parameters = {_LIMIT: self.per_page + 1, _OFFSET: self._query_offset}
        items = list(self._query_args["session"].execute(select, parameters).unique().scalars())
        self.has_more = len(items) > self.per_page
        return items[: self.per_page]

"""``ListView``: Django's ``django.views.generic.list`` on ``select()`` and ``db.paginate()``."""

from __future__ import annotations

import collections.abc as cabc
import functools
import typing as t
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import url_for
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound

from flaskkit import ConfigurationError
from flaskkit.plugins.orm import db
from flaskkit.translation import gettext

from .base import FALLBACK_FOLDER
from .base import ContextMixin
from .base import TemplateResponseMixin
from .base import View
from .base import option
from .names import model_name
from .names import model_template
from .pagination import LookaheadPagination
from .pagination import Page
from .pagination import Paginator
from .queries import check_model_and_queryset
from .queries import count_rows
from .queries import entity_of
from .queries import order_by_clauses
from .queries import primary_key_names
from .queries import rows
from .queries import verbose_name_plural

if t.TYPE_CHECKING:
    from flask.typing import ResponseReturnValue

    from .queries import Ordering

__all__ = ["BaseListView", "ListView", "MultipleObjectMixin", "MultipleObjectTemplateResponseMixin"]

_LAST = "last"
#: The largest OFFSET the databases take (a signed 64-bit integer).
_MAX_OFFSET = 2**63 - 1


class MultipleObjectMixin(ContextMixin):
    """The rows a list view shows, and their pagination."""

    #: Show the page (200) when there is no row; ``False``: 404.
    allow_empty: bool = True
    #: The rows: a ``select(Model)`` statement (Django's ``queryset``). Default: ``select(model)``.
    queryset: sa.Select[t.Any] | None = None
    #: The model whose rows are listed (when :attr:`queryset` is not given).
    model: type[t.Any] | None = None
    #: Rows per page; ``None`` shows every row on one page.
    paginate_by: int | None = None
    #: The context name of the rows, besides ``object_list``. Default: ``<model name>_list``.
    context_object_name: str | None = None
    #: ``ORDER BY``: ``"title"``, ``"-created"`` (descending), a column (``Post.created.desc()``), or a list.
    #: It replaces the statement's own ordering.
    ordering: Ordering | None = None
    #: The page number comes from this URL argument or query parameter (``?page=3``, ``?page=last``).
    page_kwarg: str = "page"
    #: The query parameter that asks for fewer rows per page (``?per_page=5``); never more than
    #: :attr:`paginate_by`. ``None``: not read.
    per_page_kwarg: str | None = "per_page"

    #: Set by ``get()``: the statement (or, once run, the list) of the rows.
    object_list: t.Any

    def get_queryset(self) -> sa.Select[t.Any]:
        """The ``select()`` of the rows: :attr:`queryset`, or ``select(model)``, ordered by :meth:`get_ordering`."""
        if self.queryset is None and self.model is not None:
            ordering = self.get_ordering()
            key = _ordering_key(ordering)
            if key is not None:  # names only: the same statement for every request, built once
                return _model_statement(type(self).__name__, self.model, key)
        if self.queryset is not None:
            statement = self.queryset
        elif self.model is not None:
            statement = sa.select(self.model)
        else:
            name = type(self).__name__
            raise ConfigurationError(
                f"{name} is missing a QuerySet. Define {name}.model, {name}.queryset, or override "
                f"{name}.get_queryset()."
            )
        ordering = self.get_ordering()
        if ordering:
            clauses = order_by_clauses(type(self).__name__, entity_of(statement) or self.model, ordering)
            statement = statement.order_by(None).order_by(*clauses)
        return statement

    def get_ordering(self) -> Ordering | None:
        """The ordering of the rows (:attr:`ordering`)."""
        return self.ordering

    def get_paginate_by(self, object_list: t.Any) -> int | None:
        """Rows per page, or ``None`` for no pagination (:attr:`paginate_by`)."""
        return self.paginate_by

    def get_allow_empty(self) -> bool:
        return self.allow_empty

    def get_context_object_name(self, object_list: t.Any) -> str | None:
        """:attr:`context_object_name`, else ``<model name>_list`` (``blog_post_list``)."""
        if self.context_object_name:
            return self.context_object_name
        model = self._model_of(object_list)
        return f"{model_name(model)}_list" if model is not None else None

    def get_verbose_name_plural(self) -> str:
        """The rows' name for a page title ("Blog posts"), used by the shipped templates."""
        model = self._model_of(getattr(self, "object_list", None))
        return verbose_name_plural(model) if model is not None else "Objects"

    def _model_of(self, object_list: t.Any) -> type[t.Any] | None:
        return self.model or entity_of(object_list) or entity_of(self.queryset)

    # -- pagination ------------------------------------------------------------------------

    def paginate_queryset(self, queryset: t.Any, page_size: int) -> tuple[Paginator, Page, list[t.Any], bool]:
        """The page the request asks for: ``(paginator, page, rows of the page, is_paginated)``.

        The page number is the URL argument or query parameter :attr:`page_kwarg`,
        1 by default, or ``last``; anything else, or a page past the last one,
        is a 404. The page is read with ``db.paginate(..., max_per_page=page_size)``,
        ordered (after :attr:`ordering`) by the primary key so that pages never overlap.

        Unlike Django's ``Paginator``, which counts every list before reading a page,
        the rows are counted only when something needs the count: the page is read
        with one row more than it shows, which says whether a next page exists, and a
        page that is the last one knows the total from its own rows. ``paginator.count``
        (and ``num_pages``, ``page_range``...) runs the ``COUNT`` query when first read,
        so a list whose template shows only "next" and "previous" links costs one query.
        """
        per_page = self._per_page(page_size)
        allow_empty = self.get_allow_empty()
        if not isinstance(queryset, sa.Select):
            queryset = list(queryset)
            paginator = Paginator(len(queryset), per_page, allow_empty_first_page=allow_empty)
            number = self._page_number(paginator)
            start = (number - 1) * per_page
            page = Page(queryset[start : start + per_page], number, paginator)
            return paginator, page, page.object_list, page.has_other_pages
        statement = queryset

        def count() -> int:
            return count_rows(statement)

        raw = self._raw_page_number()
        paginator = Paginator(count, per_page, allow_empty_first_page=allow_empty)
        number = self._page_number(paginator, raw) if raw == _LAST else self._parse_page_number(raw)
        if (number - 1) * per_page > _MAX_OFFSET:  # past any table a database can hold (and its integers)
            raise NotFound(
                gettext("Invalid page (%(page_number)s): That page contains no results.") % {"page_number": raw}
            )
        ordered = _totally_ordered(statement)
        pagination = LookaheadPagination(
            select=ordered,
            session=db.session(),
            page=number,
            per_page=per_page,
            max_per_page=page_size,
            error_out=False,
            count=False,
        )
        if not pagination.has_more:
            if pagination.items or number == 1:
                # The last page: the total is known without counting.
                paginator.set_count((number - 1) * per_page + len(pagination.items))
            # A page past the last one, or page 1 of an empty list without allow_empty: 404.
            self._page_number(paginator, raw)
        page = Page(list(pagination.items), number, paginator, pagination, has_next=pagination.has_more)
        return paginator, page, page.object_list, page.has_other_pages

    def page_url(self, number: int | str) -> str:
        """The URL of page ``number`` of this list, keeping the request's other query parameters.

        When the page is a URL argument of the route (``/posts/page/<int:page>/``),
        the URL is built with ``url_for``; otherwise only ``?page=`` changes.
        """
        req = self.request  # type: ignore[attr-defined]
        if self.page_kwarg in self.kwargs:  # type: ignore[attr-defined]
            values = {**(req.view_args or {}), self.page_kwarg: number}
            query = {k: v for k, v in req.args.lists() if k not in values}
            return url_for(t.cast(str, req.endpoint), **values, **query)
        args = MultiDict(req.args)
        args[self.page_kwarg] = str(number)
        return f"?{urlencode(list(args.items(multi=True)))}"

    def _per_page(self, page_size: int) -> int:
        if not self.per_page_kwarg:
            return page_size
        raw = self.request.args.get(self.per_page_kwarg)  # type: ignore[attr-defined]
        if raw is None or raw == "":
            return page_size
        try:
            asked = int(raw)
        except ValueError:
            raise NotFound(
                gettext("The number of rows per page, %(value)s, is not a number.") % {"value": repr(raw)}
            ) from None
        if asked < 1:
            raise NotFound(gettext("The number of rows per page, %(value)s, is less than 1.") % {"value": asked})
        return min(asked, page_size)

    def _raw_page_number(self) -> t.Any:
        return self.kwargs.get(self.page_kwarg) or self.request.args.get(self.page_kwarg) or 1  # type: ignore[attr-defined]

    def _parse_page_number(self, raw: t.Any) -> int:
        try:
            number = int(raw)
        except (TypeError, ValueError):
            raise NotFound(gettext("Page is not 'last', nor can it be converted to an int.")) from None
        if number < 1:
            raise NotFound(
                gettext("Invalid page (%(page_number)s): That page number is less than 1.") % {"page_number": raw}
            )
        return number

    def _page_number(self, paginator: Paginator, raw: t.Any = None) -> int:
        if raw is None:
            raw = self._raw_page_number()
        number = paginator.num_pages if raw == _LAST else self._parse_page_number(raw)
        if number > paginator.num_pages:
            if number == 1 and paginator.allow_empty_first_page:
                return number
            raise NotFound(
                gettext("Invalid page (%(page_number)s): That page contains no results.") % {"page_number": raw}
            )
        return number

    # -- context ---------------------------------------------------------------------------

    def get_context_data(self, **kwargs: t.Any) -> dict[str, t.Any]:
        """``object_list``, ``<model name>_list``, ``paginator``, ``page_obj``, ``is_paginated`` and ``view``."""
        queryset = kwargs.pop("object_list", self.object_list)
        page_size = self.get_paginate_by(queryset)
        context_object_name = self.get_context_object_name(queryset)
        context: dict[str, t.Any]
        if page_size:
            paginator, page, object_list, is_paginated = self.paginate_queryset(queryset, page_size)
            context = {"paginator": paginator, "page_obj": page, "is_paginated": is_paginated}
        else:
            object_list = rows(queryset) if isinstance(queryset, sa.Select) else queryset
            context = {"paginator": None, "page_obj": None, "is_paginated": False}
        context["object_list"] = object_list
        if context_object_name is not None:
            context[context_object_name] = object_list
        context.update(kwargs)
        return super().get_context_data(**context)

    # -- configuration -----------------------------------------------------------------------

    @classmethod
    def _check_list_options(cls, initkwargs: cabc.Mapping[str, t.Any]) -> type[t.Any] | None:
        owner = cls.__name__
        queryset = option(cls, initkwargs, "queryset")
        model = check_model_and_queryset(owner, option(cls, initkwargs, "model"), queryset)
        if model is None and queryset is None and _inherited(cls, "get_queryset", MultipleObjectMixin):
            raise ConfigurationError(
                f"{owner} is missing a QuerySet. Define {owner}.model, {owner}.queryset, or override "
                f"{owner}.get_queryset().",
                hint=f"Write {owner}.as_view(model=Post).",
            )
        paginate_by = option(cls, initkwargs, "paginate_by")
        if paginate_by is not None and (
            isinstance(paginate_by, bool) or not isinstance(paginate_by, int) or paginate_by < 1
        ):
            raise ConfigurationError(
                f"{owner}.paginate_by must be a number of rows per page (an int >= 1) or None, not {paginate_by!r}.",
                hint="Write paginate_by = 20.",
            )
        ordering = option(cls, initkwargs, "ordering")
        if ordering and _inherited(cls, "get_ordering", MultipleObjectMixin):
            order_by_clauses(owner, model, ordering)  # refuses unknown names now, not at the first request
        return t.cast("type[t.Any] | None", model)


def _ordering_key(ordering: t.Any) -> tuple[str, ...] | None:
    """``ordering`` as a tuple of names, or ``None`` when it holds SQL expressions (not cached)."""
    if ordering is None:
        return ()
    items = (ordering,) if isinstance(ordering, str) else ordering
    if isinstance(items, list | tuple) and all(isinstance(item, str) for item in items):
        return tuple(items)
    return None


@functools.lru_cache(maxsize=512)
def _model_statement(owner: str, model: type[t.Any], ordering: tuple[str, ...]) -> sa.Select[t.Any]:
    """``select(model)`` ordered by ``ordering`` (statements are immutable: one serves every request)."""
    statement = sa.select(model)
    if ordering:
        statement = statement.order_by(*order_by_clauses(owner, model, list(ordering)))
    return statement


@functools.lru_cache(maxsize=512)
def _totally_ordered(statement: sa.Select[t.Any]) -> sa.Select[t.Any]:
    """``statement`` also ordered by its model's primary key, so rows with equal sort keys never move
    between pages (cached: a view's statement is most often the same object on every request)."""
    entity = entity_of(statement)
    if entity is None:
        return statement
    return statement.order_by(*(getattr(entity, name) for name in primary_key_names(entity)))


def _inherited(cls: type[t.Any], name: str, base: type[t.Any]) -> bool:
    """Whether ``cls`` uses ``base``'s own method ``name`` (not overridden)."""
    return getattr(cls, name) is getattr(base, name)


class BaseListView(MultipleObjectMixin, View):
    """Lists rows; renders nothing by itself (see :class:`ListView`)."""

    def get(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        self.object_list = self.get_queryset()
        allow_empty = self.get_allow_empty()
        if not allow_empty and not self.get_paginate_by(self.object_list):
            # Paginated, the paginator refuses page 1 of an empty list itself.
            if isinstance(self.object_list, sa.Select):
                self.object_list = rows(self.object_list)
            if not self.object_list:
                raise NotFound(f"Empty list and '{type(self).__name__}.allow_empty' is False.")
        context = self.get_context_data()
        return self.render_to_response(context)  # type: ignore[attr-defined,no-any-return]

    @classmethod
    def check_configuration(cls, initkwargs: cabc.Mapping[str, t.Any]) -> None:
        super().check_configuration(initkwargs)
        cls._check_list_options(initkwargs)


class MultipleObjectTemplateResponseMixin(TemplateResponseMixin):
    """Template names for a list: ``template_name``, then ``<folder>/<model name>_list.html``,
    then (when ``template_name`` is not set) the shipped ``views/object_list.html``."""

    #: Appended to the model name: ``blog_post_list.html``.
    template_name_suffix: str = "_list"
    #: The folder of the derived template name. Default: the package of the model's module.
    template_prefix: str | None = None

    def get_template_names(self) -> list[str]:
        names = [self.template_name] if self.template_name else []
        model = self._model_of(getattr(self, "object_list", None))  # type: ignore[attr-defined]
        if model is not None:
            names.append(model_template(model, self.template_name_suffix, self.template_prefix))
        if not self.template_name:
            names.append(f"{FALLBACK_FOLDER}/object{self.template_name_suffix}.html")
        return names


class ListView(MultipleObjectTemplateResponseMixin, BaseListView):
    """A page of rows of a model, as Django's ``ListView``.

    ::

        app.add_url_rule("/posts/", view_func=ListView.as_view(model=Post, paginate_by=10, ordering="-created"))

    Context: ``object_list`` and ``<model name>_list`` (the rows of the page),
    ``paginator``, ``page_obj`` and ``is_paginated`` (see :mod:`.pagination`),
    ``view``. Template: ``<folder>/<model name>_list.html``.
    """

    _kit_generic = True

    @classmethod
    def generic_endpoint(cls, initkwargs: cabc.Mapping[str, t.Any]) -> str | None:
        model = option(cls, initkwargs, "model") or entity_of(option(cls, initkwargs, "queryset"))
        return f"{model_name(model)}_list" if model is not None else None

"""The change list: one page of a model's rows, searched, filtered, ordered (Django's ``ChangeList``).

The query string is Django's: ``?q=`` searches, ``?o=2.-1`` orders by the
second column then the first descending, ``?p=3`` is the third page,
``?all`` shows every row (up to ``list_max_show_all``), and each filter
reads its own parameters. A page costs a bounded number of queries, whatever
the number of rows: the count, the rows (the many-to-one relationships the
columns show are joined in the same query; many-to-many ones come in one
more), and one per filter that lists choices.
"""

from __future__ import annotations

import dataclasses
import math
import typing as t
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.orm import RelationshipProperty
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from flaskkit.translation import gettext

from . import fieldfilters as _fieldfilters  # noqa: F401  (registers the filters FieldListFilter.create picks from)
from .datehierarchy import date_links
from .datehierarchy import date_range
from .display import DisplayItem
from .display import display_for_value
from .filters import FieldListFilter
from .filters import IncorrectLookupParameters
from .filters import ListFilter
from .lookups import LOOKUP_SEP
from .lookups import PathError
from .lookups import order_by_path
from .lookups import resolve_path
from .lookups import where_path

if t.TYPE_CHECKING:
    from flask import Request

    from .options import ModelAdmin

__all__ = ["ALL_VAR", "ORDER_VAR", "PAGE_VAR", "SEARCH_VAR", "ChangeList", "page_range"]

ALL_VAR = "all"
ORDER_VAR = "o"
PAGE_VAR = "p"
SEARCH_VAR = "q"
#: Parameters that are not filters.
IGNORED_PARAMS = (ALL_VAR, ORDER_VAR, SEARCH_VAR, PAGE_VAR, "_popup", "_to_field")


@dataclass
class Header:
    """A column heading of the result table."""

    text: str
    name: str
    sortable: bool = False
    sorted: bool = False
    ascending: bool = True
    priority: int = 0
    url_primary: str = ""
    url_toggle: str = ""
    url_remove: str = ""


@dataclass
class Cell:
    name: str
    value: t.Any
    link: str | None = None
    boolean: bool = False


@dataclass
class Row:
    pk: str
    obj: t.Any
    cells: list[Cell] = field(default_factory=list)


class ChangeList:
    """The rows of one change-list page and everything the template shows around them."""

    def __init__(self, request: Request, model_admin: ModelAdmin) -> None:
        self.request = request
        self.model_admin = model_admin
        self.model = model_admin.model
        self.opts = model_admin.opts
        self.params: dict[str, str] = {key: request.args.get(key, "") for key in request.args}
        #: What went wrong with the query string (shown above the list; the bad parameter is ignored).
        self.notices: list[str] = []
        self.items: list[DisplayItem] = model_admin.display_items(model_admin.get_list_display(request))
        sortable_by = model_admin.get_sortable_by(request)
        if sortable_by is not None:  # Django's sortable_by: only these columns get a sorting link
            allowed = set(sortable_by)
            self.items = [
                item if item.name in allowed else dataclasses.replace(item, order_field=None) for item in self.items
            ]
        links = model_admin.get_list_display_links(request, [item.name for item in self.items])
        self.list_display_links: list[str] = list(links or [])
        self.search_fields = list(model_admin.get_search_fields(request))
        self.list_per_page = int(model_admin.list_per_page)
        self.list_max_show_all = int(model_admin.list_max_show_all)
        self.query = self.params.get(SEARCH_VAR, "").strip()
        self.show_all = ALL_VAR in self.params
        try:
            self.page_num = max(int(self.params.get(PAGE_VAR, "1") or 1), 1)
        except ValueError:
            self.notices.append(
                gettext("Ignored the page number %(value)s (not a number).")
                % {"value": repr(self.params.get(PAGE_VAR))}
            )
            self.page_num = 1
        self.date_hierarchy: str | None = model_admin.date_hierarchy
        self.filter_specs, self.has_active_filters = self._filters(request)
        self.queryset = self._queryset(request)
        self._results(request)

    # -- URLs ----------------------------------------------------------------------------------------

    def get_query_string(self, new_params: t.Mapping[str, t.Any] | None = None, remove: t.Sequence[str] = ()) -> str:
        """The current query string with ``new_params`` set (None removes) and the parameters that start
        with any of ``remove`` dropped (Django's ``ChangeList.get_query_string``)."""
        params = dict(self.params)
        for prefix in remove:
            for key in list(params):
                if key.startswith(prefix):
                    del params[key]
        for key, value in (new_params or {}).items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = str(value)
        return "?" + urlencode(sorted(params.items()))

    # -- filters -------------------------------------------------------------------------------------

    def _filters(self, request: Request) -> tuple[list[ListFilter], bool]:
        lookup_params = {k: v for k, v in self.params.items() if k not in IGNORED_PARAMS}
        self.date_params: dict[str, int] = {}
        if self.date_hierarchy:
            for part in ("year", "month", "day"):
                key = f"{self.date_hierarchy}__{part}"
                if key in lookup_params:
                    raw = lookup_params.pop(key)
                    try:
                        self.date_params[part] = int(raw)
                    except ValueError:
                        self.notices.append(
                            gettext("Ignored %(parameter)s (not a number).") % {"parameter": f"{key}={raw!r}"}
                        )
        specs: list[ListFilter] = []
        for entry in self.model_admin.get_list_filter(request):
            try:
                spec = self._make_filter(request, entry, lookup_params)
            except IncorrectLookupParameters as exc:
                self.notices.append(gettext("Ignored a filter: %(error)s") % {"error": exc})
                continue
            if spec.has_output():
                specs.append(spec)
        for key in lookup_params:
            self.notices.append(
                gettext("Ignored the parameter %(name)s: no filter of this list reads it.") % {"name": repr(key)}
            )
        used = any(spec.used_parameters for spec in specs) or bool(self.date_params)
        return specs, used

    def _make_filter(self, request: Request, entry: t.Any, params: dict[str, str]) -> ListFilter:
        model_admin = self.model_admin
        if isinstance(entry, type) and issubclass(entry, ListFilter) and not issubclass(entry, FieldListFilter):
            return entry(request, params, self.model, model_admin)
        if isinstance(entry, tuple | list):
            path, filter_class = entry
        else:
            path, filter_class = entry, None
        field_path = resolve_path(self.model, path)
        if filter_class is None:
            return FieldListFilter.create(field_path, request, params, self.model, model_admin, field_path=path)
        return filter_class(field_path, request, params, self.model, model_admin, field_path=path)

    # -- the query -----------------------------------------------------------------------------------

    def _queryset(self, request: Request) -> t.Any:
        queryset = self.model_admin.get_queryset(request)
        self.root_queryset = queryset
        for spec in self.filter_specs:
            try:
                queryset = spec.queryset(request, queryset)
            except IncorrectLookupParameters as exc:
                self.notices.append(gettext("Ignored a filter: %(error)s") % {"error": exc})
        queryset = self._date_hierarchy_filter(queryset)
        queryset, _duplicates = self.model_admin.get_search_results(request, queryset, self.query)
        self.filtered_queryset = queryset
        return self._ordered(queryset)

    def _date_hierarchy_filter(self, queryset: t.Any) -> t.Any:
        if not self.date_hierarchy or "year" not in self.date_params:
            return queryset
        path = resolve_path(self.model, self.date_hierarchy)
        try:
            start, end = date_range(self.date_params, path)
        except ValueError as exc:
            self.notices.append(gettext("Ignored the date: %(error)s") % {"error": exc})
            self.date_params = {}
            return queryset
        return queryset.filter(where_path(path, lambda column: sa.and_(column >= start, column < end)))

    # -- ordering ------------------------------------------------------------------------------------

    def get_ordering_field(self, item: DisplayItem) -> str | None:
        return item.order_field

    def _requested_ordering(self) -> list[tuple[int, bool]]:
        """``?o=2.-1`` -> ``[(1, False), (0, True)]`` (column index, descending); bad parts are ignored."""
        raw = self.params.get(ORDER_VAR)
        if not raw:
            return []
        found: list[tuple[int, bool]] = []
        for part in raw.split("."):
            descending = part.startswith("-")
            try:
                index = int(part.lstrip("-")) - 1
            except ValueError:
                continue
            if 0 <= index < len(self.items) and self.items[index].order_field and index not in [i for i, _ in found]:
                found.append((index, descending))
        return found

    def _ordered(self, queryset: t.Any) -> t.Any:
        self.ordering_columns: dict[int, bool] = {}  # column index -> descending
        ordering: list[str] = []
        requested = self._requested_ordering()
        for index, descending in requested:
            order_field = t.cast(str, self.items[index].order_field)
            if order_field.startswith("-"):
                descending = not descending
                order_field = order_field[1:]
            ordering.append(("-" if descending else "") + order_field)
            self.ordering_columns[index] = descending
        ordering.extend(self.model_admin.get_ordering(self.request) or ())
        if not requested:
            self._mark_default_ordering(ordering)
        joins: dict[tuple[str, ...], t.Any] = {}
        seen: set[str] = set()
        mapper = sa.inspect(self.model)
        pk_keys = [mapper.get_property_by_column(c).key for c in mapper.primary_key]
        for entry in ordering:
            name = entry.lstrip("-")
            if name in seen:
                continue
            seen.add(name)
            try:
                path = resolve_path(self.model, name)
            except PathError:
                continue  # checked at boot (admin.E033); a get_ordering() override may still name anything
            if path.is_collection:
                continue
            queryset, expression = order_by_path(queryset, path, joins)
            queryset = queryset.order_by(expression.desc() if entry.startswith("-") else expression.asc())
        # A total order, so that rows never move between pages (Django adds "-pk").
        for key in pk_keys:
            if key not in seen:
                queryset = queryset.order_by(getattr(self.model, key).desc())
        return queryset

    def _mark_default_ordering(self, ordering: list[str]) -> None:
        by_field = {item.order_field: index for index, item in enumerate(self.items) if item.order_field}
        for entry in ordering:
            name = entry.lstrip("-")
            if name in by_field and by_field[name] not in self.ordering_columns:
                self.ordering_columns[by_field[name]] = entry.startswith("-")

    # -- results -------------------------------------------------------------------------------------

    def _results(self, request: Request) -> None:
        model_admin = self.model_admin
        self.result_count = _count(self.filtered_queryset)
        filtered = bool(self.query) or self.has_active_filters
        if model_admin.show_full_result_count and filtered:
            self.full_result_count: int | None = _count(self.root_queryset)
        else:
            self.full_result_count = self.result_count if not filtered else None
        self.can_show_all = self.result_count <= self.list_max_show_all
        self.multi_page = self.result_count > self.list_per_page
        self.num_pages = max(1, math.ceil(self.result_count / self.list_per_page))
        if self.page_num > self.num_pages:
            self.page_num = self.num_pages
        queryset = self.queryset.options(*self._eager_loads(request))
        if (self.show_all and self.can_show_all) or not self.multi_page:
            self.showing_all = self.show_all and self.can_show_all and self.multi_page
            results = queryset.all()
        else:
            self.showing_all = False
            results = queryset.limit(self.list_per_page).offset((self.page_num - 1) * self.list_per_page).all()
        self.result_list = results
        self.rows = [self._row(obj) for obj in results]
        self.headers = self._headers()
        self.date_links = date_links(self)

    def _eager_loads(self, request: Request) -> list[t.Any]:
        """The relationships the columns show, loaded with the page (Django's ``list_select_related``)."""
        select_related = self.model_admin.get_list_select_related(request)
        mapper = sa.inspect(self.model)
        options: list[t.Any] = []
        names: list[str]
        if select_related is True:
            names = [rel.key for rel in mapper.relationships if not rel.uselist]
        elif select_related:
            names = list(t.cast(t.Iterable[str], select_related))
        else:
            names = [item.name for item in self.items if item.kind == "relation"]
        for name in names:
            loader: t.Any = None
            current = self.model
            for part in name.split(LOOKUP_SEP):
                prop = sa.inspect(current).attrs.get(part)
                if not isinstance(prop, RelationshipProperty):
                    loader = None
                    break
                attribute = getattr(current, part)
                make = selectinload if prop.uselist else joinedload
                loader = make(attribute) if loader is None else getattr(loader, make.__name__)(attribute)
                current = prop.mapper.class_
            if loader is not None:
                options.append(loader)
        return options

    def _row(self, obj: t.Any) -> Row:
        model_admin = self.model_admin
        empty = model_admin.get_empty_value_display()
        row = Row(model_admin.pk_string(obj), obj)
        change_url = model_admin.get_change_url(obj, preserved=self.get_query_string())
        for index, item in enumerate(self.items):
            try:
                value = item.getter(obj)
            except sa.orm.exc.DetachedInstanceError:
                raise
            except (AttributeError, LookupError):
                value = None
            shown = display_for_value(
                value, item.empty_value if item.empty_value is not None else empty, boolean=item.boolean
            )
            linked = item.name in self.list_display_links or (
                not self.list_display_links and index == 0 and self._links_default
            )
            row.cells.append(Cell(item.css_name, shown, change_url if linked else None, item.boolean))
        return row

    @property
    def _links_default(self) -> bool:
        # list_display_links = None means no links at all; () or [] means "the first column".
        return self.model_admin.list_display_links is not None and not self.list_display_links

    def _headers(self) -> list[Header]:
        headers: list[Header] = []
        ordering = self.ordering_columns
        order_list = list(ordering.items())
        for index, item in enumerate(self.items):
            header = Header(text=item.label, name=item.css_name)
            if item.order_field is None:
                headers.append(header)
                continue
            header.sortable = True
            if index in ordering:
                header.sorted = True
                header.ascending = not ordering[index]
                header.priority = [i for i, _ in order_list].index(index) + 1
            others = [(i, d) for i, d in order_list if i != index]
            new_desc = header.sorted and header.ascending
            header.url_primary = self.get_query_string({ORDER_VAR: _order_param([(index, new_desc), *others])})
            header.url_remove = self.get_query_string({ORDER_VAR: _order_param(others) or None})
            toggled = [(i, (not d) if i == index else d) for i, d in order_list]
            header.url_toggle = self.get_query_string({ORDER_VAR: _order_param(toggled) or None})
            headers.append(header)
        return headers

    @property
    def page_links(self) -> list[tuple[int | None, str | None]]:
        """``(page number, its URL)`` for the paginator; ``(None, None)`` is "…"."""
        return [
            (number, None if number is None else self.get_query_string({PAGE_VAR: number if number > 1 else None}))
            for number in page_range(self.page_num, self.num_pages)
        ]

    @property
    def clear_filters_url(self) -> str:
        kept = {k: v for k, v in self.params.items() if k in (SEARCH_VAR, ORDER_VAR)}
        return "?" + urlencode(sorted(kept.items()))

    @property
    def show_all_url(self) -> str:
        return self.get_query_string({ALL_VAR: ""}, [PAGE_VAR])

    @property
    def hidden_search_params(self) -> list[tuple[str, str]]:
        """The parameters the search form keeps (filters, ordering), as hidden inputs."""
        return [(k, v) for k, v in sorted(self.params.items()) if k not in (SEARCH_VAR, PAGE_VAR)]


def _order_param(ordering: t.Sequence[tuple[int, bool]]) -> str:
    return ".".join(f"{'-' if descending else ''}{index + 1}" for index, descending in ordering)


def _count(queryset: t.Any) -> int:
    return int(queryset.order_by(None).count())


def page_range(current: int, total: int, on_each_side: int = 3, on_ends: int = 2) -> list[int | None]:
    """The page numbers to link, ``None`` for "…" (Django's ``Paginator.get_elided_page_range``)."""
    if total <= (on_each_side + on_ends) * 2:
        return list(range(1, total + 1))
    pages: list[int | None] = []
    if current > 1 + on_each_side + on_ends + 1:
        pages.extend(range(1, on_ends + 1))
        pages.append(None)
        pages.extend(range(current - on_each_side, current + 1))
    else:
        pages.extend(range(1, current + 1))
    if current < total - on_each_side - on_ends - 1:
        pages.extend(range(current + 1, current + on_each_side + 1))
        pages.append(None)
        pages.extend(range(total - on_ends + 1, total + 1))
    else:
        pages.extend(range(current + 1, total + 1))
    return pages

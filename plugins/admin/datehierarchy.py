"""``date_hierarchy``: the links by year, month and day above the change list, and the range of each."""

from __future__ import annotations

import contextlib
import datetime
import typing as t
from dataclasses import dataclass

import sqlalchemy as sa

from flaskkit.translation import gettext

from .filters import IncorrectLookupParameters
from .lookups import FieldPath
from .lookups import base_type
from .lookups import is_aware_datetime
from .lookups import resolve_path
from .lookups import where_path

if t.TYPE_CHECKING:
    from .changelist import ChangeList

__all__ = ["DateLink", "date_links", "date_range"]


@dataclass
class DateLink:
    title: str
    link: str


def date_links(changelist: ChangeList) -> dict[str, t.Any] | None:
    """The year, month or day links of ``date_hierarchy`` for the current query (Django's ``date_hierarchy`` tag)."""
    if not changelist.date_hierarchy:
        return None
    path = resolve_path(changelist.model, changelist.date_hierarchy)
    column = t.cast(sa.Column[t.Any], path.column)
    field_name = changelist.date_hierarchy
    year, month, day = (changelist.date_params.get(k) for k in ("year", "month", "day"))
    remove = [f"{field_name}__"]

    def link(**parts: int) -> str:
        return changelist.get_query_string({f"{field_name}__{k}": v for k, v in parts.items()}, remove)

    base = _without_dates(changelist)
    if year is None:
        choices = [DateLink(str(y), link(year=y)) for y in _distinct(changelist, base, path, column, "year")]
        return {"back": None, "choices": choices}
    if month is None:
        in_year = base.filter(where_path(path, _range_condition(date_range({"year": year}, path))))
        months = _distinct(changelist, in_year, path, column, "month")
        choices = [DateLink(datetime.date(year, m, 1).strftime("%B %Y"), link(year=year, month=m)) for m in months]
        return {"back": DateLink(gettext("All dates"), changelist.get_query_string(remove=remove)), "choices": choices}
    if day is None:
        in_month = base.filter(where_path(path, _range_condition(date_range({"year": year, "month": month}, path))))
        days = _distinct(changelist, in_month, path, column, "day")
        choices = [
            DateLink(_day_name(datetime.date(year, month, d)), link(year=year, month=month, day=d)) for d in days
        ]
        return {"back": DateLink(str(year), link(year=year)), "choices": choices}
    back = DateLink(datetime.date(year, month, 1).strftime("%B %Y"), link(year=year, month=month))
    return {
        "back": back,
        "choices": [DateLink(_day_name(datetime.date(year, month, day)), link(year=year, month=month, day=day))],
    }


def _without_dates(changelist: ChangeList) -> t.Any:
    queryset = changelist.root_queryset
    for spec in changelist.filter_specs:
        with contextlib.suppress(IncorrectLookupParameters):  # reported when the page's query was made
            queryset = spec.queryset(changelist.request, queryset)
    queryset, _ = changelist.model_admin.get_search_results(changelist.request, queryset, changelist.query)
    return queryset


def _distinct(
    changelist: ChangeList, queryset: t.Any, path: FieldPath, column: sa.Column[t.Any], part: str
) -> list[int]:
    from flaskkit.plugins.orm import db

    bind = db.session.get_bind(mapper=sa.inspect(changelist.model))
    expression: t.Any = getattr(path.owner, path.prop.key)
    if path.steps:
        return []  # a date hierarchy across a relationship is refused at boot (admin.E127)
    if is_aware_datetime(column) and bind.dialect.name == "postgresql":
        expression = sa.func.timezone("UTC", expression)
    extracted = sa.extract(part, expression)
    rows = queryset.order_by(None).with_entities(extracted).filter(expression.is_not(None)).distinct().all()
    return sorted({int(row[0]) for row in rows if row[0] is not None})


def _day_name(day: datetime.date) -> str:
    return f"{day:%B} {day.day}"


def date_range(parts: t.Mapping[str, int], path: FieldPath) -> tuple[t.Any, t.Any]:
    """The half-open range ``[start, end)`` of the year, month or day in ``parts``."""
    year = parts["year"]
    month = parts.get("month")
    day = parts.get("day")
    if month is None:
        start = datetime.date(year, 1, 1)
        end = datetime.date(year + 1, 1, 1)
    elif day is None:
        start = datetime.date(year, month, 1)
        end = datetime.date(year + (month == 12), month % 12 + 1, 1)
    else:
        start = datetime.date(year, month, day)
        end = start + datetime.timedelta(days=1)
    column = t.cast(sa.Column[t.Any], path.column)
    if isinstance(base_type(column.type), sa.DateTime):
        tz = datetime.UTC if is_aware_datetime(column) else None
        return (
            datetime.datetime.combine(start, datetime.time(), tzinfo=tz),
            datetime.datetime.combine(end, datetime.time(), tzinfo=tz),
        )
    return start, end


def _range_condition(bounds: tuple[t.Any, t.Any]) -> t.Callable[[t.Any], sa.ColumnElement[bool]]:
    start, end = bounds
    return lambda column: sa.and_(column >= start, column < end)

"""The filters of the change list's sidebar (Django's ``admin.filters``): the bases and their helpers.

``list_filter`` takes field paths (``"published"``, ``"author"``,
``"author__is_staff"``), ``(path, FilterClass)`` pairs, or
:class:`SimpleListFilter` subclasses. A field gets the filter Django would
give it: related rows for a relationship, Yes/No for a boolean, the members
for an enum, date ranges for a date or datetime (aware ones in UTC), the
distinct values otherwise, and Empty/Not empty for JSON. The query string
speaks Django's lookups (``?published__gte=2026-01-01``,
``?author__id__exact=3``); only the parameters of the listed filters are
read, so a visitor cannot filter on a field the admin does not offer.
"""

from __future__ import annotations

import datetime
import enum
import typing as t

import sqlalchemy as sa

from flaskkit.translation import gettext

from .display import field_label
from .lookups import FieldPath
from .lookups import base_type
from .lookups import where_path

if t.TYPE_CHECKING:
    from flask import Request

    from .changelist import ChangeList
    from .options import ModelAdmin

__all__ = ["FieldListFilter", "IncorrectLookupParameters", "ListFilter", "SimpleListFilter"]

Choice = dict[str, t.Any]


class IncorrectLookupParameters(ValueError):
    """A filter parameter of the query string has a value the filter cannot use."""


class ListFilter:
    """The base of every filter: a title, the parameters it reads, its links, and what it does to the query."""

    #: The heading above the links ("By published").
    title: str = ""

    def __init__(self, request: Request, params: dict[str, str], model: type, model_admin: ModelAdmin) -> None:
        self.used_parameters: dict[str, str] = {}
        if not self.title:
            raise TypeError(f"The list filter {type(self).__name__!r} does not specify a 'title'.")

    def has_output(self) -> bool:
        """Whether the filter shows in the sidebar."""
        raise NotImplementedError

    def choices(self, changelist: ChangeList) -> t.Iterable[Choice]:
        """The links: dicts with ``selected``, ``query_string`` and ``display``."""
        raise NotImplementedError

    def queryset(self, request: Request, queryset: t.Any) -> t.Any:
        """The query, filtered by the parameters the filter read."""
        raise NotImplementedError

    def expected_parameters(self) -> list[str]:
        """The query-string parameters this filter reads."""
        raise NotImplementedError

    def _take(self, params: dict[str, str]) -> None:
        for name in self.expected_parameters():
            if name in params:
                self.used_parameters[name] = params.pop(name)


class SimpleListFilter(ListFilter):
    """A filter of your own (Django's ``SimpleListFilter``)::

    class DecadeBornListFilter(admin.SimpleListFilter):
        title = "decade born"
        parameter_name = "decade"

        def lookups(self, request, model_admin):
            return [("80s", "in the eighties"), ("90s", "in the nineties")]

        def queryset(self, request, queryset):
            if self.value() == "80s":
                return queryset.where(Person.birthday.between(date(1980, 1, 1), date(1989, 12, 31)))
            return queryset
    """

    #: The query-string parameter (``?decade=80s``).
    parameter_name: str = ""

    def __init__(self, request: Request, params: dict[str, str], model: type, model_admin: ModelAdmin) -> None:
        super().__init__(request, params, model, model_admin)
        if not self.parameter_name:
            raise TypeError(f"The list filter {type(self).__name__!r} does not specify a 'parameter_name'.")
        self._take(params)
        self.lookup_choices = list(self.lookups(request, model_admin) or ())

    def value(self) -> str | None:
        """The parameter's value in the query string, or None."""
        return self.used_parameters.get(self.parameter_name)

    def lookups(self, request: Request, model_admin: ModelAdmin) -> t.Iterable[tuple[t.Any, str]]:
        """``(value, label)`` pairs: the links of the filter."""
        raise NotImplementedError(
            f"The SimpleListFilter.lookups() method must be overridden to return a list of tuples (value, "
            f"verbose value) ({type(self).__name__})."
        )

    def has_output(self) -> bool:
        return len(self.lookup_choices) > 0

    def expected_parameters(self) -> list[str]:
        return [self.parameter_name]

    def choices(self, changelist: ChangeList) -> t.Iterable[Choice]:
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": gettext("All"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class FieldListFilter(ListFilter):
    """A filter on a field path; :meth:`create` picks the class Django would pick for the field."""

    _registry: t.ClassVar[list[tuple[t.Callable[[FieldPath], bool], type[FieldListFilter]]]] = []
    _take_priority_index: t.ClassVar[int] = 0

    def __init__(
        self,
        field: FieldPath,
        request: Request,
        params: dict[str, str],
        model: type,
        model_admin: ModelAdmin,
        field_path: str,
    ) -> None:
        self.field = field
        self.field_path = field_path
        self.model_admin = model_admin
        if not getattr(self, "title", ""):
            self.title = _path_title(field)
        super().__init__(request, params, model, model_admin)
        self.empty_value_display = model_admin.get_empty_value_display()
        self._take(params)

    @property
    def nullable(self) -> bool:
        if self.field.is_relationship:
            prop = t.cast(sa.orm.RelationshipProperty[t.Any], self.field.prop)
            return prop.uselist or all(getattr(c, "nullable", True) for c in prop.local_columns)
        column = self.field.column
        return column is None or bool(column.nullable)

    def has_output(self) -> bool:
        return True

    def condition(self, make: t.Callable[[t.Any], sa.ColumnElement[bool]]) -> sa.ColumnElement[bool]:
        return where_path(self.field, make)

    @classmethod
    def register(
        cls, test: t.Callable[[FieldPath], bool], list_filter_class: type[FieldListFilter], take_priority: bool = False
    ) -> None:
        if take_priority:
            cls._registry.insert(cls._take_priority_index, (test, list_filter_class))
            cls._take_priority_index += 1
        else:
            cls._registry.append((test, list_filter_class))

    @classmethod
    def create(
        cls,
        field: FieldPath,
        request: Request,
        params: dict[str, str],
        model: type,
        model_admin: ModelAdmin,
        field_path: str,
    ) -> FieldListFilter:
        for test, list_filter_class in cls._registry:
            if test(field):
                return list_filter_class(field, request, params, model, model_admin, field_path=field_path)
        raise TypeError(f"No list filter for the field {field_path!r}.")  # AllValues takes anything


def _path_title(field: FieldPath) -> str:
    """Django's filter title: the field's verbose name ("status"; "active" for "product__active")."""
    label = field_label(field.owner, field.prop.key)
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def _null_choices(
    flt: FieldListFilter, changelist: ChangeList, lookup: str, current: str | None, labels: tuple[str, str]
) -> t.Iterator[Choice]:
    if not flt.nullable:
        return
    for value, label in (("True", labels[0]), ("False", labels[1])):
        yield {
            "selected": current == value,
            "query_string": changelist.get_query_string({lookup: value}, [flt.field_path + "__"]),
            "display": label,
        }


def _isnull(flt: FieldListFilter, name: str) -> bool | None:
    value = flt.used_parameters.get(name)
    if value is None:
        return None
    if value not in ("True", "False", "1", "0"):
        raise IncorrectLookupParameters(f"{name} must be True or False, not {value!r}.")
    return value in ("True", "1")


def _null_condition(flt: FieldListFilter, isnull: bool) -> sa.ColumnElement[bool]:
    if flt.field.is_relationship:
        prop = t.cast(sa.orm.RelationshipProperty[t.Any], flt.field.prop)
        attribute = getattr(flt.field.owner, prop.key)
        has = attribute.any() if prop.uselist else attribute.has()
        inner = sa.not_(has) if isnull else has
        for step in reversed(flt.field.steps):
            outer = getattr(step.parent.class_, step.key)
            inner = outer.any(inner) if step.uselist else outer.has(inner)
        return inner
    return flt.condition(lambda column: column.is_(None) if isnull else column.is_not(None))


def coerce_value(column: sa.ColumnElement[t.Any], value: str) -> t.Any:
    """The query-string text as the column's Python type; :class:`IncorrectLookupParameters` when it is not one."""
    base = base_type(column.type)
    if isinstance(base, sa.Enum) and base.enum_class is not None:
        members = t.cast("type[enum.Enum]", base.enum_class)
        if value in members.__members__:
            return members[value]
        raise IncorrectLookupParameters(f"{value!r} is not a member of {members.__name__}.")
    if isinstance(base, sa.Boolean):
        if value in ("1", "True", "true"):
            return True
        if value in ("0", "False", "false"):
            return False
        raise IncorrectLookupParameters(f"{value!r} is not a boolean.")
    try:
        python_type = base.python_type
    except NotImplementedError:
        return value
    if python_type in (datetime.datetime, datetime.date, datetime.time):
        try:
            return python_type.fromisoformat(value)  # type: ignore[attr-defined]
        except ValueError:
            raise IncorrectLookupParameters(f"{value!r} is not a valid {python_type.__name__}.") from None
    try:
        return python_type(value)
    except (TypeError, ValueError, ArithmeticError):
        raise IncorrectLookupParameters(f"{value!r} is not a valid {python_type.__name__}.") from None

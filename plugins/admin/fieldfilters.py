"""The filters Django gives each kind of field (Django's ``RelatedFieldListFilter``...), registered with
:class:`~flaskkit.plugins.admin.filters.FieldListFilter` in the order Django tries them."""

from __future__ import annotations

import datetime
import enum
import typing as t

import sqlalchemy as sa

from flaskkit.translation import gettext

from .display import boolean_icon
from .display import choice_label
from .display import display_for_value
from .filters import Choice
from .filters import FieldListFilter
from .filters import IncorrectLookupParameters
from .filters import _isnull
from .filters import _null_condition
from .filters import coerce_value
from .lookups import FieldPath
from .lookups import base_type
from .lookups import is_aware_datetime
from .lookups import where_path

if t.TYPE_CHECKING:
    from flask import Request

    from .changelist import ChangeList
    from .options import ModelAdmin

__all__ = [
    "AllValuesFieldListFilter",
    "BooleanFieldListFilter",
    "ChoicesFieldListFilter",
    "DateFieldListFilter",
    "EmptyFieldListFilter",
    "RelatedFieldListFilter",
    "RelatedOnlyFieldListFilter",
]


class RelatedFieldListFilter(FieldListFilter):
    """The related rows of a foreign key or many-to-many field, by their ``__str__`` (``?author__id__exact=3``)."""

    def __init__(self, field: FieldPath, *args: t.Any, **kwargs: t.Any) -> None:
        related = t.cast(type, field.related_model)
        mapper = sa.inspect(related)
        self.related_model = related
        self.pk_key = mapper.get_property_by_column(mapper.primary_key[0]).key
        self.lookup_kwarg = f"{kwargs['field_path']}__{self.pk_key}__exact"
        self.lookup_kwarg_isnull = f"{kwargs['field_path']}__isnull"
        super().__init__(field, *args, **kwargs)
        self.lookup_val = self.used_parameters.get(self.lookup_kwarg)
        self.lookup_val_isnull = _isnull(self, self.lookup_kwarg_isnull)
        self.pk_value = coerce_value(mapper.primary_key[0], self.lookup_val) if self.lookup_val is not None else None
        self.lookup_choices = self.field_choices(self.model_admin)

    def expected_parameters(self) -> list[str]:
        return [self.lookup_kwarg, self.lookup_kwarg_isnull]

    def field_choices(self, model_admin: ModelAdmin) -> list[tuple[t.Any, str]]:
        """``(pk, label)`` of the related rows, in the related model's admin ordering (or by primary key)."""
        from flaskkit.plugins.orm import db

        statement = sa.select(self.related_model)
        ordering = model_admin.related_ordering(self.related_model)
        statement = statement.order_by(*ordering)
        return [(getattr(obj, self.pk_key), str(obj)) for obj in db.session.scalars(statement)]

    def has_output(self) -> bool:
        return len(self.lookup_choices) + (1 if self.nullable else 0) > 1

    def queryset(self, request: Request, queryset: t.Any) -> t.Any:
        if self.pk_value is not None:
            queryset = queryset.filter(self.condition(lambda pk: pk == self.pk_value))
        if self.lookup_val_isnull is not None:
            queryset = queryset.filter(_null_condition(self, self.lookup_val_isnull))
        return queryset

    def choices(self, changelist: ChangeList) -> t.Iterable[Choice]:
        yield {
            "selected": self.lookup_val is None and self.lookup_val_isnull is None,
            "query_string": changelist.get_query_string(remove=[self.lookup_kwarg, self.lookup_kwarg_isnull]),
            "display": gettext("All"),
        }
        for pk, label in self.lookup_choices:
            yield {
                "selected": self.lookup_val == str(pk),
                "query_string": changelist.get_query_string({self.lookup_kwarg: pk}, [self.lookup_kwarg_isnull]),
                "display": label,
            }
        if self.nullable:
            yield {
                "selected": self.lookup_val_isnull is True,
                "query_string": changelist.get_query_string({self.lookup_kwarg_isnull: "True"}, [self.lookup_kwarg]),
                "display": self.empty_value_display,
            }


class RelatedOnlyFieldListFilter(RelatedFieldListFilter):
    """Only the related rows that some row of the list refers to."""

    def field_choices(self, model_admin: ModelAdmin) -> list[tuple[t.Any, str]]:
        from flaskkit.plugins.orm import db

        outer = sa.orm.aliased(self.related_model)
        outer_pk = getattr(outer, self.pk_key)
        referenced = sa.select(self.field.model).where(where_path(self.field, lambda pk: pk == outer_pk)).exists()
        ordering = model_admin.related_ordering(self.related_model, alias=outer)
        rows = db.session.scalars(sa.select(outer).where(referenced).order_by(*ordering))
        return [(getattr(obj, self.pk_key), str(obj)) for obj in rows]


class BooleanFieldListFilter(FieldListFilter):
    """All / Yes / No (/ Unknown for a nullable column): ``?is_staff__exact=1``."""

    def __init__(self, field: FieldPath, *args: t.Any, **kwargs: t.Any) -> None:
        self.lookup_kwarg = f"{kwargs['field_path']}__exact"
        self.lookup_kwarg2 = f"{kwargs['field_path']}__isnull"
        super().__init__(field, *args, **kwargs)
        self.lookup_val = self.used_parameters.get(self.lookup_kwarg)
        if self.lookup_val not in (None, "0", "1"):
            raise IncorrectLookupParameters(f"{self.lookup_kwarg} must be 1 or 0, not {self.lookup_val!r}.")
        self.lookup_val2 = _isnull(self, self.lookup_kwarg2)

    def expected_parameters(self) -> list[str]:
        return [self.lookup_kwarg, self.lookup_kwarg2]

    def queryset(self, request: Request, queryset: t.Any) -> t.Any:
        if self.lookup_val is not None:
            wanted = self.lookup_val == "1"
            queryset = queryset.filter(self.condition(lambda column: column.is_(wanted)))
        if self.lookup_val2 is not None:
            queryset = queryset.filter(_null_condition(self, self.lookup_val2))
        return queryset

    def choices(self, changelist: ChangeList) -> t.Iterable[Choice]:
        for value, label in ((None, gettext("All")), ("1", gettext("Yes")), ("0", gettext("No"))):
            yield {
                "selected": self.lookup_val == value and self.lookup_val2 is None,
                "query_string": changelist.get_query_string({self.lookup_kwarg: value}, [self.lookup_kwarg2])
                if value is not None
                else changelist.get_query_string(remove=[self.lookup_kwarg, self.lookup_kwarg2]),
                "display": label,
                "icon": boolean_icon(value == "1") if value is not None else None,
            }
        if self.nullable:
            yield {
                "selected": self.lookup_val2 is True,
                "query_string": changelist.get_query_string({self.lookup_kwarg2: "True"}, [self.lookup_kwarg]),
                "display": gettext("Unknown"),
            }


class ChoicesFieldListFilter(FieldListFilter):
    """The members of an enum column (or the values of a plain ``Enum("a", "b")``): ``?status__exact=DRAFT``."""

    def __init__(self, field: FieldPath, *args: t.Any, **kwargs: t.Any) -> None:
        self.lookup_kwarg = f"{kwargs['field_path']}__exact"
        self.lookup_kwarg_isnull = f"{kwargs['field_path']}__isnull"
        super().__init__(field, *args, **kwargs)
        enum_type = t.cast(sa.Enum, base_type(t.cast(sa.Column[t.Any], field.column).type))
        self.members: list[tuple[str, t.Any, str]] = []
        if enum_type.enum_class is not None:
            for member in t.cast("type[enum.Enum]", enum_type.enum_class):
                self.members.append((member.name, member, choice_label(member)))
        else:
            self.members = [(value, value, value) for value in enum_type.enums]
        self.lookup_val = self.used_parameters.get(self.lookup_kwarg)
        self.lookup_val_isnull = _isnull(self, self.lookup_kwarg_isnull)
        self.selected_value: t.Any = None
        if self.lookup_val is not None:
            found = [value for key, value, _ in self.members if key == self.lookup_val]
            if not found:
                raise IncorrectLookupParameters(f"{self.lookup_val!r} is not one of the choices of {self.field_path}.")
            self.selected_value = found[0]

    def expected_parameters(self) -> list[str]:
        return [self.lookup_kwarg, self.lookup_kwarg_isnull]

    def queryset(self, request: Request, queryset: t.Any) -> t.Any:
        if self.lookup_val is not None:
            queryset = queryset.filter(self.condition(lambda column: column == self.selected_value))
        if self.lookup_val_isnull is not None:
            queryset = queryset.filter(_null_condition(self, self.lookup_val_isnull))
        return queryset

    def choices(self, changelist: ChangeList) -> t.Iterable[Choice]:
        yield {
            "selected": self.lookup_val is None and self.lookup_val_isnull is None,
            "query_string": changelist.get_query_string(remove=[self.lookup_kwarg, self.lookup_kwarg_isnull]),
            "display": gettext("All"),
        }
        for key, _value, label in self.members:
            yield {
                "selected": self.lookup_val == key,
                "query_string": changelist.get_query_string({self.lookup_kwarg: key}, [self.lookup_kwarg_isnull]),
                "display": label,
            }
        if self.nullable:
            yield {
                "selected": self.lookup_val_isnull is True,
                "query_string": changelist.get_query_string({self.lookup_kwarg_isnull: "True"}, [self.lookup_kwarg]),
                "display": self.empty_value_display,
            }


class DateFieldListFilter(FieldListFilter):
    """Any date / Today / Past 7 days / This month / This year (/ No date / Has date): ``?pub__gte=...&pub__lt=...``.

    Days start at midnight UTC for an aware datetime column (``datetime.now(UTC)``'s date is "today").
    """

    def __init__(self, field: FieldPath, *args: t.Any, **kwargs: t.Any) -> None:
        path = kwargs["field_path"]
        self.lookup_kwarg_since = f"{path}__gte"
        self.lookup_kwarg_until = f"{path}__lt"
        self.lookup_kwarg_isnull = f"{path}__isnull"
        super().__init__(field, *args, **kwargs)
        column = t.cast(sa.Column[t.Any], field.column)
        self.is_datetime = isinstance(base_type(column.type), sa.DateTime)
        self.aware = is_aware_datetime(column)
        self.since = self._parse(self.used_parameters.get(self.lookup_kwarg_since), self.lookup_kwarg_since)
        self.until = self._parse(self.used_parameters.get(self.lookup_kwarg_until), self.lookup_kwarg_until)
        self.isnull = _isnull(self, self.lookup_kwarg_isnull)
        today = datetime.datetime.now(datetime.UTC).date() if self.aware else datetime.date.today()
        tomorrow = today + datetime.timedelta(days=1)
        next_month = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        self.links: list[tuple[str, dict[str, str]]] = [
            (gettext("Any date"), {}),
            (
                gettext("Today"),
                {self.lookup_kwarg_since: today.isoformat(), self.lookup_kwarg_until: tomorrow.isoformat()},
            ),
            (
                gettext("Past 7 days"),
                {
                    self.lookup_kwarg_since: (today - datetime.timedelta(days=7)).isoformat(),
                    self.lookup_kwarg_until: tomorrow.isoformat(),
                },
            ),
            (
                gettext("This month"),
                {
                    self.lookup_kwarg_since: today.replace(day=1).isoformat(),
                    self.lookup_kwarg_until: next_month.isoformat(),
                },
            ),
            (
                gettext("This year"),
                {
                    self.lookup_kwarg_since: today.replace(month=1, day=1).isoformat(),
                    self.lookup_kwarg_until: today.replace(year=today.year + 1, month=1, day=1).isoformat(),
                },
            ),
        ]
        if self.nullable:
            self.links += [
                (gettext("No date"), {self.lookup_kwarg_isnull: "True"}),
                (gettext("Has date"), {self.lookup_kwarg_isnull: "False"}),
            ]

    def _parse(self, value: str | None, name: str) -> t.Any:
        if value is None:
            return None
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise IncorrectLookupParameters(f"{name} must be a date (YYYY-MM-DD), not {value!r}.") from None
        if not self.is_datetime:
            return day
        moment = datetime.datetime.combine(day, datetime.time())
        return moment.replace(tzinfo=datetime.UTC) if self.aware else moment

    def expected_parameters(self) -> list[str]:
        return [self.lookup_kwarg_since, self.lookup_kwarg_until, self.lookup_kwarg_isnull]

    def queryset(self, request: Request, queryset: t.Any) -> t.Any:
        if self.since is not None:
            queryset = queryset.filter(self.condition(lambda column: column >= self.since))
        if self.until is not None:
            queryset = queryset.filter(self.condition(lambda column: column < self.until))
        if self.isnull is not None:
            queryset = queryset.filter(_null_condition(self, self.isnull))
        return queryset

    def choices(self, changelist: ChangeList) -> t.Iterable[Choice]:
        current = {k: v for k, v in self.used_parameters.items()}
        for title, params in self.links:
            yield {
                "selected": current == params,
                "query_string": changelist.get_query_string(params, [self.field_path + "__"]),
                "display": title,
            }


class AllValuesFieldListFilter(FieldListFilter):
    """Every distinct value of the column (Django's fallback): ``?city__exact=Paris``."""

    def __init__(self, field: FieldPath, *args: t.Any, **kwargs: t.Any) -> None:
        self.lookup_kwarg = f"{kwargs['field_path']}__exact"
        self.lookup_kwarg_isnull = f"{kwargs['field_path']}__isnull"
        super().__init__(field, *args, **kwargs)
        column = t.cast(sa.Column[t.Any], field.expression)
        self.lookup_val = self.used_parameters.get(self.lookup_kwarg)
        self.value = coerce_value(column, self.lookup_val) if self.lookup_val is not None else None
        self.lookup_val_isnull = _isnull(self, self.lookup_kwarg_isnull)
        self.lookup_choices = self._values(column)

    def _values(self, column: sa.ColumnElement[t.Any]) -> list[t.Any]:
        from flaskkit.plugins.orm import db

        attribute = getattr(self.field.owner, self.field.prop.key)
        statement = sa.select(attribute).where(attribute.is_not(None)).distinct().order_by(attribute)
        return list(db.session.scalars(statement))

    def expected_parameters(self) -> list[str]:
        return [self.lookup_kwarg, self.lookup_kwarg_isnull]

    def queryset(self, request: Request, queryset: t.Any) -> t.Any:
        if self.lookup_val is not None:
            queryset = queryset.filter(self.condition(lambda column: column == self.value))
        if self.lookup_val_isnull is not None:
            queryset = queryset.filter(_null_condition(self, self.lookup_val_isnull))
        return queryset

    def choices(self, changelist: ChangeList) -> t.Iterable[Choice]:
        yield {
            "selected": self.lookup_val is None and self.lookup_val_isnull is None,
            "query_string": changelist.get_query_string(remove=[self.lookup_kwarg, self.lookup_kwarg_isnull]),
            "display": gettext("All"),
        }
        for value in self.lookup_choices:
            key = value.name if isinstance(value, enum.Enum) else str(value)
            yield {
                "selected": self.lookup_val == key,
                "query_string": changelist.get_query_string({self.lookup_kwarg: key}, [self.lookup_kwarg_isnull]),
                "display": display_for_value(value, self.empty_value_display),
            }
        if self.nullable:
            yield {
                "selected": self.lookup_val_isnull is True,
                "query_string": changelist.get_query_string({self.lookup_kwarg_isnull: "True"}, [self.lookup_kwarg]),
                "display": self.empty_value_display,
            }


class EmptyFieldListFilter(FieldListFilter):
    """All / Empty / Not empty: ``?data__isempty=1``. Empty is NULL, ``""``, or (JSON) null."""

    def __init__(self, field: FieldPath, *args: t.Any, **kwargs: t.Any) -> None:
        self.lookup_kwarg = f"{kwargs['field_path']}__isempty"
        super().__init__(field, *args, **kwargs)
        self.lookup_val = self.used_parameters.get(self.lookup_kwarg)
        if self.lookup_val not in (None, "0", "1"):
            raise IncorrectLookupParameters(f"{self.lookup_kwarg} must be 1 or 0, not {self.lookup_val!r}.")

    def expected_parameters(self) -> list[str]:
        return [self.lookup_kwarg]

    def _empty(self, column: t.Any) -> sa.ColumnElement[bool]:
        base = base_type(column.type)
        if isinstance(base, sa.JSON):
            text = sa.cast(column, sa.Text)
            return sa.or_(column.is_(None), text.in_(["null", '""', "{}", "[]"]))
        if isinstance(base, sa.String):
            return sa.or_(column.is_(None), column == "")
        return column.is_(None)

    def queryset(self, request: Request, queryset: t.Any) -> t.Any:
        if self.lookup_val is None:
            return queryset
        if self.field.is_relationship:
            return queryset.filter(_null_condition(self, self.lookup_val == "1"))
        empty = self.condition(self._empty)
        return queryset.filter(empty if self.lookup_val == "1" else sa.not_(empty))

    def choices(self, changelist: ChangeList) -> t.Iterable[Choice]:
        for value, label in ((None, gettext("All")), ("1", gettext("Empty")), ("0", gettext("Not empty"))):
            yield {
                "selected": self.lookup_val == value,
                "query_string": changelist.get_query_string({self.lookup_kwarg: value})
                if value is not None
                else changelist.get_query_string(remove=[self.lookup_kwarg]),
                "display": label,
            }


def _is_enum(field: FieldPath) -> bool:
    column = field.column
    return column is not None and isinstance(base_type(column.type), sa.Enum)


def _is_boolean(field: FieldPath) -> bool:
    column = field.column
    return column is not None and isinstance(base_type(column.type), sa.Boolean)


def _is_date(field: FieldPath) -> bool:
    column = field.column
    return column is not None and isinstance(base_type(column.type), sa.Date | sa.DateTime)


def _is_json(field: FieldPath) -> bool:
    column = field.column
    return column is not None and isinstance(base_type(column.type), sa.JSON)


FieldListFilter.register(lambda f: f.is_relationship, RelatedFieldListFilter)
FieldListFilter.register(_is_boolean, BooleanFieldListFilter)
FieldListFilter.register(_is_enum, ChoicesFieldListFilter)
FieldListFilter.register(_is_date, DateFieldListFilter)
FieldListFilter.register(_is_json, EmptyFieldListFilter)
FieldListFilter.register(lambda f: True, AllValuesFieldListFilter)

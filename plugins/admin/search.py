"""Django's admin search: ``search_fields`` with ``^`` (starts with), ``=`` (exact), ``@`` (full text)
or nothing (contains), every word of the query in one of the fields."""

from __future__ import annotations

import shlex
import typing as t

import sqlalchemy as sa

from .lookups import PathError
from .lookups import base_type
from .lookups import resolve_path
from .lookups import where_path

__all__ = ["search_condition", "split_terms"]


def split_terms(text: str) -> list[str]:
    """Search words, with "quoted phrases" kept whole (Django's ``smart_split``)."""
    try:
        return [term for term in shlex.split(text) if term]
    except ValueError:  # an unbalanced quote: plain words
        return [term for term in text.split() if term]


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _typed_equals(column: t.Any, base: sa.types.TypeEngine[t.Any], term: str) -> sa.ColumnElement[bool]:
    from .filters import IncorrectLookupParameters
    from .filters import coerce_value

    if isinstance(base, sa.Uuid):
        import uuid

        try:
            return t.cast("sa.ColumnElement[bool]", column == uuid.UUID(term))
        except ValueError:
            return sa.false()
    try:
        return t.cast("sa.ColumnElement[bool]", column == coerce_value(column, term))
    except IncorrectLookupParameters:
        return sa.false()


def search_condition(model: type, search_field: str, term: str, dialect: str) -> sa.ColumnElement[bool]:
    """The condition one ``search_fields`` entry puts on one word: ``^`` starts with, ``=`` is
    (case-insensitively), ``@`` full-text (PostgreSQL; contains elsewhere), otherwise contains."""
    lookup = "icontains"
    name = search_field
    if name[:1] in ("^", "=", "@"):
        lookup = {"^": "istartswith", "=": "iexact", "@": "search"}[name[0]]
        name = name[1:]
    path = resolve_path(model, name)
    if path.is_relationship:
        raise PathError(f"{search_field!r} names a relationship: search one of its fields ('{name}__name').")
    escaped = _escape_like(term)

    def condition(column: t.Any) -> sa.ColumnElement[bool]:
        base = base_type(column.type)
        if lookup == "iexact" and not isinstance(base, sa.String):
            return _typed_equals(column, base, term)  # "=" on a number, a date, a UUID: the typed value
        text = column if isinstance(base, sa.String) else sa.cast(column, sa.String)
        if lookup == "iexact":
            return sa.func.lower(text) == term.lower()
        if isinstance(base, sa.Uuid):
            # A UUID is stored as 32 hex digits on some databases, with dashes on others.
            text = sa.func.replace(sa.func.lower(text), "-", "")
            compact = _escape_like(term.lower().replace("-", ""))
            pattern = f"{compact}%" if lookup == "istartswith" else f"%{compact}%"
            return text.like(pattern, escape="\\")
        if lookup == "istartswith":
            return text.ilike(f"{escaped}%", escape="\\")
        if lookup == "search" and dialect == "postgresql":
            return sa.func.to_tsvector(text).bool_op("@@")(sa.func.plainto_tsquery(term))
        return text.ilike(f"%{escaped}%", escape="\\")

    return where_path(path, condition)

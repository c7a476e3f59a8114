"""Actions, the built-in "delete selected", and what a deletion takes with it (Django's ``Collector``).

Deleting goes through the ORM, one ``session.delete(obj)`` per object, so
the signals plugin's ``pre_delete``/``post_delete`` fire and the
relationships' cascades run, as Django's ``delete()`` does. Before it, the
confirmation page lists what else goes: the rows that a relationship
cascade or an ``ON DELETE CASCADE`` foreign key removes with them, and the
rows that would stop the deletion (a foreign key without a cascade, Django's
``PROTECT``), in which case the page says so and offers no button.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa
from sqlalchemy.orm import RelationshipProperty

from flaskkit.translation import gettext_lazy

from .decorators import action
from .display import model_options

if t.TYPE_CHECKING:
    from flask import Request

    from .options import ModelAdmin

__all__ = ["ACTION_CHECKBOX_NAME", "DeletionPlan", "collect_deletion", "delete_selected"]

#: The name of the row checkboxes (Django's ``helpers.ACTION_CHECKBOX_NAME``).
ACTION_CHECKBOX_NAME = "_selected_action"
#: How many objects of one model the confirmation page lists before "and N more".
SHOWN_PER_MODEL = 100
#: How deep the page follows cascades.
MAX_DEPTH = 6


@dataclass
class ModelGroup:
    model: type
    name: str
    objects: list[t.Any] = field(default_factory=list)
    count: int = 0


@dataclass
class DeletionPlan:
    """What deleting some objects would do."""

    #: The objects asked for, then what cascades: model -> its objects.
    deleted: dict[type, ModelGroup] = field(default_factory=dict)
    #: Rows that keep the deletion from happening.
    protected: dict[type, ModelGroup] = field(default_factory=dict)
    #: Verbose names of the models the user may not delete but the deletion would.
    perms_needed: set[str] = field(default_factory=set)

    @property
    def summary(self) -> list[tuple[str, int]]:
        return [(group.name, group.count) for group in self.deleted.values()]


def collect_deletion(model_admin: ModelAdmin, request: Request, objects: t.Sequence[t.Any]) -> DeletionPlan:
    """The :class:`DeletionPlan` of deleting ``objects`` (of ``model_admin.model``)."""
    from flaskkit.plugins.orm import db

    plan = DeletionPlan()
    if not objects:
        return plan
    model = type(objects[0])
    _add(plan.deleted, model, list(objects), len(objects))
    frontier: list[tuple[type, list[t.Any]]] = [(model, list(objects))]
    for _depth in range(MAX_DEPTH):
        next_frontier: list[tuple[type, list[t.Any]]] = []
        for parent_model, parents in frontier:
            for child_model, fk_columns, behaviour in _referencing(parent_model):
                if behaviour == "keep":
                    continue
                referenced = [fk.column for fk in _fks(fk_columns, parent_model)]
                if not referenced:
                    continue
                key = sa.inspect(parent_model).get_property_by_column(referenced[0]).key
                condition = fk_columns[0].in_([getattr(parent, key) for parent in parents])
                total = db.session.scalar(sa.select(sa.func.count()).select_from(child_model).where(condition)) or 0
                if not total:
                    continue
                rows = list(db.session.scalars(sa.select(child_model).where(condition).limit(SHOWN_PER_MODEL)))
                if behaviour == "protect":
                    _add(plan.protected, child_model, rows, total)
                    continue
                _add(plan.deleted, child_model, rows, total)
                registered = model_admin.admin_state.model_admin_for(child_model)
                if registered is not None and not registered.has_delete_permission(request):
                    plan.perms_needed.add(model_options(child_model).verbose_name)
                next_frontier.append((child_model, rows))
        if not next_frontier:
            break
        frontier = next_frontier
    return plan


def _add(groups: dict[type, ModelGroup], model: type, rows: list[t.Any], total: int) -> None:
    group = groups.get(model)
    if group is None:
        group = groups[model] = ModelGroup(model, model_options(model).verbose_name_plural)
    known = {id(obj) for obj in group.objects}
    for obj in rows:
        if id(obj) not in known and len(group.objects) < SHOWN_PER_MODEL:
            group.objects.append(obj)
    group.count += total


def _fks(columns: list[sa.Column[t.Any]], parent_model: type) -> list[sa.ForeignKey]:
    parent_tables = set(sa.inspect(parent_model).tables)
    return [fk for column in columns for fk in column.foreign_keys if fk.column.table in parent_tables]


def _referencing(parent_model: type) -> list[tuple[type, list[sa.Column[t.Any]], str]]:
    """The mapped models with a foreign key to ``parent_model``, and what deleting a parent does to them:
    ``"delete"`` (cascade), ``"keep"`` (set to NULL) or ``"protect"`` (the deletion would fail)."""
    parent_mapper = sa.inspect(parent_model)
    parent_tables = set(parent_mapper.tables)
    found: list[tuple[type, list[sa.Column[t.Any]], str]] = []
    for mapper in parent_mapper.registry.mappers:
        if mapper.inherits is not None and mapper.local_table is mapper.inherits.local_table:
            continue
        table = mapper.local_table
        if not isinstance(table, sa.Table):
            continue
        for constraint in table.foreign_key_constraints:
            if constraint.referred_table not in parent_tables:
                continue
            columns = list(constraint.columns)
            found.append((mapper.class_, columns, _behaviour(parent_mapper, mapper, constraint)))
    return found


def _behaviour(parent_mapper: t.Any, child_mapper: t.Any, constraint: sa.ForeignKeyConstraint) -> str:
    ondelete = (constraint.ondelete or "").upper()
    columns = set(constraint.columns)
    for rel in parent_mapper.relationships:
        if not isinstance(rel, RelationshipProperty) or rel.mapper is not child_mapper:
            continue
        if rel.direction is not sa.orm.ONETOMANY or not columns & set(rel.remote_side):
            continue
        if rel.cascade.delete:
            return "delete"
        if ondelete == "CASCADE":
            return "delete"
        if not rel.passive_deletes and all(c.nullable for c in columns):
            return "keep"  # the ORM sets the children's key to NULL
    if ondelete == "CASCADE":
        return "delete"
    if ondelete in ("SET NULL", "SET DEFAULT"):
        return "keep"
    return "protect"


# -- the built-in action -----------------------------------------------------------------------------


@action(permissions=["delete"], description=gettext_lazy("Delete selected %(verbose_name_plural)s"), confirm=False)
def delete_selected(modeladmin: ModelAdmin, request: Request, queryset: t.Any) -> t.Any:
    """Django's "Delete selected ..." action: a confirmation page first, then one deletion per object."""
    return modeladmin.delete_selected_view(request, queryset)

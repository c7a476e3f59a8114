"""Inlines: a parent's children edited on its page (Django's ``InlineModelAdmin`` and model formsets).

::

    class ChoiceInline(admin.TabularInline):
        model = Choice
        extra = 3

    class QuestionAdmin(admin.ModelAdmin):
        inlines = [ChoiceInline]

Each inline is a formset of the kit's ``ModelForm``: one form per existing
child (found by the foreign key to the parent), then ``extra`` blank forms
(never more than ``max_num`` in all). Django's field names and management
form are kept (``choice_set-0-choice_text``, ``choice_set-TOTAL_FORMS``), so
the "Add another" link of ``admin.js`` works as Django's does; without
script the blank forms still do. A blank form left untouched is ignored; a
child whose DELETE box is ticked is deleted. Flask-Admin's inline fields are
not used: they have no ``extra``, ``min_num`` or ``max_num``, and add rows
only with JavaScript.
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from sqlalchemy.orm import RelationshipProperty

from flaskkit.plugins.forms import ModelForm
from flaskkit.plugins.forms.converters import editable_names
from flaskkit.translation import gettext
from flaskkit.translation import ngettext

from .display import model_options
from .forms import flatten_fieldsets
from .forms import make_model_form

if t.TYPE_CHECKING:
    from flask import Request

    from .options import ModelAdmin

__all__ = ["InlineFormSet", "InlineModelAdmin", "StackedInline", "TabularInline", "find_parent_fk"]


class FKError(LookupError):
    """An inline's model has no (or no single) foreign key to the parent model (admin.E202)."""


def find_parent_fk(parent: type, model: type, fk_name: str | None = None) -> RelationshipProperty[t.Any]:
    """The many-to-one relationship of ``model`` that points at ``parent`` (``fk_name`` chooses among several)."""
    mapper = sa.inspect(model)
    candidates = [
        rel
        for rel in mapper.relationships
        if rel.direction is sa.orm.MANYTOONE and not rel.viewonly and issubclass(parent, rel.mapper.class_)
    ]
    if fk_name is not None:
        for rel in candidates:
            if rel.key == fk_name or any(c.key == fk_name for c in rel.local_columns):
                return rel
        raise FKError(
            f"fk_name {fk_name!r} is not a ForeignKey to '{model_options(parent).app_label}."
            f"{parent.__name__}' on {model.__name__}."
        )
    if not candidates:
        raise FKError(
            f"'{model_options(model).app_label}.{model.__name__}' has no ForeignKey to "
            f"'{model_options(parent).app_label}.{parent.__name__}' (a many-to-one relationship to it)."
        )
    if len(candidates) > 1:
        raise FKError(
            f"'{model_options(model).app_label}.{model.__name__}' has more than one ForeignKey to "
            f"'{model_options(parent).app_label}.{parent.__name__}'. You must specify a 'fk_name' attribute."
        )
    return candidates[0]


class InlineModelAdmin:
    """Options of one inline (Django's names): ``model``, ``fk_name``, ``extra``, ``min_num``,
    ``max_num``, ``can_delete``, ``fields``/``exclude``/``fieldsets``, ``readonly_fields``,
    ``raw_id_fields``, ``autocomplete_fields``, ``ordering``, ``verbose_name(_plural)``,
    ``show_change_link``; and the ``has_*_permission`` hooks (by default the user's permissions
    on the inline's model)."""

    model: type
    fk_name: str | None = None
    form: type[ModelForm] = ModelForm
    extra: int = 3
    min_num: int | None = None
    max_num: int | None = None
    can_delete: bool = True
    fields: t.Sequence[t.Any] | None = None
    exclude: t.Sequence[str] | None = None
    fieldsets: t.Sequence[tuple[t.Any, t.Mapping[str, t.Any]]] | None = None
    readonly_fields: t.Sequence[t.Any] = ()
    raw_id_fields: t.Sequence[str] = ()
    autocomplete_fields: t.Sequence[str] = ()
    ordering: t.Sequence[str] | None = None
    verbose_name: str | None = None
    verbose_name_plural: str | None = None
    show_change_link: bool = False
    classes: t.Sequence[str] = ()
    template: str = ""

    def __init__(self, parent_model: type, admin: ModelAdmin) -> None:
        self.parent_model = parent_model
        self.admin_site_view = admin
        self.opts = model_options(self.model)
        if self.verbose_name is None:
            self.verbose_name = self.opts.verbose_name
        if self.verbose_name_plural is None:
            self.verbose_name_plural = (
                self.opts.verbose_name_plural if type(self).verbose_name is None else f"{self.verbose_name}s"
            )
        self.fk = find_parent_fk(parent_model, self.model, self.fk_name)

    # -- permissions (the inline model's own, as Django) ------------------------------------------------

    def _perm(self, action: str) -> bool:
        from flaskkit.plugins.auth import current_user

        return bool(current_user.has_perm(f"{self.opts.app_label}.{action}_{self.opts.model_name}"))

    def has_view_permission(self, request: Request, obj: t.Any = None) -> bool:
        return self._perm("view") or self._perm("change")

    def has_add_permission(self, request: Request, obj: t.Any = None) -> bool:
        return self._perm("add")

    def has_change_permission(self, request: Request, obj: t.Any = None) -> bool:
        return self._perm("change")

    def has_delete_permission(self, request: Request, obj: t.Any = None) -> bool:
        return self._perm("delete")

    # -- fields ---------------------------------------------------------------------------------------------

    def get_readonly_fields(self, request: Request, obj: t.Any = None) -> list[t.Any]:
        return list(self.readonly_fields)

    def get_fields(self, request: Request, obj: t.Any = None) -> list[t.Any]:
        if self.fieldsets:
            return flatten_fieldsets(self.fieldsets)
        if self.fields is not None:
            return list(self.fields)
        names = [name for name in editable_names(self.model) if name != self.fk.key]
        names += [name for name in self.get_readonly_fields(request, obj) if isinstance(name, str)]
        exclude = set(self.exclude or ())
        return [name for name in dict.fromkeys(names) if name not in exclude]

    def get_fieldsets(self, request: Request, obj: t.Any = None) -> list[tuple[t.Any, dict[str, t.Any]]]:
        if self.fieldsets:
            return [(name, dict(options)) for name, options in self.fieldsets]
        return [(None, {"fields": self.get_fields(request, obj)})]

    def get_extra(self, request: Request, obj: t.Any = None) -> int:
        return int(self.extra)

    def get_min_num(self, request: Request, obj: t.Any = None) -> int | None:
        return self.min_num

    def get_max_num(self, request: Request, obj: t.Any = None) -> int | None:
        return self.max_num

    def get_formset_form(self, request: Request, obj: t.Any = None) -> type[ModelForm]:
        readonly = set(self.get_readonly_fields(request, obj))
        names = [name for name in flatten_fieldsets(self.get_fieldsets(request, obj)) if name not in readonly]
        names = [name for name in names if name != self.fk.key]
        return make_model_form(
            self.form,
            self.model,
            names,
            raw_id_fields=self.raw_id_fields,
            autocomplete_fields=self.autocomplete_fields,
            name=f"{self.model.__name__}InlineForm",
        )

    def get_queryset(self, request: Request, parent: t.Any) -> list[t.Any]:
        """The children of ``parent`` shown in the formset, in ``ordering`` (else by primary key)."""
        from flaskkit.plugins.orm import db

        if parent is None or not sa.inspect(parent).has_identity:
            return []
        mapper = sa.inspect(self.model)
        statement = sa.select(self.model).where(getattr(self.model, self.fk.key) == parent)
        order = []
        for entry in self.ordering or ():
            column = getattr(self.model, entry.lstrip("-"))
            order.append(column.desc() if entry.startswith("-") else column.asc())
        order.extend(getattr(self.model, mapper.get_property_by_column(c).key) for c in mapper.primary_key)
        return list(db.session.scalars(statement.order_by(*order)))


class TabularInline(InlineModelAdmin):
    """Each child on a row of a table."""

    template = "admin/edit_inline/tabular.html"


class StackedInline(InlineModelAdmin):
    """Each child as a small form of its own, one under the other."""

    template = "admin/edit_inline/stacked.html"


class InlineFormSet:
    """The forms of one inline for one parent, bound to the POSTed data or not."""

    def __init__(
        self,
        inline: InlineModelAdmin,
        request: Request,
        parent: t.Any,
        *,
        formdata: t.Any = None,
        readonly: bool = False,
        save_as_new: bool = False,
    ) -> None:
        self.inline = inline
        #: "Save as new": the POSTed rows are copies, their "-id" inputs are ignored (Django's ``save_as_new``).
        self.save_as_new = save_as_new
        self.parent = parent
        self.prefix = formset_prefix(inline)
        self.formdata = formdata
        self.readonly = readonly
        self.can_add = not readonly and inline.has_add_permission(request, parent)
        self.can_change = not readonly and inline.has_change_permission(request, parent)
        self.can_delete = not readonly and inline.can_delete and inline.has_delete_permission(request, parent)
        self.form_class = inline.get_formset_form(request, parent)
        self.readonly_fields = inline.get_readonly_fields(request, parent)
        self.fieldsets = inline.get_fieldsets(request, parent)
        existing = inline.get_queryset(request, parent)
        self.initial_count = len(existing)
        max_num = inline.get_max_num(request, parent)
        self.max_num = max_num
        self.min_num = inline.get_min_num(request, parent) or 0
        extra = inline.get_extra(request, parent) if self.can_add else 0
        total = self.initial_count + extra
        if self.min_num and self.can_add:
            total = max(total, self.min_num)
        if max_num is not None:
            total = max(min(total, max_num), self.initial_count)
        self.errors: list[str] = []
        instances: list[t.Any] = [*existing, *([None] * (total - self.initial_count))]
        if formdata is not None:
            # The POSTed forms name their child by its primary key (the hidden "-id" input), as Django's
            # do: a child of another parent, or one deleted meanwhile, is refused, never edited in its place.
            by_pk = {self.pk_of(obj): obj for obj in existing}
            instances = []
            for index in range(self._posted_total(formdata, total)):
                key = str(formdata.get(f"{self.prefix}-{index}-id", "") or "").strip()
                if not key or save_as_new:
                    instances.append(None)
                    continue
                found = by_pk.pop(key, None)
                if found is None:
                    self.errors.append(
                        gettext(
                            "A %(name)s of this form no longer exists or is not one of this object's; "
                            "reload the page and try again."
                        )
                        % {"name": inline.verbose_name}
                    )
                instances.append(found)
        self.forms: list[InlineForm] = [self._form(index, instance) for index, instance in enumerate(instances)]
        self.empty_form = self._form(None, None, bound=False) if self.can_add else None

    @property
    def field_names(self) -> list[str]:
        """The fields of the inline's forms, in order (read-only ones included)."""
        names = flatten_fieldsets(self.fieldsets)
        return [name if isinstance(name, str) else getattr(name, "__name__", repr(name)) for name in names]

    def pk_of(self, obj: t.Any) -> str:
        mapper = sa.inspect(self.inline.model)
        return ":".join(str(getattr(obj, mapper.get_property_by_column(c).key)) for c in mapper.primary_key)

    def _posted_total(self, formdata: t.Any, default: int) -> int:
        """TOTAL_FORMS of the POST, kept within what the user may add (Django's ``absolute_max`` too)."""
        try:
            posted = int(formdata.get(f"{self.prefix}-TOTAL_FORMS", default))
        except (TypeError, ValueError):
            self.errors.append(gettext("ManagementForm data is missing or has been tampered with."))
            return self.initial_count
        limit = self.initial_count + (1000 if self.can_add else 0)
        if self.max_num is not None:
            limit = max(self.initial_count, min(limit, self.max_num))
        return min(posted, limit)

    def _form(self, index: int | None, instance: t.Any, bound: bool = True) -> InlineForm:
        prefix = f"{self.prefix}-{'__prefix__' if index is None else index}-"
        data = self.formdata if bound and self.formdata is not None else None
        form = self.form_class(data, instance=instance, prefix=prefix, meta={"csrf": False})
        return InlineForm(self, form, instance, index, data)

    # -- validation and saving --------------------------------------------------------------------------------

    def is_valid(self) -> bool:
        if self.formdata is None:
            return False
        valid = not self.errors
        kept = 0
        for form in self.forms:
            if form.deleted:
                continue
            if form.instance is None and not form.has_changed():
                continue
            if form.instance is None and not self.can_add:
                form.form.form_errors.append(
                    gettext("You may not add a %(name)s.") % {"name": self.inline.verbose_name}
                )
                valid = False
                continue
            if form.instance is not None and not self.can_change and form.has_changed():
                form.form.form_errors.append(gettext("You do not have permission to change this object."))
                valid = False
                continue
            kept += 1
            if not form.form.validate():
                valid = False
        if self.max_num is not None and kept > self.max_num:
            self.errors.append(
                ngettext("Please submit at most %d form.", "Please submit at most %d forms.", self.max_num)
                % self.max_num
            )
            valid = False
        if self.min_num and kept < self.min_num:
            self.errors.append(
                ngettext("Please submit at least %d form.", "Please submit at least %d forms.", self.min_num)
                % self.min_num
            )
            valid = False
        return valid

    def save(self, session: t.Any) -> tuple[list[t.Any], list[tuple[t.Any, list[str]]], list[t.Any]]:
        """Apply the formset to the session: ``(added, [(changed, fields)], deleted)``."""
        added: list[t.Any] = []
        changed: list[tuple[t.Any, list[str]]] = []
        deleted: list[t.Any] = []
        for form in self.forms:
            if form.deleted:
                if form.instance is not None:
                    session.delete(form.instance)
                    deleted.append(form.instance)
                continue
            if form.instance is None:
                if not form.has_changed():
                    continue
                obj = form.form.save(commit=False)
                setattr(obj, self.inline.fk.key, self.parent)
                session.add(obj)
                added.append(obj)
            elif form.has_changed() and self.can_change:
                before = _snapshot(form.instance, form.form)
                form.form.save(commit=False)
                fields = [form.form[name].label.text for name in before if before[name] != _value(form.instance, name)]
                if fields:
                    changed.append((form.instance, fields))
        return added, changed, deleted


def formset_prefix(inline: InlineModelAdmin) -> str:
    """The form prefix: the parent's relationship to the children (``choices``), else ``choice_set`` (Django's)."""
    reverse = next(iter(inline.fk._reverse_property), None)
    return reverse.key if reverse is not None else f"{inline.model.__name__.lower()}_set"


class InlineForm:
    """One form of a formset, with its child (None for a new one) and its DELETE box."""

    def __init__(self, formset: InlineFormSet, form: t.Any, instance: t.Any, index: int | None, data: t.Any) -> None:
        self.formset = formset
        self.form = form
        self.instance = instance
        self.index = index
        self.prefix = form._prefix
        self.deleted = bool(
            data is not None and instance is not None and formset.can_delete and data.get(f"{self.prefix}DELETE")
        )

    @property
    def pk(self) -> str | None:
        return None if self.instance is None else self.formset.pk_of(self.instance)

    def has_changed(self) -> bool:
        """Whether the POST differs from what the form showed (an untouched blank form is skipped)."""
        data = self.formset.formdata
        if data is None:
            return False
        shown = self.formset.form_class(None, instance=self.instance, prefix=self.prefix, meta={"csrf": False})
        for name, bound in shown._fields.items():
            key = f"{self.prefix}{name}"
            if bound.type == "BooleanField":
                if bool(data.get(key)) != bool(bound.data):
                    return True
                continue
            if bound.type in ("QuerySelectMultipleField", "PkMultipleSelectField", "SelectMultipleField"):
                posted = [v for v in data.getlist(key) if v != ""]
                initial = [str(c.value) for c in bound.iter_choices() if c.selected]
                if sorted(posted) != sorted(initial):
                    return True
                continue
            if key not in data:
                continue
            if str(data.get(key, "")).strip() != str(bound._value() or "").strip():
                return True
        return False


def _snapshot(instance: t.Any, form: t.Any) -> dict[str, t.Any]:
    return {name: _value(instance, name) for name in form._fields if name != "csrf_token" and hasattr(instance, name)}


def _value(instance: t.Any, name: str) -> t.Any:
    value = getattr(instance, name, None)
    if isinstance(value, list):
        return [id(v) for v in value]
    return value

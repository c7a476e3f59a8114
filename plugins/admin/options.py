"""``ModelAdmin``: Django's options and hooks, on Flask-Admin 2's ``ModelView``.

A ``ModelAdmin`` subclass is configured with Django's option names and
meanings (``list_display``, ``list_filter``, ``search_fields``, ``fieldsets``,
``inlines``, ``actions``...); the admin plugin makes one instance per app and
model, which is a Flask-Admin view: its pages are Flask-Admin routes on a
blueprint (``@expose`` adds one), behind the staff and permission checks of
``access.py``. Flask-Admin's own list and form options (``column_list``,
``form_columns``...) are not read by these pages: ``flask kit check`` says so
(admin.W150) when one is set.
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from flask import url_for
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla import tools as sqla_tools

from flaskkit.plugins.forms import ModelForm
from flaskkit.plugins.forms.converters import editable_names
from flaskkit.plugins.orm import db

from .display import DisplayItem
from .display import app_verbose_name
from .display import capfirst
from .display import display_for_value
from .display import is_user_model
from .display import model_options
from .display import resolve_display_item
from .forms import AdminForm
from .forms import flatten_fieldsets
from .forms import make_model_form
from .lookups import PathError
from .saving import SavingMixin
from .search import search_condition
from .search import split_terms
from .views import ModelAdminViews

if t.TYPE_CHECKING:
    from flask import Request

    from .inlines import InlineModelAdmin
    from .state import AdminState

__all__ = ["HORIZONTAL", "VERTICAL", "ModelAdmin"]

HORIZONTAL = 1
VERTICAL = 2


class ModelAdmin(ModelAdminViews, SavingMixin, ModelView):
    """The admin of one model. Subclass it and set Django's options::

        @admin.register(Question)
        class QuestionAdmin(admin.ModelAdmin):
            fieldsets = [(None, {"fields": ["question_text"]}), ("Date information", {"fields": ["pub_date"]})]
            inlines = [ChoiceInline]
            list_display = ["question_text", "pub_date", "was_published_recently"]
            list_filter = ["pub_date"]
            search_fields = ["question_text"]

    The hooks take ``request`` first, as Django's do (it is ``flask.request``;
    the user is ``current_user``).
    """

    # -- the change list ---------------------------------------------------------------------------------
    list_display: t.Sequence[t.Any] = ("__str__",)
    #: The columns that link to the change page; () means the first one, None none.
    list_display_links: t.Sequence[str] | None = ()
    list_filter: t.Sequence[t.Any] = ()
    #: Relationships loaded with the page: False (those list_display shows), True (every many-to-one), or names.
    list_select_related: bool | t.Sequence[str] = False
    list_per_page: int = 100
    list_max_show_all: int = 200
    search_fields: t.Sequence[str] = ()
    search_help_text: str | None = None
    date_hierarchy: str | None = None
    ordering: t.Sequence[str] | None = None
    sortable_by: t.Sequence[str] | None = None
    show_full_result_count: bool = True
    empty_value_display: str | None = None
    preserve_filters: bool = True
    # -- actions -----------------------------------------------------------------------------------------
    actions: t.Sequence[t.Any] | None = ()
    actions_on_top: bool = True
    actions_on_bottom: bool = False
    actions_selection_counter: bool = True
    # -- the change form -----------------------------------------------------------------------------------
    #: The base of the form (Django's ``form``): a ``ModelForm`` subclass.
    form: t.Any = ModelForm
    fields: t.Sequence[t.Any] | None = None
    exclude: t.Sequence[str] | None = None
    fieldsets: t.Sequence[tuple[t.Any, t.Mapping[str, t.Any]]] | None = None
    readonly_fields: t.Sequence[t.Any] = ()
    raw_id_fields: t.Sequence[str] = ()
    autocomplete_fields: t.Sequence[str] = ()
    filter_horizontal: t.Sequence[str] = ()
    filter_vertical: t.Sequence[str] = ()
    prepopulated_fields: t.Mapping[str, t.Sequence[str]] = {}
    inlines: t.Sequence[type[InlineModelAdmin]] = ()
    save_on_top: bool = False
    save_as: bool = False
    save_as_continue: bool = True
    view_on_site: bool | t.Callable[[t.Any], str] = True

    # Flask-Admin's own scaffolding is not used (see forms.py); nothing to export either.
    can_export = False
    # Flask-Admin reads these through descriptors that warn when an attribute of an old name exists,
    # and "list_select_related" is one of those old names (and Django's option): plain values here.
    column_select_related_list = None
    column_auto_select_related = False
    column_display_all_relations = False

    def __init__(self, model: type, admin_state: AdminState) -> None:
        #: The app's admin (the registrations, the settings, the other model admins).
        self.admin_state = admin_state
        #: Django's ``_meta``: app_label, model_name, verbose_name(_plural).
        self.opts = model_options(model)
        self._display_items: dict[t.Any, DisplayItem] = {}
        self._form_classes: dict[tuple[t.Any, ...], type[ModelForm]] = {}
        super().__init__(
            model,
            db,
            name=capfirst(self.opts.verbose_name_plural),
            category=app_verbose_name(self.opts.app_label),
            endpoint=f"admin_{self.opts.app_label}_{self.opts.model_name}",
            url=f"{self.opts.app_label}/{self.opts.model_name}",
        )
        #: The inlines of this admin (one instance each).
        self.inline_instances: list[InlineModelAdmin] = [inline(model, self) for inline in self.inlines]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.opts.app_label}.{self.opts.object_name}>"

    @classmethod
    def for_model(cls, model: type) -> type[ModelAdmin]:
        """The class the admin makes for ``model`` (this one; a ``ModelAdmin`` registered for a model
        known only per app, such as the user model, may adapt its options to it)."""
        return cls

    def get_object_tools(self, request: Request, obj: t.Any = None) -> list[tuple[str, str]]:
        """More links above the change form, as ``(label, url)`` (the user admin's "Change password")."""
        return []

    # Flask-Admin scaffolds its list columns, filters and forms when a view is made; these pages
    # use Django's options instead, so that work (and its warnings) is skipped.
    def _refresh_cache(self) -> None:
        self._list_columns = []
        self._sortable_columns = {}
        self._filters = None
        self._filter_groups = None
        self._filter_args = None
        self._search_supported = False
        self._form_create_rules = None
        self._form_edit_rules = None
        self.column_labels = dict(self.column_labels or {})
        self._column_choices_map = {}

    def init_actions(self) -> None:
        self._actions = []
        self._actions_data = {}

    # -- access (Flask-Admin's hooks) ------------------------------------------------------------------

    def is_accessible(self) -> bool:
        from .access import is_staff

        return is_staff()

    def is_visible(self) -> bool:
        from flask import request

        return self.has_module_permission(request)

    # -- permissions (Django's hooks) ------------------------------------------------------------------

    def _perm(self, action: str) -> bool:
        from flaskkit.plugins.auth import current_user

        return bool(current_user.has_perm(f"{self.opts.app_label}.{action}_{self.opts.model_name}"))

    def has_view_permission(self, request: Request, obj: t.Any = None) -> bool:
        """View (or change) permission: ``<app>.view_<model>`` or ``<app>.change_<model>``."""
        return self._perm("view") or self._perm("change")

    def has_add_permission(self, request: Request) -> bool:
        return self._perm("add")

    def has_change_permission(self, request: Request, obj: t.Any = None) -> bool:
        return self._perm("change")

    def has_delete_permission(self, request: Request, obj: t.Any = None) -> bool:
        return self._perm("delete")

    def has_view_or_change_permission(self, request: Request, obj: t.Any = None) -> bool:
        return self.has_view_permission(request, obj) or self.has_change_permission(request, obj)

    def has_module_permission(self, request: Request) -> bool:
        from flaskkit.plugins.auth import current_user

        return bool(current_user.has_module_perms(self.opts.app_label))

    def get_model_perms(self, request: Request) -> dict[str, bool]:
        return {
            "add": self.has_add_permission(request),
            "change": self.has_change_permission(request),
            "delete": self.has_delete_permission(request),
            "view": self.has_view_permission(request),
        }

    # -- the query ---------------------------------------------------------------------------------------

    def get_queryset(self, request: Request) -> t.Any:
        """The rows this admin shows and edits (a SQLAlchemy ``Query``; filter it with ``.where()``)."""
        return self.get_query()

    def get_object(self, request: Request, object_id: str) -> t.Any:
        """The row ``object_id`` names among :meth:`get_queryset`'s, or None."""
        mapper = sa.inspect(self.model)
        try:
            key = sqla_tools.iterdecode(object_id) if len(mapper.primary_key) > 1 else (object_id,)
            values = [_convert(column, part) for column, part in zip(mapper.primary_key, key, strict=True)]
        except (ValueError, TypeError):
            return None
        query = self.get_queryset(request)
        for column, value in zip(mapper.primary_key, values, strict=True):
            query = query.filter(getattr(self.model, mapper.get_property_by_column(column).key) == value)
        try:
            return query.one_or_none()
        except (OverflowError, sa.exc.DataError):
            # An id the database cannot even compare (beyond its integer range): no such row. PostgreSQL
            # aborted the transaction; nothing was written before the lookup, so roll it back.
            db.session.rollback()
            return None

    def pk_string(self, obj: t.Any) -> str:
        mapper = sa.inspect(self.model)
        values = [getattr(obj, mapper.get_property_by_column(c).key) for c in mapper.primary_key]
        return str(values[0]) if len(values) == 1 else sqla_tools.iterencode(values)

    def get_ordering(self, request: Request) -> list[str]:
        """The default order of the change list: ``ordering``, else the model's ``Meta.ordering``."""
        if self.ordering is not None:
            return list(self.ordering)
        return list(getattr(getattr(self.model, "Meta", None), "ordering", None) or ())

    def related_ordering(self, model: type, alias: t.Any = None) -> list[t.Any]:
        """How rows of ``model`` are ordered in this admin's filters and selects: their admin's ordering."""
        target = alias if alias is not None else model
        other = self.admin_state.model_admin_for(model)
        names = list(other.ordering or ()) if other is not None else []
        if not names:
            names = list(getattr(getattr(model, "Meta", None), "ordering", None) or ())
        order: list[t.Any] = []
        mapper = sa.inspect(model)
        for name in names:
            prop = mapper.attrs.get(name.lstrip("-"))
            if prop is None or not hasattr(prop, "columns"):
                continue
            column = getattr(target, prop.key)
            order.append(column.desc() if name.startswith("-") else column.asc())
        order.extend(getattr(target, mapper.get_property_by_column(c).key) for c in mapper.primary_key)
        return order

    def get_search_results(self, request: Request, queryset: t.Any, search_term: str) -> tuple[t.Any, bool]:
        """Django's search: every word must match one of ``search_fields`` (``^`` starts with, ``=``
        exact, ``@`` full text, else contains); returns ``(queryset, may_have_duplicates)``."""
        fields = self.get_search_fields(request)
        if not fields or not search_term:
            return queryset, False
        dialect = db.session.get_bind(mapper=sa.inspect(self.model)).dialect.name
        for term in split_terms(search_term):
            conditions = []
            for name in fields:
                try:
                    conditions.append(search_condition(self.model, name, term, dialect))
                except PathError:
                    continue  # reported at boot (admin.E151)
            if conditions:
                queryset = queryset.filter(sa.or_(*conditions))
        return queryset, False

    # -- the change list options (Django's getters) ---------------------------------------------------

    def get_list_display(self, request: Request) -> list[t.Any]:
        return list(self.list_display)

    def get_list_display_links(self, request: Request, list_display: t.Sequence[str]) -> list[str] | None:
        if self.list_display_links is None:
            return None
        if self.list_display_links:
            return list(self.list_display_links)
        return list(list_display[:1])

    def get_list_filter(self, request: Request) -> list[t.Any]:
        return list(self.list_filter)

    def get_list_select_related(self, request: Request) -> bool | t.Sequence[str]:
        return self.list_select_related

    def get_search_fields(self, request: Request) -> list[str]:
        return list(self.search_fields)

    def get_sortable_by(self, request: Request) -> t.Sequence[str] | None:
        """The columns that sort when their heading is clicked (None: every column that can)."""
        return self.sortable_by

    def get_empty_value_display(self) -> str:
        if self.empty_value_display is not None:
            return self.empty_value_display
        return self.admin_state.settings.empty_value_display

    def display_items(self, names: t.Sequence[t.Any]) -> list[DisplayItem]:
        """The resolved entries of ``list_display`` (cached per entry)."""
        items = []
        for name in names:
            key = name if isinstance(name, str) else id(name)
            item = self._display_items.get(key)
            if item is None:
                item = self._display_items[key] = resolve_display_item(self, self.model, name)
            items.append(item)
        return items

    # -- actions -----------------------------------------------------------------------------------------

    def _action_description(self, func: t.Any, name: str) -> str:
        description = getattr(func, "short_description", None) or capfirst(name.replace("_", " "))
        return str(description) % {
            "verbose_name": self.opts.verbose_name,
            "verbose_name_plural": self.opts.verbose_name_plural,
        }

    def get_actions(self, request: Request) -> dict[str, tuple[t.Callable[..., t.Any], str, str]]:
        """Name -> ``(function, name, description)`` of the actions this user may run here."""
        if self.actions is None:
            return {}
        found: dict[str, tuple[t.Callable[..., t.Any], str, str]] = {}
        for entry in [*self.admin_state.site_actions(), *self.actions]:
            resolved = self.get_action(entry)
            if resolved is None:
                continue
            func, name, description = resolved
            if not self._action_allowed(request, func):
                continue
            found[name] = (func, name, description)
        return found

    def get_action(self, entry: t.Any) -> tuple[t.Callable[..., t.Any], str, str] | None:
        if callable(entry):
            func = entry
            name = entry.__name__
        else:
            name = str(entry)
            method = getattr(type(self), name, None)
            if method is not None and callable(method):
                func = method
            else:
                func = self.admin_state.site_action(name)
                if func is None:
                    return None
        return func, name, self._action_description(func, name)

    def _action_allowed(self, request: Request, func: t.Any) -> bool:
        for permission in getattr(func, "allowed_permissions", ()):
            check = getattr(self, f"has_{permission}_permission", None)
            if check is None or not check(request):
                return False
        return True

    def run_action(self, func: t.Callable[..., t.Any], request: Request, queryset: t.Any) -> t.Any:
        """Call an action as Django does: ``func(modeladmin, request, queryset)``."""
        return func(self, request, queryset)

    # -- the change form ---------------------------------------------------------------------------------

    def get_readonly_fields(self, request: Request, obj: t.Any = None) -> list[t.Any]:
        fields = list(self.readonly_fields)
        if is_user_model(self.model) and "password" not in fields:
            fields.append("password")  # a user's password hash is never a form field: shown as a summary
        return fields

    def get_exclude(self, request: Request, obj: t.Any = None) -> list[str] | None:
        return list(self.exclude) if self.exclude is not None else None

    def get_fields(self, request: Request, obj: t.Any = None) -> list[t.Any]:
        if self.fields is not None:
            return list(self.fields)
        declared = _declared_form_fields(self.form)
        names = [*editable_names(self.model), *declared]
        names += [name for name in self.get_readonly_fields(request, obj) if isinstance(name, str)]
        exclude = set(self.get_exclude(request, obj) or ())
        return [name for name in dict.fromkeys(names) if name not in exclude and name != "csrf_token"]

    def get_fieldsets(self, request: Request, obj: t.Any = None) -> list[tuple[t.Any, dict[str, t.Any]]]:
        if self.fieldsets:
            return [(name, dict(options)) for name, options in self.fieldsets]
        return [(None, {"fields": self.get_fields(request, obj)})]

    def get_prepopulated_fields(self, request: Request, obj: t.Any = None) -> dict[str, t.Sequence[str]]:
        return dict(self.prepopulated_fields)

    def get_inlines(self, request: Request, obj: t.Any) -> list[type[InlineModelAdmin]]:
        return list(self.inlines)

    def get_inline_instances(self, request: Request, obj: t.Any = None) -> list[InlineModelAdmin]:
        wanted = self.get_inlines(request, obj)
        chosen = []
        for inline in self.inline_instances:
            if type(inline) not in wanted:
                continue
            if not (
                inline.has_view_permission(request, obj)
                or inline.has_add_permission(request, obj)
                or inline.has_change_permission(request, obj)
                or inline.has_delete_permission(request, obj)
            ):
                continue
            chosen.append(inline)
        return chosen

    def get_form(self, request: Request, obj: t.Any = None, change: bool = False, **kwargs: t.Any) -> type[ModelForm]:
        """The ``ModelForm`` class of the change page: the fieldsets' fields but the read-only ones."""
        readonly = {name for name in self.get_readonly_fields(request, obj) if isinstance(name, str)}
        names = [name for name in flatten_fieldsets(self.get_fieldsets(request, obj)) if name not in readonly]
        exclude = set(self.get_exclude(request, obj) or ())
        if is_user_model(self.model):
            exclude.add("password")
        names = [name for name in names if name not in exclude]
        key = (tuple(names), change)
        form_class = self._form_classes.get(key)
        if form_class is None:
            form_class = make_model_form(
                self.form,
                self.model,
                names,
                raw_id_fields=self.raw_id_fields,
                autocomplete_fields=self.autocomplete_fields,
                filter_fields=[*self.filter_horizontal, *self.filter_vertical],
            )
            self._form_classes[key] = form_class
        return form_class

    # -- inlines in the templates ----------------------------------------------------------------------------

    def inline_value(self, inline: InlineModelAdmin, obj: t.Any, name: str) -> t.Any:
        """A child's value for a read-only cell of a tabular inline."""
        item = resolve_display_item(inline, inline.model, name)
        try:
            value = item.getter(obj)
        except (AttributeError, LookupError, TypeError):
            value = None
        return display_for_value(value, self.get_empty_value_display(), boolean=item.boolean, in_list=False)

    def inline_fieldsets(self, formset: t.Any, inline_form: t.Any) -> list[t.Any]:
        """The fieldsets of one form of a stacked inline (all read-only where the user may not change)."""
        editable = not formset.readonly and (inline_form.instance is None or formset.can_change)
        names = formset.field_names
        readonly = [*formset.readonly_fields, *([] if editable else names)]
        items = {}
        for name in readonly:
            key = name if isinstance(name, str) else getattr(name, "__name__", repr(name))
            items[key] = resolve_display_item(formset.inline, formset.inline.model, name)
        layout = AdminForm(
            inline_form.form if editable else None,
            formset.fieldsets,
            items,
            inline_form.instance,
            self.get_empty_value_display(),
        )
        return layout.fieldsets

    # -- URLs ---------------------------------------------------------------------------------------------

    def admin_url(self, view: str, **values: t.Any) -> str:
        return url_for(f"{self.endpoint}.{view}", **values)

    def get_changelist_url(self) -> str:
        return url_for(f"{self.endpoint}.changelist_view")

    def get_change_url(self, obj: t.Any, preserved: str | None = None) -> str:
        values: dict[str, t.Any] = {"object_id": self.pk_string(obj)}
        if preserved and preserved != "?" and self.preserve_filters:
            values["_changelist_filters"] = preserved.lstrip("?")
        return url_for(f"{self.endpoint}.change_view", **values)

    def get_view_on_site_url(self, obj: t.Any) -> str | None:
        if callable(self.view_on_site):
            return str(self.view_on_site(obj))
        if self.view_on_site and hasattr(obj, "get_absolute_url"):
            try:
                return str(obj.get_absolute_url())
            except Exception:  # a URL that cannot be built is no link (Django gives none either)
                return None
        return None

    # Keep Flask-Admin's scaffolding of the default list from guessing columns.
    def scaffold_list_columns(self) -> list[t.Any]:
        return []

    def get_column_names(self, only_columns: t.Any, excluded_columns: t.Any) -> list[t.Any]:
        return []


def _declared_form_fields(form_class: type) -> list[str]:
    """The fields declared on a custom ``form`` (not generated from the model), in declaration order."""
    found: dict[str, t.Any] = {}
    for klass in reversed(form_class.__mro__):
        generated = klass.__dict__.get("_generated", ())
        for name, value in klass.__dict__.items():
            if not name.startswith("_") and hasattr(value, "_formfield") and name not in generated:
                found[name] = value
    ordered = sorted(found.items(), key=lambda item: item[1].creation_counter)
    return [name for name, _ in ordered if name != "csrf_token"]


def _convert(column: t.Any, text: str) -> t.Any:
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return text
    if python_type is str:
        return text
    value = python_type(text)
    if python_type is int and not -(2**63) <= value < 2**63:
        raise ValueError(f"{text!r} is beyond a 64-bit integer")
    return value

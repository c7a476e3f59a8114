"""The admin's checks: Django's ``ModelAdminChecks`` ids and messages, plus a few of the kit's.

They run at boot (an error stops the app, listing every one) and with
``flask kit check``. Django's ids keep their meaning (``admin.E108`` is a
``list_display`` entry that names nothing); the kit's own start at 150:

* ``admin.E151``: a ``search_fields`` entry names no column;
* ``admin.E152``: ``fields``/``fieldsets`` name something that is neither an
  editable field, a field of the form, nor in ``readonly_fields``;
* ``admin.E154``: ``date_hierarchy`` across a relationship;
* ``admin.W150``: a Flask-Admin option (``column_list``...) that these pages do not read;
* ``admin.W151``: ``list_editable``, which the kit's change list does not offer;
* ``admin.W152``: a user model without ``is_staff`` (nobody can enter the admin).
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from sqlalchemy.orm import RelationshipProperty

from flaskkit.checks import CheckMessage

from .display import DisplayItemError
from .display import resolve_display_item
from .fieldchecks import _Checker
from .fieldchecks import _InlineChecker
from .fieldchecks import _is_sequence
from .filters import FieldListFilter
from .filters import ListFilter
from .inlines import InlineModelAdmin
from .lookups import PathError
from .lookups import base_type
from .lookups import resolve_path

if t.TYPE_CHECKING:
    from .state import AdminState

__all__ = ["check_model_admin"]

#: Flask-Admin list and form options that the kit's pages do not read, and Django's option instead.
FLASK_ADMIN_OPTIONS = {
    "column_list": "list_display",
    "column_exclude_list": "list_display",
    "column_filters": "list_filter",
    "column_searchable_list": "search_fields",
    "column_default_sort": "ordering",
    "column_sortable_list": "list_display with @admin.display(ordering=...)",
    "column_formatters": "a method in list_display with @admin.display",
    "column_editable_list": "(nothing yet: edit on the change page)",
    "form_columns": "fields or fieldsets",
    "form_excluded_columns": "exclude",
    "form_rules": "fieldsets",
    "form_create_rules": "get_fieldsets()",
    "form_edit_rules": "get_fieldsets()",
    "form_overrides": "form = YourModelForm",
    "form_args": "form = YourModelForm",
    "form_extra_fields": "form = YourModelForm",
    "inline_models": "inlines",
    "page_size": "list_per_page",
    "can_create": "has_add_permission()",
    "can_edit": "has_change_permission()",
    "can_delete": "has_delete_permission()",
}


class _ModelAdminChecker(_Checker):
    def list_display(self) -> None:
        value = getattr(self.admin_class, "list_display", ())
        if not _is_sequence(value):
            self.error("The value of 'list_display' must be a list or tuple.", "admin.E107")
            return
        names = []
        for index, item in enumerate(value):
            try:
                resolved = resolve_display_item(self.admin_class, self.model, item)
            except DisplayItemError as exc:
                self.error(
                    f"The value of 'list_display[{index}]' refers to '{item}', which is not a callable or attribute "
                    f"of '{self.admin_class.__name__}', or an attribute, method, or field on '{self.label}'.",
                    "admin.E108",
                    hint=str(exc).split(". ", 1)[-1],
                )
                continue
            names.append(resolved.name)
            order = resolved.order_field
            if order and resolved.kind not in ("field", "relation"):
                try:
                    resolve_path(self.model, order.lstrip("-"))
                except PathError as exc:
                    self.error(
                        f"The ordering of 'list_display[{index}]' ({item!r}) refers to '{order}', which is not a "
                        f"field of '{self.label}'.",
                        "admin.E108",
                        hint=str(exc),
                    )
        links = getattr(self.admin_class, "list_display_links", ())
        if links is None:
            return
        if not _is_sequence(links):
            self.error("The value of 'list_display_links' must be a list, a tuple, or None.", "admin.E110")
            return
        for index, name in enumerate(links):
            if name not in names:
                self.error(
                    f"The value of 'list_display_links[{index}]' refers to '{name}', which is not defined in "
                    "'list_display'.",
                    "admin.E111",
                )

    def list_filter(self) -> None:
        value = getattr(self.admin_class, "list_filter", ())
        if not _is_sequence(value):
            self.error("The value of 'list_filter' must be a list or tuple.", "admin.E112")
            return
        for index, item in enumerate(value):
            where = f"list_filter[{index}]"
            if isinstance(item, type):
                if not issubclass(item, ListFilter):
                    self.error(f"The value of '{where}' must inherit from 'ListFilter'.", "admin.E113")
                elif issubclass(item, FieldListFilter):
                    self.error(f"The value of '{where}' must not inherit from 'FieldListFilter'.", "admin.E114")
                continue
            if _is_sequence(item):
                if len(item) != 2 or not (isinstance(item[1], type) and issubclass(item[1], FieldListFilter)):
                    self.error(f"The value of '{where}[1]' must inherit from 'FieldListFilter'.", "admin.E115")
                    continue
                item = item[0]
            try:
                resolve_path(self.model, str(item))
            except PathError as exc:
                self.error(
                    f"The value of '{where}' refers to '{item}', which does not refer to a Field.",
                    "admin.E116",
                    hint=str(exc),
                )

    def numbers_and_flags(self) -> None:
        klass = self.admin_class
        related = getattr(klass, "list_select_related", False)
        if not isinstance(related, bool | list | tuple):
            self.error("The value of 'list_select_related' must be a boolean, tuple or list.", "admin.E117")
        for option, id_ in (("list_per_page", "admin.E118"), ("list_max_show_all", "admin.E119")):
            value = getattr(klass, option, 1)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                self.error(f"The value of '{option}' must be an integer.", id_)
        for option, id_ in (("save_as", "admin.E101"), ("save_on_top", "admin.E102")):
            if not isinstance(getattr(klass, option, False), bool):
                self.error(f"The value of '{option}' must be a boolean.", id_)
        if getattr(klass, "list_editable", None):
            self.warning(
                "The value of 'list_editable' is not supported by flaskkit's admin: the columns are shown read-only.",
                "admin.W151",
                hint="Edit the rows on their change pages, or remove list_editable.",
            )
        for option, instead in FLASK_ADMIN_OPTIONS.items():
            if option in _own_attributes(klass):
                self.warning(
                    f"'{option}' is a Flask-Admin option, which flaskkit's admin pages do not read.",
                    "admin.W150",
                    hint=f"Use Django's option instead: {instead}.",
                )

    def search_fields(self) -> None:
        value = getattr(self.admin_class, "search_fields", ())
        if not _is_sequence(value):
            self.error("The value of 'search_fields' must be a list or tuple.", "admin.E126")
            return
        for index, entry in enumerate(value):
            name = str(entry).lstrip("^=@")
            try:
                path = resolve_path(self.model, name)
            except PathError as exc:
                self.error(
                    f"The value of 'search_fields[{index}]' refers to '{name}', which is not a column of "
                    f"'{self.label}'.",
                    "admin.E151",
                    hint=str(exc),
                )
                continue
            if path.is_relationship:
                self.error(
                    f"The value of 'search_fields[{index}]' refers to '{name}', a relationship: search one of the "
                    f"related model's columns, as '{name}__name'.",
                    "admin.E151",
                )

    def date_hierarchy(self) -> None:
        name = getattr(self.admin_class, "date_hierarchy", None)
        if name is None:
            return
        try:
            path = resolve_path(self.model, str(name))
        except PathError as exc:
            self.error(
                f"The value of 'date_hierarchy' refers to '{name}', which does not refer to a Field.",
                "admin.E127",
                hint=str(exc),
            )
            return
        column = path.column
        if column is None or not isinstance(base_type(column.type), sa.Date | sa.DateTime):
            self.error("The value of 'date_hierarchy' must be a DateField or DateTimeField.", "admin.E128")
        elif path.steps:
            self.error(
                "The value of 'date_hierarchy' goes through a relationship, which flaskkit's admin does not support.",
                "admin.E154",
                hint=f"Name a date column of {self.model.__name__} itself.",
            )

    def actions(self) -> None:
        actions = getattr(self.admin_class, "actions", ())
        if actions is None:
            return
        if not _is_sequence(actions):
            self.error("The value of 'actions' must be a list or tuple.", "admin.E131")
            return
        seen: set[str] = set()
        site_actions = dict(self.state.site.actions) if self.state is not None else {}
        for entry in actions:
            if callable(entry):
                func, name = entry, entry.__name__
            else:
                name = str(entry)
                func = getattr(self.admin_class, name, None) or site_actions.get(name)
                if func is None:
                    self.error(
                        f"The value of 'actions' names {name!r}, which is not a method of "
                        f"'{self.admin_class.__name__}' nor an action of the site.",
                        "admin.E132",
                    )
                    continue
            for permission in getattr(func, "allowed_permissions", ()):
                if not hasattr(self.admin_class, f"has_{permission}_permission"):
                    self.error(
                        f"{self.admin_class.__name__} must define a has_{permission}_permission() method for the "
                        f"{name} action.",
                        "admin.E129",
                    )
            if name in seen or (name in site_actions and callable(entry) and entry is not site_actions[name]):
                self.error(
                    f"__name__ attributes of actions defined in {self.admin_class.__name__} must be unique. "
                    f"Name {name!r} is not unique.",
                    "admin.E130",
                )
            seen.add(name)

    def inlines(self) -> None:
        value = getattr(self.admin_class, "inlines", ())
        if not _is_sequence(value):
            self.error("The value of 'inlines' must be a list or tuple.", "admin.E103")
            return
        for inline in value:
            name = getattr(inline, "__qualname__", repr(inline))
            if not (isinstance(inline, type) and issubclass(inline, InlineModelAdmin)):
                self.error(f"'{name}' must inherit from 'InlineModelAdmin'.", "admin.E104")
                continue
            model = getattr(inline, "model", None)
            if model is None:
                self.error(f"'{name}' must have a 'model' attribute.", "admin.E105")
                continue
            try:
                sa.inspect(model)
            except sa.exc.NoInspectionAvailable:
                self.error(f"The value of '{name}.model' must be a Model.", "admin.E106")
                continue
            self.messages.extend(_InlineChecker(inline, model, self.state, self.model).run())


def _own_attributes(klass: type) -> set[str]:
    """Attributes set by the user's classes (not by ModelAdmin and Flask-Admin)."""
    from .options import ModelAdmin

    names: set[str] = set()
    for base in klass.__mro__:
        if base is ModelAdmin or base.__module__.startswith("flask_admin."):
            break
        names.update(vars(base))
    return names


def check_model_admin(admin_class: type, model: type, state: AdminState | None = None) -> list[CheckMessage]:
    """Every check of one registration; the messages name the ``ModelAdmin`` class."""
    checker = _ModelAdminChecker(admin_class, model, state)
    checker.fields_and_fieldsets()
    checker.readonly_fields()
    checker.related_fields("raw_id_fields", ("admin.E001", "admin.E002", "admin.E003"))
    for option, ids in (("filter_vertical", "admin.E017"), ("filter_horizontal", "admin.E018")):
        value = getattr(admin_class, option, ())
        if not _is_sequence(value):
            checker.error(f"The value of '{option}' must be a list or tuple.", ids)
            continue
        for index, name in enumerate(value):
            prop = checker.prop(name)
            if prop is None:
                checker.error(
                    f"The value of '{option}[{index}]' refers to '{name}', which is not a field of '{checker.label}'.",
                    "admin.E019",
                )
            elif not (isinstance(prop, RelationshipProperty) and prop.direction is sa.orm.MANYTOMANY):
                checker.error(f"The value of '{option}[{index}]' must be a many-to-many field.", "admin.E020")
    prepopulated = getattr(admin_class, "prepopulated_fields", {})
    if not isinstance(prepopulated, dict):
        checker.error("The value of 'prepopulated_fields' must be a dictionary.", "admin.E026")
    else:
        for name, sources in prepopulated.items():
            if checker.prop(name) is None:
                checker.error(
                    f"The value of 'prepopulated_fields' refers to '{name}', which is not a field of "
                    f"'{checker.label}'.",
                    "admin.E027",
                )
            if not _is_sequence(sources):
                checker.error(f"The value of 'prepopulated_fields[\"{name}\"]' must be a list or tuple.", "admin.E029")
                continue
            for index, source in enumerate(sources):
                if checker.prop(source) is None:
                    checker.error(
                        f"The value of 'prepopulated_fields[\"{name}\"][{index}]' refers to '{source}', which is "
                        f"not a field of '{checker.label}'.",
                        "admin.E030",
                    )
    checker.ordering_of("ordering", getattr(admin_class, "ordering", None), ("admin.E031", "admin.E033"))
    checker.autocomplete_fields()
    checker.numbers_and_flags()
    checker.inlines()
    checker.list_display()
    checker.list_filter()
    checker.search_fields()
    checker.date_hierarchy()
    checker.actions()
    return checker.messages

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
from sqlalchemy.orm import ColumnProperty
from sqlalchemy.orm import RelationshipProperty

from flaskkit.checks import CheckMessage
from flaskkit.checks import Error
from flaskkit.checks import Warning
from flaskkit.plugins.forms import ModelForm
from flaskkit.plugins.forms.converters import editable_names

from .display import DisplayItemError
from .display import model_options
from .display import resolve_display_item
from .filters import FieldListFilter
from .filters import ListFilter
from .inlines import FKError
from .inlines import InlineModelAdmin
from .inlines import find_parent_fk
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


def _is_sequence(value: object) -> bool:
    return isinstance(value, list | tuple)


class _Checker:
    def __init__(self, admin_class: type, model: type, state: AdminState | None) -> None:
        self.admin_class = admin_class
        self.model = model
        self.state = state
        self.opts = model_options(model)
        self.label = f"{self.opts.app_label}.{model.__name__}"
        self.messages: list[CheckMessage] = []
        self.mapper = sa.inspect(model)

    def error(self, msg: str, id: str, hint: str | None = None) -> None:
        self.messages.append(Error(msg, hint=hint, obj=self.admin_class, id=id))

    def warning(self, msg: str, id: str, hint: str | None = None) -> None:
        self.messages.append(Warning(msg, hint=hint, obj=self.admin_class, id=id))

    def prop(self, name: str) -> t.Any:
        return self.mapper.attrs.get(name) if isinstance(name, str) else None

    # -- shared by ModelAdmin and inlines -----------------------------------------------------------------

    def related_fields(self, option: str, ids: tuple[str, str, str]) -> None:
        value = getattr(self.admin_class, option, ())
        if not _is_sequence(value):
            self.error(f"The value of '{option}' must be a list or tuple.", ids[0])
            return
        for index, name in enumerate(value):
            prop = self.prop(name)
            if prop is None:
                self.error(
                    f"The value of '{option}[{index}]' refers to '{name}', which is not a field of '{self.label}'.",
                    ids[1],
                )
            elif not isinstance(prop, RelationshipProperty) or prop.direction is sa.orm.ONETOMANY:
                self.error(f"The value of '{option}[{index}]' must be a foreign key or a many-to-many field.", ids[2])

    def fields_and_fieldsets(self) -> None:
        klass = self.admin_class
        fields, fieldsets = getattr(klass, "fields", None), getattr(klass, "fieldsets", None)
        if fields is not None and not _is_sequence(fields):
            self.error("The value of 'fields' must be a list or tuple.", "admin.E004")
            fields = None
        if fields is not None and fieldsets:
            self.error("Both 'fieldsets' and 'fields' are specified.", "admin.E005")
        names: list[str] = []
        if fields is not None:
            names = _flat(fields)
            if len(names) != len(set(names)):
                self.error("The value of 'fields' contains duplicate field(s).", "admin.E006")
        if fieldsets is not None:
            if not _is_sequence(fieldsets):
                self.error("The value of 'fieldsets' must be a list or tuple.", "admin.E007")
                fieldsets = ()
            for index, fieldset in enumerate(fieldsets):
                where = f"fieldsets[{index}]"
                if not _is_sequence(fieldset):
                    self.error(f"The value of '{where}' must be a list or tuple.", "admin.E008")
                elif len(fieldset) != 2:
                    self.error(f"The value of '{where}' must be of length 2.", "admin.E009")
                elif not isinstance(fieldset[1], dict):
                    self.error(f"The value of '{where}[1]' must be a dictionary.", "admin.E010")
                elif "fields" not in fieldset[1]:
                    self.error(f"The value of '{where}[1]' must contain the key 'fields'.", "admin.E011")
                else:
                    found = _flat(fieldset[1]["fields"])
                    if len(found) != len(set(found)):
                        self.error(f"There are duplicate field(s) in '{where}[1]'.", "admin.E012")
                    names.extend(found)
        exclude = getattr(klass, "exclude", None)
        if exclude is not None:
            if not _is_sequence(exclude):
                self.error("The value of 'exclude' must be a list or tuple.", "admin.E014")
            elif len(exclude) != len(set(exclude)):
                self.error("The value of 'exclude' contains duplicate field(s).", "admin.E015")
        form = getattr(klass, "form", ModelForm)
        if not (isinstance(form, type) and issubclass(form, ModelForm)):
            self.error(
                "The value of 'form' must inherit from 'ModelForm'.",
                "admin.E016",
                hint="from flaskkit.plugins.forms import ModelForm",
            )
            form = ModelForm
        self.known_fields(names, form)

    def known_fields(self, names: t.Sequence[str], form: type) -> None:
        readonly = {n for n in getattr(self.admin_class, "readonly_fields", ()) if isinstance(n, str)}
        declared = {
            name for klass in form.__mro__ for name, value in vars(klass).items() if hasattr(value, "_formfield")
        }
        editable = set(editable_names(self.model))
        from flaskkit.plugins.forms.modelform import RESERVED_NAMES

        for name in names:
            if name not in readonly and name not in declared and (name in RESERVED_NAMES or hasattr(ModelForm, name)):
                self.error(
                    f"The field '{name}' of '{self.label}' cannot be edited in a form: '{name}' is a name that "
                    "WTForms forms use for themselves.",
                    "admin.E155",
                    hint=f"Add '{name}' to readonly_fields, or give the attribute another name and keep the column's: "
                    f'details: Mapped[...] = mapped_column("{name}", ...).',
                )
                continue
            if name in readonly or name in declared or name in editable:
                continue
            prop = self.prop(name)
            if _form_can_edit(prop):
                continue  # not in "__all__" (a foreign-key relationship marked not editable...) but named: fine
            what = "not a field"
            if isinstance(prop, RelationshipProperty):
                what = "a one-to-many relationship (edit it with an inline)"
            elif isinstance(prop, ColumnProperty):
                what = (
                    "a field the form cannot edit (an automatic primary key, a computed column, "
                    "or one marked not editable)"
                )
            self.error(
                f"The value of 'fields' (or 'fieldsets') refers to '{name}', which is {what} of '{self.label}'.",
                "admin.E152",
                hint=f"Editable fields of {self.model.__name__}: {', '.join(sorted(editable))}; "
                "or add it to readonly_fields to show it.",
            )

    def readonly_fields(self) -> None:
        value = getattr(self.admin_class, "readonly_fields", ())
        if not _is_sequence(value):
            self.error("The value of 'readonly_fields' must be a list or tuple.", "admin.E034")
            return
        for index, name in enumerate(value):
            try:
                resolve_display_item(self.admin_class, self.model, name)
            except DisplayItemError:
                self.error(
                    f"The value of 'readonly_fields[{index}]' refers to '{name}', which is not a callable, an "
                    f"attribute of '{self.admin_class.__name__}', or an attribute of '{self.label}'.",
                    "admin.E035",
                )

    def autocomplete_fields(self) -> None:
        value = getattr(self.admin_class, "autocomplete_fields", ())
        if not _is_sequence(value):
            self.error("The value of 'autocomplete_fields' must be a list or tuple.", "admin.E036")
            return
        self.related_fields("autocomplete_fields", ("admin.E036", "admin.E037", "admin.E038"))
        if self.state is None:
            return
        registered = dict(self.state.registrations)
        for index, name in enumerate(value):
            prop = self.prop(name)
            if not isinstance(prop, RelationshipProperty):
                continue
            related = prop.mapper.class_
            registration = registered.get(related)
            if registration is None:
                self.error(
                    f"An admin for model '{related.__name__}' has to be registered to be referenced by "
                    f"{self.admin_class.__name__}.autocomplete_fields.",
                    "admin.E039",
                )
            elif not getattr(registration.admin_class, "search_fields", ()):
                self.error(
                    f"{registration.admin_class.__name__} must define 'search_fields', because it's referenced by "
                    f"{self.admin_class.__name__}.autocomplete_fields.",
                    "admin.E040",
                )
            del index

    def ordering_of(self, option: str, value: t.Any, ids: tuple[str, str]) -> None:
        if value is None:
            return
        if not _is_sequence(value):
            self.error(f"The value of '{option}' must be a list or tuple.", ids[0])
            return
        for index, entry in enumerate(value):
            name = str(entry).lstrip("-")
            try:
                path = resolve_path(self.model, name)
            except PathError as exc:
                self.error(
                    f"The value of '{option}[{index}]' refers to '{name}', which is not a field of '{self.label}'.",
                    ids[1],
                    hint=str(exc),
                )
                continue
            if path.is_collection:
                self.error(
                    f"The value of '{option}[{index}]' refers to '{name}', a to-many relationship: "
                    "rows cannot be ordered by it.",
                    ids[1],
                )

    # -- ModelAdmin only ----------------------------------------------------------------------------------

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


class _InlineChecker(_Checker):
    def __init__(self, inline: type, model: type, state: AdminState | None, parent: type) -> None:
        super().__init__(inline, model, state)
        self.parent = parent

    def run(self) -> list[CheckMessage]:
        try:
            fk = find_parent_fk(self.parent, self.model, getattr(self.admin_class, "fk_name", None))
        except FKError as exc:
            self.error(str(exc), "admin.E202")
            return self.messages
        exclude = getattr(self.admin_class, "exclude", None) or ()
        if fk.key in exclude:
            self.error(
                f"Cannot exclude the field '{fk.key}', because it is the foreign key to the parent model "
                f"'{model_options(self.parent).app_label}.{self.parent.__name__}'.",
                "admin.E201",
            )
        for option, id_ in (("extra", "admin.E203"), ("max_num", "admin.E204"), ("min_num", "admin.E205")):
            value = getattr(self.admin_class, option, None)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                self.error(f"The value of '{option}' must be an integer.", id_)
        self.fields_and_fieldsets_inline(fk.key)
        self.readonly_fields()
        self.related_fields("raw_id_fields", ("admin.E001", "admin.E002", "admin.E003"))
        self.autocomplete_fields()
        self.ordering_of("ordering", getattr(self.admin_class, "ordering", None), ("admin.E031", "admin.E033"))
        return self.messages

    def fields_and_fieldsets_inline(self, fk_key: str) -> None:
        self.fields_and_fieldsets()
        self.messages = [m for m in self.messages if not (m.id == "admin.E152" and f"'{fk_key}'" in m.msg)]


def _form_can_edit(prop: t.Any) -> bool:
    """Whether a ``ModelForm`` edits ``prop`` when it is named in ``fields``."""
    if isinstance(prop, RelationshipProperty):
        return not prop.viewonly and (
            prop.direction is sa.orm.MANYTOMANY or (prop.direction is sa.orm.MANYTOONE and not prop.uselist)
        )
    if isinstance(prop, ColumnProperty) and len(prop.columns) == 1:
        column = prop.columns[0]
        return (
            isinstance(column, sa.Column)
            and column.computed is None
            and not column.primary_key  # an automatic key is not editable (Django's AutoField); others are in "__all__"
            and column.info.get("editable", True)
        )
    return False


def _own_attributes(klass: type) -> set[str]:
    """Attributes set by the user's classes (not by ModelAdmin and Flask-Admin)."""
    from .options import ModelAdmin

    names: set[str] = set()
    for base in klass.__mro__:
        if base is ModelAdmin or base.__module__.startswith("flask_admin."):
            break
        names.update(vars(base))
    return names


def _flat(fields: t.Any) -> list[str]:
    names: list[str] = []
    for entry in fields if _is_sequence(fields) else ():
        if _is_sequence(entry):
            names.extend(str(name) for name in entry)
        else:
            names.append(entry if isinstance(entry, str) else getattr(entry, "__name__", repr(entry)))
    return names


def check_model_admin(admin_class: type, model: type, state: AdminState | None = None) -> list[CheckMessage]:
    """Every check of one registration; the messages name the ``ModelAdmin`` class."""
    checker = _Checker(admin_class, model, state)
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

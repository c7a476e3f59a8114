"""The checks a ``ModelAdmin`` and its inlines share: fields, fieldsets, read-only, raw-id and
autocomplete fields, ordering; and the inline's own (Django's ``InlineModelAdminChecks``)."""

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
from .inlines import FKError
from .inlines import find_parent_fk
from .lookups import PathError
from .lookups import resolve_path

if t.TYPE_CHECKING:
    from .state import AdminState

__all__ = ["_Checker", "_InlineChecker", "_flat", "_is_sequence"]


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


def _flat(fields: t.Any) -> list[str]:
    names: list[str] = []
    for entry in fields if _is_sequence(fields) else ():
        if _is_sequence(entry):
            names.extend(str(name) for name in entry)
        else:
            names.append(entry if isinstance(entry, str) else getattr(entry, "__name__", repr(entry)))
    return names

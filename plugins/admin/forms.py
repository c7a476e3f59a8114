"""The admin's forms: the kit's ``ModelForm`` for the fields a ``ModelAdmin`` edits, laid out in fieldsets.

The form of a change page is a :class:`~flaskkit.plugins.forms.ModelForm`
(``ModelAdmin.form``, Django's default too): the same labels, required
rules, unique checks and saving as the app's own model forms, with the CSRF
token of the forms plugin. Flask-Admin's own form scaffolding is not used:
its rules differ from Django's (a NOT NULL boolean is required, no unique
check on a changed row) and its select fields yield the tuples that WTForms
3.3 deprecates.

``raw_id_fields`` and ``autocomplete_fields`` replace the ``<select>`` of
every related row with a field that only loads the rows it names (by primary
key): a text input of ids, or a select that the admin's script fills from the
related model's autocomplete view.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa
from markupsafe import Markup
from markupsafe import escape
from wtforms import Field
from wtforms import widgets
from wtforms.fields.choices import Choice
from wtforms.fields.choices import SelectFieldBase
from wtforms.validators import ValidationError

from flaskkit.plugins.forms import ModelForm
from flaskkit.plugins.forms.queryfields import get_session
from flaskkit.translation import gettext
from flaskkit.translation import gettext_noop

from .display import DisplayItem
from .display import display_for_value
from .display import linebreaks

__all__ = [
    "AdminField",
    "AdminForm",
    "Fieldset",
    "PkMultipleSelectField",
    "PkSelectField",
    "flatten_fieldsets",
    "make_model_form",
]

INVALID_CHOICE = gettext_noop("Select a valid choice. That choice is not one of the available choices.")


def flatten_fieldsets(fieldsets: t.Sequence[tuple[t.Any, t.Mapping[str, t.Any]]]) -> list[str]:
    """Every field name of ``fieldsets``, in order (a tuple in ``fields`` is one line of several)."""
    names: list[str] = []
    for _name, options in fieldsets:
        for entry in options.get("fields", ()):
            if isinstance(entry, list | tuple):
                names.extend(entry)
            else:
                names.append(entry)
    return names


# -- fields that load only the rows they name -----------------------------------------------------


class _PkRows:
    """Rows of ``model`` looked up by primary key, one query for all of them."""

    model: type

    def _pk_column(self) -> sa.Column[t.Any]:
        return t.cast("sa.Column[t.Any]", sa.inspect(self.model).primary_key[0])

    def _pk_of(self, obj: t.Any) -> str:
        mapper = sa.inspect(self.model)
        return str(getattr(obj, mapper.get_property_by_column(mapper.primary_key[0]).key))

    def _load(self, keys: list[str]) -> dict[str, t.Any]:
        column = self._pk_column()
        try:
            python_type = column.type.python_type
        except NotImplementedError:
            python_type = str
        values = []
        for key in keys:
            try:
                values.append(python_type(key))
            except (TypeError, ValueError):
                continue
        if not values:
            return {}
        rows = get_session().scalars(sa.select(self.model).where(column.in_(values))).all()
        return {self._pk_of(row): row for row in rows}


class PkSelectField(_PkRows, SelectFieldBase):
    """A many-to-one field whose data is the related object, chosen by its primary key.

    ``widget`` is a text input of the id (``raw_id_fields``) or a select of the
    current row that the admin's script turns into a search (``autocomplete_fields``).
    """

    widget = widgets.Select()

    def __init__(self, label: str | None = None, validators: t.Any = None, *, model: type, **kwargs: t.Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.model = model
        self._formdata: str | None = None

    @property
    def data(self) -> t.Any:
        if self._formdata is not None:
            self._data = self._load([self._formdata]).get(self._formdata)
            if self._data is None:
                self._bad = self._formdata
            self._formdata = None
        return self._data

    @data.setter
    def data(self, value: t.Any) -> None:
        self._data = value
        self._formdata = None

    _bad: str | None = None

    def process_formdata(self, valuelist: list[t.Any]) -> None:
        if valuelist:
            value = str(valuelist[0]).strip()
            self._data = None
            self._formdata = value or None

    def _value(self) -> str:
        return self._pk_of(self.data) if self.data is not None else ""

    def iter_choices(self) -> t.Iterator[Choice]:
        yield Choice(value="", label="---------", selected=self.data is None, render_kw={})
        if self.data is not None:
            yield Choice(value=self._pk_of(self.data), label=str(self.data), selected=True, render_kw={})

    def pre_validate(self, form: t.Any) -> None:
        self.data  # noqa: B018  (resolves the submitted key)
        if self._bad is not None:
            raise ValidationError(gettext(INVALID_CHOICE))


class PkMultipleSelectField(_PkRows, SelectFieldBase):
    """A many-to-many field whose data is the list of related objects named by primary key
    (comma-separated ids in a text input, or a multiple select for autocomplete)."""

    widget = widgets.Select(multiple=True)

    def __init__(self, label: str | None = None, validators: t.Any = None, *, model: type, **kwargs: t.Any) -> None:
        kwargs.setdefault("default", list)
        super().__init__(label, validators, **kwargs)
        self.model = model
        self._formdata: list[str] | None = None
        self._invalid: list[str] = []

    @property
    def data(self) -> list[t.Any]:
        if self._formdata is not None:
            found = self._load(self._formdata)
            self._invalid = [key for key in self._formdata if key not in found]
            self._data = [found[key] for key in dict.fromkeys(self._formdata) if key in found]
            self._formdata = None
        return list(self._data or [])

    @data.setter
    def data(self, value: t.Any) -> None:
        self._data = list(value) if value is not None else []
        self._formdata = None

    def process_formdata(self, valuelist: list[t.Any]) -> None:
        keys: list[str] = []
        for value in valuelist:
            keys.extend(part.strip() for part in str(value).split(",") if part.strip())
        self._data = []
        self._formdata = keys
        self._invalid = []

    def _value(self) -> str:
        return ",".join(self._pk_of(obj) for obj in self.data)

    def iter_choices(self) -> t.Iterator[Choice]:
        for obj in self.data:
            yield Choice(value=self._pk_of(obj), label=str(obj), selected=True, render_kw={})

    def pre_validate(self, form: t.Any) -> None:
        self.data  # noqa: B018
        if self._invalid:
            raise ValidationError(
                gettext("Select a valid choice. {value} is not one of the available choices.").format(
                    value=self._invalid[0]
                )
            )


class RawIdInput(widgets.TextInput):
    """The id(s) in a text input, the chosen row's name beside it (Django's ``ForeignKeyRawIdWidget``)."""

    def __call__(self, field: Field, **kwargs: t.Any) -> Markup:
        kwargs.setdefault("class", "raw-id")
        kwargs.setdefault("inputmode", "numeric" if not isinstance(field, PkMultipleSelectField) else "text")
        html = super().__call__(field, **kwargs)
        data = field.data
        objects = data if isinstance(data, list) else ([data] if data is not None else [])
        if objects:
            names = ", ".join(str(obj) for obj in objects)
            html = Markup(f'{html} <strong class="raw-id-label">{escape(names)}</strong>')
        lookup = getattr(field, "lookup_url", None)
        if lookup:
            html = Markup(
                f'{html} <a class="related-lookup" href="{escape(lookup)}" target="_blank" rel="noopener">Look up</a>'
            )
        return html


class AutocompleteSelect(widgets.Select):
    """A select of the chosen row(s) only; ``admin.js`` adds a search box that asks the related
    model's autocomplete view (no inline script: the URL is a ``data-`` attribute)."""

    def __call__(self, field: Field, **kwargs: t.Any) -> Markup:
        kwargs.setdefault("class", "admin-autocomplete")
        url = getattr(field, "autocomplete_url", None)
        if url:
            kwargs["data-autocomplete-url"] = url
        return super().__call__(field, **kwargs)


# -- the form class --------------------------------------------------------------------------------


def make_model_form(
    base: type[ModelForm],
    model: type,
    fields: t.Sequence[str],
    *,
    raw_id_fields: t.Collection[str] = (),
    autocomplete_fields: t.Collection[str] = (),
    filter_fields: t.Collection[str] = (),
    name: str | None = None,
) -> type[ModelForm]:
    """A ``ModelForm`` subclass of ``base`` for ``model`` that edits ``fields`` (in that order)."""
    meta_base = getattr(base, "Meta", object)
    meta = type("Meta", (meta_base,), {"model": model, "fields": list(fields), "exclude": None})
    attrs: dict[str, t.Any] = {"Meta": meta, "__module__": base.__module__}
    form_name = name or f"{model.__name__}AdminForm"
    plain = type(form_name, (base,), dict(attrs))
    specs = plain._model_fields if not plain._pending_generation else _generated_specs(plain)  # type: ignore[attr-defined]
    relabelled = _enum_labels(specs)
    if not (raw_id_fields or autocomplete_fields or filter_fields or relabelled):
        return plain
    attrs.update(relabelled)
    for field_name in fields:
        spec = specs.get(field_name)
        if spec is None or spec.unbound is None or spec.kind not in ("many_to_one", "many_to_many"):
            continue
        if field_name not in raw_id_fields and field_name not in autocomplete_fields:
            if field_name in filter_fields and spec.kind == "many_to_many":
                kwargs = dict(spec.unbound.kwargs)
                render_kw = dict(kwargs.get("render_kw") or {})
                render_kw["class"] = "filtered-select"
                render_kw["size"] = 10
                kwargs["render_kw"] = render_kw
                attrs[field_name] = spec.unbound.field_class(*spec.unbound.args, **kwargs)
            continue
        related = spec.prop.mapper.class_
        kwargs = {
            key: value for key, value in spec.unbound.kwargs.items() if key in ("label", "validators", "description")
        }
        field_class = PkMultipleSelectField if spec.kind == "many_to_many" else PkSelectField
        widget: t.Any = (
            RawIdInput() if field_name in raw_id_fields else AutocompleteSelect(multiple=spec.kind == "many_to_many")
        )
        attrs[field_name] = field_class(model=related, widget=widget, **kwargs)
    return type(form_name, (base,), attrs)


def _enum_labels(specs: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """Enum selects whose options read as the change list shows them ("draft", not "DRAFT")."""
    import dataclasses
    import enum

    from .display import choice_label
    from .lookups import base_type

    found: dict[str, t.Any] = {}
    for name, spec in specs.items():
        if spec.kind != "column" or spec.unbound is None or "choices" not in spec.unbound.kwargs:
            continue
        enum_class = getattr(base_type(spec.columns[0].type), "enum_class", None)
        if enum_class is None or not issubclass(enum_class, enum.Enum):
            continue
        members = t.cast("type[enum.Enum]", enum_class).__members__
        choices = [
            dataclasses.replace(c, label=choice_label(members[c.value])) if c.value in members else c
            for c in spec.unbound.kwargs["choices"]
        ]
        found[name] = spec.unbound.field_class(*spec.unbound.args, **{**spec.unbound.kwargs, "choices": choices})
    return found


def _generated_specs(form_class: type[ModelForm]) -> dict[str, t.Any]:
    form_class._generate_fields()  # type: ignore[attr-defined]
    return form_class._model_fields


# -- layout ------------------------------------------------------------------------------------------


@dataclass
class AdminField:
    """One field of a fieldset: a form field, or a read-only value."""

    name: str
    label: str
    bound: t.Any = None
    readonly_value: t.Any = None
    help_text: str | None = None

    @property
    def is_readonly(self) -> bool:
        return self.bound is None

    @property
    def is_checkbox(self) -> bool:
        return self.bound is not None and self.bound.type == "BooleanField"

    @property
    def errors(self) -> list[str]:
        return list(self.bound.errors) if self.bound is not None else []


@dataclass
class Fieldset:
    name: str | None
    classes: str = ""
    description: str | None = None
    lines: list[list[AdminField]] = field(default_factory=list)

    @property
    def collapsed(self) -> bool:
        return "collapse" in self.classes.split()


class AdminForm:
    """A form and its fieldsets, with read-only fields shown as values (Django's ``helpers.AdminForm``)."""

    def __init__(
        self,
        form: t.Any,
        fieldsets: t.Sequence[tuple[t.Any, t.Mapping[str, t.Any]]],
        readonly: t.Mapping[str, DisplayItem],
        obj: t.Any,
        empty_value_display: str,
        prepopulated: t.Mapping[str, t.Sequence[str]] | None = None,
    ) -> None:
        self.form = form
        self.obj = obj
        self.fieldsets: list[Fieldset] = []
        self.prepopulated = dict(prepopulated or {})
        for name, options in fieldsets:
            fieldset = Fieldset(
                None if name is None else str(name),
                " ".join(options.get("classes", ())),
                options.get("description"),
            )
            for entry in options.get("fields", ()):
                line = list(entry) if isinstance(entry, list | tuple) else [entry]
                fields = [self._field(n, readonly, empty_value_display) for n in line]
                fieldset.lines.append([f for f in fields if f is not None])
            self.fieldsets.append(fieldset)

    def _field(self, name: str, readonly: t.Mapping[str, DisplayItem], empty: str) -> AdminField | None:
        if name in readonly:
            item = readonly[name]
            value: t.Any = None
            if self.obj is not None:
                try:
                    value = item.getter(self.obj)
                except (AttributeError, LookupError, TypeError):
                    value = None
            shown = display_for_value(
                value, item.empty_value if item.empty_value is not None else empty, boolean=item.boolean, in_list=False
            )
            if isinstance(shown, str) and "\n" in shown:
                shown = linebreaks(shown)
            help_text = getattr(item.function, "help_text", None)
            return AdminField(name, item.label, readonly_value=shown, help_text=help_text)
        bound = self.form._fields.get(name) if self.form is not None else None
        if bound is None:
            return None
        if name in self.prepopulated:
            render_kw = dict(bound.render_kw or {})
            render_kw["data-prepopulate-from"] = ",".join(self.prepopulated[name])
            bound.render_kw = render_kw
        label = bound.label.text
        return AdminField(name, label[:1].upper() + label[1:], bound=bound, help_text=bound.description or None)

    @property
    def errors(self) -> bool:
        return bool(self.form is not None and self.form.errors)

    @property
    def non_field_errors(self) -> list[str]:
        if self.form is None:
            return []
        errors = list(self.form.form_errors)
        csrf = self.form._fields.get("csrf_token")
        if csrf is not None:
            errors.extend(csrf.errors)
        return errors

    @property
    def hidden_fields(self) -> list[t.Any]:
        if self.form is None:
            return []
        return [f for f in self.form if f.widget.input_type == "hidden"]

    @property
    def multipart(self) -> bool:
        return self.form is not None and any(f.type in ("FileField", "MultipleFileField") for f in self.form)

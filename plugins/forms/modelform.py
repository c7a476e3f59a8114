"""``ModelForm``: a form generated from a SQLAlchemy model, saved with ``save()``.

::

    class ArticleForm(ModelForm):
        class Meta:
            model = Article
            fields = ["title", "published", "cat"]    # or exclude = [...], or "__all__"

    form = ArticleForm(instance=article)              # instance= for an update
    if form.is_valid():
        article = form.save()                         # commit=False: pending, not flushed

See :mod:`.converters` for how columns and relationships become fields.
"""

from __future__ import annotations

import contextlib
import sys
import typing as t
import weakref

import sqlalchemy as sa
from flask import has_request_context
from flask_wtf.form import _Auto
from sqlalchemy.orm import RelationshipDirection
from sqlalchemy.orm.attributes import del_attribute
from sqlalchemy.orm.attributes import set_attribute
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename
from wtforms.form import FormMeta

from flaskkit import ConfigurationError
from flaskkit import ValidationError
from flaskkit.exceptions import NON_FIELD_ERRORS

from .converters import ALL_FIELDS
from .converters import BLANK_DEFAULT
from .converters import BLANK_NULL
from .converters import ModelField
from .converters import check_names
from .converters import editable_names
from .converters import model_fields
from .converters import model_verbose_name
from .converters import selected_names
from .forms import Form
from .queryfields import get_session
from .storage import UploadTo
from .storage import default_storage
from .storage import upload_path
from .validators import RequiredUnlessCreating
from .validators import is_empty

__all__ = ["ModelForm", "ModelFormOptions"]

_M = t.TypeVar("_M")

#: Option names a ModelForm reads from its ``class Meta`` (Django's names).
OPTION_NAMES = ("model", "fields", "exclude", "labels", "help_texts", "widgets")


class ModelFormOptions:
    """The ``class Meta`` options of one ``ModelForm`` class, checked."""

    def __init__(self, form_name: str, meta: type[t.Any] | None) -> None:
        self.form_name = form_name
        self.model: type[t.Any] | None = getattr(meta, "model", None)
        self.fields: t.Sequence[str] | str | None = getattr(meta, "fields", None)
        self.exclude: t.Sequence[str] | None = getattr(meta, "exclude", None)
        self.labels: t.Mapping[str, str] = getattr(meta, "labels", None) or {}
        self.help_texts: t.Mapping[str, str] = getattr(meta, "help_texts", None) or {}
        self.widgets: t.Mapping[str, t.Any] = getattr(meta, "widgets", None) or {}
        self._check()

    def _check(self) -> None:
        name = self.form_name
        for setting in ("fields", "exclude"):
            value = getattr(self, setting)
            if value is None or (setting == "fields" and value == ALL_FIELDS):
                continue
            if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
                shown = f"[{value!r}]" if isinstance(value, str) else "['title', 'body']"
                raise ConfigurationError(
                    f"{name}.Meta.{setting} must be a list of field names"
                    + (" or '__all__'" if setting == "fields" else "")
                    + f", not {value!r}.",
                    hint=f"Write {setting} = {shown}.",
                )
        if self.model is None:
            if self.fields is not None or self.exclude is not None:
                raise ConfigurationError(
                    f"{name}.Meta sets fields or exclude but no model.",
                    hint=f"Add model = YourModel to {name}.Meta.",
                )
            return
        try:
            sa.inspect(self.model)
        except sa.exc.NoInspectionAvailable:
            raise ConfigurationError(
                f"{name}.Meta.model is {self.model!r}, which is not a mapped SQLAlchemy model.",
                hint="Give a class that subclasses db.Model (from flaskkit.plugins.orm import db).",
            ) from None
        if self.fields is None and self.exclude is None:
            if _mappers_configured(self.model):
                suggestion = repr(editable_names(self.model))
            else:  # configuring here could fail for good: a related model may not be imported yet
                descriptors = sa.inspect(self.model).all_orm_descriptors
                suggestion = repr([n for n in descriptors.keys() if n[:1] != "_"])  # noqa: SIM118  (iter: values)
            raise ConfigurationError(
                f"{name}.Meta must set 'fields' or 'exclude': a ModelForm without either is refused, so that "
                f"a column added to {self.model.__name__} later is not editable by accident (Django's rule).",
                hint=f"Add fields = {suggestion} to {name}.Meta (or fields = '__all__', or exclude = [...]).",
            )


class ModelFormMetaclass(FormMeta):
    """Generates the fields of a ``ModelForm`` class from its ``Meta.model``.

    ``Meta`` is checked when the class is created (fields or exclude, names
    that exist); the fields are generated then too if SQLAlchemy has already
    configured the mappers, else when the form is first instantiated. They
    come in ``Meta.fields`` order, then the declared extra fields.
    """

    def __init__(cls, name: str, bases: tuple[type, ...], attrs: dict[str, t.Any]) -> None:
        super().__init__(name, bases, attrs)
        options = ModelFormOptions(name, getattr(cls, "Meta", None))
        type.__setattr__(cls, "_options", options)
        type.__setattr__(cls, "_model_fields", {})
        type.__setattr__(cls, "_field_order", [])
        type.__setattr__(cls, "_generated", ())
        type.__setattr__(cls, "_pending_generation", options.model is not None)
        if options.model is not None:
            check_names(name, options.model, options.fields, options.exclude, _declared_fields(cls))
            # Generating needs configured mappers. SQLAlchemy configures them on first use, and a
            # failure is final: doing it now, before the app has imported every model, could break
            # a working app. So: now if they are configured, else when the form is first made.
            if _mappers_configured(options.model):
                cls._generate_fields()

    def _generate_fields(cls) -> None:
        # A parent ModelForm waiting for its fields gets them first, so that this form
        # knows which of them to hide.
        for base in reversed(cls.__mro__[1:]):
            if isinstance(base, ModelFormMetaclass) and base._pending_generation:  # type: ignore[attr-defined]
                base._generate_fields()
        options: ModelFormOptions = cls._options  # type: ignore[attr-defined]
        model = t.cast(type, options.model)
        declared = _declared_fields(cls)
        names = selected_names(cls.__name__, model, options.fields, options.exclude, declared)
        _check_clashes(cls.__name__, model, names, declared)
        specs = model_fields(
            cls.__name__,
            model,
            names,
            labels=options.labels,
            help_texts=options.help_texts,
            widgets=options.widgets,
            declared=declared,
        )
        generated = tuple(name for name, spec in specs.items() if spec.unbound is not None)
        # Fields a parent ModelForm generated that this form does not edit are hidden.
        for klass in cls.__mro__[1:]:
            for name in klass.__dict__.get("_generated", ()):
                if name not in specs and name not in declared:
                    setattr(cls, name, None)
        for name in generated:
            setattr(cls, name, specs[name].unbound)
        type.__setattr__(cls, "_model_fields", specs)
        type.__setattr__(cls, "_generated", generated)
        type.__setattr__(cls, "_field_order", [*names, *(n for n in declared if n not in names)])
        type.__setattr__(cls, "_pending_generation", False)

    def __call__(cls, *args: t.Any, **kwargs: t.Any) -> t.Any:
        if cls._pending_generation:  # type: ignore[attr-defined]
            cls._generate_fields()
        if cls._unbound_fields is None:  # type: ignore[has-type]
            order = {name: i for i, name in enumerate(cls._field_order)}  # type: ignore[attr-defined]
            found = [
                (name, value)
                for name in dir(cls)
                if not name.startswith("_") and hasattr(value := getattr(cls, name), "_formfield")
            ]
            found.sort(
                key=lambda item: (
                    (0, order[item[0]], 0, "") if item[0] in order else (1, 0, item[1].creation_counter, item[0])
                )
            )
            cls._unbound_fields = found
        return super().__call__(*args, **kwargs)


def _mappers_configured(model: type) -> bool:
    return all(mapper.configured for mapper in sa.inspect(model).registry.mappers)


def _declared_fields(cls: type) -> dict[str, t.Any]:
    """Fields written on the form classes (not generated), in declaration order."""
    declared: dict[str, t.Any] = {}
    for klass in reversed(cls.__mro__):
        generated = klass.__dict__.get("_generated", ())
        for name, value in klass.__dict__.items():
            if name.startswith("_"):
                continue
            if hasattr(value, "_formfield") and name not in generated:
                declared[name] = value
            elif value is None:
                declared.pop(name, None)
    return dict(sorted(declared.items(), key=lambda item: item[1].creation_counter))


#: Attributes a ModelForm instance sets on itself, which no field may be named.
RESERVED_NAMES = frozenset({"instance", "creating", "is_bound", "meta", "form_errors"})


def _check_clashes(form_name: str, model: type, names: t.Sequence[str], declared: t.Collection[str]) -> None:
    for name in names:
        if name not in declared and (name in RESERVED_NAMES or hasattr(ModelForm, name)):
            raise ConfigurationError(
                f"{form_name} cannot have a field named {name!r} (a field of {model.__name__}): it would hide "
                f"ModelForm.{name}.",
                hint=f"Leave {name!r} out of {form_name}.Meta.fields (or add it to exclude) and set it in the view.",
            )


class ModelForm(Form, metaclass=ModelFormMetaclass):
    """A :class:`~flaskkit.plugins.forms.Form` whose fields come from ``Meta.model``.

    ``class Meta`` takes Django's options: ``model``, ``fields`` (a list, or
    ``"__all__"``) or ``exclude`` (one of the two is required), ``labels``,
    ``help_texts`` and ``widgets`` (dicts by field name). Fields declared on
    the form win over generated ones. Without ``instance`` the form creates a
    row; with it, it changes that row and its fields start from the row's
    values. Uniqueness is checked during validation (a duplicate is a field
    error, never an ``IntegrityError``), the row itself excluded.
    """

    _options: t.ClassVar[ModelFormOptions]
    _model_fields: t.ClassVar[dict[str, ModelField]]

    def __init__(
        self,
        formdata: t.Any = _Auto,
        *,
        instance: t.Any = None,
        initial: t.Mapping[str, t.Any] | None = None,
        **kwargs: t.Any,
    ) -> None:
        model = self._options.model
        if model is None:
            raise ValueError(f"{type(self).__name__} has no model class specified: set Meta.model.")
        if instance is not None and not isinstance(instance, model):
            raise TypeError(f"{type(self).__name__} edits {model.__name__} objects, not {instance!r}.")
        #: The object the form creates or changes.
        self.instance: t.Any = instance if instance is not None else model()
        #: True when the form makes a new row (no ``instance=`` given, or one not saved yet).
        self.creating: bool = not sa.inspect(self.instance).has_identity
        object_data = self._instance_data() if instance is not None else {}
        super().__init__(formdata, initial={**object_data, **(initial or {})}, **kwargs)
        if not self.creating:
            for name in self._model_fields:
                bound = self._fields.get(name)
                if bound is not None and any(isinstance(v, RequiredUnlessCreating) for v in bound.validators):
                    bound.flags.required = True

    def get_session(self) -> t.Any:
        """The SQLAlchemy session to query and save with: the app's ``db.session``. Override to change it."""
        return get_session()

    def _instance_data(self) -> dict[str, t.Any]:
        data: dict[str, t.Any] = {}
        for name, spec in self._model_fields.items():
            value = getattr(self.instance, spec.prop.key)
            data[name] = list(value) if spec.kind == "many_to_many" else value
        return data

    # -- validation ------------------------------------------------------------

    def _post_clean(self) -> None:
        """Django's ``ModelForm._post_clean()``: the model validates the data too.

        The cleaned data is put on :attr:`instance`, then the model's ``full_clean()``
        runs (its fields' checks and validators, its ``clean()``, its check constraints)
        and :meth:`validate_unique`; their errors land on the form's fields (or the
        form). Fields the form does not edit, or that already failed, are left out, so a
        message is never given twice. Then an instance that is in a session (a row being
        changed, or a new one a relationship put there) gets its former values back: only
        ``save()`` changes it, so an autoflush or an atomic request never writes a
        half-validated row. A new instance in no session, whose many-to-one fields did not
        change, keeps them, as in Django: nothing can write it before ``save()`` adds it.
        """
        super()._post_clean()
        if self._cleaned_data is None:
            return
        with self.get_session().no_autoflush, _changes_undone(self.instance) as changes:
            self._apply_cleaned_data()
            exclude = self._validation_exclusions()
            try:
                _model_full_clean(self.instance, exclude)
            except ValidationError as exc:
                self._update_errors(exc)
                exclude = self._validation_exclusions()  # the fields that failed are left out now
            if type(self).validate_unique is ModelForm.validate_unique:
                self._validate_unique(exclude)  # (already in no_autoflush)
            else:
                self.validate_unique()
        #: What validation made of the instance (the cleaned data, as the model's clean() left it).
        self._changes = changes

    def validate_unique(self) -> None:
        """Add an error for each unique column or constraint the data would break (the model's check).

        "Article with this Title already exists." on the field, or a non-field error for
        a multi-column constraint ("Edition with this Category and Number already
        exists."); the row being changed is left out, and so are NULLs, fields the form
        does not edit and fields that are already invalid (as Django does).
        """
        with self.get_session().no_autoflush:
            self._validate_unique(self._validation_exclusions())

    def _validate_unique(self, exclude: set[str]) -> None:
        from flaskkit.plugins.orm import validation

        try:
            validation.run_validate_unique(self.instance, exclude)
        except ValidationError as exc:
            self._update_errors(exc)

    def _validation_exclusions(self) -> set[str]:
        """Django's ``_get_validation_exclusions()``: the model fields not to validate."""
        from flaskkit.plugins.orm import validation

        cleaned = self._cleaned_data or {}
        exclude: set[str] = set()
        for field in validation.model_fields(type(self.instance)):
            name = self._form_field_of(field)
            if name is None or self._fields[name].errors or name not in cleaned:
                exclude |= field.names  # not edited here, or already invalid
                continue
            spec = self._model_fields[name]
            if spec.upload_to is not None:
                exclude |= field.names  # a new upload's name is only known once it is stored
            elif is_empty(cleaned[name]) and spec.blank == BLANK_DEFAULT and self.creating:
                exclude |= field.names  # the column's default applies
        return exclude

    def _form_field_of(self, field: t.Any) -> str | None:
        for name in (field.name, field.attr):
            if name in self._model_fields and name in self._fields:
                return name
        return None

    def _update_errors(self, error: ValidationError) -> None:
        """Put the model's errors on the form's fields: a field the form lacks gets a non-field error."""
        from flaskkit.plugins.orm import validation

        by_name: dict[str, tuple[str | None, str]] = {}
        for field in validation.model_fields(type(self.instance)):
            target = self._form_field_of(field)
            for name in field.names:
                by_name[name] = (target, field.label)
        errors = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
        for key, messages in errors.items():
            target, label = by_name.get(key, (None, validation.humanize(key)))
            if key == NON_FIELD_ERRORS or target is None:
                prefix = "" if key == NON_FIELD_ERRORS else f"{label}: "
                new = [prefix + m for m in messages if prefix + m not in self.form_errors]
                self.add_error(None, new)
            else:
                already = self._fields[target].errors
                self.add_error(target, [m for m in messages if m not in already])

    # -- saving ----------------------------------------------------------------

    def save(self, commit: bool = True) -> t.Any:
        """Write the cleaned data to :attr:`instance` and return it.

        ``commit=True`` (the default) saves it: the session is committed, or
        only flushed inside an atomic request (``ATOMIC_REQUESTS``), whose
        transaction commits when the view returns. ``commit=False`` adds it to
        the session as a pending change and writes nothing: set what else you
        need, then ``db.session.commit()``. Many-to-many selections are set on
        the instance in both cases; :meth:`save_m2m` exists for Django code
        and sets them again.
        """
        if self._valid is None and self.is_bound:
            self.is_valid()
        if not self._valid:
            action = "created" if self.creating else "changed"
            why = "the data didn't validate" if self._valid is False else "the form has no data (it is not bound)"
            raise ValueError(
                f"The {model_verbose_name(t.cast(type, self._options.model))} could not be {action} because {why}."
            )
        session = self.get_session()
        for key, value in getattr(self, "_changes", {}).items():
            setattr(self.instance, key, value)
        self._store_files()
        session.add(self.instance)
        self.save_m2m()
        if commit:
            if _in_atomic_request():
                session.flush()
            else:
                session.commit()
            self.creating = False
        return self.instance

    def save_m2m(self) -> None:
        """Set the many-to-many selections on :attr:`instance` (``save()`` already does)."""
        cleaned = self.cleaned_data
        for name, spec in self._model_fields.items():
            if spec.kind == "many_to_many" and name in cleaned and name in self._fields:
                setattr(self.instance, spec.prop.key, list(cleaned[name] or ()))

    def _apply_cleaned_data(self) -> None:
        """The cleaned values on the instance: columns and many-to-one fields (files and many-to-many: ``save()``)."""
        cleaned = self.cleaned_data
        for name, spec in self._model_fields.items():
            if spec.kind == "many_to_many" or spec.upload_to is not None:
                continue
            if name not in cleaned or name not in self._fields:
                continue
            value = cleaned[name]
            if is_empty(value):
                if spec.blank == BLANK_DEFAULT and self.creating:
                    continue  # the column's default applies
                if spec.blank == BLANK_NULL:
                    value = None
            setattr(self.instance, spec.prop.key, value)

    def _store_files(self) -> None:
        cleaned = self.cleaned_data
        for name, spec in self._model_fields.items():
            if spec.upload_to is None or name not in cleaned or name not in self._fields:
                continue
            value = cleaned[name]
            if isinstance(value, FileStorage) and value:
                self._store_file(spec, value)
            # no upload: the stored file stays

    def _store_file(self, spec: ModelField, upload: FileStorage) -> None:
        """Save an upload through the app's storage and put the name it got in the column."""
        upload_to = t.cast("UploadTo", spec.upload_to)
        # The client names the file: only a safe base name reaches upload_to.
        filename = secure_filename(upload.filename or "") or "upload"
        name = default_storage().save(upload_path(upload_to, self.instance, filename), upload)
        setattr(self.instance, spec.prop.key, name)


def _model_full_clean(instance: t.Any, exclude: set[str]) -> None:
    """The model's ``full_clean()`` without the unique checks (``validate_unique()`` does those after)."""
    from flaskkit.plugins.orm import validation

    validation.run_full_clean(instance, exclude, validate_unique=False)


_MISSING = object()


#: mapper -> (its column attributes, its many-to-one relationships): what ``_changes_undone`` restores.
_UNDONE_KEYS: weakref.WeakKeyDictionary[t.Any, tuple[tuple[str, ...], tuple[str, ...]]] = weakref.WeakKeyDictionary()


def _undone_keys(mapper: t.Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    columns = tuple(prop.key for prop in mapper.column_attrs)
    references = tuple(
        prop.key
        for prop in mapper.relationships
        if not prop.viewonly and not prop.uselist and prop.direction is RelationshipDirection.MANYTOONE
    )
    return columns, references


@contextlib.contextmanager
def _changes_undone(instance: t.Any) -> t.Iterator[dict[str, t.Any]]:
    """Give ``instance`` back the column and many-to-one values it had, after the block; yield
    (filled in afterwards) the values the block left on it. A transient instance (new, in no
    session) whose many-to-one references the block left alone keeps its values, and nothing
    is yielded: no flush can reach it."""
    state = sa.inspect(instance)
    keys = _UNDONE_KEYS.get(state.mapper)
    if keys is None:
        keys = _UNDONE_KEYS[state.mapper] = _undone_keys(state.mapper)
    columns, references = keys
    before = {key: state.dict[key] for key in (*columns, *references) if key in state.dict}
    changes: dict[str, t.Any] = {}
    try:
        yield changes
    finally:
        # Kept: a new instance in no session, whose many-to-one references did not change (a
        # reference to a loaded row would put it in that row's collection, which a flush saves).
        kept = state.transient and all(state.dict.get(key) is before.get(key) for key in references)
        if not kept:
            _undo(instance, state, columns, references, before, changes)


def _undo(
    instance: t.Any,
    state: t.Any,
    columns: tuple[str, ...],
    references: tuple[str, ...],
    before: dict[str, t.Any],
    changes: dict[str, t.Any],
) -> None:
    for key in (*references, *columns):
        now, was = state.dict.get(key, _MISSING), before.get(key, _MISSING)
        if now is was or (key in columns and was is not _MISSING and _equal(now, was)):
            continue
        if now is not _MISSING:
            changes[key] = now
        if was is not _MISSING:
            set_attribute(instance, key, was)
        elif state.session is not None and state.has_identity:
            state.session.expire(instance, [key])  # back to the database's value
        elif now is not _MISSING:
            del_attribute(instance, key)


def _equal(a: t.Any, b: t.Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:  # an odd __eq__: treat as a change
        return False


def _in_atomic_request() -> bool:
    """Whether the code runs in the view of an atomic request (the ``orm`` plugin's
    ``ATOMIC_REQUESTS``), whose transaction commits when the view returns."""
    # Only the orm plugin opens such a transaction; if its module was never imported, there is none.
    transactions = sys.modules.get("flaskkit.plugins.orm.transactions")
    if transactions is None or not has_request_context():
        return False
    return bool(transactions.is_atomic_request())

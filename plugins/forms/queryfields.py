"""Select fields whose choices are database rows (Django's ``ModelChoiceField`` and
``ModelMultipleChoiceField``).

They yield :class:`wtforms.fields.choices.Choice` objects, the WTForms 3.3
API: wtforms-sqlalchemy's ``QuerySelectField`` still yields raw tuples and
triggers a DeprecationWarning on every render.
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from flask import current_app
from wtforms import widgets
from wtforms.fields.choices import Choice
from wtforms.fields.choices import SelectFieldBase
from wtforms.validators import ValidationError

from flaskkit.translation import gettext_noop

from .fields import BLANK_TEXT

__all__ = ["QuerySelectField", "QuerySelectMultipleField", "get_session"]

INVALID_CHOICE = gettext_noop("Select a valid choice. That choice is not one of the available choices.")
INVALID_CHOICES = gettext_noop("Select a valid choice. {value} is not one of the available choices.")


def get_session() -> t.Any:
    """The current app's SQLAlchemy session: Flask-SQLAlchemy's ``db.session``
    (the ``orm`` plugin's ``db``, or any ``SQLAlchemy`` set up on the app)."""
    extension = current_app.extensions.get("sqlalchemy")
    if extension is None:
        raise RuntimeError(
            f"The app {current_app.name!r} has no database: add 'orm' to PLUGINS "
            "(or set up Flask-SQLAlchemy on it) to use model forms and query fields."
        )
    return extension.session


def _identity(obj: object) -> str:
    identity = sa.inspect(obj).identity
    if identity is None:
        raise ValueError(f"{obj!r} has no primary key yet (flush it first); it cannot be a choice.")
    return ":".join(str(part) for part in identity)


class _QueryChoices:
    """What the two query fields share: where the rows come from and how they show."""

    _object_list: list[tuple[str, t.Any]] | None

    def _setup_query(
        self,
        query_factory: t.Callable[[], t.Iterable[t.Any]] | None,
        model: type[t.Any] | None,
        query: sa.Select[t.Any] | None,
        get_pk: t.Callable[[t.Any], str] | None,
        get_label: str | t.Callable[[t.Any], str] | None,
    ) -> None:
        if sum(x is not None for x in (query_factory, model, query)) != 1:
            raise TypeError(f"{type(self).__name__} needs exactly one of query_factory=, model= or query=.")
        if model is not None:
            mapper = sa.inspect(model)
            query = sa.select(model).order_by(*mapper.primary_key)
        if query is not None:
            statement = query

            def query_factory() -> t.Iterable[t.Any]:
                return get_session().scalars(statement).all()

        self.query_factory = t.cast(t.Callable[[], t.Iterable[t.Any]], query_factory)
        self.get_pk = get_pk or _identity
        if get_label is None:
            self.get_label: t.Callable[[t.Any], str] = str
        elif isinstance(get_label, str):
            attribute = get_label
            self.get_label = lambda obj: str(getattr(obj, attribute))
        else:
            self.get_label = get_label
        self._object_list = None

    def _get_object_list(self) -> list[tuple[str, t.Any]]:
        """The choices as ``(pk string, object)``, queried once per bound field."""
        if self._object_list is None:
            self._object_list = [(self.get_pk(obj), obj) for obj in self.query_factory()]
        return self._object_list

    def _pk_or_none(self, obj: t.Any) -> str | None:
        if obj is None:
            return None
        try:
            return self.get_pk(obj)
        except ValueError:
            return None


class QuerySelectField(_QueryChoices, SelectFieldBase):
    """A ``<select>`` of database rows; its data is the chosen object (or None).

    Give the rows as ``model=Category`` (every row, by primary key),
    ``query=select(Category).where(...)``, or ``query_factory=callable``
    returning the objects. ``get_label`` is an attribute name or a callable
    (default ``str(obj)``); ``allow_blank`` adds an empty first option
    (``blank_text``, Django's ``"---------"``). The rows are queried once per
    form, when the field is rendered or validated.
    """

    widget = widgets.Select()

    def __init__(
        self,
        label: str | None = None,
        validators: t.Sequence[t.Any] | None = None,
        query_factory: t.Callable[[], t.Iterable[t.Any]] | None = None,
        *,
        model: type[t.Any] | None = None,
        query: sa.Select[t.Any] | None = None,
        get_pk: t.Callable[[t.Any], str] | None = None,
        get_label: str | t.Callable[[t.Any], str] | None = None,
        allow_blank: bool = False,
        blank_text: str = BLANK_TEXT,
        **kwargs: t.Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self._setup_query(query_factory, model, query, get_pk, get_label)
        self.allow_blank = allow_blank
        self.blank_text = blank_text
        self._formdata: str | None = None

    @property
    def data(self) -> t.Any:
        if self._formdata is not None:
            for pk, obj in self._get_object_list():
                if pk == self._formdata:
                    self._data = obj
                    break
        return self._data

    @data.setter
    def data(self, value: t.Any) -> None:
        self._data = value
        self._formdata = None

    def process_formdata(self, valuelist: list[t.Any]) -> None:
        if valuelist:
            value = str(valuelist[0])
            if value in ("", "__None"):
                self.data = None
            else:
                self._data = None
                self._formdata = value

    def iter_choices(self) -> t.Iterator[Choice]:
        selected = self._pk_or_none(self.data)
        if self.allow_blank:
            yield Choice(value="", label=self.blank_text, selected=selected is None, render_kw={})
        for pk, obj in self._get_object_list():
            yield Choice(value=pk, label=self.get_label(obj), selected=pk == selected, render_kw={})

    def pre_validate(self, form: t.Any) -> None:
        if self._formdata is not None and self.data is None:
            raise ValidationError(self.gettext(INVALID_CHOICE))
        if self.data is None and not self.allow_blank and self.raw_data:
            raise ValidationError(self.gettext("Not a valid choice."))

    def _value(self) -> str:
        return self._pk_or_none(self.data) or ""


class QuerySelectMultipleField(_QueryChoices, SelectFieldBase):
    """A multiple ``<select>`` of database rows; its data is a list of objects.

    Takes the same ``model=`` / ``query=`` / ``query_factory=``, ``get_pk``
    and ``get_label`` as :class:`QuerySelectField`. An empty selection is
    ``[]``.
    """

    widget = widgets.Select(multiple=True)

    def __init__(
        self,
        label: str | None = None,
        validators: t.Sequence[t.Any] | None = None,
        query_factory: t.Callable[[], t.Iterable[t.Any]] | None = None,
        *,
        model: type[t.Any] | None = None,
        query: sa.Select[t.Any] | None = None,
        get_pk: t.Callable[[t.Any], str] | None = None,
        get_label: str | t.Callable[[t.Any], str] | None = None,
        default: t.Any = None,
        **kwargs: t.Any,
    ) -> None:
        super().__init__(label, validators, default=default if default is not None else list, **kwargs)
        self._setup_query(query_factory, model, query, get_pk, get_label)
        self._formdata: list[str] | None = None
        self._invalid: list[str] = []

    @property
    def data(self) -> list[t.Any]:
        if self._formdata is not None:
            by_pk = dict(self._get_object_list())
            self._invalid = [pk for pk in self._formdata if pk not in by_pk]
            self._data = [by_pk[pk] for pk in dict.fromkeys(self._formdata) if pk in by_pk]
            self._formdata = None
        return self._data

    @data.setter
    def data(self, value: t.Any) -> None:
        self._data = list(value) if value is not None else []
        self._formdata = None

    def process_formdata(self, valuelist: list[t.Any]) -> None:
        self._data = []
        self._formdata = [str(value) for value in valuelist if str(value) != ""]
        self._invalid = []

    def iter_choices(self) -> t.Iterator[Choice]:
        selected = {self._pk_or_none(obj) for obj in self.data}
        for pk, obj in self._get_object_list():
            yield Choice(value=pk, label=self.get_label(obj), selected=pk in selected, render_kw={})

    def pre_validate(self, form: t.Any) -> None:
        self.data  # noqa: B018  (resolves the submitted keys, filling _invalid)
        if self._invalid:
            raise ValidationError(self.gettext(INVALID_CHOICES).format(value=self._invalid[0]))

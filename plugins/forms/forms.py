"""``Form``: Flask-WTF's ``FlaskForm`` with Django's validation flow on top."""

from __future__ import annotations

import typing as t

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from flask_wtf.form import _is_submitted
from wtforms.meta import DefaultMeta
from wtforms.validators import StopValidation
from wtforms.validators import ValidationError

from flaskkit import translation
from flaskkit.exceptions import NON_FIELD_ERRORS
from flaskkit.exceptions import ValidationError as ModelValidationError
from flaskkit.translation import EXTENSION_KEY as TRANSLATION_EXTENSION

from .csrf import KitFormCSRF
from .formdata import for_fields
from .formdata import guard_fields
from .formdata import request_formdata

__all__ = ["Form", "ValidationError"]


class _KitTranslations:
    """WTForms' translations object, answered by :mod:`flaskkit.translation`."""

    def gettext(self, string: str) -> str:
        return translation.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return translation.ngettext(singular, plural, n)


_KIT_TRANSLATIONS = _KitTranslations()


class Form(FlaskForm):
    """A form, as Flask-WTF's :class:`~flask_wtf.FlaskForm` (fields, validators,
    ``validate_on_submit()``, the CSRF hidden field) plus Django's flow::

        class SignupForm(Form):
            email = EmailField(validators=[InputRequired()])
            password = PasswordField(validators=[InputRequired()])
            password2 = PasswordField("Password (again)")

            def clean(self):
                data = self.cleaned_data
                if data.get("password") != data.get("password2"):
                    raise ValidationError("The two passwords differ.")
                return data

        form = SignupForm()
        if form.is_valid():            # False on GET (the form is not bound)
            create_user(**form.cleaned_data)

    :meth:`validate` (and so ``validate_on_submit()``) runs, in order: each
    field's validators and ``validate_<field>`` methods (WTForms), then each
    ``clean_<field>()`` method (Django: its return value replaces the field's
    value in :attr:`cleaned_data`), then :meth:`clean` (errors raised there
    are non-field errors), then :meth:`_post_clean` (``ModelForm``'s unique
    checks). ``initial={...}`` gives the initial values, as in Django.

    Every field refuses input with a NUL character ("Null characters are not
    allowed.", Django's message); a field that is not a file field reads
    only the text values of the request, never a file sent under its name;
    a JSON body is read as text values (see :mod:`.formdata`).
    """

    class Meta(FlaskForm.Meta):
        csrf_class = KitFormCSRF

        def wrap_formdata(self, form: t.Any, formdata: t.Any) -> t.Any:
            if formdata is _Auto:
                formdata = request_formdata() if _is_submitted() else None
            else:
                formdata = DefaultMeta.wrap_formdata(self, form, formdata)
            return for_fields(formdata, form)

        def get_translations(self, form: t.Any) -> t.Any:
            # With the i18n plugin, WTForms' own messages come from the app's merged catalog
            # (cached per language; the app's and the plugins' catalogs can reword them), not from
            # Flask-WTF's, which reads WTForms' .mo file again on every request.
            if current_app.extensions.get(TRANSLATION_EXTENSION) is not None and current_app.config.get(
                "WTF_I18N_ENABLED", True
            ):
                return _KIT_TRANSLATIONS
            return super().get_translations(form)

    def __init__(self, formdata: t.Any = _Auto, *, initial: t.Mapping[str, t.Any] | None = None, **kwargs: t.Any):
        if initial is not None:
            kwargs["data"] = {**initial, **(kwargs.get("data") or {})}
        #: Whether the form has data to validate: the request is a POST/PUT/PATCH/DELETE
        #: (the default), or ``formdata`` was given.
        self.is_bound: bool = _is_submitted() if formdata is _Auto else formdata is not None
        self._cleaned_data: dict[str, t.Any] | None = None
        self._valid: bool | None = None
        super().__init__(formdata, **kwargs)
        guard_fields(self)

    # -- Django's API --------------------------------------------------------

    def is_valid(self) -> bool:
        """True if the form is bound and its data is valid. Validates once, then answers from the result."""
        if not self.is_bound:
            return False
        if self._valid is None:
            self._valid = self.validate()
        return self._valid

    @property
    def cleaned_data(self) -> dict[str, t.Any]:
        """The valid fields' values (without the CSRF token), once the form was validated."""
        if self._cleaned_data is None:
            raise AttributeError(
                f"{type(self).__name__}.cleaned_data exists once the form is validated: call is_valid() first."
            )
        return self._cleaned_data

    @cleaned_data.setter
    def cleaned_data(self, value: dict[str, t.Any]) -> None:
        self._cleaned_data = value

    def clean(self) -> dict[str, t.Any] | None:
        """Validate the form as a whole, after every field. Override it.

        Read and change :attr:`cleaned_data`; raise :class:`ValidationError`
        for a non-field error, or call :meth:`add_error` (several errors, or
        an error on a field). Returning a dict replaces :attr:`cleaned_data`.
        """
        return self.cleaned_data

    def add_error(
        self, field: str | None, error: str | ValidationError | ModelValidationError | t.Iterable[str]
    ) -> None:
        """Add an error to ``field`` (its name), or to the form when ``field`` is None.

        The field's value leaves :attr:`cleaned_data`, and the form is no longer valid.
        A ``flaskkit.ValidationError`` made from a dict (``{"end": "...", "__all__": "..."}``)
        goes to the fields it names; ``field`` must then be None, as in Django.
        """
        if isinstance(error, ModelValidationError) and hasattr(error, "error_dict"):
            if field is not None:
                raise TypeError(
                    "The argument `field` must be None when the error is a ValidationError made from a dict."
                )
            for name, messages in error.message_dict.items():
                self.add_error(None if name == NON_FIELD_ERRORS else name, messages)
            return
        messages = _messages(error)
        if field is None:
            self.form_errors.extend(messages)
        else:
            if field not in self._fields:
                raise ValueError(f"{type(self).__name__} has no field named {field!r}.")
            bound = self._fields[field]
            bound.errors = [*bound.errors, *messages]
            if self._cleaned_data is not None:
                self._cleaned_data.pop(field, None)
        if messages:
            self._valid = False

    def non_field_errors(self) -> list[str]:
        """The errors that concern the whole form (raised by :meth:`clean` or added with ``add_error(None, ...)``)."""
        return list(self.form_errors)

    def has_error(self, field: str | None) -> bool:
        """Whether ``field`` (None: the form as a whole) has errors."""
        if field is None:
            return bool(self.form_errors)
        return bool(self._fields[field].errors)

    # -- the flow --------------------------------------------------------------

    def validate(self, extra_validators: t.Mapping[str, t.Sequence[t.Any]] | None = None) -> bool:
        """Run the whole flow (see the class docstring); True when nothing failed."""
        super().validate(extra_validators=extra_validators)
        csrf_name = getattr(self.meta, "csrf_field_name", "csrf_token") if self.meta.csrf else None
        self._cleaned_data = {
            name: field.data for name, field in self._fields.items() if not field.errors and name != csrf_name
        }
        for name in list(self._cleaned_data):
            method = getattr(self, f"clean_{name}", None)
            if method is None:
                continue
            try:
                self._cleaned_data[name] = method()
            except (ValidationError, StopValidation, ModelValidationError) as exc:
                self.add_error(name, exc)
        try:
            result = self.clean()
        except (ValidationError, StopValidation, ModelValidationError) as exc:
            self.add_error(None, exc)
        else:
            if result is not None:
                self._cleaned_data = dict(result)
        self._post_clean()
        self._valid = not self.errors
        return self._valid

    def _post_clean(self) -> None:
        """A hook after :meth:`clean` (``ModelForm`` checks uniqueness here)."""


def _messages(error: str | ValidationError | StopValidation | ModelValidationError | t.Iterable[str]) -> list[str]:
    if isinstance(error, ModelValidationError):
        return error.messages
    if isinstance(error, ValidationError | StopValidation):
        return [str(arg) for arg in error.args if arg] or ["This value is not valid."]
    if isinstance(error, str):
        return [error]
    return [str(message) for message in error]

"""The auth forms: Django's ``AuthenticationForm``, ``UserCreationForm``, ``PasswordChangeForm``, ``SetPasswordForm``.

Forms of the forms plugin (CSRF included), with Django's fields, labels and
error messages.
"""

from __future__ import annotations

import typing as t
import unicodedata

import sqlalchemy as sa
from wtforms import PasswordField
from wtforms import StringField
from wtforms.validators import InputRequired
from wtforms.validators import Length

from flaskkit.plugins.forms import Form
from flaskkit.plugins.forms import ValidationError
from flaskkit.plugins.orm import db
from flaskkit.translation import gettext
from flaskkit.translation import gettext_lazy
from flaskkit.translation import gettext_noop

from . import password_validation
from .login import authenticate
from .models import UnicodeUsernameValidator
from .models import save
from .users import get_user_model

__all__ = ["AuthenticationForm", "PasswordChangeForm", "SetPasswordForm", "UserCreationForm"]

#: Django's messages.
PASSWORD_MISMATCH = gettext_noop("The two password fields didn’t match.")  # noqa: RUF001  (Django's apostrophe)
INVALID_LOGIN = gettext_noop(
    "Please enter a correct {username} and password. Note that both fields may be case-sensitive."
)
INACTIVE = gettext_noop("This account is inactive.")
PASSWORD_INCORRECT = gettext_noop("Your old password was entered incorrectly. Please enter it again.")
USERNAME_TAKEN = gettext_noop("A user with that username already exists.")


def _password_help() -> str:
    return " ".join(password_validation.password_validators_help_texts())


def normalize_username_input(value: t.Any) -> t.Any:
    """What Django's ``UsernameField`` does to a typed username: strip the spaces around it and
    NFKC-normalise it (full-width ``ｋａｔｅ`` is ``kate``, as registration stored it)."""  # noqa: RUF002
    return unicodedata.normalize("NFKC", value.strip()) if isinstance(value, str) else value


def _username_validator(form: Form, field: t.Any) -> None:
    message = UnicodeUsernameValidator()(field.data)
    if message:
        raise ValidationError(gettext(message))


class AuthenticationForm(Form):
    """The login form: ``authenticate()`` runs in :meth:`clean`; :meth:`get_user` is the user."""

    username = StringField(
        gettext_lazy("Username"),
        validators=[InputRequired()],
        filters=[normalize_username_input],
        render_kw={"autofocus": True, "autocomplete": "username", "maxlength": 150},
    )
    password = PasswordField(
        gettext_lazy("Password"), validators=[InputRequired()], render_kw={"autocomplete": "current-password"}
    )

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_cache: t.Any = None
        model = get_user_model()
        label = str(
            getattr(model, "verbose_names", {}).get(model.USERNAME_FIELD, model.USERNAME_FIELD.replace("_", " "))
        )
        self.username.label.text = label[:1].upper() + label[1:]
        #: The username field's name in messages ("username", "email address"...).
        self.username_label = label

    def clean(self) -> dict[str, t.Any]:
        data = self.cleaned_data
        username, password = data.get("username"), data.get("password")
        if username is not None and password:
            self.user_cache = authenticate(username=username, password=password)
            if self.user_cache is None:
                raise ValidationError(gettext(INVALID_LOGIN).format(username=self.username_label))
            self.confirm_login_allowed(self.user_cache)
        return data

    def confirm_login_allowed(self, user: t.Any) -> None:
        """Refuse a user that a backend let through but who may not log in (an inactive one)."""
        if not getattr(user, "is_active", True):
            raise ValidationError(gettext(INACTIVE))

    def get_user(self) -> t.Any:
        return self.user_cache


class SetPasswordForm(Form):
    """Set a user's password without the old one (the base of :class:`PasswordChangeForm`)."""

    new_password1 = PasswordField(
        gettext_lazy("New password"), validators=[InputRequired()], render_kw={"autocomplete": "new-password"}
    )
    new_password2 = PasswordField(
        gettext_lazy("New password confirmation"),
        validators=[InputRequired()],
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, user: t.Any, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.new_password1.description = _password_help()

    def clean_new_password2(self) -> str:
        first = self.cleaned_data.get("new_password1")
        second = t.cast(str, self.cleaned_data.get("new_password2"))
        if first and second and first != second:
            raise ValidationError(gettext(PASSWORD_MISMATCH))
        password_validation.validate_password(second, self.user)
        return second

    def save(self, commit: bool = True) -> t.Any:
        """Set the new password; saved (committed) unless ``commit=False``."""
        password = self.cleaned_data["new_password1"]
        self.user.set_password(password)
        if commit:
            save(self.user)
            password_validation.password_changed(password, self.user)
        return self.user


class PasswordChangeForm(SetPasswordForm):
    """Change one's own password: the old one, then the new one twice."""

    old_password = PasswordField(
        gettext_lazy("Old password"),
        validators=[InputRequired()],
        render_kw={"autofocus": True, "autocomplete": "current-password"},
    )

    def __init__(self, user: t.Any, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(user, *args, **kwargs)
        # The old password comes first, as in Django (WTForms orders a subclass's fields last).
        self._fields.move_to_end("old_password", last=False)

    def clean_old_password(self) -> str:
        old = t.cast(str, self.cleaned_data.get("old_password"))
        if not self.user.check_password(old):
            raise ValidationError(gettext(PASSWORD_INCORRECT))
        return old


class UserCreationForm(Form):
    """Register a user: a username and a password typed twice (Django's ``UserCreationForm``).

    Subclass it to ask for more; :meth:`save` creates the user of
    ``AUTH_USER_MODEL`` with the form's other fields that are columns of it.
    """

    username = StringField(
        gettext_lazy("Username"),
        validators=[InputRequired(), Length(max=150), _username_validator],
        description=gettext_lazy("Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only."),
        render_kw={"autofocus": True, "autocomplete": "username", "maxlength": 150},
    )
    password1 = PasswordField(
        gettext_lazy("Password"), validators=[InputRequired()], render_kw={"autocomplete": "new-password"}
    )
    password2 = PasswordField(
        gettext_lazy("Password confirmation"),
        validators=[InputRequired()],
        description=gettext_lazy("Enter the same password as before, for verification."),
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.password1.description = _password_help()
        self.instance: t.Any = None

    def clean_username(self) -> str:
        model = get_user_model()
        username = model.normalize_username(self.cleaned_data.get("username"))
        column = getattr(model, model.USERNAME_FIELD)
        taken = db.session.scalar(
            sa.select(sa.func.count()).select_from(model).where(sa.func.lower(column) == username.lower())
        )
        if taken:
            raise ValidationError(gettext(USERNAME_TAKEN))
        return t.cast(str, username)

    def clean_password2(self) -> str:
        first = self.cleaned_data.get("password1")
        second = t.cast(str, self.cleaned_data.get("password2"))
        if first and second and first != second:
            raise ValidationError(gettext(PASSWORD_MISMATCH))
        return second

    def _post_clean(self) -> None:
        # As Django: the password is validated against the user being created (the similarity check).
        password = self.cleaned_data.get("password2")
        self.instance = self._build_user()
        if password and not self.password2.errors:
            try:
                password_validation.validate_password(password, self.instance)
            except password_validation.ValidationError as error:
                self.add_error("password2", error.messages)

    def _build_user(self) -> t.Any:
        model = get_user_model()
        attrs = sa.inspect(model).attrs
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if name in attrs and name not in ("password", "password1", "password2")
        }
        if model.USERNAME_FIELD not in data and "username" in self.cleaned_data:
            data[model.USERNAME_FIELD] = self.cleaned_data["username"]
        return model(**data)

    def save(self, commit: bool = True) -> t.Any:
        """The new user, with its password set; saved (committed) unless ``commit=False``."""
        user = self.instance if self.instance is not None else self._build_user()
        user.set_password(self.cleaned_data["password1"])
        if commit:
            save(user)
            password_validation.password_changed(self.cleaned_data["password1"], user)
        return user

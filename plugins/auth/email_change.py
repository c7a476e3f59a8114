"""Changing one's email address, confirmed by mail.

===========================================  =============================  ====================================
URL (under ``AUTH_URL_PREFIX``)              endpoint                       template
===========================================  =============================  ====================================
``email_change/``                            ``auth.email_change``          ``auth/email_change_form.html``
``email_change/done/``                       ``auth.email_change_done``     ``auth/email_change_done.html``
``email_change/confirm/<token>/``            ``auth.email_change_confirm``  ``auth/email_change_confirm.html``
``email_change/complete/``                   ``auth.email_change_complete`` ``auth/email_change_complete.html``
===========================================  =============================  ====================================

A logged-in user gives the new address and their password; a link is mailed to
the **new** address (``auth/email_change_email.txt``, subject
``auth/email_change_subject.txt``). The address changes only when that link is
opened, by the same user, logged in, and confirmed with a POST (mail scanners
that follow links change nothing). The link is signed, expires after
``AUTH_EMAIL_CHANGE_TIMEOUT`` and is single-use: it holds a hash of the current
address and password hash, so it dies when either changes. Afterwards the
**old** address is told (``auth/email_changed_notice.txt``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import typing as t

from flask import current_app
from flask import redirect
from flask import render_template
from flask import url_for
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import URLSafeTimedSerializer
from wtforms import PasswordField
from wtforms import StringField
from wtforms import ValidationError
from wtforms.validators import InputRequired
from wtforms.validators import Length

from flaskkit.plugins.forms import Form
from flaskkit.translation import gettext
from flaskkit.translation import gettext_lazy
from flaskkit.translation import gettext_noop

from .mixins import LoginRequiredMixin
from .models import _salted_hmac
from .models import save
from .notify import notify
from .password_reset import _email_field
from .password_reset import throttled
from .password_reset import throttled_page
from .users import current_user
from .views import AuthView
from .views import add_never_cache_headers

if t.TYPE_CHECKING:
    from flask import Blueprint
    from flask.typing import ResponseReturnValue

__all__ = [
    "EmailChangeCompleteView",
    "EmailChangeConfirmView",
    "EmailChangeDoneView",
    "EmailChangeForm",
    "EmailChangeView",
    "add_urls",
    "make_email_change_token",
    "read_email_change_token",
]

logger = logging.getLogger("flaskkit.auth")
_SALT = "flaskkit.plugins.auth.email_change"
SAME_EMAIL = gettext_noop("This is already your email address.")
PASSWORD_INCORRECT = gettext_noop("Your password was entered incorrectly. Please enter it again.")


def _binding(user: t.Any) -> str:
    """A hash of what must not change before the link is used: the current address and the password hash."""
    current = getattr(user, user.get_email_field_name(), "") or ""
    return _salted_hmac(_SALT, f"{user.pk}{current}{user.password}")[:32]


def _serializer() -> URLSafeTimedSerializer:
    keys = [*(current_app.config.get("SECRET_KEY_FALLBACKS") or ()), current_app.secret_key]
    return URLSafeTimedSerializer([k for k in keys if k], salt=_SALT, signer_kwargs={"digest_method": hashlib.sha256})


def make_email_change_token(user: t.Any, new_email: str) -> str:
    """A signed token that changes ``user``'s address to ``new_email``."""
    return _serializer().dumps({"u": str(user.pk), "e": new_email, "b": _binding(user)})


def read_email_change_token(user: t.Any, token: str) -> str | None:
    """The new address of a valid, unexpired, unused token for ``user``, else None."""
    max_age = int(current_app.config.get("AUTH_EMAIL_CHANGE_TIMEOUT", 259200))
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or data.get("u") != str(user.pk) or not isinstance(data.get("e"), str):
        return None
    if not hmac.compare_digest(str(data.get("b", "")), _binding(user)):
        return None
    return data["e"]


class EmailChangeForm(Form):
    """The new address, and the password to prove it is the user."""

    email = StringField(
        gettext_lazy("New email address"),
        validators=[InputRequired(), Length(max=254), _email_field],
        render_kw={"autocomplete": "email", "maxlength": 254, "type": "email", "autofocus": True},
    )
    password = PasswordField(
        gettext_lazy("Password"), validators=[InputRequired()], render_kw={"autocomplete": "current-password"}
    )

    def __init__(self, user: t.Any, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = t.cast(str, self.cleaned_data.get("email"))
        current = getattr(self.user, self.user.get_email_field_name(), "") or ""
        if email.casefold() == current.casefold():
            raise ValidationError(gettext(SAME_EMAIL))
        return email

    def clean_password(self) -> str:
        password = t.cast(str, self.cleaned_data.get("password"))
        if not self.user.check_password(password):
            raise ValidationError(gettext(PASSWORD_INCORRECT))
        return password


class EmailChangeView(LoginRequiredMixin, AuthView):
    """Ask for a new address: a confirmation link goes to it."""

    form_class: type[EmailChangeForm] = EmailChangeForm
    template_name = "auth/email_change_form.html"
    email_template_name = "auth/email_change_email.txt"
    subject_template_name = "auth/email_change_subject.txt"
    success_message = gettext_lazy(
        "We’ve emailed a confirmation link to your new address. Open it to finish the change."  # noqa: RUF001
    )

    def get(self) -> ResponseReturnValue:
        user = current_user._get_current_object()  # type: ignore[attr-defined]
        return self.render(form=self.form_class(user, formdata=None))

    def post(self) -> ResponseReturnValue:
        from flaskkit.plugins.mail import EmailMessage
        from flaskkit.plugins.mail import send_after_response

        user = current_user._get_current_object()  # type: ignore[attr-defined]
        form = self.form_class(user)
        if not form.is_valid():
            return self.render(form=form)
        new_email = form.cleaned_data["email"]
        wait = throttled(new_email)
        if wait is not None:
            return throttled_page(wait)
        token = make_email_change_token(user, new_email)
        context = {
            "user": user,
            "new_email": new_email,
            "confirm_url": url_for("auth.email_change_confirm", token=token, _external=True),
            "site_name": current_app.config.get("SITE_NAME") or "",
        }
        subject = "".join(render_template(self.subject_template_name, **context).splitlines())
        message = EmailMessage(subject, render_template(self.email_template_name, **context), None, [new_email])
        send_after_response(lambda: _send(message, user.pk), description="the email change confirmation")
        notify("info", self.success_message)
        return add_never_cache_headers(redirect(url_for(".email_change_done")))


def _send(message: t.Any, user_id: t.Any) -> None:
    from flaskkit.plugins.mail import deliver

    try:
        deliver([message])  # through the tasks plugin when the app enables it
    except Exception:
        logger.exception("Failed to send the email change mail of user %s", user_id)


class EmailChangeDoneView(LoginRequiredMixin, AuthView):
    """ "Check the inbox of your new address"."""

    methods: t.ClassVar[list[str]] = ["GET"]
    template_name = "auth/email_change_done.html"

    def get(self) -> ResponseReturnValue:
        return self.render()


class EmailChangeConfirmView(LoginRequiredMixin, AuthView):
    """The link of the mail: shows the new address (GET), changes it (POST), tells the old address."""

    template_name = "auth/email_change_confirm.html"
    notice_template_name = "auth/email_changed_notice.txt"
    notice_subject_template_name = "auth/email_changed_notice_subject.txt"
    success_message = gettext_lazy("Your email address was changed.")

    def get(self, token: str) -> ResponseReturnValue:
        user = current_user._get_current_object()  # type: ignore[attr-defined]
        new_email = read_email_change_token(user, token)
        response = self.render(validlink=new_email is not None, new_email=new_email, form=Form(formdata=None))
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def post(self, token: str) -> ResponseReturnValue:
        from flaskkit.plugins.mail import EmailMessage
        from flaskkit.plugins.mail import send_after_response

        user = current_user._get_current_object()  # type: ignore[attr-defined]
        form = Form()
        new_email = read_email_change_token(user, token)
        if new_email is None or not form.is_valid():
            return self.render(validlink=False, new_email=None, form=form)
        field = user.get_email_field_name()
        old_email = getattr(user, field, "") or ""
        setattr(user, field, new_email)
        save(user)
        if old_email:
            context = {
                "user": user,
                "old_email": old_email,
                "new_email": new_email,
                "site_name": current_app.config.get("SITE_NAME") or "",
            }
            subject = "".join(render_template(self.notice_subject_template_name, **context).splitlines())
            notice = EmailMessage(subject, render_template(self.notice_template_name, **context), None, [old_email])
            send_after_response(lambda: _send(notice, user.pk), description="the email change notice")
        notify("success", self.success_message)
        return add_never_cache_headers(redirect(url_for(".email_change_complete")))


class EmailChangeCompleteView(LoginRequiredMixin, AuthView):
    """ "Your email address is now ..."."""

    methods: t.ClassVar[list[str]] = ["GET"]
    template_name = "auth/email_change_complete.html"

    def get(self) -> ResponseReturnValue:
        return self.render()


def add_urls(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/email_change/", view_func=EmailChangeView.as_view("email_change"))
    blueprint.add_url_rule("/email_change/done/", view_func=EmailChangeDoneView.as_view("email_change_done"))
    blueprint.add_url_rule(
        "/email_change/confirm/<token>/", view_func=EmailChangeConfirmView.as_view("email_change_confirm")
    )
    blueprint.add_url_rule(
        "/email_change/complete/", view_func=EmailChangeCompleteView.as_view("email_change_complete")
    )

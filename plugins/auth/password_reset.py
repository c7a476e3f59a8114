"""Password reset by email: Django's four views, on the mail plugin.

=====================================  ================================  ==========================================
URL (under ``AUTH_URL_PREFIX``)        endpoint                          template
=====================================  ================================  ==========================================
``password_reset/``                    ``auth.password_reset``           ``auth/password_reset_form.html``
``password_reset/done/``               ``auth.password_reset_done``      ``auth/password_reset_done.html``
``reset/<uidb64>/<token>/``            ``auth.password_reset_confirm``   ``auth/password_reset_confirm.html``
``reset/done/``                        ``auth.password_reset_complete``  ``auth/password_reset_complete.html``
=====================================  ================================  ==========================================

The mail: ``auth/password_reset_subject.txt``, ``auth/password_reset_email.txt``
(text) and ``auth/password_reset_email.html`` (its HTML alternative); override
any of them in the app's ``templates/auth/``.

What the flow guarantees:

* **No account enumeration.** A known and an unknown address get the same
  redirect and page. The request does the same work for both (the user lookup,
  then the mail's templates rendered, for a stand-in when nobody matches), and
  the mail itself is sent once the response is gone
  (:func:`flaskkit.plugins.mail.send_after_response`), so the SMTP conversation
  is not part of the response time.
* **Single-use, expiring links** (``tokens.py``): a link dies when the password
  changes, when the user logs in, and after ``PASSWORD_RESET_TIMEOUT``.
* **The token leaves the URL** before the page renders: the confirm view keeps
  it in the session and redirects to ``reset/<uidb64>/set-password/``, so the
  page's links and resources never send it in a ``Referer`` header.
* **Throttled** per client address and per email address
  (``AUTH_PASSWORD_RESET_ADDRESS_LIMIT`` / ``_EMAIL_LIMIT`` per
  ``AUTH_PASSWORD_RESET_WINDOW``), counted atomically in the cache: a 429.
* Inactive users and users without a usable password get no mail.
* When the mail server is down, the page is the same (the mail is sent after
  it) and the failure is logged on ``flaskkit.auth`` at level ERROR, with the
  user's id: nothing is lost silently.
"""

from __future__ import annotations

import logging
import re
import typing as t
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Blueprint
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from wtforms import StringField
from wtforms import ValidationError
from wtforms.validators import InputRequired
from wtforms.validators import Length

from flaskkit import ConfigurationError
from flaskkit.plugins.forms import Form
from flaskkit.plugins.orm import db
from flaskkit.translation import gettext
from flaskkit.translation import gettext_lazy
from flaskkit.translation import gettext_noop
from flaskkit.translation import ngettext

from .forms import SetPasswordForm
from .login import login
from .notify import notify
from .ratelimit import RateLimit
from .ratelimit import hit
from .throttle import client_address
from .tokens import default_token_generator
from .tokens import urlsafe_base64_decode
from .tokens import urlsafe_base64_encode
from .users import auth_plugin
from .users import get_user_model
from .views import AuthView
from .views import add_never_cache_headers

if t.TYPE_CHECKING:
    import collections.abc as cabc

    from flask import Flask
    from flask.typing import ResponseReturnValue

    from .tokens import PasswordResetTokenGenerator

__all__ = [
    "INTERNAL_RESET_SESSION_TOKEN",
    "RESET_DEFAULTS",
    "PasswordResetCompleteView",
    "PasswordResetConfirmView",
    "PasswordResetDoneView",
    "PasswordResetForm",
    "PasswordResetView",
    "ResetSettings",
    "add_urls",
    "read_reset_settings",
    "validate_email",
]

logger = logging.getLogger("flaskkit.auth")

#: The session key that holds the token between the link and the form (Django's).
INTERNAL_RESET_SESSION_TOKEN = "_password_reset_token"

#: The settings of the password reset and email change flows, and their defaults.
RESET_DEFAULTS: dict[str, t.Any] = {
    #: Seconds a reset link stays valid (Django's default: 3 days).
    "PASSWORD_RESET_TIMEOUT": 60 * 60 * 24 * 3,
    #: None: on when the mail plugin is enabled. True without it is an error at boot.
    "AUTH_PASSWORD_RESET_ENABLED": None,
    #: None: on when the mail plugin is enabled (changing one's email address, confirmed by mail).
    "AUTH_EMAIL_CHANGE_ENABLED": None,
    #: Seconds an email change link stays valid.
    "AUTH_EMAIL_CHANGE_TIMEOUT": 60 * 60 * 24 * 3,
    #: Reset (and email change) requests per email address, and per client address, in each window.
    "AUTH_PASSWORD_RESET_EMAIL_LIMIT": 3,
    "AUTH_PASSWORD_RESET_ADDRESS_LIMIT": 20,
    "AUTH_PASSWORD_RESET_WINDOW": 60 * 60,
}

INVALID_EMAIL = gettext_noop("Enter a valid email address.")
#: Django's local-part and domain rules, simplified: no spaces, one "@", a dot in the domain.
_EMAIL_RE = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f.]+\Z")


def validate_email(value: str) -> str:
    """``value`` stripped when it is an email address (254 characters at most), else ``ValidationError``."""
    value = (value or "").strip()
    local, _, domain = value.rpartition("@")
    if len(value) > 254 or not _EMAIL_RE.match(value) or ".." in domain or domain.startswith("."):
        raise ValidationError(gettext(INVALID_EMAIL))
    if not local or len(local) > 64:
        raise ValidationError(gettext(INVALID_EMAIL))
    return value


def _email_field(form: Form, field: t.Any) -> None:
    field.data = validate_email(field.data)


def _unicode_ci_compare(first: str, second: str) -> bool:
    """Django's comparison of email addresses: NFKC-normalised and case-folded."""
    return unicodedata.normalize("NFKC", first).casefold() == unicodedata.normalize("NFKC", second).casefold()


# -- settings ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResetSettings:
    """The password reset and email change settings of one app, validated."""

    reset_enabled: bool
    email_change_enabled: bool
    #: The cache alias of the throttle, or None when throttling is off (AUTH_THROTTLE_ENABLED = False).
    cache_alias: str | None
    email_limit: RateLimit
    address_limit: RateLimit


def read_reset_settings(app: Flask, enabled: cabc.Collection[str], cache_alias: str | None) -> ResetSettings:
    """Validate the settings; ``enabled`` are the names in ``PLUGINS``, ``cache_alias`` the throttle's cache."""
    config = app.config
    flags = {}
    for name, what in (
        ("AUTH_PASSWORD_RESET_ENABLED", "The password reset"),
        ("AUTH_EMAIL_CHANGE_ENABLED", "The email change"),
    ):
        value = config.get(name)
        if value not in (None, True, False):
            raise ConfigurationError(
                f"{name} must be True, False or None (on with the mail plugin), not {value!r}.", setting=name
            )
        if value is True and "mail" not in enabled:
            raise ConfigurationError(
                f"{name} is True, but {what.lower()} sends its link by email and the mail plugin is not enabled: "
                "add 'mail' to PLUGINS.",
                setting="PLUGINS",
                hint=f"Write PLUGINS = [..., 'mail', 'auth'] (and EMAIL_URL or EMAIL_HOST for the mail server), or set "
                f"{name} = False.",
            )
        flags[name] = "mail" in enabled if value is None else value
    numbers = {}
    for name in (
        "PASSWORD_RESET_TIMEOUT",
        "AUTH_EMAIL_CHANGE_TIMEOUT",
        "AUTH_PASSWORD_RESET_EMAIL_LIMIT",
        "AUTH_PASSWORD_RESET_ADDRESS_LIMIT",
        "AUTH_PASSWORD_RESET_WINDOW",
    ):
        value = config.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ConfigurationError(f"{name} must be a whole number greater than 0, not {value!r}.", setting=name)
        numbers[name] = value
    window = numbers["AUTH_PASSWORD_RESET_WINDOW"]
    return ResetSettings(
        reset_enabled=flags["AUTH_PASSWORD_RESET_ENABLED"],
        email_change_enabled=flags["AUTH_EMAIL_CHANGE_ENABLED"],
        cache_alias=cache_alias,
        email_limit=RateLimit("reset-email", numbers["AUTH_PASSWORD_RESET_EMAIL_LIMIT"], window),
        address_limit=RateLimit("reset-address", numbers["AUTH_PASSWORD_RESET_ADDRESS_LIMIT"], window),
    )


def throttled(email: str) -> int | None:
    """Count a request for ``email`` from this client; the seconds to wait when over a limit, else None."""
    settings: ResetSettings = auth_plugin().reset_settings
    if settings.cache_alias is None:
        return None
    from flaskkit.plugins.cache import caches

    cache = caches[settings.cache_alias]
    waits = [
        hit(cache, settings.address_limit, client_address()),
        hit(cache, settings.email_limit, unicodedata.normalize("NFKC", email).casefold()),
    ]
    found = [wait for wait in waits if wait is not None]
    return max(found) if found else None


def throttled_page(seconds: int, template: str = "auth/password_reset_throttled.html") -> ResponseReturnValue:
    minutes = max(1, -(-seconds // 60))
    wait = ngettext("%(num)d minute", "%(num)d minutes", minutes) % {"num": minutes}
    page = render_template(template, seconds=seconds, wait=wait)
    return add_never_cache_headers(current_app.make_response((page, 429, {"Retry-After": str(seconds)})))


# -- the form ----------------------------------------------------------------------------------------------


class _StandIn:
    """Who the mail is rendered for when no account has the address (the same work, then thrown away)."""

    pk = 0
    password = ""
    last_login = None
    is_active = True

    def __init__(self, email: str) -> None:
        self.email = email

    def get_email_field_name(self) -> str:
        return "email"

    def get_username(self) -> str:
        return ""

    def __str__(self) -> str:
        return ""


class PasswordResetForm(Form):
    """Django's ``PasswordResetForm``: an email address; :meth:`save` mails each matching user a link."""

    email = StringField(
        gettext_lazy("Email"),
        validators=[InputRequired(), Length(max=254), _email_field],
        render_kw={"autocomplete": "email", "maxlength": 254, "autofocus": True, "type": "email"},
    )

    def get_users(self, email: str) -> list[t.Any]:
        """The active users with this address (case-insensitive) who have a usable password."""
        model = get_user_model()
        field = model.get_email_field_name()
        column = getattr(model, field, None)
        if column is None:
            return []
        query = sa.select(model).where(sa.func.lower(column) == email.lower())
        if "is_active" in sa.inspect(model).attrs:
            query = query.where(model.is_active.is_(True))
        users = db.session.scalars(query).all()
        return [
            user
            for user in users
            if user.is_active and user.has_usable_password() and _unicode_ci_compare(email, getattr(user, field) or "")
        ]

    def build_message(
        self,
        user: t.Any,
        *,
        subject_template_name: str,
        email_template_name: str,
        html_email_template_name: str | None,
        token_generator: PasswordResetTokenGenerator,
        from_email: str | None,
        extra_email_context: t.Mapping[str, t.Any] | None,
    ) -> t.Any:
        """The mail for ``user`` (an ``EmailMultiAlternatives``), rendered now, sent later."""
        from flaskkit.plugins.mail import EmailMultiAlternatives

        to_email = getattr(user, user.get_email_field_name())
        uid = urlsafe_base64_encode(str(user.pk).encode())
        token = token_generator.make_token(user)
        context = {
            "email": to_email,
            "domain": request.host,
            "site_name": current_app.config.get("SITE_NAME") or request.host,
            "uid": uid,
            "user": user,
            "token": token,
            "protocol": request.scheme,
            "reset_url": url_for("auth.password_reset_confirm", uidb64=uid, token=token, _external=True),
            "timeout_days": max(1, round(token_generator.timeout / 86400)),
            **(extra_email_context or {}),
        }
        subject = "".join(render_template(subject_template_name, **context).splitlines())  # no header injection
        body = render_template(email_template_name, **context)
        message = EmailMultiAlternatives(subject, body, from_email, [to_email])
        if html_email_template_name:
            message.attach_alternative(render_template(html_email_template_name, **context), "text/html")
        message.user_id = user.pk
        return message

    def save(self, **options: t.Any) -> int:
        """Mail a reset link to each user with the address (after the response); the number of mails."""
        from flaskkit.plugins.mail import send_after_response

        email = self.cleaned_data["email"]
        users = self.get_users(email)
        messages = [self.build_message(user, **options) for user in users]
        if not users:
            self.build_message(_StandIn(email), **options)  # the same work for an unknown address
        # For an unknown address too: the same thread is started, it sends nothing.
        send_after_response(lambda: _send(messages), description="the password reset email")
        return len(messages)


def _send(messages: list[t.Any]) -> None:
    from flaskkit.plugins.mail import deliver

    for message in messages:
        try:
            deliver([message])  # through the tasks plugin when the app enables it
        except Exception:
            logger.exception("Failed to send password reset email to %s", message.user_id)


# -- the views ---------------------------------------------------------------------------------------------


class PasswordResetView(AuthView):
    """Ask for a reset link: the same redirect whether or not the address belongs to someone."""

    form_class: type[PasswordResetForm] = PasswordResetForm
    template_name = "auth/password_reset_form.html"
    email_template_name = "auth/password_reset_email.txt"
    html_email_template_name: str | None = "auth/password_reset_email.html"
    subject_template_name = "auth/password_reset_subject.txt"
    token_generator: PasswordResetTokenGenerator = default_token_generator
    #: None: ``DEFAULT_FROM_EMAIL``.
    from_email: str | None = None
    extra_email_context: dict[str, t.Any] | None = None
    #: Where to go afterwards (default: ``password_reset_done``).
    success_url: str | None = None
    #: The message for the next page (with the messages plugin).
    success_message = gettext_lazy(
        "We’ve emailed you instructions for setting your password, if an account exists with the email you "  # noqa: RUF001
        "entered."
    )

    def get(self) -> ResponseReturnValue:
        return self.render(form=self.form_class(formdata=None))

    def post(self) -> ResponseReturnValue:
        form = self.form_class()
        if not form.is_valid():
            return self.render(form=form)
        wait = throttled(form.cleaned_data["email"])
        if wait is not None:
            return throttled_page(wait)
        form.save(
            subject_template_name=self.subject_template_name,
            email_template_name=self.email_template_name,
            html_email_template_name=self.html_email_template_name,
            token_generator=self.token_generator,
            from_email=self.from_email,
            extra_email_context=self.extra_email_context,
        )
        notify("info", self.success_message)
        return add_never_cache_headers(redirect(self.success_url or url_for(".password_reset_done")))


class PasswordResetDoneView(AuthView):
    """ "Password reset sent": check your inbox."""

    methods: t.ClassVar[list[str]] = ["GET"]
    template_name = "auth/password_reset_done.html"

    def get(self) -> ResponseReturnValue:
        return self.render()


class PasswordResetConfirmView(AuthView):
    """The link of the mail: moves the token into the session, then asks for the new password."""

    form_class: type[SetPasswordForm] = SetPasswordForm
    template_name = "auth/password_reset_confirm.html"
    token_generator: PasswordResetTokenGenerator = default_token_generator
    #: What replaces the token in the URL once it is in the session (Django's).
    reset_url_token = "set-password"
    #: Log the user in after the reset (Django's ``post_reset_login``).
    post_reset_login = False
    post_reset_login_backend: str | None = None
    success_url: str | None = None
    success_message = gettext_lazy("Your password has been set. You may go ahead and log in now.")

    def dispatch(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        uidb64, token = kwargs["uidb64"], kwargs["token"]
        self.validlink = False
        self.user = self.get_user(uidb64)
        if self.user is not None:
            if token == self.reset_url_token:
                if self.token_generator.check_token(self.user, session.get(INTERNAL_RESET_SESSION_TOKEN)):
                    self.validlink = True
                    return super().dispatch(*args, **kwargs)
            elif self.token_generator.check_token(self.user, token):
                # Keep the token out of the URL of the page (and so out of its Referer headers).
                session[INTERNAL_RESET_SESSION_TOKEN] = token
                response = redirect(request.path.replace(token, self.reset_url_token))
                response.headers["Referrer-Policy"] = "no-referrer"
                return add_never_cache_headers(response)
        return self.render(form=None, validlink=False)

    def get_user(self, uidb64: str) -> t.Any:
        """The user of ``uidb64``, or None (bad base64, not a key, no such user)."""
        try:
            uid = urlsafe_base64_decode(uidb64).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        plugin = auth_plugin()
        key = plugin.user_pk_from_session(uid)
        if key is None:
            return None
        try:
            return db.session.get(plugin.user_model, key)
        except (OverflowError, sa.exc.DBAPIError, sa.exc.StatementError):
            db.session.rollback()
            return None

    def get(self, **kwargs: t.Any) -> ResponseReturnValue:
        return self.render(form=self.form_class(self.user, formdata=None), validlink=True)

    def post(self, **kwargs: t.Any) -> ResponseReturnValue:
        form = self.form_class(self.user)
        if not form.is_valid():
            return self.render(form=form, validlink=True)
        user = form.save()
        session.pop(INTERNAL_RESET_SESSION_TOKEN, None)
        if self.post_reset_login:
            login(user, backend=self.post_reset_login_backend or auth_plugin().default_backend_path)
        notify("success", self.success_message)
        return add_never_cache_headers(redirect(self.success_url or url_for(".password_reset_complete")))

    def get_context_data(self, **kwargs: t.Any) -> dict[str, t.Any]:
        return super().get_context_data(user=self.user, **kwargs)


class PasswordResetCompleteView(AuthView):
    """ "Your password has been set": a link to log in."""

    methods: t.ClassVar[list[str]] = ["GET"]
    template_name = "auth/password_reset_complete.html"

    def get(self) -> ResponseReturnValue:
        return self.render(login_url=self.settings.login_url)


def add_urls(blueprint: Blueprint) -> None:
    """Django's URLs of the reset views, on the auth blueprint."""
    blueprint.add_url_rule("/password_reset/", view_func=PasswordResetView.as_view("password_reset"))
    blueprint.add_url_rule("/password_reset/done/", view_func=PasswordResetDoneView.as_view("password_reset_done"))
    blueprint.add_url_rule(
        "/reset/<uidb64>/<token>/", view_func=PasswordResetConfirmView.as_view("password_reset_confirm")
    )
    blueprint.add_url_rule("/reset/done/", view_func=PasswordResetCompleteView.as_view("password_reset_complete"))

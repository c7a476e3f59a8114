"""The auth views, mounted under ``AUTH_URL_PREFIX`` (``/accounts``) as Django's ``django.contrib.auth.urls``.

=============================  ===========================  ==================================
URL                            endpoint                     view
=============================  ===========================  ==================================
``login/``                     ``auth.login``               :class:`LoginView`
``logout/`` (POST only)        ``auth.logout``              :class:`LogoutView`
``register/``                  ``auth.register``            :class:`RegisterView`
``password_change/``           ``auth.password_change``     :class:`PasswordChangeView`
``password_change/done/``      ``auth.password_change_done`` :class:`PasswordChangeDoneView`
=============================  ===========================  ==================================

Each is a class: mount it elsewhere, with other attributes, as a Flask view::

    app.add_url_rule("/signin/", view_func=LoginView.as_view("signin", template_name="myapp/signin.html"))
"""

from __future__ import annotations

import typing as t
from datetime import UTC
from datetime import datetime

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask.views import View
from werkzeug.http import http_date

from flaskkit.translation import gettext_lazy

from .forms import AuthenticationForm
from .forms import PasswordChangeForm
from .forms import UserCreationForm
from .login import login
from .login import logout
from .login import update_session_auth_hash
from .mixins import LoginRequiredMixin
from .notify import notify
from .urls import current_full_path
from .urls import get_safe_redirect
from .urls import resolve_url
from .users import auth_plugin
from .users import current_user

if t.TYPE_CHECKING:
    from flask.typing import ResponseReturnValue
    from werkzeug.wrappers import Response

    from .conf import AuthSettings

__all__ = [
    "AuthView",
    "LoginView",
    "LogoutView",
    "PasswordChangeDoneView",
    "PasswordChangeView",
    "RegisterView",
    "add_never_cache_headers",
    "make_blueprint",
]


def add_never_cache_headers(response: Response) -> Response:
    """Django's ``never_cache``: no browser or proxy may keep this page."""
    response.headers["Cache-Control"] = "max-age=0, no-cache, no-store, must-revalidate, private"
    response.headers["Expires"] = http_date(datetime.now(UTC))
    return response


class AuthView(View):
    """The base of the auth views: Django's view flow on Flask's ``View``.

    Each request gets a new instance, :meth:`setup` sets ``self.request``,
    ``self.args`` and ``self.kwargs``, then :meth:`dispatch` calls the method
    named after the HTTP method (``get``, ``post``), so the access mixins work
    here as on the views plugin's views. Keyword arguments of ``as_view``
    set class attributes (and must name existing ones).
    """

    methods: t.ClassVar[list[str]] = ["GET", "POST"]
    #: The template the view renders.
    template_name: str = ""
    #: More context for the template.
    extra_context: dict[str, t.Any] | None = None

    def __init__(self, **kwargs: t.Any) -> None:
        for key, value in kwargs.items():
            if not hasattr(type(self), key):
                raise TypeError(f"{type(self).__name__}.as_view() got {key!r}, which is not one of its attributes.")
            setattr(self, key, value)

    def setup(self, *args: t.Any, **kwargs: t.Any) -> None:
        self.request = request._get_current_object()  # type: ignore[attr-defined]
        self.args = args
        self.kwargs = kwargs

    def dispatch_request(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        self.setup(*args, **kwargs)
        return self.dispatch(*args, **kwargs)

    def dispatch(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        method = request.method.lower()
        handler = getattr(self, method, None)
        if handler is None and method == "head":
            handler = getattr(self, "get", None)
        if handler is None:
            abort(405)
        return t.cast("ResponseReturnValue", handler(*args, **kwargs))

    def get_context_data(self, **kwargs: t.Any) -> dict[str, t.Any]:
        context: dict[str, t.Any] = {"view": self, **(self.extra_context or {})}
        context.update(kwargs)
        return context

    def render(self, status: int = 200, **context: t.Any) -> Response:
        response = current_app.make_response(
            (render_template(self.template_name, **self.get_context_data(**context)), status)
        )
        return add_never_cache_headers(response)

    @property
    def settings(self) -> AuthSettings:
        return auth_plugin().settings


class LoginView(AuthView):
    """The login page: ``AuthenticationForm``; a failed login shows Django's message (200), a
    successful one goes to the safe ``next`` URL or ``LOGIN_REDIRECT_URL`` (302)."""

    form_class: type[AuthenticationForm] = AuthenticationForm
    template_name = "auth/login.html"
    redirect_field_name = "next"
    #: Where to go after logging in when there is no safe ``next`` (default: ``LOGIN_REDIRECT_URL``).
    next_page: str | None = None
    #: Redirect a user who is already logged in (default: ``AUTH_REDIRECT_AUTHENTICATED_USER``).
    redirect_authenticated_user: bool | None = None
    #: The message for the next page (with the messages plugin); ``{username}`` is the user's.
    success_message = gettext_lazy("You are logged in as {username}.")

    def dispatch(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        redirect_authenticated = self.redirect_authenticated_user
        if redirect_authenticated is None:
            redirect_authenticated = self.settings.redirect_authenticated_user
        if redirect_authenticated and current_user.is_authenticated:
            target = self.get_success_url()
            if target == current_full_path():
                raise ValueError(
                    "Redirection loop for authenticated user detected. Check that your LOGIN_REDIRECT_URL "
                    "doesn't point to a login page."
                )
            return redirect(target)
        return super().dispatch(*args, **kwargs)

    def get_success_url(self) -> str:
        return get_safe_redirect(self.redirect_field_name) or resolve_url(
            self.next_page or self.settings.login_redirect_url
        )

    def get(self) -> ResponseReturnValue:
        return self.render(form=self.form_class(formdata=None))

    def post(self) -> ResponseReturnValue:
        form = self.form_class()
        if form.is_valid():
            user = form.get_user()
            login(user)
            notify("success", self.success_message.format(username=user.get_username()))
            return redirect(self.get_success_url())
        return self.render(form=form)

    def get_context_data(self, **kwargs: t.Any) -> dict[str, t.Any]:
        return super().get_context_data(
            next=get_safe_redirect(self.redirect_field_name),
            password_reset_enabled=self.settings.url_prefix is not None and auth_plugin().reset_settings.reset_enabled,
            redirect_field_name=self.redirect_field_name,
            registration_enabled=self.settings.registration_enabled and self.settings.url_prefix is not None,
            **kwargs,
        )


class LogoutView(AuthView):
    """Log out: **POST only** (a GET is 405, since Django 5.0), CSRF-checked. Empties the session,
    then goes to the safe ``next``, or ``LOGOUT_REDIRECT_URL``, or renders ``auth/logged_out.html``."""

    methods: t.ClassVar[list[str]] = ["POST"]
    template_name = "auth/logged_out.html"
    redirect_field_name = "next"
    #: Where to go after logging out (default: ``LOGOUT_REDIRECT_URL``).
    next_page: str | None = None
    #: The message for the next page (with the messages plugin).
    success_message = gettext_lazy("You have been logged out.")

    def post(self) -> ResponseReturnValue:
        logout()
        notify("info", self.success_message)
        target = self.get_success_url()
        if target != current_full_path():
            return add_never_cache_headers(redirect(target))
        return self.render()

    def get_success_url(self) -> str:
        safe = get_safe_redirect(self.redirect_field_name)
        if safe:
            return safe
        page = self.next_page or self.settings.logout_redirect_url
        return resolve_url(page) if page else current_full_path()


class RegisterView(AuthView):
    """Sign up: ``UserCreationForm``; the new user is logged in and goes to the safe ``next`` or
    ``LOGIN_REDIRECT_URL``. Switched off by ``AUTH_REGISTRATION_ENABLED = False``."""

    form_class: type[UserCreationForm] = UserCreationForm
    template_name = "auth/register.html"
    redirect_field_name = "next"
    next_page: str | None = None
    #: The message for the next page (with the messages plugin); ``{username}`` is the new user's.
    success_message = gettext_lazy("Welcome, {username}: your account is ready.")

    def get(self) -> ResponseReturnValue:
        return self.render(form=self.form_class(formdata=None))

    def post(self) -> ResponseReturnValue:
        form = self.form_class()
        if form.is_valid():
            user = form.save()
            login(user, backend=auth_plugin().default_backend_path)
            notify("success", self.success_message.format(username=user.get_username()))
            return redirect(
                get_safe_redirect(self.redirect_field_name)
                or resolve_url(self.next_page or self.settings.login_redirect_url)
            )
        return self.render(form=form)

    def get_context_data(self, **kwargs: t.Any) -> dict[str, t.Any]:
        return super().get_context_data(next=get_safe_redirect(self.redirect_field_name), **kwargs)


class PasswordChangeView(LoginRequiredMixin, AuthView):
    """Change one's password (logged-in users only): the other sessions of the user are logged
    out, this one stays logged in (``update_session_auth_hash``)."""

    form_class: type[PasswordChangeForm] = PasswordChangeForm
    template_name = "auth/password_change_form.html"
    #: Where to go afterwards (default: the ``password_change_done`` view next to this one).
    success_url: str | None = None
    #: The message for the next page (with the messages plugin).
    success_message = gettext_lazy("Your password was changed.")

    def get(self) -> ResponseReturnValue:
        return self.render(form=self.form_class(current_user._get_current_object(), formdata=None))  # type: ignore[attr-defined]

    def post(self) -> ResponseReturnValue:
        user = current_user._get_current_object()  # type: ignore[attr-defined]
        form = self.form_class(user)
        if form.is_valid():
            form.save()
            update_session_auth_hash(user)
            notify("success", self.success_message)
            return redirect(resolve_url(self.success_url) if self.success_url else url_for(".password_change_done"))
        return self.render(form=form)


class PasswordChangeDoneView(LoginRequiredMixin, AuthView):
    """ "Your password was changed." (logged-in users only)."""

    methods: t.ClassVar[list[str]] = ["GET"]
    template_name = "auth/password_change_done.html"

    def get(self) -> ResponseReturnValue:
        return self.render()


def make_blueprint(settings: AuthSettings) -> Blueprint:
    """The ``auth`` blueprint of one app (a new one per app, under ``AUTH_URL_PREFIX``)."""
    blueprint = Blueprint("auth", __name__, url_prefix=settings.url_prefix or None)
    blueprint.add_url_rule("/login/", view_func=LoginView.as_view("login"))
    blueprint.add_url_rule("/logout/", view_func=LogoutView.as_view("logout"))
    if settings.registration_enabled:
        blueprint.add_url_rule("/register/", view_func=RegisterView.as_view("register"))
    blueprint.add_url_rule("/password_change/", view_func=PasswordChangeView.as_view("password_change"))
    blueprint.add_url_rule("/password_change/done/", view_func=PasswordChangeDoneView.as_view("password_change_done"))
    return blueprint

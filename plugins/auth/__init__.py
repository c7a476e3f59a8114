"""The ``auth`` plugin: Django's ``django.contrib.auth`` on Flask-Login.

::

    # settings.py
    PLUGINS = ["orm", "session", "cache", "forms", "auth"]

    # views.py
    from flaskkit.plugins.auth import current_user, login_required, permission_required

    @app.get("/dashboard")
    @login_required
    def dashboard():
        return render_template("dashboard.html", user=current_user)

* models ``User`` (or your own, ``AUTH_USER_MODEL``), ``Group``, ``Permission``,
  shipped with their migrations (``flask db upgrade``);
* Django's password hashers (``pbkdf2_sha256``, 1,000,000 iterations; hashes
  made by Django verify, outdated ones are upgraded at login) and its four
  password validators;
* ``authenticate``, ``login``, ``logout``, the session auth hash, throttled
  failed logins (429);
* the views of ``django.contrib.auth.urls`` under ``/accounts/``, the access
  decorators and mixins, ``perms`` in templates;
* with the mail plugin: password reset by email (Django's four views) and
  changing one's email address, confirmed by mail;
* ``flask auth createsuperuser | changepassword | sync-perms``.

See docs/plugins/auth.md.
"""

from __future__ import annotations

import typing as t
import weakref
from pathlib import Path

from flask import Blueprint
from flask import has_request_context
from flask import jsonify
from flask import render_template
from flask import request

from flaskkit import Plugin
from flaskkit import get_kit
from flaskkit.checks import DATABASE
from flaskkit.checks import DEPLOY
from flaskkit.checks import Info as CheckInfo
from flaskkit.checks import Warning as CheckWarning
from flaskkit.checks import check
from flaskkit.services import service_unavailable
from flaskkit.translation import ngettext

from . import checks as _checks
from .backends import AllowAllUsersModelBackend
from .backends import BaseBackend
from .backends import ModelBackend
from .backends import get_backends
from .conf import DEFAULT_USER_MODEL
from .conf import DEFAULTS
from .conf import AuthSettings
from .conf import load_backends
from .conf import load_hashers
from .conf import load_user_model
from .conf import load_validators
from .conf import read_settings
from .context_processors import PermWrapper
from .context_processors import auth_context
from .decorators import login_not_required
from .decorators import login_required
from .decorators import permission_required
from .decorators import user_passes_test
from .email_change import EmailChangeConfirmView
from .email_change import EmailChangeForm
from .email_change import EmailChangeView
from .exceptions import PermissionDenied
from .forms import AuthenticationForm
from .forms import PasswordChangeForm
from .forms import SetPasswordForm
from .forms import UserCreationForm
from .hashers import check_password
from .hashers import get_hasher
from .hashers import identify_hasher
from .hashers import is_password_usable
from .hashers import make_password
from .login import KitLoginManager
from .login import authenticate
from .login import get_user
from .login import load_user
from .login import login
from .login import logout
from .login import update_session_auth_hash
from .middleware import LoginRequiredMiddleware
from .mixins import AccessMixin
from .mixins import LoginRequiredMixin
from .mixins import PermissionRequiredMixin
from .mixins import UserPassesTestMixin
from .models import AbstractBaseUser
from .models import AbstractUser
from .models import Group
from .models import Permission
from .models import PermissionsMixin
from .password_reset import RESET_DEFAULTS
from .password_reset import PasswordResetCompleteView
from .password_reset import PasswordResetConfirmView
from .password_reset import PasswordResetDoneView
from .password_reset import PasswordResetForm
from .password_reset import PasswordResetView
from .password_reset import ResetSettings
from .password_reset import read_reset_settings
from .password_validation import validate_password
from .throttle import LoginThrottle
from .throttle import LoginThrottled
from .tokens import PasswordResetTokenGenerator
from .tokens import default_token_generator
from .urls import redirect_to_login
from .urls import url_has_allowed_host_and_scheme
from .users import EXTENSION_KEY
from .users import AnonymousUser
from .users import current_user
from .users import get_user_model
from .views import LoginView
from .views import LogoutView
from .views import PasswordChangeDoneView
from .views import PasswordChangeView
from .views import RegisterView

if t.TYPE_CHECKING:
    import click
    from flask import Flask
    from flask.typing import ResponseReturnValue

    from flaskkit.checks import CheckMessage

    from .hashers import HasherRegistry
    from .user import User

__all__ = [
    "AbstractBaseUser",
    "AbstractUser",
    "AccessMixin",
    "AllowAllUsersModelBackend",
    "AnonymousUser",
    "AuthPlugin",
    "AuthenticationForm",
    "BaseBackend",
    "EmailChangeConfirmView",
    "EmailChangeForm",
    "EmailChangeView",
    "Group",
    "LoginRequiredMiddleware",
    "LoginRequiredMixin",
    "LoginThrottled",
    "LoginView",
    "LogoutView",
    "ModelBackend",
    "PasswordChangeDoneView",
    "PasswordChangeForm",
    "PasswordChangeView",
    "PasswordResetCompleteView",
    "PasswordResetConfirmView",
    "PasswordResetDoneView",
    "PasswordResetForm",
    "PasswordResetTokenGenerator",
    "PasswordResetView",
    "PermWrapper",
    "Permission",
    "PermissionDenied",
    "PermissionRequiredMixin",
    "PermissionsMixin",
    "RegisterView",
    "SetPasswordForm",
    "User",
    "UserCreationForm",
    "UserPassesTestMixin",
    "authenticate",
    "check_password",
    "current_user",
    "default_token_generator",
    "get_backends",
    "get_hasher",
    "get_user",
    "get_user_model",
    "identify_hasher",
    "is_password_usable",
    "login",
    "login_not_required",
    "login_required",
    "logout",
    "make_password",
    "permission_required",
    "redirect_to_login",
    "update_session_auth_hash",
    "url_has_allowed_host_and_scheme",
    "user_passes_test",
    "validate_password",
]


def __getattr__(name: str) -> t.Any:
    # The built-in User is defined on first use only: an app with its own user model never
    # gets the auth_user table (nor its model in db.metadata).
    if name == "User":
        from .user import User

        return User
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class AuthPlugin(Plugin):
    """Users, groups, permissions, the login flow and its views for an app (one instance per app).

    ``app.extensions["flaskkit.auth"]`` is the instance.
    """

    name = "auth"
    requires = ("orm", "session", "forms")
    #: The login throttle counts in the cache plugin's cache (an error at boot names it if
    #: throttling is on without it); the auth signals are the signals plugin's, sent in any case;
    #: the password reset mails with the mail plugin, and the views add messages with the messages plugin.
    after = ("cache", "signals", "mail", "messages")
    extra = "auth"
    defaults = {**DEFAULTS, **RESET_DEFAULTS}

    #: The Alembic migrations of the auth tables (branch "auth"), for the orm plugin.
    migrations: t.ClassVar[str] = str(Path(__file__).resolve().with_name("migrations"))
    #: The settings those migrations read (the user table is made only for the built-in User):
    #: the test databases are made again when they change.
    migration_settings: t.ClassVar[tuple[str, ...]] = ("AUTH_USER_MODEL",)

    def __init__(self) -> None:
        #: The app's validated settings (set in configure).
        self.settings: AuthSettings
        #: The user model (``AUTH_USER_MODEL``).
        self.user_model: type[t.Any]
        #: The password hashers (``PASSWORD_HASHERS``), preferred first.
        self.hashers: HasherRegistry
        #: The password validators (``AUTH_PASSWORD_VALIDATORS``).
        self.password_validators: list[t.Any] = []
        #: ``(path, backend)`` for each of ``AUTHENTICATION_BACKENDS``.
        self.backends: list[tuple[str, t.Any]] = []
        #: The failed-login throttle, or ``None`` when it is off.
        self.throttle: LoginThrottle | None = None
        #: Flask-Login's manager of this app (also ``app.login_manager``).
        self.login_manager: KitLoginManager
        #: The password reset and email change settings (set in configure).
        self.reset_settings: ResetSettings

    # -- phases -----------------------------------------------------------------------------------

    def configure(self, app: Flask) -> None:
        enabled = get_kit(app).state(app).plugins
        self.settings = read_settings(app, enabled)
        self.hashers = load_hashers(app)
        self.password_validators = load_validators(app)
        self.backends = load_backends(app)
        self.user_model = load_user_model(self.settings.user_model_path)
        if self.settings.throttle is not None:
            self.throttle = LoginThrottle(self.settings.throttle)
        cache_alias = self.settings.throttle.cache_alias if self.settings.throttle is not None else None
        self.reset_settings = read_reset_settings(app, enabled, cache_alias)

    def init_app(self, app: Flask) -> None:
        app.extensions[EXTENSION_KEY] = self
        # Flask-Login's per-app manager, without LoginManager.init_app (its after_request hook
        # and context processor read the session on every response; see login.py).
        self.login_manager = KitLoginManager()
        self.login_manager.user_loader(load_user)
        app.login_manager = self.login_manager  # type: ignore[attr-defined]
        app.context_processor(auth_context)
        app.register_error_handler(LoginThrottled, throttled_response)
        # A 503 page renders as for a visitor: the user object may need the failing database
        # (a rollback expired it), and the session may not be readable.
        service_unavailable.connect(_forget_user, app, weak=False)
        # The templates (auth/*.html) are there even when the views are not mounted, with their style
        # sheet (no inline CSS: they work under a strict Content-Security-Policy).
        app.register_blueprint(
            Blueprint(
                "flaskkit_auth",
                __name__,
                template_folder="templates",
                static_folder="static",
                static_url_path="/_flaskkit/auth",
            )
        )
        if self.settings.url_prefix is not None:
            from .views import make_blueprint

            blueprint = make_blueprint(self.settings)
            if self.reset_settings.reset_enabled:
                from .password_reset import add_urls

                add_urls(blueprint)
            if self.reset_settings.email_change_enabled:
                from .email_change import add_urls as add_email_change_urls

                add_email_change_urls(blueprint)
            app.register_blueprint(blueprint)
        app.shell_context_processor(self._shell_context)

    def commands(self, app: Flask) -> t.Iterable[click.Command]:
        from .cli import auth_command

        return [auth_command()]

    # -- helpers for the rest of the plugin ------------------------------------------------------------

    @property
    def uses_default_user(self) -> bool:
        """Whether the app uses the built-in ``User`` (the migrations then create ``auth_user``)."""
        return self.settings.user_model_path in (DEFAULT_USER_MODEL, "flaskkit.plugins.auth.user:User") or (
            self.user_model.__module__ == "flaskkit.plugins.auth.user"
        )

    @property
    def default_backend_path(self) -> str:
        """The backend a new user is logged in with (the first ``ModelBackend``, else the first backend)."""
        for path, backend in self.backends:
            if isinstance(backend, ModelBackend):
                return path
        return self.backends[0][0]

    def user_pk_from_session(self, value: object) -> t.Any:
        """The user's primary key from its string in the session, or ``None`` if it cannot be one."""
        python_type = _pk_python_type(self.user_model)
        if python_type is None:
            return value
        try:
            return value if isinstance(value, python_type) else python_type(value)
        except (TypeError, ValueError):
            return None

    def _shell_context(self) -> dict[str, t.Any]:
        return {"User": self.user_model, "Group": Group, "Permission": Permission}

    # -- checks -------------------------------------------------------------------------------------

    def checks(self, app: Flask) -> t.Iterable[CheckMessage]:
        yield from _checks.check_user_model(self)
        yield from _checks.check_throttle_cache(app, self)

    @check(DEPLOY)
    def check_deploy(self, app: Flask) -> t.Iterable[CheckMessage]:
        yield from _checks.check_deploy(app, self)
        if not self.reset_settings.reset_enabled and app.config.get("AUTH_PASSWORD_RESET_ENABLED") is None:
            yield CheckInfo(
                "Password reset by email is off: the mail plugin is not enabled, so /accounts/password_reset/ "
                "does not exist.",
                hint="Add 'mail' to PLUGINS (with EMAIL_URL or EMAIL_HOST) to turn it on, or set "
                "AUTH_PASSWORD_RESET_ENABLED = False to say that you do not want it.",
                obj="PLUGINS",
                id="auth.I001",
            )
        if self.reset_settings.reset_enabled and not _hosts_are_checked(app):
            yield CheckWarning(
                "The password reset links are built from the request's Host header, and no host is trusted: "
                "anyone can ask for a reset mail whose link points to their own site (host header poisoning).",
                hint="Set ALLOWED_HOSTS = ['example.com'] (the middleware plugin) or Flask's TRUSTED_HOSTS.",
                obj="ALLOWED_HOSTS",
                id="auth.W007",
            )

    @check(DATABASE)
    def check_permissions(self, app: Flask) -> t.Iterable[CheckMessage]:
        return _checks.check_permissions(self)

    @check(DATABASE)
    def check_throttle_reachable(self, app: Flask) -> t.Iterable[CheckMessage]:
        return _checks.check_throttle_reachable(app, self)


def _forget_user(app: Flask, **extra: t.Any) -> None:
    if has_request_context():
        app.login_manager._update_request_context_with_user()  # type: ignore[attr-defined]  # anonymous


def _hosts_are_checked(app: Flask) -> bool:
    """Whether requests for hosts the site does not serve are refused: Flask's ``TRUSTED_HOSTS``, or the
    middleware plugin's ``ALLOWED_HOSTS``, which it does not copy into ``TRUSTED_HOSTS`` (it keeps its
    patterns in ``app.extensions["flaskkit.allowed_hosts"]``); ``"*"`` trusts every host."""
    if app.config.get("TRUSTED_HOSTS"):
        return True
    patterns = getattr(app.extensions.get("flaskkit.allowed_hosts"), "patterns", ())
    return bool(patterns) and "*" not in patterns


def throttled_response(error: LoginThrottled) -> ResponseReturnValue:
    """The 429 of a throttled login: JSON for JSON clients, else ``auth/throttled.html``; with ``Retry-After``."""
    from .views import add_never_cache_headers

    seconds = error.seconds
    headers = {"Retry-After": str(seconds)}
    accept = request.accept_mimetypes
    if accept.quality("application/json") > accept.quality("text/html") or (request.is_json and not accept):
        body = jsonify(error="login_throttled", detail=str(error.description), retry_after=seconds)
        body.status_code = 429
        body.headers.update(headers)
        return add_never_cache_headers(body)
    page = render_template("auth/throttled.html", seconds=seconds, wait=_in_words(seconds), locked=error.locked)
    from flask import current_app

    response = current_app.make_response((page, 429, headers))
    return add_never_cache_headers(response)


def _in_words(seconds: int) -> str:
    if seconds < 90:
        return ngettext("%(num)d second", "%(num)d seconds", seconds) % {"num": seconds}
    minutes = -(-seconds // 60)
    return ngettext("%(num)d minute", "%(num)d minutes", minutes) % {"num": minutes}


#: user model -> the Python type of its primary key (``None`` when the column type does not say).
_PK_TYPES: weakref.WeakKeyDictionary[type[t.Any], type[t.Any] | None] = weakref.WeakKeyDictionary()
_UNKNOWN: t.Any = object()


def _pk_python_type(model: type[t.Any]) -> type[t.Any] | None:
    """The Python type of ``model``'s primary key, looked up once per model (a session's user id is read
    on every request)."""
    known = _PK_TYPES.get(model, _UNKNOWN)
    if known is not _UNKNOWN:
        return t.cast("type[t.Any] | None", known)
    import sqlalchemy as sa

    column = sa.inspect(model).primary_key[0]
    try:
        python_type: type[t.Any] | None = column.type.python_type
    except NotImplementedError:
        python_type = None
    _PK_TYPES[model] = python_type
    return python_type

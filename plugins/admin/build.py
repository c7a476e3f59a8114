"""Building an app's admin in the ``ready`` phase: discover, choose the registrations, check, make the views."""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from flask_admin import Admin
from flask_admin.theme import Theme
from werkzeug.utils import ImportStringError
from werkzeug.utils import import_string

from flaskkit import ConfigurationError
from flaskkit.checks import ERROR

from .checks import check_model_admin
from .discovery import autodiscover
from .discovery import in_scope
from .discovery import scope_packages
from .index import AdminIndexView
from .sites import AdminSite
from .sites import LazyModel
from .sites import Registration
from .state import AdminState

if t.TYPE_CHECKING:
    from flask import Flask

    from flaskkit.checks import CheckMessage

    from .conf import AdminSettings

__all__ = ["build_admin", "registration_checks"]

#: Flask-Admin looks for its templates in ``flask_admin/templates/<folder>``; there is no "flaskkit" folder
#: there, so only the plugin's templates (admin/*.html, in the kit's look, without inline script or style)
#: are used, and Flask-Admin's Bootstrap pages never load.
THEME = Theme(folder="flaskkit", base_template="admin/base_site.html")


def build_admin(app: Flask, settings: AdminSettings) -> tuple[AdminState, list[CheckMessage]]:
    """The app's admin: views for the registrations in scope, unless their checks found errors."""
    modules = autodiscover(app, settings)
    state = AdminState(app, settings, _site(settings))
    state.modules = modules
    packages = scope_packages(app)
    explicit: dict[type, Registration] = {}
    lazy: list[tuple[type, Registration]] = []
    for registration in state.site.registrations:
        if not in_scope(registration.module, packages, modules):
            continue
        if isinstance(registration.model, LazyModel):
            model = registration.model.resolve(app)
            if model is not None:
                lazy.append((model, registration))
        else:
            explicit[registration.model] = registration
    chosen = dict(explicit)
    for model, registration in lazy:
        chosen.setdefault(model, registration)  # a registration of the model itself wins
    state.registrations = [
        (model, Registration(model, registration.admin_class.for_model(model), registration.module))
        for model, registration in chosen.items()
    ]
    messages = registration_checks(state)
    if any(message.level >= ERROR for message in messages):
        return state, messages  # the boot stops on them; no half-built admin
    flask_admin = Admin(
        app,
        name=state.site_header,
        url=settings.url,
        index_view=AdminIndexView(state),
        theme=THEME,
    )
    for model, registration in state.registrations:
        view = registration.admin_class(model, state)
        flask_admin.add_view(view)
        state.model_admins[model] = view
    state.flask_admin = flask_admin
    return state, messages


def registration_checks(state: AdminState) -> list[CheckMessage]:
    from flaskkit.checks import Warning
    from flaskkit.plugins.auth.users import auth_plugin

    messages: list[CheckMessage] = []
    user_model = auth_plugin(state.app).user_model
    if "is_staff" not in sa.inspect(user_model).attrs and not hasattr(user_model, "is_staff"):
        messages.append(
            Warning(
                f"The user model {user_model.__name__} has no is_staff: nobody can log into the admin.",
                hint="Subclass AbstractUser, or add an is_staff column (or property) to the user model.",
                obj="AUTH_USER_MODEL",
                id="admin.W152",
            )
        )
    for model, registration in state.registrations:
        messages.extend(check_model_admin(registration.admin_class, model, state))
    return messages


def _site(settings: AdminSettings) -> AdminSite:
    if settings.site_path is None:
        from .sites import site

        return site
    try:
        found = import_string(settings.site_path)
    except ImportStringError as exc:
        raise ConfigurationError(
            f"ADMIN_SITE names {settings.site_path!r}, which cannot be imported: {exc.exception}",
            setting="ADMIN_SITE",
            hint="Write ADMIN_SITE = 'myapp.admin:site', an AdminSite instance of an importable module.",
        ) from exc
    if not isinstance(found, AdminSite):
        raise ConfigurationError(
            f"ADMIN_SITE names {settings.site_path!r}, which is {found!r}, not an AdminSite.",
            setting="ADMIN_SITE",
            hint="site = admin.AdminSite() in that module, and register the models with it.",
        )
    return found

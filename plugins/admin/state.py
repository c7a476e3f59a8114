"""The admin of one app: its site, its settings, its ``ModelAdmin`` views and what every page shows."""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from flask import current_app
from flask import request
from flask import url_for

from flaskkit.translation import gettext

from .display import app_verbose_name
from .display import capfirst
from .saving import page_messages

if t.TYPE_CHECKING:
    from flask import Flask
    from flask_admin import Admin

    from .conf import AdminSettings
    from .options import ModelAdmin
    from .sites import AdminSite
    from .sites import Registration

__all__ = ["AdminState"]


class AdminState:
    """What the admin plugin knows about one app (``app.extensions["flaskkit.admin"].state``)."""

    def __init__(self, app: Flask, settings: AdminSettings, site: AdminSite) -> None:
        self.app = app
        self.app_name = app.name
        self.settings = settings
        self.site = site
        #: The modules autodiscovery (and ``ADMIN_MODULES``) imported.
        self.modules: list[str] = []
        #: The registrations this app serves: ``(model, registration)``, lazy models resolved.
        self.registrations: list[tuple[type, Registration]] = []
        #: Model -> its ``ModelAdmin`` view (once built).
        self.model_admins: dict[type, ModelAdmin] = {}
        #: Flask-Admin's ``Admin`` of the app (once built).
        self.flask_admin: Admin | None = None

    # -- texts -------------------------------------------------------------------------------------

    @property
    def site_header(self) -> str:
        return gettext(str(self.site.site_header or self.settings.site_header))

    @property
    def site_title(self) -> str:
        return gettext(str(self.site.site_title or self.settings.site_title))

    @property
    def index_title(self) -> str:
        return gettext(str(self.site.index_title or self.settings.index_title))

    # -- lookups -----------------------------------------------------------------------------------------

    def model_admin_for(self, model: type) -> ModelAdmin | None:
        return self.model_admins.get(model)

    def site_actions(self) -> list[t.Callable[..., t.Any]]:
        return list(self.site.actions.values())

    def site_action(self, name: str) -> t.Callable[..., t.Any] | None:
        return self.site.actions.get(name)

    def users_by_id(self, ids: t.Iterable[t.Any]) -> dict[t.Any, t.Any]:
        """The users of ``ids`` (one query), by primary key; a deleted user is missing."""
        from flaskkit.plugins.auth import get_user_model
        from flaskkit.plugins.orm import db

        wanted = {i for i in ids if i is not None}
        if not wanted:
            return {}
        model = get_user_model()
        mapper = sa.inspect(model)
        pk = mapper.primary_key[0]
        key = mapper.get_property_by_column(pk).key
        rows = db.session.scalars(sa.select(model).where(getattr(model, key).in_(wanted)))
        return {getattr(row, key): row for row in rows}

    # -- what every page shows ----------------------------------------------------------------------

    def each_context(self) -> dict[str, t.Any]:
        from flaskkit.plugins.auth import current_user

        from .access import is_staff

        views = current_app.view_functions
        staff = is_staff()
        short = getattr(current_user, "get_short_name", None)
        user_display = (short() if callable(short) else "") or (
            current_user.get_username() if current_user.is_authenticated else ""
        )
        return {
            "user_display": user_display,
            "admin_state": self,
            "site_header": self.site_header,
            "site_title": self.site_title,
            "index_title": self.index_title,
            "site_url": self.settings.site_url,
            "has_permission": staff,
            "available_apps": self.get_app_list() if staff else [],
            "admin_index_url": url_for("admin.index"),
            "logout_url": url_for("auth.logout") if "auth.logout" in views else None,
            "password_change_url": url_for("auth.password_change") if "auth.password_change" in views else None,
            "admin_static": lambda filename: url_for("admin.static", filename=filename),
            "admin_messages": page_messages,
        }

    def get_app_list(self, app_label: str | None = None) -> list[dict[str, t.Any]]:
        """The apps and their models this user may see, sorted by name (Django's ``get_app_list``)."""
        apps: dict[str, dict[str, t.Any]] = {}
        for model, model_admin in self.model_admins.items():
            opts = model_admin.opts
            if app_label is not None and opts.app_label != app_label:
                continue
            if not model_admin.has_module_permission(request):
                continue
            perms = model_admin.get_model_perms(request)
            if not any(perms.values()):
                continue
            entry = {
                "model": model,
                "name": capfirst(opts.verbose_name_plural),
                "object_name": opts.object_name,
                "perms": perms,
                "admin_url": model_admin.get_changelist_url() if perms["view"] or perms["change"] else None,
                "add_url": model_admin.admin_url("add_view") if perms["add"] else None,
                "view_only": not perms["change"] and perms["view"],
            }
            app = apps.setdefault(
                opts.app_label,
                {
                    "name": app_verbose_name(opts.app_label),
                    "app_label": opts.app_label,
                    "app_url": url_for("admin.app_index", app_label=opts.app_label),
                    "models": [],
                },
            )
            app["models"].append(entry)
        ordered = sorted(apps.values(), key=lambda app: app["name"].lower())
        for app in ordered:
            app["models"].sort(key=lambda entry: entry["name"].lower())
        return ordered

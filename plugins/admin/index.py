"""The admin's index (the apps and their models, "Recent actions"), an app's index, and ``/admin/login/``.

A Flask-Admin ``BaseView`` at ``ADMIN_URL`` (endpoint ``admin``); its
blueprint also serves the admin's static files (``/admin/static/...``:
the stylesheet and the script, no CDN).
"""

from __future__ import annotations

import typing as t
from pathlib import Path

import sqlalchemy as sa
from flask import abort
from flask import redirect
from flask import url_for
from flask_admin import BaseView
from flask_admin import expose

from flaskkit.translation import gettext

from .access import is_staff
from .access import staff_required_response
from .models import LogEntry

if t.TYPE_CHECKING:
    from flask.typing import ResponseReturnValue

    from .state import AdminState

__all__ = ["STATIC_FOLDER", "AdminIndexView"]

#: The admin's own stylesheet and script.
STATIC_FOLDER = str(Path(__file__).resolve().with_name("static"))
#: How many of the user's own actions the index lists (Django's 10).
RECENT_ACTIONS = 10


class AdminIndexView(BaseView):
    """``/admin/``, ``/admin/<app_label>/`` and ``/admin/login/``."""

    def __init__(self, state: AdminState) -> None:
        self.state = state
        super().__init__(
            name="Home",
            endpoint="admin",
            url=state.settings.url,
            static_folder=STATIC_FOLDER,
            static_url_path="/static",
        )

    def _handle_view(self, name: str, **kwargs: t.Any) -> ResponseReturnValue | None:
        if name == "login_view":
            return None
        return staff_required_response()

    def render_admin(self, template: str, **context: t.Any) -> str:
        base = self.state.each_context()
        base.update(context)
        return t.cast(str, self.render(template, **base))

    @expose("/")
    def index(self) -> ResponseReturnValue:
        return self.render_admin(
            "admin/dashboard.html",
            title=self.state.index_title,
            subtitle=None,
            app_list=self.state.get_app_list(),
            recent_actions=self._recent_actions(),
        )

    @expose("/<app_label>/")
    def app_index(self, app_label: str) -> ResponseReturnValue:
        apps = self.state.get_app_list(app_label)
        if not apps:
            abort(404)
        return self.render_admin(
            "admin/app_index.html",
            title=gettext("%(app)s administration") % {"app": apps[0]["name"]},
            subtitle=None,
            app_list=apps,
            app_label=app_label,
        )

    @expose("/login/")
    def login_view(self) -> ResponseReturnValue:
        """Django's admin login URL: the site's login page, coming back to the admin."""
        if is_staff():
            return redirect(url_for("admin.index"))
        from flaskkit.plugins.auth.urls import redirect_to_login

        return redirect_to_login(url_for("admin.index"))

    def _recent_actions(self) -> list[dict[str, t.Any]]:
        """The user's own last actions (Django's "My actions"), with links where the object is still there."""
        from flaskkit.plugins.auth import current_user
        from flaskkit.plugins.orm import db

        statement = (
            sa.select(LogEntry)
            .where(LogEntry.user_id == current_user.pk)
            .order_by(LogEntry.action_time.desc(), LogEntry.id.desc())
            .limit(RECENT_ACTIONS)
        )
        by_label = {(ma.opts.app_label, ma.opts.model_name): ma for ma in self.state.model_admins.values()}
        from flask import request

        found = []
        for entry in db.session.scalars(statement):
            model_admin = by_label.get((entry.app_label, entry.model_name))
            url = None
            if (
                model_admin is not None
                and not entry.is_deletion()
                and entry.object_id is not None
                and model_admin.has_view_or_change_permission(request)
            ):
                url = url_for(f"{model_admin.endpoint}.change_view", object_id=entry.object_id)
            name = model_admin.opts.verbose_name if model_admin is not None else entry.model_name
            found.append({"entry": entry, "url": url, "model_name": name})
        return found

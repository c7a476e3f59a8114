"""Who may use the admin: active staff only, then the model permissions, checked on every admin URL.

* nobody logged in: a redirect to the login page (``LOGIN_URL``) with ``next``
  (Django's admin shows its own login page; the kit's login is the auth
  plugin's, the same for the whole site);
* logged in but not active staff: 403, with a page that says who is logged in;
* staff: each view needs its permission (view, add, change or delete of the
  model), whatever the page showed: a hidden button is never the only guard.
"""

from __future__ import annotations

import typing as t

from flask import current_app
from flask import render_template

from flaskkit.plugins.auth import current_user
from flaskkit.plugins.auth.urls import login_redirect
from flaskkit.translation import gettext

if t.TYPE_CHECKING:
    from flask.typing import ResponseReturnValue

__all__ = ["is_staff", "permission_denied", "staff_required_response"]


def is_staff() -> bool:
    """Whether the current user may enter the admin: logged in, active and staff (Django's ``has_permission``)."""
    user = current_user
    return bool(user.is_authenticated and getattr(user, "is_active", False) and getattr(user, "is_staff", False))


def staff_required_response() -> ResponseReturnValue | None:
    """None for active staff; else the redirect to the login page, or the 403 page."""
    if is_staff():
        return None
    if not current_user.is_authenticated:
        return login_redirect()
    return permission_denied(
        gettext(
            "You are logged in as %(username)s, but this account may not use the admin site "
            "(only active staff members may)."
        )
        % {"username": current_user.get_username()}
    )


def permission_denied(reason: str | None = None) -> ResponseReturnValue:
    """The admin's 403 page."""
    plugin = current_app.extensions.get("flaskkit.admin")
    context = plugin.state.each_context() if plugin is not None and hasattr(plugin, "state") else {}
    page = render_template(
        "admin/403.html",
        reason=reason or gettext("You do not have permission to do this."),
        **context,
    )
    return page, 403

"""``LoginRequiredMiddleware``: every view needs a logged-in user unless marked ``@login_not_required``.

Django 5.1's middleware, for the middleware plugin::

    MIDDLEWARE = [..., "flaskkit.plugins.auth:LoginRequiredMiddleware"]

    @app.get("/")
    @login_not_required
    def home(): ...

Exempt without marking: Flask's ``static`` endpoints, the auth plugin's login,
logout and register views, and requests that match no route (they get their 404).
"""

from __future__ import annotations

import typing as t

from flask import current_app

from .decorators import LOGIN_NOT_REQUIRED_ATTR
from .urls import login_redirect
from .users import current_user

if t.TYPE_CHECKING:
    from flask import Flask
    from flask import Request

__all__ = ["LoginRequiredMiddleware"]

#: Endpoints that never need a login (the login page itself, above all).
EXEMPT_ENDPOINTS = frozenset({"static", "auth.login", "auth.logout", "auth.register"})


class LoginRequiredMiddleware:
    """Redirect anonymous users to the login page for every view not marked ``@login_not_required``."""

    #: Where anonymous users are sent (default: ``LOGIN_URL``).
    login_url: str | None = None
    redirect_field_name: str | None = "next"

    def __init__(self, app: Flask) -> None:
        self.app = app

    def process_view(self, request: Request, view_func: t.Callable[..., t.Any], view_args: dict[str, t.Any]) -> t.Any:
        endpoint = request.endpoint or ""
        if endpoint in EXEMPT_ENDPOINTS or endpoint.endswith(".static"):
            return None
        view_class = getattr(view_func, "view_class", None)
        if getattr(view_func, LOGIN_NOT_REQUIRED_ATTR, True) is False or (
            view_class is not None and getattr(view_class, LOGIN_NOT_REQUIRED_ATTR, True) is False
        ):
            return None
        if current_user.is_authenticated or current_app.config.get("LOGIN_DISABLED"):
            return None
        return login_redirect(self.login_url, self.redirect_field_name)

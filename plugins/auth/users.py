"""The current app's user model, the anonymous user and ``current_user``."""

from __future__ import annotations

import typing as t

from flask import current_app
from flask import has_app_context
from flask_login import AnonymousUserMixin
from flask_login import current_user  # re-exported: Flask-Login's proxy (an AnonymousUser when nobody is logged in)

if t.TYPE_CHECKING:
    from flask import Flask

    from . import AuthPlugin

__all__ = ["EXTENSION_KEY", "AnonymousUser", "auth_plugin", "current_user", "get_user_model"]

#: ``app.extensions[EXTENSION_KEY]`` is the app's :class:`~flaskkit.plugins.auth.AuthPlugin`.
EXTENSION_KEY = "flaskkit.auth"


def auth_plugin(app: Flask | None = None) -> AuthPlugin:
    """The auth plugin of ``app`` (default: the current app), with a clear error when it is not enabled."""
    if app is None:
        if not has_app_context():
            raise RuntimeError(
                "The auth plugin is per app: use it inside a request or an app context (with app.app_context(): ...)."
            )
        app = t.cast("Flask", current_app._get_current_object())  # type: ignore[attr-defined]
    plugin = app.extensions.get(EXTENSION_KEY)
    if plugin is None:
        raise RuntimeError(f"The auth plugin is not enabled on the app {app.name!r}: add 'auth' to PLUGINS.")
    return t.cast("AuthPlugin", plugin)


def get_user_model() -> t.Any:
    """The current app's user model (``AUTH_USER_MODEL``; the built-in ``User`` by default).

    Per app, so it needs an app context. Refer to the user table in a foreign
    key by its name: ``ForeignKey("auth_user.id")`` (or your model's table).
    """
    return auth_plugin().user_model


class AnonymousUser(AnonymousUserMixin):
    """``current_user`` when nobody is logged in: Django's ``AnonymousUser``.

    Not authenticated, not active, not staff; no groups and no permissions.
    """

    id = None
    pk = None
    username = ""
    is_staff = False
    is_superuser = False

    def __str__(self) -> str:
        return "AnonymousUser"

    def get_username(self) -> str:
        return self.username

    def get_user_permissions(self, obj: object = None) -> set[str]:
        return set()

    def get_group_permissions(self, obj: object = None) -> set[str]:
        return set()

    def get_all_permissions(self, obj: object = None) -> set[str]:
        return set()

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return False

    def has_perms(self, perm_list: t.Iterable[str], obj: object = None) -> bool:
        if isinstance(perm_list, str):
            raise ValueError("perm_list must be an iterable of permissions.")
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, module: str) -> bool:
        return False

    @property
    def groups(self) -> list[t.Any]:
        return []

    @property
    def user_permissions(self) -> list[t.Any]:
        return []

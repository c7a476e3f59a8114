"""Authentication backends (``AUTHENTICATION_BACKENDS``): Django's ``ModelBackend`` and its API.

A backend is a class with ``authenticate(request, **credentials)`` (the user,
or ``None``), ``get_user(user_id)`` and, optionally, the permission methods.
``authenticate()`` asks each backend in order; ``user.has_perm()`` asks all.
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from flask import current_app
from flask import has_app_context

from flaskkit.plugins.orm import db

from .hashers import make_password
from .loading import get_by_pk
from .models import Permission
from .models import group_permissions

if t.TYPE_CHECKING:
    from flask import Request

__all__ = ["AllowAllUsersModelBackend", "BaseBackend", "ModelBackend", "get_backends"]


class BaseBackend:
    """A backend that authenticates nobody and grants nothing: subclass it."""

    def authenticate(self, request: Request | None, **credentials: t.Any) -> t.Any:
        return None

    def get_user(self, user_id: t.Any) -> t.Any:
        return None

    def get_user_permissions(self, user_obj: t.Any, obj: object = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: t.Any, obj: object = None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj: t.Any, obj: object = None) -> set[str]:
        return {*self.get_user_permissions(user_obj, obj), *self.get_group_permissions(user_obj, obj)}

    def has_perm(self, user_obj: t.Any, perm: str, obj: object = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)


class ModelBackend(BaseBackend):
    """Users of ``AUTH_USER_MODEL`` with their password; permissions from the tables.

    As Django's: the password hasher runs even when the username is unknown
    (the response time does not tell which usernames exist), inactive users
    are refused, and permissions are cached on the user object for its
    lifetime (one request). The username is NFKC-normalised first
    (``normalize_username``), as registration stored it: a username typed in
    full-width letters is its ASCII self (Django normalises in its login form only).
    """

    def authenticate(
        self, request: Request | None, username: str | None = None, password: str | None = None, **kwargs: t.Any
    ) -> t.Any:
        from .users import get_user_model

        model = get_user_model()
        if username is None:
            username = kwargs.get(model.USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = model.objects.get_by_natural_key(model.normalize_username(username))
        if user is None:
            # Run the default hasher once, so an unknown username takes as long as a wrong password.
            make_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user: t.Any) -> bool:
        """Refuse users whose ``is_active`` is False (a model without the column: everyone is active)."""
        return bool(getattr(user, "is_active", True))

    def get_user(self, user_id: t.Any) -> t.Any:
        from .users import get_user_model

        model = get_user_model()
        user = get_by_pk(model, user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    # -- permissions --------------------------------------------------------------------------

    def _user_permissions(self, user_obj: t.Any) -> set[str]:
        table = type(user_obj)._auth_permissions_table
        column = table.c[type(user_obj)._auth_user_column]
        query = (
            sa.select(Permission.app_label, Permission.codename)
            .join(table, table.c.permission_id == Permission.id)
            .where(column == user_obj.pk)
        )
        return {f"{app}.{codename}" for app, codename in db.session.execute(query)}

    def _group_permissions(self, user_obj: t.Any) -> set[str]:
        table = type(user_obj)._auth_groups_table
        column = table.c[type(user_obj)._auth_user_column]
        query = (
            sa.select(Permission.app_label, Permission.codename)
            .join(group_permissions, group_permissions.c.permission_id == Permission.id)
            .join(table, table.c.group_id == group_permissions.c.group_id)
            .where(column == user_obj.pk)
        )
        return {f"{app}.{codename}" for app, codename in db.session.execute(query)}

    def _permissions(self, user_obj: t.Any, obj: object, source: str) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(type(user_obj), "_auth_groups_table") or user_obj.pk is None:
            return set()  # not a PermissionsMixin model, or not saved yet
        cache_name = f"_{source}_perm_cache"
        cached = getattr(user_obj, cache_name, None)
        if cached is None:
            if getattr(user_obj, "is_superuser", False):
                rows = db.session.execute(sa.select(Permission.app_label, Permission.codename))
                cached = {f"{app}.{codename}" for app, codename in rows}
            else:
                cached = getattr(self, f"_{source}_permissions")(user_obj)
            setattr(user_obj, cache_name, cached)
        return t.cast(set[str], cached)

    def get_user_permissions(self, user_obj: t.Any, obj: object = None) -> set[str]:
        return self._permissions(user_obj, obj, "user")

    def get_group_permissions(self, user_obj: t.Any, obj: object = None) -> set[str]:
        return self._permissions(user_obj, obj, "group")

    def get_all_permissions(self, user_obj: t.Any, obj: object = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        cached = getattr(user_obj, "_perm_cache", None)
        if cached is None:
            cached = super().get_all_permissions(user_obj)
            user_obj._perm_cache = cached
        return t.cast(set[str], cached)

    def has_perm(self, user_obj: t.Any, perm: str, obj: object = None) -> bool:
        return bool(user_obj.is_active) and super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj: t.Any, app_label: str) -> bool:
        """Whether the user has any permission of the app ``app_label``."""
        return bool(user_obj.is_active) and any(
            perm.partition(".")[0] == app_label for perm in self.get_all_permissions(user_obj)
        )


class AllowAllUsersModelBackend(ModelBackend):
    """``ModelBackend`` that lets inactive users log in (the login form then says the account is inactive)."""

    def user_can_authenticate(self, user: t.Any) -> bool:
        return True


def get_backends() -> list[t.Any]:
    """The current app's backend instances, in ``AUTHENTICATION_BACKENDS`` order."""
    if not has_app_context():
        raise RuntimeError("The authentication backends are per app: use them inside a request or an app context.")
    from .users import auth_plugin

    return [backend for _, backend in auth_plugin(current_app).backends]

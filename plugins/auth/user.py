"""The built-in user model, ``User`` (table ``auth_user``): Django's ``auth.User``.

Imported only when an app uses it (``AUTH_USER_MODEL`` left at its default, or
``from flaskkit.plugins.auth import User``): an app with a user model of its own
never gets the ``auth_user`` table.
"""

from __future__ import annotations

from .models import AbstractUser

__all__ = ["User"]


class User(AbstractUser):
    """A user: ``username``, ``password``, ``email``, names, ``is_active``, ``is_staff``,
    ``is_superuser``, ``groups``, ``user_permissions``, ``last_login``, ``date_joined``."""

    __tablename__ = "auth_user"

    class Meta:
        app_label = "auth"
        #: Left out (fixtures, permissions, ``flask shell``) of an app whose AUTH_USER_MODEL is another model.
        swappable = "AUTH_USER_MODEL"

"""User models of the tests' own, for AUTH_USER_MODEL (class names unique to this package)."""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from flaskkit.plugins.auth import AbstractBaseUser
from flaskkit.plugins.auth import AbstractUser
from flaskkit.plugins.auth import PermissionsMixin
from flaskkit.plugins.orm import IdMixin
from flaskkit.plugins.orm import Model


class AuthTestMember(AbstractUser):
    """AbstractUser with a column more: the usual custom user model."""

    __tablename__ = "auth_test_member"

    bio: Mapped[str] = mapped_column(sa.Text, default="")


class AuthTestEmailUser(AbstractBaseUser, PermissionsMixin, IdMixin, Model):
    """Users who log in with their email address (the two bases, no username at all)."""

    __tablename__ = "auth_test_email_user"

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: t.ClassVar[list[str]] = []
    verbose_names: t.ClassVar[dict[str, str]] = {"email": "email address"}

    email: Mapped[str] = mapped_column(sa.String(254), unique=True)


class AuthTestBadUser(AbstractUser):
    """Breaks Django's two rules: USERNAME_FIELD in REQUIRED_FIELDS, and a USERNAME_FIELD that is not unique."""

    __tablename__ = "auth_test_bad_user"

    USERNAME_FIELD = "nickname"
    REQUIRED_FIELDS: t.ClassVar[list[str]] = ["nickname"]

    nickname: Mapped[str] = mapped_column(sa.String(50))


TABLES = {
    name: [sa.inspect(model).local_table, model._auth_groups_table, model._auth_permissions_table]
    for name, model in (("member", AuthTestMember), ("email", AuthTestEmailUser))
}

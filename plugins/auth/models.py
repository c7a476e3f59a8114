"""The auth models: ``Permission``, ``Group``, and the bases of a user model.

Django's shapes, on the orm plugin's ``Model``:

* ``Permission`` (``auth_permission``): ``app_label`` + ``codename``, written
  ``"app_label.codename"`` everywhere (``user.has_perm("blog.change_post")``);
* ``Group`` (``auth_group``) with its ``permissions`` (``auth_group_permissions``);
* ``AbstractBaseUser`` (password, ``last_login``, the session auth hash),
  ``PermissionsMixin`` (``is_superuser``, ``groups``, ``user_permissions`` and
  ``has_perm``...) and ``AbstractUser`` (both, with Django's ``auth_user``
  columns). The built-in ``User`` (``flaskkit.plugins.auth.user``) is
  ``AbstractUser`` with the table ``auth_user``; an app that wants its own user
  model subclasses ``AbstractUser`` (or the two bases) and names it in
  ``AUTH_USER_MODEL`` before its first migration.

A concrete user model gets two association tables, named after its table as
Django names them: ``<table>_groups`` and ``<table>_user_permissions``.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import typing as t
import unicodedata
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from flaskkit import timezone
from flaskkit.plugins.orm import AwareDateTime
from flaskkit.plugins.orm import IdMixin
from flaskkit.plugins.orm import Model
from flaskkit.plugins.orm import db
from flaskkit.plugins.orm import is_atomic_request
from flaskkit.translation import gettext_lazy

from . import hashers

__all__ = [
    "AbstractBaseUser",
    "AbstractUser",
    "AwareDateTime",
    "Group",
    "Permission",
    "PermissionsMixin",
    "UnicodeUsernameValidator",
    "UserManager",
    "group_permissions",
    "save",
]

#: The SQL type of every ``id`` and of the columns that refer to one (as ``IdMixin``'s).
_ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def save(instance: object) -> None:
    """Save ``instance`` the way Django's ``save()`` does.

    Added to ``db.session`` and committed at once, except inside an atomic
    request (``ATOMIC_REQUESTS``), where it is flushed and committed with the
    view's transaction. Used by ``create_user``, ``login()`` (``last_login``),
    the password upgrade at login and the password forms.
    """
    db.session.add(instance)
    if is_atomic_request():
        db.session.flush()
    else:
        db.session.commit()


class UnicodeUsernameValidator:
    """Django's username rule: letters, digits and ``@ . + - _`` only."""

    regex = re.compile(r"^[\w.@+-]+\Z")
    message = gettext_lazy(
        "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
    )

    def __call__(self, value: str) -> str | None:
        """The error message for ``value``, or ``None`` when it is a valid username."""
        return None if isinstance(value, str) and self.regex.match(value) else str(self.message)


# -- Permission and Group ---------------------------------------------------------------------------


class Permission(IdMixin, Model):
    """A permission, ``"app_label.codename"``: ``blog.change_post``.

    ``flask auth sync-perms`` creates Django's four per model (``add_``,
    ``change_``, ``delete_``, ``view_`` + the lower-case model name) and those a
    model lists in ``Meta.permissions``.
    """

    __tablename__ = "auth_permission"
    __table_args__ = (sa.UniqueConstraint("app_label", "codename"),)

    class Meta:
        app_label = "auth"

    #: What people read: ``"Can change post"``.
    name: Mapped[str] = mapped_column(sa.String(255))
    #: The app the permission belongs to (``"blog"``).
    app_label: Mapped[str] = mapped_column(sa.String(100))
    #: The permission within the app (``"change_post"``).
    codename: Mapped[str] = mapped_column(sa.String(100))

    def __str__(self) -> str:
        return f"{self.app_label} | {self.name}"

    def __repr__(self) -> str:
        return f"<Permission {self.app_label}.{self.codename}>"

    @property
    def perm(self) -> str:
        """``"app_label.codename"``, as ``has_perm`` takes it."""
        return f"{self.app_label}.{self.codename}"

    def natural_key(self) -> tuple[str, str]:
        """``(codename, app_label)``: Django's order (its third part, the model, flaskkit has not)."""
        return (self.codename, self.app_label)

    @classmethod
    def get_by_natural_key(cls, codename: str, app_label: str, *model: str) -> Permission | None:
        """The permission ``app_label.codename``, or ``None`` (a Django fixture's model name is ignored)."""
        return db.session.scalar(sa.select(cls).where(cls.codename == codename, cls.app_label == app_label))


#: The permissions of each group (Django's ``auth_group_permissions``).
group_permissions = sa.Table(
    "auth_group_permissions",
    Model.metadata,
    sa.Column("id", _ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("group_id", _ID_TYPE, sa.ForeignKey("auth_group.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "permission_id", _ID_TYPE, sa.ForeignKey("auth_permission.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.UniqueConstraint("group_id", "permission_id"),
)


class Group(IdMixin, Model):
    """A named set of permissions; a user in the group has them (``user.has_perm``)."""

    __tablename__ = "auth_group"

    class Meta:
        app_label = "auth"

    name: Mapped[str] = mapped_column(sa.String(150), unique=True)
    permissions: Mapped[list[Permission]] = relationship(Permission, secondary=group_permissions)

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Group {self.name!r}>"

    def natural_key(self) -> tuple[str]:
        return (self.name,)

    @classmethod
    def get_by_natural_key(cls, name: str) -> Group | None:
        """The group named ``name``, or ``None``."""
        return db.session.scalar(sa.select(cls).where(cls.name == name))


# -- the user bases -----------------------------------------------------------------------------------


class UserManager:
    """``User.objects``: Django's user-manager helpers (not a QuerySet: query with ``db.select``).

    ::

        user = User.objects.create_user("ada", "ada@example.com", "s3cret-pass")
        admin = User.objects.create_superuser("root", password="...")
        user = User.objects.get_by_natural_key("ada")        # None when there is none
    """

    def __get__(self, instance: object, owner: type[AbstractBaseUser]) -> BoundUserManager:
        if instance is not None:
            raise AttributeError("The manager is reached through the class (User.objects), not an instance.")
        return BoundUserManager(owner)


class BoundUserManager:
    """:class:`UserManager` for one user model."""

    def __init__(self, model: type[AbstractBaseUser]) -> None:
        self.model = model

    @staticmethod
    def normalize_email(email: str | None) -> str:
        """Lower-case the domain part of ``email`` (``None`` gives ``""``)."""
        email = email or ""
        name, at, domain = email.strip().rpartition("@")
        return f"{name}@{domain.lower()}" if at else email.strip()

    def get_by_natural_key(self, username: str) -> t.Any:
        """The user whose ``USERNAME_FIELD`` is ``username`` (exactly), or ``None``."""
        column = getattr(self.model, self.model.USERNAME_FIELD)
        return db.session.scalar(sa.select(self.model).where(column == username))

    def _create_user(self, username: str, email: str | None, password: str | None, **extra_fields: t.Any) -> t.Any:
        if not username:
            raise ValueError("The given username must be set")
        username = self.model.normalize_username(username)
        field = self.model.USERNAME_FIELD
        email_field = self.model.get_email_field_name()
        fields: dict[str, t.Any] = {field: username}
        if email_field == field:
            fields[field] = self.normalize_email(username)  # users who log in with their email address
        elif email_field in sa.inspect(self.model).attrs:
            fields[email_field] = self.normalize_email(email)
        user = self.model(**fields, **extra_fields)
        user.set_password(password)
        save(user)
        return user

    def create_user(
        self, username: str, email: str | None = None, password: str | None = None, **extra_fields: t.Any
    ) -> t.Any:
        """Create and save a user (``password=None``: an unusable password; nobody can log in as them)."""
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(username, email, password, **self._known(extra_fields))

    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra_fields: t.Any
    ) -> t.Any:
        """Create and save an active staff superuser."""
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if extra_fields.get("is_staff") is not True:
            raise ValueError("Superuser must have is_staff=True.")
        if extra_fields.get("is_superuser") is not True:
            raise ValueError("Superuser must have is_superuser=True.")
        return self._create_user(username, email, password, **self._known(extra_fields))

    def _known(self, fields: dict[str, t.Any]) -> dict[str, t.Any]:
        # The flags are set only on a model that has them (AbstractBaseUser alone has neither).
        attrs = sa.inspect(self.model).attrs
        return {k: v for k, v in fields.items() if k not in ("is_staff", "is_superuser") or k in attrs}


class AbstractBaseUser:
    """The core of a user model: the password, ``last_login`` and what login needs.

    Mix it (with ``PermissionsMixin`` for permissions) into a model of your own
    when ``AbstractUser``'s columns do not suit; set :attr:`USERNAME_FIELD`
    to a unique column, and give the model a primary key (``IdMixin``).
    """

    #: The column people log in with; it must be unique.
    USERNAME_FIELD: t.ClassVar[str] = "username"
    #: The column that holds the email address.
    EMAIL_FIELD: t.ClassVar[str] = "email"
    #: The columns ``flask auth createsuperuser`` asks for, besides the username and the password.
    REQUIRED_FIELDS: t.ClassVar[list[str]] = []

    #: ``User.objects.create_user(...)``, ``.create_superuser(...)``, ``.get_by_natural_key(...)``.
    objects: t.ClassVar[UserManager] = UserManager()

    password: Mapped[str] = mapped_column(sa.String(128))
    last_login: Mapped[datetime | None] = mapped_column(AwareDateTime(), default=None)

    #: A model without an ``is_active`` column is always active (Django's default).
    is_active: t.Any = True

    if t.TYPE_CHECKING:
        _perm_cache: set[str]

    def __str__(self) -> str:
        return str(self.get_username())

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.get_username()!r}>"

    # -- identity -------------------------------------------------------------------------------

    @property
    def pk(self) -> t.Any:
        """The primary key's value (``None`` before the first flush)."""
        return getattr(self, _pk_attribute(type(self)))

    def get_id(self) -> str | None:
        """Flask-Login's identifier: the primary key as a string."""
        pk = self.pk
        return None if pk is None else str(pk)

    def get_username(self) -> t.Any:
        return getattr(self, self.USERNAME_FIELD)

    def natural_key(self) -> tuple[t.Any]:
        return (self.get_username(),)

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def is_authenticated(self) -> bool:
        return True

    @classmethod
    def get_email_field_name(cls) -> str:
        return cls.EMAIL_FIELD

    @classmethod
    def normalize_username(cls, username: t.Any) -> t.Any:
        """NFKC-normalise a username: full-width letters and their ASCII forms make the same username."""
        return unicodedata.normalize("NFKC", username) if isinstance(username, str) else username

    def clean(self) -> None:
        """Normalise the username (and the email's domain), as Django's ``clean()``."""
        setattr(self, self.USERNAME_FIELD, self.normalize_username(self.get_username()))
        field = self.get_email_field_name()
        if isinstance(getattr(self, field, None), str):
            setattr(self, field, BoundUserManager.normalize_email(getattr(self, field)))

    # -- the password ------------------------------------------------------------------------------

    def set_password(self, raw_password: str | None) -> None:
        """Hash and store ``raw_password`` (``None``: an unusable password). Not saved: commit, or ``save()``."""
        self.password = hashers.make_password(raw_password)

    def check_password(self, raw_password: str | None) -> bool:
        """Whether ``raw_password`` is this user's password.

        When it is and the stored hash is outdated (another algorithm, fewer
        iterations), the hash is redone with the preferred hasher and saved
        (committed, or flushed inside an atomic request).
        """

        def setter(password: str | bytes) -> None:
            self.set_password(password if isinstance(password, str) else password.decode())
            save(self)

        return hashers.check_password(raw_password, self.password, setter)

    def set_unusable_password(self) -> None:
        """Nobody can log in with a password as this user (``has_usable_password()`` is False)."""
        self.password = hashers.make_password(None)

    def has_usable_password(self) -> bool:
        return hashers.is_password_usable(self.password)

    # -- the session auth hash ------------------------------------------------------------------------

    def get_session_auth_hash(self, secret: str | bytes | None = None) -> str:
        """An HMAC of the password hash, kept in the session at login.

        Changing the password changes it, so every session that was logged in
        with the old password is logged out on its next request (except the one
        that ``update_session_auth_hash`` refreshes).
        """
        if secret is None:
            from flask import current_app

            secret = current_app.secret_key or ""
        return _session_auth_hash(self.password or "", secret)

    def get_session_auth_fallback_hash(self) -> t.Iterator[str]:
        """The hash under each of ``SECRET_KEY_FALLBACKS``, so rotating the key logs nobody out."""
        from flask import current_app

        for fallback in current_app.config.get("SECRET_KEY_FALLBACKS") or ():
            yield self.get_session_auth_hash(secret=fallback)


def _salted_hmac(key_salt: str, value: str, secret: str | bytes | None = None) -> str:
    """Django's ``salted_hmac(..., algorithm="sha256")``, keyed on the app's ``SECRET_KEY``."""
    if secret is None:
        from flask import current_app

        secret = current_app.secret_key or ""
    return hmac.new(_hmac_key(key_salt, secret), msg=value.encode(), digestmod=hashlib.sha256).hexdigest()


@functools.lru_cache(maxsize=1024)
def _session_auth_hash(password: str, secret: str | bytes) -> str:
    """The session auth hash of a password hash under a secret: checked on every request of a
    logged-in user, computed once per (password, secret) while it is among the last 1024."""
    return _salted_hmac("flaskkit.plugins.auth.models.AbstractBaseUser.get_session_auth_hash", password, secret)


@functools.lru_cache(maxsize=64)
def _hmac_key(key_salt: str, secret: str | bytes) -> bytes:
    """The HMAC key of ``key_salt`` under ``secret`` (derived once: the session auth hash is checked on
    every request of a logged-in user)."""
    secret_bytes = secret.encode() if isinstance(secret, str) else secret
    return hashlib.sha256(key_salt.encode() + secret_bytes).digest()


_PK_ATTRIBUTES: dict[type, str] = {}


def _pk_attribute(cls: type) -> str:
    name = _PK_ATTRIBUTES.get(cls)
    if name is None:
        mapper = sa.inspect(cls)
        name = _PK_ATTRIBUTES[cls] = mapper.get_property_by_column(mapper.primary_key[0]).key
    return name


class PermissionsMixin:
    """``is_superuser``, ``groups``, ``user_permissions`` and Django's permission methods.

    The permission checks ask every backend of ``AUTHENTICATION_BACKENDS``
    (``ModelBackend`` reads the user's and their groups' permissions); an
    active superuser has every permission, an inactive user none.
    """

    is_superuser: Mapped[bool] = mapped_column(sa.Boolean(), default=False)

    if t.TYPE_CHECKING:
        groups: Mapped[list[Group]]
        user_permissions: Mapped[list[Permission]]
        #: The association tables, set when the concrete model is mapped.
        _auth_groups_table: t.ClassVar[sa.Table]
        _auth_permissions_table: t.ClassVar[sa.Table]
        _auth_user_column: t.ClassVar[str]
        is_active: t.Any

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        # After super(): the declarative base has mapped cls. Only a model with a table of its own
        # gets association tables (not an abstract base, not a single-table subclass).
        if "__table__" in cls.__dict__ and not cls.__dict__.get("__abstract__", False):
            _add_permission_relationships(cls)

    def get_user_permissions(self, obj: object = None) -> set[str]:
        """The permissions given to the user directly, as ``"app_label.codename"``."""
        return _backend_permissions(self, "get_user_permissions", obj)

    def get_group_permissions(self, obj: object = None) -> set[str]:
        """The permissions the user has through their groups."""
        return _backend_permissions(self, "get_group_permissions", obj)

    def get_all_permissions(self, obj: object = None) -> set[str]:
        """Every permission the user has (their own and their groups')."""
        return _backend_permissions(self, "get_all_permissions", obj)

    def has_perm(self, perm: str, obj: object = None) -> bool:
        """Whether the user has ``perm`` (``"blog.change_post"``); always for an active superuser."""
        if self.is_active and self.is_superuser:
            return True
        from .backends import get_backends

        return any(
            getattr(backend, "has_perm", None) is not None and backend.has_perm(self, perm, obj)
            for backend in get_backends()
        )

    def has_perms(self, perm_list: t.Iterable[str], obj: object = None) -> bool:
        """Whether the user has every permission of ``perm_list``."""
        if isinstance(perm_list, str):
            raise ValueError("perm_list must be an iterable of permissions.")
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        """Whether the user has any permission in the app ``app_label``."""
        if self.is_active and self.is_superuser:
            return True
        from .backends import get_backends

        return any(
            getattr(backend, "has_module_perms", None) is not None and backend.has_module_perms(self, app_label)
            for backend in get_backends()
        )


def _backend_permissions(user: t.Any, method: str, obj: object) -> set[str]:
    from .backends import get_backends

    found: set[str] = set()
    for backend in get_backends():
        getter = getattr(backend, method, None)
        if getter is not None:
            found.update(getter(user, obj))
    return found


def _add_permission_relationships(cls: type) -> None:
    """``<table>_groups`` and ``<table>_user_permissions`` for the user model ``cls``, and the relationships."""
    table = t.cast(sa.Table, cls.__table__)  # type: ignore[attr-defined]
    mapper = sa.inspect(cls)
    if len(mapper.primary_key) != 1:
        raise TypeError(f"The user model {cls.__qualname__} needs a primary key of one column (IdMixin gives one).")
    pk = mapper.primary_key[0]
    user_column = f"{cls.__name__.lower()}_id"

    def association(suffix: str, other: str, target: sa.Column[t.Any]) -> sa.Table:
        return sa.Table(
            f"{table.name}_{suffix}",
            table.metadata,
            sa.Column("id", _ID_TYPE, primary_key=True, autoincrement=True),
            sa.Column(user_column, pk.type, sa.ForeignKey(pk, ondelete="CASCADE"), nullable=False),
            sa.Column(other, _ID_TYPE, sa.ForeignKey(target, ondelete="CASCADE"), nullable=False, index=True),
            sa.UniqueConstraint(user_column, other),
        )

    groups_table = association("groups", "group_id", Group.__table__.c.id)
    permissions_table = association("user_permissions", "permission_id", Permission.__table__.c.id)
    cls._auth_groups_table = groups_table  # type: ignore[attr-defined]
    cls._auth_permissions_table = permissions_table  # type: ignore[attr-defined]
    cls._auth_user_column = user_column  # type: ignore[attr-defined]
    cls.groups = relationship(Group, secondary=groups_table)  # type: ignore[attr-defined]
    cls.user_permissions = relationship(Permission, secondary=permissions_table)  # type: ignore[attr-defined]


class AbstractUser(AbstractBaseUser, PermissionsMixin, IdMixin, Model):
    """Django's ``AbstractUser``: subclass it for a user model of your own.

    ::

        # myapp/models.py
        class Member(AbstractUser):
            __tablename__ = "member"
            bio: Mapped[str] = mapped_column(sa.Text, default="")

        # settings.py (before the first `flask db migrate`)
        AUTH_USER_MODEL = "myapp.models:Member"
    """

    __abstract__ = True

    #: Django's ``verbose_name`` of the columns (the password similarity message uses them).
    verbose_names: t.ClassVar[dict[str, t.Any]] = {
        "username": gettext_lazy("username"),
        "first_name": gettext_lazy("first name"),
        "last_name": gettext_lazy("last name"),
        "email": gettext_lazy("email address"),
    }

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: t.ClassVar[list[str]] = ["email"]

    #: Required, 150 characters or fewer: letters, digits and @/./+/-/_ only.
    username: Mapped[str] = mapped_column(sa.String(150), unique=True)
    first_name: Mapped[str] = mapped_column(sa.String(150), default="")
    last_name: Mapped[str] = mapped_column(sa.String(150), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    #: Whether the user can log into the admin site.
    is_staff: Mapped[bool] = mapped_column(sa.Boolean(), default=False)
    #: Whether the user can log in at all; unselect this instead of deleting accounts.
    is_active: Mapped[bool] = mapped_column(sa.Boolean(), default=True)
    date_joined: Mapped[datetime] = mapped_column(AwareDateTime(), default=timezone.now)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

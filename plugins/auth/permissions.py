"""Which permissions each model has, and ``flask auth sync-perms``, which creates them.

Django creates them after ``migrate`` (``post_migrate``); flaskkit never writes
at boot, so run ``flask auth sync-perms`` after ``flask db upgrade`` (the
check ``auth.W003`` says when some are missing).

Per model, as Django: ``add_<model>``, ``change_<model>``, ``delete_<model>``,
``view_<model>`` (``<model>`` is the class name in lower case), named
``"Can add blog post"``, plus the ``(codename, name)`` pairs of its
``Meta.permissions``. ``Meta.default_permissions`` changes the four
(``()`` for none). The app label is ``Meta.app_label`` when the model sets it;
otherwise the package of its ``models`` module (``blog.models.Post`` ->
``blog``), or its module's last part.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

import sqlalchemy as sa

from flaskkit.plugins.orm import Model
from flaskkit.plugins.orm import db
from flaskkit.plugins.orm.labels import app_label
from flaskkit.plugins.orm.labels import model_name
from flaskkit.plugins.orm.labels import verbose_name

from .models import Permission

__all__ = [
    "DEFAULT_PERMISSIONS",
    "PermissionSpec",
    "app_label",
    "expected_permissions",
    "missing_permissions",
    "model_name",
    "sync_permissions",
    "verbose_name",
]

#: Django's ``Meta.default_permissions``.
DEFAULT_PERMISSIONS: tuple[str, ...] = ("add", "change", "delete", "view")


@dataclass(frozen=True)
class PermissionSpec:
    """A permission a model should have."""

    app_label: str
    codename: str
    name: str

    @property
    def perm(self) -> str:
        return f"{self.app_label}.{self.codename}"


def _meta(model: type) -> t.Any:
    return getattr(model, "Meta", None)


def _models(user_model: type | None) -> list[type]:
    """Every mapped model of the process, except a built-in ``User`` the app swapped out."""
    found = []
    for mapper in Model.registry.mappers:
        cls = mapper.class_
        if mapper.inherits is not None and mapper.local_table is mapper.inherits.local_table:
            continue  # single-table subclass: Django gives proxy models their own, but ours share the table's
        if cls.__module__ == "flaskkit.plugins.auth.user" and user_model is not None and cls is not user_model:
            continue
        found.append(cls)
    return found


def expected_permissions(user_model: type | None = None) -> list[PermissionSpec]:
    """The permissions of every model, in a stable order."""
    specs: dict[tuple[str, str], PermissionSpec] = {}
    for model in _models(user_model):
        meta = _meta(model)
        label = app_label(model)
        name = model_name(model)
        words = verbose_name(model)
        defaults = getattr(meta, "default_permissions", DEFAULT_PERMISSIONS)
        for action in defaults:
            codename = f"{action}_{name}"
            specs.setdefault((label, codename), PermissionSpec(label, codename, f"Can {action} {words}"))
        for codename, title in getattr(meta, "permissions", ()):
            specs.setdefault((label, codename), PermissionSpec(label, codename, title))
    return sorted(specs.values(), key=lambda spec: (spec.app_label, spec.codename))


def missing_permissions(user_model: type | None = None) -> list[PermissionSpec]:
    """The expected permissions that the database does not have yet."""
    existing = {(row[0], row[1]) for row in db.session.execute(sa.select(Permission.app_label, Permission.codename))}
    return [spec for spec in expected_permissions(user_model) if (spec.app_label, spec.codename) not in existing]


def sync_permissions(user_model: type | None = None) -> list[PermissionSpec]:
    """Create the missing permissions (never deletes one); return those created."""
    created = missing_permissions(user_model)
    for spec in created:
        db.session.add(Permission(app_label=spec.app_label, codename=spec.codename, name=spec.name[:255]))
    db.session.commit()
    return created

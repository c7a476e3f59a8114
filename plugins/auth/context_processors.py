"""The template context: ``current_user`` and Django's ``perms``.

::

    {% if current_user.is_authenticated %}Hello {{ current_user.username }}{% endif %}
    {% if perms.blog %}...{% endif %}                      any permission in the app "blog"
    {% if perms.blog.change_post %}<a href="...">Edit</a>{% endif %}
    {% if "blog.change_post" in perms %}...{% endif %}

Both are lazy: a template that does not use them costs no session read.
"""

from __future__ import annotations

import typing as t

from .users import current_user

__all__ = ["PermLookupDict", "PermWrapper", "auth_context"]


class PermLookupDict:
    """``perms.<app_label>``: true when the user has any permission in the app; ``[codename]`` for one."""

    # Underscored attributes: Jinja tries getattr() first, so "perms.blog.user" must not find ours.
    def __init__(self, user: t.Any, app_label: str) -> None:
        self._user, self._app_label = user, app_label

    def __repr__(self) -> str:
        return str(self._user.get_all_permissions())

    def __getitem__(self, codename: str) -> bool:
        return bool(self._user.has_perm(f"{self._app_label}.{codename}"))

    def __getattr__(self, codename: str) -> bool:
        if codename.startswith("_"):
            raise AttributeError(codename)
        return self[codename]

    def __iter__(self) -> t.Iterator[t.Any]:
        raise TypeError("PermLookupDict is not iterable.")

    def __bool__(self) -> bool:
        return bool(self._user.has_module_perms(self._app_label))


class PermWrapper:
    """``perms`` in templates (Django's ``PermWrapper``), for the current user."""

    def __init__(self, user: t.Any) -> None:
        self._user = user

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}({self._user!r})"

    def __getitem__(self, app_label: str) -> PermLookupDict:
        return PermLookupDict(self._user, app_label)

    def __getattr__(self, app_label: str) -> PermLookupDict:
        if app_label.startswith("_"):
            raise AttributeError(app_label)
        return self[app_label]

    def __iter__(self) -> t.Iterator[t.Any]:
        raise TypeError("PermWrapper is not iterable.")

    def __contains__(self, perm_name: object) -> bool:
        """``"blog.change_post" in perms`` (or ``"blog" in perms`` for any permission in the app)."""
        if not isinstance(perm_name, str):
            return False
        if "." not in perm_name:
            return bool(self[perm_name])
        app_label, codename = perm_name.split(".", 1)
        return self[app_label][codename]


def auth_context() -> dict[str, t.Any]:
    """The context processor: ``current_user`` (Flask-Login's proxy) and ``perms``."""
    return {"current_user": current_user, "perms": PermWrapper(current_user)}

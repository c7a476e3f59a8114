"""``@admin.display`` and ``@admin.action``: Django's decorators for list columns and actions."""

from __future__ import annotations

import typing as t

__all__ = ["action", "display"]

_F = t.TypeVar("_F", bound=t.Callable[..., t.Any])


def display(
    function: _F | None = None,
    *,
    boolean: bool | None = None,
    ordering: str | t.Any | None = None,
    description: str | None = None,
    empty_value: str | None = None,
) -> t.Any:
    """Describe a method or function shown in ``list_display`` or ``readonly_fields``.

    ::

        @admin.display(description="Published recently?", boolean=True, ordering="pub_date")
        def was_published_recently(self, obj):
            return obj.pub_date >= now() - timedelta(days=1)

    ``description`` is the column's heading, ``boolean`` shows a yes/no icon,
    ``ordering`` makes the column sortable by that field (``"-pub_date"``,
    ``"author__username"``), ``empty_value`` replaces ``None``.
    """

    def decorate(func: _F) -> _F:
        if boolean is not None and empty_value is not None:
            raise ValueError("The boolean and empty_value arguments to the @display decorator are mutually exclusive.")
        if boolean is not None:
            func.boolean = boolean  # type: ignore[attr-defined]
        if ordering is not None:
            func.admin_order_field = ordering  # type: ignore[attr-defined]
        if description is not None:
            func.short_description = description  # type: ignore[attr-defined]
        if empty_value is not None:
            func.empty_value_display = empty_value  # type: ignore[attr-defined]
        return func

    if function is None:
        return decorate
    return decorate(function)


def action(
    function: _F | None = None,
    *,
    permissions: t.Sequence[str] | None = None,
    description: str | None = None,
    confirm: bool | None = None,
) -> t.Any:
    """Describe an admin action: a function ``(modeladmin, request, queryset)``.

    ::

        @admin.action(description="Mark selected stories as published", permissions=["change"])
        def make_published(modeladmin, request, queryset):
            for story in queryset:
                story.status = "p"

    ``permissions`` names the ``has_<name>_permission`` methods the user must
    pass (``["change"]``: ``has_change_permission``). An action runs once the
    user confirmed it on a page that lists the chosen objects (a POST from the
    change list never changes data by itself); ``confirm=False`` runs it
    straight away, as Django does, for actions that are harmless or that show
    their own intermediate page.
    """

    def decorate(func: _F) -> _F:
        if permissions is not None:
            func.allowed_permissions = tuple(permissions)  # type: ignore[attr-defined]
        if description is not None:
            func.short_description = description  # type: ignore[attr-defined]
        if confirm is not None:
            func.confirm = confirm  # type: ignore[attr-defined]
        return func

    if function is None:
        return decorate
    return decorate(function)

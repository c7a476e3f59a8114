"""The auth models in the admin (Django's ``django.contrib.auth.admin``): users, groups, permissions.

Imported by the admin plugin's autodiscovery when ``"admin"`` is in
``PLUGINS``. The user model is the app's (``AUTH_USER_MODEL``, resolved per
app): a custom model gets :class:`UserAdmin` too, with the fieldsets cut to
the columns it has and its own columns in an "Other" fieldset. An app that
registers its user model with its own ``ModelAdmin`` gets that one instead.
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from flask import redirect
from flask import request

from flaskkit.plugins import admin
from flaskkit.plugins.admin.access import permission_denied
from flaskkit.plugins.admin.saving import admin_message
from flaskkit.plugins.forms.converters import editable_names

from .forms import SetPasswordForm
from .forms import UserCreationForm
from .login import update_session_auth_hash
from .models import Group
from .models import Permission
from .models import save
from .password_validation import password_changed

if t.TYPE_CHECKING:
    from flask import Flask
    from flask import Request
    from flask.typing import ResponseReturnValue

__all__ = ["USER_MODEL", "GroupAdmin", "PermissionAdmin", "UserAdmin"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    search_fields = ("name",)
    ordering = ("name",)
    filter_horizontal = ("permissions",)


@admin.register(Permission)
class PermissionAdmin(admin.ModelAdmin):
    list_display = ("name", "app_label", "codename")
    list_filter = ("app_label",)
    search_fields = ("name", "app_label", "codename")
    ordering = ("app_label", "codename")


#: Django's UserAdmin fieldsets; each is cut to the columns the app's user model has.
USER_FIELDSETS: tuple[tuple[str | None, tuple[str, ...]], ...] = (
    (None, ("username", "password")),
    ("Personal info", ("first_name", "last_name", "email")),
    ("Permissions", ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")),
    ("Important dates", ("last_login", "date_joined")),
)


class UserAdmin(admin.ModelAdmin):
    """Django's ``UserAdmin``: the password is never shown nor edited here, only through its own form."""

    add_form = UserCreationForm
    change_password_form = SetPasswordForm
    list_display = ("username", "email", "first_name", "last_name", "is_staff")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("username", "first_name", "last_name", "email")
    ordering = ("username",)
    filter_horizontal = ("groups", "user_permissions")
    view_permissions = {**admin.ModelAdmin.view_permissions, "user_change_password": "change"}

    # -- adapted to the app's user model -------------------------------------------------------------------

    @classmethod
    def for_model(cls, model: type) -> type[admin.ModelAdmin]:
        """This class, with the options cut to the columns ``model`` has (a custom user model may lack
        ``username``, ``first_name``...; its ``USERNAME_FIELD`` stands for ``username``)."""
        attrs = sa.inspect(model).attrs
        username = getattr(model, "USERNAME_FIELD", "username")

        def keep(names: t.Iterable[t.Any], prefix: str = "") -> tuple[t.Any, ...]:
            renamed = [username if n == "username" else n for n in names]
            return tuple(n for n in dict.fromkeys(renamed) if not isinstance(n, str) or n.lstrip(prefix) in attrs)

        options = {
            "list_display": keep(cls.list_display),
            "list_filter": keep(cls.list_filter),
            "search_fields": keep(cls.search_fields, "^=@"),
            "ordering": keep(cls.ordering or (), "-"),
            "filter_horizontal": keep(cls.filter_horizontal),
            "__module__": cls.__module__,
        }
        return type(cls.__name__, (cls,), options)

    def _has(self, name: str) -> bool:
        return name in sa.inspect(self.model).attrs

    def _username(self) -> str:
        return t.cast(str, getattr(self.model, "USERNAME_FIELD", "username"))

    def get_object_tools(self, request: Request, obj: t.Any = None) -> list[tuple[str, str]]:
        tools = super().get_object_tools(request, obj)
        if obj is not None and self.has_change_permission(request, obj):
            tools.insert(0, ("Change password", self.admin_url("user_change_password", object_id=self.pk_string(obj))))
        return tools

    def get_fieldsets(self, request: Request, obj: t.Any = None) -> list[tuple[t.Any, dict[str, t.Any]]]:
        if obj is None:
            return [(None, {"classes": ("wide",), "fields": [*self.add_form_fields()]})]
        if self.fieldsets:
            return super().get_fieldsets(request, obj)
        used: set[str] = set()
        fieldsets: list[tuple[t.Any, dict[str, t.Any]]] = []
        for title, names in USER_FIELDSETS:
            chosen = [self._username() if n == "username" else n for n in names]
            chosen = [n for n in dict.fromkeys(chosen) if self._has(n)]
            used.update(chosen)
            if chosen:
                fieldsets.append((title, {"fields": chosen}))
        others = [n for n in editable_names(self.model) if n not in used and n != "password"]
        if others:
            fieldsets.append(("Other", {"fields": others}))
        return fieldsets

    def add_form_fields(self) -> list[str]:
        return [name for name, _ in self.add_form()._fields.items() if name != "csrf_token"]

    def get_form(self, request: Request, obj: t.Any = None, change: bool = False, **kwargs: t.Any) -> t.Any:
        if obj is None:
            return self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: Request, obj: t.Any = None) -> list[t.Any]:
        if obj is None:
            return []
        return super().get_readonly_fields(request, obj)

    def get_inline_instances(self, request: Request, obj: t.Any = None) -> list[t.Any]:
        return [] if obj is None else super().get_inline_instances(request, obj)

    def response_add(self, request: Request, obj: t.Any) -> ResponseReturnValue:
        # As Django: after the username and password, the other fields are on the change page.
        if "_addanother" not in request.form and self.has_change_permission(request, obj):
            admin_message(f"The user “{obj}” was added successfully. You may edit it again below.", "success")
            return redirect(self.get_change_url(obj))
        return super().response_add(request, obj)

    # -- the password ---------------------------------------------------------------------------------------

    @admin.display(description="Password")
    def password_summary(self, obj: t.Any) -> str:
        from flaskkit.plugins.admin.display import password_summary

        return password_summary(obj.password)

    @admin.expose("/<object_id>/password/", methods=("GET", "POST"))
    def user_change_password(self, object_id: str) -> ResponseReturnValue:
        """Django's "Change password" page of a user, with the app's password validators."""
        user = self.get_object(request, object_id)
        if user is None:
            return self._missing(object_id)
        if not self.has_change_permission(request, user):
            return permission_denied()
        form = self.change_password_form(user)
        form.new_password1.label.text = "Password"
        form.new_password2.label.text = "Password (again)"
        if form.is_valid():
            form.save(commit=False)
            self.log_change(request, user, [{"changed": {"fields": ["password"]}}])
            save(user)
            password_changed(form.cleaned_data["new_password1"], user)
            from flaskkit.plugins.auth import current_user

            if current_user.get_id() == user.get_id():
                update_session_auth_hash(user)
            admin_message("Password changed successfully.", "success")
            return redirect(self.get_change_url(user))
        return self.render_admin(
            "admin/auth/change_password.html",
            title=f"Change password: {user.get_username()}",
            subtitle=None,
            form=form,
            original=user,
            object_id=object_id,
        )


def _user_model(app: Flask) -> type | None:
    from .users import auth_plugin

    return t.cast(type, auth_plugin(app).user_model)


#: The app's user model (``AUTH_USER_MODEL``), registered with :class:`UserAdmin`.
USER_MODEL = admin.LazyModel("AUTH_USER_MODEL", _user_model)
admin.site.register(USER_MODEL, UserAdmin)

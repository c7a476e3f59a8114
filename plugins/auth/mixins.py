"""Django's access mixins for class-based views: ``LoginRequiredMixin``, ``PermissionRequiredMixin``,
``UserPassesTestMixin``.

They work with any view class that follows the views plugin's contract (a new
instance per request, ``setup()`` sets ``self.request``, ``self.args`` and
``self.kwargs``, then ``self.dispatch(*args, **kwargs)`` runs the handler):
each overrides ``dispatch``, checks, and calls ``super().dispatch(...)``. List
them first, leftmost in the bases, as in Django::

    class PostUpdate(LoginRequiredMixin, PermissionRequiredMixin, UpdateView):
        permission_required = "blog.change_post"
        raise_exception = True

An anonymous user is redirected to ``LOGIN_URL?next=<path>`` (302); a logged-in
user who fails the check gets 403 (Django's ``AccessMixin``). One difference:
Django also answers 403 to an *anonymous* user when ``raise_exception = True``
(so ``LoginRequiredMixin`` next to ``PermissionRequiredMixin(raise_exception=True)``
never redirects); here anonymous users always go to the login page.
"""

from __future__ import annotations

import typing as t

from flask import current_app

from flaskkit import ConfigurationError
from flaskkit.http import decides_by_user

from .exceptions import PermissionDenied
from .urls import login_redirect
from .users import current_user

__all__ = ["AccessMixin", "LoginRequiredMixin", "PermissionRequiredMixin", "UserPassesTestMixin"]


class AccessMixin:
    """What to do when access is refused: redirect anonymous users to log in, 403 for the others."""

    #: Where anonymous users are sent (default: ``LOGIN_URL``); a path, a URL or an endpoint name.
    login_url: str | None = None
    #: The message of the 403 page.
    permission_denied_message: str = ""
    #: Kept for Django code: a logged-in user who is refused gets 403 either way, and an
    #: anonymous one always goes to the login page (see the module docstring).
    raise_exception: bool = False
    #: The query parameter that carries the page to come back to.
    redirect_field_name: str | None = "next"

    def get_login_url(self) -> str:
        return self.login_url or t.cast(str, current_app.config["LOGIN_URL"])

    def get_permission_denied_message(self) -> str:
        return self.permission_denied_message

    def get_redirect_field_name(self) -> str | None:
        return self.redirect_field_name

    def handle_no_permission(self) -> t.Any:
        if current_user.is_authenticated:
            raise PermissionDenied(self.get_permission_denied_message() or None)
        return login_redirect(self.get_login_url(), self.get_redirect_field_name())


class LoginRequiredMixin(AccessMixin):
    """Only logged-in users; anonymous ones go to the login page."""

    @decides_by_user
    def dispatch(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        if not current_user.is_authenticated and not current_app.config.get("LOGIN_DISABLED"):
            return self.handle_no_permission()
        return super().dispatch(*args, **kwargs)  # type: ignore[misc]


class PermissionRequiredMixin(AccessMixin):
    """Only users with :attr:`permission_required` (one permission, or every one of a list)."""

    permission_required: str | t.Sequence[str] | None = None

    def get_permission_required(self) -> t.Sequence[str]:
        if self.permission_required is None:
            raise ConfigurationError(
                f"{type(self).__name__} is missing the permission_required attribute. Define "
                f"{type(self).__name__}.permission_required, or override "
                f"{type(self).__name__}.get_permission_required()."
            )
        if isinstance(self.permission_required, str):
            return (self.permission_required,)
        return tuple(self.permission_required)

    def has_permission(self) -> bool:
        return bool(current_user.has_perms(self.get_permission_required()))

    @decides_by_user  # unless a subclass overrides has_permission or get_permission_required
    def dispatch(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        if not self.has_permission():
            return self.handle_no_permission()
        return super().dispatch(*args, **kwargs)  # type: ignore[misc]


class UserPassesTestMixin(AccessMixin):
    """Only users for whom :meth:`test_func` returns True."""

    def test_func(self) -> bool:
        raise NotImplementedError(f"{type(self).__name__} is missing the implementation of the test_func() method.")

    def get_test_func(self) -> t.Callable[[], bool]:
        return self.test_func

    def dispatch(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        if not self.get_test_func()():
            return self.handle_no_permission()
        return super().dispatch(*args, **kwargs)  # type: ignore[misc]

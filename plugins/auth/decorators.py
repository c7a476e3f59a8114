"""View decorators with Django's behaviour: ``login_required``, ``permission_required``, ``user_passes_test``.

An anonymous user is sent to ``LOGIN_URL?next=<the path and query>`` (302);
Flask-Login's ``login_required`` answered 401 when no login view was set, and
flashed a message. ``permission_required(..., raise_exception=True)`` answers
a logged-in user who lacks the permission with 403.
"""

from __future__ import annotations

import functools
import typing as t

from flask import current_app

from flaskkit.http import decides_by_user

from .exceptions import PermissionDenied
from .urls import login_redirect
from .users import current_user

__all__ = ["login_not_required", "login_required", "permission_required", "user_passes_test"]

_F = t.TypeVar("_F", bound=t.Callable[..., t.Any])

#: The attribute :func:`login_not_required` sets (Django's ``login_required = False``).
LOGIN_NOT_REQUIRED_ATTR = "login_required"


def user_passes_test(
    test_func: t.Callable[[t.Any], bool], login_url: str | None = None, redirect_field_name: str | None = "next"
) -> t.Callable[[_F], _F]:
    """Run the view only if ``test_func(current_user)`` is true; otherwise redirect to the login page."""

    def decorator(view: _F) -> _F:
        @functools.wraps(view)
        def wrapped(*args: t.Any, **kwargs: t.Any) -> t.Any:
            if test_func(current_user._get_current_object()):  # type: ignore[attr-defined]
                return view(*args, **kwargs)
            return login_redirect(login_url, redirect_field_name)

        # test_func gets the user and nothing else (Django's contract): a page cache_page stored
        # behind this check may be served before it runs (the key holds the session's cookie).
        return t.cast(_F, decides_by_user(wrapped))

    return decorator


def login_required(
    view: _F | None = None, *, login_url: str | None = None, redirect_field_name: str | None = "next"
) -> t.Any:
    """Only for logged-in users; others go to ``LOGIN_URL?next=...``.

    ::

        @app.get("/dashboard")
        @login_required
        def dashboard(): ...

        @login_required(login_url="/signin/")
        def settings_page(): ...

    ``LOGIN_DISABLED = True`` (Flask-Login's setting, for tests) lets everyone in.
    """

    def check(user: t.Any) -> bool:
        return bool(user.is_authenticated) or bool(current_app.config.get("LOGIN_DISABLED"))

    decorator = user_passes_test(check, login_url=login_url, redirect_field_name=redirect_field_name)
    if view is not None:
        return decorator(view)
    return decorator


def permission_required(
    perm: str | t.Iterable[str], login_url: str | None = None, raise_exception: bool = False
) -> t.Callable[[_F], _F]:
    """Only for users with ``perm`` (one, or every one of a list).

    As Django: without ``raise_exception`` a user who lacks it is sent to the
    login page (to log in as someone else); with ``raise_exception=True`` a
    logged-in user who lacks it gets 403 (an anonymous one still goes to the login page).
    """
    perms = (perm,) if isinstance(perm, str) else tuple(perm)

    def check(user: t.Any) -> bool:
        if user.has_perms(perms):
            return True
        if raise_exception and user.is_authenticated:
            raise PermissionDenied()
        return False

    return user_passes_test(check, login_url=login_url)


def login_not_required(view: _F) -> _F:
    """Exempt a view (function or view class) from :class:`~flaskkit.plugins.auth.LoginRequiredMiddleware`."""
    setattr(view, LOGIN_NOT_REQUIRED_ATTR, False)
    return view

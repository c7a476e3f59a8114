"""The auth plugin's exceptions."""

from __future__ import annotations

from werkzeug.exceptions import Forbidden

__all__ = ["PermissionDenied"]


class PermissionDenied(Forbidden):
    """The user may not do this: a **403** (Django's ``PermissionDenied``).

    Raised by ``permission_required(..., raise_exception=True)`` and the access
    mixins; a backend raises it from ``authenticate()`` to stop the other
    backends from trying (the login fails).
    """

"""The views plugin's checks.

- ``views.E001`` a view sets ``cache_timeout`` but the cache plugin is not enabled.
- ``views.E002`` a view's ``cache_alias`` is not an alias of ``CACHES``.
- ``views.E003`` a view's route cannot work for it (a detail view without ``<pk>`` or ``<slug>``...).

A view registered once the app has booted is refused at its first request with
the same messages; these checks cover the routes added before the boot's checks
and ``flask kit check``.
"""

from __future__ import annotations

import typing as t

from flaskkit import ConfigurationError
from flaskkit.checks import CheckMessage
from flaskkit.checks import Error

from .registration import cache_problem
from .registration import routes_of
from .registration import view_class_of

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["check_views"]


def check_views(app: Flask) -> list[CheckMessage]:
    """Every flaskkit view of ``app``: its cache settings and its routes."""
    messages: list[CheckMessage] = []
    for endpoint, view in sorted(app.view_functions.items()):
        cls = view_class_of(view)
        if cls is None:
            continue
        problem = cache_problem(app, endpoint, view)
        if problem is not None:
            check_id, message, hint = problem
            messages.append(Error(message, hint=hint, obj=endpoint, id=check_id))
        initkwargs: dict[str, t.Any] = getattr(view, "view_initkwargs", {})
        for rule in routes_of(app, endpoint):
            try:
                cls.check_route(initkwargs, endpoint, set(rule.arguments) | set(rule.defaults or ()))
            except ConfigurationError as exc:
                messages.append(Error(exc.message, hint=exc.hint, obj=endpoint, id="views.E003"))
    return messages

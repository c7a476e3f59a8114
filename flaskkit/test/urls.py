"""``reverse()``: Django's, on Flask's URL map, usable outside a request.

::

    reverse("polls.detail", question.id)          # positional: the rule's variables, in order
    reverse("polls.detail", question_id=1)        # or by name, as url_for
    reverse("polls:detail", args=[1], query={"page": 2})   # Django's spelling works too
"""

from __future__ import annotations

import contextvars
import re
import typing as t
from urllib.parse import urlencode

from flask import current_app
from flask import has_app_context
from flask import url_for

from .client import run_isolated

if t.TYPE_CHECKING:
    from flask import Flask
    from werkzeug.routing import Rule

__all__ = ["NoReverseMatch", "reverse", "rule_arguments"]

#: The app of the running test (set by flaskkit's ``app`` and ``client`` fixtures), for ``reverse()``
#: outside an app context.
test_app: contextvars.ContextVar[Flask] = contextvars.ContextVar("flaskkit_test_app")

#: ``<name>``, ``<int:name>``, ``<string(length=2):name>`` in a rule.
_VARIABLE = re.compile(r"<(?:[^<>]*:)?([A-Za-z_][A-Za-z0-9_]*)>")


class NoReverseMatch(LookupError):
    """No URL rule of the endpoint takes these arguments (Django's ``NoReverseMatch``)."""


def rule_arguments(rule: Rule) -> list[str]:
    """The variables of ``rule``, in the order they appear in it."""
    return _VARIABLE.findall(rule.rule)


def reverse(
    endpoint: str,
    *args: t.Any,
    app: Flask | None = None,
    query: t.Mapping[str, t.Any] | t.Iterable[tuple[str, t.Any]] | None = None,
    fragment: str | None = None,
    _external: bool = False,
    **kwargs: t.Any,
) -> str:
    """The URL of ``endpoint``, with ``args`` given to the rule's variables in order, and ``kwargs`` by name.

    Works outside a request: the app is ``app``, else the current app, else the
    test's (flaskkit's ``app``/``client`` fixtures). ``"polls:detail"`` is read as
    ``"polls.detail"``, and ``args=[...]``/``kwargs={...}`` as Django's ``reverse``
    takes them (unless the rule has variables of those names). ``query`` (a
    mapping or pairs) becomes the query string, ``fragment`` the ``#fragment``.
    Other keyword arguments a rule does not use become query parameters, as
    with ``url_for``.
    """
    app = _the_app(app)
    endpoint = _endpoint(app, endpoint)
    rules = list(app.url_map.iter_rules(endpoint))
    variables = {name for rule in rules for name in rule_arguments(rule)}
    if "args" in kwargs and "args" not in variables and isinstance(kwargs["args"], list | tuple):
        args = (*args, *kwargs.pop("args"))
    if "kwargs" in kwargs and "kwargs" not in variables and isinstance(kwargs["kwargs"], dict):
        kwargs.update(kwargs.pop("kwargs"))
    values = dict(kwargs)
    if args:
        values.update(_positional(endpoint, rules, args, kwargs))

    def build() -> str:
        with app.test_request_context():
            return url_for(endpoint, _external=_external, _anchor=fragment, **values)

    url = run_isolated(build)
    if query:
        pairs = list(query.items()) if isinstance(query, t.Mapping) else list(query)
        url, _, anchor = url.partition("#")
        url += ("&" if "?" in url else "?") + urlencode(pairs, doseq=True)
        url += f"#{anchor}" if anchor else ""
    return url


def _the_app(app: Flask | None) -> Flask:
    if app is not None:
        return app
    if has_app_context():
        return t.cast("Flask", current_app._get_current_object())  # type: ignore[attr-defined]
    found = test_app.get(None)
    if found is None:
        raise RuntimeError("reverse() needs the app: pass app=..., or call it inside an app context or a test.")
    return found


def _endpoint(app: Flask, endpoint: str) -> str:
    if endpoint in app.view_functions:
        return endpoint
    dotted = endpoint.replace(":", ".")
    if dotted in app.view_functions:
        return dotted
    raise NoReverseMatch(f"Reverse for {endpoint!r} not found: no view has this endpoint name.")


def _positional(
    endpoint: str, rules: list[Rule], args: tuple[t.Any, ...], kwargs: dict[str, t.Any]
) -> dict[str, t.Any]:
    for rule in rules:
        free = [name for name in rule_arguments(rule) if name not in kwargs and name not in (rule.defaults or {})]
        if len(free) == len(args):
            return dict(zip(free, args, strict=True))
    shown = "; ".join(f"{rule.rule!r} takes {', '.join(rule_arguments(rule)) or 'none'}" for rule in rules)
    raise NoReverseMatch(
        f"Reverse for {endpoint!r} with {len(args)} positional argument(s) {args!r} not found: {shown}."
    )

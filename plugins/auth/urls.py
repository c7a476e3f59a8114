"""Safe redirects: Django's ``url_has_allowed_host_and_scheme``, ``resolve_url`` and ``redirect_to_login``."""

from __future__ import annotations

import typing as t
from urllib.parse import parse_qsl
from urllib.parse import urlencode
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from flask import current_app
from flask import redirect
from flask import request
from flask import url_for
from werkzeug.datastructures import MultiDict
from werkzeug.routing import BuildError

from flaskkit.http import MAX_URL_LENGTH
from flaskkit.http import allowed_hosts
from flaskkit.http import url_has_allowed_host_and_scheme

if t.TYPE_CHECKING:
    from werkzeug.wrappers import Response

__all__ = [
    "MAX_URL_LENGTH",
    "allowed_hosts",
    "current_full_path",
    "get_safe_redirect",
    "login_redirect",
    "redirect_to_login",
    "resolve_url",
    "url_has_allowed_host_and_scheme",
]


def resolve_url(target: str) -> str:
    """A URL from a setting: a path or URL is used as it is; anything else is an endpoint for ``url_for``.

    ``"/accounts/login/"`` and ``"https://sso.example.com/"`` stay; ``"auth.login"``
    or ``"index"`` (no ``/``) is built with ``url_for``. An endpoint that does not
    exist is taken as a relative URL, as Django's ``resolve_url`` does with a name
    it cannot reverse.
    """
    if "/" in target or ":" in target:
        return target
    try:
        return url_for(target)
    except BuildError:
        return target


def current_full_path() -> str:
    """The current request's path and query string (Django's ``request.get_full_path()``)."""
    path = request.script_root + request.path
    query = request.query_string.decode("latin-1")
    return f"{path}?{query}" if query else path


def get_safe_redirect(field: str = "next") -> str:
    """The ``next`` URL of the request (form first, then query string) when it is safe, else ``""``."""
    target = request.form.get(field) if request.method == "POST" else None
    if target is None:
        target = request.args.get(field, "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts(), require_https=request.is_secure):
        return target
    return ""


def redirect_to_login(
    next_url: str, login_url: str | None = None, redirect_field_name: str | None = "next"
) -> Response:
    """A 302 to the login page with ``?next=<next_url>`` (Django's ``redirect_to_login``)."""
    resolved = resolve_url(login_url or current_app.config["LOGIN_URL"])
    if redirect_field_name and "?" not in resolved and "#" not in resolved:
        # The common case, a login URL without a query: no parsing needed.
        return redirect(f"{resolved}?{urlencode([(redirect_field_name, next_url)], safe='/')}")
    parts = list(urlsplit(resolved))
    if redirect_field_name:
        query = MultiDict(parse_qsl(parts[3], keep_blank_values=True))
        query[redirect_field_name] = next_url
        parts[3] = urlencode(list(query.items(multi=True)), safe="/")
    return redirect(urlunsplit(parts))


def login_redirect(login_url: str | None = None, redirect_field_name: str | None = "next") -> Response:
    """Send the current request to the login page, coming back to it afterwards.

    ``next`` is the current path with its query string; it is the absolute URL
    when the login page is on another host or scheme (Django's rule).
    """
    resolved = resolve_url(login_url or current_app.config["LOGIN_URL"])
    next_url = current_full_path()
    login = urlsplit(resolved)
    if (login.scheme and login.scheme != request.scheme) or (login.netloc and login.netloc != request.host):
        next_url = request.url
    return redirect_to_login(next_url, resolved, redirect_field_name)

"""Safe redirects: Django's ``url_has_allowed_host_and_scheme``, ``resolve_url`` and ``redirect_to_login``."""

from __future__ import annotations

import typing as t
import unicodedata
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

#: Longer URLs are never considered safe (Django: urlsplit is slow on huge inputs).
MAX_URL_LENGTH = 2048


def url_has_allowed_host_and_scheme(
    url: str | None, allowed_hosts: str | t.Iterable[str] | None, require_https: bool = False
) -> bool:
    """Whether redirecting to ``url`` stays on one of ``allowed_hosts``, with a safe scheme.

    Django's function, with its rules: a relative URL (``/dashboard``) is safe;
    an absolute one must name an allowed host (``host`` or ``host:port`` as in
    the ``Host`` header) and use http or https (https only with
    ``require_https``). Empty, scheme-relative to another host (``//evil.com``),
    three slashes (``///evil.com``), backslash tricks (``/\\evil.com``),
    ``http:/evil.com``, ``javascript:``, leading control characters and URLs
    longer than :data:`MAX_URL_LENGTH` are not safe.
    """
    if url is not None:
        url = url.strip()
    if not url:
        return False
    if allowed_hosts is None:
        hosts: set[str] = set()
    elif isinstance(allowed_hosts, str):
        hosts = {allowed_hosts}
    else:
        hosts = set(allowed_hosts)
    # Browsers read "\" as "/" in paths, but it may also be part of credentials:
    # the URL must be safe read either way.
    return _is_safe(url, hosts, require_https) and _is_safe(url.replace("\\", "/"), hosts, require_https)


def _is_safe(url: str, allowed_hosts: set[str], require_https: bool) -> bool:
    # Browsers take any URL that starts with three slashes as absolute; urlsplit does not.
    if url.startswith("///") or len(url) > MAX_URL_LENGTH:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:  # an invalid IPv6 address, for one
        return False
    # "http:///example.com" has a scheme but no host; browsers still go to example.com.
    if not parts.netloc and parts.scheme:
        return False
    # Browsers skip leading control characters, which could make the URL scheme-relative.
    if unicodedata.category(url[0])[0] == "C":
        return False
    scheme = parts.scheme
    if not scheme and parts.netloc:
        scheme = "http"  # "//example.com/p" is as good as http
    valid_schemes = ("https",) if require_https else ("http", "https")
    return (not parts.netloc or parts.netloc in allowed_hosts) and (not scheme or scheme in valid_schemes)


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


#: Where the middleware plugin keeps its host check (``ALLOWED_HOSTS``): when it is there, every
#: request's host was validated before any view ran.
ALLOWED_HOSTS_EXTENSION = "flaskkit.allowed_hosts"


def allowed_hosts() -> set[str]:
    """The hosts a ``next`` URL may name: ``AUTH_SUCCESS_URL_ALLOWED_HOSTS``, and this request's host
    once it has been validated (the middleware plugin's ``ALLOWED_HOSTS``, or Flask's ``TRUSTED_HOSTS``).

    An unvalidated ``Host`` is whatever the client sent: it never makes an absolute URL safe (a
    relative ``next`` always is). Django's ``request.get_host()`` refuses such a host outright.
    """
    hosts = set(current_app.config.get("AUTH_SUCCESS_URL_ALLOWED_HOSTS", ()))
    if ALLOWED_HOSTS_EXTENSION in current_app.extensions or current_app.config.get("TRUSTED_HOSTS"):
        hosts.add(request.host)
    return hosts


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

"""HTTP helpers shared by the plugins, as ``django.utils.http``: safe redirect targets, ``Vary``."""

from __future__ import annotations

import typing as t
import unicodedata
import weakref
from urllib.parse import urlsplit

from flask import current_app
from flask import request

if t.TYPE_CHECKING:
    from flask import Request

__all__ = [
    "ALLOWED_HOSTS_EXTENSION",
    "MAX_URL_LENGTH",
    "allowed_hosts",
    "decides_by_user",
    "is_deciding_by_user",
    "patch_vary_cookie",
    "request_cookie",
    "url_has_allowed_host_and_scheme",
]

_F = t.TypeVar("_F", bound=t.Callable[..., t.Any])

# The view wrappers and dispatch methods that decide from the logged-in user alone.
_BY_USER: weakref.WeakSet[t.Callable[..., t.Any]] = weakref.WeakSet()


def decides_by_user(func: _F) -> _F:
    """Mark ``func`` (a view decorator's wrapper, or a mixin's ``dispatch``) as deciding from the user alone.

    The user comes from the session, whose cookie is part of every key
    ``cache_page`` stores a page under once the session was read: so a page
    stored behind such a check may be served before the check runs (the cache
    plugin's ``cache.pages`` layer), without reading the session or loading the
    user. The auth plugin marks ``login_required``, ``permission_required``,
    ``user_passes_test``, ``LoginRequiredMixin`` and ``PermissionRequiredMixin``.
    A check that reads anything else (a header, the client's address, the time)
    must not be marked.
    """
    _BY_USER.add(func)
    return func


def is_deciding_by_user(func: object) -> bool:
    """Whether :func:`decides_by_user` marked ``func``."""
    try:
        return func in _BY_USER
    except TypeError:  # not weak-referenceable: never marked
        return False


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


def patch_vary_cookie(response: t.Any) -> None:
    """``response.vary.add("Cookie")``, on every response whose content depends on the cookies: a
    response without a ``Vary`` header (most) gets it as such, without the parse and rewrite of a
    ``HeaderSet``."""
    if "Vary" in response.headers:
        response.vary.add("Cookie")
    else:
        response.headers["Vary"] = "Cookie"


def request_cookie(req: Request, name: str) -> str | None:
    """``req.cookies.get(name)``, without its cost when the cookie is absent.

    Werkzeug's ``MultiDict.get`` looks the key up with ``[]`` and catches the miss, and
    that miss is a :class:`~werkzeug.exceptions.BadRequestKeyError` (an HTTP exception,
    built with its message): about a microsecond, paid on every request without the
    cookie by every plugin that looks for one. A request without a ``Cookie`` header
    does not parse the cookies at all.
    """
    if not req.environ.get("HTTP_COOKIE"):
        return None
    cookies = req.cookies
    return cookies[name] if name in cookies else None  # noqa: SIM401  (get() is the slow path)

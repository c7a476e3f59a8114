"""Which site a feed or a sitemap speaks for: the scheme and host of its absolute URLs.

Feeds and sitemaps are read far from the site, so every link in them is absolute
(``https://example.com/notes/1/``). Where the host comes from, in order:

1. ``SITE_URL = "https://example.com"``: the site's address, configured (what Django's
   sites framework gives with ``Site.objects.get_current().domain``);
2. otherwise the request's own host, **once validated**: by the middleware plugin's
   ``ALLOWED_HOSTS`` (any list but ``["*"]``), or by Flask's ``TRUSTED_HOSTS``. That is
   Django's ``RequestSite``, built from ``request.get_host()``.

A ``Host`` header that nothing checked is never used: anyone could make the site write
links to their own server into a feed that a cache then serves to everyone. When neither
source is safe, the check ``syndication.E001`` (``sitemaps.E001``) stops the boot, and a
view that gets that far raises :class:`~flaskkit.ConfigurationError`.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t
from urllib.parse import urlsplit

from flask import current_app
from flask import request
from werkzeug.urls import iri_to_uri

from flaskkit import ConfigurationError
from flaskkit.checks import CheckMessage
from flaskkit.checks import Error
from flaskkit.plugins.middleware.hosts import EXTENSION_KEY as ALLOWED_HOSTS_KEY
from flaskkit.plugins.middleware.hosts import get_host
from flaskkit.plugins.middleware.hosts import split_domain_port

if t.TYPE_CHECKING:
    from flask import Flask
    from flask import Request

    from flaskkit.plugins.middleware.hosts import AllowedHosts

__all__ = [
    "SITE_URL_HINT",
    "Site",
    "add_domain",
    "check_site_url",
    "get_current_site",
    "parse_site_url",
    "to_uri",
    "unvalidated_host_reason",
]

#: What to do when the request's host cannot be trusted.
SITE_URL_HINT = (
    "Set SITE_URL = 'https://example.com' (the site's address; links in feeds and sitemaps use it), or add "
    "'middleware' to PLUGINS with ALLOWED_HOSTS listing the site's host names (not '*')."
)


#: A URL made only of characters a URI may hold as they are (brackets aside: only an IPv6 host has them).
_URI_AS_IS = re.compile(r"[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]*")


def to_uri(url: str) -> str:
    """``url`` as a URI: werkzeug's ``iri_to_uri`` (non-ASCII and unsafe characters percent-encoded, an
    internationalised host in IDNA), skipped for a URL that has nothing to encode: a sitemap page
    makes 50,000 of them."""
    return url if _URI_AS_IS.fullmatch(url) else iri_to_uri(url)


@dataclasses.dataclass(frozen=True)
class Site:
    """The site of the current request (Django's ``Site``/``RequestSite``): ``domain`` is the host
    with its port when it has one (``example.com``, ``localhost:5000``)."""

    domain: str
    name: str
    scheme: str = "https"

    @property
    def url(self) -> str:
        """``scheme://domain``, without a trailing slash."""
        return f"{self.scheme}://{self.domain}"

    def absolute_url(self, url: str) -> str:
        """``url`` (a path) on this site; an http(s) or mailto URL is returned as it is (see :func:`add_domain`)."""
        return add_domain(self.domain, url, self.scheme == "https")


def add_domain(domain: str, url: str, secure: bool = False) -> str:
    """Django's ``add_domain``: ``/foo/`` -> ``http://domain/foo/`` (``https`` when ``secure``).

    An ``http://``, ``https://`` or ``mailto:`` URL is returned as it is, a network-path
    reference (``//host/path``) gets the scheme. Any other value is taken as a path on the
    site (so ``javascript:...`` can never become a link of its own).
    """
    protocol = "https" if secure else "http"
    url = str(url)
    if url.startswith("//"):
        return f"{protocol}:{url}"
    if url.lower().startswith(("http://", "https://", "mailto:")):
        return url
    if not url.startswith("/"):
        url = "/" + url
    return to_uri(f"{protocol}://{domain}{url}")


def parse_site_url(value: object, plugin: str = "syndication") -> tuple[str, str] | None:
    """``SITE_URL`` as ``(scheme, host)``; ``None`` when it is not set. A ConfigurationError otherwise."""
    if value is None or value == "":
        return None
    hint = "Write the site's address as scheme and host only: SITE_URL = 'https://example.com'."
    if not isinstance(value, str):
        raise ConfigurationError(
            f"SITE_URL must be a string such as 'https://example.com', not {value!r}.",
            setting="SITE_URL",
            plugin=plugin,
            hint=hint,
        )
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError as exc:
        raise ConfigurationError(
            f"SITE_URL is {value!r}, which is not a URL: {exc}.", setting="SITE_URL", plugin=plugin, hint=hint
        ) from exc
    problem = ""
    if parts.scheme not in ("http", "https"):
        problem = "it needs the scheme http:// or https://"
    elif not parts.hostname:
        problem = "it has no host"
    elif parts.username is not None or parts.password is not None:
        problem = "it must not hold a user name or password"
    elif parts.path not in ("", "/") or parts.query or parts.fragment:
        problem = "it must not have a path, query or fragment (the app's URLs give the path)"
    host = ""
    if not problem:
        host = _ascii_host(t.cast(str, parts.hostname))
        if not host or not split_domain_port(host)[0]:
            problem = "its host is not a valid host name"
    if problem:
        raise ConfigurationError(f"SITE_URL is {value!r}: {problem}.", setting="SITE_URL", plugin=plugin, hint=hint)
    if port is not None:
        host = f"{host}:{port}"
    return parts.scheme, host


def _ascii_host(hostname: str) -> str:
    """The host as a URL writes it: IPv6 in brackets, an internationalised name in IDNA; ``""`` if invalid."""
    if ":" in hostname:
        return f"[{hostname}]"
    try:
        return hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return ""


def unvalidated_host_reason(app: Flask) -> str | None:
    """Why the request's host cannot be used for absolute URLs, or ``None`` when it is validated."""
    allowed = t.cast("AllowedHosts | None", app.extensions.get(ALLOWED_HOSTS_KEY))
    if allowed is not None:
        if "*" in allowed.patterns:
            return "ALLOWED_HOSTS contains '*', so a request may name any host"
        return None
    if app.config.get("TRUSTED_HOSTS"):
        return None  # Flask refuses (400) a request whose host is not in the list
    return "nothing checks the request's Host header (no ALLOWED_HOSTS: the middleware plugin is not in PLUGINS)"


def get_current_site(req: Request | None = None) -> Site:
    """The site of the current request: ``SITE_URL``, else the request's validated host and scheme.

    :raises ConfigurationError: neither is safe (see the module's documentation).
    :raises DisallowedHost: the request's host is not in ``ALLOWED_HOSTS`` (a 400).
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    name = app.config.get("SITE_NAME") or ""
    configured = parse_site_url(app.config.get("SITE_URL"))
    if configured is not None:
        scheme, domain = configured
        return Site(domain=domain, name=name or domain, scheme=scheme)
    reason = unvalidated_host_reason(app)
    if reason is not None:
        raise ConfigurationError(
            f"Cannot build the absolute URLs of a feed or sitemap: SITE_URL is not set and {reason}.",
            setting="SITE_URL",
            hint=SITE_URL_HINT,
        )
    req = req if req is not None else t.cast("Request", request._get_current_object())  # type: ignore[attr-defined]
    host = get_host(req)
    return Site(domain=host, name=name or host, scheme=req.scheme)


def check_site_url(app: Flask, plugin: str) -> list[CheckMessage]:
    """``<plugin>.E001``: absolute URLs would be built from a host nobody validated."""
    if parse_site_url(app.config.get("SITE_URL"), plugin) is not None:
        return []
    reason = unvalidated_host_reason(app)
    if reason is None:
        return []
    return [
        Error(
            f"The {plugin} plugin writes absolute URLs, but SITE_URL is not set and {reason}: a request "
            "could make them point at any server.",
            hint=SITE_URL_HINT,
            obj="SITE_URL",
            id=f"{plugin}.E001",
        )
    ]

"""``SecurityMiddleware``: Django's security headers and HTTPS redirect, with Django's setting names."""

from __future__ import annotations

import re
import typing as t

from flask import redirect
from werkzeug.sansio.utils import get_current_url

from flaskkit import ConfigurationError

from .base import Middleware
from .hosts import get_host

if t.TYPE_CHECKING:
    from flask import Flask
    from flask import Request
    from flask import Response

__all__ = ["COOP_VALUES", "REFERRER_POLICY_VALUES", "SecurityMiddleware"]

#: The values ``SECURE_REFERRER_POLICY`` accepts (Django's list).
REFERRER_POLICY_VALUES = frozenset(
    {
        "no-referrer",
        "no-referrer-when-downgrade",
        "origin",
        "origin-when-cross-origin",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
        "unsafe-url",
    }
)

#: The values ``SECURE_CROSS_ORIGIN_OPENER_POLICY`` accepts (Django's list).
COOP_VALUES = frozenset({"same-origin", "same-origin-allow-popups", "unsafe-none"})


class SecurityMiddleware(Middleware):
    """Security headers on every response, HSTS on secure requests, and an optional redirect to HTTPS.

    Django's ``SecurityMiddleware``, with its settings and defaults:

    * ``SECURE_CONTENT_TYPE_NOSNIFF = True``: ``X-Content-Type-Options: nosniff``;
    * ``SECURE_REFERRER_POLICY = "same-origin"``: ``Referrer-Policy`` (a list or
      a comma-separated string gives fallbacks; ``None`` sends none);
    * ``SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"``:
      ``Cross-Origin-Opener-Policy`` (``None`` sends none);
    * ``SECURE_HSTS_SECONDS = 0``: when above 0, ``Strict-Transport-Security:
      max-age=N`` on secure requests only, with ``SECURE_HSTS_INCLUDE_SUBDOMAINS``
      and ``SECURE_HSTS_PRELOAD`` (both ``False``) adding their directives;
    * ``SECURE_SSL_REDIRECT = False``: a 301 from http to https, to
      ``SECURE_SSL_HOST`` (``None``: the request's host, validated by
      ``ALLOWED_HOSTS``), except for the paths
      matching a regex of ``SECURE_REDIRECT_EXEMPT`` (``[]``; paths without the
      leading slash).

    Headers are set with ``setdefault``: a view that sets one itself wins.
    Behind a proxy that terminates TLS, set ``PROXY_FIX = {"x_proto": 1}`` so
    that ``request.is_secure`` is true for HTTPS requests.
    """

    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        config = app.config
        self.content_type_nosniff = bool(config.get("SECURE_CONTENT_TYPE_NOSNIFF", True))
        self.referrer_policy = _referrer_policy(config.get("SECURE_REFERRER_POLICY", "same-origin"))
        self.cross_origin_opener_policy = _choice(
            "SECURE_CROSS_ORIGIN_OPENER_POLICY", config.get("SECURE_CROSS_ORIGIN_OPENER_POLICY", "same-origin")
        )
        self.sts_seconds = _seconds(config.get("SECURE_HSTS_SECONDS", 0))
        self.sts_include_subdomains = bool(config.get("SECURE_HSTS_INCLUDE_SUBDOMAINS", False))
        self.sts_preload = bool(config.get("SECURE_HSTS_PRELOAD", False))
        self.redirect = bool(config.get("SECURE_SSL_REDIRECT", False))
        self.redirect_host: str | None = config.get("SECURE_SSL_HOST") or None
        self.redirect_exempt = _patterns(config.get("SECURE_REDIRECT_EXEMPT") or [])
        self.sts_header: str | None = None
        if self.sts_seconds:
            self.sts_header = f"max-age={self.sts_seconds}"
            if self.sts_include_subdomains:
                self.sts_header += "; includeSubDomains"
            if self.sts_preload:
                self.sts_header += "; preload"
        #: (lower-case name, name, value) of the headers set when the response has none of its own.
        self.default_headers: tuple[tuple[str, str, str], ...] = tuple(
            (name.lower(), name, value)
            for name, value in (
                ("X-Content-Type-Options", "nosniff" if self.content_type_nosniff else None),
                ("Referrer-Policy", self.referrer_policy),
                ("Cross-Origin-Opener-Policy", self.cross_origin_opener_policy),
            )
            if value
        )
        if not self.redirect:
            self.process_request = None  # type: ignore[method-assign,assignment]  # nothing to do per request

    def process_request(self, request: Request) -> Response | None:
        if request.is_secure:
            return None
        path = request.path.lstrip("/")
        if any(pattern.search(path) for pattern in self.redirect_exempt):
            return None
        # The host is validated (ALLOWED_HOSTS): a forged Host never becomes the redirect's target.
        host = self.redirect_host or get_host(request)
        url = get_current_url("https", host, request.root_path, request.path, request.query_string)
        return redirect(url, code=301)

    def process_response(self, request: Request, response: Response) -> Response:
        headers = response.headers
        # One pass over the response's header names instead of a scan per header (Headers.setdefault).
        present = {name.lower() for name in headers.keys()}  # noqa: SIM118  (Headers.keys(), not a dict)
        if self.sts_header and "strict-transport-security" not in present and request.is_secure:
            headers.add("Strict-Transport-Security", self.sts_header)
        for lower, name, value in self.default_headers:
            if lower not in present:
                headers.add(name, value)
        return response


def _referrer_policy(value: object) -> str | None:
    if not value:
        return None
    if isinstance(value, str):
        values = [v.strip() for v in value.split(",")]
    elif isinstance(value, list | tuple | set | frozenset):
        values = [str(v).strip() for v in value]
    else:
        values = [repr(value)]
    bad = [v for v in values if v not in REFERRER_POLICY_VALUES]
    if bad:
        raise ConfigurationError(
            f"SECURE_REFERRER_POLICY has the invalid value {bad[0]!r}.",
            setting="SECURE_REFERRER_POLICY",
            hint=f"Use one of {', '.join(sorted(REFERRER_POLICY_VALUES))} (or a list of them, as fallbacks), "
            "or None to send no Referrer-Policy header.",
        )
    return ",".join(values)


def _choice(setting: str, value: object) -> str | None:
    if not value:
        return None
    if value not in COOP_VALUES:
        raise ConfigurationError(
            f"{setting} has the invalid value {value!r}.",
            setting=setting,
            hint=f"Use one of {', '.join(sorted(COOP_VALUES))}, or None to send no header.",
        )
    return t.cast(str, value)


def _seconds(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(
            f"SECURE_HSTS_SECONDS must be a number of seconds (an int, 0 or more), not {value!r}.",
            setting="SECURE_HSTS_SECONDS",
            hint="Start with SECURE_HSTS_SECONDS = 3600 and raise it to 31536000 (one year) once HTTPS works.",
        )
    return value


def _patterns(value: object) -> list[re.Pattern[str]]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ConfigurationError(
            f"SECURE_REDIRECT_EXEMPT must be a list of regular expressions, not {value!r}.",
            setting="SECURE_REDIRECT_EXEMPT",
            hint=r"Write SECURE_REDIRECT_EXEMPT = [r'^healthz$'] (paths without the leading slash).",
        )
    patterns = []
    for item in value:
        try:
            patterns.append(re.compile(item))
        except (re.error, TypeError) as exc:
            raise ConfigurationError(
                f"SECURE_REDIRECT_EXEMPT contains {item!r}, which is not a valid regular expression: {exc}.",
                setting="SECURE_REDIRECT_EXEMPT",
            ) from exc
    return patterns

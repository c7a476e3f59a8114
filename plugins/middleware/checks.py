"""The middleware plugin's checks (ids ``middleware.*``; Django's ``security.*`` equivalents in the docs)."""

from __future__ import annotations

import typing as t

from flaskkit.checks import CheckMessage
from flaskkit.checks import Warning

from .clickjacking import XFrameOptionsMiddleware
from .csp import ContentSecurityPolicyMiddleware
from .security import SecurityMiddleware

if t.TYPE_CHECKING:
    from flask import Flask

    from .loading import ResolvedMiddleware

__all__ = ["check_allowed_hosts", "check_csp", "check_deploy", "check_django_proxy_settings"]

#: Django settings about proxies that flaskkit does not read, with what to write instead.
#: (SECURE_PROXY_SSL_HEADER is read: the middleware plugin applies it as Django does.)
DJANGO_PROXY_SETTINGS = {
    "USE_X_FORWARDED_HOST": '{"x_host": 1}',
    "USE_X_FORWARDED_PORT": '{"x_port": 1}',
}


def _uses(layers: t.Sequence[ResolvedMiddleware], cls: type) -> bool:
    return any(layer.instance is not None and issubclass(layer.cls, cls) for layer in layers)


def check_django_proxy_settings(app: Flask) -> list[CheckMessage]:
    """middleware.W008: a Django proxy setting that does nothing here."""
    return [
        Warning(
            f"The setting {name} is Django's; flaskkit does not read it, so it has no effect.",
            hint=f"Trust the proxy's X-Forwarded-* headers with PROXY_FIX = {fix} (werkzeug's ProxyFix); "
            "list only the headers your proxy sets.",
            obj=name,
            id="middleware.W008",
        )
        for name, fix in DJANGO_PROXY_SETTINGS.items()
        if app.config.get(name)
    ]


#: What to do about an empty ALLOWED_HOSTS.
ALLOWED_HOSTS_HINT = (
    "Set ALLOWED_HOSTS = ['example.com'] to the names the site is served under (a leading dot, '.example.com', "
    "also allows its subdomains); on this machine, ALLOWED_HOSTS = ['localhost', '127.0.0.1'], or DEBUG = True."
)


def _no_allowed_hosts(app: Flask) -> bool:
    return not app.config.get("ALLOWED_HOSTS") and not app.config.get("TRUSTED_HOSTS")


def check_allowed_hosts(app: Flask) -> list[CheckMessage]:
    """middleware.W006 at boot: with DEBUG and TESTING off, an empty ALLOWED_HOSTS refuses every request."""
    if not _no_allowed_hosts(app) or app.debug or app.testing:
        return []
    return [
        Warning(
            "ALLOWED_HOSTS is empty and DEBUG is off: every request will be refused with 400 Bad Request "
            "(Django's rule: the site must name the hosts it serves).",
            hint=ALLOWED_HOSTS_HINT,
            obj="ALLOWED_HOSTS",
            id="middleware.W006",
        )
    ]


def check_deploy(app: Flask, layers: t.Sequence[ResolvedMiddleware]) -> list[CheckMessage]:
    """The production checks: Django's ``security.W001``, ``W002``, ``W004``, ``W005``, ``W008``, ``W019``, ``W020``."""
    config = app.config
    messages: list[CheckMessage] = []
    security = _uses(layers, SecurityMiddleware)
    if not security:
        messages.append(
            Warning(
                "SecurityMiddleware is not in MIDDLEWARE, so responses get none of the security headers "
                "(X-Content-Type-Options, Referrer-Policy, Cross-Origin-Opener-Policy, Strict-Transport-Security) "
                "and SECURE_SSL_REDIRECT has no effect.",
                hint="Add 'flaskkit.plugins.middleware:SecurityMiddleware' as the first entry of MIDDLEWARE.",
                obj="MIDDLEWARE",
                id="middleware.W001",
            )
        )
    if not _uses(layers, XFrameOptionsMiddleware):
        messages.append(
            Warning(
                "XFrameOptionsMiddleware is not in MIDDLEWARE, so responses get no X-Frame-Options header and "
                "other sites can frame your pages (clickjacking).",
                hint="Add 'flaskkit.plugins.middleware:XFrameOptionsMiddleware' to MIDDLEWARE.",
                obj="MIDDLEWARE",
                id="middleware.W002",
            )
        )
    if security and not config.get("SECURE_HSTS_SECONDS"):
        messages.append(
            Warning(
                "SECURE_HSTS_SECONDS is not set: browsers are not told to use HTTPS only (HTTP Strict Transport "
                "Security).",
                hint="Once the whole site works over HTTPS, set SECURE_HSTS_SECONDS (start with 3600, then "
                "31536000). Setting it wrongly can break the site for that long.",
                obj="SECURE_HSTS_SECONDS",
                id="middleware.W003",
            )
        )
    if security and config.get("SECURE_HSTS_SECONDS") and not config.get("SECURE_HSTS_INCLUDE_SUBDOMAINS"):
        messages.append(
            Warning(
                "SECURE_HSTS_INCLUDE_SUBDOMAINS is not True: subdomains can still be reached over plain HTTP.",
                hint="Set SECURE_HSTS_INCLUDE_SUBDOMAINS = True once every subdomain is served over HTTPS only.",
                obj="SECURE_HSTS_INCLUDE_SUBDOMAINS",
                id="middleware.W004",
            )
        )
    if security and not config.get("SECURE_SSL_REDIRECT"):
        messages.append(
            Warning(
                "SECURE_SSL_REDIRECT is not True: plain HTTP requests are answered instead of redirected to HTTPS.",
                hint="Set SECURE_SSL_REDIRECT = True (behind a TLS-terminating proxy, also PROXY_FIX = "
                '{"x_proto": 1}), or silence middleware.W005 if your proxy already redirects.',
                obj="SECURE_SSL_REDIRECT",
                id="middleware.W005",
            )
        )
    if _no_allowed_hosts(app) and (app.debug or app.testing):
        # With DEBUG and TESTING off, check_allowed_hosts() has said it already (at boot).
        messages.append(
            Warning(
                "ALLOWED_HOSTS must not be empty in deployment: while DEBUG is on the site answers only to "
                "localhost, 127.0.0.1 and [::1], and with DEBUG off it refuses every request (400 Bad Request).",
                hint=ALLOWED_HOSTS_HINT,
                obj="ALLOWED_HOSTS",
                id="middleware.W006",
            )
        )
    value = config.get("X_FRAME_OPTIONS", "DENY")
    if _uses(layers, XFrameOptionsMiddleware) and isinstance(value, str) and value.upper() != "DENY":
        messages.append(
            Warning(
                f"X_FRAME_OPTIONS is {value!r}: pages of this site can be framed by the site itself.",
                hint="Use 'DENY' unless your own pages frame each other.",
                obj="X_FRAME_OPTIONS",
                id="middleware.W007",
            )
        )
    return messages


#: What middleware.W009 advises.
CSP_HINT = (
    "Add 'flaskkit.plugins.middleware:ContentSecurityPolicyMiddleware' to MIDDLEWARE (after SecurityMiddleware) "
    'and set SECURE_CSP = {"default-src": [CSP.SELF]} (from flaskkit.plugins.middleware import CSP); try a policy '
    "with SECURE_CSP_REPORT_ONLY first."
)


def check_csp(app: Flask, layers: t.Sequence[ResolvedMiddleware]) -> list[CheckMessage]:
    """middleware.W009: no Content-Security-Policy is enforced (Django 6.0 has the setting, not this check)."""
    enforced = bool(app.config.get("SECURE_CSP"))
    report_only = bool(app.config.get("SECURE_CSP_REPORT_ONLY"))
    if _uses(layers, ContentSecurityPolicyMiddleware):
        if enforced:
            return []
        problem = "SECURE_CSP is empty, so responses get no Content-Security-Policy header"
        if report_only:
            problem += " (SECURE_CSP_REPORT_ONLY only reports violations; it blocks nothing)"
    else:
        problem = "ContentSecurityPolicyMiddleware is not in MIDDLEWARE, so responses get no Content-Security-Policy"
        if enforced or report_only:
            problem += " header and SECURE_CSP / SECURE_CSP_REPORT_ONLY have no effect"
        else:
            problem += " header"
    return [
        Warning(
            f"{problem}: a script injected into a page (XSS) runs with the page's rights.",
            hint=CSP_HINT,
            obj="SECURE_CSP",
            id="middleware.W009",
        )
    ]

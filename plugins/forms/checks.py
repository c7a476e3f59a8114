"""The forms plugin's settings validation (at boot) and system checks."""

from __future__ import annotations

import collections.abc as cabc
import os
import typing as t
from urllib.parse import urlsplit

from werkzeug.utils import ImportStringError

from flaskkit import ConfigurationError
from flaskkit.checks import CheckMessage
from flaskkit.checks import Error
from flaskkit.checks import Warning

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = [
    "check_csrf_cookie_secure",
    "check_csrf_enabled",
    "check_csrf_methods",
    "check_form_parts",
    "validate_settings",
]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def validate_settings(app: Flask) -> None:
    """Raise :class:`ConfigurationError` for a forms setting of the wrong shape."""
    config = app.config
    size = config.get("MAX_CONTENT_LENGTH")
    if not _positive_int(size):
        raise ConfigurationError(
            f"MAX_CONTENT_LENGTH must be a number of bytes (an int greater than 0), not {size!r}.",
            setting="MAX_CONTENT_LENGTH",
            hint="Write MAX_CONTENT_LENGTH = 10 * 1024 * 1024 (10 MB, the default with the forms plugin).",
        )
    parts = config.get("MAX_FORM_PARTS")
    if parts is not None and not _positive_int(parts):
        raise ConfigurationError(
            f"MAX_FORM_PARTS must be a number of form fields (an int greater than 0) or None, not {parts!r}.",
            setting="MAX_FORM_PARTS",
            hint="Write MAX_FORM_PARTS = 1000 (the default, as Django's DATA_UPLOAD_MAX_NUMBER_FIELDS).",
        )
    limit = config.get("WTF_CSRF_TIME_LIMIT")
    if limit is not None:
        age = limit if _positive_int(limit) else 3600
        raise ConfigurationError(
            f"WTF_CSRF_TIME_LIMIT is {limit!r}, but flaskkit's CSRF tokens follow Django's scheme: they do not "
            "expire by themselves; the secret they are made from lives in the CSRF cookie for CSRF_COOKIE_AGE "
            "seconds after the last page that used it.",
            setting="WTF_CSRF_TIME_LIMIT",
            hint=f"Remove WTF_CSRF_TIME_LIMIT, and write CSRF_COOKIE_AGE = {age} to make an unused secret "
            "expire sooner (with CSRF_USE_SESSIONS, it lives as long as the session).",
        )
    validate_csrf_cookie_settings(config)
    validate_trusted_origins(config.get("CSRF_TRUSTED_ORIGINS"))
    root = config.get("MEDIA_ROOT")
    if root is not None and not isinstance(root, str | os.PathLike):
        raise ConfigurationError(
            f"MEDIA_ROOT must be a directory path, not {root!r}.",
            setting="MEDIA_ROOT",
            hint="Write MEDIA_ROOT = '/var/www/example.com/media' (a relative path is in the instance folder).",
        )
    url = config.get("MEDIA_URL")
    if not isinstance(url, str) or not url.endswith("/"):
        raise ConfigurationError(
            f"MEDIA_URL must be a URL path or URL that ends with a slash, not {url!r}.",
            setting="MEDIA_URL",
            hint=f"Write MEDIA_URL = {(url + '/') if isinstance(url, str) else '/media/'!r}.",
        )


#: The values ``CSRF_COOKIE_SAMESITE`` accepts (Django's; ``None``/``False`` send no attribute).
SAMESITE_VALUES = ("Lax", "Strict", "None", None, False)


def validate_csrf_cookie_settings(config: t.Mapping[str, t.Any]) -> None:
    """``CSRF_USE_SESSIONS``, ``CSRF_COOKIE_*``, ``CSRF_HEADER_NAME`` and ``CSRF_FAILURE_VIEW``."""
    for name in ("CSRF_USE_SESSIONS", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY"):
        value = config.get(name)
        if not isinstance(value, bool):
            raise ConfigurationError(
                f"{name} must be True or False, not {value!r}.", setting=name, hint=f"Write {name} = {bool(value)}."
            )
    cookie_name = config.get("CSRF_COOKIE_NAME")
    if not isinstance(cookie_name, str) or not cookie_name or any(c in cookie_name for c in ' ;,=\t"\\'):
        raise ConfigurationError(
            f"CSRF_COOKIE_NAME must be a cookie name (letters, digits, - or _), not {cookie_name!r}.",
            setting="CSRF_COOKIE_NAME",
            hint='Write CSRF_COOKIE_NAME = "csrftoken" (the default, as Django).',
        )
    session_cookie = config.get("SESSION_COOKIE_NAME") or "session"
    if not config.get("CSRF_USE_SESSIONS") and cookie_name == session_cookie:
        raise ConfigurationError(
            f"CSRF_COOKIE_NAME and SESSION_COOKIE_NAME are both {cookie_name!r}: the CSRF secret and the session "
            "would overwrite each other's cookie.",
            setting="CSRF_COOKIE_NAME",
            hint='Give them different names, e.g. CSRF_COOKIE_NAME = "csrftoken" (the default).',
        )
    age = config.get("CSRF_COOKIE_AGE")
    if age is not None and not _positive_int(age):
        raise ConfigurationError(
            f"CSRF_COOKIE_AGE must be a number of seconds (an int greater than 0) or None, not {age!r}.",
            setting="CSRF_COOKIE_AGE",
            hint="Write CSRF_COOKIE_AGE = 31449600 (about a year, the default), or None for a cookie that "
            "ends with the browser session.",
        )
    domain = config.get("CSRF_COOKIE_DOMAIN")
    if domain is not None and (not isinstance(domain, str) or "://" in domain or "/" in domain):
        raise ConfigurationError(
            f"CSRF_COOKIE_DOMAIN must be a domain name (e.g. '.example.com') or None, not {domain!r}.",
            setting="CSRF_COOKIE_DOMAIN",
            hint="Leave it at None (the cookie is for the host that set it), or write '.example.com' to share "
            "it with the subdomains.",
        )
    path = config.get("CSRF_COOKIE_PATH")
    if not isinstance(path, str) or not path.startswith("/"):
        raise ConfigurationError(
            f"CSRF_COOKIE_PATH must be a URL path starting with '/', not {path!r}.",
            setting="CSRF_COOKIE_PATH",
            hint='Write CSRF_COOKIE_PATH = "/" (the default).',
        )
    samesite = config.get("CSRF_COOKIE_SAMESITE")
    if samesite not in SAMESITE_VALUES:
        fixed = samesite.capitalize() if isinstance(samesite, str) else "Lax"
        raise ConfigurationError(
            f"CSRF_COOKIE_SAMESITE must be 'Lax', 'Strict', 'None' or False, not {samesite!r}.",
            setting="CSRF_COOKIE_SAMESITE",
            hint=f"Write CSRF_COOKIE_SAMESITE = {fixed if fixed in SAMESITE_VALUES else 'Lax'!r}.",
        )
    header = config.get("CSRF_HEADER_NAME")
    if not isinstance(header, str) or not header or any(c in header for c in " :\r\n"):
        raise ConfigurationError(
            f"CSRF_HEADER_NAME must be the name of an HTTP header, not {header!r}.",
            setting="CSRF_HEADER_NAME",
            hint='Write CSRF_HEADER_NAME = "X-CSRFToken" (the default; Django\'s "HTTP_X_CSRFTOKEN" works too).',
        )
    view = config.get("CSRF_FAILURE_VIEW")
    if view is not None:
        from .csrf import resolve_failure_view

        try:
            resolve_failure_view(view)
        except (ImportError, TypeError) as exc:
            why = f"it cannot be imported ({exc.exception})" if isinstance(exc, ImportStringError) else str(exc)
            raise ConfigurationError(
                f"CSRF_FAILURE_VIEW {view!r} cannot be used: {why}.",
                setting="CSRF_FAILURE_VIEW",
                hint='Give a function taking reason=..., or its path: CSRF_FAILURE_VIEW = "myapp.views:csrf_failure".',
            ) from exc


def validate_trusted_origins(origins: object) -> None:
    """``CSRF_TRUSTED_ORIGINS`` must list origins, ``scheme://host[:port]``, as Django 4.0+ requires."""
    if origins is None:
        return
    if isinstance(origins, str | bytes) or not isinstance(origins, cabc.Iterable):
        fix = f"[{origins!r}]" if isinstance(origins, str) else '["https://example.com"]'
        raise ConfigurationError(
            f"CSRF_TRUSTED_ORIGINS must be a list of origins, not {type(origins).__name__} {origins!r}.",
            setting="CSRF_TRUSTED_ORIGINS",
            hint=f"Write CSRF_TRUSTED_ORIGINS = {fix}.",
        )
    for origin in origins:
        if not isinstance(origin, str):
            raise ConfigurationError(
                f"CSRF_TRUSTED_ORIGINS must contain strings, not {origin!r}.",
                setting="CSRF_TRUSTED_ORIGINS",
                hint='Write CSRF_TRUSTED_ORIGINS = ["https://example.com"].',
            )
        parts = urlsplit(origin)
        try:
            parts.port  # noqa: B018  (raises ValueError for a malformed port)
        except ValueError:
            parts = parts._replace(netloc="")
        if "://" not in origin or parts.scheme not in ("http", "https") or not parts.netloc:
            host = origin.split("://", 1)[-1].split("/", 1)[0] or "example.com"
            raise ConfigurationError(
                f"CSRF_TRUSTED_ORIGINS contains {origin!r}, which is not an origin: each entry must start with "
                "its scheme, http:// or https:// (as in Django 4.0 and later).",
                setting="CSRF_TRUSTED_ORIGINS",
                hint=f"Did you mean 'https://{host}'?",
            )
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            fixed = f"{parts.scheme}://{parts.netloc}"
            raise ConfigurationError(
                f"CSRF_TRUSTED_ORIGINS contains {origin!r}: an origin has no path, query or fragment.",
                setting="CSRF_TRUSTED_ORIGINS",
                hint=f"Did you mean {fixed!r}?",
            )


def check_csrf_methods(app: Flask) -> list[CheckMessage]:
    methods = {str(m).upper() for m in app.config.get("WTF_CSRF_METHODS") or ()}
    safe = sorted(methods & SAFE_METHODS)
    if not safe:
        return []
    return [
        Error(
            f"WTF_CSRF_METHODS includes {', '.join(safe)}: every such request would need a CSRF token, "
            "so links and the first visit to any page would fail with 403.",
            hint='Protect only the unsafe methods: WTF_CSRF_METHODS = ["POST", "PUT", "PATCH", "DELETE"].',
            obj="WTF_CSRF_METHODS",
            id="forms.E001",
        )
    ]


def check_csrf_enabled(app: Flask) -> list[CheckMessage]:
    if app.config.get("TESTING"):
        return []
    messages: list[CheckMessage] = []
    if not app.config.get("WTF_CSRF_ENABLED", True):
        messages.append(
            Warning(
                "CSRF protection is off (WTF_CSRF_ENABLED = False): another site can submit forms and "
                "API requests on behalf of your signed-in users.",
                hint="Remove WTF_CSRF_ENABLED = False from the production settings (turn it off in tests only), "
                "and mark the views that must accept foreign requests with @csrf_exempt.",
                obj="WTF_CSRF_ENABLED",
                id="forms.W001",
            )
        )
    elif not app.config.get("WTF_CSRF_CHECK_DEFAULT", True):
        messages.append(
            Warning(
                "CSRF is not checked on every view (WTF_CSRF_CHECK_DEFAULT = False): only forms validate their "
                "token, and views that read request data without a form are unprotected.",
                hint="Remove WTF_CSRF_CHECK_DEFAULT = False, and mark the views that must accept foreign requests "
                "with @csrf_exempt.",
                obj="WTF_CSRF_CHECK_DEFAULT",
                id="forms.W002",
            )
        )
    return messages


def check_form_parts(app: Flask) -> list[CheckMessage]:
    if app.config.get("MAX_FORM_PARTS") is not None:
        return []
    return [
        Warning(
            "MAX_FORM_PARTS is None: a request may send any number of form fields, which costs memory and time "
            "to parse (Django caps them at 1000).",
            hint="Set MAX_FORM_PARTS = 1000 (or the largest number of fields one of your forms sends).",
            obj="MAX_FORM_PARTS",
            id="forms.W003",
        )
    ]


def check_csrf_cookie_secure(app: Flask) -> list[CheckMessage]:
    """forms.W004: Django's ``security.W016``, the CSRF cookie sent over plain HTTP too."""
    config = app.config
    if config.get("TESTING") or config.get("CSRF_USE_SESSIONS") or not config.get("WTF_CSRF_ENABLED", True):
        return []
    if config.get("CSRF_COOKIE_SECURE"):
        return []
    return [
        Warning(
            "CSRF_COOKIE_SECURE is not True: the CSRF cookie is also sent over plain HTTP, where a network "
            "eavesdropper can read it.",
            hint="Set CSRF_COOKIE_SECURE = True once the site is served over HTTPS only.",
            obj="CSRF_COOKIE_SECURE",
            id="forms.W004",
        )
    ]

"""The admin plugin's settings: defaults and validation (run in the configure phase)."""

from __future__ import annotations

import collections.abc as cabc
import typing as t
from dataclasses import dataclass

from flaskkit import ConfigurationError
from flaskkit.translation import gettext_noop

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["DEFAULTS", "AdminSettings", "read_settings"]

#: The settings and their defaults (applied with ``setdefault``: the app's settings win).
DEFAULTS: dict[str, t.Any] = {
    #: Where the admin is mounted (Django: ``path("admin/", admin.site.urls)``).
    "ADMIN_URL": "/admin",
    #: The site whose registrations the admin serves, "module:attribute"; None: ``flaskkit.plugins.admin.site``.
    "ADMIN_SITE": None,
    #: Import ``admin.py`` of every enabled plugin and of the app's package (Django's ``autodiscover()``).
    "ADMIN_AUTODISCOVER": True,
    #: More modules to import for their registrations (dotted names).
    "ADMIN_MODULES": [],
    #: The texts of the pages (Django's ``AdminSite.site_header``, ``site_title``, ``index_title``).
    #: (Translated when shown, when the catalogs have them: the defaults are in the admin's catalog.)
    "ADMIN_SITE_HEADER": gettext_noop("flaskkit administration"),
    "ADMIN_SITE_TITLE": gettext_noop("flaskkit site admin"),
    "ADMIN_INDEX_TITLE": gettext_noop("Site administration"),
    #: The "View site" link (Django's ``AdminSite.site_url``); None hides it.
    "ADMIN_SITE_URL": "/",
    #: What an empty value looks like in the lists (Django's ``empty_value_display``).
    "ADMIN_EMPTY_VALUE_DISPLAY": "-",
}


@dataclass(frozen=True)
class AdminSettings:
    """The admin settings of one app, validated."""

    url: str
    site_path: str | None
    autodiscover: bool
    modules: tuple[str, ...]
    site_header: str
    site_title: str
    index_title: str
    site_url: str | None
    empty_value_display: str


def read_settings(app: Flask) -> AdminSettings:
    """Validate the admin settings of ``app``; a wrong value names the setting and the fix."""
    config = app.config
    url = config.get("ADMIN_URL")
    if not isinstance(url, str) or not url.startswith("/") or url.rstrip("/") == "":
        raise ConfigurationError(
            f"ADMIN_URL must be a path that starts with '/' (and is not '/' alone), not {url!r}.",
            setting="ADMIN_URL",
            hint="Write ADMIN_URL = '/admin' (the default) or another prefix such as '/staff'.",
        )
    site_path = config.get("ADMIN_SITE")
    if site_path is not None and (not isinstance(site_path, str) or ":" not in site_path):
        raise ConfigurationError(
            f"ADMIN_SITE must be the 'module:attribute' path of an AdminSite, or None, not {site_path!r}.",
            setting="ADMIN_SITE",
            hint="Write ADMIN_SITE = 'myapp.admin:site' (an admin.AdminSite instance), or leave it at None.",
        )
    autodiscover = config.get("ADMIN_AUTODISCOVER")
    if not isinstance(autodiscover, bool):
        raise ConfigurationError(
            f"ADMIN_AUTODISCOVER must be True or False, not {autodiscover!r}.",
            setting="ADMIN_AUTODISCOVER",
            hint="From the environment: FLASK_ADMIN_AUTODISCOVER=false",
        )
    modules = config.get("ADMIN_MODULES") or []
    if (
        isinstance(modules, str)
        or not isinstance(modules, cabc.Iterable)
        or not all(isinstance(m, str) and m for m in modules)
    ):
        raise ConfigurationError(
            f"ADMIN_MODULES must be a list of module names, not {modules!r}.",
            setting="ADMIN_MODULES",
            hint="Write ADMIN_MODULES = ['myapp.admin'].",
        )
    texts = {}
    for name in ("ADMIN_SITE_HEADER", "ADMIN_SITE_TITLE", "ADMIN_INDEX_TITLE", "ADMIN_EMPTY_VALUE_DISPLAY"):
        value = config.get(name)
        if not isinstance(value, str):
            raise ConfigurationError(f"{name} must be a string, not {value!r}.", setting=name)
        texts[name] = value
    site_url = config.get("ADMIN_SITE_URL")
    if site_url is not None and not isinstance(site_url, str):
        raise ConfigurationError(
            f"ADMIN_SITE_URL must be a URL or None, not {site_url!r}.",
            setting="ADMIN_SITE_URL",
            hint="Write ADMIN_SITE_URL = '/' (the default), or None to hide the 'View site' link.",
        )
    return AdminSettings(
        url=url.rstrip("/"),
        site_path=site_path,
        autodiscover=autodiscover,
        modules=tuple(modules),
        site_header=texts["ADMIN_SITE_HEADER"],
        site_title=texts["ADMIN_SITE_TITLE"],
        index_title=texts["ADMIN_INDEX_TITLE"],
        site_url=site_url,
        empty_value_display=texts["ADMIN_EMPTY_VALUE_DISPLAY"],
    )

"""The i18n plugin's checks (ids ``i18n.*``).

- ``i18n.W001`` a language of ``LANGUAGES`` has no catalog: its visitors get ``LANGUAGE_CODE``.
- ``i18n.W002`` a language has a ``.po`` catalog that was never compiled (or is older than its ``.mo``'s source).
- ``i18n.E001`` ``LANGUAGE_CODE`` is not one of ``LANGUAGES``.
- ``i18n.W003`` ``I18N_PATTERNS`` names no blueprint or endpoint of the app.
"""

from __future__ import annotations

import typing as t

from flaskkit.checks import CheckMessage
from flaskkit.checks import Error
from flaskkit.checks import Warning
from flaskkit.translation import to_locale

from . import catalogs

if t.TYPE_CHECKING:
    from flask import Flask

    from . import I18nPlugin

__all__ = ["check_catalogs"]


def check_catalogs(app: Flask, plugin: I18nPlugin) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    settings = plugin.settings
    codes = [code for code, _ in plugin.languages]
    if settings.languages is not None and settings.language_code not in codes:
        generic = settings.language_code.split("-")[0]
        if generic not in codes:
            messages.append(
                Error(
                    f"LANGUAGE_CODE is {settings.language_code!r}, which is not one of LANGUAGES ({codes!r}).",
                    hint=f"Add ({settings.language_code!r}, ...) to LANGUAGES, or pick one of them.",
                    obj="LANGUAGE_CODE",
                    id="i18n.E001",
                )
            )
    app_dir = catalogs.app_catalog_dir(app, settings.locale_paths)
    for code in codes:
        if code.split("-")[0] == "en" or code in plugin.chooser.available:
            continue
        locale = to_locale(code)
        uncompiled = [
            s for s in plugin.sources if s.domain == catalogs.DOMAIN and catalogs.has_catalog(s, locale, compiled=False)
        ]
        if uncompiled:
            messages.append(
                Warning(
                    f"The language {code!r} has a catalog in {uncompiled[0].path} that is not compiled, so it is "
                    "not used: its visitors get LANGUAGE_CODE.",
                    hint="Run: flask kit compilemessages",
                    obj="LANGUAGES",
                    id="i18n.W002",
                )
            )
        else:
            messages.append(
                Warning(
                    f"The language {code!r} of LANGUAGES has no catalog (no {locale}/LC_MESSAGES/messages.mo in "
                    "the app's, LOCALE_PATHS' or the plugins' translations), so it is never chosen: its visitors "
                    "get LANGUAGE_CODE.",
                    hint=f"Run: flask kit makemessages -l {code} --include-plugins, translate {app_dir}/{locale}/"
                    "LC_MESSAGES/messages.po, then flask kit compilemessages. Or remove it from LANGUAGES.",
                    obj="LANGUAGES",
                    id="i18n.W001",
                )
            )
    if plugin.patterns:
        endpoints = set(app.view_functions)
        blueprints = set(app.blueprints)
        for name in sorted(plugin.patterns.blueprints | plugin.patterns.endpoints):
            if (
                name not in blueprints
                and name not in endpoints
                and not any(e.startswith(name + ".") for e in endpoints)
            ):
                messages.append(
                    Warning(
                        f"I18N_PATTERNS names {name!r}, which is neither a blueprint nor an endpoint of the app.",
                        hint="List blueprint names (as in url_for('notes.list'): 'notes') or endpoints.",
                        obj="I18N_PATTERNS",
                        id="i18n.W003",
                    )
                )
    return messages

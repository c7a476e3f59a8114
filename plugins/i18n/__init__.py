"""The ``i18n`` plugin: Django's translation system on Flask-Babel and Babel.

::

    # settings.py
    PLUGINS = [..., "i18n"]
    LANGUAGE_CODE = "en"
    LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("zh-hans", "简体中文")]
    I18N_PATTERNS = ["notes", "auth"]          # these URLs carry the language: /de/notes/

    # anywhere
    from flaskkit.plugins.i18n import gettext as _, gettext_lazy, ngettext

    {# templates #}
    <html lang="{{ get_current_language() }}">
    <h1>{{ _("My notes") }}</h1>
    {% trans count=notes|length %}{{ count }} note{% pluralize %}{{ count }} notes{% endtrans %}
    {{ note.created|datetimeformat("short") }}  {{ price|currencyformat("EUR") }}

* the language of each request chosen as Django's ``LocaleMiddleware`` does
  (URL prefix, cookie, ``Accept-Language``, ``LANGUAGE_CODE``), with
  ``Vary: Accept-Language, Cookie``; ``set_language`` at ``/i18n/setlang/``;
* every plugin's own catalog (``translations/``), the app's winning; the kit
  ships German and Simplified Chinese;
* ``flask kit makemessages -l de`` and ``flask kit compilemessages``;
* dates, numbers and currencies formatted per language, in the request's time zone.

See docs/plugins/i18n.md.
"""

from __future__ import annotations

import functools
import logging
import typing as t

import flask_babel
from babel.support import NullTranslations
from flask import Flask
from flask import g
from flask import request

from flaskkit import Plugin
from flaskkit import get_kit
from flaskkit.pipeline import MIDDLEWARE_GROUP
from flaskkit.pipeline import Layer
from flaskkit.translation import EXTENSION_KEY
from flaskkit.translation import LANGUAGE_ATTR
from flaskkit.translation import LazyString
from flaskkit.translation import activate
from flaskkit.translation import deactivate
from flaskkit.translation import get_language
from flaskkit.translation import get_language_bidi
from flaskkit.translation import gettext
from flaskkit.translation import gettext_lazy
from flaskkit.translation import gettext_noop
from flaskkit.translation import ngettext
from flaskkit.translation import ngettext_lazy
from flaskkit.translation import npgettext
from flaskkit.translation import npgettext_lazy
from flaskkit.translation import override
from flaskkit.translation import pgettext
from flaskkit.translation import pgettext_lazy
from flaskkit.translation import to_language
from flaskkit.translation import to_locale

from . import catalogs
from . import checks as _checks
from .conf import DEFAULTS
from .conf import I18nSettings
from .conf import read_settings
from .formatting import FILTERS
from .formatting import format_currency
from .formatting import format_date
from .formatting import format_datetime
from .formatting import format_decimal
from .formatting import format_percent
from .formatting import format_time
from .formatting import format_timedelta
from .languages import LanguageChooser
from .languages import parse_accept_lang_header
from .locale import LocaleLayer
from .locale import Patterns
from .locale import PrefixMiddleware

if t.TYPE_CHECKING:
    import click

    from flaskkit.checks import CheckMessage

__all__ = [
    "I18nPlugin",
    "LazyString",
    "activate",
    "deactivate",
    "format_currency",
    "format_date",
    "format_datetime",
    "format_decimal",
    "format_percent",
    "format_time",
    "format_timedelta",
    "get_language",
    "get_language_bidi",
    "get_language_info",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "i18n_patterns",
    "ngettext",
    "ngettext_lazy",
    "npgettext",
    "npgettext_lazy",
    "override",
    "parse_accept_lang_header",
    "pgettext",
    "pgettext_lazy",
    "to_language",
    "to_locale",
]

logger = logging.getLogger("flaskkit.i18n")


class I18nPlugin(Plugin):
    """Translations and the request's language for an app (one instance per app).

    ``app.extensions["flaskkit.i18n"]`` is the instance (the provider behind
    :mod:`flaskkit.translation`).
    """

    name = "i18n"
    extra = "i18n"
    #: After ``middleware``: its WSGI layers (``PROXY_FIX``) are then outside the URL prefix's.
    after = ("middleware",)
    defaults = DEFAULTS

    logger = logger

    def __init__(self) -> None:
        self.settings: I18nSettings
        #: The catalog directories, lowest priority first.
        self.sources: list[catalogs.CatalogSource] = []
        #: ``(code, name)`` of every language the app offers.
        self.languages: list[tuple[str, str]] = []
        self.chooser: LanguageChooser
        self.patterns = Patterns()
        self.babel: catalogs.KitBabel
        self._null = NullTranslations()

    # -- phases -------------------------------------------------------------------------------

    def configure(self, app: Flask) -> None:
        self.settings = read_settings(app)
        if "babel" in app.extensions:
            from flaskkit import ConfigurationError

            raise ConfigurationError(
                "Flask-Babel is already set up on this app, and the i18n plugin sets it up itself.",
                plugin=self.name,
                hint="Remove your Babel(app) (or babel.init_app(app)): the plugin's settings are Django's "
                "(LANGUAGE_CODE, LANGUAGES, LOCALE_PATHS).",
            )

    def layers(self, app: Flask) -> t.Iterable[Layer]:
        if not self.settings.use_i18n:
            return
        yield Layer(
            "i18n.url_prefix",
            wsgi=lambda wsgi_app: PrefixMiddleware(wsgi_app, self),
            over="middleware.allowed_hosts",  # the host check stays the innermost WSGI layer, next to Flask
            description="/<language>/... is served as /... in that language",
        )
        hooks = LocaleLayer(self)
        yield Layer(
            "i18n.locale",
            request=hooks.request,
            response=hooks.response,
            over=MIDDLEWARE_GROUP,
            description="the request's language (LocaleMiddleware); Vary: Accept-Language, Cookie",
        )

    def init_app(self, app: Flask) -> None:
        plugins = list(get_kit(app).state(app).plugins.values())
        self.sources = catalogs.catalog_sources(app, plugins, self.settings.locale_paths)
        self.languages = self._languages(app)
        self.chooser = LanguageChooser(
            [code for code, _ in self.languages], self._available_codes(), self.settings.language_code
        )
        self.patterns = Patterns(self.settings.patterns)
        self.babel = catalogs.KitBabel(catalogs.make_domain(self.sources))
        self.babel.init_app(
            app,
            default_locale=to_locale(self.chooser.fallback),
            default_timezone=str(app.config.get("TIME_ZONE") or "UTC"),
            locale_selector=self._babel_locale,
            timezone_selector=_babel_timezone,
        )
        app.extensions[EXTENSION_KEY] = self
        env = app.jinja_env
        for name, function in FILTERS.items():
            env.filters.setdefault(name, function)
        env.globals.setdefault("get_available_languages", self.language_choices)
        env.globals.setdefault("get_language_info", self.language_info)
        app.context_processor(self._context)
        from flask import Blueprint

        # The templates (i18n/macros.html) are there even when set_language is not mounted.
        app.register_blueprint(Blueprint("flaskkit_i18n", __name__, template_folder="templates"))
        if self.settings.url_prefix is not None:
            from .views import make_blueprint

            app.register_blueprint(make_blueprint(self.settings.url_prefix))

    def kit_commands(self, app: Flask) -> t.Iterable[click.Command]:
        from .cli import compilemessages_command
        from .cli import makemessages_command

        return [makemessages_command(), compilemessages_command()]

    def checks(self, app: Flask) -> t.Iterable[CheckMessage]:
        return _checks.check_catalogs(app, self)

    # -- languages ----------------------------------------------------------------------------------

    def _languages(self, app: Flask) -> list[tuple[str, str]]:
        if self.settings.languages is not None:
            return list(self.settings.languages)
        # Not set: the languages some catalog of the app has, and LANGUAGE_CODE's.
        codes = {self.settings.language_code}
        codes.update(to_language(name) for name in catalogs.available_locales(self.sources))
        ordered = [self.settings.language_code, *sorted(codes - {self.settings.language_code})]
        return [(code, self._english_name(code)) for code in ordered]

    @staticmethod
    def _english_name(code: str) -> str:
        locale = catalogs.parse_locale(to_locale(code))
        return locale.get_display_name("en") if locale is not None else code

    def _available_codes(self) -> set[str]:
        """The languages of ``LANGUAGES`` that can be shown: a catalog exists, or it is English (the msgids')."""
        available = set()
        for code, _name in self.languages:
            if code.split("-")[0] == "en" or any(
                catalogs.has_catalog(s, to_locale(code)) for s in self.sources if s.domain == catalogs.DOMAIN
            ):
                available.add(code)
        return available

    def language_info(self, code: str) -> dict[str, t.Any]:
        """Django's ``get_language_info``: ``code``, ``name``, ``name_local``, ``name_translated``, ``bidi``."""
        locale = catalogs.parse_locale(to_locale(code))
        name = dict(self.languages).get(code) or self._english_name(code)
        local = locale.get_display_name(locale) if locale is not None else name
        return {
            "code": code,
            "name": str(name),
            "name_local": local or str(name),
            "name_translated": gettext(str(name)),
            "bidi": code.split("-")[0] in ("he", "ar", "fa", "ur", "ckb", "ug"),
        }

    def language_choices(self) -> list[dict[str, t.Any]]:
        """:meth:`language_info` of each language the app offers, in ``LANGUAGES`` order."""
        return [self.language_info(code) for code, _ in self.languages if code in self.chooser.available]

    # -- the provider of flaskkit.translation -----------------------------------------------------

    def translations(self) -> NullTranslations:
        if not self.settings.use_i18n:
            return self._null
        return flask_babel.get_translations()

    def get_language(self) -> str:
        return getattr(g, LANGUAGE_ATTR, None) or self.chooser.fallback

    def activate(self, language: str | None) -> None:
        if language is None:
            g.pop(LANGUAGE_ATTR, None)
        else:
            setattr(g, LANGUAGE_ATTR, language.lower())
        # What Flask-Babel (and Flask-WTF) cached for the previous language in this context.
        context = getattr(g, "_flask_babel", None)
        if context is not None:
            for key in ("babel_locale", "babel_translations"):
                if hasattr(context, key):
                    delattr(context, key)
        if request and hasattr(request, "wtforms_translations"):
            del request.wtforms_translations

    def _babel_locale(self) -> str:
        return _babel_locale_for(self.get_language())

    def _context(self) -> dict[str, t.Any]:
        language = self.get_language()
        return {"LANGUAGE_CODE": language, "LANGUAGE_BIDI": get_language_bidi()}

    # -- URLs ---------------------------------------------------------------------------------------

    def add_patterns(self, *targets: object, prefix_default_language: bool | None = None) -> None:
        """Make the routes of ``targets`` (blueprints, their names, endpoints) carry the language."""
        for target in targets:
            name = getattr(target, "name", target)
            if not isinstance(name, str):
                raise TypeError(f"i18n_patterns() takes blueprints, blueprint names or endpoints, not {target!r}.")
            self.patterns.add(name)
        if prefix_default_language is not None:
            self.settings.prefix_default_language = prefix_default_language


@functools.lru_cache(maxsize=256)
def _babel_locale_for(language: str) -> str:
    """Flask-Babel's locale for a language: with its likely script and territory when it has a script
    (``zh-hans`` is ``zh_Hans_CN``, the name extensions such as Flask-Admin give their catalogs)."""
    from babel.core import get_global

    from .formatting import _locale

    locale = _locale(language)
    if locale.script and not locale.territory:
        likely = get_global("likely_subtags")
        for key in (f"{locale.language}_{locale.script}", locale.language, f"und_{locale.script}"):
            full = catalogs.parse_locale(str(likely.get(key, "")))
            if full is not None and full.script == locale.script and full.territory:
                return f"{locale.language}_{locale.script}_{full.territory}"
    return str(locale)


def _babel_timezone() -> str:
    from flaskkit import timezone

    return timezone.get_current_timezone_name()


def get_language_info(code: str) -> dict[str, t.Any]:
    """Django's ``get_language_info(code)`` for the current app."""
    from flask import current_app

    return t.cast(I18nPlugin, current_app.extensions[EXTENSION_KEY]).language_info(code)


def i18n_patterns(app: Flask, *targets: object, prefix_default_language: bool | None = None) -> None:
    """Django's ``i18n_patterns``: the routes of ``targets`` always carry their language in the URL.

    ::

        notes = Blueprint("notes", __name__)
        ...
        i18n_patterns(app, notes)                          # /de/notes/, /zh-hans/notes/, /en/notes/
        i18n_patterns(app, "about", "contact")             # endpoints: a set of routes
        i18n_patterns(app, notes, prefix_default_language=False)   # /notes/ is in LANGUAGE_CODE

    Reached without a prefix, such a route redirects to the URL of the
    visitor's language (``prefix_default_language=True``, the default) or is
    shown in ``LANGUAGE_CODE``. The same as listing them in ``I18N_PATTERNS``
    (and ``PREFIX_DEFAULT_LANGUAGE``); it may be called before or after the
    blueprint is registered.
    """
    plugin = app.extensions.get(EXTENSION_KEY)
    if not isinstance(plugin, I18nPlugin):
        from flaskkit import ConfigurationError

        raise ConfigurationError("i18n_patterns() needs the i18n plugin.", plugin="i18n", hint="Add 'i18n' to PLUGINS.")
    plugin.add_patterns(*targets, prefix_default_language=prefix_default_language)

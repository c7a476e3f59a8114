"""Where an app's translations come from, and how they are merged (on Flask-Babel's ``Domain``).

An app's catalog of a language is merged from, lowest priority first:

1. WTForms' own catalog (its built-in validator messages, domain ``wtforms``);
2. each enabled plugin's ``translations/`` directory, in boot order (a plugin
   ships its catalog as a Django app ships ``locale/``);
3. the app's ``translations/`` directory (where ``flask kit makemessages`` writes);
4. ``LOCALE_PATHS``, the first one winning (as in Django).

Flask-Babel merges a domain's directories in the order given, each one's
messages replacing the earlier ones' (``babel.support.Translations.merge``),
so the list is built lowest priority first. A merged catalog is made once per
language and cached for the life of the app.
"""

from __future__ import annotations

import inspect
import typing as t
from pathlib import Path

import flask_babel
from babel import Locale
from babel import UnknownLocaleError
from babel import support

if t.TYPE_CHECKING:
    from flask import Flask

    from flaskkit import Plugin

__all__ = [
    "CatalogSource",
    "KitBabel",
    "app_catalog_dir",
    "available_locales",
    "catalog_sources",
    "has_catalog",
    "plugin_translations",
]

#: The domain (file name) of every flaskkit catalog: ``<dir>/<locale>/LC_MESSAGES/messages.mo``.
DOMAIN = "messages"


class CatalogSource(t.NamedTuple):
    """One directory of catalogs: ``<path>/<locale>/LC_MESSAGES/<domain>.mo``."""

    path: Path
    domain: str
    #: Who ships it: ``"wtforms"``, ``"plugin 'auth'"``, ``"app"``, ``"LOCALE_PATHS[0]"``.
    origin: str


def plugin_translations(plugin: Plugin) -> Path | None:
    """The ``translations/`` directory beside the plugin's module, if it has one."""
    explicit = getattr(plugin, "translations", None)
    if isinstance(explicit, str | Path):
        return Path(explicit)
    try:
        module_file = inspect.getfile(type(plugin))
    except (TypeError, OSError):
        return None
    path = Path(module_file).resolve().parent / "translations"
    return path if path.is_dir() else None


def catalog_sources(app: Flask, plugins: t.Iterable[Plugin], locale_paths: t.Sequence[Path]) -> list[CatalogSource]:
    """The app's catalog directories, lowest priority first (see the module's docstring)."""
    sources: list[CatalogSource] = []
    try:
        from wtforms.i18n import messages_path

        sources.append(CatalogSource(Path(messages_path()), "wtforms", "wtforms"))
    except ImportError:  # pragma: no cover - wtforms comes with the forms plugin
        pass
    for plugin in plugins:
        path = plugin_translations(plugin)
        if path is not None:
            sources.append(CatalogSource(path, DOMAIN, f"plugin {plugin.name!r}"))
    sources.append(CatalogSource(Path(app.root_path) / "translations", DOMAIN, "app"))
    for index, path in reversed(list(enumerate(locale_paths))):
        sources.append(CatalogSource(path, DOMAIN, f"LOCALE_PATHS[{index}]"))
    return sources


def has_catalog(source: CatalogSource, locale: str, *, compiled: bool = True) -> bool:
    """Whether ``source`` has a catalog (``.mo``, or ``.po`` with ``compiled=False``) for ``locale``."""
    suffix = ".mo" if compiled else ".po"
    names = [locale]
    if "_" in locale:
        names.append(locale.partition("_")[0])
    return any((source.path / name / "LC_MESSAGES" / (source.domain + suffix)).is_file() for name in names)


def available_locales(sources: t.Iterable[CatalogSource]) -> set[str]:
    """Every locale (``"de"``, ``"zh_Hans"``) some kit catalog (not WTForms') has a compiled catalog for."""
    found: set[str] = set()
    for source in sources:
        if source.domain != DOMAIN or not source.path.is_dir():
            continue
        for child in source.path.iterdir():
            if (child / "LC_MESSAGES" / (DOMAIN + ".mo")).is_file():
                found.add(child.name)
    return found


def parse_locale(name: str) -> Locale | None:
    """Babel's ``Locale`` for a locale name, or ``None`` if Babel does not know it."""
    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError, TypeError):
        return None


class KitBabel(flask_babel.Babel):
    """Flask-Babel, with the kit's merged domain as its default one.

    So ``flask_babel.gettext`` and the extensions built on Flask-Babel (Flask-WTF,
    Flask-Admin) see the language the kit chose, and the app's own calls to
    Flask-Babel see the kit's catalogs.
    """

    def __init__(self, domain: KitDomain) -> None:
        super().__init__(configure_jinja=False)
        self._kit_domain = domain

    @property  # type: ignore[override]
    def domain_instance(self) -> KitDomain:
        return self._kit_domain


class KitDomain(flask_babel.Domain):
    """Flask-Babel's domain, looking each catalog up under every name of the locale.

    Flask-Babel's locale for ``zh-hans`` is the full ``zh_Hans_CN`` (so that
    Flask-Admin, whose catalog is ``zh_Hans_CN``, finds it); the kit's catalogs are
    ``zh_Hans`` (Django's name) and WTForms' ``zh``. Each folder is searched for
    ``zh_Hans_CN``, then ``zh_Hans``, ``zh_CN`` and ``zh``: the first one found is used.
    """

    def get_translations(self) -> support.Translations | support.NullTranslations:
        if flask_babel._get_current_context() is None:
            return support.NullTranslations()
        locale = flask_babel.get_locale()
        key = (str(locale), self.domain[0])
        cached = self.cache.get(key)
        if cached is not None:
            return t.cast(support.Translations, cached)
        names = locale_names(locale)
        translations = support.Translations()
        for index, dirname in enumerate(self.translation_directories):
            domain = self.domain[0] if len(self.domain) == 1 else self.domain[index]
            catalog = support.Translations.load(dirname, names, domain)
            # Babel's merge: the later catalog's messages replace the earlier ones'.
            translations.merge(catalog)
            if hasattr(catalog, "plural"):
                translations.plural = catalog.plural
        self.cache[key] = translations
        return translations


def locale_names(locale: Locale | None) -> list[str]:
    """``zh_Hans_CN`` -> ``["zh_Hans_CN", "zh_Hans", "zh_CN", "zh"]``: the catalog names to try, most specific first."""
    if locale is None:
        return []
    names = [str(locale)]
    if locale.script:
        names.append(f"{locale.language}_{locale.script}")
    if locale.territory:
        names.append(f"{locale.language}_{locale.territory}")
    names.append(locale.language)
    return list(dict.fromkeys(names))


def make_domain(sources: t.Sequence[CatalogSource]) -> KitDomain:
    """The kit's domain merging ``sources`` (lowest priority first)."""
    return KitDomain(
        translation_directories=[str(source.path) for source in sources],
        domain=";".join(source.domain for source in sources),
    )


def app_catalog_dir(app: Flask, locale_paths: t.Sequence[Path]) -> Path:
    """Where ``makemessages`` writes the app's catalogs: ``LOCALE_PATHS[0]``, else ``<app>/translations``."""
    return locale_paths[0] if locale_paths else Path(app.root_path) / "translations"

"""``flask kit makemessages`` and ``flask kit compilemessages``: Django's commands, on Babel."""

from __future__ import annotations

import typing as t
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from flaskkit import get_kit
from flaskkit.translation import EXTENSION_KEY
from flaskkit.translation import to_locale

from . import catalogs
from .catalogs import plugin_translations
from .languages import language_code_re
from .messagefiles import compile_catalogs
from .messagefiles import extract
from .messagefiles import update_catalog

if t.TYPE_CHECKING:
    from flask import Flask

    from flaskkit import Plugin

    from . import I18nPlugin

__all__ = ["compilemessages_command", "makemessages_command", "plugin_source_dirs"]

#: The core's own strings (``flaskkit/``) are in the i18n plugin's catalog.
CORE_DIR = Path(__file__).resolve().parents[2] / "flaskkit"


def _plugin() -> I18nPlugin:
    return t.cast("I18nPlugin", current_app.extensions[EXTENSION_KEY])


def _locales(codes: t.Iterable[str]) -> list[str]:
    locales = []
    for code in codes:
        if "_" in code:  # a locale name (de_AT, zh_Hans) given as is
            locales.append(code)
            continue
        if not language_code_re.match(code):
            raise click.BadParameter(f"{code!r} is not a language code such as 'de' or 'zh-hans'.", param_hint="-l")
        locales.append(to_locale(code))
    return locales


def plugin_source_dirs(plugin: Plugin) -> list[Path]:
    """The directories a plugin's strings are extracted from: its package (and the core's, for ``i18n``)."""
    translations = plugin_translations(plugin)
    if translations is None:
        import inspect

        package = Path(inspect.getfile(type(plugin))).resolve().parent
    else:
        package = translations.parent
    return [package, CORE_DIR] if plugin.name == "i18n" else [package]


def _jinja_extensions(app: Flask) -> list[str]:
    names = []
    for extension in app.jinja_env.extensions.values():
        cls = type(extension)
        names.append(f"{cls.__module__}:{cls.__qualname__}")
    return names


def _existing_locales(directory: Path) -> list[str]:
    if not directory.is_dir():
        return []
    return sorted(p.name for p in directory.iterdir() if (p / "LC_MESSAGES").is_dir())


def makemessages_command() -> click.Command:
    @click.command("makemessages")
    @click.option("-l", "--locale", "codes", multiple=True, help="A language to create or update (repeatable): de.")
    @click.option("-a", "--all", "all_locales", is_flag=True, help="Update every language that has a catalog.")
    @click.option(
        "--include-plugins",
        is_flag=True,
        help="Also extract the enabled plugins' strings into the app's catalog (to translate or reword them).",
    )
    @click.option(
        "--plugin",
        "plugin_names",
        multiple=True,
        help="Update the named plugin's own catalogs (translations/ beside its code) instead of the app's.",
    )
    @with_appcontext
    def makemessages(codes: tuple[str, ...], all_locales: bool, include_plugins: bool, plugin_names: tuple[str, ...]):
        """Extract the marked strings into the app's catalogs (Django's makemessages, on Babel).

        Searches the app's Python modules and its templates (.html, .txt) for
        gettext(), _(), ngettext(), pgettext()... and {% trans %}, and creates or
        updates <app>/translations/<locale>/LC_MESSAGES/messages.po (LOCALE_PATHS[0]
        when set). Translations already written are kept.
        """
        app = t.cast("Flask", current_app._get_current_object())  # type: ignore[attr-defined]
        plugin = _plugin()
        if not codes and not all_locales:
            raise click.UsageError("Name the languages with -l (flask kit makemessages -l de), or use --all.")
        extensions = _jinja_extensions(app)
        installed = get_kit(app).state(app).plugins
        if plugin_names:
            for name in plugin_names:
                if name not in installed:
                    raise click.BadParameter(f"{name!r} is not an enabled plugin.", param_hint="--plugin")
                target = installed[name]
                directory = plugin_translations(target) or plugin_source_dirs(target)[0] / "translations"
                template = extract(plugin_source_dirs(target), jinja_extensions=extensions)
                directory.mkdir(parents=True, exist_ok=True)
                from .messagefiles import write_catalog

                write_catalog(directory / "messages.pot", template, include_lineno=False)
                click.echo(f"{directory / 'messages.pot'}: {len(template)} strings")
                locales = _existing_locales(directory) if all_locales else _locales(codes)
                _update(template, directory, locales, include_lineno=False)
            return
        sources = [Path(app.root_path)]
        if include_plugins:
            for enabled in installed.values():
                if plugin_translations(enabled) is not None or enabled.name == "i18n":
                    sources.extend(plugin_source_dirs(enabled))
        template = extract(list(dict.fromkeys(sources)), jinja_extensions=extensions, project=app.name)
        directory = catalogs.app_catalog_dir(app, plugin.settings.locale_paths)
        locales = _existing_locales(directory) if all_locales else _locales(codes)
        if not locales:
            raise click.UsageError(f"There is no catalog in {directory} yet: name a language with -l.")
        _update(template, directory, locales)

    return makemessages


def _update(template: t.Any, directory: Path, locales: t.Sequence[str], *, include_lineno: bool = True) -> None:
    for locale in locales:
        try:
            path, total, untranslated = update_catalog(template, directory, locale, include_lineno=include_lineno)
        except ValueError as exc:  # Babel does not know the locale
            raise click.BadParameter(f"{locale!r}: {exc}", param_hint="-l") from exc
        click.echo(f"{path}: {total} strings, {untranslated} to translate")


def compilemessages_command() -> click.Command:
    @click.command("compilemessages")
    @click.option("-l", "--locale", "codes", multiple=True, help="Compile only this language (repeatable).")
    @click.option("--plugin", "plugin_names", multiple=True, help="Compile the named plugin's own catalogs instead.")
    @with_appcontext
    def compilemessages(codes: tuple[str, ...], plugin_names: tuple[str, ...]) -> None:
        """Compile the app's catalogs (.po) into the .mo files the app reads (Django's compilemessages).

        The app's translations/ and every directory of LOCALE_PATHS. Restart the
        app afterwards: catalogs are read once per language.
        """
        app = t.cast("Flask", current_app._get_current_object())  # type: ignore[attr-defined]
        plugin = _plugin()
        locales = set(_locales(codes)) if codes else None
        installed = get_kit(app).state(app).plugins
        if plugin_names:
            directories = []
            for name in plugin_names:
                if name not in installed:
                    raise click.BadParameter(f"{name!r} is not an enabled plugin.", param_hint="--plugin")
                directories.append(plugin_translations(installed[name]) or Path("/nonexistent"))
        else:
            directories = [Path(app.root_path) / "translations", *plugin.settings.locale_paths]
        failed = False
        compiled = 0
        for directory in dict.fromkeys(directories):
            for result in compile_catalogs(directory, locales):
                if result.errors:
                    failed = True
                    for error in result.errors:
                        click.echo(f"Error: {error}", err=True)
                    continue
                compiled += 1
                note = f" ({result.skipped_fuzzy} fuzzy left out)" if result.skipped_fuzzy else ""
                click.echo(f"Compiled {result.po} -> {result.mo.name if result.mo else ''}{note}")
        if failed:
            raise click.ClickException("Some catalogs have errors and were not compiled (see above).")
        if not compiled:
            click.echo("No catalog to compile (run flask kit makemessages -l <language> first).")

    return compilemessages

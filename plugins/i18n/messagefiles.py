"""Extracting, updating and compiling catalogs with Babel: the work of ``makemessages`` and ``compilemessages``.

The extraction is Babel's (``babel.messages.extract``): its Python extractor with
the kit's function names (``gettext``, ``gettext_lazy``, ``ngettext``,
``pgettext``... and ``_``), and Jinja's extractor (``jinja2.ext.babel_extract``)
for ``.html`` and ``.txt`` templates, with the app's Jinja extensions (so a
template using ``{% cache %}`` parses) and ``{% trans %}`` blocks trimmed as at
render time. A template that does not parse is an error, never silently skipped.
"""

from __future__ import annotations

import datetime as dt
import os
import typing as t
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.messages.pofile import write_po

__all__ = [
    "KEYWORDS",
    "CompileResult",
    "compile_catalogs",
    "extract",
    "update_catalog",
]

#: The translation functions the extraction looks for, with their arguments (Babel's notation).
KEYWORDS: dict[str, t.Any] = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "lazy_gettext": None,
    "_l": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "lazy_pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}

#: Folders never searched for strings.
SKIPPED_DIRS = frozenset(
    {"__pycache__", "node_modules", "translations", "locale", "migrations", "site-packages", "static", "instance"}
)

_JINJA = "jinja2.ext:babel_extract"
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", _JINJA), ("**/templates/**.txt", _JINJA)]


def _directory_filter(dirname: str) -> bool:
    name = os.path.basename(dirname)
    if name.startswith(".") or name in SKIPPED_DIRS:
        return False
    return not os.path.exists(os.path.join(dirname, "pyvenv.cfg"))


def extract(
    directories: t.Iterable[Path], *, jinja_extensions: t.Iterable[str] = (), project: str = "flaskkit"
) -> Catalog:
    """A template catalog (``.pot``) of every marked string under ``directories``; locations relative to each."""
    catalog = Catalog(project=project, charset="utf-8", fuzzy=False)
    jinja_options = {
        "trimmed": "true",
        "silent": "false",
        "extensions": ",".join(sorted(set(jinja_extensions))),
    }
    options_map = {"**/templates/**.html": jinja_options, "**/templates/**.txt": jinja_options}
    for directory in directories:
        base = directory.name
        for filename, lineno, message, comments, context in extract_from_dir(
            str(directory),
            METHOD_MAP,
            options_map,
            keywords=KEYWORDS,
            comment_tags=("Translators:",),
            strip_comment_tags=True,
            directory_filter=_directory_filter,
        ):
            if isinstance(message, tuple | list):
                msgid: t.Any = tuple(message[:2]) if len(message) > 1 and message[1] else message[0]
            else:
                msgid = message
            if not msgid or (isinstance(msgid, tuple) and not msgid[0]):
                continue
            location = (f"{base}/{filename}".replace(os.sep, "/"), lineno)
            existing = catalog.get(msgid, context=context)
            if existing is not None:
                existing.locations.append(location)
                existing.auto_comments.extend(c for c in comments if c not in existing.auto_comments)
                continue
            catalog.add(msgid, None, [location], auto_comments=comments, context=context)
    return catalog


def message_keys(catalog: Catalog) -> set[tuple[t.Any, str | None]]:
    """The (msgid, context) of every message (the header left out): what a catalog must translate."""
    return {(message.id, message.context) for message in catalog if message.id}


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=locale)


def write_catalog(path: Path, catalog: Catalog, *, include_lineno: bool = True) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalog, width=100, sort_output=True, ignore_obsolete=True, include_lineno=include_lineno)


def update_catalog(
    template: Catalog, directory: Path, locale: str, *, include_lineno: bool = True
) -> tuple[Path, int, int]:
    """Create or update ``<directory>/<locale>/LC_MESSAGES/messages.po`` from ``template``.

    Translations are kept; strings no longer in the code are dropped; no fuzzy
    guesses are made for new strings (a translator writes each). Returns the
    file, the number of messages and how many have no translation.
    """
    path = directory / locale / "LC_MESSAGES" / "messages.po"
    if path.exists():
        catalog = read_catalog(path, locale)
    else:
        catalog = Catalog(locale=Locale.parse(locale), project=template.project, charset="utf-8", fuzzy=False)
        catalog.creation_date = dt.datetime.now(dt.UTC)
    catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
    write_catalog(path, catalog, include_lineno=include_lineno)
    untranslated = sum(1 for m in catalog if m.id and not _translated(m))
    return path, sum(1 for m in catalog if m.id), untranslated


def _translated(message: t.Any) -> bool:
    if isinstance(message.string, tuple | list):
        return all(message.string)
    return bool(message.string)


@dataclass
class CompileResult:
    po: Path
    mo: Path | None
    errors: list[str]
    skipped_fuzzy: int = 0


def compile_catalogs(directory: Path, locales: t.Collection[str] | None = None) -> list[CompileResult]:
    """Compile each ``<directory>/<locale>/LC_MESSAGES/*.po`` (of ``locales``, or all) into its ``.mo``.

    A catalog with errors (a placeholder the translation lacks, a broken plural)
    is not compiled; fuzzy translations are left out, as gettext's ``msgfmt``
    does.
    """
    results: list[CompileResult] = []
    if not directory.is_dir():
        return results
    for locale_dir in sorted(directory.iterdir()):
        if locales is not None and locale_dir.name not in locales:
            continue
        for po in sorted((locale_dir / "LC_MESSAGES").glob("*.po")):
            catalog = read_catalog(po, locale_dir.name)
            errors = [
                f"{po}: {message.id!r}: {error}"
                for message, message_errors in catalog.check()
                for error in message_errors
            ]
            if errors:
                results.append(CompileResult(po, None, errors))
                continue
            mo = po.with_suffix(".mo")
            with mo.open("wb") as file:
                write_mo(file, catalog, use_fuzzy=False)
            fuzzy = sum(1 for m in catalog if m.id and m.fuzzy)
            results.append(CompileResult(po, mo, [], fuzzy))
    return results

"""Apps with the i18n plugin, and catalogs written for a test."""

from __future__ import annotations

import itertools
import typing as t
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po
from flask import Flask

from flaskkit import create_app
from tests.conftest import settings

LANGUAGES = [("en", "English"), ("de", "German"), ("zh-hans", "Simplified Chinese")]

_count = itertools.count()


@pytest.fixture
def make(tmp_path: Path) -> t.Callable[..., Flask]:
    """``make(**settings)``: an app with the i18n plugin (LANGUAGES en, de, zh-hans), rooted in a temporary folder."""

    def make_app(**values: t.Any) -> Flask:
        values.setdefault("PLUGINS", ["i18n"])
        values.setdefault("LANGUAGES", LANGUAGES)
        values.setdefault("LANGUAGE_CODE", "en")
        values.setdefault("TESTING", True)
        number = next(_count)
        root = tmp_path / f"app{number}"
        root.mkdir(exist_ok=True)
        return create_app(
            settings(**values),
            import_name=f"i18n_test_app_{number}",
            root_path=str(root),
            instance_path=str(tmp_path / f"instance{number}"),
        )

    return make_app


def write_catalog(directory: Path, locale: str, messages: t.Mapping[t.Any, t.Any], *, compiled: bool = True) -> Path:
    """``<directory>/<locale>/LC_MESSAGES/messages.po`` (and ``.mo``) with ``messages`` (msgid -> translation)."""
    catalog = Catalog(locale=locale, fuzzy=False)
    for msgid, string in messages.items():
        context = None
        if isinstance(msgid, tuple) and len(msgid) == 2 and msgid[0].startswith("ctx:"):
            context, msgid = msgid[0][4:], msgid[1]
        catalog.add(msgid, string, context=context)
    folder = directory / locale / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "messages.po").open("wb") as file:
        write_po(file, catalog)
    if compiled:
        with (folder / "messages.mo").open("wb") as file:
            write_mo(file, catalog)
    return folder

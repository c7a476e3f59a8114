"""The kit's own catalogs: every string of each plugin translated into German and Simplified Chinese, compiled,
and the .pot in step with the code (a new string that is not marked, extracted and translated fails here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from flaskkit import create_app
from flaskkit.plugins.i18n.cli import plugin_source_dirs
from flaskkit.plugins.i18n.messagefiles import extract
from flaskkit.plugins.i18n.messagefiles import message_keys
from tests.conftest import settings

PLUGINS_DIR = Path(__file__).resolve().parents[3] / "plugins"
#: The plugins that ship a catalog (those with user-facing text; the core's strings are in the i18n plugin's).
TRANSLATED = ["auth", "forms", "orm", "views", "admin", "middleware", "syndication", "sitemaps", "i18n"]
#: The built-in plugins with no text a visitor or user reads (log lines, CLI output, checks, JSON for probes).
WITHOUT_TEXT = ["cache", "session", "signals", "messages", "mail", "tasks", "ops", "static"]
LOCALES = ["de", "zh_Hans"]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(
        settings(
            PLUGINS=[
                *["orm", "session", "cache", "forms", "middleware", "auth", "views", "mail", "messages", "admin"],
                *["syndication", "sitemaps", "i18n"],
            ],
            DATABASE_URL="sqlite://",
            EMAIL_BACKEND="locmem",
        ),
        import_name="shipped_catalogs",
        instance_path=str(tmp_path_factory.mktemp("instance")),
    )


def _strings(catalog) -> dict:
    def plain(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {(plain(m.id), m.context): plain(m.string) for m in catalog if m.id}


def _read(path: Path, locale: str | None = None):
    with path.open("rb") as file:
        return read_po(file, locale=locale)


@pytest.mark.parametrize("name", TRANSLATED)
def test_the_pot_is_in_step_with_the_code(app, name):
    plugin = app.extensions["flaskkit"].state(app).plugins[name]
    extensions = [f"{type(e).__module__}:{type(e).__qualname__}" for e in app.jinja_env.extensions.values()]
    extracted = message_keys(extract(plugin_source_dirs(plugin), jinja_extensions=extensions))
    shipped = message_keys(_read(PLUGINS_DIR / name / "translations" / "messages.pot"))
    assert extracted - shipped == set(), "new strings: flask kit makemessages --plugin NAME -l de -l zh-hans"
    assert shipped - extracted == set(), "strings gone from the code: flask kit makemessages --plugin NAME --all"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", TRANSLATED)
def test_every_string_is_translated_and_compiled(name, locale):
    folder = PLUGINS_DIR / name / "translations"
    template = message_keys(_read(folder / "messages.pot"))
    catalog = _read(folder / locale / "LC_MESSAGES" / "messages.po", locale)
    assert message_keys(catalog) == template
    untranslated = [m.id for m in catalog if m.id and (not m.string or not all(m.string) or m.fuzzy)]
    assert untranslated == []
    assert [(m.id, errors) for m, errors in catalog.check()] == []
    with (folder / locale / "LC_MESSAGES" / "messages.mo").open("rb") as file:
        compiled = read_mo(file)
    stale = "the .mo is older than the .po: flask kit compilemessages --plugin NAME"
    assert _strings(compiled) == _strings(catalog), stale


def test_every_built_in_plugin_is_translated_or_has_no_text(app):
    built_in = {p.name for p in PLUGINS_DIR.iterdir() if (p / "__init__.py").is_file()}
    assert built_in == set(TRANSLATED) | set(WITHOUT_TEXT)
    assert {p.parent.name for p in PLUGINS_DIR.glob("*/translations")} == set(TRANSLATED)
    extensions = [f"{type(e).__module__}:{type(e).__qualname__}" for e in app.jinja_env.extensions.values()]
    for name in WITHOUT_TEXT:
        # A string marked in a plugin without a catalog would never be translated.
        assert message_keys(extract([PLUGINS_DIR / name], jinja_extensions=extensions)) == set(), name


#: A %-placeholder with a name (``%(count)d``) or a str.format one (``{name}``).
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]?\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|\{\w+\}")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", TRANSLATED)
def test_placeholders_are_kept(name, locale):
    # Babel's check() lets a translation leave out a %-placeholder of its message; a page would then lose the value.
    catalog = _read(PLUGINS_DIR / name / "translations" / locale / "LC_MESSAGES" / "messages.po", locale)
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = {m.group(0) for m in PLACEHOLDER.finditer(ids[-1])}
        allowed = wanted | {m.group(0) for m in PLACEHOLDER.finditer(ids[0])}
        for string in strings:
            found = {m.group(0) for m in PLACEHOLDER.finditer(string)}
            # A plural's singular form may say "one" instead of the number; the others carry every placeholder.
            assert found <= allowed, (name, locale, message.id, string)
        assert {m.group(0) for m in PLACEHOLDER.finditer(strings[-1])} == wanted, (name, locale, message.id)

"""flask kit makemessages / compilemessages: a new string extracted, translated, compiled and shown."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.messages.pofile import write_po

from flaskkit import create_app
from tests.conftest import settings


def make_site(root: Path, instance: Path, **values):
    values.setdefault("PLUGINS", ["cache", "i18n"])
    values.setdefault("LANGUAGES", [("en", "English"), ("de", "German")])
    values.setdefault("SILENCED_CHECKS", ["i18n.W001"])
    return create_app(settings(**values), import_name="site", root_path=str(root), instance_path=str(instance))


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    (root / "templates").mkdir(parents=True)
    (root / "views.py").write_text(
        textwrap.dedent(
            """
            from flaskkit.plugins.i18n import gettext as _, gettext_lazy, ngettext, pgettext

            TITLE = gettext_lazy("Recent posts")

            def view(n):
                return _("Welcome back!"), ngettext("%(num)d post", "%(num)d posts", n), pgettext("verb", "Post")
            """
        )
    )
    (root / "templates" / "index.html").write_text(
        '<h1>{{ _("Hello, world") }}</h1>{% cache 60, "side" %}{% trans %}Cached {{ x }}{% endtrans %}{% endcache %}'
    )
    (root / "templates" / "mail.txt").write_text("{% trans name=user %}Dear {{ name }},{% endtrans %}")
    (root / ".venv").mkdir()
    (root / ".venv" / "junk.py").write_text('_("never extracted")')
    return root


def _read(po: Path, locale: str = "de"):
    with po.open("rb") as file:
        return read_po(file, locale=locale)


def _translate(po: Path, strings: dict) -> None:
    catalog = _read(po)
    for message in catalog:
        if message.id in strings:
            message.string = strings[message.id]
    with po.open("wb") as file:
        write_po(file, catalog)


def test_extract_translate_compile(site, tmp_path):
    app = make_site(site, tmp_path / "instance")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["kit", "makemessages", "-l", "de"])
    assert result.exit_code == 0, result.output
    po = site / "translations" / "de" / "LC_MESSAGES" / "messages.po"
    assert f"{po}: 7 strings, 7 to translate" in result.output
    catalog = _read(po)
    ids = {(m.id, m.context) for m in catalog if m.id}
    assert ids == {
        ("Recent posts", None),
        ("Welcome back!", None),
        (("%(num)d post", "%(num)d posts"), None),
        ("Post", "verb"),
        ("Hello, world", None),
        ("Cached %(x)s", None),
        ("Dear %(name)s,", None),
    }
    _translate(po, {"Hello, world": "Hallo, Welt", "Welcome back!": "Willkommen zurück!"})
    result = runner.invoke(args=["kit", "compilemessages"])
    assert result.exit_code == 0, result.output
    assert (po.with_suffix(".mo")).is_file()

    # A new app (catalogs are read once per language) shows the translation.
    app = make_site(site, tmp_path / "instance")

    @app.get("/")
    def index():
        from flask import render_template

        return render_template("index.html", x=1)

    page = app.test_client().get("/", headers={"Accept-Language": "de"}).text
    assert page.startswith("<h1>Hallo, Welt</h1>")

    # Running it again keeps the translations and adds a new string.
    (site / "templates" / "new.html").write_text('{{ _("A new string") }}')
    result = runner.invoke(args=["kit", "makemessages", "--all"])
    assert result.exit_code == 0, result.output
    catalog = _read(po)
    assert catalog.get("Hello, world").string == "Hallo, Welt"
    assert catalog.get("A new string") is not None and not catalog.get("A new string").string


def test_include_plugins_brings_the_kits_strings(site, tmp_path):
    app = make_site(site, tmp_path / "instance", PLUGINS=["orm", "session", "cache", "forms", "auth", "i18n"],
                    DATABASE_URL="sqlite://")  # fmt: skip
    result = app.test_cli_runner().invoke(args=["kit", "makemessages", "-l", "fr", "--include-plugins"])
    assert result.exit_code == 0, result.output
    catalog = _read(site / "translations" / "fr" / "LC_MESSAGES" / "messages.po", "fr")
    assert catalog.get("Log in") is not None  # auth
    assert catalog.get("This field is required.") is not None  # forms
    assert catalog.get("Language") is not None  # i18n
    assert catalog.get("Welcome back!") is not None  # the app's own


def test_a_broken_translation_is_not_compiled(site, tmp_path):
    app = make_site(site, tmp_path / "instance")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["kit", "makemessages", "-l", "de"]).exit_code == 0
    po = site / "translations" / "de" / "LC_MESSAGES" / "messages.po"
    _translate(po, {"Cached %(x)s": "Zwischengespeichert %(y)s"})
    result = runner.invoke(args=["kit", "compilemessages"])
    assert result.exit_code == 1
    assert "Cached %(x)s" in result.output and "not compiled" in result.output
    assert not po.with_suffix(".mo").exists()


def test_makemessages_needs_a_language(site, tmp_path):
    runner = make_site(site, tmp_path / "instance").test_cli_runner()
    result = runner.invoke(args=["kit", "makemessages"])
    assert result.exit_code == 2 and "-l" in result.output
    result = runner.invoke(args=["kit", "makemessages", "-l", "d e"])
    assert result.exit_code == 2 and "not a language code" in result.output
    result = runner.invoke(args=["kit", "makemessages", "-l", "de", "--plugin", "nope"])
    assert result.exit_code == 2 and "not an enabled plugin" in result.output


def test_compilemessages_with_nothing_to_compile(site, tmp_path):
    result = make_site(site, tmp_path / "instance").test_cli_runner().invoke(args=["kit", "compilemessages"])
    assert result.exit_code == 0
    assert "No catalog to compile" in result.output

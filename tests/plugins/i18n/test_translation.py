"""flaskkit.translation: Django's functions, with and without the i18n plugin."""

from __future__ import annotations

import json
import typing as t
from pathlib import Path

import pytest
from flask import Flask
from flask import render_template_string
from markupsafe import Markup

from flaskkit import create_app
from flaskkit import translation
from flaskkit.plugins import i18n
from flaskkit.translation import gettext
from flaskkit.translation import gettext_lazy
from flaskkit.translation import ngettext
from flaskkit.translation import npgettext
from flaskkit.translation import pgettext
from flaskkit.translation import safe_translation
from tests.conftest import settings

from .conftest import write_catalog


def test_the_names_are_importable_from_the_plugin():
    for name in ("gettext", "gettext_lazy", "ngettext", "pgettext", "npgettext", "gettext_noop", "override"):
        assert getattr(i18n, name) is getattr(translation, name)


def test_without_the_plugin_strings_come_back_as_written(tmp_path):
    app = create_app(settings(), import_name="no_i18n", instance_path=str(tmp_path))
    assert "flaskkit.i18n" not in app.extensions
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert gettext("Log in") == "Log in"
        assert ngettext("%(n)d apple", "%(n)d apples", 1) == "%(n)d apple"
        assert ngettext("%(n)d apple", "%(n)d apples", 2) == "%(n)d apples"
        assert pgettext("month", "May") == "May"
        assert npgettext("fruit", "apple", "apples", 3) == "apples"
        assert translation.get_language() == "en-us"
        with translation.override("de"):
            assert translation.get_language() == "de"
        assert translation.get_language() == "en-us"
    assert gettext("Outside") == "Outside"  # no app context at all
    assert translation.get_language() == "en-us"


def test_an_app_without_the_plugin_has_no_language_layer(tmp_path):
    app = create_app(settings(), import_name="no_i18n_layers", instance_path=str(tmp_path))
    kit = app.extensions["flaskkit"]
    assert not [layer for layer in kit.state(app).pipeline.layers if layer.name.startswith("i18n")]
    response = app.test_client().get("/missing")
    assert "Accept-Language" not in response.headers.get("Vary", "")


def test_translations_follow_the_active_language(make):
    app = make()
    write_catalog(Path(app.root_path) / "translations", "de", {"Hello": "Hallo", ("ctx:greeting", "Hi"): "Servus"})
    app = make(LOCALE_PATHS=[str(Path(app.root_path) / "translations")])
    with app.test_request_context():
        assert gettext("Hello") == "Hello"
        with translation.override("de"):
            assert translation.get_language() == "de"
            assert gettext("Hello") == "Hallo"
            assert pgettext("greeting", "Hi") == "Servus"
            assert pgettext("other", "Hi") == "Hi"
            with translation.override("en"):
                assert gettext("Hello") == "Hello"
            assert gettext("Hello") == "Hallo"
        assert gettext("Hello") == "Hello"
        translation.activate("de")
        assert gettext("Hello") == "Hallo"
        translation.deactivate()
        assert translation.get_language() == "en"


def test_lazy_strings_are_translated_when_used(make, tmp_path):
    app = make()
    write_catalog(tmp_path / "locale", "de", {"Title": "Titel", "Hello %(name)s": "Hallo %(name)s"})
    app = make(LOCALE_PATHS=[str(tmp_path / "locale")])
    title = gettext_lazy("Title")
    greeting = gettext_lazy("Hello %(name)s")
    with app.test_request_context():
        assert str(title) == "Title"
        with translation.override("de"):
            assert str(title) == "Titel"
            assert title == "Titel"
            assert greeting % {"name": "Ada"} == "Hallo Ada"
            assert f"{title}!" == "Titel!"
            assert title + "!" == "Titel!"
            assert title.upper() == "TITEL"
            assert render_template_string("{{ t }}", t=gettext_lazy("<b>")) == "&lt;b&gt;"
    with pytest.raises(TypeError):
        json.dumps({"t": title})  # stored as text, on purpose: str(lazy)


def test_to_locale_and_to_language():
    assert translation.to_locale("en-us") == "en_US"
    assert translation.to_locale("zh-hans") == "zh_Hans"
    assert translation.to_locale("sr-latn") == "sr_Latn"
    assert translation.to_locale("de") == "de"
    assert translation.to_language("en_US") == "en-us"
    assert translation.to_language("zh_Hans") == "zh-hans"


def test_a_translation_cannot_add_markup():
    message = 'Read <a href="%(url)s">the guide</a>.'
    assert safe_translation(message, message) == Markup(message)
    moved = safe_translation(message, 'Lesen Sie <a href="%(url)s">die Anleitung</a>.')
    assert moved == Markup('Lesen Sie <a href="%(url)s">die Anleitung</a>.')
    injected = safe_translation(message, '<script>alert(1)</script><a href="https://evil.example">x</a>')
    assert "<script>" not in injected and '<a href="https://evil' not in injected
    assert "&lt;script&gt;" in injected
    assert safe_translation("Fish &amp; chips", "Fisch &amp; Pommes") == Markup("Fisch &amp; Pommes")


def _template_app(make: t.Any, tmp_path: Path) -> Flask:
    write_catalog(
        tmp_path / "locale",
        "de",
        {
            "Hello %(name)s": "<script>alert(1)</script>Hallo %(name)s",
            "Welcome <strong>%(name)s</strong>": "Willkommen <strong>%(name)s</strong>",
            "Plain": "<img src=x onerror=alert(1)>",
            ("%(num)d note", "%(num)d notes"): ("%(num)d Notiz", "%(num)d Notizen"),
            ("%(count)s note", "%(count)s notes"): ("%(count)s Notiz", "%(count)s Notizen"),
        },
    )
    return make(LOCALE_PATHS=[str(tmp_path / "locale")])


def test_templates_keep_autoescaping(make, tmp_path):
    app = _template_app(make, tmp_path)
    with app.test_request_context():
        with translation.override("de"):
            page = render_template_string('{{ _("Hello %(name)s", name=name) }}|{{ _("Plain") }}', name="<i>Ada</i>")
            assert "<script>" not in page and "<img" not in page
            assert "&lt;script&gt;alert(1)&lt;/script&gt;Hallo &lt;i&gt;Ada&lt;/i&gt;" in page
            block = render_template_string(
                "{% trans %}Welcome <strong>{{ name }}</strong>{% endtrans %}", name="<i>Ada</i>"
            )
            assert block == "Willkommen <strong>&lt;i&gt;Ada&lt;/i&gt;</strong>"
            plural = render_template_string(
                "{% trans count=n %}{{ count }} note{% pluralize %}{{ count }} notes{% endtrans %}", n=3
            )
            assert plural == "3 Notizen"
            assert render_template_string('{{ ngettext("%(num)d note", "%(num)d notes", 1) }}') == "1 Notiz"
        assert render_template_string('{{ _("Hello %(name)s", name="<i>") }}') == "Hello &lt;i&gt;"


def test_a_text_template_is_not_escaped(make, tmp_path):
    app = _template_app(make, tmp_path)
    with app.test_request_context(), translation.override("de"):
        source = "{% autoescape false %}{{ _('Hello %(name)s', name=name) }}{% endautoescape %}"
        template = app.jinja_env.from_string(source)
        assert template.render(name="O'Brien & <Co>") == "<script>alert(1)</script>Hallo O'Brien & <Co>"

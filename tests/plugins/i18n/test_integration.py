"""The i18n plugin with the others: WTForms' messages, messages stored as text, cache_page kept apart by language,
and an app without the plugin that pays nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from flask import redirect
from flask import render_template_string
from wtforms import IntegerField
from wtforms import StringField
from wtforms.validators import InputRequired

from flaskkit.plugins import messages
from flaskkit.plugins.cache import cache_page
from flaskkit.plugins.forms import Form
from flaskkit.translation import gettext
from flaskkit.translation import gettext_lazy
from flaskkit.translation import override

from .conftest import write_catalog


class AgeForm(Form):
    name = StringField(gettext_lazy("Your name"), validators=[InputRequired()])
    age = IntegerField("Age")


def test_form_errors_and_labels_in_the_language(make, tmp_path):
    write_catalog(tmp_path / "l", "de", {"Your name": "Ihr Name"})
    write_catalog(tmp_path / "l", "zh_Hans", {"Your name": "您的名字"})
    app = make(PLUGINS=["session", "forms", "i18n"], WTF_CSRF_ENABLED=False, LOCALE_PATHS=[str(tmp_path / "l")])
    with app.test_request_context(method="POST", data={"name": "", "age": "x"}), override("de"):
        form = AgeForm()
        assert not form.validate()
        assert form.name.errors == ["Dieses Feld ist zwingend erforderlich."]  # the kit's catalog (forms)
        assert form.age.errors == ["Keine gültige, ganze Zahl."]  # WTForms' own catalog
        assert form.name.label.text == "Ihr Name"
        assert str(form.name.label()) == '<label for="name">Ihr Name</label>'
    with app.test_request_context(method="POST", data={"name": ""}), override("zh-hans"):
        form = AgeForm()
        form.validate()
        assert form.name.errors == ["这个字段是必填项。"]
        assert str(form.name.label.text) == "您的名字"


def test_a_message_is_stored_in_the_language_it_was_added_in(make, tmp_path):
    write_catalog(tmp_path / "l", "de", {"Password changed.": "Passwort geändert.", "Logged out.": "Abgemeldet."})
    app = make(PLUGINS=["session", "messages", "i18n"], MESSAGE_STORAGE="cookie", LOCALE_PATHS=[str(tmp_path / "l")])

    @app.get("/add")
    def add():
        messages.success(None, gettext_lazy("Password changed."))
        messages.info(None, gettext("Logged out."))
        return redirect("/show")

    @app.get("/show")
    def show():
        return render_template_string("{% for m in messages %}[{{ m }}]{% endfor %}")

    client = app.test_client()
    client.get("/add", headers={"Accept-Language": "de"})
    # The next page is asked for in English: the messages stay as they were written.
    page = client.get("/show", headers={"Accept-Language": "en"}).text
    assert page == "[Passwort geändert.][Abgemeldet.]"


def test_cache_page_never_serves_a_page_in_the_wrong_language(make, tmp_path):
    write_catalog(tmp_path / "l", "de", {"Password": "Passwort"})
    write_catalog(tmp_path / "l", "zh_Hans", {"Password": "密码"})
    app = make(PLUGINS=["cache", "i18n"], LOCALE_PATHS=[str(tmp_path / "l")])
    rendered = []

    @app.get("/cached")
    @cache_page(60)
    def cached():
        rendered.append(1)
        return render_template_string('<html lang="{{ get_current_language() }}">{{ _("Password") }}</html>')

    client = app.test_client()
    visits = [
        ({"Accept-Language": "de"}, "/cached", "Passwort"),
        ({"Accept-Language": "zh-CN"}, "/cached", "密码"),
        ({"Accept-Language": "de"}, "/cached", "Passwort"),
        ({"Accept-Language": "en"}, "/cached", "Password"),
        ({"Accept-Language": "zh-CN"}, "/cached", "密码"),
        ({}, "/de/cached", "Passwort"),
        ({"Accept-Language": "de"}, "/zh-hans/cached", "密码"),
        ({"Accept-Language": "de"}, "/zh-hans/cached", "密码"),
    ]
    for headers, path, word in visits:
        response = client.get(path, headers=headers)
        assert word in response.text, (headers, path)
    assert len(rendered) == 5  # de, zh, en, /de/, /zh-hans/: each once, then from the cache
    # The cookie chosen by set_language changes the language: never the page cached for the header.
    client.set_cookie("language", "zh-hans")
    assert "密码" in client.get("/cached", headers={"Accept-Language": "de"}).text
    client.set_cookie("language", "de")
    assert "Passwort" in client.get("/cached", headers={"Accept-Language": "de"}).text


def test_the_language_from_elsewhere_is_part_of_the_cache_key(make, tmp_path):
    # A language chosen from the user's profile, not from a header the response varies on.
    write_catalog(tmp_path / "l", "de", {"Password": "Passwort"})
    app = make(PLUGINS=["cache", "i18n"], LOCALE_PATHS=[str(tmp_path / "l")])

    @app.before_request
    def profile_language():
        from flask import request

        from flaskkit.translation import activate

        if request.cookies.get("user") == "kurt":
            activate("de")

    @app.get("/page")
    @cache_page(60)
    def page():
        response = app.make_response(render_template_string('{{ _("Password") }}'))
        response.vary.clear()  # a careless view: Vary says nothing of the language
        return response

    client = app.test_client()
    assert client.get("/page").text == "Password"
    client.set_cookie("user", "kurt")
    assert client.get("/page").text == "Passwort"
    client.delete_cookie("user")
    assert client.get("/page").text == "Password"


def test_an_app_without_the_plugin_does_not_import_babel():
    # (Flask-WTF imports Flask-Babel itself when it is installed: an app with the forms plugin does.)
    code = textwrap.dedent(
        """
        import sys
        from flaskkit import create_app
        from flask import render_template_string
        app = create_app({"SECRET_KEY": "x" * 50, "PLUGINS": ["session", "cache", "messages"]})

        @app.get("/")
        def index():
            return render_template_string('<html lang="{{ get_current_language() }}">{{ _("Log in") }}')

        response = app.test_client().get("/", headers={"Accept-Language": "de"})
        assert response.text == '<html lang="en-us">Log in', response.text
        assert "Accept-Language" not in response.headers.get("Vary", "")
        loaded = ("flask_babel", "babel", "flaskkit.plugins.i18n")
        print(sorted(m for m in loaded if m in sys.modules))
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]", result.stderr

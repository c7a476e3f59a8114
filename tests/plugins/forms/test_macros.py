"""The Jinja macros: render_form and render_field, with labels, errors, aria-invalid and the CSRF token."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string
from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField
from wtforms import RadioField
from wtforms import StringField
from wtforms import SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired
from wtforms.validators import Length

from flaskkit.plugins.forms import Form
from flaskkit.plugins.forms import ValidationError

IMPORT = '{% from "forms/macros.html" import render_form, render_field, render_errors %}'


class ProfileForm(Form):
    name = StringField("Your name", validators=[InputRequired(), Length(max=5)], description="As on your passport.")
    agree = BooleanField("I agree")
    size = RadioField("Size", choices=[SelectChoice("s", "Small"), SelectChoice("l", "Large")], validate_choice=False)

    def clean(self) -> None:
        if not self.cleaned_data.get("agree"):
            raise ValidationError("You must agree.")


def render(source: str, **context: object) -> str:
    return render_template_string(IMPORT + source, **context)


@pytest.fixture
def ctx(site):
    with site.test_request_context(method="POST"):
        yield


def test_render_form_unbound(ctx):
    html = render("{{ render_form(form) }}", form=ProfileForm(formdata=None))
    assert '<form method="post" action="" id="form" class="kit-form ">' in html
    assert re.search(r'<input id="csrf_token" name="csrf_token" type="hidden" value="[^"]+">', html)
    assert (
        '<div class="form-field form-field-input required">\n'
        '      <label for="name">Your name</label>\n'
        '      <div class="helptext" id="name-help">As on your passport.</div>\n'
        "      \n"
        '      <input aria-describedby="name-help" id="name" maxlength="5" name="name" required type="text" value="">\n'
        "    </div>"
    ) in html
    assert '<input id="agree" name="agree" type="checkbox" value="y"> <label for="agree">I agree</label>' in html
    assert "<legend>Size</legend>" in html
    assert '<label><input id="size-0" name="size" type="radio" value="s"> Small</label>' in html
    assert '<button type="submit">Submit</button>' in html
    assert "errorlist" not in html
    assert "aria-invalid" not in html
    # The layout is a style sheet of the plugin, never inline CSS (a strict Content-Security-Policy forbids it).
    assert '<link rel="stylesheet" href="/_flaskkit/forms/forms.css">' in html
    assert "<style" not in html and "style=" not in html


def test_the_forms_style_sheet_is_served(client):
    with client.get("/_flaskkit/forms/forms.css") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/css"
        assert ":where(.kit-form) .errorlist" in response.text


def test_render_form_with_errors(ctx):
    form = ProfileForm(formdata=MultiDict({"name": "Too long"}), meta={"csrf": False})
    assert not form.is_valid()
    html = render("{{ render_form(form, action='/p', submit='Save', styles=False) }}", form=form)
    assert "forms.css" not in html
    assert '<form method="post" action="/p" id="form" class="kit-form ">' in html
    assert '<ul class="errorlist nonfield" id="form-errors"><li>You must agree.</li></ul>' in html
    assert (
        '<ul class="errorlist" id="name-errors"><li>Field cannot be longer than 5 characters.</li></ul>\n'
        '      <input aria-describedby="name-help name-errors" aria-invalid="true" id="name" maxlength="5" '
        'name="name" required type="text" value="Too long">'
    ) in html
    assert '<div class="form-field form-field-input required has-errors">' in html
    assert '<button type="submit">Save</button>' in html


def test_csrf_errors_of_the_hidden_field_show_at_the_top(site):
    with site.test_request_context(method="POST", data={"name": "Ann", "agree": "y"}):
        form = ProfileForm()  # form-level CSRF check (the app-wide check did not run in this bare context)
        assert not form.is_valid()
        html = render("{{ render_form(form) }}", form=form)
    assert '<ul class="errorlist nonfield" id="form-errors"><li>CSRF cookie not set.</li></ul>' in html


def test_render_field_passes_attributes(ctx):
    form = ProfileForm(formdata=None)
    html = render('{{ render_field(form.name, placeholder="Ann", class="wide") }}', form=form)
    assert 'class="wide"' in html and 'placeholder="Ann"' in html
    assert render("{{ render_field(form.csrf_token) }}", form=form).startswith('<input id="csrf_token"')


def test_submit_fields_files_prefix_and_caller(ctx):
    class UploadForm(Form):
        doc = FileField("FormsDocument")
        send = SubmitField("Upload")

    html = render("{{ render_form(form, id='up') }}", form=UploadForm(formdata=None, prefix="u"))
    assert '<form method="post" action="" id="up" class="kit-form " enctype="multipart/form-data">' in html
    assert '<input id="u-send" name="u-send" type="submit" value="Upload">' in html
    assert "<button" not in html
    html = render("{% call render_form(form) %}<a href='/'>Cancel</a>{% endcall %}", form=UploadForm(formdata=None))
    assert "<a href='/'>Cancel</a>" in html and '<input id="send"' not in html


def test_render_errors(ctx):
    assert render("{{ render_errors(['a', '<b>']) }}") == '<ul class="errorlist"><li>a</li><li>&lt;b&gt;</li></ul>'
    assert render("{{ render_errors([]) }}") == ""


def test_field_by_field_as_in_the_docs(ctx):
    form = ProfileForm(formdata=MultiDict({"name": "Ann"}), meta={"csrf": False})
    assert not form.is_valid()
    html = render(
        '<form method="post">{{ form.hidden_tag() }}'
        '{{ render_errors(form.non_field_errors(), class="errorlist nonfield") }}'
        '{{ render_field(form.name, placeholder="A name") }}</form>'
        "{{ render_form(form, novalidate=True, styles=False, class='wide') }}",
        form=form,
    )
    assert '<ul class="errorlist nonfield"><li>You must agree.</li></ul>' in html
    assert 'placeholder="A name"' in html
    assert '<form method="post" action="" id="form" class="kit-form wide" novalidate>' in html

"""The views and templates of Django's ``test_client`` and ``test_utils`` tests, on Flask, for the ported cases."""

from __future__ import annotations

import typing as t
from pathlib import Path

from flask import Flask
from flask import Response
from flask import abort
from flask import redirect
from flask import render_template
from flask import request
from flask import stream_with_context
from wtforms import StringField
from wtforms.validators import InputRequired

from flaskkit.plugins.forms import Form
from flaskkit.plugins.forms import ValidationError
from flaskkit.plugins.forms import csrf_exempt

TEMPLATES = {
    "template_used/base.html": "<html><body>{% block content %}base{% endblock %}</body></html>",
    "template_used/extends.html": "{% extends 'template_used/base.html' %}{% block content %}extended{% endblock %}",
    "template_used/include.html": "included: {% include 'template_used/base.html' %}",
    "template_used/alternative.html": "alternative",
    "get.html": "This is a test. {{ var }} is the value.",
    "empty_get.html": "Empty GET",
    "post.html": "Data received: {{ data }} is the value.",
    "empty_post.html": "Empty POST",
    "form_view.html": (
        "{% extends 'template_used/base.html' %}{% block content %}"
        "{% if form.errors %}POST data has errors{% else %}POST data OK{% endif %}"
        "{% for field in form %}{% for error in field.errors %}<li>{{ error }}</li>{% endfor %}{% endfor %}"
        "{% endblock %}"
    ),
}


class ContactForm(Form):
    text = StringField(validators=[InputRequired("This field is required.")])
    email = StringField(validators=[InputRequired("This field is required.")])

    def clean_email(self) -> str:
        value = self.cleaned_data["email"]
        if "@" not in value:
            raise ValidationError("Enter a valid email address.")
        return value

    def clean(self) -> dict[str, t.Any]:
        if self.cleaned_data.get("text") == "spam":
            raise ValidationError("No spam, please.")
        return self.cleaned_data


def write_templates(folder: Path) -> None:
    for name, text in TEMPLATES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def add_views(app: Flask) -> None:
    @app.get("/get_view/")
    def get_view() -> str:
        return render_template("get.html", var=request.args.get("var", "42"))

    @app.route("/post_view/", methods=["GET", "POST"])
    @csrf_exempt
    def post_view() -> str:
        if request.method == "POST":
            if request.form:
                return render_template("post.html", data=request.form["value"])
            return render_template("empty_post.html")
        return render_template("empty_get.html")

    @app.get("/no_template_view/")
    def no_template_view() -> str:
        return "Hello, world: once, twice, twice."

    @app.get("/check_unicode/")
    def check_unicode() -> str:
        return "さかき 峠"

    @app.get("/check_binary/")
    def check_binary() -> Response:
        return Response(b"%PDF-1.4\r\n%\x93\x8c\x8b\x9e ReportLab Generated PDF document", mimetype="application/pdf")

    @app.get("/bad_view/")
    def bad_view() -> tuple[str, int]:
        return "MAGIC: not found", 404

    @app.get("/redirect_view/")
    def redirect_view() -> Response:
        query = request.query_string.decode()
        return redirect("/get_view/" + (f"?{query}" if query else ""))

    @app.get("/permanent_redirect_view/")
    def permanent_redirect_view() -> Response:
        return redirect("/get_view/", 301)

    @app.get("/double_redirect_view/")
    def double_redirect_view() -> Response:
        return redirect("/permanent_redirect_view/")

    @app.get("/django_project_redirect/")
    def external_redirect() -> Response:
        return redirect("https://www.djangoproject.com/")

    @app.get("/accounts/")
    def relative_redirect() -> Response:
        return redirect("login/")

    @app.get("/accounts/login/")
    def login_page() -> str:
        return "log in"

    @app.get("/no_such_target/")
    def redirect_to_nothing() -> Response:
        return redirect("/nowhere/")

    @app.get("/render_template_multiple_times/")
    def render_twice() -> str:
        return render_template("template_used/base.html") + render_template("template_used/base.html")

    @app.get("/template_used/<name>")
    def template_used(name: str) -> str:
        return render_template(f"template_used/{name}.html")

    @app.route("/form_view_with_template/", methods=["GET", "POST"])
    @csrf_exempt
    def form_view() -> str:
        form = ContactForm(meta={"csrf": False})
        form.is_valid()
        return render_template("form_view.html", form=form)

    @app.get("/stream/")
    def stream() -> Response:
        def chunks() -> t.Iterator[str]:
            yield "streamed "
            yield request.path

        return Response(stream_with_context(chunks()))

    @app.get("/items/<int:year>/<slug>/")
    def item(year: int, slug: str) -> str:
        return f"{year} {slug}"

    @app.get("/abort/")
    def aborted() -> None:
        abort(403)

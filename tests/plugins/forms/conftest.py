"""Apps with the forms plugin, test views that use forms the ways the tests need, and helpers."""

from __future__ import annotations

import re
import typing as t

import pytest
import sqlalchemy as sa
from flask import Flask
from flask import flash
from flask import jsonify
from flask import render_template_string
from flask import request
from flask import session
from flask.views import MethodView
from wtforms import StringField
from wtforms.validators import InputRequired

from flaskkit import create_app
from flaskkit.plugins.forms import Form
from flaskkit.plugins.forms import ModelForm
from flaskkit.plugins.forms import ValidationError
from flaskkit.plugins.forms import csrf_exempt
from flaskkit.plugins.forms import rotate_csrf_token
from flaskkit.plugins.orm import db
from tests.conftest import settings

from .models import Article
from .models import FormsCategory
from .models import FormsTag

if t.TYPE_CHECKING:
    from flask.testing import FlaskClient


#: The tables of tests/plugins/forms/models.py.
TABLES = [table for table in db.metadata.sorted_tables if table.name.startswith("forms_")]


class ArticleForm(ModelForm):
    class Meta:
        model = Article
        fields = ["title", "published", "cat"]


class ContactForm(Form):
    name = StringField(validators=[InputRequired()])
    email = StringField()

    def clean(self) -> dict[str, t.Any]:
        data = self.cleaned_data
        if data.get("name") == "spam":
            raise ValidationError("No spam, please.")
        return data


PAGE = """{% from "forms/macros.html" import render_form %}<h1>{{ title }}</h1>{{ render_form(form) }}"""


def add_views(app: Flask) -> None:
    """The views the forms tests post to."""

    @app.route("/contact", methods=["GET", "POST"])
    def contact() -> t.Any:
        form = ContactForm()
        if form.is_valid():
            return jsonify(form.cleaned_data)
        return render_template_string(PAGE, form=form, title="Contact")

    @app.route("/articles/new", methods=["GET", "POST"])
    def article_create() -> t.Any:
        form = ArticleForm()
        if form.is_valid():
            article = form.save()
            return jsonify(id=article.id), 201
        return render_template_string(PAGE, form=form, title="New article")

    @app.route("/articles/<int:pk>", methods=["GET", "POST"])
    def article_update(pk: int) -> t.Any:
        article = db.get_or_404(Article, pk)
        form = ArticleForm(instance=article)
        if form.is_valid():
            form.save()
            return jsonify(id=article.id, title=article.title)
        return render_template_string(PAGE, form=form, title="Edit article")

    @app.route("/echo", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def echo() -> t.Any:
        return jsonify(method=request.method, form=request.form.to_dict())

    @app.post("/api/items")
    def api_items() -> t.Any:
        return jsonify(received=request.get_json()), 201

    @app.post("/hooks/exempt")
    @csrf_exempt
    def exempt_hook() -> t.Any:
        form = ContactForm()
        return jsonify(valid=form.is_valid(), errors=form.errors)

    @csrf_exempt
    class ExemptView(MethodView):
        def post(self) -> str:
            return "class view ok"

    app.add_url_rule("/hooks/class", view_func=ExemptView.as_view("exempt_class"))

    @app.post("/login")
    def login() -> str:
        session["user"] = request.form.get("user", "someone")
        rotate_csrf_token()
        return "logged in"

    @app.get("/token")
    def token() -> str:
        return render_template_string("{{ csrf_token() }}")

    @app.post("/flash")
    def flash_view() -> str:
        flash("done")
        return "ok"


def custom_failure_view(reason: str) -> tuple[str, int]:
    """A CSRF_FAILURE_VIEW (Django's signature, without the request)."""
    return f"refused: {reason}", 403


def make_app(instance_path: str, *, views: bool = True, **values: t.Any) -> Flask:
    """An app with the forms plugin (and the orm plugin: SQLite in ``instance_path`` unless told)."""
    values.setdefault("PLUGINS", ["orm", "forms"])
    values.setdefault("TESTING", True)
    app = create_app(settings(**values), instance_path=instance_path)
    if views:
        add_views(app)
    return app


@pytest.fixture
def make(tmp_path: t.Any) -> t.Callable[..., Flask]:
    """``make(**settings)``: an app in a new instance folder of this test, with the test views."""
    counter = iter(range(1000))

    def factory(*, views: bool = True, **values: t.Any) -> Flask:
        return make_app(str(tmp_path / f"instance{next(counter)}"), views=views, **values)

    return factory


@pytest.fixture
def site(make: t.Callable[..., Flask]) -> t.Iterator[Flask]:
    """The default app, with the forms tables created and two categories and tags."""
    app = make()
    with app.app_context():
        db.metadata.create_all(db.engine, tables=TABLES)
        db.session.add_all(
            [FormsCategory(name="News"), FormsCategory(name="Sport"), FormsTag(name="a"), FormsTag(name="b")]
        )
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(site: Flask) -> FlaskClient:
    return site.test_client()


def page_token(client: FlaskClient, path: str = "/token") -> str:
    """The CSRF token a page gives the client (as a browser would get it)."""
    response = client.get(path)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text) or re.search(r"^([\w.\-]+)$", text)
    assert found, text
    return found.group(1)


def count(app: Flask, model: type[t.Any]) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0

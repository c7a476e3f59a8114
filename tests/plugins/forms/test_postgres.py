"""A ModelForm round trip on the real PostgreSQL: create, duplicate, update, many-to-many, commit=False."""

from __future__ import annotations

import decimal
import typing as t

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from flaskkit.plugins.forms import ModelForm
from flaskkit.plugins.orm import db

from .conftest import TABLES
from .conftest import page_token
from .models import Article
from .models import FormsCategory
from .models import FormsEdition
from .models import FormsTag


class FullArticleForm(ModelForm):
    class Meta:
        model = Article
        fields = ["title", "body", "published", "cat", "tags", "status", "views", "price"]


@pytest.fixture
def pg_site(make: t.Callable[..., t.Any], postgres_url: str) -> t.Iterator[t.Any]:
    app = make(DATABASE_URL=postgres_url)

    @app.route("/full/new", methods=["GET", "POST"])
    def full_create() -> t.Any:
        from flask import jsonify
        from flask import render_template_string

        form = FullArticleForm()
        if form.is_valid():
            return jsonify(id=form.save().id), 201
        return render_template_string('{% from "forms/macros.html" import render_form %}{{ render_form(f) }}', f=form)

    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
        db.metadata.drop_all(db.engine, tables=TABLES)
        db.metadata.create_all(db.engine, tables=TABLES)
        db.session.add_all(
            [FormsCategory(name="News"), FormsCategory(name="Sport"), FormsTag(name="a"), FormsTag(name="b")]
        )
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.metadata.drop_all(db.engine, tables=TABLES)
        db.engine.dispose()


def test_model_form_round_trip_on_postgresql(pg_site):
    client = pg_site.test_client()
    token = page_token(client, "/full/new")
    with pg_site.app_context():
        news, sport = db.session.scalars(sa.select(FormsCategory.id).order_by(FormsCategory.id)).all()
        tag_a, tag_b = db.session.scalars(sa.select(FormsTag.id).order_by(FormsTag.id)).all()
    data = {
        "title": "On Postgres",
        "body": "",
        "cat": str(news),
        "tags": [str(tag_a), str(tag_b)],
        "status": "LIVE",
        "views": "",
        "price": "12.50",
        "csrf_token": token,
    }
    response = client.post("/full/new", data=data)
    assert response.status_code == 201, response.text
    pk = response.get_json()["id"]

    # a duplicate title is a field error, not an IntegrityError from PostgreSQL
    response = client.post("/full/new", data={**data, "cat": str(sport)})
    assert response.status_code == 200
    assert "Article with this Title already exists." in response.text

    # update through instance=, keeping the row's own unique title; untick, drop a tag
    with pg_site.test_request_context(
        method="POST",
        data={"title": "On Postgres", "cat": str(sport), "tags": [str(tag_b)], "status": "DRAFT", "views": "3"},
    ):
        article = db.session.get(Article, pk)
        form = FullArticleForm(instance=article, meta={"csrf": False})
        assert form.title.data == "On Postgres"
        assert form.is_valid(), form.errors
        form.save()

    with pg_site.app_context():
        db.session.expire_all()
        article = db.session.get(Article, pk)
        assert (article.title, article.body, article.published, article.cat.name) == (
            "On Postgres",
            None,
            False,
            "Sport",
        )
        assert [t.name for t in article.tags] == ["b"]
        assert (article.status.name, article.views, article.price) == ("DRAFT", 3, decimal.Decimal("12.50"))


def test_commit_false_and_a_multi_column_constraint_on_postgresql(pg_site):
    class EditionForm(ModelForm):
        class Meta:
            model = FormsEdition
            fields = ["cat", "number", "code"]

    with pg_site.test_request_context(method="POST"):
        news = db.session.scalars(sa.select(FormsCategory).filter_by(name="News")).one()
        form = EditionForm(MultiDict({"cat": str(news.id), "number": "1", "code": "A"}), meta={"csrf": False})
        assert form.is_valid(), form.errors
        edition = form.save(commit=False)
        assert sa.inspect(edition).pending
        with db.engine.connect() as other:
            assert other.scalar(sa.select(sa.func.count()).select_from(FormsEdition)) == 0
        db.session.commit()

        again = EditionForm(MultiDict({"cat": str(news.id), "number": "1", "code": "A"}), meta={"csrf": False})
        assert not again.is_valid()
        assert again.errors == {
            "code": ["Edition with this Code already exists."],
            "": ["Edition with this Category and Number already exists."],
        }

"""ModelForm: fields generated from the mapping with Django's rules, unique checks, save() and instance=."""

from __future__ import annotations

import datetime
import decimal
import re
import uuid

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict
from wtforms import StringField
from wtforms.validators import Length
from wtforms.widgets import TextArea

from flaskkit import ConfigurationError
from flaskkit.plugins.forms import ModelForm
from flaskkit.plugins.forms import QuerySelectField
from flaskkit.plugins.forms import QuerySelectMultipleField
from flaskkit.plugins.forms.testing import csrf_token
from flaskkit.plugins.orm import Model
from flaskkit.plugins.orm import db

from .conftest import ArticleForm
from .conftest import count
from .conftest import page_token
from .models import Article
from .models import FormsBook
from .models import FormsCategory
from .models import FormsClash
from .models import FormsEdition
from .models import FormsShelf
from .models import FormsTag
from .models import Status


def form_for(form_class, data=None, **kwargs):
    """A form bound to ``data`` (a dict or list of pairs), without CSRF (these tests are about the fields)."""
    formdata = MultiDict(data) if data is not None else None
    return form_class(formdata=formdata, meta={"csrf": False}, **kwargs)


@pytest.fixture
def ctx(site):
    with site.test_request_context(method="POST"):
        yield site


def cat(name: str) -> FormsCategory:
    return db.session.scalars(sa.select(FormsCategory).filter_by(name=name)).one()


def add_article(title: str = "First", **values) -> Article:
    values.setdefault("cat", cat("News"))
    article = Article(title=title, **values)
    db.session.add(article)
    db.session.commit()
    return article


# -- the parity acceptance tests -----------------------------------------------------


def test_renders_a_select_for_the_relationship(client):
    html = client.get("/articles/new").text
    assert '<select id="cat" name="cat" required><option selected value="">---------</option>' in html
    assert '<option value="1">News</option><option value="2">Sport</option></select>' in html
    assert '<input id="published" name="published" type="checkbox" value="y">' in html


def test_accepts_an_unchecked_box(client, site):
    token = page_token(client, "/articles/new")
    response = client.post("/articles/new", data={"title": "Hello", "cat": "1", "csrf_token": token})
    assert response.status_code == 201
    with site.app_context():
        article = db.session.get(Article, response.get_json()["id"])
        assert (article.title, article.published, article.cat.name) == ("Hello", False, "News")
        assert (article.status, article.views, article.subtitle) == (Status.DRAFT, 0, "")


def test_rejects_a_duplicate_unique_title_with_a_field_error(client, site):
    token = page_token(client, "/articles/new")
    assert client.post("/articles/new", data={"title": "Hello", "cat": "1", "csrf_token": token}).status_code == 201
    response = client.post("/articles/new", data={"title": "Hello", "cat": "2", "csrf_token": token})
    assert response.status_code == 200  # re-rendered, not an IntegrityError
    html = response.text
    assert re.search(
        r'<label for="title">Title</label>\s*<ul class="errorlist" id="title-errors"><li>Article with this Title '
        r'already exists.</li></ul>\s*<input aria-describedby="title-errors" aria-invalid="true" id="title"',
        html,
    ), html
    assert count(site, Article) == 1


def test_an_invalid_form_is_re_rendered_with_200_and_each_error_next_to_its_field(client, site):
    token = page_token(client, "/articles/new")
    response = client.post("/articles/new", data={"title": "x" * 101, "cat": "", "csrf_token": token})
    assert response.status_code == 200
    html = response.text
    assert re.search(
        r'<ul class="errorlist" id="title-errors"><li>Ensure this value has at most 100 characters \(it has 101\).'
        r'</li></ul>\s*<input aria-describedby="title-errors" aria-invalid="true" id="title" maxlength="100" '
        r'name="title" required type="text" value="x{101}">',
        html,
    ), html
    assert re.search(
        r'<ul class="errorlist" id="cat-errors"><li>This field is required.</li></ul>\s*'
        r'<select aria-describedby="cat-errors" aria-invalid="true" id="cat" name="cat" required>',
        html,
    ), html
    assert count(site, Article) == 0


def test_save_commit_false_returns_a_pending_instance_not_in_the_database(ctx):
    form = form_for(ArticleForm, {"title": "Draft", "cat": "2", "published": "y"})
    assert form.is_valid(), form.errors
    article = form.save(commit=False)
    state = sa.inspect(article)
    assert state.pending and article.id is None
    assert (article.title, article.published, article.cat.name) == ("Draft", True, "Sport")
    with db.engine.connect() as other:
        assert other.scalar(sa.select(sa.func.count()).select_from(Article)) == 0
    article.views = 7  # what commit=False is for
    db.session.commit()
    with db.engine.connect() as other:
        assert other.execute(sa.select(Article.title, Article.views)).all() == [("Draft", 7)]


# -- Meta: fields / exclude -------------------------------------------------------------


@pytest.fixture
def configured():
    """The mappers configured, as after the app's first query: forms are then generated at class creation."""
    Model.registry.configure()


def test_fields_or_exclude_is_mandatory(configured):
    with pytest.raises(ConfigurationError) as info:

        class NoFieldsForm(ModelForm):
            class Meta:
                model = Article

    assert str(info.value) == (
        "NoFieldsForm.Meta must set 'fields' or 'exclude': a ModelForm without either is refused, so that a column "
        "added to Article later is not editable by accident (Django's rule).\n"
        "  Hint: Add fields = ['title', 'body', 'published', 'cat', 'status', 'views', 'price', 'subtitle', "
        "'published_at', 'tags'] to NoFieldsForm.Meta (or fields = '__all__', or exclude = [...])."
    )


def test_an_unknown_field_name_is_refused_with_a_suggestion():
    with pytest.raises(ConfigurationError) as info:

        class TypoForm(ModelForm):
            class Meta:
                model = Article
                fields = ["titel"]

    assert str(info.value) == (
        "TypoForm.Meta.fields names 'titel', which is not a column or relationship of Article "
        "(nor a field declared on the form).\n  Hint: Did you mean 'title'? Article has: body, cat, cat_id, id, "
        "price, published, published_at, status, subtitle, tags, title, updated, views."
    )


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"model": Article, "fields": "title"}, "TypoForm.Meta.fields must be a list of field names or '__all__'"),
        ({"model": Article, "exclude": "title"}, "TypoForm.Meta.exclude must be a list of field names, not 'title'."),
        ({"model": Article, "fields": 5}, "TypoForm.Meta.fields must be a list of field names or '__all__', not 5."),
        ({"fields": ["title"]}, "TypoForm.Meta sets fields or exclude but no model."),
        ({"model": dict, "fields": ["title"]}, "TypoForm.Meta.model is <class 'dict'>, which is not a mapped"),
        ({"model": Article, "fields": ["articles"]}, "TypoForm.Meta.fields names 'articles'"),
        ({"model": FormsCategory, "fields": ["name", "id", "nope"]}, "TypoForm.Meta.fields names 'nope'"),
    ],
)
def test_bad_meta_is_refused_at_class_creation(meta, message):
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        type("TypoForm", (ModelForm,), {"Meta": type("Meta", (), meta)})


def test_a_one_to_many_or_uneditable_column_is_refused_when_listed(configured):
    with pytest.raises(ConfigurationError) as info:
        type("ShelfForm", (ModelForm,), {"Meta": type("Meta", (), {"model": FormsShelf, "fields": ["books"]})})
    assert str(info.value) == (
        "ShelfForm.Meta.fields names 'books', a one-to-many relationship of FormsShelf, which a ModelForm cannot "
        "edit.\n  Hint: Edit it from the other side (a form for FormsBook), or remove 'books' from "
        "ShelfForm.Meta.fields."
    )
    with pytest.raises(ConfigurationError, match=r'marked info=\{"editable": False\} of FormsShelf'):
        type("ShelfForm", (ModelForm,), {"Meta": type("Meta", (), {"model": FormsShelf, "fields": ["secret"]})})
    everything = type("ShelfForm", (ModelForm,), {"Meta": type("Meta", (), {"model": FormsShelf, "fields": "__all__"})})
    assert everything._field_order == []
    books = type("BookForm", (ModelForm,), {"Meta": type("Meta", (), {"model": FormsBook, "fields": "__all__"})})
    assert books._field_order == ["shelf"]


def test_a_field_name_that_would_hide_a_form_attribute_is_refused(configured):
    with pytest.raises(ConfigurationError) as info:
        type("ClashForm", (ModelForm,), {"Meta": type("Meta", (), {"model": FormsClash, "fields": "__all__"})})
    assert str(info.value) == (
        "ClashForm cannot have a field named 'data' (a field of FormsClash): it would hide ModelForm.data.\n"
        "  Hint: Leave 'data' out of ClashForm.Meta.fields (or add it to exclude) and set it in the view."
    )
    type("ClashForm", (ModelForm,), {"Meta": type("Meta", (), {"model": FormsClash, "exclude": ["data"]})})


def test_all_and_exclude_take_the_editable_fields_in_model_order(ctx):
    class AllForm(ModelForm):
        class Meta:
            model = Article
            fields = "__all__"

    class ExcludeForm(ModelForm):
        class Meta:
            model = Article
            exclude = ["body", "tags"]

    editable = ["title", "body", "published", "cat", "status", "views", "price", "subtitle", "published_at", "tags"]
    assert [f.name for f in form_for(AllForm)] == editable
    assert [f.name for f in form_for(ExcludeForm)] == [n for n in editable if n not in ("body", "tags")]


def test_fields_follow_meta_order_then_declared_extras(ctx):
    class OrderedForm(ModelForm):
        extra = StringField()
        title = StringField("Custom title", validators=[Length(max=5)])

        class Meta:
            model = Article
            fields = ["published", "title", "cat"]

    form = form_for(OrderedForm)
    assert [f.name for f in form] == ["published", "title", "cat", "extra"]
    assert form.title.label.text == "Custom title"  # the declared field wins


def test_subclass_with_its_own_meta_drops_the_parents_generated_fields(ctx):
    class Narrow(ArticleForm):
        class Meta(ArticleForm.Meta):
            fields = ["title"]

    assert [f.name for f in form_for(Narrow)] == ["title"]
    assert [f.name for f in form_for(ArticleForm)] == ["title", "published", "cat"]

    class Same(ArticleForm):
        note = StringField()

    assert [f.name for f in form_for(Same)] == ["title", "published", "cat", "note"]


def test_a_model_form_without_model_cannot_be_instantiated(ctx):
    class Base(ModelForm):
        pass

    with pytest.raises(ValueError, match=r"Base has no model class specified: set Meta\.model\."):
        Base()


# -- field generation -----------------------------------------------------------------


class EverythingForm(ModelForm):
    class Meta:
        model = Article
        fields = "__all__"
        labels = {"views": "View count"}
        help_texts = {"title": "Keep it short."}
        widgets = {"subtitle": TextArea()}


def test_labels_descriptions_and_widgets(ctx):
    form = form_for(EverythingForm)
    assert form.body.label.text == "Body text"  # info={"label": ...}
    assert form.body.description == "Markdown."
    assert form.views.label.text == "View count"  # Meta.labels
    assert form.published_at.label.text == "Published at"
    assert form.title.description == "Keep it short."
    assert form.subtitle().startswith("<textarea")
    assert form.body().startswith("<textarea")  # a Text column


def test_field_types_and_html_attributes(ctx):
    form = form_for(EverythingForm)
    assert str(form.title) == '<input id="title" maxlength="100" name="title" required type="text" value="">'
    assert str(form.views) == (
        '<input id="views" max="2147483647" min="-2147483648" name="views" type="number" value="0">'
    )
    assert str(form.price) == '<input id="price" name="price" step="any" type="number" value="">'
    assert str(form.published_at) == '<input id="published_at" name="published_at" type="datetime-local" value="">'
    assert str(form.status) == (
        '<select id="status" name="status"><option selected value="DRAFT">DRAFT</option>'
        '<option value="LIVE">LIVE</option></select>'
    )
    assert str(form.tags) == (
        '<select id="tags" multiple name="tags"><option value="1">a</option><option value="2">b</option></select>'
    )


def test_more_column_types(ctx):
    class EditionForm(ModelForm):
        class Meta:
            model = FormsEdition
            fields = "__all__"

    ref = uuid.uuid4()
    form = form_for(
        EditionForm,
        {
            "cat": "",
            "number": "7",
            "day": "2026-11-21",
            "opens": "09:30",
            "ref": str(ref),
            "extra": '{"a": [1, 2]}',
            "ratio": "0.5",
            "code": "  X1  ",
        },
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "cat": None,
        "number": 7,
        "day": datetime.date(2026, 11, 21),
        "opens": datetime.time(9, 30),
        "ref": ref,
        "extra": {"a": [1, 2]},
        "ratio": 0.5,
        "code": "X1",
    }
    edition = form.save()
    assert (edition.id, edition.cat, edition.extra) == (1, None, {"a": [1, 2]})

    bad = form_for(EditionForm, {"number": "70000", "ref": "nope", "extra": "{", "day": "21/11/2026"})
    assert not bad.is_valid()
    assert bad.errors == {
        "number": ["Ensure this value is less than or equal to 32767."],
        "ref": ["Enter a valid UUID."],
        "extra": ["Enter a valid JSON."],
        "day": ["Not a valid date value."],
    }


def test_required_optional_and_defaults(ctx):
    form = form_for(EverythingForm, {"title": "  ", "cat": "", "views": "", "price": "", "status": ""})
    assert not form.is_valid()
    assert form.errors == {"title": ["This field is required."], "cat": ["This field is required."]}
    # views, status: NOT NULL with a default -> blank is fine when creating; price: nullable.
    form = form_for(EverythingForm, {"title": "T", "cat": "1", "views": "", "price": "", "status": "", "subtitle": ""})
    assert form.is_valid(), form.errors
    article = form.save()
    assert (article.views, article.status, article.price, article.subtitle, article.body) == (
        0,
        Status.DRAFT,
        None,
        "",
        None,
    )


def test_a_blank_for_a_defaulted_column_is_required_when_changing_a_row(ctx):
    article = add_article(views=5)
    form = form_for(EverythingForm, {"title": "First", "cat": "1", "views": "", "status": "DRAFT"}, instance=article)
    assert form.views.flags.required
    assert not form.is_valid()
    assert form.errors == {"views": ["This field is required."]}
    assert not form_for(EverythingForm).views.flags.required


def test_numbers_are_checked_against_the_column(ctx):
    form = form_for(EverythingForm, {"title": "T", "cat": "1", "views": "3000000000", "price": "12345.678"})
    assert not form.is_valid()
    assert form.errors == {
        "views": ["Ensure this value is less than or equal to 2147483647."],
        "price": ["Ensure that there are no more than 6 digits in total."],
    }
    form = form_for(EverythingForm, {"title": "T", "cat": "1", "views": "abc", "price": "1.234"})
    assert not form.is_valid()
    assert form.errors == {
        "views": ["Not a valid integer value."],
        "price": ["Ensure that there are no more than 2 decimal places."],
    }
    form = form_for(EverythingForm, {"title": "T", "cat": "1", "price": "99999.5"})
    assert not form.is_valid()
    assert form.errors == {"price": ["Ensure that there are no more than 4 digits before the decimal point."]}
    form = form_for(EverythingForm, {"title": "T", "cat": "1", "price": "1234.5"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["price"] == decimal.Decimal("1234.5")


def test_choices_must_be_among_the_rows(ctx):
    form = form_for(EverythingForm, {"title": "T", "cat": "99", "tags": ["1", "42"], "status": "GONE"})
    assert not form.is_valid()
    assert form.errors == {
        "cat": ["Select a valid choice. That choice is not one of the available choices."],
        "status": ["Invalid Choice: could not coerce."],
        "tags": ["Select a valid choice. 42 is not one of the available choices."],
    }


def test_many_to_many_is_saved(ctx):
    form = form_for(EverythingForm, {"title": "T", "cat": "1", "tags": ["2", "1"], "status": "LIVE"})
    assert form.is_valid(), form.errors
    article = form.save()
    assert sorted(tag.name for tag in article.tags) == ["a", "b"]
    assert article.status is Status.LIVE
    db.session.expire_all()
    assert sorted(t.name for t in db.session.get(Article, article.id).tags) == ["a", "b"]


def test_save_m2m_after_commit_false(ctx):
    form = form_for(EverythingForm, {"title": "T", "cat": "1", "tags": ["1"]})
    assert form.is_valid()
    article = form.save(commit=False)
    article.tags.clear()
    form.save_m2m()  # Django's call: sets the selection again
    db.session.commit()
    assert [tag.name for tag in article.tags] == ["a"]


# -- instance= ---------------------------------------------------------------------------


def test_an_update_form_starts_from_the_row(client, site):
    with site.app_context():
        article = add_article("Old title", published=True, cat=cat("Sport"))
        pk = article.id
    html = client.get(f"/articles/{pk}").text
    assert 'name="title" required type="text" value="Old title">' in html
    assert '<input checked id="published" name="published" type="checkbox" value="y">' in html
    assert '<option selected value="2">Sport</option>' in html


def test_an_update_keeps_its_own_unique_value_and_unticks_a_box(client, site):
    with site.app_context():
        pk = add_article("Mine", published=True).id
        add_article("Taken")
    token = page_token(client, f"/articles/{pk}")
    response = client.post(f"/articles/{pk}", data={"title": "Mine", "cat": "2", "csrf_token": token})
    assert response.get_json() == {"id": pk, "title": "Mine"}
    with site.app_context():
        article = db.session.get(Article, pk)
        assert (article.published, article.cat.name) == (False, "Sport")
    response = client.post(f"/articles/{pk}", data={"title": "Taken", "cat": "2", "csrf_token": token})
    assert response.status_code == 200
    assert "Article with this Title already exists." in response.text


def test_an_invalid_update_changes_nothing_even_if_the_session_flushes(ctx):
    article = add_article("Kept")
    form = form_for(ArticleForm, {"title": "x" * 200, "cat": "2"}, instance=article)
    assert not form.is_valid()
    db.session.flush()
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Article, article.id).title == "Kept"


def test_initial_wins_over_the_instance(ctx):
    article = add_article("From the row")
    form = ArticleForm(instance=article, initial={"title": "From initial"}, formdata=None)
    assert form.title.data == "From initial"
    assert form.cat.data is article.cat


def test_instance_must_be_of_the_model(ctx):
    with pytest.raises(TypeError, match="ArticleForm edits Article objects, not"):
        ArticleForm(instance=cat("News"))


def test_save_refuses_invalid_or_unbound_forms(ctx):
    form = form_for(ArticleForm, {"title": ""})
    with pytest.raises(ValueError, match=r"The Article could not be created because the data didn't validate\."):
        form.save()
    article = add_article()
    form = form_for(ArticleForm, {"title": ""}, instance=article)
    with pytest.raises(ValueError, match=r"The Article could not be changed because the data didn't validate\."):
        form.save()
    with pytest.raises(ValueError, match=r"could not be created because the form has no data \(it is not bound\)"):
        ArticleForm(formdata=None).save()


# -- unique checks ------------------------------------------------------------------------


def test_a_multi_column_unique_constraint_gives_a_non_field_error(ctx):
    class EditionForm(ModelForm):
        class Meta:
            model = FormsEdition
            fields = ["cat", "number"]

    news = cat("News")
    # the relationship's info: choice_label (the attribute the options show) and label
    assert str(form_for(EditionForm).cat).endswith('<option value="1">1</option><option value="2">2</option></select>')
    assert form_for(EditionForm).cat.label.text == "Category"
    db.session.add(FormsEdition(cat=news, number=1))
    db.session.commit()
    form = form_for(EditionForm, {"cat": str(news.id), "number": "1"})
    assert not form.is_valid()
    assert form.non_field_errors() == ["Edition with this Category and Number already exists."]
    assert form.errors == {"": ["Edition with this Category and Number already exists."]}
    assert form_for(EditionForm, {"cat": str(news.id), "number": "2"}).is_valid()
    # NULL never conflicts, and a constraint with a column the form does not edit is not checked.
    assert form_for(EditionForm, {"cat": "", "number": "1"}).is_valid()

    class NumberOnly(ModelForm):
        class Meta:
            model = FormsEdition
            fields = ["number"]

    assert form_for(NumberOnly, {"number": "1"}).is_valid()


def test_validate_on_submit_runs_the_unique_check_too(site):
    with site.test_request_context(method="POST", data={"title": "Dup", "cat": "1"}):
        add_article("Dup")
        form = ArticleForm(meta={"csrf": False})
        assert not form.validate_on_submit()
        assert form.errors == {"title": ["Article with this Title already exists."]}


# -- query fields on their own ----------------------------------------------------------------


def test_query_select_field_on_a_plain_form(ctx):
    from flaskkit.plugins.forms import Form

    class PickForm(Form):
        category = QuerySelectField(model=FormsCategory, get_label="name", allow_blank=True, blank_text="(none)")
        sport_only = QuerySelectField(query=sa.select(FormsCategory).where(FormsCategory.name == "Sport"))
        tags = QuerySelectMultipleField(query_factory=lambda: db.session.scalars(sa.select(FormsTag)).all())

    form = form_for(PickForm, {"category": "", "sport_only": "1", "tags": []})
    assert str(form.category).startswith('<select id="category" name="category"><option selected value="">(none)')
    assert not form.is_valid()
    assert form.errors == {"sport_only": ["Select a valid choice. That choice is not one of the available choices."]}
    form = form_for(PickForm, {"category": "1", "sport_only": "2", "tags": ["1"]})
    assert form.is_valid()
    assert (form.cleaned_data["category"].name, form.cleaned_data["sport_only"].name) == ("News", "Sport")
    assert [t.name for t in form.cleaned_data["tags"]] == ["a"]

    class BadForm(Form):
        both = QuerySelectField(model=FormsCategory, query=sa.select(FormsCategory))

    with pytest.raises(TypeError, match="QuerySelectField needs exactly one of query_factory=, model= or query="):
        BadForm()


def test_select_fields_yield_wtforms_3_3_choices(ctx):
    """No raw tuples: the suite runs with warnings as errors, and WTForms 3.3 warns on them."""
    from wtforms.fields.choices import Choice

    form = form_for(EverythingForm)
    for field in (form.cat, form.tags):
        assert all(isinstance(choice, Choice) for choice in field.iter_choices())


def test_query_fields_need_a_database(make):
    app = make(PLUGINS=["forms"], views=False)
    with app.test_request_context(), pytest.raises(RuntimeError, match=r"has no database: add 'orm' to PLUGINS"):
        form_for(ArticleForm).cat()


# -- with CSRF on, through the client --------------------------------------------------------


def test_the_form_carries_the_csrf_token(client):
    html = client.get("/articles/new").text
    assert re.search(r'<input id="csrf_token" name="csrf_token" type="hidden" value="[^"]+">', html)
    assert client.post("/articles/new", data={"title": "T", "cat": "1"}).status_code == 403
    response = client.post("/articles/new", data={"title": "T", "cat": "1", "csrf_token": csrf_token(client)})
    assert response.status_code == 201


# -- ATOMIC_REQUESTS ------------------------------------------------------------------------


def add_failing_create(app):
    @app.post("/articles/new-then-fail")
    def create_then_fail():
        from flask import abort

        form = ArticleForm()
        assert form.is_valid(), form.errors
        form.save()
        abort(409)


def test_save_only_flushes_inside_an_atomic_request(make):
    """The view's transaction decides: a view that saves and then fails leaves no row."""
    from .conftest import TABLES

    app = make(ATOMIC_REQUESTS=True)
    add_failing_create(app)
    with app.app_context():
        db.metadata.create_all(db.engine, tables=TABLES)
        db.session.add(FormsCategory(name="News"))
        db.session.commit()
    client = app.test_client()
    token = csrf_token(client)
    assert (
        client.post("/articles/new-then-fail", data={"title": "T", "cat": "1", "csrf_token": token}).status_code == 409
    )
    assert count(app, Article) == 0
    assert client.post("/articles/new", data={"title": "T", "cat": "1", "csrf_token": token}).status_code == 201
    assert count(app, Article) == 1


def test_save_commits_without_atomic_requests(site):
    add_failing_create(site)
    client = site.test_client()
    response = client.post("/articles/new-then-fail", data={"title": "T", "cat": "1", "csrf_token": csrf_token(client)})
    assert response.status_code == 409
    assert count(site, Article) == 1


def test_fields_wait_for_models_that_are_not_imported_yet(ctx):
    """Configuring the mappers too early fails for good in SQLAlchemy: a form made before a related model
    exists is checked at once (names) and generated when first used."""
    from sqlalchemy.orm import DeclarativeBase

    from . import late_models

    class LateBase(DeclarativeBase):
        pass

    parent = late_models.make_parent(LateBase)
    with pytest.raises(ConfigurationError, match=r"(?s)LateForm.Meta.fields names 'chlid'.*Did you mean 'child'\?"):
        type("LateForm", (ModelForm,), {"Meta": type("Meta", (), {"model": parent, "fields": ["chlid"]})})
    with pytest.raises(
        ConfigurationError, match=re.escape("Add fields = ['id', 'child_id', 'child'] to LateForm.Meta")
    ):
        type("LateForm", (ModelForm,), {"Meta": type("Meta", (), {"model": parent})})
    late_form = type("LateForm", (ModelForm,), {"Meta": type("Meta", (), {"model": parent, "fields": ["child"]})})
    assert not sa.inspect(parent).configured  # the form did not configure the mappers
    wider = type("Wider", (ModelForm,), {"Meta": type("Meta", (), {"model": parent, "fields": ["child", "child_id"]})})
    narrower = type("Narrower", (wider,), {"Meta": type("Meta", (), {"model": parent, "fields": ["child_id"]})})
    late_models.make_child(LateBase)
    form = form_for(late_form)
    assert [f.name for f in form] == ["child"]
    assert isinstance(form.child, QuerySelectField)
    assert [f.name for f in form_for(narrower)] == ["child_id"]  # made before its parent
    assert [f.name for f in form_for(wider)] == ["child", "child_id"]

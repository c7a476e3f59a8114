"""``CreateView``, ``UpdateView``, ``DeleteView``, ``FormView``: status codes, rows, CSRF, ATOMIC_REQUESTS."""

from __future__ import annotations

import typing as t

import pytest
import sqlalchemy as sa
import wtforms
from wtforms import StringField
from wtforms.validators import InputRequired

from flaskkit import ConfigurationError
from flaskkit.plugins.forms import Form
from flaskkit.plugins.forms import ModelForm
from flaskkit.plugins.forms.testing import csrf_token
from flaskkit.plugins.orm import db
from flaskkit.plugins.orm import non_atomic
from flaskkit.plugins.views import CreateView
from flaskkit.plugins.views import DeleteView
from flaskkit.plugins.views import FormView
from flaskkit.plugins.views import UpdateView
from flaskkit.plugins.views import lazy_url_for

from .conftest import add_posts
from .conftest import count_rows
from .conftest import rendered
from .models import ViewsTestNote
from .models import ViewsTestPost


def titles(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(ViewsTestPost.title).order_by(ViewsTestPost.id)))


def register_crud(app) -> None:
    app.add_url_rule(
        "/posts/new/",
        view_func=CreateView.as_view(model=ViewsTestPost, fields=["title", "body"], success_url="/posts/{id}/"),
    )
    app.add_url_rule(
        "/posts/<int:pk>/edit/",
        view_func=UpdateView.as_view(model=ViewsTestPost, fields=["title"], success_url="/posts/{id}/"),
    )
    app.add_url_rule(
        "/posts/<int:pk>/delete/", view_func=DeleteView.as_view(model=ViewsTestPost, success_url="/posts/")
    )


@pytest.fixture
def crud(site):
    register_crud(site)
    return site


# -- CreateView -----------------------------------------------------------------------------------------


def test_create_get_shows_the_form(crud):
    with rendered(crud) as templates:
        response = crud.test_client().get("/posts/new/")
    assert response.status_code == 200
    [(name, context)] = templates
    assert name == "views/object_form.html"  # the shipped fallback: views/views_test_post_form.html does not exist
    assert set(context["form"]._fields) == {"title", "body", "csrf_token"}
    assert "object" not in context
    assert "<title>Add views test post</title>" in response.text
    assert 'name="csrf_token"' in response.text
    assert '<input id="title" maxlength="200" name="title" required type="text" value="">' in response.text


def test_create_valid_post_writes_one_row_and_redirects_to_it(crud):
    client = crud.test_client()
    response = client.post("/posts/new/", data={"title": "Hello", "body": "", "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    with crud.app_context():
        post = db.session.scalars(sa.select(ViewsTestPost)).one()
        assert (post.title, post.body) == ("Hello", "")
        assert response.headers["Location"] == f"/posts/{post.id}/"


def test_create_invalid_post_is_200_with_errors_and_no_row(crud):
    client = crud.test_client()
    response = client.post("/posts/new/", data={"title": "", "csrf_token": csrf_token(client)})
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert 'aria-invalid="true"' in response.text
    assert count_rows(crud, ViewsTestPost) == 0


def test_create_without_csrf_token_is_403_and_no_row(crud):
    response = crud.test_client().post("/posts/new/", data={"title": "Sneaky"})
    assert response.status_code == 403
    assert count_rows(crud, ViewsTestPost) == 0


def test_create_with_a_form_class_and_get_absolute_url(site):
    class NoteForm(ModelForm):
        class Meta:
            model = ViewsTestNote
            fields = ["text"]

        def clean_text(self) -> str:
            return self.cleaned_data["text"].upper()

    site.add_url_rule("/notes/new/", view_func=CreateView.as_view(form_class=NoteForm))
    assert "views_test_note_create" in site.view_functions
    client = site.test_client()
    response = client.post("/notes/new/", data={"text": "hi", "csrf_token": csrf_token(client)})
    assert (response.status_code, response.headers["Location"]) == (302, "/notes/1/")
    with site.app_context():
        assert db.session.get(ViewsTestNote, 1).text == "HI"


def test_create_with_lazy_url_for(site):
    site.add_url_rule("/done/", endpoint="done", view_func=lambda: "done")
    site.add_url_rule(
        "/posts/new/",
        view_func=CreateView.as_view(model=ViewsTestPost, fields=["title"], success_url=lazy_url_for("done", n=1)),
    )
    client = site.test_client()
    response = client.post("/posts/new/", data={"title": "x", "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/done/?n=1"


def test_create_without_success_url_nor_get_absolute_url_is_an_error(site):
    site.add_url_rule("/posts/new/", view_func=CreateView.as_view(model=ViewsTestPost, fields=["title"]))
    client = site.test_client()
    with pytest.raises(ConfigurationError, match=r"^No URL to redirect to. Either provide a url or define"):
        client.post("/posts/new/", data={"title": "x", "csrf_token": csrf_token(client)})


def test_model_form_options_are_checked_at_as_view():
    class NoteForm(ModelForm):
        class Meta:
            model = ViewsTestNote
            fields = ["text"]

    with pytest.raises(ConfigurationError) as error:
        CreateView.as_view(model=ViewsTestPost)
    assert str(error.value) == (
        "Using ModelFormMixin (base class of CreateView) without the 'fields' attribute is prohibited.\n"
        "  Hint: Write CreateView.as_view(model=Post, fields=['title', 'body']) (or give a form_class)."
    )
    with pytest.raises(ConfigurationError, match=r"^CreateView: specifying both 'fields' and 'form_class'"):
        CreateView.as_view(model=ViewsTestNote, fields=["text"], form_class=NoteForm)
    with pytest.raises(ConfigurationError) as error:
        CreateView.as_view(model=ViewsTestPost, fields=["titel"])
    assert str(error.value).startswith(
        "CreateView.fields names 'titel', which is not a column or relationship of ViewsTestPost. Did you mean 'title'?"
    )
    with pytest.raises(ConfigurationError, match=r"^CreateView.fields must be a list of field names or '__all__'"):
        CreateView.as_view(model=ViewsTestPost, fields="title")
    with pytest.raises(ConfigurationError, match=r"^CreateView.form_class must be a ModelForm"):
        CreateView.as_view(form_class=Form)
    with pytest.raises(ConfigurationError, match=r"^CreateView has fields but no model to make its form from"):
        CreateView.as_view(fields=["title"])


# -- UpdateView -----------------------------------------------------------------------------------------


def test_update_of_a_missing_row_is_404(crud):
    client = crud.test_client()
    assert client.get("/posts/9/edit/").status_code == 404
    assert client.post("/posts/9/edit/", data={"title": "x", "csrf_token": csrf_token(client)}).status_code == 404


def test_update_shows_the_row_and_saves_a_valid_post(crud):
    [pk] = add_posts(crud, 1)
    client = crud.test_client()
    with rendered(crud) as templates:
        response = client.get(f"/posts/{pk}/edit/")
    assert response.status_code == 200
    assert 'value="Post 01"' in response.text
    assert "<title>Change views test post</title>" in response.text
    context = templates[0][1]
    assert context["object"] is context["views_test_post"]

    response = client.post(f"/posts/{pk}/edit/", data={"title": "Renamed", "csrf_token": csrf_token(client)})
    assert (response.status_code, response.headers["Location"]) == (302, f"/posts/{pk}/")
    assert titles(crud) == ["Renamed"]


def test_update_invalid_post_changes_nothing(crud):
    [pk] = add_posts(crud, 1)
    client = crud.test_client()
    response = client.post(f"/posts/{pk}/edit/", data={"title": "x" * 201, "csrf_token": csrf_token(client)})
    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters (it has 201)." in response.text
    assert titles(crud) == ["Post 01"]


# -- DeleteView -----------------------------------------------------------------------------------------


def test_delete_get_confirms_without_deleting(crud):
    [pk] = add_posts(crud, 1)
    with rendered(crud) as templates:
        response = crud.test_client().get(f"/posts/{pk}/delete/")
    assert response.status_code == 200
    assert templates[0][0] == "views/object_confirm_delete.html"
    assert "Are you sure you want to delete the views test post “Post 01”?" in response.text
    assert 'name="csrf_token"' in response.text
    assert isinstance(templates[0][1]["form"], Form)
    assert count_rows(crud, ViewsTestPost) == 1


def test_delete_post_deletes_and_redirects(crud):
    pks = add_posts(crud, 2)
    client = crud.test_client()
    response = client.post(f"/posts/{pks[0]}/delete/", data={"csrf_token": csrf_token(client)})
    assert (response.status_code, response.headers["Location"]) == (302, "/posts/")
    assert titles(crud) == ["Post 02"]
    assert client.post(f"/posts/{pks[0]}/delete/", data={"csrf_token": csrf_token(client)}).status_code == 404


def test_delete_post_without_csrf_token_is_403_and_deletes_nothing(crud):
    [pk] = add_posts(crud, 1)
    assert crud.test_client().post(f"/posts/{pk}/delete/").status_code == 403
    assert count_rows(crud, ViewsTestPost) == 1


def test_the_delete_method_deletes_with_the_token_in_a_header(crud):
    [pk] = add_posts(crud, 1)
    client = crud.test_client()
    assert client.delete(f"/posts/{pk}/delete/").status_code == 403
    assert count_rows(crud, ViewsTestPost) == 1
    response = client.delete(f"/posts/{pk}/delete/", headers={"X-CSRFToken": csrf_token(client)})
    assert (response.status_code, response.headers["Location"]) == (302, "/posts/")
    assert count_rows(crud, ViewsTestPost) == 0


def test_delete_success_url_is_formatted_with_the_row(site):
    site.add_url_rule(
        "/posts/<int:pk>/delete/",
        view_func=DeleteView.as_view(
            model=ViewsTestPost, success_url="/after/{title}/", http_method_names=["get", "post"]
        ),
    )
    [pk] = add_posts(site, 1)
    client = site.test_client()
    assert client.delete(f"/posts/{pk}/delete/").status_code == 405
    response = client.post(f"/posts/{pk}/delete/", data={"csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/after/Post%2001/"


def test_delete_view_needs_a_success_url():
    with pytest.raises(ConfigurationError) as error:
        DeleteView.as_view(model=ViewsTestPost)
    assert str(error.value) == (
        "DeleteView needs a success_url: where to go once the row is deleted.\n"
        "  Hint: Write DeleteView.as_view(model=Post, success_url='/posts/')."
    )


def test_delete_form_can_add_validation(site):
    class ConfirmForm(Form):
        confirm = StringField(validators=[InputRequired()])

    site.add_url_rule(
        "/posts/<int:pk>/delete/",
        view_func=DeleteView.as_view(model=ViewsTestPost, success_url="/posts/", form_class=ConfirmForm),
    )
    [pk] = add_posts(site, 1)
    client = site.test_client()
    response = client.post(f"/posts/{pk}/delete/", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 200
    assert count_rows(site, ViewsTestPost) == 1
    response = client.post(f"/posts/{pk}/delete/", data={"confirm": "yes", "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert count_rows(site, ViewsTestPost) == 0


# -- FormView -------------------------------------------------------------------------------------------------


class ContactForm(Form):
    name = StringField(validators=[InputRequired()])
    topic = StringField()


class Contact(FormView):
    form_class = ContactForm
    success_url = "/thanks/"
    initial = {"topic": "general"}
    received: t.ClassVar[list[dict[str, t.Any]]] = []

    def get_initial(self) -> dict[str, t.Any]:
        return {**super().get_initial(), "name": self.request.args.get("name", "")}

    def form_valid(self, form: t.Any) -> t.Any:
        Contact.received.append(form.cleaned_data)
        return super().form_valid(form)


def test_form_view(site):
    Contact.received.clear()
    site.add_url_rule("/contact/", view_func=Contact.as_view())
    client = site.test_client()
    with rendered(site) as templates:
        response = client.get("/contact/?name=Ada")
    assert response.status_code == 200
    assert templates[0][0] == "views/form.html"
    assert 'value="Ada"' in response.text
    assert 'value="general"' in response.text

    response = client.post("/contact/", data={"name": "", "csrf_token": csrf_token(client)})
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert Contact.received == []

    response = client.post("/contact/", data={"name": "Ada", "topic": "x", "csrf_token": csrf_token(client)})
    assert (response.status_code, response.headers["Location"]) == (302, "/thanks/")
    assert Contact.received == [{"name": "Ada", "topic": "x"}]
    assert client.post("/contact/", data={"name": "Ada"}).status_code == 403


def test_form_view_with_template_name_and_prefix(site, make):
    make.template("contact.html", "{{ form.name.name }}")
    site.add_url_rule(
        "/c/", view_func=FormView.as_view(form_class=ContactForm, template_name="contact.html", prefix="contact")
    )
    assert "contact_form" in site.view_functions
    assert site.test_client().get("/c/").text == "contact-name"


def test_form_view_with_a_plain_wtforms_form(site):
    class Search(wtforms.Form):
        q = StringField(validators=[InputRequired()])

    site.add_url_rule(
        "/search/", view_func=FormView.as_view(form_class=Search, success_url="/found/", initial={"q": "x"})
    )
    client = site.test_client()
    assert 'value="x"' in client.get("/search/").text
    token = csrf_token(client)  # the app's CSRF protection still checks every POST
    assert client.post("/search/", data={"q": "", "csrf_token": token}).status_code == 200
    response = client.post("/search/", data={"q": "flask", "csrf_token": token})
    assert (response.status_code, response.headers["Location"]) == (302, "/found/")


def test_form_view_needs_a_form_class():
    with pytest.raises(ConfigurationError, match=r"^FormView has no form_class: set it, or override get_form_class"):
        FormView.as_view()


# -- ATOMIC_REQUESTS ------------------------------------------------------------------------------------------


class CreateThenFail(CreateView):
    """Saves the row, then fails: tells whether the view committed or left it to the request."""

    model = ViewsTestPost
    fields = ["title"]
    success_url = "/posts/{id}/"

    def form_valid(self, form: t.Any) -> t.Any:
        super().form_valid(form)
        raise RuntimeError("after save")


class DeleteThenFail(DeleteView):
    model = ViewsTestPost
    success_url = "/posts/"

    def form_valid(self, form: t.Any) -> t.Any:
        super().form_valid(form)
        raise RuntimeError("after delete")


@pytest.mark.parametrize("atomic", [True, False])
def test_atomic_requests_decide_who_commits(make, atomic):
    app = make(ATOMIC_REQUESTS=atomic)
    app.add_url_rule("/posts/new/", view_func=CreateThenFail.as_view())
    app.add_url_rule("/posts/<int:pk>/delete/", view_func=DeleteThenFail.as_view())
    [pk] = add_posts(app, 1)
    client = app.test_client()
    with pytest.raises(RuntimeError, match="after save"):
        client.post("/posts/new/", data={"title": "New", "csrf_token": csrf_token(client)})
    with pytest.raises(RuntimeError, match="after delete"):
        client.post(f"/posts/{pk}/delete/", data={"csrf_token": csrf_token(client)})
    if atomic:  # the request's transaction rolled back: the view only flushed
        assert titles(app) == ["Post 01"]
    else:  # the view committed each change itself
        assert titles(app) == ["New"]


def test_atomic_request_commits_what_the_view_saved(make):
    app = make(ATOMIC_REQUESTS=True)
    register_crud(app)
    [pk] = add_posts(app, 1)
    client = app.test_client()
    response = client.post("/posts/new/", data={"title": "New", "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/posts/2/"
    response = client.post(f"/posts/{pk}/delete/", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert titles(app) == ["New"]


def test_a_non_atomic_view_commits_itself_in_an_atomic_app(make):
    app = make(ATOMIC_REQUESTS=True)
    app.add_url_rule("/posts/new/", view_func=non_atomic(type("NonAtomicCreate", (CreateThenFail,), {})).as_view())
    client = app.test_client()
    with pytest.raises(RuntimeError, match="after save"):
        client.post("/posts/new/", data={"title": "Kept", "csrf_token": csrf_token(client)})
    assert titles(app) == ["Kept"]

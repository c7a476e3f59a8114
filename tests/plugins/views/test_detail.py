"""``DetailView``: 404, both context names, pk and slug lookups, template names, route checks."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Blueprint

from flaskkit import ConfigurationError
from flaskkit.plugins.orm import db
from flaskkit.plugins.views import DetailView

from .conftest import add_posts
from .conftest import rendered
from .models import ViewsTestNote
from .models import ViewsTestPost


@pytest.fixture
def detail(site, make):
    add_posts(site, 3)
    with site.app_context():
        post = db.session.get(ViewsTestPost, 2)
        post.slug = "second"
        db.session.commit()
    make.template(
        "views/views_test_post_detail.html", "{{ object.title }}|{{ views_test_post.title }}|{{ view.pk_url_kwarg }}"
    )
    site.add_url_rule("/posts/<int:pk>/", view_func=DetailView.as_view(model=ViewsTestPost))
    site.add_url_rule("/by-slug/<slug>/", view_func=DetailView.as_view("by_slug", model=ViewsTestPost))
    site.add_url_rule("/any/<pk>/", view_func=DetailView.as_view("any_pk", model=ViewsTestPost))
    return site


def test_missing_row_is_404(detail):
    client = detail.test_client()
    response = client.get("/posts/999/")
    assert response.status_code == 404
    assert "No ViewsTestPost matches the given query." in response.text
    assert client.get("/by-slug/nope/").status_code == 404


def test_a_value_the_key_cannot_hold_is_404_not_500(detail):
    client = detail.test_client()
    assert client.get("/any/abc/").status_code == 404
    assert client.get("/any/99999999999999999999999/").status_code == 404
    assert client.get("/any/1/").status_code == 200


def test_the_row_is_in_the_context_as_object_and_by_model_name(detail):
    with rendered(detail) as templates:
        response = detail.test_client().get("/posts/1/")
    assert (response.status_code, response.text) == (200, "Post 01|Post 01|pk")
    [(name, context)] = templates
    assert name == "views/views_test_post_detail.html"
    assert context["object"] is context["views_test_post"]
    assert isinstance(context["view"], DetailView)


def test_slug_lookup_and_query_pk_and_slug(detail):
    detail.add_url_rule(
        "/both/<int:pk>/<slug>/",
        view_func=DetailView.as_view("both", model=ViewsTestPost, query_pk_and_slug=True),
    )
    detail.add_url_rule("/pk-wins/<int:pk>/<slug>/", view_func=DetailView.as_view("pk_wins", model=ViewsTestPost))
    client = detail.test_client()
    assert client.get("/by-slug/second/").text.startswith("Post 02|")
    assert client.get("/both/2/second/").status_code == 200
    assert client.get("/both/1/second/").status_code == 404
    assert client.get("/pk-wins/1/second/").text.startswith("Post 01|")


def test_custom_url_argument_names_queryset_and_context_name(site, make):
    add_posts(site, 2)
    make.template("post.html", "{{ post.title }}")
    site.add_url_rule(
        "/p/<int:post_id>/",
        view_func=DetailView.as_view(
            "post",
            queryset=sa.select(ViewsTestPost).where(ViewsTestPost.id > 1),
            pk_url_kwarg="post_id",
            context_object_name="post",
            template_name="post.html",
        ),
    )
    client = site.test_client()
    assert client.get("/p/2/").text == "Post 02"
    assert client.get("/p/1/").status_code == 404  # outside the queryset


def test_the_shipped_detail_template_shows_the_columns(site):
    with site.app_context():
        db.session.add(ViewsTestNote(text="hello <b>"))
        db.session.commit()
    site.add_url_rule("/notes/<int:pk>/", view_func=DetailView.as_view(model=ViewsTestNote))
    with rendered(site) as templates:
        response = site.test_client().get("/notes/1/")
    assert response.status_code == 200
    assert templates[0][0] == "views/object_detail.html"
    assert "<h1>hello &lt;b&gt;</h1>" in response.text
    assert "<dt>Text</dt>\n    <dd>hello &lt;b&gt;</dd>" in response.text


def test_template_names(site):
    add_posts(site, 1)
    with site.test_request_context("/"):
        view = DetailView(model=ViewsTestPost)
        view.object = db.session.get(ViewsTestPost, 1)
        assert view.get_template_names() == ["views/views_test_post_detail.html", "views/object_detail.html"]
        view = DetailView(model=ViewsTestPost, template_prefix="", template_name_field="slug")
        view.object = db.session.get(ViewsTestPost, 1)
        view.object.slug = "custom.html"
        assert view.get_template_names() == ["custom.html", "views_test_post_detail.html", "views/object_detail.html"]
        assert DetailView(model=ViewsTestPost, template_name="x.html").get_template_names() == ["x.html"]


def test_a_route_without_pk_or_slug_is_refused_at_the_first_request(make):
    site = make()
    site.add_url_rule("/post/<int:id>/", view_func=DetailView.as_view("post", model=ViewsTestPost))
    with pytest.raises(ConfigurationError) as error:
        site.test_client().get("/post/1/")
    assert str(error.value) == (
        "The route of the endpoint 'post' (DetailView) has neither <pk> nor <slug>: the view cannot tell which row "
        "to show.\n"
        "  Hint: Write the rule as '/posts/<int:pk>/' or '/posts/<slug>/', or set pk_url_kwarg / slug_url_kwarg to "
        "the name your rule uses."
    )
    fixed = make()
    fixed.add_url_rule(
        "/post/<int:id>/", view_func=DetailView.as_view("post_by_id", model=ViewsTestPost, pk_url_kwarg="id")
    )
    assert fixed.test_client().get("/post/1/").status_code == 404  # checked, and served: there is no post 1


def test_a_slug_route_needs_the_slug_field(make):
    site = make()
    site.add_url_rule("/n/<slug>/", view_func=DetailView.as_view("note", model=ViewsTestNote))
    with pytest.raises(
        ConfigurationError, match=r"^DetailView.slug_field is 'slug', which ViewsTestNote does not have"
    ):
        site.test_client().get("/n/some-slug/")
    fixed = make()
    fixed.add_url_rule("/n/<int:pk>/", view_func=DetailView.as_view("note_pk", model=ViewsTestNote))
    assert fixed.test_client().get("/n/1/").status_code == 404


def test_detail_view_needs_a_model():
    with pytest.raises(ConfigurationError, match=r"^DetailView is missing a QuerySet"):
        DetailView.as_view()


def test_routes_of_a_blueprint_are_checked(site):
    blog = Blueprint("blog", __name__)
    blog.add_url_rule("/<int:post_id>/", view_func=DetailView.as_view(model=ViewsTestPost))
    site.register_blueprint(blog, url_prefix="/blog")
    with pytest.raises(
        ConfigurationError, match=r"^The route of the endpoint 'blog.views_test_post_detail' \(DetailView\)"
    ):
        site.test_client().get("/blog/1/")

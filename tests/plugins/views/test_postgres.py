"""The generic views on the real PostgreSQL: pagination, 404s for values the key cannot hold, a create."""

from __future__ import annotations

import typing as t

import pytest
import sqlalchemy as sa

from flaskkit.plugins.forms.testing import csrf_token
from flaskkit.plugins.orm import db
from flaskkit.plugins.views import CreateView
from flaskkit.plugins.views import DetailView
from flaskkit.plugins.views import ListView

from .conftest import add_posts
from .conftest import rendered
from .conftest import statements
from .models import TABLES
from .models import ViewsTestPost


@pytest.fixture
def pg_site(make, postgres_url: str) -> t.Iterator[t.Any]:
    app = make(DATABASE_URL=postgres_url, tables=False)
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
        db.metadata.drop_all(db.engine, tables=TABLES)
        db.metadata.create_all(db.engine, tables=TABLES)
    add_posts(app, 25, body="same")
    app.add_url_rule("/posts/", view_func=ListView.as_view("posts", model=ViewsTestPost, paginate_by=10))
    app.add_url_rule(
        "/by-body/", view_func=ListView.as_view("by_body", model=ViewsTestPost, paginate_by=7, ordering="-body")
    )
    app.add_url_rule("/posts/<pk>/", view_func=DetailView.as_view(model=ViewsTestPost))
    app.add_url_rule(
        "/posts/new/", view_func=CreateView.as_view(model=ViewsTestPost, fields=["title"], success_url="/posts/{id}/")
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.metadata.drop_all(db.engine, tables=TABLES)


def page(app, path: str) -> tuple[int, dict[str, t.Any]]:
    with rendered(app) as templates:
        response = app.test_client().get(path)
    return response.status_code, (templates[0][1] if templates else {})


def test_list_view_pagination_on_postgresql(pg_site):
    status, context = page(pg_site, "/posts/?page=3")
    assert status == 200
    assert [post.title for post in context["object_list"]] == [f"Post {i}" for i in range(21, 26)]
    assert context["page_obj"].has_next is False
    assert page(pg_site, "/posts/?page=last")[1]["page_obj"].number == 3
    status, context = page(pg_site, "/posts/?per_page=1000")
    assert len(context["object_list"]) == 10
    client = pg_site.test_client()
    for bad in ["4", "0", "abc", "99999999999999999999999"]:
        assert client.get(f"/posts/?page={bad}").status_code == 404, bad


def test_pages_with_equal_sort_keys_never_overlap_on_postgresql(pg_site):
    seen: list[int] = []
    with statements(pg_site) as sql:
        for number in range(1, 5):
            status, context = page(pg_site, f"/by-body/?page={number}")
            assert status == 200
            seen += [post.id for post in context["object_list"]]
    assert len(seen) == 25
    assert len(set(seen)) == 25
    assert all("ORDER BY views_test_post.body DESC, views_test_post.id" in s for s in sql if "LIMIT" in s)


def test_detail_404_for_values_the_key_cannot_hold_on_postgresql(pg_site):
    client = pg_site.test_client()
    assert client.get("/posts/1/").status_code == 200
    assert client.get("/posts/999/").status_code == 404
    assert client.get("/posts/99999999999999999999/").status_code == 404  # bigint out of range: no 500
    assert client.get("/posts/abc/").status_code == 404


def test_create_view_on_postgresql(pg_site):
    client = pg_site.test_client()
    response = client.post("/posts/new/", data={"title": "From PG", "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    with pg_site.app_context():
        post = db.session.scalars(sa.select(ViewsTestPost).where(ViewsTestPost.title == "From PG")).one()
    assert response.headers["Location"] == f"/posts/{post.id}/"
    response = client.post("/posts/new/", data={"title": "", "csrf_token": csrf_token(client)})
    assert response.status_code == 200
    with pg_site.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ViewsTestPost)) == 26

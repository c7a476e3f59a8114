"""``ListView``: pagination (page=N|last, 404s, per_page capped), context names, ordering, templates."""

from __future__ import annotations

import typing as t

import pytest
import sqlalchemy as sa

from flaskkit import ConfigurationError
from flaskkit.plugins.views import ListView
from flaskkit.plugins.views import Page
from flaskkit.plugins.views import Paginator

from .conftest import add_posts
from .conftest import rendered
from .conftest import statements
from .models import ViewsTestNote
from .models import ViewsTestPost

LIST_TEMPLATE = (
    "{% for post in views_test_post_list %}{{ post.title }};{% endfor %}"
    "|{{ page_obj.number if page_obj else '-' }}|{{ is_paginated }}"
)


@pytest.fixture
def posts(site, make):
    """25 posts at /posts/ (10 per page), with a template that prints the titles, the page and is_paginated."""
    add_posts(site, 25)
    make.template("views/views_test_post_list.html", LIST_TEMPLATE)
    site.add_url_rule("/posts/", view_func=ListView.as_view("posts", model=ViewsTestPost, paginate_by=10))
    return site


def context_of(app, path: str) -> tuple[int, dict[str, t.Any]]:
    with rendered(app) as templates:
        response = app.test_client().get(path)
    return response.status_code, (templates[0][1] if templates else {})


def test_page_3_of_25_posts_has_5_and_no_next(posts):
    status, context = context_of(posts, "/posts/?page=3")
    assert status == 200
    page = context["page_obj"]
    assert [post.title for post in context["object_list"]] == [f"Post {i}" for i in range(21, 26)]
    assert context["views_test_post_list"] == context["object_list"]
    assert len(page) == 5
    assert page.has_next is False
    assert page.has_previous is True
    assert (page.number, page.num_pages, page.next_page_number, page.previous_page_number) == (3, 3, None, 2)
    assert (page.start_index, page.end_index) == (21, 25)
    assert context["paginator"].count == 25
    assert context["paginator"].num_pages == 3
    assert list(context["paginator"].page_range) == [1, 2, 3]
    assert context["is_paginated"] is True
    assert isinstance(context["view"], ListView)


def test_page_4_and_garbage_pages_are_404(posts):
    client = posts.test_client()
    for page in ["4", "0", "-1", "abc", "1.5", "99999999999999999999999", "lastt"]:
        assert client.get(f"/posts/?page={page}").status_code == 404, page
    assert "That page contains no results" in client.get("/posts/?page=4").text
    assert "Page is not &#39;last&#39;, nor can it be converted to an int." in client.get("/posts/?page=x").text


def test_page_last_is_page_3(posts):
    status, context = context_of(posts, "/posts/?page=last")
    assert status == 200
    assert context["page_obj"].number == 3
    assert len(context["object_list"]) == 5


def test_page_1_by_default_and_blank(posts):
    client = posts.test_client()
    assert (
        client.get("/posts/").text
        == "Post 01;Post 02;Post 03;Post 04;Post 05;Post 06;Post 07;Post 08;Post 09;Post 10;|1|True"
    )
    assert client.get("/posts/?page=").text.endswith("|1|True")


def test_per_page_is_capped_at_paginate_by(posts):
    status, context = context_of(posts, "/posts/?per_page=1000")
    assert status == 200
    assert len(context["object_list"]) == 10
    assert context["paginator"].per_page == 10
    status, context = context_of(posts, "/posts/?per_page=4&page=7")
    assert [post.title for post in context["object_list"]] == ["Post 25"]
    assert context["paginator"].num_pages == 7
    client = posts.test_client()
    assert client.get("/posts/?per_page=0").status_code == 404
    assert client.get("/posts/?per_page=many").status_code == 404


def test_per_page_can_be_switched_off(site):
    add_posts(site, 12)
    site.add_url_rule("/fixed/", view_func=ListView.as_view(model=ViewsTestPost, paginate_by=5, per_page_kwarg=None))
    _, context = context_of(site, "/fixed/?per_page=1")
    assert len(context["object_list"]) == 5


def test_page_from_a_url_argument(posts):
    posts.add_url_rule("/posts/page/<int:page>/", view_func=posts.view_functions["posts"])
    status, context = context_of(posts, "/posts/page/2/?q=x")
    assert status == 200
    assert context["page_obj"].number == 2
    with posts.test_request_context("/"):
        assert context["view"].page_url(3) == "/posts/page/3/?q=x"
    assert posts.test_client().get("/posts/page/9/").status_code == 404


def test_without_pagination_every_row_is_listed(site):
    add_posts(site, 12)
    site.add_url_rule("/all/", view_func=ListView.as_view(model=ViewsTestPost))
    status, context = context_of(site, "/all/")
    assert status == 200
    assert len(context["object_list"]) == 12
    assert isinstance(context["object_list"], list)
    assert (context["paginator"], context["page_obj"], context["is_paginated"]) == (None, None, False)


def test_allow_empty(site):
    site.add_url_rule("/empty/", view_func=ListView.as_view(model=ViewsTestPost, paginate_by=10))
    site.add_url_rule("/strict/", view_func=ListView.as_view("strict", model=ViewsTestPost, allow_empty=False))
    site.add_url_rule(
        "/strict-pages/",
        view_func=ListView.as_view("strict_pages", model=ViewsTestPost, allow_empty=False, paginate_by=5),
    )
    client = site.test_client()
    status, context = context_of(site, "/empty/")
    assert status == 200
    assert context["object_list"] == []
    assert context["paginator"].num_pages == 1
    assert context["is_paginated"] is False
    assert client.get("/empty/?page=last").status_code == 200
    assert client.get("/empty/?page=2").status_code == 404
    response = client.get("/strict/")
    assert response.status_code == 404
    assert "Empty list and &#39;ListView.allow_empty&#39; is False." in response.text
    assert client.get("/strict-pages/").status_code == 404
    add_posts(site, 1)
    assert client.get("/strict/").status_code == 200
    assert client.get("/strict-pages/").status_code == 200


def test_ordering_strings_and_columns(site, make):
    add_posts(site, 3)
    make.template("views/views_test_post_list.html", LIST_TEMPLATE)
    site.add_url_rule("/desc/", view_func=ListView.as_view("desc", model=ViewsTestPost, ordering="-title"))
    site.add_url_rule(
        "/cols/", view_func=ListView.as_view("cols", model=ViewsTestPost, ordering=[ViewsTestPost.title.desc()])
    )
    client = site.test_client()
    assert client.get("/desc/").text.startswith("Post 03;Post 02;Post 01;")
    assert client.get("/cols/").text.startswith("Post 03;Post 02;Post 01;")


def test_ordering_names_are_checked_at_as_view():
    with pytest.raises(ConfigurationError) as error:
        ListView.as_view(model=ViewsTestPost, ordering="-titel")
    assert str(error.value) == (
        "ListView.ordering names 'titel', which is not a column of ViewsTestPost. Did you mean 'title'?\n"
        "  Hint: Use one of 'id', 'title', 'slug', 'body', with '-' in front to sort descending."
    )


def test_pages_never_overlap_when_the_ordering_has_ties(site):
    """Rows with the same sort key are ordered by primary key too, so each row is on exactly one page."""
    add_posts(site, 9, body="same")
    site.add_url_rule(
        "/ties/", view_func=ListView.as_view("ties", model=ViewsTestPost, ordering="-body", paginate_by=4)
    )
    seen = []
    with statements(site) as sql:
        for number in (1, 2, 3):
            _, context = context_of(site, f"/ties/?page={number}")
            seen += [post.id for post in context["object_list"]]
    assert sorted(seen) == list(range(1, 10))
    pages = [s for s in sql if "LIMIT" in s]
    assert len(pages) == 3
    assert all("ORDER BY views_test_post.body DESC, views_test_post.id LIMIT" in s for s in pages), pages
    # The shipped template shows "page 1 of 3": pages 1 and 2 count; page 3, the last, knows the total.
    counts = [s for s in sql if "count(*)" in s]
    assert len(counts) == 2 and all("ORDER BY" not in s for s in counts), counts


def test_a_page_is_counted_only_when_the_count_is_shown(posts):
    """Django counts every list first; here a template that shows no total costs one query a page."""
    with statements(posts) as sql:
        status, context = context_of(posts, "/posts/?page=2")
    assert status == 200
    assert [post.title for post in context["object_list"]] == [f"Post {i}" for i in range(11, 21)]
    assert len(sql) == 1 and "LIMIT" in sql[0], sql  # 11 rows read: the 11th says a next page exists
    page = context["page_obj"]
    assert (page.has_next, page.has_previous, context["is_paginated"]) == (True, True, True)
    with statements(posts) as sql, posts.app_context():
        assert (context["paginator"].count, page.num_pages, page.end_index) == (25, 3, 20)
        assert page.pages == 3  # Flask-SQLAlchemy's name, from the same count
    assert len(sql) == 1 and "count(*)" in sql[0], sql


def test_the_last_page_and_a_short_list_are_never_counted(posts):
    posts.add_url_rule("/few/", view_func=ListView.as_view("few", model=ViewsTestPost, paginate_by=50))
    with statements(posts) as sql:
        status, context = context_of(posts, "/posts/?page=3")
        assert context["paginator"].count == 25 and context["page_obj"].has_next is False
    assert status == 200 and not [s for s in sql if "count(*)" in s], sql
    with statements(posts) as sql:
        status, context = context_of(posts, "/few/")
        assert (context["paginator"].num_pages, context["is_paginated"]) == (1, False)
    assert status == 200 and len(sql) == 1, sql


def test_page_last_counts_first(posts):
    with statements(posts) as sql:
        status, context = context_of(posts, "/posts/?page=last")
    assert status == 200 and context["page_obj"].number == 3
    assert "count(*)" in sql[0] and len(sql) == 2, sql


def test_queryset_and_get_queryset(site, make):
    add_posts(site, 6)
    make.template("views/views_test_post_list.html", LIST_TEMPLATE)
    site.add_url_rule(
        "/odd/",
        view_func=ListView.as_view("odd", queryset=sa.select(ViewsTestPost).where(ViewsTestPost.id % 2 == 1)),
    )

    class Search(ListView):
        def get_queryset(self) -> sa.Select[t.Any]:
            q = self.request.args.get("q", "")
            return sa.select(ViewsTestPost).where(ViewsTestPost.title.endswith(q)).order_by(ViewsTestPost.id)

    site.add_url_rule("/search/", view_func=Search.as_view())
    client = site.test_client()
    assert client.get("/odd/").text.startswith("Post 01;Post 03;Post 05;|")
    assert client.get("/search/?q=6").text.startswith("Post 06;|")
    assert "search" in site.view_functions


def test_context_object_name_and_template_names(site, make):
    add_posts(site, 2)
    make.template("posts/latest.html", "{{ latest | length }}")
    site.add_url_rule(
        "/latest/",
        view_func=ListView.as_view(
            "latest", model=ViewsTestPost, context_object_name="latest", template_name="posts/latest.html"
        ),
    )
    assert site.test_client().get("/latest/").text == "2"
    with site.test_request_context("/"):
        view = ListView(model=ViewsTestPost, template_prefix="blog")
        view.object_list = sa.select(ViewsTestPost)
        assert view.get_template_names() == ["blog/views_test_post_list.html", "views/object_list.html"]
        view = ListView(model=ViewsTestPost, template_name="x.html")
        view.object_list = sa.select(ViewsTestPost)
        assert view.get_template_names() == ["x.html", "views/views_test_post_list.html"]


def test_the_shipped_template_lists_and_links_pages(site):
    with site.app_context():
        from flaskkit.plugins.orm import db

        db.session.add_all([ViewsTestNote(text=f"note {i}") for i in range(1, 8)])
        db.session.commit()
    site.add_url_rule("/notes/", view_func=ListView.as_view(model=ViewsTestNote, paginate_by=3))
    with rendered(site) as templates:
        response = site.test_client().get("/notes/?page=2&q=a+b")
    assert response.status_code == 200
    assert templates[0][0] == "views/object_list.html"
    text = response.text
    assert "<title>Views test notes</title>" in text
    assert '<li><a href="/notes/4/">note 4</a></li>' in text
    assert '<a href="?page=1&amp;q=a+b" rel="prev">Previous</a>' in text
    assert "Page 2 of 3" in text
    assert '<a href="?page=3&amp;q=a+b" rel="next">Next</a>' in text


def test_paginator_elided_page_range():
    paginator = Paginator(500, 10)
    assert list(paginator.get_elided_page_range(25)) == [1, 2, "…", 22, 23, 24, 25, 26, 27, 28, "…", 49, 50]
    assert list(Paginator(30, 10).get_elided_page_range(2)) == [1, 2, 3]
    assert Paginator(0, 10).num_pages == 1
    assert Paginator(0, 10, allow_empty_first_page=False).num_pages == 0


def test_page_answers_flask_sqlalchemy_names_too(posts):
    _, context = context_of(posts, "/posts/?page=2")
    page = context["page_obj"]
    assert isinstance(page, Page)
    with posts.app_context():  # the count, read after the request here, is a query
        assert (page.has_prev, page.prev_num, page.next_num, page.pages, page.total) == (True, 1, 3, 3, 25)
    assert list(page.iter_pages()) == [1, 2, 3]
    assert list(page.elided_page_range()) == [1, 2, 3]
    assert repr(page) == "<Page 2 of 3>"


def test_list_view_settings_are_checked_at_as_view():
    with pytest.raises(ConfigurationError, match=r"^ListView is missing a QuerySet. Define ListView.model"):
        ListView.as_view()
    with pytest.raises(ConfigurationError, match=r"^ListView.paginate_by must be a number of rows per page"):
        ListView.as_view(model=ViewsTestPost, paginate_by=0)
    with pytest.raises(ConfigurationError, match=r"^ListView.model is <class 'str'>, which is not a mapped"):
        ListView.as_view(model=str)
    with pytest.raises(ConfigurationError, match=r"^ListView.queryset must be a select\(\) statement"):
        ListView.as_view(queryset=[1, 2])


def test_a_list_from_get_queryset_is_paginated_in_python(site, make):
    make.template("letters.html", "{{ object_list | join(',') }}|{{ page_obj.number }}/{{ paginator.num_pages }}")

    class Letters(ListView):
        paginate_by = 2
        template_name = "letters.html"

        def get_queryset(self) -> t.Any:
            return list("abcde")

    site.add_url_rule("/letters/", view_func=Letters.as_view())
    client = site.test_client()
    assert client.get("/letters/?page=last").text == "e|3/3"
    assert client.get("/letters/?page=2").text == "c,d|2/3"
    assert client.get("/letters/?page=4").status_code == 404

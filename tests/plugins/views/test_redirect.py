"""``RedirectView``: pattern_name, url with URL arguments, permanent, query_string, 410."""

from __future__ import annotations

import pytest

from flaskkit.plugins.forms.testing import csrf_token
from flaskkit.plugins.views import RedirectView
from flaskkit.plugins.views import lazy_url_for


@pytest.fixture
def redirects(site):
    site.add_url_rule("/", endpoint="home", view_func=lambda: "home")
    site.add_url_rule("/blog/<slug>/", endpoint="post", view_func=lambda slug: slug)
    site.add_url_rule("/go-home/", view_func=RedirectView.as_view(pattern_name="home"))
    site.add_url_rule("/old/<slug>/", view_func=RedirectView.as_view("old", pattern_name="post", query_string=True))
    site.add_url_rule("/moved/<slug>/", view_func=RedirectView.as_view("moved", url="/blog/%(slug)s/", permanent=True))
    site.add_url_rule("/lazy/", view_func=RedirectView.as_view(url=lazy_url_for("post", slug="a b")))
    site.add_url_rule("/gone/", view_func=RedirectView.as_view("gone"))
    return site


def test_pattern_name_redirects_with_302(redirects):
    response = redirects.test_client().get("/go-home/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_url_arguments_and_query_string_are_passed_on(redirects):
    client = redirects.test_client()
    response = client.get("/old/hello/?utm=x&a=1")
    assert (response.status_code, response.headers["Location"]) == (302, "/blog/hello/?utm=x&a=1")
    response = client.get("/moved/hi/?dropped=1")
    assert (response.status_code, response.headers["Location"]) == (301, "/blog/hi/")
    assert client.get("/lazy/").headers["Location"] == "/blog/a%20b/"
    assert "redirect_to_post" in redirects.view_functions


def test_every_method_redirects_and_posts_need_the_csrf_token(redirects):
    client = redirects.test_client()
    assert client.head("/go-home/").status_code == 302
    assert client.options("/go-home/").status_code == 302
    assert client.post("/go-home/").status_code == 403
    assert client.post("/go-home/", data={"csrf_token": csrf_token(client)}).status_code == 302


def test_no_url_is_410_gone(redirects):
    assert redirects.test_client().get("/gone/").status_code == 410

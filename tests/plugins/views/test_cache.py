"""``cache_timeout``: GET/HEAD cached with the cache plugin's ``cache_page``; clear errors without it."""

from __future__ import annotations

import typing as t

import pytest
from flask import Flask

from flaskkit import ConfigurationError
from flaskkit import Kit
from flaskkit.plugins.cache import cache_page
from flaskkit.plugins.forms.testing import csrf_token
from flaskkit.plugins.views import DetailView
from flaskkit.plugins.views import ListView
from flaskkit.plugins.views import View
from tests.conftest import settings

from .conftest import add_posts
from .models import ViewsTestPost

WITH_CACHE = ["orm", "forms", "cache", "views"]


class Clock(View):
    ticks: t.ClassVar[int] = 0

    def get(self, **kwargs: t.Any) -> str:
        Clock.ticks += 1
        return f"tick {Clock.ticks}"

    def post(self, **kwargs: t.Any) -> str:
        Clock.ticks += 1
        return f"posted {Clock.ticks}"


class CachedClock(Clock):
    cache_timeout = 60


@pytest.fixture(autouse=True)
def _reset_clock() -> None:
    Clock.ticks = 0


def test_cache_timeout_caches_get_and_head_not_post(make):
    app = make(PLUGINS=WITH_CACHE)
    app.add_url_rule("/clock/", view_func=CachedClock.as_view())
    client = app.test_client()
    first = client.get("/clock/")
    assert first.text == "tick 1"
    assert first.headers["Cache-Control"] == "max-age=60"
    assert client.get("/clock/").text == "tick 1"
    assert client.head("/clock/").status_code == 200
    token = csrf_token(client)
    assert client.post("/clock/", data={"csrf_token": token}).text == "posted 2"
    assert client.post("/clock/", data={"csrf_token": token}).text == "posted 3"
    assert client.get("/clock/").text == "tick 1"


def test_cache_timeout_as_an_as_view_keyword(make):
    app = make(PLUGINS=WITH_CACHE)
    app.add_url_rule("/cached/", view_func=Clock.as_view("cached", cache_timeout=30))
    app.add_url_rule("/fresh/", view_func=Clock.as_view("fresh"))
    app.add_url_rule("/off/", view_func=CachedClock.as_view("off", cache_timeout=None))
    client = app.test_client()
    assert [client.get("/cached/").text for _ in range(2)] == ["tick 1", "tick 1"]
    assert [client.get("/fresh/").text for _ in range(2)] == ["tick 2", "tick 3"]
    assert [client.get("/off/").text for _ in range(2)] == ["tick 4", "tick 5"]


def test_a_list_view_page_is_cached_per_query_string(make):
    app = make(PLUGINS=WITH_CACHE)
    add_posts(app, 3)
    app.add_url_rule("/posts/", view_func=ListView.as_view(model=ViewsTestPost, paginate_by=2, cache_timeout=60))
    client = app.test_client()
    page1 = client.get("/posts/").text
    page2 = client.get("/posts/?page=2").text
    assert "Post 01" in page1 and "Post 03" not in page1
    assert "Post 03" in page2
    add_posts(app, 1)
    assert client.get("/posts/?page=2").text == page2  # from the cache: the new row is not shown yet


def test_the_cache_is_looked_up_after_the_access_checks_of_dispatch(make):
    class Deny:
        def dispatch(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
            if self.request.headers.get("X-Deny"):  # type: ignore[attr-defined]
                return "forbidden", 403
            return super().dispatch(*args, **kwargs)  # type: ignore[misc]

    class Guarded(Deny, CachedClock):
        pass

    app = make(PLUGINS=WITH_CACHE)
    app.add_url_rule("/guarded/", view_func=Guarded.as_view())
    client = app.test_client()
    assert client.get("/guarded/").text == "tick 1"
    response = client.get("/guarded/", headers={"X-Deny": "1"})
    assert (response.status_code, response.text) == (403, "forbidden")


def test_cache_timeout_without_the_cache_plugin_is_refused_at_the_views_first_request(site):
    """A route added after the boot is checked at the first request its view serves (as Django does)."""
    site.add_url_rule("/clock/", view_func=CachedClock.as_view())
    client = site.test_client()
    assert client.get("/elsewhere/").status_code == 404  # other pages are served
    with pytest.raises(ConfigurationError) as error:
        client.get("/clock/")
    assert str(error.value) == (
        "(views.E001) The view 'cached_clock' (CachedClock) sets cache_timeout, but the cache plugin is not "
        "enabled.\n  Hint: Add 'cache' to PLUGINS, or remove cache_timeout."
    )
    assert error.value.setting == "PLUGINS"
    with pytest.raises(ConfigurationError):  # every request, until the app is fixed
        client.get("/clock/")


def test_cache_timeout_without_the_cache_plugin_stops_the_boot(tmp_path):
    """Routes added before the kit boots (Kit(app) in a factory) are checked at boot, by the plugin's checks."""
    app = Flask("views_boot_test", instance_path=str(tmp_path / "instance"))
    app.config.update(settings(PLUGINS=["orm", "forms", "views"]))
    app.add_url_rule("/clock/", view_func=CachedClock.as_view())
    app.add_url_rule("/post/<int:id>/", view_func=DetailView.as_view(model=ViewsTestPost))
    with pytest.raises(ConfigurationError) as error:
        Kit(app)
    assert [(m.id, m.obj) for m in error.value.messages] == [
        ("views.E001", "cached_clock"),
        ("views.E003", "views_test_post_detail"),
    ]
    assert "The view 'cached_clock' (CachedClock) sets cache_timeout, but the cache plugin is not enabled." in str(
        error.value
    )


def test_an_unknown_cache_alias_is_refused(make):
    app = make(PLUGINS=WITH_CACHE)
    app.add_url_rule("/clock/", view_func=CachedClock.as_view(cache_alias="defualt"))
    with pytest.raises(ConfigurationError) as error:
        app.test_client().get("/clock/")
    assert str(error.value) == (
        "(views.E002) The view 'cached_clock' (CachedClock) caches in 'defualt' (cache_alias), which CACHES does not "
        "have. Did you mean 'default'?\n  Hint: Use one of 'default', or add CACHES['defualt']."
    )


def test_cache_timeout_must_be_seconds():
    with pytest.raises(ConfigurationError, match=r"^Clock.cache_timeout must be a number of seconds >= 0"):
        Clock.as_view(cache_timeout="60")
    with pytest.raises(ConfigurationError, match=r"^Clock.cache_timeout must be a number of seconds >= 0"):
        Clock.as_view(cache_timeout=-1)


def test_cache_page_in_flask_decorators(make):
    app = make(PLUGINS=WITH_CACHE)
    app.add_url_rule("/clock/", view_func=Clock.as_view("clock", decorators=[cache_page(30)]))
    client = app.test_client()
    assert [client.get("/clock/").text for _ in range(2)] == ["tick 1", "tick 1"]

"""``cache_page``: Django's per-view cache rules, on locmem, file and the real Redis."""

from __future__ import annotations

import collections
import datetime as dt
import typing as t

import pytest
from flask import Flask
from flask import Response
from flask import make_response
from flask import request
from flask import request_finished
from flask import session
from flask import stream_with_context
from flask.views import MethodView

from flaskkit.plugins.cache import InvalidCacheAliasError
from flaskkit.plugins.cache import cache_page
from flaskkit.plugins.cache import caches
from tests.plugins.cache.conftest import AppFactory


@pytest.fixture
def calls() -> collections.Counter[str]:
    return collections.Counter()


@pytest.fixture
def views(app: Flask, calls: collections.Counter[str]) -> Flask:
    """Cached views that count how often they really run."""

    @app.route("/page", methods=["GET", "POST"])
    @cache_page(60)
    def page() -> str:
        calls["page"] += 1
        return f"page {calls['page']} {request.method} q={request.args.get('q')}"

    @app.get("/status/<int:code>")
    @cache_page(60)
    def status(code: int) -> tuple[str, int]:
        calls["status"] += 1
        return f"status {calls['status']}", code

    @app.get("/cookie")
    @cache_page(60)
    def cookie() -> Response:
        calls["cookie"] += 1
        response = make_response(f"cookie {calls['cookie']}")
        response.set_cookie("token", f"secret-{calls['cookie']}")
        return response

    @app.get("/control/<path:value>")
    @cache_page(60)
    def control(value: str) -> Response:
        calls["control"] += 1
        response = make_response(f"control {calls['control']}")
        response.headers["Cache-Control"] = value
        return response

    @app.get("/vary/<name>")
    @cache_page(60)
    def vary(name: str) -> Response:
        calls["vary"] += 1
        response = make_response(f"vary {calls['vary']} {request.headers.get(name)}")
        response.headers["Vary"] = name
        return response

    @app.post("/login/<name>")
    def login(name: str) -> str:
        session["user"] = name
        return "ok"

    @app.get("/me")
    @cache_page(60)
    def me() -> str:
        calls["me"] += 1
        return f"me {session.get('user', 'anonymous')} {calls['me']}"

    @app.get("/remember")
    @cache_page(60)
    def remember() -> str:
        calls["remember"] += 1
        session["seen"] = True  # the session cookie is set after the view returns
        return f"remember {calls['remember']}"

    @app.get("/auth")
    @cache_page(60)
    def auth() -> str:
        calls["auth"] += 1
        return f"auth {calls['auth']} {request.authorization.username if request.authorization else '-'}"

    @app.get("/stream")
    @cache_page(60)
    def stream() -> Response:
        calls["stream"] += 1
        return Response(stream_with_context(iter(["a", "b"])))

    @app.get("/zero")
    @cache_page(0)
    def zero() -> str:
        calls["zero"] += 1
        return f"zero {calls['zero']}"

    return app


pytestmark = pytest.mark.usefixtures("views")


def test_a_get_is_stored_and_served_from_the_cache(client, calls):
    first = client.get("/page")
    second = client.get("/page")
    assert first.status_code == second.status_code == 200
    assert first.text == second.text == "page 1 GET q=None"
    assert calls["page"] == 1
    assert first.headers["Cache-Control"] == "max-age=60"
    assert first.headers["Expires"]
    assert second.headers["Cache-Control"] == "max-age=60"
    assert second.headers["Expires"] == first.headers["Expires"]
    assert second.headers["Age"] in {"0", "1"}
    assert "Age" not in first.headers


def test_a_post_always_runs_the_view(client, calls):
    assert client.get("/page").text == "page 1 GET q=None"
    assert client.post("/page").text == "page 2 POST q=None"
    assert client.post("/page").text == "page 3 POST q=None"
    assert calls["page"] == 3


def test_a_post_response_is_never_stored(client, calls):
    post = client.post("/page")
    assert "Cache-Control" not in post.headers
    assert client.get("/page").text == "page 2 GET q=None"
    assert calls["page"] == 2


def test_head_is_answered_from_the_stored_get(client, calls):
    client.get("/page")
    head = client.head("/page")
    assert head.status_code == 200
    assert head.headers["Age"] in {"0", "1"}
    assert calls["page"] == 1


def test_head_on_a_miss_is_stored_for_head(client, calls):
    client.head("/page?x=1")
    client.head("/page?x=1")
    assert calls["page"] == 1


def test_the_query_string_is_part_of_the_key(client, calls):
    assert client.get("/page?q=1").text == "page 1 GET q=1"
    assert client.get("/page?q=2").text == "page 2 GET q=2"
    assert client.get("/page?q=1").text == "page 1 GET q=1"
    assert client.get("/page").text == "page 3 GET q=None"
    assert calls["page"] == 3


@pytest.mark.parametrize("code", [201, 404, 500])
def test_only_200_is_stored(client, calls, code):
    assert client.get(f"/status/{code}").text == "status 1"
    response = client.get(f"/status/{code}")
    assert response.status_code == code
    assert response.text == "status 2"
    assert "Cache-Control" not in response.headers


def test_a_304_gets_the_headers_but_is_not_stored(client, calls):
    first = client.get("/status/304")
    assert first.status_code == 304
    assert first.headers["Cache-Control"] == "max-age=60"
    client.get("/status/304")
    assert calls["status"] == 2


def test_a_response_that_sets_a_cookie_is_not_stored(client, app, calls):
    assert client.get("/cookie").headers["Set-Cookie"].startswith("token=secret-1")
    other = app.test_client()
    response = other.get("/cookie")
    assert response.headers["Set-Cookie"].startswith("token=secret-2")
    assert calls["cookie"] == 2
    assert "Cache-Control" not in response.headers


def test_a_response_whose_session_cookie_is_set_after_the_view_is_not_stored(client, app, calls):
    assert "session=" in client.get("/remember").headers["Set-Cookie"]
    other = app.test_client()
    assert "session=" in other.get("/remember").headers["Set-Cookie"]
    assert calls["remember"] == 2


@pytest.mark.parametrize("value", ["private", "no-store", "no-cache", "max-age=0", "private, max-age=600"])
def test_private_or_uncacheable_responses_are_not_stored(client, calls, value):
    client.get(f"/control/{value}")
    response = client.get(f"/control/{value}")
    assert response.text == "control 2"
    assert response.headers["Cache-Control"] == value


def test_a_shorter_max_age_of_the_response_is_kept(client, calls):
    first = client.get("/control/max-age=30")
    assert first.headers["Cache-Control"] == "max-age=30"
    assert client.get("/control/max-age=30").text == "control 1"


def test_vary_star_is_not_stored(client, calls):
    client.get("/vary/*")
    assert client.get("/vary/*").text == "vary 2 None"


def test_the_values_of_the_vary_headers_are_part_of_the_key(client, calls):
    assert client.get("/vary/Accept-Language", headers={"Accept-Language": "fr"}).text == "vary 1 fr"
    assert client.get("/vary/Accept-Language", headers={"Accept-Language": "de"}).text == "vary 2 de"
    assert client.get("/vary/Accept-Language", headers={"Accept-Language": "fr"}).text == "vary 1 fr"
    assert client.get("/vary/Accept-Language").text == "vary 3 None"
    assert calls["vary"] == 3


def test_two_sessions_never_share_a_page(app, calls):
    alice, bob, anonymous = app.test_client(), app.test_client(), app.test_client()
    alice.post("/login/alice")
    bob.post("/login/bob")
    assert alice.get("/me").text == "me alice 1"
    assert bob.get("/me").text == "me bob 2"
    assert anonymous.get("/me").text == "me anonymous 3"
    assert alice.get("/me").text == "me alice 1"  # each one's own page comes from the cache
    assert bob.get("/me").text == "me bob 2"
    assert anonymous.get("/me").text == "me anonymous 3"
    assert calls["me"] == 3
    assert "Cookie" in alice.get("/me").headers["Vary"]


def test_two_sessions_of_the_session_plugin_never_share_a_page(make_app: AppFactory, calls):
    # Server-side sessions kept in the cache itself; the session plugin adds Vary: Cookie after the view.
    app = make_app(PLUGINS=["cache", "session"], SESSION_ENGINE="cache")

    @app.post("/login/<name>")
    def login(name: str) -> str:
        session["user"] = name
        return "ok"

    @app.get("/me")
    @cache_page(60)
    def me() -> str:
        calls["me"] += 1
        return f"me {session.get('user', 'anonymous')} {calls['me']}"

    alice, bob, anonymous = app.test_client(), app.test_client(), app.test_client()
    alice.post("/login/alice")
    bob.post("/login/bob")
    assert [c.get("/me").text for c in (alice, bob, anonymous)] == ["me alice 1", "me bob 2", "me anonymous 3"]
    assert [c.get("/me").text for c in (alice, bob, anonymous)] == ["me alice 1", "me bob 2", "me anonymous 3"]
    assert calls["me"] == 3


def test_a_request_with_credentials_never_gets_a_page_stored_without(client, calls):
    assert client.get("/auth").text == "auth 1 -"
    assert client.get("/auth", auth=("alice", "pw")).text == "auth 2 alice"
    assert client.get("/auth", auth=("bob", "pw")).text == "auth 3 bob"
    assert client.get("/auth", auth=("alice", "pw")).text == "auth 2 alice"
    # The URL now varies on Authorization: the page stored before is out of reach, never served wider.
    assert client.get("/auth").text == "auth 4 -"
    assert client.get("/auth").text == "auth 4 -"
    assert client.get("/auth", auth=("bob", "pw")).text == "auth 3 bob"
    assert calls["auth"] == 4


def test_a_streamed_response_is_not_stored(client, calls):
    assert client.get("/stream").text == "ab"
    assert client.get("/stream").text == "ab"
    assert calls["stream"] == 2


def test_timeout_zero_sets_max_age_zero_and_stores_nothing(client, calls):
    response = client.get("/zero")
    assert response.headers["Cache-Control"] == "max-age=0"
    client.get("/zero")
    assert calls["zero"] == 2


def test_clearing_the_cache_drops_the_pages(app, client, calls):
    client.get("/page")
    with app.app_context():
        caches["default"].clear()
    client.get("/page")
    assert calls["page"] == 2


# -- options ----------------------------------------------------------------------------------------


def test_pages_go_to_the_named_alias(make_app: AppFactory, calls):
    app = make_app({"default": make_app.entry(), "pages": make_app.entry(KEY_PREFIX="pages")})

    @app.get("/")
    @cache_page(60, cache="pages", key_prefix="home")
    def home() -> str:
        calls["home"] += 1
        return "home"

    client = app.test_client()
    client.get("/")
    with app.app_context():
        caches["default"].clear()
    client.get("/")
    assert calls["home"] == 1
    with app.app_context():
        caches["pages"].clear()
    client.get("/")
    assert calls["home"] == 2


def test_an_unknown_alias_fails_on_first_use(make_app: AppFactory):
    app = make_app()

    @app.get("/")
    @cache_page(60, cache="pagez")
    def home() -> str:
        return "home"

    with pytest.raises(InvalidCacheAliasError, match="CACHES has no alias 'pagez'"):
        app.test_client().get("/")


def test_it_decorates_a_class_based_view(make_app: AppFactory, calls):
    app = make_app()

    class Posts(MethodView):
        def get(self) -> str:
            calls["get"] += 1
            return f"list {calls['get']}"

        def post(self) -> str:
            calls["post"] += 1
            return f"created {calls['post']}"

    view = cache_page(60)(Posts.as_view("posts"))
    assert view.view_class is Posts
    app.add_url_rule("/posts/", view_func=view)
    client = app.test_client()
    assert client.get("/posts/").text == "list 1"
    assert client.get("/posts/").text == "list 1"
    assert client.post("/posts/").text == "created 1"
    assert client.post("/posts/").text == "created 2"


def test_it_decorates_through_view_decorators(make_app: AppFactory, calls):
    app = make_app()

    class Home(MethodView):
        decorators: t.ClassVar = [cache_page(60)]

        def get(self) -> str:
            calls["home"] += 1
            return "home"

    app.add_url_rule("/", view_func=Home.as_view("home"))
    client = app.test_client()
    client.get("/")
    client.get("/")
    assert calls["home"] == 1


def test_one_decorated_view_serves_two_apps_apart(make_app: AppFactory):
    @cache_page(60)
    def shared() -> str:
        return f"app {request.host}"

    one = make_app({"default": make_app.entry(KEY_PREFIX="one")})
    two = make_app({"default": make_app.entry(KEY_PREFIX="two")})
    one.add_url_rule("/", view_func=shared)
    two.add_url_rule("/", view_func=shared)
    assert one.test_client().get("/", base_url="http://one.test").text == "app one.test"
    assert two.test_client().get("/", base_url="http://one.test").text == "app one.test"
    with two.app_context():
        caches["default"].clear()
    assert one.test_client().get("/", base_url="http://one.test").text == "app one.test"


def test_nothing_runs_per_request_until_a_cached_view_does(make_app: AppFactory):
    app = make_app()

    @app.get("/plain")
    def plain() -> str:
        return "plain"

    @app.get("/cached")
    @cache_page(60)
    def cached() -> str:
        return "cached"

    client = app.test_client()
    client.get("/plain")
    assert list(request_finished.receivers_for(app)) == []
    client.get("/cached")
    assert len(list(request_finished.receivers_for(app))) == 1
    client.get("/cached")
    assert len(list(request_finished.receivers_for(app))) == 1


@pytest.mark.parametrize("timeout", ["60", -1, True, [60]])
def test_a_bad_timeout_is_refused_when_decorating(timeout):
    with pytest.raises(TypeError, match=r"^cache_page\(timeout\) takes a number of seconds >= 0"):
        cache_page(timeout)


@pytest.mark.parametrize("timeout", [dt.timedelta(minutes=2), 120, 119.2])
def test_a_timeout_in_seconds_or_as_a_timedelta(make_app: AppFactory, timeout):
    app = make_app()

    @app.get("/two-minutes")
    @cache_page(timeout)
    def two_minutes() -> str:
        return "ok"

    assert app.test_client().get("/two-minutes").headers["Cache-Control"] == "max-age=120"

"""``method_decorator``: a function decorator on a method, or on a class by name (Django's)."""

from __future__ import annotations

import functools
import typing as t

import pytest
from flask import make_response

from flaskkit.plugins.cache import cache_page
from flaskkit.plugins.forms import csrf_exempt
from flaskkit.plugins.forms.testing import csrf_token
from flaskkit.plugins.views import View
from flaskkit.plugins.views import method_decorator


def tag(value: str) -> t.Callable[[t.Callable[..., t.Any]], t.Callable[..., t.Any]]:
    """A decorator of view functions that appends ``value`` to the X-Tags header."""

    def decorator(view: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        @functools.wraps(view)
        def wrapped(*args: t.Any, **kwargs: t.Any) -> t.Any:
            response = make_response(view(*args, **kwargs))
            response.headers["X-Tags"] = f"{response.headers.get('X-Tags', '')}{value}"
            return response

        return wrapped

    return decorator


@method_decorator(cache_page(60), name="get")
class Counter(View):
    calls: t.ClassVar[dict[str, int]] = {}

    def get(self, **kwargs: t.Any) -> str:
        Counter.calls["get"] = Counter.calls.get("get", 0) + 1
        return f"get {Counter.calls['get']}"

    def post(self, **kwargs: t.Any) -> str:
        Counter.calls["post"] = Counter.calls.get("post", 0) + 1
        return f"post {Counter.calls['post']}"


def test_cache_page_on_get_caches_get_while_post_runs_each_time(make):
    Counter.calls.clear()
    app = make(PLUGINS=["orm", "forms", "cache", "views"])
    app.add_url_rule("/count/", view_func=Counter.as_view())
    client = app.test_client()
    assert client.get("/count/").text == "get 1"
    assert client.get("/count/").text == "get 1"
    assert client.get("/count/?other").text == "get 2"
    token = csrf_token(client)
    assert client.post("/count/", data={"csrf_token": token}).text == "post 1"
    assert client.post("/count/", data={"csrf_token": token}).text == "post 2"
    assert Counter.calls == {"get": 2, "post": 2}


def test_on_a_method_and_a_list_in_stacking_order(site):
    class Tagged(View):
        @method_decorator([tag("a"), tag("b")])
        def get(self, name: str) -> str:
            return f"hi {name} from {type(self).__name__}"

    site.add_url_rule("/t/<name>", view_func=Tagged.as_view())
    response = site.test_client().get("/t/ada")
    assert response.text == "hi ada from Tagged"
    assert response.headers["X-Tags"] == "ba"  # b is innermost: it runs on the response first, as when stacked
    assert Tagged.get.__name__ == "get"


def test_on_dispatch_the_decorator_marks_reach_the_view_function(site):
    @method_decorator(csrf_exempt, name="dispatch")
    class Hook(View):
        def post(self) -> str:
            return "received"

    site.add_url_rule("/hook", view_func=Hook.as_view())
    assert site.view_functions["hook"].csrf_exempt is True
    assert site.test_client().post("/hook").text == "received"  # no token needed


def test_the_name_must_be_a_method_of_the_class():
    with pytest.raises(ValueError, match=r"^The keyword argument `name` must be the name of a method of the decorated"):
        method_decorator(tag("x"), name="gett")(View)
    with pytest.raises(ValueError, match=r"Got '' instead"):
        method_decorator(tag("x"))(View)

    class WithAttribute(View):
        label = "x"

    with pytest.raises(TypeError, match=r"^Cannot decorate 'label' as it isn't a callable attribute"):
        method_decorator(tag("x"), name="label")(WithAttribute)
    assert method_decorator([tag("x")]).__name__ == "method_decorator(decorator)"

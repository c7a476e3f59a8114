"""``View``: as_view's checks, an instance per request, setup/dispatch, 405/OPTIONS/HEAD, names, decorators."""

from __future__ import annotations

import functools
import typing as t

import pytest
from flask import Blueprint
from flask import make_response
from flask import url_for
from jinja2 import TemplateNotFound

from flaskkit import ConfigurationError
from flaskkit.plugins.forms import csrf_exempt
from flaskkit.plugins.views import ListView
from flaskkit.plugins.views import RedirectView
from flaskkit.plugins.views import TemplateView
from flaskkit.plugins.views import View

from .conftest import rendered
from .models import ViewsTestPost


class PostList(View):
    """A view with one handler and an option."""

    greeting = "hello"
    instances: t.ClassVar[list[int]] = []

    def get(self, *args: t.Any, **kwargs: t.Any) -> str:
        PostList.instances.append(id(self))
        return f"{self.greeting} {sorted(self.kwargs.items())} {type(self.request).__name__}"


class Echo(View):
    def get(self, **kwargs: t.Any) -> str:
        return "get"

    def post(self, **kwargs: t.Any) -> str:
        return "post"


def test_as_view_refuses_a_keyword_that_is_not_a_class_attribute():
    with pytest.raises(TypeError) as error:
        PostList.as_view(foo=1)
    assert str(error.value) == (
        "PostList() received an invalid keyword 'foo'. as_view only accepts arguments that are already attributes "
        "of the class."
    )


def test_as_view_refuses_a_method_name_as_keyword():
    with pytest.raises(TypeError) as error:
        PostList.as_view(get=lambda self: "x")
    assert str(error.value) == "The method name get is not accepted as a keyword argument to PostList()."


def test_as_view_refuses_positional_arguments_and_a_shared_instance():
    with pytest.raises(TypeError, match=r"takes the endpoint name and keyword arguments only"):
        PostList.as_view("posts", 1)

    class Shared(View):
        init_every_request = False

    with pytest.raises(TypeError, match=r"Shared.init_every_request is False, but flaskkit's views keep the request"):
        Shared.as_view("shared")


def test_each_request_gets_a_new_instance_with_request_args_and_kwargs(site):
    PostList.instances.clear()
    site.add_url_rule("/posts/<int:year>/", view_func=PostList.as_view("posts", greeting="hi"))
    client = site.test_client()
    first = client.get("/posts/2024/")
    second = client.get("/posts/2025/")
    assert first.status_code == 200
    assert first.text == "hi [('year', 2024)] Request"
    assert second.text == "hi [('year', 2025)] Request"
    assert len(PostList.instances) == 2
    assert PostList.instances[0] != PostList.instances[1]
    assert PostList.greeting == "hello"  # the keyword went to the instance, not the class


def test_an_async_handler_runs_through_flasks_ensure_sync(site):
    class AsyncEcho(View):
        async def get(self, **kwargs: t.Any) -> str:
            return f"async {kwargs['name']}"

        def post(self, **kwargs: t.Any) -> str:
            return f"sync {kwargs['name']}"

    site.add_url_rule("/echo/<name>", view_func=csrf_exempt(AsyncEcho.as_view("echo")))
    client = site.test_client()
    for _ in range(2):  # the second request: whether the handler is async is known
        assert client.get("/echo/ada").text == "async ada"
        assert client.post("/echo/ada").text == "sync ada"


def test_a_mixin_that_overrides_dispatch_runs_first(site):
    calls: list[str] = []

    class DenyPosts:
        """What the auth plugin's access mixins do: leftmost, dispatch() then super()."""

        def dispatch(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
            calls.append(f"mixin saw {self.request.method} {self.kwargs}")  # type: ignore[attr-defined]
            if self.request.method == "POST":  # type: ignore[attr-defined]
                return "denied", 403
            return super().dispatch(*args, **kwargs)  # type: ignore[misc]

    class Guarded(DenyPosts, Echo):
        pass

    site.add_url_rule("/guarded/<name>", view_func=Guarded.as_view("guarded"))
    client = site.test_client()
    assert client.get("/guarded/a").text == "get"
    site.config["WTF_CSRF_ENABLED"] = False
    response = client.post("/guarded/b")
    assert (response.status_code, response.text) == (403, "denied")
    assert calls == ["mixin saw GET {'name': 'a'}", "mixin saw POST {'name': 'b'}"]


def test_setup_without_super_is_reported(site):
    class Broken(Echo):
        def setup(self, *args: t.Any, **kwargs: t.Any) -> None:
            pass

    site.add_url_rule("/broken", view_func=Broken.as_view("broken"))
    site.testing = True
    with pytest.raises(AttributeError, match=r"Broken instance has no 'request' attribute. Did you override setup"):
        site.test_client().get("/broken")


def test_unsupported_method_is_405_with_allow_options_and_head(site):
    site.add_url_rule("/echo", view_func=Echo.as_view("echo"))
    client = site.test_client()

    response = client.delete("/echo")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}

    response = client.options("/echo")
    assert response.status_code == 200
    assert response.headers["Allow"] == "GET, POST, HEAD, OPTIONS"
    assert response.data == b""

    response = client.head("/echo")
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["Content-Length"] == "3"  # the GET body's length


def test_dispatch_answers_405_for_a_method_without_handler(site):
    """http_method_not_allowed: a route that accepts more methods than the class handles."""

    class OnlyGet(View):
        methods = ["GET", "PUT"]

        def get(self) -> str:
            return "ok"

    site.add_url_rule("/only-get", view_func=OnlyGet.as_view("only_get"))
    site.config["WTF_CSRF_ENABLED"] = False
    response = site.test_client().put("/only-get")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_http_method_names_restricts_the_route(site):
    site.add_url_rule("/read-only", view_func=Echo.as_view("read_only", http_method_names=["get", "head", "options"]))
    site.config["WTF_CSRF_ENABLED"] = False
    client = site.test_client()
    assert client.get("/read-only").text == "get"
    assert client.post("/read-only").status_code == 405
    assert client.options("/read-only").headers["Allow"] == "GET, HEAD, OPTIONS"


def test_endpoint_names_are_derived_when_none_is_given(site):
    class PostDetailView(View):
        def get(self, pk: int) -> str:
            return url_for("post_detail", pk=pk)

    site.add_url_rule("/p/<int:pk>", view_func=PostDetailView.as_view())
    site.add_url_rule("/posts/", view_func=ListView.as_view(model=ViewsTestPost))
    site.add_url_rule("/about/", view_func=TemplateView.as_view(template_name="pages/about.html"))
    site.add_url_rule("/old/", view_func=RedirectView.as_view(url="/new/"))
    site.add_url_rule("/home/", view_func=RedirectView.as_view(pattern_name="blog.index"))
    assert {"post_detail", "views_test_post_list", "pages_about", "redirect_to_new", "redirect_to_blog_index"} <= set(
        site.view_functions
    )
    assert site.test_client().get("/p/7").text == "/p/7"


def test_views_register_on_a_blueprint(site):
    blog = Blueprint("blog", __name__)
    blog.add_url_rule("/", view_func=ListView.as_view(model=ViewsTestPost))
    blog.add_url_rule("/go", view_func=RedirectView.as_view(pattern_name=".views_test_post_list"))
    site.register_blueprint(blog, url_prefix="/blog")
    client = site.test_client()
    assert client.get("/blog/").status_code == 200
    response = client.get("/blog/go")
    assert (response.status_code, response.headers["Location"]) == (302, "/blog/")


def test_flask_decorators_wrap_the_view(site):
    def add_header(view: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        @functools.wraps(view)
        def wrapped(**kwargs: t.Any) -> t.Any:
            response = make_response(view(**kwargs))
            response.headers["X-Decorated"] = view.__name__
            return response

        return wrapped

    class Decorated(Echo):
        decorators = [add_header]

    site.add_url_rule("/decorated", view_func=Decorated.as_view("decorated"))
    site.add_url_rule("/kw-decorated", view_func=Echo.as_view("kw_decorated", decorators=[add_header]))
    client = site.test_client()
    assert client.get("/decorated").headers["X-Decorated"] == "decorated"
    assert client.get("/kw-decorated").headers["X-Decorated"] == "kw_decorated"
    assert site.view_functions["decorated"].view_class is Decorated


def test_template_view_context_has_view_url_arguments_and_extra_context(site, make):
    make.template("hello.html", "{{ name }} {{ view.__class__.__name__ }} {{ greeting }}")
    site.add_url_rule(
        "/hello/<name>",
        view_func=TemplateView.as_view(template_name="hello.html", extra_context={"greeting": "hi"}),
    )
    with rendered(site) as templates:
        response = site.test_client().get("/hello/ada")
    assert (response.status_code, response.text) == (200, "ada TemplateView hi")
    [(name, context)] = templates
    assert name == "hello.html"
    assert isinstance(context["view"], TemplateView)
    assert context["name"] == "ada"


def test_template_view_without_template_name_is_refused_at_as_view():
    with pytest.raises(ConfigurationError) as error:
        TemplateView.as_view()
    assert str(error.value) == (
        "TemplateView needs a template: set template_name (or override get_template_names()).\n"
        '  Hint: Write TemplateView.as_view(template_name="about.html").'
    )


def test_a_missing_template_is_an_error_naming_it(site):
    site.add_url_rule("/gone", view_func=TemplateView.as_view(template_name="nope.html"))
    with pytest.raises(TemplateNotFound, match=r"nope\.html"):
        site.test_client().get("/gone")


def test_content_type_and_render_to_response_kwargs(site, make):
    make.template("feed.xml", "<feed/>")

    class Feed(TemplateView):
        template_name = "feed.xml"
        content_type = "application/atom+xml"

        def get(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
            return self.render_to_response(self.get_context_data(), status=203)

    site.add_url_rule("/feed", view_func=Feed.as_view())
    response = site.test_client().get("/feed")
    assert response.status_code == 203
    assert response.headers["Content-Type"] == "application/atom+xml"
    assert response.text == "<feed/>"


def test_csrf_exempt_on_the_class(site):
    @csrf_exempt
    class Webhook(View):
        def post(self) -> str:
            return "received"

    site.add_url_rule("/hook", view_func=Webhook.as_view())
    site.add_url_rule("/echo", view_func=Echo.as_view("echo"))
    client = site.test_client()
    assert client.post("/hook").text == "received"
    assert client.post("/echo").status_code == 403

"""The onion: Django's call order with three middlewares, short-circuits, views and exceptions."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask import abort
from flask import request
from werkzeug.exceptions import NotFound

from flaskkit import create_app
from flaskkit.plugins.middleware import Middleware
from flaskkit.plugins.middleware import MiddlewareNotUsed

from .local import settings


def calls(app: Flask) -> list[str]:
    return app.extensions.setdefault("calls", [])


class Recording(Middleware):
    """Records every hook; the settings say which layer answers where."""

    def log(self, event: str) -> None:
        calls(self.app).append(f"{type(self).__name__}.{event}")

    def _answer(self, phase: str) -> str | None:
        if self.app.config.get(f"ANSWER_{phase}") == type(self).__name__:
            return f"{type(self).__name__} answered in {phase}"
        return None

    def process_request(self, request):
        self.log("req")
        return self._answer("REQUEST")

    def process_view(self, request, view_func, view_args):
        self.log("view")
        return self._answer("VIEW")

    def process_exception(self, request, exc):
        self.log(f"exc({type(exc).__name__})")
        answer = self._answer("EXCEPTION")
        return (answer, 418) if answer else None

    def process_response(self, request, response):
        self.log(f"resp({response.status_code})")
        response.headers.add("X-Layers", type(self).__name__)
        return response


class A(Recording):
    pass


class B(Recording):
    pass


class C(Recording):
    pass


def make_app(**values) -> Flask:
    app = create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=[A, B, C], **values), import_name="onion")

    @app.get("/")
    def index():
        calls(app).append("view")
        return "index"

    @app.get("/posts/<int:pk>")
    def post_detail(pk):
        calls(app).append(f"view(pk={pk})")
        return f"post {pk}"

    @app.get("/boom")
    def boom():
        calls(app).append("view")
        raise KeyError("boom")

    @app.get("/missing")
    def missing():
        calls(app).append("view")
        abort(404)

    return app


def test_request_phase_top_down_response_phase_bottom_up():
    app = make_app()
    response = app.test_client().get("/")
    assert response.status_code == 200
    assert response.text == "index"
    assert calls(app) == [
        "A.req",
        "B.req",
        "C.req",
        "A.view",
        "B.view",
        "C.view",
        "view",
        "C.resp(200)",
        "B.resp(200)",
        "A.resp(200)",
    ]
    assert response.headers.getlist("X-Layers") == ["C", "B", "A"]


def test_short_circuit_in_process_request_is_seen_only_by_the_layers_entered():
    app = make_app(ANSWER_REQUEST="B")
    response = app.test_client().get("/")
    assert response.text == "B answered in REQUEST"
    assert calls(app) == ["A.req", "B.req", "B.resp(200)", "A.resp(200)"]


def test_short_circuit_skips_before_request_functions_but_not_after_request_ones():
    app = make_app(ANSWER_REQUEST="A")
    app.before_request(lambda: calls(app).append("before_request"))

    @app.after_request
    def after(response):
        calls(app).append("after_request")
        return response

    app.test_client().get("/")
    assert calls(app) == ["A.req", "after_request", "A.resp(200)"]


def test_flask_hooks_sit_between_the_phases():
    app = make_app()
    app.before_request(lambda: calls(app).append("before_request"))

    @app.after_request
    def after(response):
        calls(app).append("after_request")
        return response

    app.test_client().get("/")
    assert calls(app) == [
        "A.req",
        "B.req",
        "C.req",
        "before_request",
        "A.view",
        "B.view",
        "C.view",
        "view",
        "after_request",
        "C.resp(200)",
        "B.resp(200)",
        "A.resp(200)",
    ]


def test_process_view_gets_the_real_view_function_and_the_url_arguments():
    seen = []

    class Inspect(Middleware):
        def process_view(self, request, view_func, view_args):
            seen.append((view_func, dict(view_args)))

    app = create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=[Inspect]))

    @app.get("/posts/<int:pk>")
    def post_detail(pk):
        return f"post {pk}"

    assert app.test_client().get("/posts/3").text == "post 3"
    assert seen == [(post_detail, {"pk": 3})]


def test_a_response_from_process_view_skips_the_view_and_the_inner_process_views():
    app = make_app(ANSWER_VIEW="B")
    response = app.test_client().get("/posts/3")
    assert response.text == "B answered in VIEW"
    assert calls(app) == [
        "A.req",
        "B.req",
        "C.req",
        "A.view",
        "B.view",
        "C.resp(200)",
        "B.resp(200)",
        "A.resp(200)",
    ]


def test_process_exception_runs_bottom_up_and_the_first_response_wins():
    app = make_app(ANSWER_EXCEPTION="B")
    response = app.test_client().get("/boom")
    assert response.status_code == 418
    assert response.text == "B answered in EXCEPTION"
    assert calls(app) == [
        "A.req",
        "B.req",
        "C.req",
        "A.view",
        "B.view",
        "C.view",
        "view",
        "C.exc(KeyError)",
        "B.exc(KeyError)",
        "C.resp(418)",
        "B.resp(418)",
        "A.resp(418)",
    ]


def test_without_an_answer_flasks_error_handler_applies_and_every_layer_sees_its_response():
    app = make_app()

    @app.errorhandler(KeyError)
    def key_error(exc):
        calls(app).append("errorhandler")
        return "handled", 409

    response = app.test_client().get("/boom")
    assert (response.status_code, response.text) == (409, "handled")
    assert calls(app) == [
        "A.req",
        "B.req",
        "C.req",
        "A.view",
        "B.view",
        "C.view",
        "view",
        "C.exc(KeyError)",
        "B.exc(KeyError)",
        "A.exc(KeyError)",
        "errorhandler",
        "C.resp(409)",
        "B.resp(409)",
        "A.resp(409)",
    ]


def test_abort_in_the_view_goes_through_process_exception():
    app = make_app()
    response = app.test_client().get("/missing")
    assert response.status_code == 404
    assert calls(app)[-6:] == [
        "C.exc(NotFound)",
        "B.exc(NotFound)",
        "A.exc(NotFound)",
        "C.resp(404)",
        "B.resp(404)",
        "A.resp(404)",
    ]


def test_a_url_that_matches_no_route_runs_no_view_hooks():
    app = make_app()
    response = app.test_client().get("/nowhere")
    assert response.status_code == 404
    assert calls(app) == ["A.req", "B.req", "C.req", "C.resp(404)", "B.resp(404)", "A.resp(404)"]


def test_an_unhandled_exception_gives_flasks_500_which_passes_the_entered_layers(caplog):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert calls(app)[-6:] == [
        "C.exc(KeyError)",
        "B.exc(KeyError)",
        "A.exc(KeyError)",
        "C.resp(500)",
        "B.resp(500)",
        "A.resp(500)",
    ]
    assert "Exception on /boom [GET]" in caplog.text


def test_an_unhandled_exception_propagates_in_tests_like_flasks():
    app = make_app(TESTING=True)
    with pytest.raises(KeyError, match="boom"):
        app.test_client().get("/boom")


def test_an_exception_in_process_request_skips_that_layers_process_response():
    class Refuses(Recording):
        def process_request(self, request):
            self.log("req")
            abort(403)

    app = create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=[A, Refuses, C]))
    app.get("/")(lambda: "never")
    response = app.test_client().get("/")
    assert response.status_code == 403
    assert calls(app) == ["A.req", "Refuses.req", "A.resp(403)"]


def test_an_exception_in_process_response_becomes_the_response_of_the_outer_layers():
    class Breaks(Recording):
        def process_response(self, request, response):
            self.log("resp")
            raise NotFound()

    app = create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=[A, Breaks, C]))
    app.get("/")(lambda: "hello")
    response = app.test_client().get("/")
    assert response.status_code == 404
    assert calls(app) == [
        "A.req",
        "Breaks.req",
        "C.req",
        "A.view",
        "Breaks.view",
        "C.view",
        "C.resp(200)",
        "Breaks.resp",
        "A.resp(404)",
    ]


def test_process_response_must_return_the_response():
    class Forgets(Middleware):
        def process_response(self, request, response):
            response.headers["X-Seen"] = "1"

    app = create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=[Forgets], TESTING=True))
    app.get("/")(lambda: "hello")
    with pytest.raises(TypeError) as info:
        app.test_client().get("/")
    assert str(info.value) == (
        "The layer 'tests.plugins.middleware.test_order:"
        "test_process_response_must_return_the_response.<locals>.Forgets' returned None from its response hook "
        "(process_response of a MIDDLEWARE class); it must return the response."
    )


def test_a_hook_may_return_anything_a_view_may_return():
    class Json(Middleware):
        def process_request(self, request):
            if request.path == "/api":
                return {"ok": True}, 202

        def process_response(self, request, response):
            return ("replaced", 201) if request.path == "/replace" else response

    app = create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=[Json]))
    app.get("/replace")(lambda: "original")
    api = app.test_client().get("/api")
    assert (api.status_code, api.json) == (202, {"ok": True})
    replaced = app.test_client().get("/replace")
    assert (replaced.status_code, replaced.text) == (201, "replaced")


def test_a_layer_with_only_some_hooks_is_entered_for_the_response():
    class OnlyResponse(Recording):
        process_request = None  # type: ignore[assignment]
        process_view = None  # type: ignore[assignment]
        process_exception = None  # type: ignore[assignment]

    app = create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=[OnlyResponse, B], ANSWER_REQUEST="B"))
    app.get("/")(lambda: "hello")
    app.test_client().get("/")
    assert calls(app) == ["B.req", "B.resp(200)", "OnlyResponse.resp(200)"]


def test_middleware_not_used_leaves_the_layer_out():
    class Disabled(Recording):
        def __init__(self, app):
            super().__init__(app)
            raise MiddlewareNotUsed("FEATURE_X is off")

    app = create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=[A, Disabled]))
    app.get("/")(lambda: "hello")
    app.test_client().get("/")
    assert "Disabled" not in " ".join(calls(app))
    assert calls(app) == ["A.req", "A.view", "A.resp(200)"]


def test_each_instance_is_created_once_per_app_with_the_app():
    created = []

    class Counted(Middleware):
        def __init__(self, app):
            super().__init__(app)
            created.append(app.name)

        def process_request(self, request):
            return None

    one = create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=[Counted]), import_name="one")
    two = create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=[Counted]), import_name="two")
    for app in (one, two):
        app.get("/")(lambda: "hello")
        app.test_client().get("/")
        app.test_client().get("/")
    assert created == ["one", "two"]


def test_a_class_without_init_arguments_is_created_without_the_app():
    class Plain:
        def process_response(self, request, response):
            response.headers["X-Plain"] = "yes"
            return response

    app = create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=[Plain]))
    app.get("/")(lambda: "hello")
    assert app.test_client().get("/").headers["X-Plain"] == "yes"


def test_two_apps_in_one_process_keep_their_own_onion():
    one = create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=[A]), import_name="one")
    two = create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=[B, C]), import_name="two")
    plain = Flask("plain")
    for app in (one, two, plain):
        app.get("/")(lambda: "hello")
        app.test_client().get("/")
    assert calls(one) == ["A.req", "A.view", "A.resp(200)"]
    assert calls(two) == ["B.req", "C.req", "B.view", "C.view", "C.resp(200)", "B.resp(200)"]
    assert "calls" not in plain.extensions


def test_an_empty_middleware_installs_nothing_on_the_request_path():
    app = create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=[]))
    for method in ("preprocess_request", "dispatch_request", "finalize_request", "full_dispatch_request"):
        assert method not in vars(app), method
    plain = create_app(settings())
    assert "preprocess_request" not in vars(plain)


def test_only_the_steps_a_stack_needs_are_wrapped():
    class OnlyView(Middleware):
        def process_view(self, request, view_func, view_args):
            return None

    app = create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=[OnlyView]))
    assert "dispatch_request" in vars(app)
    assert "preprocess_request" not in vars(app)
    assert "finalize_request" not in vars(app)


def test_the_request_object_is_the_real_one():
    seen = []

    class Identity(Middleware):
        def process_request(self, req):
            seen.append(req is request._get_current_object())

    app = create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=[Identity]))
    app.get("/")(lambda: "hello")
    app.test_client().get("/")
    assert seen == [True]


def test_automatic_options_runs_no_view_hooks():
    app = make_app()
    response = app.test_client().options("/")
    assert response.status_code == 200
    assert calls(app) == ["A.req", "B.req", "C.req", "C.resp(200)", "B.resp(200)", "A.resp(200)"]

"""The kit's request pipeline: layers from plugins, their order, the phases, conflicts, and no patched app methods."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import flask
import pytest
from flask import Flask

from flaskkit import ConfigurationError
from flaskkit import Plugin
from flaskkit import create_app
from flaskkit.pipeline import Layer
from flaskkit.pipeline import order_layers
from tests.conftest import settings

ROOT = Path(__file__).resolve().parents[2]


def layer(name: str, **kwargs: object) -> Layer:
    made = Layer(name, **kwargs)  # type: ignore[arg-type]
    made.origin = made.origin or f"test {name!r}"
    return made


def names(layers: list[Layer]) -> list[str]:
    return [item.name for item in layers]


# -- ordering ----------------------------------------------------------------------------


def test_without_constraints_layers_keep_the_order_they_were_added_in():
    assert names(order_layers([layer("a"), layer("b"), layer("c")])) == ["a", "b", "c"]


def test_over_and_under_move_a_layer():
    ordered = order_layers([layer("a"), layer("b"), layer("c", over="a"), layer("d", under="c", over="a")])
    # b has no constraint and was added before c: it stays first; a waits for c and d
    assert names(ordered) == ["b", "c", "d", "a"]


def test_a_group_name_stands_for_every_member():
    ordered = order_layers(
        [
            layer("tx", under="MIDDLEWARE"),
            layer("m1", group="MIDDLEWARE"),
            layer("m2", group="MIDDLEWARE", under="m1"),
            layer("outer", over="MIDDLEWARE"),
        ]
    )
    assert names(ordered) == ["outer", "m1", "m2", "tx"]


def test_a_chain_keeps_its_order_when_another_layer_pulls_on_one_member():
    # m2 is ready before m1 (m1 waits for p), but the chain keeps m1 outside m2.
    ordered = order_layers([layer("m1", group="M"), layer("m2", group="M", under="m1"), layer("p", over="m1")])
    assert names(ordered) == ["p", "m1", "m2"]


def test_a_name_of_a_plugin_the_app_does_not_enable_is_ignored():
    assert names(order_layers([layer("a", under="cache.page")], plugin_names=["orm"])) == ["a"]


def test_an_unknown_layer_of_an_enabled_plugin_is_an_error_with_a_suggestion():
    with pytest.raises(ConfigurationError) as error:
        order_layers([layer("orm.atomic"), layer("timing.clock", over="orm.atomc")], plugin_names=["orm", "timing"])
    assert str(error.value) == (
        "The layer 'timing.clock' (from test 'timing.clock') is declared over 'orm.atomc', but the plugin 'orm' has "
        "no such layer. Did you mean 'orm.atomic'?\n"
        "  Hint: Name an existing layer or group (flask kit middleware lists them)."
    )


def test_two_layers_with_one_name_are_an_error_naming_both_origins():
    with pytest.raises(ConfigurationError) as error:
        order_layers([layer("x", origin="plugin 'one'"), layer("x", origin="plugin 'two'")])
    assert str(error.value).startswith(
        "Two layers of the request pipeline are named 'x': one from plugin 'one', one from plugin 'two'."
    )


def test_a_conflict_names_both_sides_and_where_each_was_declared():
    with pytest.raises(ConfigurationError) as error:
        order_layers(
            [
                layer("orm.atomic", under="MIDDLEWARE", origin="plugin 'orm'"),
                layer("myapp:Timing", group="MIDDLEWARE", origin="MIDDLEWARE[0]"),
                layer("audit.log", under="orm.atomic", over="myapp:Timing", origin="plugin 'audit'"),
            ]
        )
    message = str(error.value)
    assert message.startswith("The request pipeline cannot be ordered: its layers' positions contradict each other (")
    assert (
        "'myapp:Timing' must be outside 'orm.atomic': 'orm.atomic' (from plugin 'orm') is declared under 'MIDDLEWARE'"
        in message
    )
    assert "'orm.atomic' must be outside 'audit.log': 'audit.log' (from plugin 'audit') is declared under 'orm.atomic'"
    assert "'audit.log' must be outside 'myapp:Timing': 'audit.log' (from plugin 'audit') is declared over" in message
    assert message.endswith("Hint: Change one of these over/under declarations, or the order of MIDDLEWARE.")


# -- a third-party plugin adds a layer, through the same door as the built-in ones --------


class TimingPlugin(Plugin):
    """What a third-party plugin writes: a layer with a request and a response hook."""

    def layers(self, app: Flask):
        def start(request):
            request.timing_started = True

        def stamp(request, response):
            response.headers["X-Timed"] = "yes" if getattr(request, "timing_started", False) else "no"
            return response

        yield Layer("timing.clock", request=start, response=stamp, over="MIDDLEWARE", description="Server timing")


def test_a_third_party_layer_runs_and_is_listed_with_its_origin():
    app = create_app(
        settings(
            PLUGINS=["middleware", TimingPlugin],
            MIDDLEWARE=["flaskkit.plugins.middleware:XFrameOptionsMiddleware"],
            ALLOWED_HOSTS=["localhost"],
        ),
        import_name="shop",
    )
    app.add_url_rule("/", view_func=lambda: "hi")
    response = app.test_client().get("/")
    assert response.headers["X-Timed"] == "yes"
    assert response.headers["X-Frame-Options"] == "DENY"
    output = app.test_cli_runner().invoke(args=["kit", "middleware"]).output.splitlines()
    assert output[2].split() == [
        "1",
        "timing.clock",
        "=",
        "Server",
        "timing",
        "request,",
        "response",
        "plugin",
        "'timing'",
        "(over",
        "MIDDLEWARE)",
    ]
    assert output[3].split()[:2] == ["2", "flaskkit.plugins.middleware:XFrameOptionsMiddleware"]


# -- the phases ----------------------------------------------------------------------------


def recorder_plugin(calls: list[str], **answers: str):
    """A plugin with two layers, outer and inner, recording every hook."""

    class Recorder(Plugin):
        name = "recorder"

        def layers(self, app):
            for label in ("outer", "inner"):
                yield Layer(
                    f"recorder.{label}",
                    request=self._request(label),
                    view=self._view(label),
                    wrap_view=self._wrap(label),
                    exception=self._exception(label),
                    response=self._response(label),
                )

        def _request(self, label):
            def hook(request):
                calls.append(f"{label}.request")
                if answers.get("request") == label:
                    return f"{label} answered"
                return None

            return hook

        def _view(self, label):
            def hook(request, view_func, view_args):
                calls.append(f"{label}.view({view_func.__name__}, {view_args})")
                if answers.get("view") == label:
                    return f"{label} answered the view"
                return None

            return hook

        def _wrap(self, label):
            def hook(call_view):
                calls.append(f"{label}.wrap>")
                try:
                    return call_view()
                finally:
                    calls.append(f"<{label}.wrap")

            return hook

        def _exception(self, label):
            def hook(request, exc):
                calls.append(f"{label}.exception({exc})")
                if answers.get("exception") == label:
                    return f"{label} handled {exc}", 418
                return None

            return hook

        def _response(self, label):
            def hook(request, response):
                calls.append(f"{label}.response({response.status_code})")
                return response

            return hook

    return Recorder


def make_recording_app(calls: list[str], **answers: str) -> Flask:
    app = create_app(settings(PLUGINS=[recorder_plugin(calls, **answers)]), import_name="recording")

    @app.route("/items/<int:pk>")
    def item(pk: int) -> str:
        calls.append("view")
        if pk == 0:
            raise ValueError("zero")
        return "ok"

    @app.before_request
    def before() -> None:
        calls.append("before_request")

    @app.after_request
    def after(response):
        calls.append("after_request")
        return response

    return app


def test_every_phase_in_order():
    calls: list[str] = []
    response = make_recording_app(calls).test_client().get("/items/3")
    assert response.text == "ok"
    assert calls == [
        "outer.request",
        "inner.request",
        "before_request",
        "outer.view(item, {'pk': 3})",
        "inner.view(item, {'pk': 3})",
        "outer.wrap>",
        "inner.wrap>",
        "view",
        "<inner.wrap",
        "<outer.wrap",
        "after_request",
        "inner.response(200)",
        "outer.response(200)",
    ]


def test_a_request_hook_answer_is_seen_only_by_the_layers_entered():
    calls: list[str] = []
    response = make_recording_app(calls, request="outer").test_client().get("/items/3")
    assert response.text == "outer answered"
    assert calls == ["outer.request", "after_request", "outer.response(200)"]


def test_a_view_hook_answer_skips_the_view_and_the_wrappers():
    calls: list[str] = []
    response = make_recording_app(calls, view="outer").test_client().get("/items/3")
    assert response.text == "outer answered the view"
    assert "view" not in calls and "outer.wrap>" not in calls
    assert calls[-2:] == ["inner.response(200)", "outer.response(200)"]


def test_an_exception_goes_to_the_exception_hooks_innermost_first_after_the_wrappers_ended():
    calls: list[str] = []
    response = make_recording_app(calls, exception="outer").test_client().get("/items/0")
    assert (response.status_code, response.text) == (418, "outer handled zero")
    assert calls[calls.index("view") :] == [
        "view",
        "<inner.wrap",
        "<outer.wrap",
        "inner.exception(zero)",
        "outer.exception(zero)",
        "after_request",
        "inner.response(418)",
        "outer.response(418)",
    ]


def test_the_500_page_of_an_unhandled_exception_passes_the_entered_layers():
    calls: list[str] = []
    app = make_recording_app(calls)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/items/0")
    assert response.status_code == 500
    assert calls[-3:] == ["after_request", "inner.response(500)", "outer.response(500)"]


def test_a_routing_error_runs_no_view_hook():
    calls: list[str] = []
    response = make_recording_app(calls).test_client().get("/nowhere")
    assert response.status_code == 404
    assert calls == [
        "outer.request",
        "inner.request",
        "before_request",
        "after_request",
        "inner.response(404)",
        "outer.response(404)",
    ]


# -- what the kit installs -----------------------------------------------------------------


def test_an_app_without_layers_gets_nothing_on_its_request_path():
    app = create_app(settings(PLUGINS=[]))
    assert not app.before_request_funcs and not app.after_request_funcs
    assert "dispatch_request" not in vars(app) and "wsgi_app" not in vars(app)


def test_an_empty_middleware_leaves_only_the_host_check_in_front_of_flask():
    from flaskkit.plugins.middleware import HostCheck

    app = create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=[]))
    assert not app.before_request_funcs and not app.after_request_funcs
    assert "dispatch_request" not in vars(app)
    assert isinstance(app.wsgi_app, HostCheck) and app.wsgi_app.wsgi_app == Flask.wsgi_app.__get__(app)
    # No signal receiver of the plugin runs on each request either.
    receivers = [receiver for receiver in flask.request_started.receivers_for(app)]
    assert not [receiver for receiver in receivers if "hosts" in getattr(receiver, "__module__", "")]


def test_request_and_response_layers_use_flasks_hooks_and_the_view_phase_one_wrapper():
    only_responses = create_app(settings(PLUGINS=["middleware"]))  # the default MIDDLEWARE: response hooks only
    assert "dispatch_request" not in vars(only_responses)
    assert len(only_responses.before_request_funcs[None]) == 1 and len(only_responses.after_request_funcs[None]) == 1
    calls: list[str] = []
    with_view_hooks = make_recording_app(calls)
    assert "dispatch_request" in vars(with_view_hooks)  # the kit's one wrapper


def test_the_kits_hooks_come_before_those_plugins_register():
    class Hooked(Plugin):
        def init_app(self, app):
            app.before_request(lambda: flask.g.setdefault("order", []).append("plugin"))

    seen: list[list[str]] = []

    class Outer(Plugin):
        def layers(self, app):
            def request_hook(request):
                flask.g.setdefault("order", []).append("layer")

            def response_hook(request, response):
                seen.append(list(flask.g.order))
                return response

            yield Layer("outer.first", request=request_hook, response=response_hook)

    app = create_app(settings(PLUGINS=[Hooked, Outer]))
    app.add_url_rule("/", view_func=lambda: "ok")
    app.test_client().get("/")
    assert seen == [["layer", "plugin"]]


def test_a_layer_must_be_a_layer_with_callable_hooks():
    class Wrong(Plugin):
        def layers(self, app):
            return ["not a layer"]

    with pytest.raises(ConfigurationError, match=r"returned 'not a layer' from layers\(\); it must return"):
        create_app(settings(PLUGINS=[Wrong]))

    class NotCallable(Plugin):
        def layers(self, app):
            yield Layer("not_callable.x", response="nope")  # type: ignore[arg-type]

    with pytest.raises(ConfigurationError, match=r"has response='nope', which is not callable"):
        create_app(settings(PLUGINS=[NotCallable]))


def test_a_request_hook_added_after_the_layers_phase_is_refused():
    class Late(Plugin):
        def layers(self, app):
            self.layer = Layer("late.x", view=lambda request, view_func, view_args: None)
            yield self.layer

        def ready(self, app):
            self.layer.request = lambda request: None

    with pytest.raises(ConfigurationError, match=r"got a request or response hook after the layers phase"):
        create_app(settings(PLUGINS=[Late]))


FLASK_METHODS = {
    name for name, value in inspect.getmembers(Flask) if inspect.isfunction(value) and not name.startswith("__")
}


def _is_app(node: ast.expr) -> bool:
    """``app`` or ``self.app`` / ``something.app``: what names the Flask app in the plugins' code."""
    return (isinstance(node, ast.Name) and node.id == "app") or (isinstance(node, ast.Attribute) and node.attr == "app")


def test_no_plugin_assigns_to_a_method_of_the_app():
    """The rule, checked on the source: ``app.<method> = ...`` appears in no built-in plugin."""
    offenders = []
    for path in sorted((ROOT / "plugins").rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr in FLASK_METHODS and _is_app(target.value):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} assigns .{target.attr}")
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", None) == "setattr"
                    and len(node.args) >= 2
                    and _is_app(node.args[0])
                    and isinstance(node.args[1], ast.Constant)
                    and node.args[1].value in FLASK_METHODS
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} setattr {node.args[1].value}")
    assert offenders == []


def test_every_built_in_plugin_boots_with_no_method_of_the_app_replaced_but_the_kits_own():
    app = create_app(
        settings(
            PLUGINS=["orm", "session", "cache", "forms", "middleware", "signals", "auth", "views"],
            ATOMIC_REQUESTS=True,
            PROXY_FIX={"x_for": 1},
        )
    )
    replaced = sorted(name for name in vars(app) if name in FLASK_METHODS)
    assert replaced == ["dispatch_request", "wsgi_app"]  # the view phase's one wrapper; ProxyFix, Flask's way


def test_a_response_hook_failing_on_the_500_page_is_logged_and_the_outer_layers_still_run(caplog):
    seen: list[str] = []

    class Fragile(Plugin):
        def layers(self, app):
            def outer(request, response):
                seen.append(f"outer saw {response.status_code}")
                return response

            def inner(request, response):
                raise RuntimeError("inner broke")

            yield Layer("fragile.outer", response=outer)
            yield Layer("fragile.inner", response=inner)

    app = create_app(settings(PLUGINS=[Fragile]))
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/")
    def boom() -> str:
        raise ValueError("view broke")

    response = app.test_client().get("/")
    assert response.status_code == 500
    assert seen == ["outer saw 500"]
    assert "The layer fragile.inner failed in its response hook while handling an error" in caplog.text

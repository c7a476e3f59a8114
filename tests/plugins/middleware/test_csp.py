"""ContentSecurityPolicyMiddleware: Django 6.0's CSP (settings, constants, lazy nonce, per-view overrides).

The build_policy, LazyNonce and middleware cases are ported from Django's tests
(``tests/utils_tests/test_csp.py``, ``tests/middleware/test_csp.py``)."""

from __future__ import annotations

import re
import typing as t

import pytest
from flask import Flask
from flask import make_response
from flask import render_template_string
from flask.views import MethodView

from flaskkit import ConfigurationError
from flaskkit import create_app
from flaskkit import get_kit
from flaskkit.plugins.middleware import CSP
from flaskkit.plugins.middleware import LazyNonce
from flaskkit.plugins.middleware import csp_override
from flaskkit.plugins.middleware import csp_report_only_override
from flaskkit.plugins.middleware import get_nonce
from flaskkit.plugins.middleware.csp import build_policy
from tests.conftest import settings

HEADER = "Content-Security-Policy"
HEADER_REPORT_ONLY = "Content-Security-Policy-Report-Only"
CSP_MIDDLEWARE = "flaskkit.plugins.middleware:ContentSecurityPolicyMiddleware"

basic_config = {"default-src": [CSP.SELF]}
alt_config = {"default-src": [CSP.SELF, CSP.UNSAFE_INLINE]}
basic_policy = "default-src 'self'"
override_config = {"default-src": [CSP.SELF], "img-src": [CSP.SELF, "data:"]}
override_policy = "default-src 'self'; img-src 'self' data:"
nonce_config = {"default-src": [CSP.SELF], "script-src": [CSP.SELF, CSP.NONCE]}


def assert_policy_equal(a: str, b: str) -> None:
    assert sorted(a.split("; ")) == sorted(b.split("; ")), f"Policies not equal: {a!r} != {b!r}"


# -- constants and build_policy (Django's CSPConstantsTests, CSPBuildPolicyTest) ------------------------


def test_constants():
    assert CSP.NONE == "'none'"
    assert CSP.REPORT_SAMPLE == "'report-sample'"
    assert CSP.SELF == "'self'"
    assert CSP.STRICT_DYNAMIC == "'strict-dynamic'"
    assert CSP.UNSAFE_EVAL == "'unsafe-eval'"
    assert CSP.UNSAFE_HASHES == "'unsafe-hashes'"
    assert CSP.UNSAFE_INLINE == "'unsafe-inline'"
    assert CSP.WASM_UNSAFE_EVAL == "'wasm-unsafe-eval'"
    assert CSP.NONCE == "<CSP_NONCE_SENTINEL>"
    assert CSP.HEADER_ENFORCE == HEADER
    assert CSP.HEADER_REPORT_ONLY == HEADER_REPORT_ONLY


@pytest.mark.parametrize(
    ("config", "nonce", "expected"),
    [
        ({}, None, ""),  # test_config_empty
        (basic_config, None, basic_policy),
        ({"default-src": [CSP.SELF], "script-src": [CSP.NONE]}, None, "default-src 'self'; script-src 'none'"),
        ({"default-src": CSP.SELF}, None, "default-src 'self'"),  # a single value as a string
        ({"default-src": (CSP.SELF, "foo.com")}, None, "default-src 'self' foo.com"),  # a tuple
        ({"default-src": {CSP.SELF, "foo.com", "bar.com"}}, None, "default-src 'self' bar.com foo.com"),  # sorted
        ({"default-src": [CSP.SELF], "script-src": None}, None, basic_policy),  # None leaves it out
        (
            {"default-src": [CSP.SELF], "block-all-mixed-content": True},
            None,
            "default-src 'self'; block-all-mixed-content",
        ),
        ({"default-src": [CSP.SELF], "block-all-mixed-content": False}, None, basic_policy),
        (
            {"default-src": [CSP.SELF], "block-all-mixed-content": True, "upgrade-insecure-requests": True},
            None,
            "default-src 'self'; block-all-mixed-content; upgrade-insecure-requests",
        ),
        (basic_config, "abc123", basic_policy),  # test_config_with_nonce_arg: no placeholder, no effect
        ({"default-src": [CSP.SELF, CSP.NONCE]}, "abc123", "default-src 'self' 'nonce-abc123'"),
        (
            {"default-src": [CSP.SELF, CSP.NONCE], "script-src": [CSP.SELF, CSP.NONCE]},
            "abc123",
            "default-src 'self' 'nonce-abc123'; script-src 'self' 'nonce-abc123'",
        ),
        ({"default-src": [CSP.SELF, CSP.NONCE]}, None, basic_policy),  # no nonce: the placeholder is dropped
        ({"script-src": [CSP.NONCE]}, None, ""),
        ({"default-src": []}, None, ""),  # test_config_with_empty_directive
    ],
)
def test_build_policy(config, nonce, expected):
    assert_policy_equal(build_policy(config, nonce), expected)


# -- LazyNonce (Django's LazyNonceTests) ---------------------------------------------------------------------


def test_the_nonce_is_generated_on_usage():
    nonce = LazyNonce()
    assert not nonce
    assert repr(nonce) == "<LazyNonce (not generated)>"
    value = str(nonce)  # as a template renders it
    assert nonce
    assert nonce == value
    assert len(value) == 22  # secrets.token_urlsafe(16)
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", value)
    assert str(nonce) == value == nonce.__html__()
    assert LazyNonce() != LazyNonce()


def test_jinja_renders_the_nonce_and_if_is_false_until_then(make):
    app = make()
    with app.test_request_context():
        nonce = LazyNonce()
        assert render_template_string("{% if n %}yes{% else %}no{% endif %}", n=nonce) == "no"
        assert render_template_string('<script nonce="{{ n }}">', n=nonce) == f'<script nonce="{nonce.value}">'
        assert render_template_string("{% if n %}yes{% endif %}", n=nonce) == "yes"


# -- the apps ------------------------------------------------------------------------------------------------------


@pytest.fixture
def make(tmp_path) -> t.Callable[..., Flask]:
    """``make(**settings)``: an app with the CSP middleware (after SecurityMiddleware) and the test views."""
    counter = iter(range(100))

    def factory(**values: t.Any) -> Flask:
        values.setdefault("PLUGINS", ["middleware"])
        values.setdefault("ALLOWED_HOSTS", ["localhost"])  # the test client's host
        values.setdefault("MIDDLEWARE", ["flaskkit.plugins.middleware:SecurityMiddleware", CSP_MIDDLEWARE])
        app = create_app(settings(**values), instance_path=str(tmp_path / f"instance{next(counter)}"))
        add_views(app)
        return app

    return factory


def add_views(app: Flask) -> None:
    @app.get("/csp-base/")
    def base() -> str:
        return "base"

    @app.get("/csp-nonce/")
    def nonce() -> str:
        return render_template_string("{{ csp_nonce }}")

    @app.get("/csp-nonce-unused/")
    def nonce_unused() -> str:
        return render_template_string("{% if csp_nonce %}used{% else %}unused{% endif %}")

    @app.get("/own-header/")
    def own_header() -> t.Any:
        response = make_response("mine")
        response.headers[HEADER] = "default-src 'none'"
        return response

    @app.get("/csp-disabled/")
    @csp_override({})
    @csp_report_only_override({})
    def disabled() -> str:
        return "disabled"

    @app.get("/csp-disabled-enforced/")
    @csp_override({})
    def disabled_enforced() -> str:
        return "disabled enforced"

    @app.get("/csp-disabled-report-only/")
    @csp_report_only_override({})
    def disabled_report_only() -> str:
        return "disabled report-only"

    @app.get("/override-csp-enforced/")
    @csp_override(override_config)
    def override_enforced() -> str:
        return "override enforced"

    @app.get("/override-csp-report-only/")
    @csp_report_only_override(override_config)
    def override_report_only() -> str:
        return "override report-only"

    @app.get("/override-csp-both/")
    @csp_override(override_config)
    @csp_report_only_override(override_config)
    def override_both() -> str:
        return "override both"

    @app.get("/override-with-nonce/")
    @csp_override({"script-src": [CSP.NONCE]})
    def override_with_nonce() -> str:
        return render_template_string("{{ csp_nonce }}")

    @csp_override(override_config)
    class Overridden(MethodView):
        def get(self) -> str:
            return "class"

    app.add_url_rule("/class-override/", view_func=Overridden.as_view("class_override"))


# -- the middleware (Django's CSPMiddlewareTest) ---------------------------------------------------------------


def test_csp_defaults_off(make):
    response = make().test_client().get("/csp-base/")
    assert HEADER not in response.headers
    assert HEADER_REPORT_ONLY not in response.headers


def test_csp_basic(make):
    response = make(SECURE_CSP=basic_config).test_client().get("/csp-base/")
    assert response.headers[HEADER] == basic_policy
    assert HEADER_REPORT_ONLY not in response.headers


def test_csp_basic_with_nonce(make):
    """The nonce is in the header and is the one the template rendered; a fresh one per response."""
    client = make(SECURE_CSP=nonce_config).test_client()
    nonces = set()
    for _ in range(3):
        response = client.get("/csp-nonce/")
        nonce = response.text
        assert len(nonce) == 22
        assert response.headers[HEADER] == f"default-src 'self'; script-src 'self' 'nonce-{nonce}'"
        nonces.add(nonce)
    assert len(nonces) == 3


def test_csp_basic_with_nonce_but_unused(make):
    """A nonce that no template read is neither made nor put in the header."""
    client = make(SECURE_CSP=nonce_config).test_client()
    for path in ("/csp-base/", "/csp-nonce-unused/"):
        response = client.get(path)
        assert response.headers[HEADER] == "default-src 'self'; script-src 'self'"
    assert client.get("/csp-nonce-unused/").text == "unused"


def test_csp_report_only_basic(make):
    response = make(SECURE_CSP_REPORT_ONLY=basic_config).test_client().get("/csp-base/")
    assert response.headers[HEADER_REPORT_ONLY] == basic_policy
    assert HEADER not in response.headers


def test_csp_both(make):
    response = make(SECURE_CSP=basic_config, SECURE_CSP_REPORT_ONLY=basic_config).test_client().get("/csp-base/")
    assert response.headers[HEADER] == basic_policy
    assert response.headers[HEADER_REPORT_ONLY] == basic_policy


def test_one_nonce_in_both_headers(make):
    client = make(SECURE_CSP=nonce_config, SECURE_CSP_REPORT_ONLY={"script-src": [CSP.NONCE]}).test_client()
    response = client.get("/csp-nonce/")
    assert f"'nonce-{response.text}'" in response.headers[HEADER]
    assert response.headers[HEADER_REPORT_ONLY] == f"script-src 'nonce-{response.text}'"


def test_a_header_the_view_set_wins(make):
    response = make(SECURE_CSP=basic_config).test_client().get("/own-header/")
    assert response.headers.getlist(HEADER) == ["default-src 'none'"]


def test_a_response_with_a_nonce_is_private(make):
    """A nonce seen by several users is no nonce: shared caches must not keep the response."""
    client = make(SECURE_CSP=nonce_config).test_client()
    assert client.get("/csp-nonce/").headers["Cache-Control"] == "private"
    assert "Cache-Control" not in client.get("/csp-base/").headers
    # A nonce the header does not carry (no placeholder in the policy) changes nothing.
    other = make(SECURE_CSP=basic_config).test_client()
    assert "Cache-Control" not in other.get("/csp-nonce/").headers


def test_error_pages_get_the_policy_too(make):
    client = make(SECURE_CSP=basic_config).test_client()
    assert client.get("/no-such-page/").headers[HEADER] == basic_policy
    assert client.post("/csp-base/").headers[HEADER] == basic_policy  # 405


def test_without_the_middleware_nothing_is_sent_and_csp_nonce_is_none(make):
    app = make(SECURE_CSP=nonce_config, MIDDLEWARE=["flaskkit.plugins.middleware:SecurityMiddleware"])
    response = app.test_client().get("/csp-nonce/")
    assert HEADER not in response.headers
    assert response.text == "None"
    with app.test_request_context():
        assert get_nonce() is None
    assert get_nonce() is None  # outside a request


# -- per-view overrides (Django's CSPMiddlewareWithDecoratedViewsTest) -----------------------------------------------


@pytest.fixture
def decorated(make) -> t.Any:
    return make(SECURE_CSP=basic_config, SECURE_CSP_REPORT_ONLY=basic_config).test_client()


def test_no_decorators(decorated):
    response = decorated.get("/csp-base/")
    assert response.headers[HEADER] == basic_policy
    assert response.headers[HEADER_REPORT_ONLY] == basic_policy


def test_csp_disabled_both(decorated):
    response = decorated.get("/csp-disabled/")
    assert HEADER not in response.headers
    assert HEADER_REPORT_ONLY not in response.headers


def test_csp_disabled_enforced(decorated):
    response = decorated.get("/csp-disabled-enforced/")
    assert HEADER not in response.headers
    assert response.headers[HEADER_REPORT_ONLY] == basic_policy


def test_csp_disabled_report_only(decorated):
    response = decorated.get("/csp-disabled-report-only/")
    assert HEADER_REPORT_ONLY not in response.headers
    assert response.headers[HEADER] == basic_policy


def test_csp_override_enforced_decorator(decorated):
    response = decorated.get("/override-csp-enforced/")
    assert response.headers[HEADER] == override_policy
    assert response.headers[HEADER_REPORT_ONLY] == basic_policy


def test_csp_override_report_only_decorator(decorated):
    response = decorated.get("/override-csp-report-only/")
    assert response.headers[HEADER_REPORT_ONLY] == override_policy
    assert response.headers[HEADER] == basic_policy


def test_csp_override_both_decorator(decorated):
    response = decorated.get("/override-csp-both/")
    assert response.headers[HEADER] == override_policy
    assert response.headers[HEADER_REPORT_ONLY] == override_policy


def test_an_override_may_use_the_nonce(decorated):
    response = decorated.get("/override-with-nonce/")
    assert response.headers[HEADER] == f"script-src 'nonce-{response.text}'"


def test_overrides_on_flask_view_classes(decorated):
    response = decorated.get("/class-override/")
    assert response.headers[HEADER] == override_policy
    assert response.headers[HEADER_REPORT_ONLY] == basic_policy


def test_overrides_on_flaskkit_class_based_views(make):
    from flaskkit.plugins.views import View
    from flaskkit.plugins.views import method_decorator

    app = make(PLUGINS=["orm", "forms", "middleware", "views"], SECURE_CSP=basic_config)

    @csp_override(override_config)
    class Embed(View):
        def get(self) -> str:
            return "embed"

    class Child(Embed):  # the override is inherited
        pass

    @method_decorator(csp_override({}), name="dispatch")
    class Legacy(View):
        def get(self) -> str:
            return "legacy"

    app.add_url_rule("/embed/", view_func=Embed.as_view("embed"))
    app.add_url_rule("/child/", view_func=Child.as_view("child"))
    app.add_url_rule("/legacy/", view_func=Legacy.as_view("legacy"))
    client = app.test_client()
    assert client.get("/embed/").headers[HEADER] == override_policy
    assert client.get("/child/").headers[HEADER] == override_policy
    response = client.get("/legacy/")
    assert (response.text, HEADER in response.headers) == ("legacy", False)


def test_an_override_must_be_a_mapping():
    with pytest.raises(TypeError, match=r"CSP config should be a mapping\."):
        csp_override([CSP.SELF])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"CSP config should be a mapping\."):
        csp_report_only_override(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"contains 'self' without quotes"):
        csp_override({"default-src": ["self"]})


# -- settings and checks ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"SECURE_CSP": "default-src 'self'"},
            "SECURE_CSP must be a dict of CSP directives (got str \"default-src 'self'\" instead).\n"
            '  Hint: Write SECURE_CSP = {"default-src": [CSP.SELF]} (from flaskkit.plugins.middleware import CSP), '
            "or {} for no policy.",
        ),
        (
            {"SECURE_CSP_REPORT_ONLY": {"default_src": [CSP.SELF]}},
            "SECURE_CSP_REPORT_ONLY has the key 'default_src', which is not a CSP directive name (lower case, "
            "like 'default-src' or 'script-src').",
        ),
        (
            {"SECURE_CSP": {"default-src": [CSP.SELF, 42]}},
            "SECURE_CSP['default-src'] must be a list of sources (strings), one string, True, False or None, "
            "not [<CSP.SELF: \"'self'\">, 42].",
        ),
        (
            {"SECURE_CSP": {"script-src": ["self", "unsafe-inline"]}},
            "SECURE_CSP['script-src'] contains 'self' without quotes, which browsers read as a host named 'self'. "
            "Write CSP.SELF (\"'self'\"), from flaskkit.plugins.middleware.",
        ),
    ],
)
def test_a_malformed_policy_stops_the_boot(make, values, message):
    with pytest.raises(ConfigurationError) as info:
        make(**values)
    assert str(info.value).startswith(message)
    assert info.value.setting == next(iter(values))


def deploy_messages(app: Flask) -> list[t.Any]:
    report = get_kit(app).run_checks(app, include_deploy=True)
    return [m for m in report.messages if m.id == "middleware.W009"]


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        (
            {"MIDDLEWARE": ["flaskkit.plugins.middleware:SecurityMiddleware"]},
            "ContentSecurityPolicyMiddleware is not in MIDDLEWARE, so responses get no Content-Security-Policy "
            "header: ",
        ),
        (
            {"MIDDLEWARE": ["flaskkit.plugins.middleware:SecurityMiddleware"], "SECURE_CSP": basic_config},
            "ContentSecurityPolicyMiddleware is not in MIDDLEWARE, so responses get no Content-Security-Policy "
            "header and SECURE_CSP / SECURE_CSP_REPORT_ONLY have no effect: ",
        ),
        ({}, "SECURE_CSP is empty, so responses get no Content-Security-Policy header: "),
        (
            {"SECURE_CSP_REPORT_ONLY": basic_config},
            "SECURE_CSP is empty, so responses get no Content-Security-Policy header (SECURE_CSP_REPORT_ONLY only "
            "reports violations; it blocks nothing): ",
        ),
    ],
)
def test_no_enforced_policy_is_a_deploy_warning(make, values, problem):
    app = make(**values)
    [message] = deploy_messages(app)
    assert message.msg == f"{problem}a script injected into a page (XSS) runs with the page's rights."
    assert message.obj == "SECURE_CSP"
    assert message.hint.startswith("Add 'flaskkit.plugins.middleware:ContentSecurityPolicyMiddleware' to MIDDLEWARE")
    assert "middleware.W009" not in [m.id for m in get_kit(app).run_checks(app).messages]  # deploy only


def test_an_enforced_policy_passes_the_deploy_check(make):
    assert deploy_messages(make(SECURE_CSP=basic_config)) == []

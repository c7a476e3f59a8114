"""SecurityMiddleware, XFrameOptionsMiddleware, ALLOWED_HOSTS and PROXY_FIX, with Django's settings."""

from __future__ import annotations

import pytest
from flask import Flask
from flask import make_response
from flask import request

from flaskkit import ConfigurationError
from flaskkit import create_app
from flaskkit.plugins.middleware import SecurityHeaders
from flaskkit.plugins.middleware import SecurityMiddleware
from flaskkit.plugins.middleware import xframe_options_deny
from flaskkit.plugins.middleware import xframe_options_exempt
from flaskkit.plugins.middleware import xframe_options_sameorigin

from .local import settings


def make_app(**values) -> Flask:
    app = create_app(settings(PLUGINS=["middleware"], **values))

    @app.get("/")
    def index():
        return "hello"

    @app.get("/own-headers")
    def own_headers():
        response = make_response("mine")
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response

    @app.get("/scheme")
    def scheme():
        return {"secure": request.is_secure, "host": request.host, "remote_addr": request.remote_addr}

    @app.get("/framed")
    @xframe_options_exempt
    def framed():
        return "frame me"

    @app.get("/same")
    @xframe_options_sameorigin
    def same():
        return "same origin"

    @app.get("/deny")
    @xframe_options_deny
    def deny():
        return "deny"

    return app


SECURITY_HEADERS = ("X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy", "X-Frame-Options")


def test_default_stack_sends_djangos_headers_on_a_plain_response():
    response = make_app().test_client().get("/")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers


def test_the_default_middleware_setting_is_security_then_clickjacking():
    assert make_app().config["MIDDLEWARE"] == [
        "flaskkit.plugins.middleware:SecurityMiddleware",
        "flaskkit.plugins.middleware:XFrameOptionsMiddleware",
    ]


def test_error_pages_get_the_headers_too():
    response = make_app().test_client().get("/nowhere")
    assert response.status_code == 404
    for name in SECURITY_HEADERS:
        assert name in response.headers, name


def test_a_view_that_sets_a_header_keeps_it():
    response = make_app().test_client().get("/own-headers")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_headers_can_be_turned_off_one_by_one():
    response = (
        make_app(SECURE_CONTENT_TYPE_NOSNIFF=False, SECURE_REFERRER_POLICY=None, SECURE_CROSS_ORIGIN_OPENER_POLICY=None)
        .test_client()
        .get("/")
    )
    for name in ("X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy"):
        assert name not in response.headers, name


def test_referrer_policy_fallbacks_as_list_or_string():
    for value in (["no-referrer", "strict-origin-when-cross-origin"], "no-referrer, strict-origin-when-cross-origin"):
        response = make_app(SECURE_REFERRER_POLICY=value).test_client().get("/")
        assert response.headers["Referrer-Policy"] == "no-referrer,strict-origin-when-cross-origin"


def test_hsts_only_on_secure_requests_when_configured():
    client = make_app(SECURE_HSTS_SECONDS=3600).test_client()
    assert "Strict-Transport-Security" not in client.get("/").headers
    assert client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"] == "max-age=3600"
    unconfigured = make_app().test_client()
    assert "Strict-Transport-Security" not in unconfigured.get("/", base_url="https://localhost").headers


def test_hsts_directives():
    client = make_app(
        SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True
    ).test_client()
    assert (
        client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]
        == "max-age=31536000; includeSubDomains; preload"
    )


def test_ssl_redirect_is_a_301_to_https_with_the_query_string():
    client = make_app(SECURE_SSL_REDIRECT=True).test_client()
    response = client.get("/search/?q=caf%C3%A9&page=2")
    assert response.status_code == 301
    assert response.headers["Location"] == "https://localhost/search/?q=caf%C3%A9&page=2"
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # the redirect passed the layers entered
    assert client.get("/", base_url="https://localhost").status_code == 200


def test_ssl_redirect_host_and_exempt_paths():
    client = make_app(
        SECURE_SSL_REDIRECT=True, SECURE_SSL_HOST="secure.example.com", SECURE_REDIRECT_EXEMPT=[r"^healthz$"]
    ).test_client()
    assert client.get("/a?b=1").headers["Location"] == "https://secure.example.com/a?b=1"
    assert client.get("/healthz").status_code == 404  # not redirected: answered (no such route)


def test_ssl_redirect_off_installs_no_request_hook():
    app = make_app()
    layers = app.extensions["flaskkit"].state(app).pipeline.layers
    assert layers[0].hooks == ("response",)
    redirecting = make_app(SECURE_SSL_REDIRECT=True)
    layers = redirecting.extensions["flaskkit"].state(redirecting).pipeline.layers
    assert layers[0].hooks == ("request", "response")


def test_the_design_documents_name_is_an_alias():
    assert SecurityHeaders is SecurityMiddleware
    response = make_app(MIDDLEWARE=["flaskkit.plugins.middleware:SecurityHeaders"]).test_client().get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"SECURE_REFERRER_POLICY": "same-orign"},
            "SECURE_REFERRER_POLICY has the invalid value 'same-orign'.",
        ),
        (
            {"SECURE_CROSS_ORIGIN_OPENER_POLICY": "allow"},
            "SECURE_CROSS_ORIGIN_OPENER_POLICY has the invalid value 'allow'.",
        ),
        (
            {"SECURE_HSTS_SECONDS": "3600"},
            "SECURE_HSTS_SECONDS must be a number of seconds (an int, 0 or more), not '3600'.",
        ),
        (
            {"SECURE_REDIRECT_EXEMPT": "^healthz$"},
            "SECURE_REDIRECT_EXEMPT must be a list of regular expressions, not '^healthz$'.",
        ),
        ({"X_FRAME_OPTIONS": "ALLOW-FROM x"}, "X_FRAME_OPTIONS must be 'DENY' or 'SAMEORIGIN', not 'ALLOW-FROM x'."),
    ],
)
def test_invalid_security_settings_fail_at_boot(values, message):
    with pytest.raises(ConfigurationError) as info:
        make_app(**values)
    assert info.value.message == message
    assert info.value.setting == next(iter(values))
    assert info.value.plugin == "middleware"


def test_x_frame_options_sameorigin_and_decorators():
    client = make_app(X_FRAME_OPTIONS="sameorigin").test_client()
    assert client.get("/").headers["X-Frame-Options"] == "SAMEORIGIN"
    assert client.get("/deny").headers["X-Frame-Options"] == "DENY"
    default = make_app().test_client()
    assert "X-Frame-Options" not in default.get("/framed").headers
    assert default.get("/same").headers["X-Frame-Options"] == "SAMEORIGIN"


# -- ALLOWED_HOSTS ------------------------------------------------------------------


def test_a_bad_host_gets_400():
    client = make_app(ALLOWED_HOSTS=["example.com"]).test_client()
    response = client.get("/", headers={"Host": "evil.com"})
    assert response.status_code == 400
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/", headers={"Host": "example.com"}).status_code == 200
    assert client.get("/", headers={"Host": "example.com:8000"}).status_code == 200
    assert client.get("/", headers={"Host": "www.example.com"}).status_code == 400


def test_the_ssl_redirect_never_sends_a_bad_host_elsewhere():
    client = make_app(ALLOWED_HOSTS=["example.com"], SECURE_SSL_REDIRECT=True).test_client()
    response = client.get("/", headers={"Host": "evil.com"})
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert client.get("/", headers={"Host": "example.com"}).headers["Location"] == "https://example.com/"


def test_a_leading_dot_allows_the_domain_and_its_subdomains():
    client = make_app(ALLOWED_HOSTS=[".Example.com"]).test_client()
    for host in ("example.com", "www.example.com", "a.b.example.com"):
        assert client.get("/", headers={"Host": host}).status_code == 200, host
    assert client.get("/", headers={"Host": "badexample.com"}).status_code == 400


def test_allowed_hosts_is_not_copied_into_flasks_trusted_hosts():
    # The plugin checks the host itself (werkzeug's check cannot match "[::1]", for one: see hosts.py).
    assert make_app(ALLOWED_HOSTS=["example.com", "[::1]"]).config["TRUSTED_HOSTS"] is None
    # Flask's own setting alone is left as it is, and used as the allowed hosts.
    app = make_app(ALLOWED_HOSTS=[], TRUSTED_HOSTS=["a.org"])
    assert app.config["TRUSTED_HOSTS"] == ["a.org"]
    assert app.test_client().get("/", headers={"Host": "a.org"}).status_code == 200
    assert app.test_client().get("/", headers={"Host": "b.org"}).status_code == 400


def test_a_wildcard_accepts_any_valid_host():
    client = make_app(ALLOWED_HOSTS=["*"]).test_client()
    assert client.get("/", headers={"Host": "anything.example"}).status_code == 200
    assert client.get("/", headers={"Host": "anything.example/path"}).status_code == 400


def test_allowed_hosts_errors():
    with pytest.raises(ConfigurationError) as info:
        make_app(ALLOWED_HOSTS="example.com")
    assert info.value.message == "ALLOWED_HOSTS must be a list of host names, not str 'example.com'."
    assert info.value.hint == "Write ALLOWED_HOSTS = ['example.com']."
    with pytest.raises(ConfigurationError) as info:
        make_app(ALLOWED_HOSTS=["https://example.com/"])
    assert info.value.message == "ALLOWED_HOSTS contains 'https://example.com/', which is not a host name."
    with pytest.raises(ConfigurationError) as info:
        make_app(ALLOWED_HOSTS=["example.com"], TRUSTED_HOSTS=["other.com"])
    assert info.value.message == (
        "Both ALLOWED_HOSTS (['example.com']) and Flask's TRUSTED_HOSTS (['other.com']) are set, differently."
    )


# -- PROXY_FIX and WSGI_MIDDLEWARE -------------------------------------------------------


def test_proxy_fix_is_off_by_default():
    client = make_app().test_client()
    data = client.get("/scheme", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}).json
    assert data == {"secure": False, "host": "localhost", "remote_addr": "127.0.0.1"}


def test_proxy_fix_trusts_exactly_the_listed_headers():
    client = make_app(PROXY_FIX={"x_proto": 1}).test_client()
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "evil.com"}
    assert client.get("/scheme", headers=headers).json == {
        "secure": True,
        "host": "localhost",
        "remote_addr": "127.0.0.1",
    }
    full = make_app(PROXY_FIX={"x_for": 1, "x_proto": 1, "x_host": 1}, ALLOWED_HOSTS=["evil.com"]).test_client()
    assert full.get("/scheme", headers=headers).json == {
        "secure": True,
        "host": "evil.com",
        "remote_addr": "203.0.113.9",
    }


def test_proxy_fix_makes_hsts_and_the_ssl_redirect_see_https():
    client = make_app(PROXY_FIX={"x_proto": 1}, SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=60).test_client()
    assert client.get("/").status_code == 301
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=60"


def test_allowed_hosts_applies_to_the_forwarded_host():
    client = make_app(PROXY_FIX={"x_host": 1}, ALLOWED_HOSTS=["example.com"]).test_client()
    assert client.get("/", headers={"Host": "internal", "X-Forwarded-Host": "example.com"}).status_code == 200
    assert client.get("/", headers={"Host": "example.com", "X-Forwarded-Host": "evil.com"}).status_code == 400


def test_proxy_fix_errors():
    with pytest.raises(ConfigurationError) as info:
        make_app(PROXY_FIX={"x_protocol": 1})
    assert info.value.message == "PROXY_FIX has the unknown key 'x_protocol'. Did you mean 'x_proto' or 'x_port'?"
    with pytest.raises(ConfigurationError) as info:
        make_app(PROXY_FIX={"x_for": "1"})
    assert info.value.message == (
        "PROXY_FIX['x_for'] must be the number of proxies in front of the app (an int, 0 or more), not '1'."
    )
    with pytest.raises(ConfigurationError) as info:
        make_app(PROXY_FIX=True)
    assert info.value.message == (
        "PROXY_FIX must be a dict of how many proxies set each X-Forwarded-* header, not True."
    )


class Tagging:
    """A WSGI middleware that adds a response header."""

    def __init__(self, wsgi_app, name="outer"):
        self.wsgi_app = wsgi_app
        self.name = name

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            headers.append(("X-Wsgi", self.name))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)


def test_wsgi_middleware_wraps_the_app_first_entry_outermost():
    app = make_app(
        WSGI_MIDDLEWARE=[
            (Tagging, {"name": "first"}),
            ("tests.plugins.middleware.test_security:Tagging", {"name": "second"}),
        ]
    )
    # the outermost sees the response last, so its header comes last
    assert app.test_client().get("/").headers.getlist("X-Wsgi") == ["second", "first"]


def test_wsgi_middleware_errors():
    with pytest.raises(ConfigurationError) as info:
        make_app(WSGI_MIDDLEWARE=["tests.plugins.middleware.test_security:Tagger"])
    assert info.value.message == (
        "The WSGI_MIDDLEWARE entry 'tests.plugins.middleware.test_security:Tagger' cannot be loaded: "
        "'tests.plugins.middleware.test_security' has no attribute 'Tagger'. Did you mean 'Tagging'?"
    )
    assert info.value.setting == "WSGI_MIDDLEWARE"

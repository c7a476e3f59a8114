"""``ALLOWED_HOSTS``: Django's host validation on every request.

The host lists are those of Django's ``tests/requests_tests/tests.py`` (``HostValidationTests``)
and ``tests/utils_tests/test_http.py`` (``is_same_domain``), run through the app: a request is
answered (200) or refused (400) before any middleware, ``before_request`` function or view.
"""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask import jsonify
from flask import request
from flask import request_started

from flaskkit import ConfigurationError
from flaskkit import create_app
from flaskkit.plugins.middleware import Middleware
from flaskkit.plugins.middleware import get_host
from flaskkit.plugins.middleware.hosts import is_same_domain
from flaskkit.plugins.middleware.hosts import raw_host
from flaskkit.plugins.middleware.hosts import split_domain_port
from flaskkit.plugins.middleware.hosts import validate_host
from tests.conftest import settings

#: Every layer and hook records itself here, to show that a refused request reaches none of them.
REACHED: list[str] = []


class Recorder(Middleware):
    def process_request(self, request):
        REACHED.append("process_request")

    def process_response(self, request, response):
        REACHED.append("process_response")
        return response


def make_app(**values) -> Flask:
    values.setdefault("MIDDLEWARE", ["flaskkit.plugins.middleware:SecurityMiddleware", Recorder])
    app = create_app(settings(PLUGINS=["middleware"], **values))

    @app.before_request
    def before():
        REACHED.append("before_request")

    @app.get("/")
    def host():
        REACHED.append("view")
        return jsonify(host=get_host(), flask=request.host)

    return app


@pytest.fixture(autouse=True)
def _reset():
    REACHED.clear()


def status(app: Flask, host: str, **kwargs) -> int:
    return app.test_client().get("/", headers={"Host": host}, **kwargs).status_code


#: Host headers that try to smuggle another host (Django's ``poisoned_hosts``).
POISONED_HOSTS = [
    "example.com@evil.tld",
    "example.com:dr.frankenstein@evil.tld",
    "example.com:dr.frankenstein@evil.tld:80",
    "example.com:80/badpath",
    "example.com: recovermypassword.com",
]

DJANGO_ALLOWED_HOSTS = [
    "forward.com",
    "example.com",
    "internal.com",
    "12.34.56.78",
    "[2001:19f0:feee::dead:beef:cafe]",
    "xn--4ca9at.com",
    ".multitenant.com",
    "INSENSITIVE.com",
    "[::ffff:169.254.169.254]",
]


@pytest.mark.parametrize(
    "host",
    [
        "example.com",
        "example.com:80",
        "12.34.56.78",
        "12.34.56.78:443",
        "[2001:19f0:feee::dead:beef:cafe]",
        "[2001:19f0:feee::dead:beef:cafe]:8080",
        "xn--4ca9at.com",  # Punycode for öäü.com
        "anything.multitenant.com",
        "multitenant.com",
        "insensitive.com",
        "example.com.",
        "example.com.:80",
        "[::ffff:169.254.169.254]",
    ],
)
def test_http_get_host_legit_hosts(host):
    app = make_app(ALLOWED_HOSTS=DJANGO_ALLOWED_HOSTS)
    response = app.test_client().get("/", headers={"Host": host})
    assert response.status_code == 200, response.text
    assert response.json["host"] == host.removesuffix(":80")  # Flask leaves out the scheme's port


@pytest.mark.parametrize(
    "host", [*POISONED_HOSTS, "other.com", "example.com..", "invalid_hostname.com", "", "example.com:99999"]
)
def test_http_get_host_poisoned_or_other_hosts_are_refused(host):
    app = make_app(ALLOWED_HOSTS=DJANGO_ALLOWED_HOSTS)
    assert status(app, host) == 400
    assert REACHED == []  # no middleware, no before_request function, no view


@pytest.mark.parametrize("host", POISONED_HOSTS)
def test_poisoned_hosts_are_refused_even_with_a_wildcard(host):
    assert status(make_app(ALLOWED_HOSTS=["*"]), host) == 400


def test_http_get_host_with_x_forwarded_host():
    # Django's USE_X_FORWARDED_HOST is PROXY_FIX's x_host: the forwarded host is the one checked.
    app = make_app(ALLOWED_HOSTS=["*"], PROXY_FIX={"x_host": 1})
    response = app.test_client().get("/", headers={"Host": "example.com", "X-Forwarded-Host": "forward.com"})
    assert response.json == {"host": "forward.com", "flask": "forward.com"}
    narrow = make_app(ALLOWED_HOSTS=["example.com"], PROXY_FIX={"x_host": 1})
    assert status(narrow, "example.com", environ_overrides={"HTTP_X_FORWARDED_HOST": "forward.com"}) == 400
    # Without PROXY_FIX the header is ignored, as with USE_X_FORWARDED_HOST = False.
    plain = make_app(ALLOWED_HOSTS=["example.com"])
    response = plain.test_client().get("/", headers={"Host": "example.com", "X-Forwarded-Host": "forward.com"})
    assert response.json["host"] == "example.com"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"HTTP_HOST": "example.com", "SERVER_NAME": "internal.com", "SERVER_PORT": "80"}, "example.com"),
        ({"SERVER_NAME": "internal.com", "SERVER_PORT": "80", "wsgi.url_scheme": "http"}, "internal.com"),
        ({"SERVER_NAME": "internal.com", "SERVER_PORT": "8042", "wsgi.url_scheme": "http"}, "internal.com:8042"),
        ({"SERVER_NAME": "internal.com", "SERVER_PORT": "443", "wsgi.url_scheme": "https"}, "internal.com"),
        ({"SERVER_NAME": "::1", "SERVER_PORT": "8000", "wsgi.url_scheme": "http"}, "[::1]:8000"),
    ],
)
def test_the_host_without_a_host_header_is_the_servers(environ, expected):
    assert raw_host(environ) == expected


def test_an_empty_allowed_hosts_refuses_every_host_when_debug_is_off():
    # Django's rule, and the attack: no 301 to https://evil.example/ (nor anything else).
    app = make_app(ALLOWED_HOSTS=[], SECURE_SSL_REDIRECT=True)
    for host in ("evil.example", "localhost", "127.0.0.1", "[::1]", "example.com"):
        response = app.test_client().get("/", headers={"Host": host})
        assert response.status_code == 400, host
        assert "Location" not in response.headers
    assert REACHED == []


@pytest.mark.parametrize("host", ["localhost", "subdomain.localhost", "127.0.0.1", "[::1]", "localhost:5000"])
def test_host_validation_in_debug_mode(host):
    app = make_app(ALLOWED_HOSTS=[], DEBUG=True)
    response = app.test_client().get("/", headers={"Host": host})
    assert response.status_code == 200
    assert response.json["host"] == host


def test_debug_mode_refuses_other_hosts_and_is_read_per_request():
    app = make_app(ALLOWED_HOSTS=[], DEBUG=True)
    assert status(app, "example.com") == 400
    app.debug = False  # as app.run(debug=...) may change it after the app was made
    assert status(app, "localhost") == 400


def test_testing_adds_the_test_clients_host_as_djangos_runner_adds_testserver():
    app = make_app(ALLOWED_HOSTS=[], TESTING=True)
    assert app.test_client().get("/").status_code == 200  # Flask's test client sends Host: localhost
    assert status(app, "127.0.0.1") == 400
    assert status(app, "evil.example") == 400
    configured = make_app(ALLOWED_HOSTS=["example.com"], TESTING=True)
    assert status(configured, "example.com") == 200
    assert status(configured, "localhost") == 200
    assert status(configured, "evil.example") == 400


def test_the_400_page_says_what_happened_and_the_log_says_what_to_do(caplog):
    app = make_app(ALLOWED_HOSTS=["example.com"])
    with caplog.at_level(logging.WARNING, logger="flaskkit.security.DisallowedHost"):
        response = app.test_client().get("/", headers={"Host": "evil.example:8000"})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    page = response.text
    assert "<h1>Bad Request</h1>" in page
    assert "This site does not answer to the host name &#39;evil.example&#39;." in page
    assert "ALLOWED_HOSTS" not in page  # in production, the page does not tell how the site is set up
    assert "Traceback" not in page
    [record] = caplog.records
    assert record.getMessage() == (
        "Invalid HTTP_HOST header: 'evil.example:8000'. You may need to add 'evil.example' to ALLOWED_HOSTS."
    )


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("example.com", "Invalid HTTP_HOST header: 'example.com'. You may need to add 'example.com' to ALLOWED_HOSTS."),
        ("12.34.56.78:443", "Invalid HTTP_HOST header: '12.34.56.78:443'. You may need to add '12.34.56.78' to "),
        (
            "[2001:19f0:feee::dead:beef:cafe]:8080",
            "You may need to add '[2001:19f0:feee::dead:beef:cafe]' to ALLOWED_HOSTS.",
        ),
        ("xn--4ca9at.com", "You may need to add 'xn--4ca9at.com' to ALLOWED_HOSTS."),
        (
            "invalid_hostname.com",
            "Invalid HTTP_HOST header: 'invalid_hostname.com'. The domain name provided is not valid according to "
            "RFC 1034/1035.",
        ),
        ("example.com@evil.tld", "Invalid HTTP_HOST header: 'example.com@evil.tld'. The domain name provided is "),
    ],
)
def test_get_host_suggestion_of_allowed_host_on_the_debug_page(host, message):
    # While DEBUG (or TESTING) is on, the page says what the log says: Django's message.
    app = make_app(ALLOWED_HOSTS=["other.example"], DEBUG=True)
    response = app.test_client().get("/", headers={"Host": host})
    assert response.status_code == 400
    assert message.replace("'", "&#39;") in response.text


def test_an_apps_own_400_page_renders_the_refusal():
    app = make_app(ALLOWED_HOSTS=["example.com"])

    @app.errorhandler(400)
    def bad_request(error):
        return f"our own page: {error.description}", 400

    response = app.test_client().get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert response.text == "our own page: This site does not answer to the host name 'evil.example'."


def test_a_refused_request_reaches_no_hook_but_the_after_request_functions(caplog):
    app = make_app(ALLOWED_HOSTS=["example.com"])
    started: list[str] = []
    after: list[int] = []

    def on_start(sender, **extra):
        started.append(request.host)

    @app.after_request
    def record(response):
        after.append(response.status_code)
        return response

    with request_started.connected_to(on_start, app):
        response = app.test_client().get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert REACHED == []  # no process_request/process_response, no before_request function, no view
    assert started == []  # nor a request_started receiver
    assert after == [400]  # Flask's after_request functions, as for any error before the view
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in response.headers


def test_the_refusal_leaves_the_request_context_to_a_preserving_client():
    app = make_app(ALLOWED_HOSTS=["example.com"])
    with app.test_client() as client:
        response = client.get("/?q=1", headers={"Host": "evil.example"})
        assert response.status_code == 400
        assert request.args["q"] == "1"  # ``with client:`` keeps the last request's context, as Flask's own


def test_each_allowed_host_is_matched_once(monkeypatch):
    from flaskkit.plugins.middleware.hosts import AllowedHosts

    app = make_app(ALLOWED_HOSTS=[".example.com"])
    matched: list[str] = []
    allows = AllowedHosts.allows

    def counting(self, app, req):
        matched.append(raw_host(req.environ))
        return allows(self, app, req)

    monkeypatch.setattr(AllowedHosts, "allows", counting)
    app.add_url_rule("/plain", "plain", lambda: "ok")  # a view that does not read the host itself
    client = app.test_client()
    for host in ("www.example.com", "www.example.com", "shop.example.com", "www.example.com"):
        assert client.get("/plain", headers={"Host": host}).status_code == 200
    assert matched == ["www.example.com", "shop.example.com"]
    for _ in range(2):
        assert client.get("/plain", headers={"Host": "evil.example"}).status_code == 400
    assert matched.count("evil.example") >= 2  # a refused host is not remembered: matched on each request
    matched.clear()
    app.config["DEBUG"] = True  # DEBUG (and TESTING) are part of what was allowed
    assert client.get("/plain", headers={"Host": "www.example.com"}).status_code == 200
    assert matched == ["www.example.com"]


def test_the_host_check_is_the_innermost_wsgi_layer():
    app = make_app(ALLOWED_HOSTS=["example.com"], PROXY_FIX={"x_host": 1}, WSGI_MIDDLEWARE=[Outer])
    # PROXY_FIX outermost (everything inside sees the client's host), then WSGI_MIDDLEWARE, then the check.
    assert type(app.wsgi_app).__name__ == "ProxyFix" and isinstance(app.wsgi_app.app, Outer)
    assert type(app.wsgi_app.app.app).__name__ == "HostCheck"
    assert status(app, "evil.example", environ_overrides={"HTTP_X_FORWARDED_HOST": "example.com"}) == 200
    assert status(app, "example.com", environ_overrides={"HTTP_X_FORWARDED_HOST": "evil.example"}) == 400


class Outer:
    """A WSGI middleware of the app's own (``WSGI_MIDDLEWARE``)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


def test_the_ssl_redirect_goes_to_the_validated_host_only():
    app = make_app(ALLOWED_HOSTS=[".example.com"], SECURE_SSL_REDIRECT=True)
    response = app.test_client().get("/?q=1", headers={"Host": "www.example.com"})
    assert (response.status_code, response.headers["Location"]) == (301, "https://www.example.com/?q=1")
    response = app.test_client().get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "Location" not in response.headers


def test_internationalised_names_are_allowed_in_their_ascii_form():
    app = make_app(ALLOWED_HOSTS=["öäü.com", ".bücher.example"])
    assert status(app, "xn--4ca9at.com") == 200
    assert status(app, "shop.xn--bcher-kva.example") == 200
    assert status(app, "other.com") == 400


def test_get_host_outside_the_middleware_plugin_is_flasks_host():
    app = create_app(settings(PLUGINS=[]))
    with app.test_request_context("/", headers={"Host": "anything.example"}):
        assert get_host() == "anything.example"


@pytest.mark.parametrize(
    ("value", "message", "hint"),
    [
        (
            ["example.com:8000"],
            "ALLOWED_HOSTS contains 'example.com:8000', which is not a host name.",
            "Leave the port out: 'example.com' matches that host on every port.",
        ),
        (
            ["[::1]:8000"],
            "ALLOWED_HOSTS contains '[::1]:8000', which is not a host name.",
            "Leave the port out: '[::1]' matches that host on every port.",
        ),
        (
            ["https://example.com/"],
            "ALLOWED_HOSTS contains 'https://example.com/', which is not a host name.",
            "Write host names only, without scheme or path: 'example.com', '.example.com' (and its subdomains), "
            "'127.0.0.1', '[::1]', or '*' (any host).",
        ),
        (
            ["my_service"],
            "ALLOWED_HOSTS contains 'my_service', which is not a host name.",
            "Write host names only, without scheme or path: 'example.com', '.example.com' (and its subdomains), "
            "'127.0.0.1', '[::1]', or '*' (any host).",
        ),
        ([""], "ALLOWED_HOSTS contains '', which is not a host name.", None),
        ([None], "ALLOWED_HOSTS contains None, which is not a host name.", None),
    ],
)
def test_allowed_hosts_that_could_never_match_stop_the_boot(value, message, hint):
    with pytest.raises(ConfigurationError) as info:
        make_app(ALLOWED_HOSTS=value)
    assert info.value.message == message
    if hint is not None:
        assert info.value.hint == hint


def test_trusted_hosts_alone_must_be_host_names_too():
    with pytest.raises(ConfigurationError) as info:
        make_app(ALLOWED_HOSTS=[], TRUSTED_HOSTS=["a.org/x"])
    assert info.value.message == "TRUSTED_HOSTS contains 'a.org/x', which is not a host name."


# -- Django's functions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("<invalid>", ("", "")),
        ("<invalid>:8080", ("", "")),
        ("example.com 8080", ("", "")),
        ("example.com:invalid", ("", "")),
        ("[::1]", ("[::1]", "")),
        ("[::1]:8080", ("[::1]", "8080")),
        ("[::ffff:127.0.0.1]", ("[::ffff:127.0.0.1]", "")),
        ("[::ffff:127.0.0.1]:8080", ("[::ffff:127.0.0.1]", "8080")),
        ("[1851:0000:3238:DEF1:0177:0000:0000:0125]", ("[1851:0000:3238:def1:0177:0000:0000:0125]", "")),
        ("[1851:0000:3238:DEF1:0177:0000:0000:0125]:8080", ("[1851:0000:3238:def1:0177:0000:0000:0125]", "8080")),
        ("127.0.0.1", ("127.0.0.1", "")),
        ("127.0.0.1:8080", ("127.0.0.1", "8080")),
        ("example.com", ("example.com", "")),
        ("example.com:8080", ("example.com", "8080")),
        ("example.com.", ("example.com", "")),
        ("example.com.:8080", ("example.com", "8080")),
        ("xn--n28h.test", ("xn--n28h.test", "")),
        ("xn--n28h.test:8080", ("xn--n28h.test", "8080")),
        ("subdomain.example.com", ("subdomain.example.com", "")),
        ("subdomain.example.com:8080", ("subdomain.example.com", "8080")),
    ],
)
def test_split_domain_port(host, expected):
    assert split_domain_port(host) == expected


@pytest.mark.parametrize(
    ("host", "pattern", "same"),
    [
        ("example.com", "example.com", True),
        ("example.com", ".example.com", True),
        ("foo.example.com", ".example.com", True),
        ("example.com:8888", "example.com:8888", True),
        ("example.com:8888", ".example.com:8888", True),
        ("foo.example.com:8888", ".example.com:8888", True),
        ("example2.com", "example.com", False),
        ("foo.example.com", "example.com", False),
        ("example.com:9999", "example.com:8888", False),
        ("foo.example.com:8888", "", False),
        ("badexample.com", ".example.com", False),
    ],
)
def test_is_same_domain(host, pattern, same):
    assert is_same_domain(host, pattern) is same


def test_validate_host():
    assert validate_host("anything.example", ["*"]) is True
    assert validate_host("example.com", ["other.com", ".EXAMPLE.com"]) is True
    assert validate_host("example.com", []) is False

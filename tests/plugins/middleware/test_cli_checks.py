"""`flask kit middleware` and the middleware checks."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from flaskkit import create_app
from flaskkit.plugins.middleware import Middleware
from flaskkit.plugins.middleware import MiddlewareNotUsed
from tests.conftest import settings


class Timing(Middleware):
    def process_request(self, request):
        return None

    def process_view(self, request, view_func, view_args):
        return None

    def process_response(self, request, response):
        return response


class Disabled(Middleware):
    def __init__(self, app):
        raise MiddlewareNotUsed("FEATURE_X is off")

    def process_request(self, request):
        return None


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_middleware_command_prints_the_onion_outermost_first():
    app = create_app(
        settings(
            PLUGINS=["middleware"],
            MIDDLEWARE=[
                "flaskkit.plugins.middleware:SecurityMiddleware",
                Timing,
                Disabled,
                "flaskkit.plugins.middleware:XFrameOptionsMiddleware",
            ],
            PROXY_FIX={"x_for": 1, "x_proto": 1},
        ),
        import_name="shop",
    )
    result = run(app, "kit", "middleware")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Request pipeline of the app 'shop', outermost first:"
    assert lines[1].split() == ["#", "layer", "hooks", "from"]
    assert lines[2].split() == ["1", "flaskkit.plugins.middleware:SecurityMiddleware", "response", "MIDDLEWARE[0]"]
    assert lines[3].split() == [
        "2",
        "tests.plugins.middleware.test_cli_checks:Timing",
        "request,",
        "view,",
        "response",
        "MIDDLEWARE[1]",
    ]
    assert lines[4].split(None, 2) == [
        "3",
        "tests.plugins.middleware.test_cli_checks:Disabled",
        "not used: FEATURE_X is off  MIDDLEWARE[2]",
    ]
    assert lines[5].split() == ["4", "flaskkit.plugins.middleware:XFrameOptionsMiddleware", "response", "MIDDLEWARE[3]"]
    assert lines[6].startswith("A request meets the request hooks top-down, then Flask's before_request functions")
    assert lines[7:] == [
        "WSGI layers around app.wsgi_app, outermost first:",
        "  1  middleware.proxy_fix werkzeug.middleware.proxy_fix:ProxyFix(x_for=1, x_proto=1)  (PROXY_FIX)",
        "  2  middleware.allowed_hosts a host ALLOWED_HOSTS does not name gets 400  (ALLOWED_HOSTS)",
    ]


def test_middleware_command_names_an_alias_and_the_hooks_a_setting_enables():
    app = create_app(
        settings(
            PLUGINS=["middleware"],
            MIDDLEWARE=["flaskkit.plugins.middleware:SecurityHeaders"],
            SECURE_SSL_REDIRECT=True,
        ),
        import_name="shop",
    )
    lines = run(app, "kit", "middleware").output.splitlines()
    assert lines[2].split() == [
        "1",
        "flaskkit.plugins.middleware:SecurityHeaders",
        "=",
        "flaskkit.plugins.middleware.security:SecurityMiddleware",
        "request,",
        "response",
        "MIDDLEWARE[0]",
    ]


def test_middleware_command_with_an_empty_stack():
    app = create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=[]), import_name="shop")
    result = run(app, "kit", "middleware")
    assert result.output == (
        "The app 'shop' has no layer inside Flask's request handling (only WSGI layers).\n"
        "WSGI layers around app.wsgi_app, outermost first:\n"
        "  1  middleware.allowed_hosts a host ALLOWED_HOSTS does not name gets 400  (ALLOWED_HOSTS)\n"
    )


def test_middleware_command_through_the_flask_command(tmp_path):
    (tmp_path / "site_app.py").write_text(
        textwrap.dedent(
            """
            from flaskkit import create_app

            app = create_app({
                "SECRET_KEY": "x" * 60,
                "PLUGINS": ["middleware"],
                "MIDDLEWARE": ["flaskkit.plugins.middleware:GZipMiddleware"],
            })
            """
        )
    )
    env = {**os.environ, "FLASK_APP": "site_app"}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "kit", "middleware"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[2].split() == [
        "1",
        "flaskkit.plugins.middleware:GZipMiddleware",
        "response",
        "MIDDLEWARE[0]",
    ]


def deploy_ids(app) -> list[str]:
    report = app.extensions["flaskkit"].run_checks(app, include_deploy=True)
    return [m.id for m in report.messages if m.id and m.id.startswith("middleware.")]


def test_the_default_stack_leaves_hsts_ssl_redirect_and_hosts_to_the_deploy_check():
    app = create_app(settings(PLUGINS=["middleware"]))
    assert sorted(deploy_ids(app)) == ["middleware.W003", "middleware.W005", "middleware.W006", "middleware.W009"]


def test_a_production_ready_configuration_passes_the_deploy_check():
    app = create_app(
        settings(
            PLUGINS=["middleware"],
            SECURE_HSTS_SECONDS=31536000,
            SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
            SECURE_SSL_REDIRECT=True,
            ALLOWED_HOSTS=["example.com"],
            MIDDLEWARE=[
                "flaskkit.plugins.middleware:SecurityMiddleware",
                "flaskkit.plugins.middleware:ContentSecurityPolicyMiddleware",
                "flaskkit.plugins.middleware:XFrameOptionsMiddleware",
            ],
            SECURE_CSP={"default-src": ["'self'"]},
        )
    )
    assert deploy_ids(app) == []
    result = run(app, "kit", "check", "--deploy")
    assert "middleware." not in result.output


def test_an_empty_stack_warns_about_both_missing_layers():
    app = create_app(settings(PLUGINS=["middleware"], MIDDLEWARE=[], ALLOWED_HOSTS=["example.com"]))
    result = run(app, "kit", "check", "--deploy")
    assert "MIDDLEWARE: (middleware.W001) SecurityMiddleware is not in MIDDLEWARE" in result.output
    assert "MIDDLEWARE: (middleware.W002) XFrameOptionsMiddleware is not in MIDDLEWARE" in result.output
    assert deploy_ids(app) == ["middleware.W001", "middleware.W002", "middleware.W009"]


def test_an_empty_allowed_hosts_with_debug_off_is_flagged_at_boot(caplog):
    # Every request would be refused: said at boot and by every `flask kit check`.
    app = create_app(settings(PLUGINS=["middleware"]))
    expected = (
        "ALLOWED_HOSTS: (middleware.W006) ALLOWED_HOSTS is empty and DEBUG is off: every request will be refused "
        "with 400 Bad Request (Django's rule: the site must name the hosts it serves).\n"
        "\tHINT: Set ALLOWED_HOSTS = ['example.com'] to the names the site is served under (a leading dot, "
        "'.example.com', also allows its subdomains); on this machine, ALLOWED_HOSTS = ['localhost', '127.0.0.1'], "
        "or DEBUG = True."
    )
    assert expected in caplog.text
    assert expected in run(app, "kit", "check").output
    assert run(app, "kit", "check", "--deploy").output.count("middleware.W006") == 1


def test_an_empty_allowed_hosts_with_debug_on_is_a_deploy_warning():
    app = create_app(settings(PLUGINS=["middleware"], DEBUG=True))
    assert "middleware.W006" not in run(app, "kit", "check").output
    assert (
        "ALLOWED_HOSTS: (middleware.W006) ALLOWED_HOSTS must not be empty in deployment: while DEBUG is on the "
        "site answers only to localhost, 127.0.0.1 and [::1], and with DEBUG off it refuses every request "
        "(400 Bad Request)."
    ) in run(app, "kit", "check", "--deploy").output
    for configured in ({"ALLOWED_HOSTS": ["example.com"]}, {"TRUSTED_HOSTS": ["a.b"]}):
        assert "middleware.W006" not in deploy_ids(create_app(settings(PLUGINS=["middleware"], **configured)))


def test_hsts_without_subdomains_and_a_sameorigin_frame_option():
    app = create_app(
        settings(
            PLUGINS=["middleware"],
            SECURE_HSTS_SECONDS=60,
            SECURE_SSL_REDIRECT=True,
            ALLOWED_HOSTS=["example.com"],
            X_FRAME_OPTIONS="SAMEORIGIN",
        )
    )
    assert deploy_ids(app) == ["middleware.W004", "middleware.W007", "middleware.W009"]


def test_djangos_proxy_settings_are_flagged_at_every_check(caplog):
    app = create_app(settings(PLUGINS=["middleware"], USE_X_FORWARDED_HOST=True))
    result = run(app, "kit", "check")
    assert (
        "USE_X_FORWARDED_HOST: (middleware.W008) The setting USE_X_FORWARDED_HOST is Django's; flaskkit does "
        "not read it, so it has no effect.\n\tHINT: Trust the proxy's X-Forwarded-* headers with PROXY_FIX = "
        '{"x_host": 1} (werkzeug\'s ProxyFix); list only the headers your proxy sets.'
    ) in result.output
    assert "middleware.W008" in caplog.text  # also logged at boot


def test_secure_proxy_ssl_header_is_read_as_django_reads_it():
    app = create_app(
        settings(
            PLUGINS=["middleware"],
            SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
            ALLOWED_HOSTS=["localhost"],
        )
    )
    assert "middleware.W008" not in [m.id for m in app.extensions["flaskkit"].run_checks(app).messages]

    @app.get("/scheme")
    def scheme() -> str:
        from flask import request

        return f"{request.scheme} {request.is_secure}"

    client = app.test_client()
    assert client.get("/scheme").text == "http False"
    assert client.get("/scheme", headers={"X-Forwarded-Proto": "https"}).text == "https True"
    assert client.get("/scheme", headers={"X-Forwarded-Proto": "https, http"}).text == "https True"
    assert client.get("/scheme", headers={"X-Forwarded-Proto": "http"}).text == "http False"
    assert client.get("/scheme", base_url="https://localhost", headers={"X-Forwarded-Proto": "http"}).text == (
        "http False"
    )


@pytest.mark.parametrize("value", ["HTTP_X_FORWARDED_PROTO", ("X-Forwarded-Proto", "https"), ("HTTP_X", "")])
def test_a_malformed_secure_proxy_ssl_header_stops_the_boot(value):
    from flaskkit import ConfigurationError

    with pytest.raises(ConfigurationError) as raised:
        create_app(settings(PLUGINS=["middleware"], SECURE_PROXY_SSL_HEADER=value))
    assert raised.value.setting == "SECURE_PROXY_SSL_HEADER"


def test_a_misspelt_setting_is_caught_by_the_kits_name_check():
    app = create_app(settings(PLUGINS=["middleware"], SECURE_HSTS_SECOND=60))
    report = app.extensions["flaskkit"].run_checks(app)
    assert [(m.id, m.hint) for m in report.messages if m.obj == "SECURE_HSTS_SECOND"] == [
        ("kit.W003", "Did you mean SECURE_HSTS_SECONDS?")
    ]


@pytest.mark.parametrize("plugins", [["middleware", "orm"], ["orm", "middleware"]])
def test_the_view_transaction_is_inside_middleware_whatever_the_boot_order(plugins):
    app = create_app(
        settings(
            PLUGINS=plugins,
            ATOMIC_REQUESTS=True,
            MIDDLEWARE=["flaskkit.plugins.middleware:SecurityMiddleware"],
        )
    )
    assert list(app.extensions["flaskkit"].state(app).plugins) == plugins  # no ordering between the plugins
    lines = run(app, "kit", "middleware").output.splitlines()
    assert lines[2].split()[:2] == ["1", "flaskkit.plugins.middleware:SecurityMiddleware"]
    assert lines[3].split() == [
        "2",
        "orm.atomic",
        "=",
        "ATOMIC_REQUESTS:",
        "each",
        "view",
        "in",
        "one",
        "transaction",
        "wrap_view",
        "plugin",
        "'orm'",
        "(under",
        "MIDDLEWARE)",
    ]


def test_middleware_command_without_any_layer():
    app = create_app(settings(PLUGINS=[]), import_name="shop")
    result = run(app, "kit", "middleware")
    assert result.output == "The app 'shop' has no request pipeline: no layer runs on the request path.\n"

"""CSRF protection: on for every unsafe method of every view, 403 with a clear page, Origin checked,
a secret in its own cookie that can be rotated, explicit exemptions.

Django's own test vectors (csrf_tests) are ported in test_csrf_django.py; the cookie, the masking
and CSRF_USE_SESSIONS are in test_csrf_cookie.py."""

from __future__ import annotations

import logging

import pytest
from flask import Blueprint

from flaskkit import create_app
from flaskkit.plugins.forms import CSRFError
from flaskkit.plugins.forms import csrf_exempt
from flaskkit.plugins.forms.testing import csrf_token
from tests.conftest import settings

from .conftest import page_token


def test_post_without_token_is_a_403_page_saying_why(client):
    csrf_token(client)  # the client has the cookie, as after any page with a form
    response = client.post("/contact", data={"name": "Ann"})
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "<title>403 Forbidden: CSRF verification failed</title>" in html
    assert "CSRF verification failed. Request aborted." in html
    assert "<strong>Reason:</strong> CSRF token missing." in html
    assert "The token may be missing or out of date" in html
    assert "For the developer" not in html  # only with DEBUG


def test_post_without_the_cookie_is_a_403_page_saying_why(client):
    """Django's rule: an unsafe request must carry the CSRF cookie (this stops login CSRF too)."""
    response = client.post("/contact", data={"name": "Ann"})
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "<strong>Reason:</strong> CSRF cookie not set." in html
    assert "please turn them back on for this site" in html


def test_post_with_the_token_of_the_page_passes(client):
    token = page_token(client, "/contact")
    response = client.post("/contact", data={"name": "Ann", "csrf_token": token})
    assert response.status_code == 200
    assert response.get_json() == {"name": "Ann", "email": None}


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_every_unsafe_method_of_every_view_is_protected(client, method):
    """Not only forms: a plain view that never builds a form is protected too."""
    assert client.open("/echo", method=method).status_code == 403
    token = csrf_token(client)
    response = client.open("/echo", method=method, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert response.get_json()["method"] == method


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_safe_methods_need_no_token(client, method):
    assert client.open("/echo", method=method).status_code == 200


def test_json_clients_send_the_token_in_a_header(client):
    token = csrf_token(client)
    response = client.post("/api/items", json={"n": 1}, headers={"X-CSRFToken": token})
    assert response.status_code == 201
    assert response.get_json() == {"received": {"n": 1}}
    assert client.post("/api/items", json={"n": 1}, headers={"X-CSRF-Token": token}).status_code == 201


def test_a_json_client_gets_a_json_403(client):
    response = client.post("/api/items", json={"n": 1})
    assert response.status_code == 403
    assert response.get_json() == {
        "error": "csrf_failed",
        "reason": "CSRF cookie not set.",
        "reason_code": "missing_cookie",
    }
    csrf_token(client)
    response = client.post("/echo", headers={"Accept": "application/json"})
    assert (response.status_code, response.get_json()["reason_code"]) == (403, "missing_token")


def test_a_forged_token_is_refused(client):
    csrf_token(client)  # the client has a secret, the request brings something else
    response = client.post("/echo", data={"csrf_token": "forged"})
    assert response.status_code == 403
    assert "<strong>Reason:</strong> CSRF token from POST has incorrect length." in response.get_data(as_text=True)


def test_a_token_of_another_client_is_refused(site):
    first, second = site.test_client(), site.test_client()
    token = csrf_token(first)
    csrf_token(second)
    response = second.post("/echo", data={"csrf_token": token})
    assert response.status_code == 403
    assert "<strong>Reason:</strong> CSRF token from POST incorrect." in response.get_data(as_text=True)


def test_a_token_from_before_rotation_stops_working(client):
    """Login rotates the secret (Django's rotate_token): a token planted before login is useless after it."""
    before = page_token(client)
    assert client.post("/login", data={"csrf_token": before, "user": "ann"}).status_code == 200
    response = client.post("/echo", data={"csrf_token": before})
    assert response.status_code == 403
    assert "<strong>Reason:</strong> CSRF token from POST incorrect." in response.get_data(as_text=True)
    after = page_token(client)
    assert after != before
    assert client.post("/echo", data={"csrf_token": after}).status_code == 200


def test_the_page_after_rotation_gets_a_new_token_in_the_same_request(site):
    @site.post("/login-and-render")
    def login_and_render() -> str:
        from flask import render_template_string

        from flaskkit.plugins.forms import rotate_csrf_token

        old = render_template_string("{{ csrf_token() }}")
        rotate_csrf_token()
        return f"{old} {render_template_string('{{ csrf_token() }}')}"

    client = site.test_client()
    old, new = client.post("/login-and-render", headers={"X-CSRFToken": csrf_token(client)}).text.split()
    assert old != new
    assert client.post("/echo", data={"csrf_token": new}).status_code == 200
    assert client.post("/echo", data={"csrf_token": old}).status_code == 403


# -- Origin ----------------------------------------------------------------------


def test_a_foreign_origin_is_refused_even_with_a_valid_token(client):
    token = csrf_token(client)
    response = client.post("/echo", data={"csrf_token": token}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert (
        "<strong>Reason:</strong> Origin checking failed: https://evil.example is neither this site "
        "(http://localhost) nor one of CSRF_TRUSTED_ORIGINS."
    ) in html
    assert "came from another site" in html


@pytest.mark.parametrize(
    "origin", ["null", "not a url", "http://localhost:8000", "https://localhost", "ftp://localhost"]
)
def test_other_origins_are_refused(client, origin):
    token = csrf_token(client)
    response = client.post("/echo", data={"csrf_token": token}, headers={"Origin": origin})
    assert response.status_code == 403


@pytest.mark.parametrize("origin", ["http://localhost", "http://LOCALHOST", "http://localhost:80"])
def test_the_sites_own_origin_passes(client, origin):
    token = csrf_token(client)
    assert client.post("/echo", data={"csrf_token": token}, headers={"Origin": origin}).status_code == 200


def test_trusted_origins_pass(make):
    app = make(CSRF_TRUSTED_ORIGINS=["https://app.example.com", "https://*.partner.org", "http://localhost:3000"])
    client = app.test_client()
    token = csrf_token(client)
    for origin in [
        "https://app.example.com",
        "https://partner.org",
        "https://a.b.partner.org",
        "http://localhost:3000",
    ]:
        response = client.post("/echo", data={"csrf_token": token}, headers={"Origin": origin})
        assert response.status_code == 200, origin
    for origin in ["http://app.example.com", "https://evilpartner.org", "https://app.example.com:8443"]:
        response = client.post("/echo", data={"csrf_token": token}, headers={"Origin": origin})
        assert response.status_code == 403, origin


def test_a_trusted_origin_still_needs_the_token(make):
    client = make(CSRF_TRUSTED_ORIGINS=["https://app.example.com"]).test_client()
    csrf_token(client)
    response = client.post("/echo", headers={"Origin": "https://app.example.com"})
    assert response.status_code == 403
    assert "CSRF token missing." in response.get_data(as_text=True)


def test_https_without_origin_checks_the_referer(client):
    token = csrf_token(client)
    response = client.post("/echo", data={"csrf_token": token}, base_url="https://localhost")
    assert response.status_code == 403
    assert "Referer checking failed - no Referer." in response.get_data(as_text=True)
    response = client.post(
        "/echo", data={"csrf_token": token}, base_url="https://localhost", headers={"Referer": "https://evil.example/"}
    )
    assert "Referer checking failed - https://evil.example/ does not match any trusted origins." in response.get_data(
        as_text=True
    )
    response = client.post(
        "/echo", data={"csrf_token": token}, base_url="https://localhost", headers={"Referer": "https://localhost/x"}
    )
    assert response.status_code == 200


def test_https_with_a_verified_origin_needs_no_referer(client):
    """Django checks the Referer only when there is no Origin header."""
    token = csrf_token(client)
    response = client.post(
        "/echo", data={"csrf_token": token}, base_url="https://localhost", headers={"Origin": "https://localhost"}
    )
    assert response.status_code == 200


# -- exemptions ------------------------------------------------------------------


def test_an_exempt_view_takes_posts_without_token_and_its_forms_validate(client):
    response = client.post("/hooks/exempt", data={"name": "Ann"})
    assert response.status_code == 200
    assert response.get_json() == {"valid": True, "errors": {}}


def test_an_exempt_class_based_view(client):
    assert client.post("/hooks/class").data == b"class view ok"


def test_an_exempt_blueprint(make):
    bp = Blueprint("hooks", __name__)

    @bp.post("/in")
    def incoming() -> str:
        return "in"

    csrf_exempt(bp)
    app = make()
    app.register_blueprint(bp, url_prefix="/bp")
    assert app.test_client().post("/bp/in").data == b"in"


def test_exempting_marks_only_the_view_named(client):
    assert client.post("/echo").status_code == 403


def test_csrf_exempt_refuses_what_is_not_a_view():
    with pytest.raises(TypeError, match=r"csrf_exempt\(\) takes a view function, a view class or a Blueprint"):
        csrf_exempt("not a view")


def test_upstream_exempt_still_works(site):
    @site.post("/upstream-exempt")
    def upstream_exempt() -> str:
        return "ok"

    site.extensions["csrf"].exempt(upstream_exempt)
    assert site.test_client().post("/upstream-exempt").data == b"ok"


def test_each_endpoint_is_looked_up_once_and_exempt_looks_again(site):
    """Whether a view is exempt is found on its first unsafe request; exempt() later still counts."""

    @site.post("/late-exempt")
    def late_exempt() -> str:
        return "ok"

    client = site.test_client()
    assert [client.post("/late-exempt").status_code for _ in range(2)] == [403, 403]
    assert client.post("/hooks/exempt", data={"name": "Ann"}).status_code == 200
    site.extensions["csrf"].exempt(late_exempt)
    assert [client.post("/late-exempt").status_code for _ in range(2)] == [200, 200]
    assert client.post("/echo").status_code == 403


# -- the page, settings, the rest ------------------------------------------------------


def test_debug_adds_help_for_the_developer(make):
    client = make(DEBUG=True).test_client()
    html = client.post("/echo").get_data(as_text=True)
    assert "For the developer" in html
    assert "{{ form.hidden_tag() }}" in html
    assert "a secret kept in the <code>csrftoken</code> cookie" in html
    assert "<code>X-CSRFToken</code> or <code>X-CSRF-Token</code> header" in html


def test_csrf_failure_view_answers_failed_checks(make):
    """Django's CSRF_FAILURE_VIEW: a view called with reason=..."""
    client = make(CSRF_FAILURE_VIEW="tests.plugins.forms.conftest:custom_failure_view").test_client()
    response = client.post("/echo")
    assert (response.status_code, response.text) == (403, "refused: CSRF cookie not set.")
    token = csrf_token(client)
    assert client.post("/echo", data={"csrf_token": token}).status_code == 200


def test_the_app_can_override_the_failure_page(tmp_path):
    templates = tmp_path / "templates" / "forms"
    templates.mkdir(parents=True)
    (templates / "csrf_failure.html").write_text("custom: {{ reason_code }} / {{ reason }}")
    app = create_app(
        settings(PLUGINS=["forms"]),
        instance_path=str(tmp_path / "instance"),
        template_folder=str(tmp_path / "templates"),
    )
    app.add_url_rule("/x", "x", lambda: "x", methods=["POST"])
    response = app.test_client().post("/x")
    assert (response.status_code, response.text) == (403, "custom: missing_cookie / CSRF cookie not set.")


def test_the_app_can_handle_the_error_itself(site):
    @site.errorhandler(CSRFError)
    def on_csrf(error: CSRFError) -> tuple[str, int]:
        return f"handled {error.reason_code}", 418

    response = site.test_client().post("/echo")
    assert (response.status_code, response.text) == (418, "handled missing_cookie")


def test_the_error_is_flask_wtfs_with_djangos_status():
    from flask_wtf.csrf import CSRFError as UpstreamCSRFError

    error = CSRFError("CSRF token missing.")
    assert isinstance(error, UpstreamCSRFError)
    assert (error.code, error.reason_code) == (403, "missing_token")


def test_failures_are_logged(client, caplog):
    with caplog.at_level(logging.WARNING, logger="flaskkit.forms.csrf"):
        client.post("/echo")
    assert caplog.messages == ["Forbidden (CSRF cookie not set.): /echo"]


def test_disabled_csrf_checks_nothing(make):
    client = make(WTF_CSRF_ENABLED=False).test_client()
    assert client.post("/echo").status_code == 200
    response = client.post("/contact", data={"name": "Ann"})
    assert response.get_json() == {"name": "Ann", "email": None}


def test_check_default_off_leaves_it_to_forms_as_upstream(make):
    client = make(WTF_CSRF_CHECK_DEFAULT=False).test_client()
    assert client.post("/echo").status_code == 200
    response = client.post("/contact", data={"name": "Ann"})
    assert response.status_code == 200
    assert "CSRF cookie not set." in response.get_data(as_text=True)
    token = page_token(client, "/contact")
    response = client.post("/contact", data={"name": "Ann", "csrf_token": token[:-1]})
    assert "CSRF token from POST has incorrect length." in response.get_data(as_text=True)
    response = client.post("/contact", data={"name": "Ann", "csrf_token": token})
    assert response.get_json() == {"name": "Ann", "email": None}


def test_a_404_or_405_is_not_turned_into_a_csrf_failure(client):
    assert client.post("/no-such-page").status_code == 404
    assert client.post("/token").status_code == 405


def test_csrf_input_renders_the_hidden_field_of_hand_written_forms(site):
    @site.route("/hand-written", methods=["GET", "POST"])
    def hand_written() -> str:
        from flask import render_template_string

        return render_template_string('<form method="post">{{ csrf_input() }}</form>')

    client = site.test_client()
    html = client.get("/hand-written").text
    assert html.startswith('<form method="post"><input type="hidden" name="csrf_token" value="')
    assert client.post("/hand-written", data={"csrf_token": page_token(client, "/hand-written")}).status_code == 200


def test_the_testing_helper_and_a_page_share_the_clients_secret(client):
    helper, page = csrf_token(client), page_token(client)
    assert client.post("/echo", data={"csrf_token": helper}).status_code == 200
    assert client.post("/echo", data={"csrf_token": page}).status_code == 200

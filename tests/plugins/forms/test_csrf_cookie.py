"""The CSRF secret in its own cookie (Django's default): set only by pages that use a token, a
token masked afresh each time, the cookie's attributes from CSRF_COOKIE_*, and CSRF_USE_SESSIONS."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string
from werkzeug.http import parse_set_header

from flaskkit.plugins.forms import get_token
from flaskkit.plugins.forms import rotate_csrf_token
from flaskkit.plugins.forms.csrf_tokens import CSRF_ALLOWED_CHARS
from flaskkit.plugins.forms.csrf_tokens import unmask_cipher_token
from flaskkit.plugins.forms.testing import csrf_token

from .conftest import page_token


def set_cookies(response) -> dict[str, str]:
    """The response's ``Set-Cookie`` headers, by cookie name."""
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def cookie_secret(client) -> str:
    cookie = client.get_cookie("csrftoken")
    assert cookie is not None
    return cookie.value


def test_a_page_with_a_token_sets_the_cookie_with_djangos_attributes(client):
    response = client.get("/contact")
    cookies = set_cookies(response)
    assert list(cookies) == ["csrftoken"]  # and no session
    header = cookies["csrftoken"]
    value = header.split(";", 1)[0].removeprefix("csrftoken=")
    assert len(value) == 32 and set(value) <= set(CSRF_ALLOWED_CHARS)
    attributes = {part.strip().split("=", 1)[0] for part in header.split(";")[1:]}
    assert attributes == {"Expires", "Max-Age", "Path", "SameSite"}
    assert "Max-Age=31449600" in header and "Path=/" in header and "SameSite=Lax" in header
    assert "Cookie" in parse_set_header(response.headers["Vary"])


def test_a_page_without_a_token_sets_nothing(client):
    for path in ("/echo", "/no-such-page"):
        response = client.get(path)
        assert "Set-Cookie" not in response.headers, path
        assert "Cookie" not in response.vary, path


def test_each_token_is_the_secret_masked_afresh(client):
    """BREACH: the page never carries the same string twice, yet every token is the cookie's secret."""
    first = page_token(client, "/contact")
    secret = cookie_secret(client)
    second = page_token(client, "/contact")
    assert first != second
    assert len(first) == len(second) == 64
    assert unmask_cipher_token(first) == unmask_cipher_token(second) == secret
    assert cookie_secret(client) == secret  # the cookie keeps its value
    for token in (first, second, secret):  # the bare secret too (a script that reads the cookie)
        assert client.post("/echo", data={"csrf_token": token}).status_code == 200


def test_two_tokens_in_one_page_differ_and_both_work(site):
    @site.get("/two-forms")
    def two_forms() -> str:
        return render_template_string("{{ csrf_input() }}{{ csrf_input() }}")

    client = site.test_client()
    html = client.get("/two-forms").text
    tokens = re.findall(r'value="([^"]+)"', html)
    assert len(tokens) == 2 and tokens[0] != tokens[1]
    for token in tokens:
        assert client.post("/echo", data={"csrf_token": token}).status_code == 200


def test_the_cookie_is_renewed_by_each_page_that_uses_it(client):
    client.get("/contact")
    secret = cookie_secret(client)
    response = client.get("/contact")
    assert set_cookies(response)["csrftoken"].startswith(f"csrftoken={secret};")
    assert "Set-Cookie" not in client.get("/echo").headers  # a page that uses no token does not


def test_a_post_checked_by_the_cookie_keeps_it(client):
    """Django's test_cookie_not_reset_on_accepted_request."""
    token = page_token(client, "/contact")
    secret = cookie_secret(client)
    response = client.post("/contact", data={"name": "spam", "csrf_token": token})  # re-renders the form
    assert response.status_code == 200
    assert set_cookies(response)["csrftoken"].startswith(f"csrftoken={secret};")


def test_a_form_that_is_only_checked_makes_no_token(client):
    """As Django's {% csrf_token %}: the token is made when the form is rendered. A valid POST
    answered without the form masks no token and does not send the cookie again."""
    token = page_token(client, "/contact")
    response = client.post("/contact", data={"name": "Ada", "email": "ada@example.com", "csrf_token": token})
    assert response.status_code == 200 and response.json["name"] == "Ada"
    assert "csrftoken" not in set_cookies(response)


def test_a_form_on_a_get_of_an_exempt_view_is_not_checked(make):
    """The request of a safe method is not checked, so a form bound to it asks whether its view is exempt."""
    from flask import jsonify
    from flask import request

    from flaskkit.plugins.forms import csrf_exempt

    from .conftest import ContactForm

    app = make()

    @app.get("/search")
    @csrf_exempt
    def search():
        form = ContactForm(formdata=request.args)
        return jsonify(valid=form.is_valid(), errors=form.errors)

    @app.get("/search-protected")
    def search_protected():
        form = ContactForm(formdata=request.args)
        return jsonify(valid=form.is_valid(), errors=form.errors)

    client = app.test_client()
    assert client.get("/search?name=Ada").json == {"valid": True, "errors": {}}
    refused = client.get("/search-protected?name=Ada").json
    assert refused["valid"] is False and "csrf_token" in refused["errors"]


def test_rotation_replaces_the_cookie_in_the_same_response(site):
    @site.post("/rotate")
    def rotate() -> str:
        before = get_token()
        rotate_csrf_token()
        return f"{before} {get_token()}"

    client = site.test_client()
    token = csrf_token(client)
    old_secret = cookie_secret(client)
    response = client.post("/rotate", data={"csrf_token": token})
    before, after = response.text.split()
    new_secret = cookie_secret(client)
    assert new_secret != old_secret
    assert len(response.headers.getlist("Set-Cookie")) == 1  # set once, with the last secret
    assert unmask_cipher_token(before) == old_secret
    assert unmask_cipher_token(after) == new_secret
    assert client.post("/echo", data={"csrf_token": after}).status_code == 200
    assert client.post("/echo", data={"csrf_token": before}).status_code == 403


@pytest.mark.parametrize("bad", ["x" * 4000, "!@#" + "a" * 61, "short", ""])
def test_a_malformed_cookie_is_replaced_on_get(client, bad):
    """Django's test_invalid_cookie_replaced_on_GET, test_process_view_token_too_long and _invalid_chars."""
    client.set_cookie("csrftoken", bad)
    response = client.get("/echo")
    replaced = set_cookies(response)["csrftoken"].split(";", 1)[0].removeprefix("csrftoken=")
    assert len(replaced) == 32 and replaced != bad


def test_cookie_settings(make):
    """Django's test_csrf_cookie_age, test_csrf_cookie_samesite."""
    app = make(
        CSRF_COOKIE_NAME="csrfcookie",
        CSRF_COOKIE_DOMAIN=".example.com",
        CSRF_COOKIE_AGE=123,
        CSRF_COOKIE_PATH="/test/",
        CSRF_COOKIE_SECURE=True,
        CSRF_COOKIE_HTTPONLY=True,
        CSRF_COOKIE_SAMESITE="Strict",
    )
    response = app.test_client().get("/token", base_url="https://www.example.com")
    header = set_cookies(response)["csrfcookie"]
    for attribute in ("Domain=example.com", "Max-Age=123", "Path=/test/", "Secure", "HttpOnly", "SameSite=Strict"):
        assert attribute in header.split("; "), (attribute, header)


def test_a_cookie_age_of_none_makes_a_browser_session_cookie(make):
    """Django's test_csrf_cookie_age_none."""
    response = make(CSRF_COOKIE_AGE=None).test_client().get("/token")
    header = set_cookies(response)["csrftoken"]
    assert "Max-Age" not in header and "Expires" not in header


def test_samesite_none_and_false(make):
    none = set_cookies(make(CSRF_COOKIE_SAMESITE="None").test_client().get("/token"))["csrftoken"]
    assert "SameSite=None" in none
    off = set_cookies(make(CSRF_COOKIE_SAMESITE=False).test_client().get("/token"))["csrftoken"]
    assert "SameSite" not in off


def test_the_header_name_is_configurable_in_both_spellings(make):
    for name, header in (("X-My-Token", "X-My-Token"), ("HTTP_X_CSRFTOKEN_CUSTOMIZED", "X-CSRFToken-Customized")):
        client = make(CSRF_HEADER_NAME=name).test_client()
        token = csrf_token(client)
        assert client.post("/echo", headers={header: token}).status_code == 200, name
        # Flask-WTF's headers are still accepted (WTF_CSRF_HEADERS)
        assert client.post("/echo", headers={"X-CSRF-Token": token}).status_code == 200, name


def test_csrf_meta_tag_and_csrf_token_in_templates(site):
    @site.get("/meta")
    def meta() -> str:
        return render_template_string("{{ csrf_meta_tag() }}|{{ csrf_token() }}")

    client = site.test_client()
    tag, bare = client.get("/meta").text.split("|")
    [meta_token] = re.findall(r'<meta name="csrf-token" content="([^"]+)">', tag)
    secret = cookie_secret(client)
    assert unmask_cipher_token(meta_token) == unmask_cipher_token(bare) == secret
    assert client.post("/echo", headers={"X-CSRFToken": meta_token}).status_code == 200


def test_csrf_use_sessions_keeps_the_secret_in_flasks_cookie_session(make):
    """CSRF_USE_SESSIONS = True with Flask's own (signed cookie) session: no csrftoken cookie."""
    app = make(CSRF_USE_SESSIONS=True)
    client = app.test_client()
    response = client.get("/contact")
    assert list(set_cookies(response)) == ["session"]
    with client.session_transaction() as session:
        secret = session["_csrftoken"]
    token = page_token(client, "/contact")
    assert unmask_cipher_token(token) == secret
    assert client.post("/echo", data={"csrf_token": token}).status_code == 200
    other = app.test_client()
    csrf_token(other)
    response = other.post("/echo", data={"csrf_token": token})
    assert response.status_code == 403
    assert "CSRF token from POST incorrect." in response.text


def test_a_token_on_an_error_page_stays_equivalent(site):
    """Django's test_csrf_token_on_404_stays_constant: an error handler may render a token."""

    @site.errorhandler(404)
    def not_found(error: Exception) -> tuple[str, int]:
        return render_template_string("{{ csrf_token() }}"), 404

    client = site.test_client()
    first = client.get("/does not exist/").text
    second = client.get("/does not exist/").text
    assert first != second
    assert unmask_cipher_token(first) == unmask_cipher_token(second) == cookie_secret(client)

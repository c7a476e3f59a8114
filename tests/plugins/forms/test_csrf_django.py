"""Django's own CSRF test vectors (django/django ``tests/csrf_tests/tests.py``), ported.

Each test names the Django test it comes from. They run twice where Django runs them twice:
with the secret in the ``csrftoken`` cookie (the default) and in the session
(``CSRF_USE_SESSIONS = True``). Django's reasons are kept word for word, except where the
secret lives in the session ("CSRF session token ...") and for a foreign ``Origin``, whose
message names the site and the setting.
"""

from __future__ import annotations

import logging
import typing as t
from dataclasses import dataclass

import pytest
from flask import render_template_string

from flaskkit.plugins.forms.csrf_tokens import CSRF_ALLOWED_CHARS
from flaskkit.plugins.forms.csrf_tokens import CSRF_TOKEN_LENGTH
from flaskkit.plugins.forms.csrf_tokens import mask_cipher_secret
from flaskkit.plugins.forms.csrf_tokens import unmask_cipher_token

if t.TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient
    from werkzeug.test import TestResponse

#: Django's test secret (unmasked), and two masked versions of it.
TEST_SECRET = "lcccccccX2kcccccccY2jcccccccssIC"
MASKED_TEST_SECRET1 = "1bcdefghij2bcdefghij3bcdefghij4bcdefghij5bcdefghij6bcdefghijABCD"
MASKED_TEST_SECRET2 = "2JgchWvM1tpxT2lfz9aydoXW9yT1DN3NdLiejYxOOlzzV4nhBbYqmqZYbAV3V5Bf"

HOST = "www.example.com"


# -- CsrfFunctionTests ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("secret", "masked"),
    [
        (TEST_SECRET, MASKED_TEST_SECRET1),
        (TEST_SECRET, MASKED_TEST_SECRET2),
        (32 * "a", "vFioG3XOLyGyGsPRFyB9iYUs341ufzIEvFioG3XOLyGyGsPRFyB9iYUs341ufzIE"),
        (32 * "a", 64 * "a"),
        (32 * "a", 64 * "b"),
        (32 * "b", 32 * "a" + 32 * "b"),
        (32 * "b", 32 * "b" + 32 * "c"),
        (32 * "c", 32 * "a" + 32 * "c"),
    ],
)
def test_unmask_cipher_token(secret, masked):
    assert unmask_cipher_token(masked) == secret


@pytest.mark.parametrize("secret", [32 * "a", TEST_SECRET, "da4SrUiHJYoJ0HYQ0vcgisoIuFOxx4ER"])
def test_mask_cipher_secret(secret):
    masked = mask_cipher_secret(secret)
    assert len(masked) == CSRF_TOKEN_LENGTH
    assert set(masked) <= set(CSRF_ALLOWED_CHARS)
    assert unmask_cipher_token(masked) == secret
    assert mask_cipher_secret(secret) != masked  # a new mask each time


# -- the harness ----------------------------------------------------------------------------------------


@dataclass
class Harness:
    """One app, with the secret in the cookie or the session, and Django's request builders."""

    app: Flask
    sessions: bool

    @property
    def missing_reason(self) -> str:
        return "CSRF session token missing." if self.sessions else "CSRF cookie not set."

    def client(self, cookie: str | None = MASKED_TEST_SECRET1, *, secure: bool = False) -> FlaskClient:
        """A client whose secret is ``cookie`` (Django's ``_set_csrf_cookie``); ``None``: no secret."""
        client = self.app.test_client()
        if cookie is not None:
            if self.sessions:
                with client.session_transaction(base_url=self.base_url(secure)) as session:
                    session["_csrftoken"] = cookie
            else:
                client.set_cookie("csrftoken", cookie, domain=HOST)
        return client

    @staticmethod
    def base_url(secure: bool) -> str:
        return f"{'https' if secure else 'http'}://{HOST}"

    def request(
        self,
        method: str = "POST",
        path: str = "/echo",
        *,
        cookie: str | None = MASKED_TEST_SECRET1,
        post_token: str | None = None,
        meta_token: str | None = None,
        token_header: str = "X-CSRFToken",
        secure: bool = False,
        headers: dict[str, str] | None = None,
        client: FlaskClient | None = None,
    ) -> TestResponse:
        client = client or self.client(cookie, secure=secure)
        all_headers = dict(headers or {})
        if meta_token is not None:
            all_headers[token_header] = meta_token
        data = {"csrf_token": post_token} if post_token is not None else None
        return client.open(path, method=method, data=data, headers=all_headers, base_url=self.base_url(secure))

    def read_secret(self, client: FlaskClient) -> str | None:
        """The secret the client holds after a response (Django's ``_read_csrf_cookie``)."""
        if self.sessions:
            with client.session_transaction(base_url=self.base_url(False)) as session:
                return t.cast(str | None, session.get("_csrftoken"))
        cookie = client.get_cookie("csrftoken", domain=HOST)
        return cookie.value if cookie is not None else None


def add_views(app: Flask) -> None:
    @app.route("/token-view", methods=["GET", "POST"])
    def token_view() -> str:
        return render_template_string('<input name="csrf_token" value="{{ csrf_token() }}">')


@pytest.fixture(params=["cookie", "session"])
def harness(request: pytest.FixtureRequest, make: t.Callable[..., Flask]) -> Harness:
    sessions = request.param == "session"
    app = make(CSRF_USE_SESSIONS=sessions)
    add_views(app)
    return Harness(app, sessions)


@pytest.fixture
def make_harness(request: pytest.FixtureRequest, make: t.Callable[..., Flask]) -> t.Callable[..., Harness]:
    """``make_harness(sessions, **settings)``, for the tests that override settings."""

    def factory(sessions: bool = False, **values: t.Any) -> Harness:
        app = make(CSRF_USE_SESSIONS=sessions, **values)
        add_views(app)
        return Harness(app, sessions)

    return factory


@pytest.fixture
def cookie_harness(make_harness) -> Harness:
    return make_harness(False)


def refused(response: TestResponse, caplog: pytest.LogCaptureFixture, reason: str, path: str = "/echo") -> None:
    """A 403 logged as Django logs it: ``Forbidden (<reason>): <path>``."""
    assert response.status_code == 403, response.text
    assert f"Forbidden ({reason}): {path}" in caplog.messages


def token_in(response: TestResponse) -> str:
    text = response.get_data(as_text=True)
    return text.split('value="', 1)[1].split('"', 1)[0]


def equivalent(a: str, b: str) -> bool:
    """Two tokens (masked or not) of the same secret (Django's ``equivalent_tokens``)."""

    def secret(token: str) -> str:
        return unmask_cipher_token(token) if len(token) == CSRF_TOKEN_LENGTH else token

    return secret(a) == secret(b)


@pytest.fixture(autouse=True)
def _warnings(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="flaskkit.forms.csrf")


# -- CsrfViewMiddlewareTestMixin: with the cookie and with the session ------------------------------------


def test_process_response_get_token_not_used(harness):
    """If get_token() is not called, nothing is set (pages stay cacheable)."""
    client = harness.client(None)
    response = harness.request("GET", client=client)
    assert response.status_code == 200
    assert harness.read_secret(client) is None
    assert "Set-Cookie" not in response.headers


def test_no_csrf_cookie(harness, caplog):
    """Without a CSRF cookie, the request is rejected: this stops login CSRF."""
    refused(harness.request(cookie=None), caplog, harness.missing_reason)


@pytest.mark.parametrize(
    ("post_token", "meta_token", "expected"),
    [
        (None, None, "CSRF token missing."),
        (16 * "a", None, "CSRF token from POST has incorrect length."),
        (64 * "*", None, "CSRF token from POST has invalid characters."),
        (64 * "a", None, "CSRF token from POST incorrect."),
        (None, 16 * "a", "CSRF token from the 'X-CSRFToken' HTTP header has incorrect length."),
        (None, 64 * "*", "CSRF token from the 'X-CSRFToken' HTTP header has invalid characters."),
        (None, 64 * "a", "CSRF token from the 'X-CSRFToken' HTTP header incorrect."),
    ],
)
def test_csrf_cookie_bad_or_missing_token(harness, caplog, post_token, meta_token, expected):
    refused(harness.request(post_token=post_token, meta_token=meta_token), caplog, expected)


def test_csrf_cookie_bad_token_custom_header(make_harness, caplog):
    for sessions in (False, True):
        harness = make_harness(sessions, CSRF_HEADER_NAME="HTTP_X_CSRFTOKEN_CUSTOMIZED")
        response = harness.request(meta_token=16 * "a", token_header="X-CSRFToken-Customized")
        refused(response, caplog, "CSRF token from the 'X-Csrftoken-Customized' HTTP header has incorrect length.")


def test_process_request_csrf_cookie_and_token(harness):
    assert harness.request(post_token=MASKED_TEST_SECRET2).status_code == 200


def test_process_request_csrf_cookie_no_token_exempt_view(harness):
    assert harness.request(path="/hooks/exempt", headers={"Accept": "application/json"}).status_code == 200


def test_csrf_token_in_header(harness):
    assert harness.request(meta_token=MASKED_TEST_SECRET2).status_code == 200


def test_csrf_token_in_header_with_customized_name(make_harness):
    for sessions in (False, True):
        harness = make_harness(sessions, CSRF_HEADER_NAME="HTTP_X_CSRFTOKEN_CUSTOMIZED")
        response = harness.request(meta_token=MASKED_TEST_SECRET2, token_header="X-CSRFTOKEN-CUSTOMIZED")
        assert response.status_code == 200


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_put_and_delete_rejected(harness, caplog, method):
    refused(harness.request(method, cookie=None), caplog, harness.missing_reason)


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_put_and_delete_allowed(harness, method):
    assert harness.request(method, meta_token=MASKED_TEST_SECRET2).status_code == 200


def test_token_node_no_csrf_cookie(harness):
    """The token works when no CSRF cookie is set: the response brings the secret."""
    client = harness.client(None)
    response = harness.request("GET", "/token-view", client=client)
    token = token_in(response)
    secret = harness.read_secret(client)
    assert secret is not None and equivalent(token, secret)
    assert harness.request(post_token=token, client=client).status_code == 200


def test_token_node_empty_csrf_cookie(cookie_harness):
    """A new token is sent if the cookie is the empty string."""
    client = cookie_harness.client("")
    token = token_in(cookie_harness.request("GET", "/token-view", client=client))
    secret = cookie_harness.read_secret(client)
    assert secret and len(secret) == 32 and equivalent(token, secret)


def test_token_node_with_csrf_cookie(harness):
    token = token_in(harness.request("GET", "/token-view"))
    assert equivalent(token, MASKED_TEST_SECRET2)


def test_get_token_for_exempt_view(harness, site):
    """get_token() still works for a view decorated with csrf_exempt."""
    from flaskkit.plugins.forms import csrf_exempt

    @harness.app.get("/exempt-token")
    @csrf_exempt
    def exempt_token() -> str:
        return render_template_string('<input value="{{ csrf_token() }}">')

    assert equivalent(token_in(harness.request("GET", "/exempt-token")), MASKED_TEST_SECRET2)


def test_cookie_not_reset_on_accepted_request(cookie_harness):
    """The token changes on every page, but an accepted request keeps the cookie's secret."""
    client = cookie_harness.client(TEST_SECRET)
    response = cookie_harness.request("POST", "/token-view", post_token=MASKED_TEST_SECRET2, client=client)
    assert response.status_code == 200
    assert cookie_harness.read_secret(client) == TEST_SECRET


# -- the Referer, on HTTPS without an Origin header ---------------------------------------------------------


def test_https_bad_referer(harness, caplog):
    response = harness.request(
        post_token=MASKED_TEST_SECRET2, secure=True, headers={"Referer": "https://www.evil.org/somepage"}
    )
    refused(
        response, caplog, "Referer checking failed - https://www.evil.org/somepage does not match any trusted origins."
    )
    assert "does not match any trusted origins" in response.text


def test_https_no_referer(harness, caplog):
    response = harness.request(post_token=MASKED_TEST_SECRET2, secure=True)
    refused(response, caplog, "Referer checking failed - no Referer.")


@pytest.mark.parametrize(
    ("referer", "expected"),
    [
        ("http://http://www.example.com/", "Referer checking failed - Referer is insecure while host is secure."),
        ("", "Referer checking failed - Referer is malformed."),
        ("ØBöIß", "Referer checking failed - Referer is malformed."),
        ("//example.com/", "Referer checking failed - Referer is malformed."),  # no scheme
        ("https://", "Referer checking failed - Referer is malformed."),  # no netloc
        ("https://[", "Referer checking failed - Referer is malformed."),  # not a URL
    ],
)
def test_https_malformed_referer(harness, caplog, referer, expected):
    response = harness.request(post_token=MASKED_TEST_SECRET2, secure=True, headers={"Referer": referer})
    refused(response, caplog, expected)


@pytest.mark.parametrize("referer", ["https://www.example.com/somepage", "https://www.example.com"])
def test_https_good_referer(harness, referer):
    """Also without a trailing slash (Django's ticket #15617)."""
    response = harness.request(post_token=MASKED_TEST_SECRET2, secure=True, headers={"Referer": referer})
    assert response.status_code == 200


@pytest.mark.parametrize("trusted", ["https://dashboard.example.com", "https://*.example.com"])
def test_https_csrf_trusted_origin_allowed(make_harness, trusted):
    """test_https_csrf_trusted_origin_allowed and test_https_csrf_wildcard_trusted_origin_allowed."""
    for sessions in (False, True):
        harness = make_harness(sessions, CSRF_TRUSTED_ORIGINS=[trusted])
        response = harness.request(
            post_token=MASKED_TEST_SECRET2, secure=True, headers={"Referer": "https://dashboard.example.com"}
        )
        assert response.status_code == 200


@pytest.mark.parametrize(("sessions", "setting"), [(False, "CSRF_COOKIE_DOMAIN"), (True, "SESSION_COOKIE_DOMAIN")])
def test_https_good_referer_matches_cookie_domain(make_harness, sessions, setting):
    """A subdomain allowed by the cookie's domain may post, on port 443 and on another port."""
    harness = make_harness(sessions, **{setting: ".example.com"})
    response = harness.request(
        post_token=MASKED_TEST_SECRET2, secure=True, headers={"Referer": "https://foo.example.com/"}
    )
    assert response.status_code == 200
    client = harness.app.test_client()
    if sessions:
        with client.session_transaction(base_url=f"https://{HOST}:4443") as session:
            session["_csrftoken"] = MASKED_TEST_SECRET1
    else:
        client.set_cookie("csrftoken", MASKED_TEST_SECRET1, domain=HOST)
    response = client.post(
        "/echo",
        data={"csrf_token": MASKED_TEST_SECRET2},
        base_url=f"https://{HOST}:4443",
        headers={"Referer": "https://foo.example.com:4443/"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(("sessions", "setting"), [(False, "CSRF_COOKIE_DOMAIN"), (True, "SESSION_COOKIE_DOMAIN")])
def test_https_reject_insecure_referer(make_harness, caplog, sessions, setting):
    harness = make_harness(sessions, **{setting: ".example.com"})
    response = harness.request(post_token=MASKED_TEST_SECRET2, secure=True, headers={"Referer": "http://example.com/"})
    refused(response, caplog, "Referer checking failed - Referer is insecure while host is secure.")


# -- the Origin header -------------------------------------------------------------------------------------


def _bad_origin(origin: str, site: str) -> str:
    return f"Origin checking failed: {origin} is neither this site ({site}) nor one of CSRF_TRUSTED_ORIGINS."


@pytest.mark.parametrize(
    ("origin", "secure"),
    [
        ("https://www.evil.org", False),  # test_bad_origin_bad_domain
        ("null", False),  # test_bad_origin_null_origin
        ("http://example.com", True),  # test_bad_origin_bad_protocol
        ("https://[", False),  # test_bad_origin_cannot_be_parsed
    ],
)
def test_bad_origin(harness, caplog, origin, secure):
    response = harness.request(post_token=MASKED_TEST_SECRET2, secure=secure, headers={"Origin": origin})
    refused(response, caplog, _bad_origin(origin, harness.base_url(secure)))


def test_bad_origin_csrf_trusted_origin_bad_protocol(make_harness, caplog):
    """An origin with the wrong scheme for CSRF_TRUSTED_ORIGINS is rejected."""
    harness = make_harness(
        False,
        CSRF_TRUSTED_ORIGINS=[
            "http://no-match.com",
            "https://*.example.com",
            "http://*.no-match.com",
            "http://*.no-match-2.com",
        ],
    )
    origin = "http://foo.example.com"
    response = harness.request(post_token=MASKED_TEST_SECRET2, secure=True, headers={"Origin": origin})
    refused(response, caplog, _bad_origin(origin, f"https://{HOST}"))
    trusted = harness.app.extensions["csrf"].trusted_origins
    assert trusted.exact == {("http", "no-match.com", 80)}
    assert trusted.wildcards == {
        "https": [(".example.com", 443)],
        "http": [(".no-match.com", 80), (".no-match-2.com", 80)],
    }


@pytest.mark.parametrize(("origin", "secure"), [("http://www.example.com", False), ("https://www.example.com", True)])
def test_good_origin(harness, origin, secure):
    """test_good_origin_insecure and test_good_origin_secure: no Referer needed then, even on HTTPS."""
    response = harness.request(post_token=MASKED_TEST_SECRET2, secure=secure, headers={"Origin": origin})
    assert response.status_code == 200


@pytest.mark.parametrize("trusted", ["https://dashboard.example.com", "https://*.example.com"])
def test_good_origin_csrf_trusted_origin_allowed(make_harness, trusted):
    for sessions in (False, True):
        harness = make_harness(sessions, CSRF_TRUSTED_ORIGINS=[trusted])
        origin = "https://dashboard.example.com" if "*" not in trusted else "https://foo.example.com"
        response = harness.request(post_token=MASKED_TEST_SECRET2, secure=True, headers={"Origin": origin})
        assert response.status_code == 200


# -- CsrfViewMiddlewareTests: the cookie only -----------------------------------------------------------------


def test_bad_csrf_cookie_characters(cookie_harness, caplog):
    refused(cookie_harness.request(cookie=64 * "*"), caplog, "CSRF cookie has invalid characters.")


def test_bad_csrf_cookie_length(cookie_harness, caplog):
    refused(cookie_harness.request(cookie=16 * "a"), caplog, "CSRF cookie has incorrect length.")


@pytest.mark.parametrize(
    ("cookie", "post_token", "meta_token"),
    [
        (TEST_SECRET, TEST_SECRET, None),
        (TEST_SECRET, MASKED_TEST_SECRET2, None),
        (TEST_SECRET, None, TEST_SECRET),
        (TEST_SECRET, None, MASKED_TEST_SECRET2),
        (MASKED_TEST_SECRET1, TEST_SECRET, None),
        (MASKED_TEST_SECRET1, MASKED_TEST_SECRET2, None),
        (MASKED_TEST_SECRET1, None, TEST_SECRET),
        (MASKED_TEST_SECRET1, None, MASKED_TEST_SECRET2),
    ],
)
def test_masked_unmasked_combinations(cookie_harness, cookie, post_token, meta_token):
    """Masked and unmasked cookies, masked and unmasked tokens, in the form and in the header."""
    response = cookie_harness.request(cookie=cookie, post_token=post_token, meta_token=meta_token)
    assert response.status_code == 200


def test_masked_cookie_accepted_and_replaced_by_the_bare_secret(cookie_harness):
    """A masked cookie (Django before 4.1 set those) is accepted; the next cookie holds the bare secret."""
    client = cookie_harness.client(MASKED_TEST_SECRET1)
    response = cookie_harness.request("POST", "/token-view", post_token=MASKED_TEST_SECRET2, client=client)
    assert response.status_code == 200
    assert cookie_harness.read_secret(client) == TEST_SECRET
    assert equivalent(token_in(response), TEST_SECRET)


# -- CsrfViewMiddlewareUseSessionsTests --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("post_token", "meta_token"),
    [(TEST_SECRET, None), (MASKED_TEST_SECRET2, None), (None, TEST_SECRET), (None, MASKED_TEST_SECRET2)],
)
def test_masked_unmasked_combinations_use_sessions(make_harness, post_token, meta_token):
    harness = make_harness(True)
    assert harness.request(post_token=post_token, meta_token=meta_token).status_code == 200

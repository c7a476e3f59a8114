"""The behaviour checks run on every stack before any timing (and all of ``--smoke``).

Each stack is driven through its WSGI app by werkzeug's test client, as a browser
would: the CSRF token is read from the page's form, the cookies are kept by the
client. A check that fails raises :class:`CheckFailed`, naming the stack and the check.
"""

from __future__ import annotations

import dataclasses
import html
import re
import typing as t
from urllib.parse import parse_qs
from urllib.parse import urlsplit

from werkzeug.test import Client

from . import LIST_ROWS
from . import PASSWORD
from . import Stack

if t.TYPE_CHECKING:
    from werkzeug.test import TestResponse

__all__ = ["SECURITY_HEADERS", "CheckFailed", "LoggedIn", "check_stack", "check_trivial"]

#: The headers every page must carry, and the value each must have (``None``: any value).
SECURITY_HEADERS: dict[str, str | None] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": None,
}
_RENDER = re.compile(r"render #(\d+)")
_NOTE_ROW = 'class="note"'


class CheckFailed(AssertionError):
    def __init__(self, stack: str, check: str, message: str) -> None:
        super().__init__(f"{stack}: check {check!r} failed: {message}")
        self.stack = stack
        self.check = check


@dataclasses.dataclass
class LoggedIn:
    """What the timings need of alice's logged-in browser."""

    #: The ``Cookie`` header her browser sends (the session cookie, and the CSRF cookie when there is one).
    cookie: str
    #: A CSRF token from her list page's form.
    token: str


def _token(stack: Stack, page: str) -> str | None:
    """The CSRF token of the form on ``page`` (the hidden input named ``stack.csrf_field``)."""
    for tag in re.findall(r"<input[^>]*>", page):
        if re.search(rf'name="{re.escape(stack.csrf_field)}"', tag):
            found = re.search(r'value="([^"]*)"', tag)
            if found:
                return html.unescape(found.group(1))
    return None


def _cookie_header(stack: Stack, client: Client) -> str:
    parts = []
    for name in (stack.session_cookie, stack.csrf_cookie):
        if name is None:
            continue
        cookie = client.get_cookie(name)
        if cookie is not None:
            parts.append(f"{name}={cookie.value}")
    return "; ".join(parts)


class _Checker:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack

    def fail(self, check: str, message: str) -> t.NoReturn:
        raise CheckFailed(self.stack.name, check, message)

    def expect_status(self, check: str, response: TestResponse, *expected: int) -> None:
        if response.status_code not in expected:
            self.fail(check, f"status {response.status_code}, expected {' or '.join(map(str, expected))}")

    def expect_headers(self, check: str, response: TestResponse) -> None:
        for name, value in SECURITY_HEADERS.items():
            got = response.headers.get(name)
            if got is None or (value is not None and got != value):
                self.fail(check, f"header {name} is {got!r}, expected {value or 'a value'!r}")

    def login(self, username: str) -> Client:
        stack = self.stack
        client = Client(stack.app)
        page = client.get(stack.login_url)
        self.expect_status("login page", page, 200)
        token = _token(stack, page.text)
        if not token:
            self.fail("login page", f"no CSRF token ({stack.csrf_field}) in the login form")
        response = client.post(
            stack.login_url, data={"username": username, "password": PASSWORD, stack.csrf_field: token}
        )
        self.expect_status("login", response, 302)
        if client.get_cookie(stack.session_cookie) is None:
            self.fail("login", f"no session cookie {stack.session_cookie!r} after logging in")
        return client

    def render_number(self, check: str, response: TestResponse, username: str) -> int:
        self.expect_status(check, response, 200)
        if f"Dashboard of {username}" not in response.text:
            self.fail(check, f"the page is not {username}'s: {response.text[:300]!r}")
        found = _RENDER.search(response.text)
        if found is None:
            self.fail(check, "no render counter on the page")
        return int(found.group(1))


def check_stack(stack: Stack) -> LoggedIn:
    """Run every check on ``stack``; return alice's logged-in browser for the timings."""
    checker = _Checker(stack)
    anonymous = Client(stack.app)

    response = anonymous.get("/notes/")
    checker.expect_status("anonymous list redirects to login", response, 302)
    location = urlsplit(response.headers.get("Location", ""))
    if location.path != stack.login_url or parse_qs(location.query).get("next") != ["/notes/"]:
        checker.fail("anonymous list redirects to login", f"Location is {response.headers.get('Location')!r}")
    checker.expect_headers("security headers on the redirect", response)

    alice = checker.login("alice")

    response = alice.get("/notes/")
    checker.expect_status("list page", response, 200)
    rows = response.text.count(_NOTE_ROW)
    if rows != LIST_ROWS:
        checker.fail("list page", f"{rows} rows, expected {LIST_ROWS}")
    token = _token(stack, response.text)
    if not token:
        checker.fail("list page", f"no CSRF token ({stack.csrf_field}) in the page's form")
    checker.expect_headers("security headers on the list page", response)

    before = stack.count_notes()
    response = alice.post("/notes/new/", data={"title": "No token", "body": "Must be refused."})
    checker.expect_status("POST without a CSRF token is refused", response, 400, 403)
    if stack.count_notes() != before:
        checker.fail("POST without a CSRF token is refused", "a row was added")

    response = alice.post("/notes/new/", data={"title": "With token", "body": "Kept.", stack.csrf_field: token})
    checker.expect_status("POST create", response, 302)
    if urlsplit(response.headers.get("Location", "")).path != "/notes/":
        checker.fail("POST create", f"redirect to {response.headers.get('Location')!r}, expected /notes/")
    if stack.count_notes() != before + 1:
        checker.fail("POST create", f"{stack.count_notes() - before} rows added, expected 1")
    stack.reset_notes()

    first = checker.render_number("per-user cached page", alice.get("/dashboard/"), "alice")
    second = checker.render_number("per-user cached page, second hit", alice.get("/dashboard/"), "alice")
    if second != first:
        checker.fail("per-user cached page, second hit", f"rendered again (render #{first}, then #{second})")
    bob = checker.login("bob")
    response = bob.get("/dashboard/")
    bobs = checker.render_number("per-user cached page, another user", response, "bob")
    if "alice" in response.text or bobs == first:
        checker.fail("per-user cached page, another user", "bob was served alice's page")
    again = checker.render_number("per-user cached page, after another user", alice.get("/dashboard/"), "alice")
    if again != first:
        checker.fail("per-user cached page, after another user", f"alice's page rendered again (#{again})")

    response = anonymous.get("/hello/")
    checker.expect_status("trivial route", response, 200)
    if response.text != "Hello, World!":
        checker.fail("trivial route", f"body {response.text!r}")
    checker.expect_headers("security headers on the trivial route", response)

    # A fresh list page: the cookies and the token the timings replay.
    page = alice.get("/notes/")
    checker.expect_status("list page", page, 200)
    return LoggedIn(cookie=_cookie_header(stack, alice), token=_token(stack, page.text) or "")


def check_trivial(name: str, app: t.Callable[..., t.Any]) -> None:
    """The trivial apps answer ``/hello/`` with the string."""
    response = Client(app).get("/hello/")
    if response.status_code != 200 or response.text != "Hello, World!":
        raise CheckFailed(name, "trivial route", f"{response.status_code} {response.text[:100]!r}")

"""``flaskkit.http``: the helpers the plugins share."""

from __future__ import annotations

import pytest
from flask import Request
from flask import Response
from werkzeug.test import EnvironBuilder

from flaskkit.http import patch_vary_cookie
from flaskkit.http import request_cookie


def test_patch_vary_cookie_adds_the_header_once_and_keeps_what_was_there():
    response = Response("x")
    patch_vary_cookie(response)
    assert response.headers.getlist("Vary") == ["Cookie"]
    patch_vary_cookie(response)
    assert response.headers.getlist("Vary") == ["Cookie"]

    varied = Response("x", headers={"Vary": "Accept-Language"})
    patch_vary_cookie(varied)
    assert varied.headers["Vary"] == "Accept-Language, Cookie"
    other = Response("x", headers={"Vary": "cookie, Accept"})
    patch_vary_cookie(other)
    assert [part.strip().lower() for part in other.headers["Vary"].split(",")] == ["cookie", "accept"]


@pytest.mark.parametrize(
    ("cookie_header", "expected"),
    [
        (None, None),  # no Cookie header: the cookies are not parsed
        ("", None),
        ("other=1", None),
        ("session=abc; other=1", "abc"),
        ("session=", ""),
        ("session=first; session=second", "first"),  # as werkzeug's cookies.get()
    ],
)
def test_request_cookie_is_cookies_get(cookie_header, expected):
    headers = {} if cookie_header is None else {"Cookie": cookie_header}
    req = Request(EnvironBuilder(headers=headers).get_environ())
    assert request_cookie(req, "session") == expected == req.cookies.get("session")

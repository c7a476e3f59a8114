"""``flaskkit.http``: the helpers the plugins share."""

from __future__ import annotations

from flask import Response

from flaskkit.http import patch_vary_cookie


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

"""Request limits: a default MAX_CONTENT_LENGTH (urlencoded bodies too) and a cap on the number of form fields."""

from __future__ import annotations

import io
import urllib.parse

import pytest

from flaskkit.plugins.forms import DEFAULT_MAX_CONTENT_LENGTH
from flaskkit.plugins.forms.testing import csrf_token


def urlencoded(pairs: list[tuple[str, str]]) -> bytes:
    return urllib.parse.urlencode(pairs).encode()


def post_urlencoded(client, path: str, body: bytes):
    return client.post(path, data=body, content_type="application/x-www-form-urlencoded")


def test_max_content_length_has_a_default(site):
    assert site.config["MAX_CONTENT_LENGTH"] == DEFAULT_MAX_CONTENT_LENGTH == 10 * 1024 * 1024


def test_an_oversized_urlencoded_body_gets_413(client):
    body = urlencoded([("csrf_token", csrf_token(client)), ("note", "x" * DEFAULT_MAX_CONTENT_LENGTH)])
    response = post_urlencoded(client, "/echo", body)
    assert response.status_code == 413
    assert (
        f"The request body is {len(body)} bytes; this site accepts at most 10485760 bytes (MAX_CONTENT_LENGTH)."
        in response.text
    )


def test_the_limit_is_settable_and_applies_to_every_body(make):
    client = make(MAX_CONTENT_LENGTH=1000).test_client()
    token = csrf_token(client)
    assert post_urlencoded(client, "/echo", urlencoded([("csrf_token", token), ("a", "x" * 100)])).status_code == 200
    assert post_urlencoded(client, "/echo", urlencoded([("csrf_token", token), ("a", "x" * 1000)])).status_code == 413
    big_file = {"csrf_token": token, "f": (io.BytesIO(b"x" * 2000), "f.txt")}
    assert client.post("/echo", data=big_file, content_type="multipart/form-data").status_code == 413
    response = client.post("/api/items", json={"a": "x" * 2000}, headers={"X-CSRFToken": token})
    assert response.status_code == 413
    assert "this site accepts at most 1000 bytes (MAX_CONTENT_LENGTH)." in response.text


def test_too_many_urlencoded_fields_get_413(client):
    token = csrf_token(client)
    fields = [("csrf_token", token)] + [(f"f{i}", "1") for i in range(999)]
    assert post_urlencoded(client, "/echo", urlencoded(fields)).status_code == 200
    response = post_urlencoded(client, "/echo", urlencoded([*fields, ("one", "too many")]))
    assert response.status_code == 413
    assert "The form has more than 1000 fields (the limit is MAX_FORM_PARTS = 1000)." in response.text


def test_too_many_multipart_fields_get_413_with_a_clear_message(client):
    token = csrf_token(client)
    data = {"csrf_token": token, **{f"f{i}": "1" for i in range(1000)}}
    response = client.post("/echo", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "The form is too large: it has more than 1000 parts (MAX_FORM_PARTS)" in response.text


def test_the_field_cap_is_settable(make):
    client = make(MAX_FORM_PARTS=3).test_client()
    token = csrf_token(client)
    assert (
        post_urlencoded(client, "/echo", urlencoded([("csrf_token", token), ("a", "1"), ("b", "2")])).status_code == 200
    )
    response = post_urlencoded(client, "/echo", urlencoded([("csrf_token", token), ("a", "1"), ("b", "2"), ("c", "")]))
    assert response.status_code == 413
    assert "more than 3 fields" in response.text


def test_an_exempt_view_is_limited_too(make):
    client = make(MAX_CONTENT_LENGTH=100).test_client()
    response = post_urlencoded(client, "/hooks/exempt", urlencoded([("name", "x" * 200)]))
    assert response.status_code == 413


@pytest.mark.parametrize("keep", [None, 5_000_000])
def test_an_app_value_wins_over_the_default(make, keep):
    app = make(MAX_CONTENT_LENGTH=keep)
    assert app.config["MAX_CONTENT_LENGTH"] == (keep or DEFAULT_MAX_CONTENT_LENGTH)


def test_a_custom_request_class_is_kept(make):
    from flask import Flask
    from flask import Request

    from flaskkit.plugins.forms.limits import limited_request_class

    class MyRequest(Request):
        marker = "mine"

    cls = limited_request_class(MyRequest)
    assert issubclass(cls, MyRequest) and cls.marker == "mine"
    assert limited_request_class(cls) is cls
    app = make()
    assert app.request_class is not Flask.request_class
    assert issubclass(app.request_class, Flask.request_class)

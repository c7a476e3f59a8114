"""GZipMiddleware: Django's rules for when to compress, streaming kept, BREACH padding."""

from __future__ import annotations

import gzip
import os
import zlib

from flask import Flask
from flask import Response
from flask import make_response
from flask import send_file
from flask import stream_with_context

from flaskkit import create_app
from flaskkit.plugins.middleware import GZipMiddleware
from flaskkit.plugins.middleware.gzip import compress_string

from .local import settings

HTML = "<p>" + "Hello, compressible world! " * 40 + "</p>"  # about 1 KB
GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def make_app(**values) -> Flask:
    values.setdefault("MIDDLEWARE", ["flaskkit.plugins.middleware:GZipMiddleware"])
    app = create_app(settings(PLUGINS=["middleware"], **values))

    @app.get("/page")
    def page():
        return HTML

    @app.get("/short")
    def short():
        return "x" * 100

    @app.get("/random")
    def random_bytes():
        return Response(os.urandom(2000), mimetype="application/octet-stream")

    @app.get("/encoded")
    def encoded():
        response = make_response(gzip.compress(HTML.encode()))
        response.headers["Content-Encoding"] = "gzip"
        return response

    @app.get("/etag")
    def etag():
        response = make_response(HTML)
        response.set_etag("v1")
        return response

    @app.get("/stream")
    def stream():
        def chunks():
            for i in range(5):
                yield f"chunk {i} " * 10

        return Response(stream_with_context(chunks()), mimetype="text/plain")

    @app.get("/file")
    def file():
        return send_file(__file__, mimetype="text/plain")

    return app


def test_a_1kb_page_is_compressed_with_vary():
    response = make_app().test_client().get("/page", headers=GZIP)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Vary"] == "Accept-Encoding"
    assert int(response.headers["Content-Length"]) == len(response.data) < len(HTML)
    assert gzip.decompress(response.data).decode() == HTML


def test_a_100_byte_response_is_not_compressed():
    response = make_app().test_client().get("/short", headers=GZIP)
    assert "Content-Encoding" not in response.headers
    assert "Vary" not in response.headers
    assert response.text == "x" * 100


def test_a_client_that_does_not_accept_gzip_gets_plain_text_and_vary():
    client = make_app().test_client()
    for headers in ({}, {"Accept-Encoding": "br"}, {"Accept-Encoding": "gzip;q=0, br"}):
        response = client.get("/page", headers=headers)
        assert "Content-Encoding" not in response.headers, headers
        assert response.headers["Vary"] == "Accept-Encoding"
        assert response.text == HTML


def test_an_already_encoded_response_is_left_alone():
    response = make_app().test_client().get("/encoded", headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data).decode() == HTML  # compressed once, not twice


def test_a_body_that_does_not_shrink_is_sent_as_it_is():
    response = make_app().test_client().get("/random", headers=GZIP)
    assert "Content-Encoding" not in response.headers
    assert response.headers["Vary"] == "Accept-Encoding"
    assert len(response.data) == 2000


def test_a_strong_etag_becomes_weak():
    response = make_app().test_client().get("/etag", headers=GZIP)
    assert response.headers["ETag"] == 'W/"v1"'
    plain = make_app().test_client().get("/etag")
    assert plain.headers["ETag"] == '"v1"'


def test_a_stream_stays_a_stream_and_decompresses_to_the_body():
    client = make_app().test_client()
    response = client.get("/stream", headers=GZIP, buffered=False)
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Content-Length" not in response.headers
    pieces = list(response.response)
    response.close()
    assert len(pieces) >= 5  # one flushed piece per chunk, not one blob at the end
    # each piece decompresses as it arrives: a client can render the stream progressively
    decompressor = zlib.decompressobj(wbits=31)
    first = decompressor.decompress(pieces[0])
    assert first == b"chunk 0 " * 10
    rest = b"".join(decompressor.decompress(piece) for piece in pieces[1:])
    assert (first + rest).decode() == "".join(f"chunk {i} " * 10 for i in range(5))


def test_a_file_response_is_compressed_and_its_file_closed():
    response = make_app().test_client().get("/file", headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip"
    with open(__file__, "rb") as source:
        assert gzip.decompress(response.data) == source.read()


def test_a_partial_response_is_not_compressed():
    response = make_app().test_client().get("/file", headers={**GZIP, "Range": "bytes=0-499"})
    response.close()  # werkzeug's test client leaves a 206 file body open until closed
    assert response.status_code == 206
    assert "Content-Encoding" not in response.headers
    assert len(response.data) == 500


def test_the_gzip_header_carries_random_padding_against_breach():
    data = HTML.encode()
    lengths = {len(compress_string(data, max_random_bytes=100)) for _ in range(30)}
    assert len(lengths) > 1
    assert {len(compress_string(data)) for _ in range(5)} == {len(gzip.compress(data, compresslevel=6, mtime=0))}
    assert gzip.decompress(compress_string(data, max_random_bytes=100)) == data


def test_subclass_settings():
    class Eager(GZipMiddleware):
        min_length = 10
        max_random_bytes = 0

    response = make_app(MIDDLEWARE=[Eager]).test_client().get("/short", headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data) == b"x" * 100


def test_with_the_security_layers_every_header_is_there():
    app = make_app(
        MIDDLEWARE=[
            "flaskkit.plugins.middleware:SecurityMiddleware",
            "flaskkit.plugins.middleware:GZipMiddleware",
            "flaskkit.plugins.middleware:XFrameOptionsMiddleware",
        ]
    )
    response = app.test_client().get("/page", headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"

"""``GZipMiddleware``: Django's rules for compressing responses, with the stdlib's gzip.

.. warning:: BREACH

    Compressing a response that mixes a secret (a CSRF token, a session-bound
    value) with text an attacker can influence (a reflected query parameter)
    over HTTPS can leak the secret, one guess at a time (the BREACH attack).
    Like Django, each compressed response gets a random-length filename in its
    gzip header (up to :attr:`GZipMiddleware.max_random_bytes` bytes), which
    makes the length measurements noisy ("Heal The Breach"); it does not make
    the attack impossible. Do not compress such pages, or mask the secret.
"""

from __future__ import annotations

import gzip
import io
import secrets
import typing as t

from .base import Middleware

if t.TYPE_CHECKING:
    from flask import Request
    from flask import Response

__all__ = ["GZipMiddleware", "compress_sequence", "compress_string"]


class GZipMiddleware(Middleware):
    """Compresses a response with gzip when the client accepts it and it is worth it.

    Django's rules: a body of at least :attr:`min_length` bytes (a streamed
    body always qualifies), no ``Content-Encoding`` yet, the request's
    ``Accept-Encoding`` accepts gzip; the compressed body is used only if it is
    smaller; ``Vary: Accept-Encoding`` is added to every response that could
    have been compressed; a strong ``ETag`` becomes weak. A streamed response
    stays streamed: each chunk is compressed and flushed as it comes. A partial
    (206) response is left alone, since its byte ranges refer to the
    uncompressed body.

    Put it near the top of ``MIDDLEWARE`` so that it compresses what the inner
    layers produced. See the BREACH note in this module's documentation.
    """

    #: Bodies shorter than this are not compressed (Django: 200).
    min_length: t.ClassVar[int] = 200
    #: At most this many random bytes in the gzip header, against BREACH (Django: 100; 0 turns it off).
    max_random_bytes: t.ClassVar[int] = 100

    def process_response(self, request: Request, response: Response) -> Response:
        streamed = response.is_streamed
        if not streamed and len(response.get_data()) < self.min_length:
            return response
        if "Content-Encoding" in response.headers or response.status_code == 206:
            return response
        response.vary.add("Accept-Encoding")
        if request.accept_encodings.quality("gzip") <= 0:
            return response
        if streamed:
            response.response = compress_sequence(response.iter_encoded(), response.response, self.max_random_bytes)
            response.direct_passthrough = False
            del response.headers["Content-Length"]
        else:
            body = response.get_data()
            compressed = compress_string(body, max_random_bytes=self.max_random_bytes)
            if len(compressed) >= len(body):
                return response
            response.set_data(compressed)  # sets Content-Length
        etag, weak = response.get_etag()
        if etag and not weak:
            response.set_etag(etag, weak=True)
        response.headers["Content-Encoding"] = "gzip"
        return response


def _filename(max_random_bytes: int) -> str | None:
    # The gzip header's FNAME field, of random length: Django's BREACH mitigation.
    if max_random_bytes <= 0:
        return None
    return "a" * secrets.randbelow(max_random_bytes)


def compress_string(data: bytes, *, max_random_bytes: int = 0) -> bytes:
    """``data`` gzip-compressed (level 6, no timestamp), with up to ``max_random_bytes`` of random padding."""
    compressed = gzip.compress(data, compresslevel=6, mtime=0)
    filename = _filename(max_random_bytes)
    if not filename:
        return compressed
    # As Django does: the stdlib's gzip member (10-byte header, no flags) with the FNAME flag
    # set and a zero-terminated filename inserted after the header (RFC 1952, section 2.3).
    header = bytearray(compressed[:10])
    header[3] |= gzip.FNAME
    return bytes(header) + filename.encode("latin-1") + b"\x00" + compressed[10:]


def compress_sequence(
    chunks: t.Iterable[bytes], original: object = None, max_random_bytes: int = 0
) -> t.Iterator[bytes]:
    """Compress a stream chunk by chunk, flushing after each so that streaming still streams.

    ``original`` (the response's own iterable) is closed when this generator
    is closed, as the WSGI server would have closed it.
    """
    buffer = io.BytesIO()
    try:
        with gzip.GzipFile(
            filename=_filename(max_random_bytes), mode="wb", compresslevel=6, fileobj=buffer, mtime=0
        ) as z:
            for chunk in chunks:
                if not chunk:
                    continue
                z.write(chunk)
                z.flush()
                yield _drain(buffer)
        tail = _drain(buffer)
        if tail:
            yield tail
    finally:
        close = getattr(original, "close", None)
        if close is not None:
            close()


def _drain(buffer: io.BytesIO) -> bytes:
    data = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return data

"""Request body limits that cover urlencoded forms too.

Flask 3.1 bounds multipart forms (``MAX_FORM_MEMORY_SIZE``, ``MAX_FORM_PARTS``)
but not ``application/x-www-form-urlencoded`` bodies: Werkzeug reads those
whole and accepts any number of fields. Django caps both
(``DATA_UPLOAD_MAX_MEMORY_SIZE``, ``DATA_UPLOAD_MAX_NUMBER_FIELDS``). The
forms plugin gives ``MAX_CONTENT_LENGTH`` a default (see the plugin) and
installs, per app, a request class whose form parser also applies
``MAX_FORM_PARTS`` to urlencoded bodies, and whose 413 errors say which
limit was hit.

The same request class turns every way a body can be unreadable into a
client error before any view (or the CSRF check) sees it, where Werkzeug
would give an empty form or let an exception through as a 500:

* a body the server cannot read (a broken chunked encoding, a connection
  that ends early or times out, a ``Content-Length`` longer than the body): 400;
* a malformed ``multipart/form-data`` body (no boundary, a broken part): 400,
  as Django's ``MultiPartParserError``, rather than an empty form;
* an urlencoded body that is not UTF-8: 400, rather than an empty form;
* a JSON body nested too deeply for Python's parser (``[[[[...``): 400,
  as other invalid JSON is, rather than a ``RecursionError``;
* a multipart part without a ``name``: left out, as Django's parser does, so
  ``request.form`` and ``request.files`` only ever have string keys.
"""

from __future__ import annotations

import contextlib
import io
import logging
import typing as t

from flask import Request
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import ClientDisconnected
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.utils import cached_property

if t.TYPE_CHECKING:
    from werkzeug.formparser import t_parse_result

__all__ = ["FieldCountingFormDataParser", "GuardedInputStream", "limited_request_class"]

logger = logging.getLogger("flaskkit.forms.limits")

#: The 400's description when the body could not be read.
UNREADABLE_BODY = (
    "The request body could not be read: its chunked encoding is invalid, or the connection ended before the body did."
)
#: The 400's description for a form that is not UTF-8.
NOT_UTF8 = "The form data is not valid UTF-8."
#: The 400's description for JSON nested deeper than the parser goes.
JSON_TOO_DEEP = "The JSON body is nested too deeply."
#: The 400's description for a broken multipart body (Werkzeug's reason follows).
BAD_MULTIPART = "The multipart form data is malformed"


@contextlib.contextmanager
def _unreadable_body_is_a_client_error() -> t.Iterator[None]:
    # Whatever the WSGI server's input stream raises while the body is read is the client's doing: the
    # dev server raises OSError("Invalid chunk header"), gunicorn its ParseException subclasses
    # (InvalidChunkSize, ChunkMissingTerminator, InvalidChunkExtension...) and NoMoreData, any server
    # a TimeoutError for a client that stops sending. Werkzeug's LimitedStream (used when
    # MAX_CONTENT_LENGTH is set) turns an OSError or ValueError into ClientDisconnected, with a vague
    # description; anything else would go through as a 500.
    try:
        yield
    except ClientDisconnected as exc:
        if exc.description != ClientDisconnected.description:
            raise
        raise ClientDisconnected(UNREADABLE_BODY) from exc
    except HTTPException:
        raise
    except Exception as exc:
        logger.info("The request body could not be read: %s: %s", type(exc).__name__, exc)
        raise BadRequest(UNREADABLE_BODY) from exc


class GuardedInputStream(io.RawIOBase):
    """The request's input stream, whose read errors are 400 errors."""

    def __init__(self, stream: t.IO[bytes]) -> None:
        super().__init__()
        self._stream = stream

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        with _unreadable_body_is_a_client_error():
            return self._stream.read(-1 if size is None else size)

    def readline(self, size: int | None = -1) -> bytes:
        with _unreadable_body_is_a_client_error():
            return self._stream.readline(-1 if size is None else size)

    def readinto(self, buffer: t.Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class FieldCountingFormDataParser(FormDataParser):
    """Werkzeug's parser, with ``max_form_parts`` applied to urlencoded bodies as well.

    Fields are counted before they are decoded (each ``&`` starts one), the
    way Python's ``parse_qsl(max_num_fields=...)`` counts them. A malformed
    body is a 400 rather than an empty form, and parts without a name are
    left out (see the module docstring).
    """

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.silent = False  # malformed is a 400 (see parse()), never a silently empty form

    def parse(
        self,
        stream: t.IO[bytes],
        mimetype: str,
        content_length: int | None,
        options: dict[str, str] | None = None,
    ) -> t_parse_result:
        # The files the multipart parser opens, closed here when it fails halfway (Werkzeug drops them).
        opened: list[t.IO[bytes]] = []
        stream_factory = self.stream_factory

        def open_file(*args: t.Any, **kwargs: t.Any) -> t.IO[bytes]:
            opened.append(stream_factory(*args, **kwargs))
            return opened[-1]

        self.stream_factory = open_file
        try:
            stream, form, files = super().parse(stream, mimetype, content_length, options)
        except BaseException as exc:
            for file in opened:
                file.close()
            if isinstance(exc, UnicodeDecodeError):
                raise BadRequest(NOT_UTF8) from exc
            if isinstance(exc, ValueError):
                raise BadRequest(f"{BAD_MULTIPART}: {exc}") from exc
            raise
        finally:
            self.stream_factory = stream_factory
        if None in form or None in files:
            # A part without a name (Content-Disposition: form-data; no name=): Django's parser skips it.
            # Kept, it is a None key that breaks whatever iterates the form (Flask-WTF's token lookup).
            form = self.cls([(k, v) for k, v in form.items(multi=True) if k is not None])
            for upload in files.getlist(None):  # type: ignore[arg-type]
                upload.close()
            files = self.cls([(k, v) for k, v in files.items(multi=True) if k is not None])
        return stream, form, files

    def _parse_urlencoded(
        self,
        stream: t.IO[bytes],
        mimetype: str,
        content_length: int | None,
        options: dict[str, str],
    ) -> t_parse_result:
        body = stream.read()
        limit = self.max_form_parts
        if limit is not None and body and body.count(b"&") + 1 > limit:
            raise RequestEntityTooLarge(
                f"The form has more than {limit} fields (the limit is MAX_FORM_PARTS = {limit})."
            )
        return super()._parse_urlencoded(io.BytesIO(body), mimetype, content_length, options)


class _LimitedRequest(Request):
    form_data_parser_class = FieldCountingFormDataParser

    @cached_property
    def stream(self) -> t.IO[bytes]:
        # Werkzeug checks Content-Length against MAX_CONTENT_LENGTH here, for every
        # body (forms, JSON, get_data()); only the message changes.
        try:
            stream = super().stream
        except RequestEntityTooLarge as exc:
            raise RequestEntityTooLarge(self._too_large_reason()) from exc
        return GuardedInputStream(stream)

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> t.Any:
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError as exc:  # json.loads raises it, not a ValueError, past ~1000 levels
            if silent:
                return None
            raise BadRequest(JSON_TOO_DEEP) from exc

    def _load_form_data(self) -> None:
        try:
            super()._load_form_data()
        except RequestEntityTooLarge as exc:
            if exc.description != RequestEntityTooLarge.description:
                raise  # already says which limit
            raise RequestEntityTooLarge(self._too_large_reason()) from exc

    def _too_large_reason(self) -> str:
        limit = self.max_content_length
        if limit is not None and self.content_length is not None and self.content_length > limit:
            return (
                f"The request body is {self.content_length} bytes; this site accepts at most {limit} bytes "
                f"(MAX_CONTENT_LENGTH)."
            )
        if self.mimetype == "multipart/form-data":
            return (
                f"The form is too large: it has more than {self.max_form_parts} parts (MAX_FORM_PARTS), "
                f"or a field other than a file is larger than {self.max_form_memory_size} bytes "
                f"(MAX_FORM_MEMORY_SIZE)."
            )
        return f"The request body is larger than this site accepts (MAX_CONTENT_LENGTH = {limit} bytes)."


def limited_request_class(base: type[Request]) -> type[Request]:
    """A subclass of the app's current ``request_class`` with the limits above.

    Built per app, on whatever request class the app already has, so a
    custom one keeps working.
    """
    if issubclass(base, _LimitedRequest):
        return base
    namespace = {"__module__": base.__module__, "__qualname__": base.__qualname__}
    return type(base.__name__, (_LimitedRequest, base), namespace)

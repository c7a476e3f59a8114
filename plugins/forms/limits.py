"""Request body limits that cover urlencoded forms too.

Flask 3.1 bounds multipart forms (``MAX_FORM_MEMORY_SIZE``, ``MAX_FORM_PARTS``)
but not ``application/x-www-form-urlencoded`` bodies: Werkzeug reads those
whole and accepts any number of fields. Django caps both
(``DATA_UPLOAD_MAX_MEMORY_SIZE``, ``DATA_UPLOAD_MAX_NUMBER_FIELDS``). The
forms plugin gives ``MAX_CONTENT_LENGTH`` a default (see the plugin) and
installs, per app, a request class whose form parser also applies
``MAX_FORM_PARTS`` to urlencoded bodies, and whose 413 errors say which
limit was hit.
"""

from __future__ import annotations

import io
import typing as t

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.utils import cached_property

if t.TYPE_CHECKING:
    from werkzeug.formparser import t_parse_result

__all__ = ["FieldCountingFormDataParser", "limited_request_class"]


class FieldCountingFormDataParser(FormDataParser):
    """Werkzeug's parser, with ``max_form_parts`` applied to urlencoded bodies as well.

    Fields are counted before they are decoded (each ``&`` starts one), the
    way Python's ``parse_qsl(max_num_fields=...)`` counts them.
    """

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
            return super().stream
        except RequestEntityTooLarge as exc:
            raise RequestEntityTooLarge(self._too_large_reason()) from exc

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

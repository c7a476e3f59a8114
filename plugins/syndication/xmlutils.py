"""Writing XML that is always well-formed: the standard library's ``XMLGenerator``, plus what feeds need.

``XMLGenerator`` escapes ``&``, ``<`` and ``>`` in text and quotes attributes, but writes
any character it is given. XML 1.0 forbids most control characters (U+0000-U+001F
except tab, newline and carriage return), lone surrogates, U+FFFE and U+FFFF: a single
one makes the whole document unreadable to every parser. Django refuses them
(``UnserializableContentError``, a 500 for the whole feed because of one note);
here they are **removed**, so a user who pastes a stray control character into a
title cannot break the feed for everyone.
"""

from __future__ import annotations

import re
import typing as t
from xml.sax.saxutils import XMLGenerator

__all__ = ["XML_FORBIDDEN_CHARACTERS", "SimplerXMLGenerator", "xml_safe"]

#: The characters XML 1.0 does not allow anywhere in a document (its ``Char`` production).
XML_FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (see :data:`XML_FORBIDDEN_CHARACTERS`)."""
    return XML_FORBIDDEN_CHARACTERS.sub("", text)


class SimplerXMLGenerator(XMLGenerator):
    """Django's ``SimplerXMLGenerator``: ``addQuickElement``, attributes in sorted order (a
    deterministic output), and the characters XML forbids removed from text and attributes."""

    def addQuickElement(self, name: str, contents: str | None = None, attrs: t.Mapping[str, str] | None = None) -> None:
        """``<name attrs>contents</name>``; ``<name attrs/>`` when ``contents`` is ``None`` or empty."""
        self.startElement(name, attrs or {})
        if contents is not None:
            self.characters(contents)
        self.endElement(name)

    def characters(self, content: str) -> None:
        if content:
            super().characters(xml_safe(str(content)))

    def startElement(self, name: str, attrs: t.Mapping[str, t.Any]) -> None:
        cleaned = {key: xml_safe(str(value)) for key, value in sorted(attrs.items()) if value is not None}
        super().startElement(name, cleaned)  # type: ignore[arg-type]

    def processingInstruction(self, target: str, data: str) -> None:
        super().processingInstruction(target, xml_safe(data))

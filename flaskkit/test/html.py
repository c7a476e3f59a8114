"""HTML compared by meaning, as Django's test tools compare it (``assertHTMLEqual``, ``html=True``).

:func:`parse_html` turns markup into :class:`Element` trees where:

* attribute order does not matter, nor the order or spacing of ``class`` names;
* a boolean attribute (``checked``, ``disabled``...) is the same with no value,
  an empty value or its own name as value; any other attribute without a value
  is the empty string;
* runs of whitespace (space, tab, newline, form feed, carriage return, not
  ``&nbsp;``) count as one space, and text is stripped at element boundaries;
* character references are decoded (``&#39;``, ``&#x27;`` and ``'`` are equal);
* comments are ignored, and ``<p/>`` is ``<p></p>``.

``element.count(other)`` counts the occurrences of ``other`` (an element, a
sequence of sibling elements, or text) inside ``element``; ``other in element``.
"""

from __future__ import annotations

import html
import re
import typing as t
from html.parser import HTMLParser

__all__ = ["Element", "HTMLParseError", "RootElement", "parse_html"]

#: Whitespace that HTML collapses (not the no-break space).
_WHITESPACE = re.compile(r"[ \t\n\f\r]+")
_CLASS_SEPARATOR = re.compile(r"[ \t\n\f\r]+")

#: Elements that have no end tag.
VOID_ELEMENTS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        # obsolete, still void
        "frame",
        "spacer",
    }
)

#: Attributes whose presence is their value (HTML's boolean attributes).
BOOLEAN_ATTRIBUTES = frozenset(
    {
        "allowfullscreen",
        "async",
        "autofocus",
        "autoplay",
        "checked",
        "controls",
        "default",
        "defer",
        "disabled",
        "formnovalidate",
        "hidden",
        "inert",
        "ismap",
        "itemscope",
        "loop",
        "multiple",
        "muted",
        "nomodule",
        "novalidate",
        "open",
        "playsinline",
        "readonly",
        "required",
        "reversed",
        "selected",
        # obsolete, still boolean
        "compact",
        "declare",
        "noresize",
        "noshade",
        "nowrap",
        "truespeed",
    }
)

Child = t.Union["Element", str]


class HTMLParseError(Exception):
    """The markup cannot be read: an end tag nothing opened. ``args`` are ``(message, (line, column))``."""


class Element:
    """An element: its tag name, its attributes (sorted ``(name, value)`` pairs) and its children."""

    def __init__(self, name: str | None, attributes: t.Iterable[tuple[str, str | None]]) -> None:
        self.name = name
        self.attributes = sorted(attributes)
        self.children: list[Child] = []

    def append(self, child: Child) -> None:
        if isinstance(child, str):
            child = _WHITESPACE.sub(" ", child)
            if self.children and isinstance(self.children[-1], str):
                self.children[-1] = _WHITESPACE.sub(" ", self.children[-1] + child)
                return
        elif self.children and isinstance(self.children[-1], str) and self.children[-1].isspace():
            self.children.pop()  # whitespace between two elements
        if isinstance(child, Element) or child:  # (an element without children has a length of 0)
            self.children.append(child)

    def finalize(self) -> None:
        """Strip the text at the element's boundaries, in the whole tree."""
        while self.children and isinstance(self.children[-1], str):
            last = self.children[-1].rstrip()
            if last:
                self.children[-1] = last
                break
            self.children.pop()
        for index, child in enumerate(self.children):
            if isinstance(child, str):
                self.children[index] = child.strip()
            else:
                child.finalize()

    # -- comparing ------------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Element):
            return NotImplemented
        return self.name == other.name and self.attributes == other.attributes and self.children == other.children

    def __hash__(self) -> int:
        return hash((self.name, *self.attributes))

    def count(self, other: Child) -> int:
        """How many times ``other`` occurs in this element (itself included)."""
        return self._count(other, count=True)

    def __contains__(self, other: object) -> bool:
        return isinstance(other, Element | str) and self._count(other, count=False) > 0

    def _count(self, other: Child, *, count: bool) -> int:
        if isinstance(other, Element) and self == other:
            return 1
        if isinstance(other, RootElement) and self.children == other.children:
            return 1
        found = 0
        matched = 0  # how many of other's children match the last children of self, when other is a sequence
        for child in self.children:
            if isinstance(child, str):
                if isinstance(other, str):
                    if not count and other in child:
                        return 1
                    found += child.count(other)
                continue
            found += child._count(other, count=count)
            if not count and found:
                return found
            if isinstance(other, RootElement) and other.children:
                if other.children[matched] == child:
                    matched += 1
                    if matched == len(other.children):
                        found += 1
                        matched = 0
                else:
                    matched = 0
        return found

    # -- showing ---------------------------------------------------------------------------------

    def __str__(self) -> str:
        output = f"<{self.name}"
        for key, value in self.attributes:
            output += f" {key}" if value is None else f' {key}="{value}"'
        if not self.children:
            return output + ">"
        inner = "".join(html.escape(child) if isinstance(child, str) else str(child) for child in self.children)
        return f"{output}>\n{inner}\n</{self.name}>"

    def __repr__(self) -> str:
        return str(self)

    def __getitem__(self, index: int) -> Child:
        return self.children[index]

    def __len__(self) -> int:
        return len(self.children)


class RootElement(Element):
    """A fragment: the elements and text at the top of the markup, in order."""

    def __init__(self) -> None:
        super().__init__(None, ())

    def __str__(self) -> str:
        return "".join(html.escape(child) if isinstance(child, str) else str(child) for child in self.children)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = RootElement()
        self.open: list[Element] = []

    @property
    def current(self) -> Element:
        return self.open[-1] if self.open else self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, (_attribute(name, value) for name, value in attrs))
        self.current.append(element)
        if tag not in VOID_ELEMENTS:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.append(Element(tag, (_attribute(name, value) for name, value in attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not any(element.name == tag for element in self.open):
            if tag in VOID_ELEMENTS:
                return  # </br> and such close nothing
            line, column = self.getpos()
            raise HTMLParseError(f"Unexpected end tag `{tag}` (Line {line}, Column {column})", (line, column))
        while self.open.pop().name != tag:  # the elements left open inside it end here too
            pass

    def handle_data(self, data: str) -> None:
        self.current.append(data)


def _attribute(name: str, value: str | None) -> tuple[str, str | None]:
    if name == "class" and value:
        value = " ".join(sorted(part for part in _CLASS_SEPARATOR.split(value) if part))
    if name in BOOLEAN_ATTRIBUTES and (not value or value.lower() == name):
        return name, None
    return name, "" if value is None else value


def parse_html(markup: str) -> Element:
    """The :class:`Element` of ``markup``, or a :class:`RootElement` when it is not one element.

    Raises :class:`HTMLParseError` for an end tag that no element opened.
    """
    parser = _Parser()
    parser.feed(markup)
    parser.close()
    document = parser.root
    document.finalize()
    if len(document.children) == 1 and isinstance(document.children[0], Element):
        return document.children[0]
    return document

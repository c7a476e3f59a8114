"""Choosing a language as Django's ``LocaleMiddleware`` does: parsing ``Accept-Language``, supported variants.

Everything a request sends is bounded and cached per app: a header longer than
500 characters is cut at a comma (Django's rule), and the parsed headers and the
variants looked up are kept in LRU caches of 1,000 entries, so a busy site parses
each distinct ``Accept-Language`` once.
"""

from __future__ import annotations

import functools
import re
import typing as t

__all__ = [
    "ACCEPT_LANGUAGE_HEADER_MAX_LENGTH",
    "FALLBACKS",
    "LanguageChooser",
    "language_code_re",
    "parse_accept_lang_header",
]

#: Longer ``Accept-Language`` values are cut at the last comma before this length (Django's).
ACCEPT_LANGUAGE_HEADER_MAX_LENGTH = 500

#: The ``Accept-Language`` grammar (RFC 9110 12.4.2, 12.5.4; RFC 5646 2.1), as Django parses it.
accept_language_re = re.compile(
    r"""
        ([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)      # "en", "en-au", "x-y-z", "es-419", "*"
        (?:\s*;\s*q=(0(?:\.[0-9]{,3})?|1(?:\.0{,3})?))?  # optional "q=1.00", "q=0.8"
        (?:\s*,\s*|$)                                   # multiple accepts per header
    """,
    re.VERBOSE,
)

#: A valid language code (Django's ``language_code_re``).
language_code_re = re.compile(r"^[a-z]{1,8}(?:-[a-z0-9]{1,8})*(?:@[a-z0-9]{1,20})?$", re.IGNORECASE)

#: Django's special fallbacks (``LANG_INFO[...]["fallback"]``): Chinese by region goes to its script.
FALLBACKS: dict[str, tuple[str, ...]] = {
    "zh-cn": ("zh-hans",),
    "zh-sg": ("zh-hans",),
    "zh-my": ("zh-hans",),
    "zh-hk": ("zh-hant",),
    "zh-mo": ("zh-hant",),
    "zh-tw": ("zh-hant",),
}


@functools.lru_cache(maxsize=1000)
def _parse_accept_lang_header(lang_string: str) -> tuple[tuple[str, float], ...]:
    result: list[tuple[str, float]] = []
    pieces = accept_language_re.split(lang_string.lower())
    if pieces[-1]:
        return ()
    for i in range(0, len(pieces) - 1, 3):
        first, lang, priority = pieces[i : i + 3]
        if first:
            return ()
        result.append((lang, float(priority) if priority else 1.0))
    result.sort(key=lambda item: item[1], reverse=True)
    return tuple(result)


def parse_accept_lang_header(lang_string: str) -> tuple[tuple[str, float], ...]:
    """``"de-AT,de;q=0.9,en;q=0.8"`` -> ``(("de-at", 1.0), ("de", 0.9), ("en", 0.8))``; ``()`` if malformed."""
    if len(lang_string) <= ACCEPT_LANGUAGE_HEADER_MAX_LENGTH:
        return _parse_accept_lang_header(lang_string)
    index = lang_string.rfind(",", 0, ACCEPT_LANGUAGE_HEADER_MAX_LENGTH)
    if index > 0:
        return _parse_accept_lang_header(lang_string[:index])
    return ()


class LanguageChooser:
    """One app's languages and the lookups a request needs, each cached.

    :param languages: the codes of ``LANGUAGES``, lowercase, in order.
    :param available: those with a catalog (or the source language): Django's ``check_for_language``.
    :param default: ``LANGUAGE_CODE``.
    """

    def __init__(self, languages: t.Sequence[str], available: t.Collection[str], default: str) -> None:
        self.languages = tuple(languages)
        self.available = frozenset(available)
        self.default = default
        # Per app (LANGUAGES differ), bounded: the keys come from requests.
        self.supported_variant = functools.lru_cache(maxsize=1000)(self._supported_variant)
        self.from_accept_language = functools.lru_cache(maxsize=1000)(self._from_accept_language)
        try:
            self.fallback = self._supported_variant(default)
        except LookupError:
            self.fallback = default

    def check_for_language(self, code: str) -> bool:
        """Whether ``code`` is a language the app can show (listed, with a catalog)."""
        return code.lower() in self.available

    def _supported_variant(self, lang_code: str | None, strict: bool = False) -> str:
        """Django's ``get_supported_language_variant``: ``"de-at"`` -> ``"de"``, ``"zh-cn"`` -> ``"zh-hans"``.

        Raises ``LookupError`` when nothing fits.
        """
        if lang_code and len(lang_code) <= 100 and language_code_re.match(lang_code):
            lang_code = lang_code.lower()
            possible = [lang_code, *FALLBACKS.get(lang_code, ())]
            i = len(lang_code)
            while (i := lang_code.rfind("-", 0, i)) > -1:
                possible.append(lang_code[:i])
            generic = possible[-1]
            for code in possible:
                if code in self.available:
                    return code
            if not strict:
                for code in self.languages:  # "fr-fr" is not there: "fr-ca" is
                    if code.startswith(generic + "-") and code in self.available:
                        return code
        raise LookupError(lang_code)

    def _from_accept_language(self, header: str) -> str:
        for accept_lang, _q in parse_accept_lang_header(header):
            if accept_lang == "*":
                break
            if not language_code_re.match(accept_lang):
                continue
            try:
                return self.supported_variant(accept_lang)
            except LookupError:
                continue
        return self.fallback

    def from_cookie(self, value: str | None) -> str | None:
        """The language a cookie names, if the app has it (or a variant of it)."""
        if not value:
            return None
        if value.lower() in self.available:
            return value.lower()
        try:
            return self.supported_variant(value)
        except LookupError:
            return None

    def from_path(self, path: str) -> str | None:
        """The language of a path's first segment (``/de/notes/`` -> ``"de"``), exactly as listed."""
        if not path.startswith("/"):
            return None
        segment = path[1:].partition("/")[0]
        return segment if segment in self.available else None

"""Translation functions, as ``django.utils.translation``: mark strings anywhere, translate them when the app can.

::

    from flaskkit.translation import gettext as _, gettext_lazy, ngettext

    TITLE = gettext_lazy("Notes")                      # a module constant: translated when shown
    _("Welcome back, %(name)s!") % {"name": user.first_name}
    ngettext("%(count)d note", "%(count)d notes", n) % {"count": n}

Every plugin marks its user-facing strings with these functions. They need
nothing installed: without the ``i18n`` plugin (or outside an app context) a
string comes back as it was written, for the cost of one dictionary lookup.
With the ``i18n`` plugin enabled, the app's translations are looked up in the
language active for the request (:func:`get_language`); :func:`override`
switches it for a block (a mail to a user in their language).

The ``i18n`` plugin re-exports all of these from ``flaskkit.plugins.i18n``.
"""

from __future__ import annotations

import contextlib
import functools
import re
import typing as t

from flask import current_app
from flask import g
from flask import has_app_context
from flask.globals import _cv_app
from markupsafe import Markup
from markupsafe import escape

__all__ = [
    "EXTENSION_KEY",
    "LazyString",
    "activate",
    "deactivate",
    "get_language",
    "get_language_bidi",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "npgettext",
    "npgettext_lazy",
    "override",
    "pgettext",
    "pgettext_lazy",
    "safe_translation",
    "to_language",
    "to_locale",
]

#: ``app.extensions[EXTENSION_KEY]`` is the app's translation provider (the ``i18n`` plugin).
EXTENSION_KEY = "flaskkit.i18n"
#: ``g`` attribute: the language :func:`activate` set in this app context.
LANGUAGE_ATTR = "_flaskkit_language"

#: Django's default ``LANGUAGE_CODE``.
DEFAULT_LANGUAGE_CODE = "en-us"

#: Right-to-left languages (Django's ``LANGUAGES_BIDI``).
LANGUAGES_BIDI = frozenset({"he", "ar", "ar-dz", "ckb", "fa", "ug", "ur"})


class Provider(t.Protocol):
    """What the ``i18n`` plugin puts in ``app.extensions[EXTENSION_KEY]``."""

    def translations(self) -> t.Any:
        """The merged catalog of the active language (``gettext``, ``ngettext``, ``pgettext``, ``npgettext``)."""

    def activate(self, language: str | None) -> None:
        """Make ``language`` (``None``: the request's or ``LANGUAGE_CODE``) the active one."""

    def get_language(self) -> str:
        """The active language code."""


def _provider() -> Provider | None:
    # Called for every string a page translates: the context variable, not has_app_context() and the proxy.
    ctx = _cv_app.get(None)
    if ctx is None:
        return None
    return t.cast("Provider | None", ctx.app.extensions.get(EXTENSION_KEY))


# -- translating ---------------------------------------------------------------------------


def gettext(message: str) -> str:
    """``message`` in the active language (as it is when there is no translation)."""
    provider = _provider()
    if provider is None:
        return str(message)
    return t.cast(str, provider.translations().gettext(str(message)))


def ngettext(singular: str, plural: str, number: int) -> str:
    """The singular or plural of a message, as the active language counts ``number``."""
    provider = _provider()
    if provider is None:
        return str(singular) if number == 1 else str(plural)
    return t.cast(str, provider.translations().ngettext(str(singular), str(plural), number))


def pgettext(context: str, message: str) -> str:
    """``message`` in the active language, told apart from the same words elsewhere by ``context``."""
    provider = _provider()
    if provider is None:
        return str(message)
    return t.cast(str, provider.translations().pgettext(context, str(message)))


def npgettext(context: str, singular: str, plural: str, number: int) -> str:
    """:func:`ngettext` with a ``context``."""
    provider = _provider()
    if provider is None:
        return str(singular) if number == 1 else str(plural)
    return t.cast(str, provider.translations().npgettext(context, str(singular), str(plural), number))


def gettext_noop(message: str) -> str:
    """Mark ``message`` for extraction without translating it (it is translated later, by its user)."""
    return message


class LazyString:
    """A string translated each time it is used (``str()``, formatting, in a template).

    What :func:`gettext_lazy` returns, for strings defined when a module is
    imported (field labels, validator messages, class attributes), long before
    a request chooses a language. Store ``str(lazy)``, never the object, where
    a value is serialised (a session, JSON: it is not JSON-serialisable, on
    purpose). In a template it is escaped as any text is.
    """

    __slots__ = ("_args", "_func")

    def __init__(self, func: t.Callable[..., str], *args: t.Any) -> None:
        self._func = func
        self._args = args

    def __str__(self) -> str:
        return str(self._func(*self._args))

    def __repr__(self) -> str:
        return f"<LazyString {str(self)!r}>"

    def __len__(self) -> int:
        return len(str(self))

    def __iter__(self) -> t.Iterator[str]:
        return iter(str(self))

    def __contains__(self, item: object) -> bool:
        return item in str(self)  # type: ignore[operator]  # a non-str raises TypeError, as in a str

    def __getitem__(self, key: t.Any) -> str:
        return str(self)[key]

    def __add__(self, other: object) -> str:
        return str(self) + str(other)

    def __radd__(self, other: object) -> str:
        return str(other) + str(self)

    def __mul__(self, other: int) -> str:
        return str(self) * other

    def __mod__(self, other: t.Any) -> str:
        return str(str(self) % other)

    def __rmod__(self, other: t.Any) -> str:
        return str(other) % str(self)

    def __eq__(self, other: object) -> bool:
        return str(self) == (str(other) if isinstance(other, LazyString) else other)

    def __lt__(self, other: object) -> bool:
        return str(self) < str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __bool__(self) -> bool:
        return bool(str(self))

    def __getattr__(self, name: str) -> t.Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(str(self), name)

    def format(self, *args: t.Any, **kwargs: t.Any) -> str:
        return str(self).format(*args, **kwargs)


def _pgettext_one(context: str, message: str) -> str:
    return pgettext(context, message)


def gettext_lazy(message: str) -> LazyString:
    """:func:`gettext`, done when the string is used rather than now."""
    return LazyString(gettext, message)


def pgettext_lazy(context: str, message: str) -> LazyString:
    """:func:`pgettext`, done when the string is used."""
    return LazyString(_pgettext_one, context, message)


def ngettext_lazy(singular: str, plural: str, number: int) -> LazyString:
    """:func:`ngettext`, done when the string is used."""
    return LazyString(ngettext, singular, plural, number)


def npgettext_lazy(context: str, singular: str, plural: str, number: int) -> LazyString:
    """:func:`npgettext`, done when the string is used."""
    return LazyString(npgettext, context, singular, plural, number)


# -- the active language -------------------------------------------------------------------


def get_language() -> str:
    """The active language (``"de"``, ``"zh-hans"``): the request's, else ``LANGUAGE_CODE``.

    Without the ``i18n`` plugin, the app's ``LANGUAGE_CODE`` (``"en-us"`` when unset).
    """
    provider = _provider()
    if provider is not None:
        return provider.get_language()
    ctx = _cv_app.get(None)
    if ctx is None:
        return DEFAULT_LANGUAGE_CODE
    return getattr(ctx.g, LANGUAGE_ATTR, None) or str(ctx.app.config.get("LANGUAGE_CODE") or DEFAULT_LANGUAGE_CODE)


def get_language_bidi() -> bool:
    """Whether the active language is written right to left."""
    return get_language().split("-")[0] in LANGUAGES_BIDI or get_language() in LANGUAGES_BIDI


def activate(language: str) -> None:
    """Make ``language`` the active language of this app context (the rest of the request, a task)."""
    provider = _provider()
    if provider is not None:
        provider.activate(language)
    elif has_app_context():
        setattr(g, LANGUAGE_ATTR, language)


def deactivate() -> None:
    """Go back to the request's language (``LANGUAGE_CODE`` outside a request)."""
    provider = _provider()
    if provider is not None:
        provider.activate(None)
    elif has_app_context() and hasattr(g, LANGUAGE_ATTR):
        delattr(g, LANGUAGE_ATTR)


@contextlib.contextmanager
def override(language: str | None) -> t.Iterator[None]:
    """The active language is ``language`` inside the block (``None``: ``LANGUAGE_CODE``). Also a decorator."""
    provider = _provider()
    previous = getattr(g, LANGUAGE_ATTR, None) if has_app_context() else None
    try:
        if language is None:
            language = str(current_app.config.get("LANGUAGE_CODE") or DEFAULT_LANGUAGE_CODE)
        if provider is not None:
            provider.activate(language)
        elif has_app_context():
            setattr(g, LANGUAGE_ATTR, language)
        yield
    finally:
        if provider is not None:
            provider.activate(previous)
        elif has_app_context():
            if previous is None:
                g.pop(LANGUAGE_ATTR, None)
            else:
                setattr(g, LANGUAGE_ATTR, previous)


def to_locale(language: str) -> str:
    """A language code to a locale name: ``"en-us"`` -> ``"en_US"``, ``"zh-hans"`` -> ``"zh_Hans"`` (Django's)."""
    lang, _, country = language.lower().partition("-")
    if not country:
        return language[:3].lower() + language[3:]
    country, _, tail = country.partition("-")
    country = country.title() if len(country) > 2 else country.upper()
    if tail:
        country += "-" + tail
    return lang + "_" + country


def to_language(locale: str) -> str:
    """A locale name to a language code: ``"en_US"`` -> ``"en-us"``."""
    lang, sep, country = locale.partition("_")
    return f"{lang.lower()}-{country.lower()}" if sep else locale.lower()


# -- translations in HTML ---------------------------------------------------------------------

_TAG = re.compile(r"<[^<>]*>")
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_TOKEN = re.compile(rf"({_TAG.pattern}|{_ENTITY.pattern})")


@functools.lru_cache(maxsize=4096)
def safe_translation(message: str, translated: str) -> Markup:
    """``translated`` as markup that can only hold the tags ``message`` (the template's own text) holds.

    A template's text is trusted, a translator's is not: a translation may move
    the tags of its message (``<a href="%(url)s">``, ``<strong>``) but cannot add
    one. Any other ``<``, ``>`` or ``&`` is escaped, so a catalog cannot inject
    markup into a page.
    """
    if translated == message:
        return Markup(message)
    allowed = set(_TAG.findall(message))
    pieces = []
    for i, piece in enumerate(_TOKEN.split(translated)):
        if i % 2 and (piece in allowed or _ENTITY.fullmatch(piece)):
            pieces.append(piece)
        else:
            pieces.append(str(escape(piece)))
    return Markup("".join(pieces))

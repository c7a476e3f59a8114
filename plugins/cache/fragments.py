"""Template fragment caching: ``{% cache timeout, "name", vary... %}...{% endcache %}``.

The tag is Flask-Caching's (its parser, its syntax); what it stores is handled
here, because Flask-Caching's ``make_template_fragment_key`` joins the vary
values with ``"_"`` (an int raises ``TypeError``, and ``("a_b", "c")`` and
``("a", "b_c")`` collide), and its extension swallows every cache error unless
the app is in debug mode and reads ``timeout=0`` as "forever". Here the key is
Django's (``template.cache.<name>.<md5 of the vary values>``), stored through the
app's cache facade (``template_fragments`` alias if there is one, else
``default``), with Django's timeouts.
"""

from __future__ import annotations

import collections.abc as cabc
import datetime as dt
import hashlib
import typing as t

from flask_caching.jinja2ext import CacheExtension
from jinja2.exceptions import TemplateRuntimeError

from .conf import DEFAULT_ALIAS
from .conf import FRAGMENT_ALIAS
from .handler import get_plugin

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["FragmentCacheExtension", "make_template_fragment_key"]


def make_template_fragment_key(fragment_name: str, vary_on: cabc.Iterable[object] = ()) -> str:
    """The cache key of a ``{% cache %}`` fragment, to invalidate it (Django's function)::

        cache.delete(make_template_fragment_key("sidebar", [user.id]))

    Give the same values, in the same order, as the tag's vary arguments.
    """
    hasher = hashlib.md5(usedforsecurity=False)
    for value in vary_on:
        hasher.update(str(value).encode())
        hasher.update(b":")
    return f"template.cache.{fragment_name}.{hasher.hexdigest()}"


class FragmentCacheExtension(CacheExtension):
    """The ``{% cache %}`` tag, added to every template of an app with the cache plugin.

    ``{% cache 300, "sidebar", user.id %}...{% endcache %}``: the timeout in
    seconds (``None`` forever, ``0`` do not cache), then an optional fragment name
    (default: the template file and line), then any values the fragment varies on.
    A timeout of ``"del"`` deletes the stored fragment and renders the body.
    """

    def _cache(  # type: ignore[override]
        self,
        timeout: object,
        fragment_name: str,
        vary_on: list[object],
        caller: t.Callable[[], str],
    ) -> str:
        app = t.cast("Flask | None", getattr(self.environment, "app", None))
        plugin = get_plugin(app)
        store = plugin.get_cache(FRAGMENT_ALIAS if FRAGMENT_ALIAS in plugin.settings else DEFAULT_ALIAS)
        key = make_template_fragment_key(fragment_name, vary_on)
        if timeout == "del":
            store.delete(key)
            return caller()
        seconds = _timeout(timeout)
        value = store.get(key)
        if value is None:
            value = caller()
            store.set(key, value, seconds)
        return t.cast(str, value)


def _timeout(value: object) -> int | float | dt.timedelta | None:
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    elif value is None or (isinstance(value, int | float | dt.timedelta) and not isinstance(value, bool)):
        return value
    raise TemplateRuntimeError(
        f"The {{% cache %}} tag takes a timeout in seconds (or None, or 'del') first, not {value!r}."
    )

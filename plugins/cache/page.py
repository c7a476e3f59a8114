"""``cache_page``: the per-view cache, with Django's rules.

Flask-Caching's ``@cache.cached`` is not used for views: at 2.5.1 it serves a
POST the cached GET body, ignores the query string (``?q=2`` gets the ``?q=1``
page), stores 500s and ``private, no-store`` responses, ignores ``Vary``, and
stores ``Set-Cookie`` and replays it to other clients (django-parity.md §3).

How a page is cached here, as Django's ``CacheMiddleware`` does:

- Only GET and HEAD are looked up and stored; any other method runs the view.
- The key holds the method, the full URL with its query string, and the values of
  the request headers that the response's ``Vary`` names (``Cookie`` included, so
  two sessions never share a page). The ``Vary`` list is learned per URL when a
  page is stored, under a second key.
- The decision to store is taken on the *final* response, after Flask has run the
  ``after_request`` functions and saved the session (which adds ``Vary: Cookie``
  and ``Set-Cookie``). The view decorator cannot see those, so it only marks the
  request; the plugin stores the page from the ``request_finished`` signal, which
  Flask sends with the final response. Nothing is connected for an app until its
  first cached view runs.
- Stored: status 200 only (a 304 gets the headers but is not stored, since it
  answers one client's conditional request). Never stored: a response that sets a
  cookie, has ``Vary: *``, or has ``Cache-Control`` ``private``, ``no-store``,
  ``no-cache`` or ``max-age=0``, or is streamed.
- A stored response gets ``Cache-Control: max-age`` (the smaller of its own and
  the timeout) and ``Expires``; a response served from the cache gets ``Age``.
- The key also holds the active language and time zone (Django's
  ``_i18n_cache_key_suffix``), so a page is never served in another language.
- A request carrying ``Authorization`` is never answered with a page stored for
  requests without it: ``Authorization`` is added to ``Vary`` when such a page is
  stored.

Where a stored page is looked up: the view function of the request's route
carries ``cache_page``'s mark (through ``functools.wraps``, also under other
decorators such as ``login_required``), so the plugin's pipeline layer
``cache.pages`` finds the page once the view is known, after the request hooks and
the ``before_request`` functions, before the view runs: no session is read, no
user loaded, no decorator of the view runs. This is where
Django's ``FetchFromCacheMiddleware`` answers (its ``request.user`` is lazy, so a
hit loads neither): the key already holds every request header the page varies
on, ``Cookie`` included, so a page stored for one session is only ever served to
requests that carry the same cookies. A miss is looked up once: the view's
``cache_page`` does not look again.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import time
import typing as t
from dataclasses import dataclass

from flask import current_app
from flask import request

from flaskkit import timezone as tz
from flaskkit import translation
from flaskkit.http import is_deciding_by_user

from .conf import DEFAULT_ALIAS
from .handler import get_plugin

if t.TYPE_CHECKING:
    from flask import Flask
    from flask import Request
    from flask import Response

    from .facade import Cache

__all__ = [
    "ENVIRON_KEY",
    "PageCacheSpec",
    "cache_page",
    "early_spec",
    "fetch_early",
    "run_cached",
    "seconds",
    "store_page",
]

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

#: ``request.environ[ENVIRON_KEY]`` marks a request whose response may be stored.
ENVIRON_KEY = "flaskkit.cache_page"
#: ``(function, spec)``: the spec that may answer before ``function`` runs, on the function ``cache_page``
#: made and on the function of a class-based view whose ``cache_timeout`` only checks of the user come
#: before (set by the views plugin's ``as_view``). ``functools.wraps`` copies it onto the decorators
#: around them, where the function in it is not the decorator: that is how a copy is told apart.
EARLY_ATTR = "__flaskkit_cache_page_early__"
#: ``request.environ[LOOKED_UP_KEY]`` is the spec whose page the ``cache.pages`` layer looked up (and missed).
LOOKED_UP_KEY = "flaskkit.cache_page.looked_up"
#: The attribute a view wrapped by :func:`cache_page` carries (read by the check ``cache.E002``).
VIEW_ATTR = "__flaskkit_cache_page__"
_CACHEABLE_METHODS = ("GET", "HEAD")
_NEVER_STORE_DIRECTIVES = ("private", "no-store", "no-cache")


@dataclass(frozen=True)
class PageCacheSpec:
    """What one ``cache_page(...)`` says."""

    #: Seconds, or ``None``: the response's ``max-age``, else the alias's ``TIMEOUT``.
    timeout: int | None
    #: The alias of ``CACHES``.
    alias: str
    #: Put in the page keys, to keep several decorated views apart (Django's ``key_prefix``).
    key_prefix: str


def cache_page(
    timeout: int | float | dt.timedelta | None,
    *,
    cache: str = DEFAULT_ALIAS,
    key_prefix: str | None = None,
) -> t.Callable[[F], F]:
    """Cache a view's responses for ``timeout`` seconds, with Django's rules.

    ::

        @app.get("/articles/")
        @cache_page(60 * 15)
        def articles(): ...

        app.add_url_rule("/posts/", view_func=cache_page(60)(PostList.as_view("posts")))

    :param timeout: seconds (an int, float or timedelta); ``None`` takes the
        response's ``max-age``, else the cache's ``TIMEOUT``.
    :param cache: the alias of ``CACHES`` to store pages in.
    :param key_prefix: added to the keys (Django's ``key_prefix``).
    """
    spec = PageCacheSpec(timeout=seconds(timeout), alias=cache, key_prefix=key_prefix or "")
    if not isinstance(cache, str):
        raise TypeError(f"cache_page(cache=...) takes the alias of a cache in CACHES, not {cache!r}.")

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def cached_view(*args: t.Any, **kwargs: t.Any) -> t.Any:
            return run_cached(spec, functools.partial(current_app.ensure_sync(view), *args, **kwargs))

        setattr(cached_view, VIEW_ATTR, spec)
        setattr(cached_view, EARLY_ATTR, (cached_view, spec))
        return t.cast(F, cached_view)

    return decorator


def run_cached(spec: PageCacheSpec, call: t.Callable[[], t.Any]) -> t.Any:
    """The stored page for this request, or ``call()``'s response, marked to be stored (``cache_page``'s work)."""
    if request.method not in _CACHEABLE_METHODS:
        return call()
    plugin = get_plugin()
    environ = request.environ
    if environ.get(LOOKED_UP_KEY) is not spec:  # the cache.pages layer has not looked it up already
        response = fetch_page(plugin.get_cache(spec.alias), spec, request)
        if response is not None:
            return response
    plugin.watch_pages(t.cast("Flask", current_app._get_current_object()))  # type: ignore[attr-defined]
    environ[ENVIRON_KEY] = spec
    return call()


def early_spec(view: object) -> PageCacheSpec | None:
    """The spec of the ``cache_page`` in ``view`` that may answer before ``view`` runs, or ``None``.

    That is when nothing stands in front of it but checks that decide from the user
    alone (:func:`flaskkit.http.decides_by_user`): they read the session, whose
    cookie is in the key of every page stored behind them. In front of any other
    decorator or mixin (one may read a header, the client's address...), the page is
    looked up where ``cache_page`` stands, after them.
    """
    func: t.Any = view
    for _ in range(100):  # a chain of decorators, each with __wrapped__ (functools.wraps)
        if func is None:
            return None
        marked = getattr(func, EARLY_ATTR, None)
        if marked is not None and marked[0] is func:  # its own mark, not a copy on a decorator
            return t.cast(PageCacheSpec, marked[1])
        if not is_deciding_by_user(func):
            return None
        func = getattr(func, "__wrapped__", None)
    return None


def fetch_early(spec: PageCacheSpec, req: Request) -> Response | None:
    """The ``cache.pages`` layer's lookup: the page stored for this request, or ``None`` (then marked looked up)."""
    if req.method not in _CACHEABLE_METHODS:
        return None
    response = fetch_page(get_plugin().get_cache(spec.alias), spec, req)
    if response is None:
        req.environ[LOOKED_UP_KEY] = spec
    return response


def seconds(timeout: object) -> int | None:
    if timeout is None:
        return None
    if isinstance(timeout, dt.timedelta):
        timeout = timeout.total_seconds()
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout >= 0:
        raise TypeError(f"cache_page(timeout) takes a number of seconds >= 0 (or a timedelta), not {timeout!r}.")
    return math.ceil(timeout)


# -- keys ------------------------------------------------------------------------------------------


def _digest(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _headers_key(spec: PageCacheSpec, url_digest: str) -> str:
    return f"flaskkit.cache_page.headers.{spec.key_prefix}.{url_digest}"


def _page_key(spec: PageCacheSpec, method: str, url_digest: str, vary: list[str], req: Request) -> str:
    headers = req.headers
    values = "\n".join([f"{name}:{headers.get(name)!r}" for name in vary])
    return f"flaskkit.cache_page.page.{spec.key_prefix}.{method}.{url_digest}.{_digest(values)}{_locale_suffix()}"


def _locale_suffix() -> str:
    """Django's ``_i18n_cache_key_suffix``: the active language and time zone are part of the key.

    ``Vary`` keeps apart what the request headers choose; this also keeps apart what
    the app chose otherwise (a language or time zone from the user's profile).
    """
    return f".{translation.get_language()}.{tz.get_current_timezone_name()}"


def _vary(response: Response) -> list[str]:
    names = {part.strip().lower() for value in response.headers.getlist("Vary") for part in value.split(",")}
    names.discard("")
    return sorted(names)


def _cache_control(response: Response) -> dict[str, str | None]:
    directives: dict[str, str | None] = {}
    for value in response.headers.getlist("Cache-Control"):
        for part in value.split(","):
            name, sep, arg = part.strip().partition("=")
            if name:
                directives[name.lower()] = arg.strip().strip('"') if sep else None
    return directives


def _max_age(directives: dict[str, str | None]) -> int | None:
    try:
        return int(directives["max-age"] or "")
    except (KeyError, ValueError):
        return None


# -- fetch -----------------------------------------------------------------------------------------


def _url_digest(req: Request) -> str:
    """The digest of the request's full URL, query string included, as the request sent it.

    From the WSGI environ, not ``request.url`` (which also decodes the URL into an IRI:
    work a key does not need, on every lookup).
    """
    environ = req.environ
    return _digest(
        f"{environ.get('wsgi.url_scheme')}://{req.host}{environ.get('SCRIPT_NAME', '')}"
        f"{environ.get('PATH_INFO', '')}?{environ.get('QUERY_STRING', '')}"
    )


def fetch_page(store: Cache, spec: PageCacheSpec, req: Request) -> Response | None:
    """The stored response for this request, or ``None``."""
    url_digest = _url_digest(req)
    vary = store.get(_headers_key(spec, url_digest))
    if vary is None:
        return None
    if "Authorization" in req.headers and "authorization" not in vary:
        return None  # stored for requests without credentials
    entry = store.get(_page_key(spec, "GET", url_digest, vary, req))
    if entry is None and req.method == "HEAD":
        entry = store.get(_page_key(spec, "HEAD", url_digest, vary, req))
    if entry is None:
        return None
    status, headers, body, stored_at = entry
    response = t.cast("Response", current_app.response_class(body, status=status, headers=headers))
    response.headers["Age"] = str(max(0, int(time.time() - stored_at)))
    return response


# -- store -----------------------------------------------------------------------------------------


def store_page(store: Cache, spec: PageCacheSpec, req: Request, response: Response) -> None:
    """Store ``response`` (the final one) if Django's rules allow; patch its caching headers."""
    if response.is_streamed or response.direct_passthrough:
        return
    if response.status_code not in (200, 304):
        return
    if response.headers.getlist("Set-Cookie"):
        return  # user-specific: never replayed to anyone else
    directives = _cache_control(response)
    if any(name in directives for name in _NEVER_STORE_DIRECTIVES):
        return
    max_age = _max_age(directives)
    if max_age == 0:
        return
    if "Authorization" in req.headers:
        response.vary.add("Authorization")
    vary = _vary(response)
    if "*" in vary:
        return
    timeout = spec.timeout
    if timeout is None:
        timeout = max_age if max_age is not None else store.get_backend_timeout()
    if timeout is not None:
        _patch_response_headers(response, timeout)
    if response.status_code != 200 or timeout == 0:
        return
    url_digest = _url_digest(req)
    # One list of header names per URL, as Django; merged with the one already learned,
    # so that pages stored with a longer list stay reachable (a key made from more
    # headers than the response varies on is only more specific, never shared wider).
    vary = sorted(set(vary).union(store.get(_headers_key(spec, url_digest)) or ()))
    entry = (response.status_code, list(response.headers.items()), response.get_data(), time.time())
    store.set(_headers_key(spec, url_digest), vary, timeout)
    store.set(_page_key(spec, req.method, url_digest, vary, req), entry, timeout)


def _patch_response_headers(response: Response, timeout: int) -> None:
    """Django's ``patch_response_headers``: ``Expires`` unless set, and ``max-age`` at most ``timeout``."""
    if "Expires" not in response.headers:
        response.expires = time.time() + timeout  # type: ignore[assignment]
    current = response.cache_control.max_age
    response.cache_control.max_age = timeout if current is None else min(current, timeout)

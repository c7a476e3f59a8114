"""The ``cache`` plugin: Django's cache framework on cachelib (the backends of Flask-Caching).

::

    # settings.py
    PLUGINS = ["cache"]
    CACHES = {
        "default": {"BACKEND": "redis", "TIMEOUT": 300},    # LOCATION defaults to REDIS_URL
        "local": {"BACKEND": "locmem"},
    }

    # anywhere
    from flaskkit.plugins.cache import cache, caches, cache_page

    cache.set("key", "value", timeout=60)
    caches["local"].get_or_set("expensive", compute)

    @app.get("/articles/")
    @cache_page(60 * 15)
    def articles(): ...

and in every template, ``{% cache 300, "sidebar", user.id %}...{% endcache %}``.
See docs/plugins/cache.md.
"""

from __future__ import annotations

import threading
import typing as t

from flask import request
from flask import request_finished

from flaskkit import Plugin
from flaskkit.checks import DATABASE
from flaskkit.checks import DEPLOY
from flaskkit.checks import CheckMessage
from flaskkit.checks import check
from flaskkit.pipeline import MIDDLEWARE_GROUP
from flaskkit.pipeline import Layer
from flaskkit.services import Service
from flaskkit.services import register_service
from flaskkit.services import safe_url

from . import checks as _checks
from .conf import CacheSettings
from .conf import parse_caches
from .facade import DEFAULT_TIMEOUT
from .facade import Cache
from .fragments import FragmentCacheExtension
from .fragments import make_template_fragment_key
from .handler import EXTENSION_KEY
from .handler import InvalidCacheAliasError
from .handler import cache
from .handler import caches
from .handler import unknown_alias
from .page import ENVIRON_KEY
from .page import PageCacheSpec
from .page import cache_page
from .page import early_spec
from .page import fetch_early
from .page import store_page

if t.TYPE_CHECKING:
    from flask import Flask
    from flask import Request
    from flask import Response

__all__ = [
    "DEFAULT_TIMEOUT",
    "Cache",
    "CachePlugin",
    "InvalidCacheAliasError",
    "cache",
    "cache_page",
    "caches",
    "make_template_fragment_key",
]


class CachePlugin(Plugin):
    """Django's ``CACHES`` for a Flask app: ``cache``, ``caches``, ``cache_page`` and ``{% cache %}``.

    One instance per app holds that app's caches (created on first use: nothing
    connects at boot). ``app.extensions["flaskkit.cache"]`` is the instance.
    """

    name = "cache"
    extra = "cache"
    #: The default ``CACHES`` (one in-process cache) and ``REDIS_URL`` (the
    #: ``redis`` backend's default LOCATION; the environment variable of the same
    #: name is read when the setting is empty).
    defaults: t.ClassVar[t.Mapping[str, t.Any]] = {
        "CACHES": {"default": {"BACKEND": "locmem"}},
        "REDIS_URL": None,
    }

    def __init__(self) -> None:
        #: alias -> validated settings, in ``CACHES`` order (set by :meth:`configure`).
        self.settings: dict[str, CacheSettings] = {}
        self._caches: dict[str, Cache] = {}
        self._watching_pages = False
        self._lock = threading.Lock()

    # -- phases -------------------------------------------------------------------------------

    def configure(self, app: Flask) -> None:
        self.settings = parse_caches(app)

    def init_app(self, app: Flask) -> None:
        self._caches = self._make_caches()
        for alias, made in self._caches.items():
            made.service = _redis_service(app, alias, self.settings[alias], made)
        app.extensions[EXTENSION_KEY] = self
        _add_jinja_extension(app)
        app.shell_context_processor(lambda: {"cache": cache, "caches": caches})

    def _make_caches(self) -> dict[str, Cache]:
        # Aliases of the locmem backend that name the same LOCATION share one store
        # (as Django's do); an alias without a LOCATION has a store of its own.
        made: dict[str, Cache] = {}
        shared: dict[str, Cache] = {}
        for alias, entry in self.settings.items():
            made[alias] = Cache(entry)
            if entry.builtin == "locmem" and entry.location:
                first = shared.setdefault(entry.location, made[alias])
                if first is not made[alias]:
                    made[alias]._backend = first.backend
        return made

    def layers(self, app: Flask) -> t.Iterable[Layer]:
        # view function -> the spec that may answer before it runs (None: not cached, or not early).
        early: dict[t.Any, PageCacheSpec | None] = {}

        def fetch_page(req: Request, view: t.Any, view_args: dict[str, t.Any]) -> Response | None:
            try:
                spec = early[view]
            except KeyError:
                spec = early[view] = early_spec(view)
                if spec is not None and spec.alias not in self._caches:
                    spec = early[view] = None  # the view's own check names the missing alias
            except TypeError:  # an unhashable view object
                return None
            return fetch_early(spec, req) if spec is not None else None

        # A view hook, as Django's FetchFromCacheMiddleware is the innermost middleware: after every
        # request hook and every before_request function of the app and its blueprints (which may
        # refuse the request for reasons of their own), once the view is known, before it runs.
        # Inside MIDDLEWARE, whose response hooks (security headers) see the stored page too, and
        # inside the layer that chooses the language, which is part of the key.
        yield Layer(
            "cache.pages",
            view=fetch_page,
            under=(MIDDLEWARE_GROUP, "i18n.locale"),
            description="cache_page: a stored page answers before the session, the user and the view",
        )

    # -- the caches ---------------------------------------------------------------------------

    def get_cache(self, alias: str = "default") -> Cache:
        """The cache of ``alias`` for this plugin's app (``caches[alias]`` within a request)."""
        try:
            return self._caches[alias]
        except KeyError:
            raise unknown_alias(alias, self.settings) from None

    # -- cache_page -------------------------------------------------------------------------------

    def watch_pages(self, app: Flask) -> None:
        """Start storing the responses of :func:`cache_page` views of ``app`` (once, on first use)."""
        if self._watching_pages:
            return
        with self._lock:
            if not self._watching_pages:
                request_finished.connect(self._store_page, app)
                self._watching_pages = True

    def _store_page(self, sender: Flask, response: Response, **extra: t.Any) -> None:
        spec = request.environ.pop(ENVIRON_KEY, None)
        if spec is not None:
            store_page(self.get_cache(spec.alias), spec, request, response)

    # -- checks -------------------------------------------------------------------------------

    def checks(self, app: Flask) -> t.Iterable[CheckMessage]:
        yield from _checks.check_flask_caching_settings(app)
        yield from _checks.check_file_locations(self.settings)
        yield from _checks.check_page_aliases(app, self.settings)

    @check(DEPLOY)
    def check_deploy(self, app: Flask) -> t.Iterable[CheckMessage]:
        yield from _checks.check_dummy_backend(self.settings)
        yield from _checks.check_redis_prefix(self.settings)

    @check(DATABASE)
    def check_redis(self, app: Flask) -> t.Iterable[CheckMessage]:
        return _checks.check_redis_reachable(self.settings)


def _redis_service(app: Flask, alias: str, entry: CacheSettings, made: Cache) -> Service | None:
    """The Redis server of a ``redis`` alias, registered for the app (what the log and ``/readyz`` name)."""
    if entry.builtin != "redis" or not entry.location:
        return None
    given = app.config.get("CACHES", {}).get(alias, {})
    setting = f"CACHES[{alias!r}]['LOCATION']" if isinstance(given, dict) and given.get("LOCATION") else "REDIS_URL"
    return register_service(
        app, Service("Redis", safe_url(entry.location), setting, probe=lambda: made.backend.client.ping())
    )


def _add_jinja_extension(app: Flask) -> None:
    """``{% cache %}`` in every template of the app (before or after its Jinja environment exists)."""
    if "jinja_env" in app.__dict__:  # already created (a cached property)
        app.jinja_env.add_extension(FragmentCacheExtension)
        return
    options = dict(app.jinja_options)
    options["extensions"] = [*options.get("extensions", ()), FragmentCacheExtension]
    app.jinja_options = options

"""The request's language, as Django's ``LocaleMiddleware`` chooses it, and the language prefix of URLs.

Two layers of the request pipeline (``flask kit middleware`` shows them):

``i18n.url_prefix`` (WSGI)
    A path starting with a language of the app (``/de/notes/``) is served as
    ``/notes/`` with ``/de`` moved to the script name: every route of the app
    answers under every language prefix, and ``url_for`` keeps the prefix in
    the links of a prefixed page. The language is noted for the next layer.

``i18n.locale`` (request and response)
    Chooses the language: the URL prefix, then the ``LANGUAGE_COOKIE_NAME``
    cookie, then ``Accept-Language``, then ``LANGUAGE_CODE``; activates it (and
    the time zone of ``TIME_ZONE_SELECTOR``). The routes of ``I18N_PATTERNS``
    always carry their language: reached without a prefix, they redirect to the
    prefixed URL (``PREFIX_DEFAULT_LANGUAGE = True``, Django's default) or are
    in ``LANGUAGE_CODE`` (``False``). The response gets ``Content-Language``
    and, unless the language came from the URL, ``Vary: Accept-Language, Cookie``
    so that a cache (``cache_page``, a proxy) keeps the languages apart.
"""

from __future__ import annotations

import typing as t
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from flask import redirect
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from flaskkit import timezone
from flaskkit.http import request_cookie

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIApplication
    from _typeshed.wsgi import WSGIEnvironment
    from flask import Flask
    from flask import Request
    from werkzeug.wrappers import Response

    from . import I18nPlugin

__all__ = ["ENVIRON_LANGUAGE", "ENVIRON_SCRIPT_NAME", "LocaleLayer", "translate_url"]

#: ``environ[ENVIRON_LANGUAGE]``: the language of the URL prefix, set by the WSGI layer.
ENVIRON_LANGUAGE = "flaskkit.i18n.language"
#: ``environ[ENVIRON_SCRIPT_NAME]``: the script name before the prefix was moved into it.
ENVIRON_SCRIPT_NAME = "flaskkit.i18n.script_name"
#: ``request`` attribute: whether the request's language came from its URL.
FROM_PATH_ATTR = "_flaskkit_language_from_path"


class PrefixMiddleware:
    """WSGI: ``/de/notes/`` becomes ``/notes/`` under the script name ``/de``."""

    def __init__(self, wsgi_app: WSGIApplication, plugin: I18nPlugin) -> None:
        self.wsgi_app = wsgi_app
        self.plugin = plugin

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> t.Iterable[bytes]:
        path = environ.get("PATH_INFO") or ""
        language = self.plugin.chooser.from_path(path)
        if language is not None:
            script_name = environ.get("SCRIPT_NAME", "")
            environ[ENVIRON_SCRIPT_NAME] = script_name
            environ[ENVIRON_LANGUAGE] = language
            environ["SCRIPT_NAME"] = f"{script_name}/{language}"
            environ["PATH_INFO"] = path[len(language) + 1 :]
        return self.wsgi_app(environ, start_response)


class LocaleLayer:
    """The request and response hooks of ``i18n.locale``."""

    def __init__(self, plugin: I18nPlugin) -> None:
        self.plugin = plugin

    def request(self, req: Request) -> Response | None:
        plugin = self.plugin
        settings = plugin.settings
        chooser = plugin.chooser
        language = req.environ.get(ENVIRON_LANGUAGE)
        from_path = language is not None
        setattr(req, FROM_PATH_ATTR, from_path)
        i18n_route = not from_path and plugin.patterns.matches(req)
        if from_path:
            pass
        elif i18n_route and not settings.prefix_default_language:
            language = chooser.fallback  # Django: an unprefixed i18n URL is in LANGUAGE_CODE
        else:
            language = chooser.from_cookie(request_cookie(req, settings.cookie_name))
            if language is None:
                language = chooser.from_accept_language(req.headers.get("Accept-Language", ""))
        plugin.activate(language)
        req.LANGUAGE_CODE = language  # type: ignore[attr-defined]  # Django's request.LANGUAGE_CODE
        if settings.timezone_selector is not None:
            zone = settings.timezone_selector()
            if zone:
                try:
                    timezone.activate(zone)
                except ValueError:
                    plugin.logger.warning("TIME_ZONE_SELECTOR returned %r, which is not a time zone", zone)
        if i18n_route and settings.prefix_default_language and req.method in ("GET", "HEAD"):
            return self._redirect_to_prefixed(req, language)
        return None

    def _redirect_to_prefixed(self, req: Request, language: str) -> Response:
        location = f"{req.script_root}/{language}{req.path}"
        query = req.query_string.decode("latin-1")
        return redirect(f"{location}?{query}" if query else location, 302)

    def response(self, req: Request, response: Response) -> Response:
        if not getattr(req, FROM_PATH_ATTR, False):
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        if "Content-Language" not in response.headers:
            response.headers["Content-Language"] = self.plugin.get_language()
        return response


class Patterns:
    """The routes of ``I18N_PATTERNS`` and :func:`i18n_patterns`: blueprints and endpoints."""

    def __init__(self, names: t.Iterable[str] = ()) -> None:
        self.blueprints: set[str] = set()
        self.endpoints: set[str] = set()
        for name in names:
            self.add(name)

    def add(self, name: str) -> None:
        if name.endswith("."):
            self.blueprints.add(name[:-1])
        else:
            # A name is a blueprint or an endpoint: both are tried.
            self.blueprints.add(name)
            self.endpoints.add(name)

    def __bool__(self) -> bool:
        return bool(self.blueprints or self.endpoints)

    def covers(self, endpoint: str | None) -> bool:
        if not endpoint or not self:
            return False
        if endpoint in self.endpoints:
            return True
        blueprint = endpoint
        while "." in blueprint:
            blueprint = blueprint.rpartition(".")[0]
            if blueprint in self.blueprints:
                return True
        return False

    def matches(self, req: Request) -> bool:
        return self.covers(req.url_rule.endpoint if req.url_rule is not None else None)


def translate_url(app: Flask, plugin: I18nPlugin, url: str, language: str, environ: WSGIEnvironment) -> str:
    """``url`` (one of this site's) in ``language``: its language prefix replaced, or added for an i18n route.

    Django's ``translate_url``: a URL that does not carry a language and is not
    one of ``I18N_PATTERNS`` stays as it is (the cookie decides its language).
    """
    parts = urlsplit(url)
    root = environ.get(ENVIRON_SCRIPT_NAME, environ.get("SCRIPT_NAME", ""))
    path = parts.path
    if not path.startswith(root + "/"):
        return url
    rest = path[len(root) :]
    current = plugin.chooser.from_path(rest)
    if current is not None:
        rest = rest[len(current) + 1 :] or "/"
    elif not plugin.patterns.covers(_endpoint(app, rest)):
        return url
    default_unprefixed = not plugin.settings.prefix_default_language and language == plugin.chooser.fallback
    new_path = root + rest if default_unprefixed else f"{root}/{language}{rest}"
    return urlunsplit((parts.scheme, parts.netloc, new_path, parts.query, parts.fragment))


def _endpoint(app: Flask, path: str) -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(path, method="GET")
    except RequestRedirect as redirect_exc:  # "/notes" -> "/notes/": the route it redirects to
        try:
            endpoint, _args = adapter.match(urlsplit(redirect_exc.new_url).path, method="GET")
        except HTTPException:
            return None
    except HTTPException:
        return None
    return str(endpoint)

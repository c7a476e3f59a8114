"""``View``, ``TemplateView`` and ``RedirectView``: Django's ``django.views.generic.base`` on Flask's ``View``.

What differs from ``flask.views.View``, so that Django's class-based views and
mixins work as they do in Django:

* ``as_view(name=None, /, **initkwargs)``: every keyword must be an attribute
  the class already has (a ``TypeError`` otherwise, as in Django); it is set on
  the instance made for each request. The endpoint name is optional: without
  one it is derived (see :meth:`View.get_endpoint_name`).
* Each request gets a new instance; :meth:`View.setup` stores ``self.request``,
  ``self.args`` and ``self.kwargs`` (the URL arguments), then
  :meth:`View.dispatch` calls the handler named after the HTTP method
  (``get``, ``post``...). Mixins override ``dispatch`` and call ``super()``.
* The route accepts the methods the class has a handler for (as Flask's
  ``MethodView``), ``OPTIONS`` answered by :meth:`View.options`; ``HEAD`` runs
  ``get`` when there is no ``head``. Other methods get a 405 with ``Allow``.
* ``decorators`` (Flask's) wrap the view function; ``cache_timeout`` caches
  GET/HEAD responses with the cache plugin's ``cache_page``, inside ``dispatch``,
  so after the access checks of the mixins.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import logging
import typing as t
import weakref

from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask.views import View as FlaskView
from werkzeug.exceptions import Gone
from werkzeug.exceptions import MethodNotAllowed

from flaskkit import ConfigurationError

from .names import class_endpoint
from .names import slug_endpoint
from .names import template_endpoint
from .urls import LazyURL

if t.TYPE_CHECKING:
    import collections.abc as cabc

    from flask import Flask
    from flask import Request
    from flask import Response
    from flask.typing import ResponseReturnValue
    from flask.typing import RouteCallable

__all__ = ["ContextMixin", "RedirectView", "TemplateResponseMixin", "TemplateView", "View", "option"]

logger = logging.getLogger("flaskkit.views")

#: The handler names ``dispatch`` knows, in Django's order.
HTTP_METHOD_NAMES = ["get", "post", "put", "patch", "delete", "head", "options", "trace"]

#: The folder of the templates the plugin ships (``views/object_list.html``...).
FALLBACK_FOLDER = "views"


def option(cls: type[t.Any], initkwargs: cabc.Mapping[str, t.Any], name: str) -> t.Any:
    """The value an instance made with ``initkwargs`` will see for the attribute ``name``."""
    return initkwargs[name] if name in initkwargs else getattr(cls, name, None)


def _allowed_methods(obj: t.Any, method_names: t.Iterable[str]) -> list[str]:
    allowed = []
    for method in method_names:
        if hasattr(obj, method) or (method == "head" and hasattr(obj, "get")):
            allowed.append(method.upper())
    return allowed


@functools.lru_cache(maxsize=256)
def _page_cache_spec(timeout: t.Any, alias: str) -> t.Any:
    """One ``cache_page`` spec per ``(cache_timeout, cache_alias)``, made once (not per request)."""
    from flaskkit.plugins.cache.page import PageCacheSpec
    from flaskkit.plugins.cache.page import seconds

    return PageCacheSpec(timeout=seconds(timeout), alias=alias, key_prefix="")


def _mark_early_cache(view: t.Any, cls: type[View], initkwargs: cabc.Mapping[str, t.Any]) -> None:
    """Let the cache plugin answer a ``cache_timeout`` view's stored page before the view runs.

    Only when every ``dispatch`` in front of :meth:`View.dispatch` decides from the
    user alone (``LoginRequiredMixin``...): they read the session, whose cookie is in
    the page's key. Otherwise the page is looked up in ``dispatch``, after them.
    """
    timeout = option(cls, initkwargs, "cache_timeout")
    if timeout is None or "dispatch" in initkwargs:
        return
    from flaskkit.http import is_deciding_by_user

    for klass in cls.__mro__:
        own = vars(klass).get("dispatch")
        if own is None:
            continue
        if own is View.__dict__["dispatch"]:
            break
        if not is_deciding_by_user(own) or not _checks_only_the_user(cls, klass):
            return
    from flaskkit.plugins.cache.page import EARLY_ATTR

    setattr(view, EARLY_ATTR, (view, _page_cache_spec(timeout, option(cls, initkwargs, "cache_alias"))))


def _checks_only_the_user(cls: type[t.Any], mixin: type[t.Any]) -> bool:
    """Whether ``cls`` keeps ``mixin``'s own hooks that its ``dispatch`` calls (``has_permission``...)."""
    return all(getattr(cls, name) is getattr(mixin, name) for name in _ACCESS_HOOKS if name in vars(mixin))


#: The methods an access mixin's dispatch calls to decide; overriding one may read more than the user.
_ACCESS_HOOKS = ("has_permission", "get_permission_required", "test_func", "get_test_func")


class View(FlaskView):
    """The base of every class-based view, as Django's ``django.views.View``.

    ::

        class Hello(View):
            greeting = "Hello"

            def get(self, name):
                return f"{self.greeting}, {name}!"

        app.add_url_rule("/hello/<name>", view_func=Hello.as_view("hello", greeting="Hi"))
    """

    #: The handler names :meth:`dispatch` may call; restrict it to refuse methods.
    http_method_names: list[str] = list(HTTP_METHOD_NAMES)

    #: Cache GET and HEAD responses for this many seconds with the cache plugin's
    #: ``cache_page`` (Django's rules: only 200s without cookies, keyed on the URL and
    #: the ``Vary`` headers). ``None``: not cached. Needs ``"cache"`` in ``PLUGINS``.
    cache_timeout: int | float | dt.timedelta | None = None

    #: The alias of ``CACHES`` that :attr:`cache_timeout` stores pages in.
    cache_alias: str = "default"

    #: The current request (set by :meth:`setup`).
    request: Request
    #: Positional URL arguments (Flask routes have none; kept for Django code).
    args: tuple[t.Any, ...]
    #: The URL arguments of the route (``<int:pk>`` -> ``self.kwargs["pk"]``).
    kwargs: dict[str, t.Any]

    def __init__(self, **kwargs: t.Any) -> None:
        # Called by as_view() with its keywords, checked there.
        for key, value in kwargs.items():
            setattr(self, key, value)

    # -- registration ----------------------------------------------------------------------

    @classmethod
    def as_view(  # type: ignore[override]
        cls, name: str | None = None, /, *class_args: t.Any, **initkwargs: t.Any
    ) -> RouteCallable:
        """The view function of this class, for ``add_url_rule(..., view_func=...)``.

        ``name`` is the endpoint (``url_for(name)``); without it, see
        :meth:`get_endpoint_name`. Each keyword sets the attribute of that name
        on the instance made for each request; it must be one the class has.
        ``decorators`` and ``methods`` may be given here too.
        """
        if class_args:
            raise TypeError(
                f"{cls.__name__}.as_view() takes the endpoint name and keyword arguments only, "
                f"not the positional arguments {class_args!r}."
            )
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{cls.__name__}.as_view() takes the endpoint name as a string, not {name!r}.")
        if not cls.init_every_request:
            raise TypeError(
                f"{cls.__name__}.init_every_request is False, but flaskkit's views keep the request on the "
                "instance (self.request): each request needs its own instance. Remove init_every_request."
            )
        for key in initkwargs:
            if key in cls.http_method_names:
                raise TypeError(f"The method name {key} is not accepted as a keyword argument to {cls.__name__}().")
            if not hasattr(cls, key):
                raise TypeError(
                    f"{cls.__name__}() received an invalid keyword {key!r}. as_view only accepts arguments "
                    "that are already attributes of the class."
                )
        cls.check_configuration(initkwargs)
        endpoint = name if name is not None else cls.get_endpoint_name(initkwargs)

        checked_apps: weakref.WeakSet[Flask] = weakref.WeakSet()

        def view(*args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            if app not in checked_apps:
                # Once per app, at the view's first request: its route and settings (routes added
                # after the boot's checks are seen here; Flask has no hook for a new route).
                from .registration import check_registered_view

                endpoint = t.cast(str, request.endpoint)
                check_registered_view(app, endpoint, app.view_functions[endpoint])
                checked_apps.add(app)
            self = view.view_class(**initkwargs)  # type: ignore[attr-defined]
            self.setup(*args, **kwargs)
            if not hasattr(self, "request"):
                raise AttributeError(
                    f"{cls.__name__} instance has no 'request' attribute. Did you override setup() and "
                    "forget to call super()?"
                )
            return app.ensure_sync(self.dispatch)(*args, **kwargs)  # type: ignore[no-any-return]

        _mark_early_cache(view, cls, initkwargs)  # on the function itself, under any decorators
        decorators = option(cls, initkwargs, "decorators") or ()
        if decorators:
            view.__name__ = endpoint
            view.__module__ = cls.__module__
            for decorator in decorators:
                view = decorator(view)

        view.view_class = cls  # type: ignore[attr-defined]
        view.view_initkwargs = initkwargs  # type: ignore[attr-defined]
        view.__name__ = endpoint
        view.__qualname__ = endpoint
        view.__doc__ = cls.__doc__
        view.__module__ = cls.__module__
        # Marks that decorators put on dispatch() (method_decorator(csrf_exempt, name="dispatch"),
        # non_atomic...) must be seen on the view function, where Flask and the plugins look.
        view.__dict__.update({k: v for k, v in getattr(cls.dispatch, "__dict__", {}).items() if k[:2] != "__"})
        method_names = option(cls, initkwargs, "http_method_names")
        methods = option(cls, initkwargs, "methods")
        view.methods = methods if methods is not None else _allowed_methods(cls, method_names)  # type: ignore[attr-defined]
        automatic = option(cls, initkwargs, "provide_automatic_options")
        if automatic is None:
            automatic = not ("options" in method_names and hasattr(cls, "options"))
        view.provide_automatic_options = automatic  # type: ignore[attr-defined]
        return view

    @classmethod
    def get_endpoint_name(cls, initkwargs: cabc.Mapping[str, t.Any]) -> str:
        """The endpoint when ``as_view()`` gets no name.

        A class of your own: its name in snake case without a trailing ``View``
        (``PostList`` -> ``post_list``, ``AboutView`` -> ``about``). A generic
        view of this plugin used as it is: a name from what it shows
        (``ListView.as_view(model=Post)`` -> ``post_list``, ``TemplateView.as_view(
        template_name="pages/about.html")`` -> ``pages_about``).
        """
        if cls.__dict__.get("_kit_generic"):
            derived = cls.generic_endpoint(initkwargs)
            if derived:
                return derived
        return class_endpoint(cls)

    @classmethod
    def generic_endpoint(cls, initkwargs: cabc.Mapping[str, t.Any]) -> str | None:
        """The endpoint of this generic view used as it is, from its options (``None``: the class name)."""
        return None

    @classmethod
    def check_configuration(cls, initkwargs: cabc.Mapping[str, t.Any]) -> None:
        """Refuse, when ``as_view()`` is called, options that cannot work (a ``ConfigurationError``).

        Generic views check what Django only finds at the first request (no
        model, no template...). Call ``super()`` when you override it.
        """
        timeout = option(cls, initkwargs, "cache_timeout")
        if timeout is not None and (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float | dt.timedelta)
            or (timeout.total_seconds() if isinstance(timeout, dt.timedelta) else timeout) < 0
        ):
            raise ConfigurationError(
                f"{cls.__name__}.cache_timeout must be a number of seconds >= 0 (or a timedelta), not {timeout!r}.",
                hint="Write cache_timeout = 60 * 15, or None to cache nothing.",
            )
        alias = option(cls, initkwargs, "cache_alias")
        if not isinstance(alias, str):
            raise ConfigurationError(
                f"{cls.__name__}.cache_alias must be the alias of a cache in CACHES, not {alias!r}.",
                hint='Write cache_alias = "default".',
            )

    @classmethod
    def check_route(cls, initkwargs: cabc.Mapping[str, t.Any], endpoint: str, arguments: t.Collection[str]) -> None:
        """Refuse a route that cannot work for this view; called when it is registered on an app.

        ``arguments`` are the route's URL arguments (and defaults). Generic views
        that load one object need a ``pk`` or ``slug`` among them.
        """

    # -- the request ---------------------------------------------------------------------------

    def setup(self, *args: t.Any, **kwargs: t.Any) -> None:
        """Store the request and the URL arguments on the instance (before :meth:`dispatch`)."""
        self.request = request._get_current_object()  # type: ignore[attr-defined]
        self.args = args
        self.kwargs = kwargs

    def dispatch(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        """Call the handler of the request's method (``get``, ``post``...), or :meth:`http_method_not_allowed`.

        ``HEAD`` runs ``get`` when the class has no ``head``. With
        :attr:`cache_timeout`, GET and HEAD responses are cached.
        """
        method = self.request.method.lower()
        handler = None
        if method in self.http_method_names:
            handler = getattr(self, method, None)
            if handler is None and method == "head":
                handler = getattr(self, "get", None)
        if handler is None:
            return self.http_method_not_allowed(*args, **kwargs)
        if _is_async(handler):
            handler = current_app.ensure_sync(handler)
        spec = self._page_cache_spec()
        if spec is not None:
            from flaskkit.plugins.cache.page import run_cached

            return run_cached(spec, functools.partial(handler, *args, **kwargs))  # type: ignore[no-any-return]
        return handler(*args, **kwargs)  # type: ignore[no-any-return]

    def _page_cache_spec(self) -> t.Any:
        """``cache_page``'s spec of :attr:`cache_timeout` and :attr:`cache_alias` (made once per class and values)."""
        if self.cache_timeout is None:
            return None
        return _page_cache_spec(self.cache_timeout, self.cache_alias)

    def dispatch_request(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        """Flask's entry point, for code that calls it: the same as :meth:`dispatch`."""
        return self.dispatch(*args, **kwargs)

    def http_method_not_allowed(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        """Answer 405 Method Not Allowed, with the ``Allow`` header (raised, so the app's 405 page shows)."""
        logger.warning("Method Not Allowed (%s): %s", self.request.method, self.request.path)
        raise MethodNotAllowed(valid_methods=self._allowed_methods())

    def options(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        """Answer ``OPTIONS``: 200, no body, ``Allow`` listing the methods this view handles."""
        response = current_app.response_class(status=200)
        response.headers["Allow"] = ", ".join(self._allowed_methods())
        return response

    def _allowed_methods(self) -> list[str]:
        return _allowed_methods(self, self.http_method_names)


class ContextMixin:
    """``get_context_data()``: the template context, with ``view`` and :attr:`extra_context`."""

    #: Added to every context.
    extra_context: cabc.Mapping[str, t.Any] | None = None

    def get_context_data(self, **kwargs: t.Any) -> dict[str, t.Any]:
        kwargs.setdefault("view", self)
        if self.extra_context is not None:
            kwargs.update(self.extra_context)
        return kwargs


class TemplateResponseMixin:
    """Renders a template, chosen among :meth:`get_template_names`, into a response."""

    #: The template to render. Generic views derive one from their model when it is not set.
    template_name: str | None = None
    #: The response's content type (default: the app's, ``text/html; charset=utf-8``).
    content_type: str | None = None

    def render_to_response(self, context: dict[str, t.Any], **response_kwargs: t.Any) -> Response:
        """Render the first template of :meth:`get_template_names` that exists, with ``context``.

        ``response_kwargs`` go to the response class (``status=...``, ``headers=...``).
        """
        if self.content_type is not None:
            response_kwargs.setdefault("content_type", self.content_type)
        body = render_template(self.get_template_names(), **context)
        return t.cast("Response", current_app.response_class(body, **response_kwargs))

    def get_template_names(self) -> list[str]:
        """The templates to try, in order: ``[template_name]`` here."""
        if self.template_name is None:
            raise ConfigurationError(
                f"{type(self).__name__} requires either a definition of 'template_name' or an implementation of "
                "'get_template_names()'."
            )
        return [self.template_name]


class TemplateView(TemplateResponseMixin, ContextMixin, View):
    """Render :attr:`template_name` with the URL arguments and ``view`` in the context.

    ::

        app.add_url_rule("/about/", view_func=TemplateView.as_view(template_name="about.html"))
    """

    _kit_generic = True

    def get(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        context = self.get_context_data(**kwargs)
        return self.render_to_response(context)

    @classmethod
    def check_configuration(cls, initkwargs: cabc.Mapping[str, t.Any]) -> None:
        super().check_configuration(initkwargs)
        if (
            option(cls, initkwargs, "template_name") is None
            and cls.get_template_names is TemplateResponseMixin.get_template_names
        ):
            raise ConfigurationError(
                f"{cls.__name__} needs a template: set template_name (or override get_template_names()).",
                hint=f'Write {cls.__name__}.as_view(template_name="about.html").',
            )

    @classmethod
    def generic_endpoint(cls, initkwargs: cabc.Mapping[str, t.Any]) -> str | None:
        template_name = option(cls, initkwargs, "template_name")
        return template_endpoint(template_name) if isinstance(template_name, str) else None


class RedirectView(View):
    """Redirect to :attr:`url` or to the URL of the endpoint :attr:`pattern_name`, as Django's.

    ::

        RedirectView.as_view(pattern_name="home")                      # 302 to url_for("home")
        RedirectView.as_view(url="/blog/%(slug)s/", permanent=True)    # 301, URL arguments filled in

    Every method redirects; without a URL (neither attribute set, or
    :meth:`get_redirect_url` returns ``None``) the answer is 410 Gone.
    """

    _kit_generic = True

    #: 301 (permanent) rather than 302.
    permanent: bool = False
    #: The URL to redirect to, with Django's ``%(name)s`` placeholders for the URL arguments
    #: (or a :func:`~flaskkit.plugins.views.lazy_url_for`).
    url: str | LazyURL | None = None
    #: An endpoint: the URL is ``url_for(pattern_name, **url arguments)``.
    pattern_name: str | None = None
    #: Pass the request's query string on to the URL.
    query_string: bool = False

    def get_redirect_url(self, *args: t.Any, **kwargs: t.Any) -> str | None:
        """The URL to redirect to, or ``None`` for 410 Gone."""
        if isinstance(self.url, LazyURL):
            url = str(self.url)  # already a URL: no %-placeholders to fill (it may hold %-escapes)
        elif self.url:
            url = str(self.url) % kwargs
        elif self.pattern_name:
            url = url_for(self.pattern_name, **kwargs)
        else:
            return None
        query = self.request.query_string.decode("latin-1")
        if query and self.query_string:
            url = f"{url}?{query}"
        return url

    def get(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        url = self.get_redirect_url(*args, **kwargs)
        if url:
            return redirect(url, 301 if self.permanent else 302)
        logger.warning("Gone: %s", self.request.path)
        raise Gone()

    def head(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        return self.get(*args, **kwargs)

    def post(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        return self.get(*args, **kwargs)

    def options(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        return self.get(*args, **kwargs)

    def delete(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        return self.get(*args, **kwargs)

    def put(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        return self.get(*args, **kwargs)

    def patch(self, *args: t.Any, **kwargs: t.Any) -> ResponseReturnValue:
        return self.get(*args, **kwargs)

    @classmethod
    def generic_endpoint(cls, initkwargs: cabc.Mapping[str, t.Any]) -> str | None:
        target = option(cls, initkwargs, "pattern_name") or option(cls, initkwargs, "url")
        if isinstance(target, LazyURL):
            target = target.endpoint  # no app yet: url_for cannot run
        return f"redirect_to_{slug_endpoint(str(target))}" if target else None


#: handler function -> whether it is a coroutine function (Flask's ensure_sync asks on every call).
_ASYNC: dict[t.Any, bool] = {}


def _is_async(handler: t.Any) -> bool:
    """Whether ``handler`` (a bound method) needs Flask's ``ensure_sync``: known once per function."""
    function = getattr(handler, "__func__", handler)
    found = _ASYNC.get(function)
    if found is None:
        found = _ASYNC[function] = inspect.iscoroutinefunction(function)
    return found

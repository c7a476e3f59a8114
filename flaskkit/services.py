"""The outside services an app depends on (a database, Redis...) and what users get when one is down.

A plugin that talks to a server describes it as a :class:`Service` and registers
it on the app (:func:`register_service`), which gives it three things:

* **one log line per outage**, not one per request: :meth:`Service.failed` logs
  ``Redis at redis://127.0.0.1:6379/0 (SESSION_REDIS_URL) is unreachable: ...``
  the first time, and :meth:`Service.recovered` logs when it answers again;
* **a 503, never a 500**: the plugin raises :class:`ServiceUnavailable`, which
  the app answers with ``503 Service Unavailable`` and ``Retry-After``
  (``SERVICE_RETRY_AFTER`` seconds, 30 by default), in the site's layout when
  the app has its own 503 handler (``app.register_error_handler(503, ...)``),
  else with a plain page (JSON for JSON clients). If the app's page fails to
  render (it needs the same service, say), the plain page is sent instead;
* **readiness**: the ``ops`` plugin's ``/readyz`` probes every registered
  service that has a probe.

A request whose view committed a change and whose response then could not be
completed (the session could not be saved) must not look like a failure:
:func:`note_saved_change` marks the request (the orm plugin does, after a
commit that wrote something) and :meth:`ServiceUnavailable.after_commit`
makes the 503 say that the change was saved.
"""

from __future__ import annotations

import logging
import threading
import time
import typing as t
from dataclasses import dataclass
from dataclasses import field

from blinker import Namespace
from flask import current_app
from flask import has_request_context
from flask import jsonify
from flask import request
from markupsafe import escape
from werkzeug.datastructures import Headers
from werkzeug.exceptions import ServiceUnavailable as _WerkzeugServiceUnavailable

from .translation import get_language
from .translation import gettext
from .translation import ngettext

if t.TYPE_CHECKING:
    from flask import Flask
    from werkzeug.wrappers import Response

__all__ = [
    "DEFAULT_RETRY_AFTER",
    "Service",
    "ServiceRegistry",
    "ServiceUnavailable",
    "note_saved_change",
    "register_service",
    "replace_response",
    "safe_url",
    "saved_change",
    "service_unavailable",
    "services",
    "unavailable_response",
]

logger = logging.getLogger("flaskkit.services")

#: ``app.extensions[EXTENSION_KEY]`` is the app's :class:`ServiceRegistry`.
EXTENSION_KEY = "flaskkit.services"
#: Seconds a 503 asks clients to wait (``Retry-After``) unless ``SERVICE_RETRY_AFTER`` says otherwise.
DEFAULT_RETRY_AFTER = 30
#: ``request.environ`` key: this request committed a change to the database.
_SAVED_CHANGE = "flaskkit.saved_change"

#: Sent (sender: the app, ``error=``) when a request is about to be answered with a 503, before the page
#: is rendered: the auth plugin forgets the request's user, so that the page renders as for a visitor
#: and asks nothing more of the failing service.
service_unavailable = Namespace().signal("flaskkit.service-unavailable")


@dataclass(eq=False)
class Service:
    """A server the app depends on, as the log and ``/readyz`` name it.

    One object per app and address; it keeps whether the service is down, in
    this process, so that an outage is logged once.
    """

    #: What it is: ``"Redis"``, ``"PostgreSQL"``, ``"SQLite"``...
    kind: str
    #: Where: a URL without its password.
    address: str
    #: The setting the address comes from (``"SESSION_REDIS_URL"``, ``"CACHES['default']"``...).
    setting: str
    #: Connects and raises when the service cannot be used (for ``/readyz`` and the checks); ``None``: no probe.
    probe: t.Callable[[], object] | None = None
    #: ``time.monotonic()`` of the failure that started the current outage, or ``None``.
    down_since: float | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def name(self) -> str:
        """``Redis at redis://127.0.0.1:6379/0 (SESSION_REDIS_URL)``."""
        return f"{self.kind} at {self.address} ({self.setting})"

    def failed(self, error: BaseException) -> None:
        """Note a failure to reach the service; the first one of an outage is logged (one line)."""
        with self._lock:
            if self.down_since is not None:
                return
            self.down_since = time.monotonic()
        logger.error("%s is unreachable: %s", self.name, describe_error(error))

    def recovered(self) -> None:
        """Note that the service answered; ends an outage (logged) if there was one."""
        if self.down_since is None:  # the common case: one attribute read
            return
        with self._lock:
            since, self.down_since = self.down_since, None
        if since is not None:
            logger.warning("%s is reachable again (after %.1f s).", self.name, time.monotonic() - since)

    def check(self) -> None:
        """Run the probe (``/readyz``); raises what it raises, after noting the outage or the recovery."""
        if self.probe is None:
            return
        try:
            self.probe()
        except Exception as exc:
            self.failed(exc)
            raise
        self.recovered()

    def __repr__(self) -> str:
        return f"<Service {self.name}>"


def safe_url(url: str | None) -> str:
    """``url`` without its password (``redis://:***@host:6379/0``), for logs and messages."""
    import urllib.parse

    if not url:
        return "?"
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1))
    return urllib.parse.urlunsplit(parts)


def describe_error(error: BaseException) -> str:
    """``ConnectionError: Error 111 connecting to ...``, on one line."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class ServiceRegistry:
    """The services of one app (``app.extensions["flaskkit.services"]``), in the order they were registered."""

    def __init__(self) -> None:
        self._services: dict[tuple[str, str, str], Service] = {}

    def add(self, service: Service) -> Service:
        """Register ``service``; one already registered with the same kind, address and setting is returned instead."""
        key = (service.kind, service.address, service.setting)
        return self._services.setdefault(key, service)

    def __iter__(self) -> t.Iterator[Service]:
        return iter(list(self._services.values()))

    def __len__(self) -> int:
        return len(self._services)


def services(app: Flask) -> ServiceRegistry:
    """The app's :class:`ServiceRegistry`; the first call also makes the app answer :class:`ServiceUnavailable`."""
    registry = app.extensions.get(EXTENSION_KEY)
    if registry is None:
        registry = app.extensions[EXTENSION_KEY] = ServiceRegistry()
        app.register_error_handler(ServiceUnavailable, unavailable_response)
    return t.cast(ServiceRegistry, registry)


def register_service(app: Flask, service: Service) -> Service:
    """Register ``service`` for ``app`` (see :class:`ServiceRegistry.add`) and return the registered one."""
    return services(app).add(service)


# -- the 503 ---------------------------------------------------------------------------------------------


class ServiceUnavailable(_WerkzeugServiceUnavailable):
    """A service the request needs cannot be reached: **503** with ``Retry-After``.

    Raise it from a view, a hook or a plugin; the app's own 503 handler (if it
    has one) renders it, in the site's layout, with :attr:`description` as the
    message. ``saved`` says that the request's change was committed before the
    failure, and ``continue_url`` where the user was going next.
    """

    #: Seconds until a retry may work (always set: ``Retry-After`` is sent as this number).
    retry_after: int

    def __init__(
        self,
        service: Service | None = None,
        *,
        saved: bool = False,
        continue_url: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        #: The service that failed (``None``: not known).
        self.service = service
        #: The request's change was committed before the failure.
        self.saved = saved
        #: Where the request would have gone (the ``Location`` of its redirect), if anywhere.
        self.continue_url = continue_url
        super().__init__(self._message(), retry_after=retry_after or _retry_after())

    def _message(self) -> str:
        if self.saved:
            return gettext(
                "Your change was saved. The site could not finish the request, because a service it depends on "
                "is unavailable for a moment, so you may have to log in again."
            )
        return gettext(
            "The site is unavailable for a moment: a service it depends on cannot be reached. Please try again."
        )

    def after_commit(self, *, saved: bool, continue_url: str | None) -> ServiceUnavailable:
        """The same failure, for a request whose view had finished (and ``saved``, committed a change)."""
        return ServiceUnavailable(self.service, saved=saved, continue_url=continue_url, retry_after=self.retry_after)


def _retry_after() -> int:
    try:
        value = current_app.config.get("SERVICE_RETRY_AFTER", DEFAULT_RETRY_AFTER)
    except RuntimeError:  # no app context
        return DEFAULT_RETRY_AFTER
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else DEFAULT_RETRY_AFTER


def note_saved_change() -> None:
    """Mark the current request as having committed a change (the orm plugin calls it after such a commit)."""
    if has_request_context():
        request.environ[_SAVED_CHANGE] = True


def saved_change() -> bool:
    """Whether the current request committed a change (see :func:`note_saved_change`)."""
    return has_request_context() and bool(request.environ.get(_SAVED_CHANGE))


def unavailable_response(error: ServiceUnavailable) -> Response:
    """The app's answer to :class:`ServiceUnavailable` (registered as its error handler).

    The app's own handler for 503 (a blueprint's, then the app's) renders the
    page; if it has none, or it raises, a plain page is sent. Always 503,
    ``Retry-After`` and ``Cache-Control: no-store``.
    """
    app = t.cast("Flask", current_app._get_current_object())  # type: ignore[attr-defined]
    service_unavailable.send(app, error=error)
    response: Response | None = None
    handler = _app_handler(app)
    if handler is not None:
        try:
            response = app.make_response(app.ensure_sync(handler)(error))
        except Exception as exc:  # the page needs the failing service too, say: the plain page goes instead
            logger.warning("The app's 503 page could not be rendered (%s); a plain page was sent.", describe_error(exc))
            response = None
    if response is None:
        response = _plain_page(app, error)
    response.status_code = 503
    response.headers["Retry-After"] = str(error.retry_after)
    response.headers["Cache-Control"] = "no-store"
    return response


def _app_handler(app: Flask) -> t.Callable[[t.Any], t.Any] | None:
    """The handler the app registered for 503 (as Flask would look it up), other than :func:`unavailable_response`."""
    blueprints = request.blueprints if has_request_context() else []
    for name in (*blueprints, None):
        for code in (503, None):
            handlers = app.error_handler_spec.get(name, {}).get(code, {})
            for cls in _WerkzeugServiceUnavailable.__mro__:
                handler = handlers.get(cls)
                if handler is not None and handler is not unavailable_response:
                    return handler
    return None


def _plain_page(app: Flask, error: ServiceUnavailable) -> Response:
    accept = request.accept_mimetypes if has_request_context() else None
    if accept is not None and accept.quality("application/json") > accept.quality("text/html"):
        body = {"error": "service_unavailable", "detail": error.description, "retry_after": error.retry_after}
        if error.saved:
            body["saved"] = True
        return jsonify(body)
    link = ""
    if error.continue_url:
        # Outside the f-string: Babel's extractor does not look into one (the string would be left out of the catalog).
        label = gettext("Continue")
        link = f'\n<p><a href="{escape(error.continue_url)}">{escape(label)}</a></p>'
    title = escape(gettext("Your change was saved") if error.saved else gettext("Service unavailable"))
    again = ngettext(
        "Please try again in %(seconds)d second.", "Please try again in %(seconds)d seconds.", error.retry_after
    ) % {"seconds": error.retry_after}
    page = (
        f'<!doctype html>\n<html lang="{escape(get_language())}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n</head>\n<body>\n<main>\n<h1>{title}</h1>\n<p>{escape(error.description)}</p>\n"
        f"<p>{escape(again)}</p>{link}\n</main>\n</body>\n</html>\n"
    )
    return app.response_class(page, mimetype="text/html")


def replace_response(target: Response, source: Response) -> None:
    """Make ``target`` say what ``source`` says, in place (for hooks that cannot return a new response).

    The security headers the response layers already added stay; the body, its
    type, the redirect and the caching headers are those of ``source``.
    """
    headers = Headers(target.headers)
    for name in ("Location", "Content-Type", "Content-Length", "Content-Encoding", "ETag", "Last-Modified", "Refresh"):
        headers.remove(name)
    for name, value in source.headers.items():
        if name.lower() != "set-cookie":
            headers.set(name, value)
    for value in source.headers.getlist("Set-Cookie"):
        headers.add("Set-Cookie", value)
    target.headers = headers
    target.status = source.status
    target.response = source.response
    target.direct_passthrough = source.direct_passthrough

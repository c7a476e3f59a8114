"""``ALLOWED_HOSTS``: Django's host validation, on every request, before anything reads the host.

The rule is Django's (``HttpRequest.get_host()``):

* a request whose ``Host`` (or, behind ``PROXY_FIX = {"x_host": 1}``, whose
  ``X-Forwarded-Host``) matches no pattern of ``ALLOWED_HOSTS`` gets **400 Bad
  Request**, before any middleware, ``before_request`` function or view runs, so
  nothing builds a URL (a redirect, an absolute link, a link in an email)
  from a host the site does not serve;
* ``"example.com"`` is that host on any port, ``".example.com"`` also every
  subdomain, ``"*"`` any host, ``"[::1]"`` an IPv6 literal; a trailing dot
  (``example.com.``) and the case do not matter; a ``Host`` that is not a valid
  host name (RFC 1034/1035) is refused even with ``"*"``;
* an **empty** ``ALLOWED_HOSTS`` refuses every host when ``DEBUG`` is off; with
  ``DEBUG`` on it allows ``localhost`` and its subdomains, ``127.0.0.1`` and ``[::1]``;
* with ``TESTING`` on, ``localhost`` (the host of Flask's test client) is allowed
  too, as Django's test runner adds ``testserver``.

Why not Flask's own ``TRUSTED_HOSTS`` (werkzeug's ``host_is_trusted``): it gives
Django's answer for plain names, but an empty list means "any host", an IPv6
literal in the list never matches (the port is cut at its first ``:``), a
trailing dot is refused, and a ``Host`` with invalid characters is not refused
but silently read as ``""``. ``ALLOWED_HOSTS`` is therefore not copied into
``TRUSTED_HOSTS``; an app that sets only ``TRUSTED_HOSTS`` gets it used as its
``ALLOWED_HOSTS`` (and Flask's check on top).
"""

from __future__ import annotations

import collections.abc as cabc
import logging
import re
import typing as t

from flask import current_app
from flask import request
from flask.globals import _cv_app
from flask.globals import _cv_request
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import HTTPException

from flaskkit import ConfigurationError
from flaskkit.translation import gettext

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIApplication
    from _typeshed.wsgi import WSGIEnvironment
    from flask import Flask
    from flask import Request

__all__ = [
    "DEBUG_HOSTS",
    "EXTENSION_KEY",
    "HOSTS_LAYER",
    "TEST_CLIENT_HOST",
    "AllowedHosts",
    "DisallowedHost",
    "HostCheck",
    "allowed_hosts_patterns",
    "get_host",
    "install_allowed_hosts",
    "is_same_domain",
    "split_domain_port",
    "validate_host",
]

#: Where an app keeps its :class:`AllowedHosts` (``app.extensions[EXTENSION_KEY]``): the sign, for
#: other plugins, that ``request.host`` has been validated.
EXTENSION_KEY = "flaskkit.allowed_hosts"

#: The name of the pipeline's WSGI layer that checks the host (:class:`HostCheck`).
HOSTS_LAYER = "middleware.allowed_hosts"

#: What an empty ``ALLOWED_HOSTS`` allows while ``DEBUG`` is on (Django's list).
DEBUG_HOSTS: tuple[str, ...] = (".localhost", "127.0.0.1", "[::1]")

#: The host Flask's test client sends; allowed while ``TESTING`` is on (Django's test runner adds ``testserver``).
TEST_CLIENT_HOST = "localhost"

#: Django's ``host_validation_re``: a domain or IPv4 address, or a bracketed IPv6 address, and a port.
HOST_VALIDATION_RE = re.compile(r"([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::([0-9]+))?")

#: What an entry of ``ALLOWED_HOSTS`` may be: ``*``, a domain (with a leading dot: and its subdomains),
#: an IPv4 or a bracketed IPv6 address. No scheme, no path, no port.
_PATTERN_RE = re.compile(r"\*|\.?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.?|\[[a-f0-9]*:[a-f0-9.:]+\]")

security_logger = logging.getLogger("flaskkit.security.DisallowedHost")


class DisallowedHost(BadRequest):
    """A request for a host the site does not serve: **400 Bad Request** (Django's ``DisallowedHost``).

    A ``BadRequest``, so an app's own 400 page (``@app.errorhandler(400)``) renders it, as
    Django's ``handler400`` does; without one, werkzeug's page shows :attr:`description`.
    """

    def __init__(self, host: str, domain: str, *, explain: bool) -> None:
        #: The ``Host`` the request named.
        self.host = host
        #: Its domain part, lower-cased (``""`` when it is not a valid host name).
        self.domain = domain
        #: Django's message, for the log (and the page, while DEBUG or TESTING is on).
        self.message = f"Invalid HTTP_HOST header: {host!r}."
        if domain:
            self.message += f" You may need to add {domain!r} to ALLOWED_HOSTS."
        else:
            self.message += " The domain name provided is not valid according to RFC 1034/1035."
        # What the visitor reads (in LANGUAGE_CODE: the request's language is chosen after this check).
        if domain:
            description = gettext("This site does not answer to the host name %(host)s.") % {"host": repr(domain)}
        else:
            description = gettext("The host name of this request is not a valid host name.")
        if explain:
            description += " " + self.message
        super().__init__(description)

    def get_headers(self, environ: t.Any = None, scope: t.Any = None) -> list[tuple[str, str]]:
        # The page is werkzeug's (no middleware ran): say at least that it is HTML, nothing else.
        return [*super().get_headers(environ, scope), ("X-Content-Type-Options", "nosniff")]


# -- Django's functions ---------------------------------------------------------------------------


def split_domain_port(host: str) -> tuple[str, str]:
    """``(domain, port)`` of ``host``, the domain lower-cased and without a trailing dot;
    ``("", "")`` when ``host`` is not a valid host (Django's ``split_domain_port``)."""
    match = HOST_VALIDATION_RE.fullmatch(host.lower())
    if match is None:
        return "", ""
    domain, port = match.groups(default="")
    return domain.removesuffix("."), port


def is_same_domain(host: str, pattern: str) -> bool:
    """Whether ``host`` matches ``pattern``: equal, or, for ``.example.com``, the domain or a subdomain."""
    if not pattern:
        return False
    pattern = pattern.lower()
    return (pattern[0] == "." and (host.endswith(pattern) or host == pattern[1:])) or pattern == host


def validate_host(host: str, allowed_hosts: cabc.Iterable[str]) -> bool:
    """Whether the domain ``host`` (lower case, no port) matches one of ``allowed_hosts`` (``*``: any)."""
    return any(pattern == "*" or is_same_domain(host, pattern) for pattern in allowed_hosts)


# -- the setting ----------------------------------------------------------------------------------


def allowed_hosts_patterns(value: object, setting: str = "ALLOWED_HOSTS") -> list[str]:
    """``ALLOWED_HOSTS`` validated: lower-case patterns, internationalised names in their ASCII form."""
    if value is None:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, cabc.Iterable):
        fix = f"{setting} = [{value!r}]" if isinstance(value, str) else f"{setting} = ['example.com']"
        raise ConfigurationError(
            f"{setting} must be a list of host names, not {type(value).__name__} {value!r}.",
            setting=setting,
            plugin="middleware",
            hint=f"Write {fix}.",
        )
    patterns = []
    for host in value:
        pattern = _ascii(host.strip().lower()) if isinstance(host, str) else None
        if pattern is None or not _PATTERN_RE.fullmatch(pattern):
            hint = (
                "Write host names only, without scheme or path: 'example.com', '.example.com' (and its "
                "subdomains), '127.0.0.1', '[::1]', or '*' (any host)."
            )
            if pattern and HOST_VALIDATION_RE.fullmatch(pattern) and ":" in pattern.rpartition("]")[2]:
                hint = f"Leave the port out: {split_domain_port(pattern)[0]!r} matches that host on every port."
            raise ConfigurationError(
                f"{setting} contains {host!r}, which is not a host name.",
                setting=setting,
                plugin="middleware",
                hint=hint,
            )
        patterns.append(pattern)
    return patterns


def _ascii(host: str) -> str | None:
    """An internationalised name in its IDNA form (what browsers send); ``None`` if it has none."""
    if host.isascii():
        return host
    labels = host.split(".")
    try:
        return ".".join(label.encode("idna").decode("ascii") if label else label for label in labels)
    except UnicodeError:
        return None


#: At most this many allowed host names are remembered (any more are matched on each request).
_KNOWN_HOSTS = 256


class AllowedHosts:
    """The host check of one app: ``ALLOWED_HOSTS`` (or Flask's ``TRUSTED_HOSTS``), validated at boot.

    :class:`HostCheck`, the pipeline's WSGI layer ``middleware.allowed_hosts``, runs it for each
    request before Flask sees it: before every middleware, ``before_request`` function and view.
    """

    def __init__(self, patterns: cabc.Sequence[str]) -> None:
        #: The configured patterns (``[]``: none; then DEBUG decides).
        self.patterns: tuple[str, ...] = tuple(patterns)
        # (host as sent, scheme, DEBUG, TESTING) of the requests found allowed: a site answers a
        # handful of host names, so each is matched against the patterns once, not per request.
        self._allowed: dict[tuple[t.Any, ...], bool] = {}

    def allowed(self, app: Flask) -> tuple[str, ...]:
        """The patterns in force now: ``DEBUG`` and ``TESTING`` are read per request, as Django reads ``DEBUG``
        (``app.run(debug=True)`` turns it on after the app was made)."""
        patterns = self.patterns or (DEBUG_HOSTS if app.debug else ())
        if app.testing:
            patterns = (*patterns, TEST_CLIENT_HOST)
        return patterns

    def get_host(self, app: Flask, req: Request) -> str:
        """The request's host if it is allowed: Flask's ``request.host`` (``host:port``, without the
        scheme's own port); :class:`DisallowedHost` otherwise."""
        if self.allows(app, req):
            return req.host
        host = raw_host(req.environ)
        domain, _ = split_domain_port(host)
        error = DisallowedHost(host, domain if req.host else "", explain=app.debug or app.testing)
        security_logger.warning("%s", error.message)
        raise error

    def allows(self, app: Flask, req: Request) -> bool:
        """Whether the request's host is allowed (matched against the patterns, nothing logged)."""
        domain, _ = split_domain_port(raw_host(req.environ))
        # Flask's host is "" when werkzeug finds the value invalid (a port above 65535, say): refused too.
        return bool(domain and validate_host(domain, self.allowed(app)) and req.host)

    def remember(self, app: Flask, environ: WSGIEnvironment) -> None:
        """Note a request's host as allowed (for its scheme, ``DEBUG`` and ``TESTING``)."""
        if len(self._allowed) < _KNOWN_HOSTS:
            self._allowed[_known_key(environ, app.config)] = True


def _known_key(environ: WSGIEnvironment, config: cabc.Mapping[str, t.Any]) -> tuple[t.Any, ...]:
    """What an allowed request is remembered by: the host as sent, the scheme, ``DEBUG`` and ``TESTING``."""
    host = environ.get("HTTP_HOST")
    return (
        host if host is not None else raw_host(environ),
        environ.get("wsgi.url_scheme"),
        config["DEBUG"],
        config["TESTING"],
    )


class HostCheck:
    """The WSGI layer ``middleware.allowed_hosts``: each request's host checked before Flask sees it.

    A host already allowed (for this scheme, ``DEBUG`` and ``TESTING``) costs a dictionary
    lookup; a new one is matched against the patterns once. A refused request is answered by
    the app as Flask answers an exception raised before the view: its error handlers (an
    app's own 400 page), the ``after_request`` functions and the pipeline's response phase
    (the security headers), the session saved, the contexts popped -- only the
    ``request_started`` signal, the ``before_request`` functions and the view are skipped.
    (A ``request_started`` receiver did this before, but Flask's signals cost a few
    microseconds on every request, a tenth of a trivial one; this costs nothing measurable.)
    """

    def __init__(self, wsgi_app: WSGIApplication, *, app: Flask, hosts: AllowedHosts) -> None:
        self.wsgi_app = wsgi_app
        self.app = app
        self.hosts = hosts

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> cabc.Iterable[bytes]:
        app = self.app
        hosts = self.hosts
        if _known_key(environ, app.config) in hosts._allowed:  # a host allowed before: one lookup per request
            return self.wsgi_app(environ, start_response)
        req = app.request_class(environ)
        if app.config.get("TRUSTED_HOSTS") is not None:
            req.trusted_hosts = app.config["TRUSTED_HOSTS"]  # as Flask's create_url_adapter sets it
        try:
            allowed = hosts.allows(app, req)
        except HTTPException:  # werkzeug's SecurityError: a host TRUSTED_HOSTS does not trust
            allowed = False
        if not allowed:
            return self._refuse(environ, start_response)
        hosts.remember(app, environ)
        return self.wsgi_app(environ, start_response)

    def _refuse(self, environ: WSGIEnvironment, start_response: StartResponse) -> cabc.Iterable[bytes]:
        # Flask's wsgi_app and full_dispatch_request, for an exception raised before the view. The
        # refusal is made inside the request context, so that its page is in the site's language.
        app = self.app
        ctx = app.request_context(environ)
        failure: BaseException | None = None
        try:
            try:
                ctx.push()
                try:
                    self.hosts.get_host(app, ctx.request)
                except HTTPException as error:
                    response = app.finalize_request(app.handle_user_exception(error))
                else:  # allowed after all (DEBUG turned on since): served as Flask serves it
                    response = app.full_dispatch_request()
            except Exception as exc:
                failure = exc
                response = app.handle_exception(exc)
            except BaseException as exc:
                failure = exc
                raise
            return response(environ, start_response)  # type: ignore[no-any-return]
        finally:
            preserve = environ.get("werkzeug.debug.preserve_context")
            if preserve is not None:  # the test client's ``with client:``
                preserve(_cv_app.get())
                preserve(_cv_request.get())
            if failure is not None and app.should_ignore_error(failure):
                failure = None
            ctx.pop(failure)


def raw_host(environ: cabc.Mapping[str, t.Any]) -> str:
    """The host the request names: ``Host`` (``X-Forwarded-Host`` once ``PROXY_FIX`` applied it), else
    the server's name and port, as werkzeug and Django read it."""
    host = environ.get("HTTP_HOST")
    if host is not None:
        return str(host)
    name = str(environ.get("SERVER_NAME", ""))
    if ":" in name and not name.startswith("["):
        name = f"[{name}]"
    port = str(environ.get("SERVER_PORT", ""))
    if (environ.get("wsgi.url_scheme"), port) in (("http", "80"), ("https", "443")) or not port:
        return name
    return f"{name}:{port}"


def get_host(req: Request | None = None) -> str:
    """The current request's host, validated (Django's ``request.get_host()``): build URLs from this.

    Raises :class:`DisallowedHost` for a host that ``ALLOWED_HOSTS`` does not allow. On an app
    without the middleware plugin, Flask's ``request.host`` (checked by ``TRUSTED_HOSTS`` if set).
    """
    req = req if req is not None else t.cast("Request", request._get_current_object())  # type: ignore[attr-defined]
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    hosts = app.extensions.get(EXTENSION_KEY)
    if hosts is None:
        return req.host
    return t.cast(AllowedHosts, hosts).get_host(app, req)


def install_allowed_hosts(app: Flask) -> AllowedHosts:
    """Validate ``ALLOWED_HOSTS`` against ``TRUSTED_HOSTS`` and make the app's :class:`AllowedHosts`.

    Both set, differently, is a configuration error; ``TRUSTED_HOSTS`` alone is used as the patterns.
    """
    allowed = allowed_hosts_patterns(app.config.get("ALLOWED_HOSTS"))
    existing = app.config.get("TRUSTED_HOSTS")
    if existing is not None:
        trusted = allowed_hosts_patterns([existing] if isinstance(existing, str) else existing, "TRUSTED_HOSTS")
        if allowed and trusted != allowed:
            raise ConfigurationError(
                f"Both ALLOWED_HOSTS ({app.config.get('ALLOWED_HOSTS')!r}) and Flask's TRUSTED_HOSTS "
                f"({existing!r}) are set, differently.",
                setting="ALLOWED_HOSTS",
                plugin="middleware",
                hint="Set only ALLOWED_HOSTS: the middleware plugin checks every request's host against it.",
            )
        allowed = allowed or trusted
    hosts = AllowedHosts(allowed)
    app.extensions[EXTENSION_KEY] = hosts
    return hosts

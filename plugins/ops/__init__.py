"""The ``ops`` plugin: what a production deployment needs around the app.

::

    PLUGINS = [..., "ops"]
    ACCESS_LOG = True                  # one line per request on the logger "flaskkit.access"
    ACCESS_LOG_FORMAT = "json"         # or "text"

* ``/healthz`` (liveness: touches nothing) and ``/readyz`` (readiness: probes the
  database and every Redis the plugins use; 503 when one is down), answered
  before Flask, so load balancers reach them whatever ``ALLOWED_HOSTS`` and
  ``SECURE_SSL_REDIRECT`` say (``HEALTH_URL``, ``READINESS_URL``);
* a request id on every request (``X-Request-ID``, kept from a proxy or made),
  in the response and in the access log (:func:`request_id`, :class:`RequestIdFilter`);
* access logs as text or JSON lines.

See docs/deployment.md.
"""

from __future__ import annotations

import functools
import logging
import typing as t

from flaskkit import ConfigurationError
from flaskkit import Plugin
from flaskkit import get_kit
from flaskkit.pipeline import Layer

from .access import AccessLog
from .access import RequestIdFilter
from .access import request_id
from .health import HealthEndpoints
from .health import readiness

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["OpsPlugin", "RequestIdFilter", "readiness", "request_id"]

_FORMATS = ("text", "json")


class OpsPlugin(Plugin):
    """Health and readiness endpoints, request ids and access logs."""

    name = "ops"
    #: The services /readyz probes are registered by these plugins' init_app.
    after = ("orm", "cache", "session", "auth", "middleware", "static")
    defaults: t.ClassVar[t.Mapping[str, t.Any]] = {
        #: The liveness endpoint (None: none).
        "HEALTH_URL": "/healthz",
        #: The readiness endpoint (None: none).
        "READINESS_URL": "/readyz",
        #: Log one line per request on the logger "flaskkit.access".
        "ACCESS_LOG": False,
        #: "text" or "json" (JSON lines).
        "ACCESS_LOG_FORMAT": "text",
        #: The header that carries the request id, in and out.
        "REQUEST_ID_HEADER": "X-Request-ID",
        #: Seconds a 503 asks clients to wait (Retry-After), for every plugin's 503.
        "SERVICE_RETRY_AFTER": 30,
    }

    def configure(self, app: Flask) -> None:
        config = app.config
        for setting in ("HEALTH_URL", "READINESS_URL"):
            value = config[setting]
            if value is not None and (not isinstance(value, str) or not value.startswith("/")):
                raise ConfigurationError(
                    f"{setting} must be a path starting with '/', or None, not {value!r}.",
                    setting=setting,
                    hint=f"Write {setting} = '/{'healthz' if setting == 'HEALTH_URL' else 'readyz'}'.",
                )
        if config["HEALTH_URL"] is not None and config["HEALTH_URL"] == config["READINESS_URL"]:
            raise ConfigurationError(
                f"HEALTH_URL and READINESS_URL are both {config['HEALTH_URL']!r}.",
                setting="READINESS_URL",
                hint="Give each endpoint its own path (the defaults are /healthz and /readyz).",
            )
        if config["ACCESS_LOG_FORMAT"] not in _FORMATS:
            raise ConfigurationError(
                f"ACCESS_LOG_FORMAT must be 'text' or 'json', not {config['ACCESS_LOG_FORMAT']!r}.",
                setting="ACCESS_LOG_FORMAT",
            )
        if not isinstance(config["ACCESS_LOG"], bool):
            raise ConfigurationError(
                f"ACCESS_LOG must be True or False, not {config['ACCESS_LOG']!r}.", setting="ACCESS_LOG"
            )
        header = config["REQUEST_ID_HEADER"]
        if not isinstance(header, str) or not header or not all(c.isalnum() or c == "-" for c in header):
            raise ConfigurationError(
                f"REQUEST_ID_HEADER must be a header name, not {header!r}.",
                setting="REQUEST_ID_HEADER",
                hint="Write REQUEST_ID_HEADER = 'X-Request-ID'.",
            )
        retry = config["SERVICE_RETRY_AFTER"]
        if isinstance(retry, bool) or not isinstance(retry, int) or retry <= 0:
            raise ConfigurationError(
                f"SERVICE_RETRY_AFTER must be a number of seconds greater than 0, not {retry!r}.",
                setting="SERVICE_RETRY_AFTER",
            )

    def init_app(self, app: Flask) -> None:
        if app.config["ACCESS_LOG"]:
            _log_to_stderr_unless_configured()

    def layers(self, app: Flask) -> t.Iterable[Layer]:
        config = app.config
        if config["HEALTH_URL"] or config["READINESS_URL"]:
            yield Layer(
                "ops.health",
                wsgi=functools.partial(
                    HealthEndpoints, app=app, health_url=config["HEALTH_URL"], readiness_url=config["READINESS_URL"]
                ),
                # Outside everything: no proxy headers, access log, static files or host check are needed.
                over=("ops.access_log", *_present(app, "middleware.proxy_fix", "static.files")),
                description=f"{config['HEALTH_URL'] or '-'} and {config['READINESS_URL'] or '-'}",
            )
        yield Layer(
            "ops.access_log",
            wsgi=functools.partial(
                AccessLog,
                header=config["REQUEST_ID_HEADER"],
                log=config["ACCESS_LOG"],
                json_lines=config["ACCESS_LOG_FORMAT"] == "json",
            ),
            # Inside PROXY_FIX (the client's address), outside the static files (WhiteNoise's file wrapper)
            # and the host check (a refused host is logged too).
            under=_present(app, "middleware.proxy_fix", "static.files"),
            over="middleware.allowed_hosts",
            description="request ids"
            + (f", access log ({config['ACCESS_LOG_FORMAT']})" if config["ACCESS_LOG"] else ""),
        )


def _log_to_stderr_unless_configured() -> None:
    """Access lines are INFO, which an unconfigured logging drops: without any handler (the logger's or the
    root's), they go to stderr, one message a line (what Gunicorn's and systemd's log collection read)."""
    logger = logging.getLogger("flaskkit.access")
    if logger.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _present(app: Flask, *names: str) -> tuple[str, ...]:
    """The layers of ``names`` that the plugins booted before this one added (PROXY_FIX may be off, say)."""
    added = {layer.name for layer in get_kit(app).state(app).pipeline.added}
    return tuple(name for name in names if name in added)

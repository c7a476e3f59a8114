"""``/healthz`` and ``/readyz``: answered by a WSGI layer, before Flask.

* ``/healthz`` (liveness) answers ``200 {"status": "ok"}`` as long as the process
  serves requests; it touches no service, so a database outage never makes an
  orchestrator restart healthy workers.
* ``/readyz`` (readiness) probes every service the app's plugins registered
  (:mod:`flaskkit.services`: the database, the Redis of sessions, caches and the
  login throttle), each server once, and answers ``200`` when all answer, else
  ``503`` with ``Retry-After``. The body names each service by kind and setting,
  not by address (the endpoint is public).

Both sit outside Flask and every pipeline layer: no ``ALLOWED_HOSTS`` check (a
load balancer calls them by IP address), no HTTPS redirect, no session, no
access-log line. ``HEALTH_URL`` and ``READINESS_URL`` name them (``None`` turns
one off).
"""

from __future__ import annotations

import json
import typing as t

from flaskkit.services import DEFAULT_RETRY_AFTER
from flaskkit.services import describe_error
from flaskkit.services import services

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIApplication
    from _typeshed.wsgi import WSGIEnvironment
    from flask import Flask

__all__ = ["HealthEndpoints", "readiness"]


def readiness(app: Flask) -> tuple[bool, list[dict[str, t.Any]]]:
    """Probe every registered service (each server once): ``(all ready, one entry per server)``."""
    by_server: dict[tuple[str, str], list[t.Any]] = {}
    for service in services(app):
        if service.probe is not None:
            by_server.setdefault((service.kind, service.address), []).append(service)
    report = []
    ready = True
    with app.app_context():
        for (kind, _address), group in by_server.items():
            entry: dict[str, t.Any] = {"service": kind, "settings": [s.setting for s in group]}
            try:
                group[0].check()
            except Exception as exc:
                for other in group[1:]:
                    other.failed(exc)
                ready = False
                entry.update(status="unavailable", error=describe_error(exc))
            else:
                for other in group[1:]:
                    other.recovered()
                entry["status"] = "ok"
            report.append(entry)
    return ready, report


class HealthEndpoints:
    """The WSGI layer: answers the two paths, passes everything else to the app."""

    def __init__(self, wsgi_app: WSGIApplication, app: Flask, health_url: str | None, readiness_url: str | None):
        self.wsgi_app = wsgi_app
        self.app = app
        self.health_url = health_url
        self.readiness_url = readiness_url

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> t.Iterable[bytes]:
        path = (environ.get("SCRIPT_NAME", "") or "") + (environ.get("PATH_INFO", "") or "")
        if path == self.health_url:
            return self._answer(start_response, 200, {"status": "ok"})
        if path == self.readiness_url:
            ready, report = readiness(self.app)
            body = {"status": "ok" if ready else "unavailable", "services": report}
            return self._answer(start_response, 200 if ready else 503, body)
        return self.wsgi_app(environ, start_response)

    def _answer(self, start_response: StartResponse, status: int, body: dict[str, t.Any]) -> list[bytes]:
        data = json.dumps(body).encode()
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"),
        ]
        if status == 503:
            retry = self.app.config.get("SERVICE_RETRY_AFTER", DEFAULT_RETRY_AFTER)
            headers.append(("Retry-After", str(retry)))
        start_response("200 OK" if status == 200 else "503 SERVICE UNAVAILABLE", headers)
        return [data]

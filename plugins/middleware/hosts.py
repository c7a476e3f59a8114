"""``ALLOWED_HOSTS`` (Django's name) onto Flask's ``TRUSTED_HOSTS``: an untrusted ``Host`` gets 400."""

from __future__ import annotations

import collections.abc as cabc
import typing as t

from flaskkit import ConfigurationError

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["apply_allowed_hosts", "trusted_hosts"]


def trusted_hosts(value: object) -> list[str] | None:
    """``ALLOWED_HOSTS`` as Flask's ``TRUSTED_HOSTS``: ``None`` (no check) for ``[]`` or ``"*"``.

    Django's patterns carry over: ``"example.com"`` matches that host (any
    port), ``".example.com"`` matches it and every subdomain.
    """
    if value is None:
        return None
    if isinstance(value, str | bytes) or not isinstance(value, cabc.Iterable):
        fix = f"ALLOWED_HOSTS = [{value!r}]" if isinstance(value, str) else "ALLOWED_HOSTS = ['example.com']"
        raise ConfigurationError(
            f"ALLOWED_HOSTS must be a list of host names, not {type(value).__name__} {value!r}.",
            setting="ALLOWED_HOSTS",
            plugin="middleware",
            hint=f"Write {fix}.",
        )
    hosts = list(value)
    for host in hosts:
        if not isinstance(host, str) or not host.strip() or "/" in host:
            raise ConfigurationError(
                f"ALLOWED_HOSTS contains {host!r}, which is not a host name.",
                setting="ALLOWED_HOSTS",
                plugin="middleware",
                hint="Write host names only, without scheme or path: 'example.com', '.example.com' (and its "
                "subdomains), or '*' (any host).",
            )
    if not hosts or "*" in hosts:
        return None
    return [host.strip().lower() for host in hosts]


def apply_allowed_hosts(app: Flask) -> None:
    """Set ``TRUSTED_HOSTS`` from ``ALLOWED_HOSTS``; both set differently is a configuration error."""
    allowed = app.config.get("ALLOWED_HOSTS")
    hosts = trusted_hosts(allowed)
    if not allowed:
        return  # TRUSTED_HOSTS, if the app set it, applies as Flask defines it
    existing = app.config.get("TRUSTED_HOSTS")
    if existing is not None and list(existing) != list(hosts or []):
        raise ConfigurationError(
            f"Both ALLOWED_HOSTS ({allowed!r}) and Flask's TRUSTED_HOSTS ({existing!r}) are set, differently.",
            setting="ALLOWED_HOSTS",
            plugin="middleware",
            hint="Set only ALLOWED_HOSTS: the middleware plugin copies it into TRUSTED_HOSTS.",
        )
    app.config["TRUSTED_HOSTS"] = hosts

"""WSGI middleware around ``app.wsgi_app``: ``PROXY_FIX`` (werkzeug's ProxyFix), Django's
``SECURE_PROXY_SSL_HEADER`` and ``WSGI_MIDDLEWARE``."""

from __future__ import annotations

import collections.abc as cabc
import functools
import typing as t

from werkzeug.middleware.proxy_fix import ProxyFix

from flaskkit import ConfigurationError
from flaskkit._text import did_you_mean
from flaskkit.pipeline import Layer

from .loading import import_entry

if t.TYPE_CHECKING:
    from flask import Flask

__all__ = ["PROXY_FIX_KEYS", "ProxySSLHeader", "proxy_fix_options", "proxy_ssl_header", "wsgi_layers"]

#: The keys ``PROXY_FIX`` accepts: how many proxies set each ``X-Forwarded-*`` header.
PROXY_FIX_KEYS = ("x_for", "x_proto", "x_host", "x_port", "x_prefix")


def wsgi_layers(app: Flask) -> list[Layer]:
    """``PROXY_FIX`` and ``WSGI_MIDDLEWARE`` as pipeline layers, outermost first; the kit wraps ``app.wsgi_app``."""
    layers: list[Layer] = []
    proxy_fix = proxy_fix_options(app.config.get("PROXY_FIX"))
    if proxy_fix:
        # Outermost: every other layer, and Flask, see the client's scheme, host and address.
        layers.append(
            Layer(
                "middleware.proxy_fix",
                wsgi=functools.partial(ProxyFix, **proxy_fix),
                origin="PROXY_FIX",
                description="werkzeug.middleware.proxy_fix:ProxyFix" + _kwargs(proxy_fix),
            )
        )
    ssl_header = proxy_ssl_header(app.config.get("SECURE_PROXY_SSL_HEADER"))
    if ssl_header:
        layers.append(
            Layer(
                "middleware.proxy_ssl_header",
                wsgi=functools.partial(ProxySSLHeader, header=ssl_header[0], secure_value=ssl_header[1]),
                under=layers[-1].name if layers else (),
                origin="SECURE_PROXY_SSL_HEADER",
                description=f"{ssl_header[0]} == {ssl_header[1]!r} means https",
            )
        )
    entries = _wsgi_entries(app.config.get("WSGI_MIDDLEWARE"))
    labels = [label for label, _, _ in entries]
    for index, (label, factory, kwargs) in enumerate(entries):
        layers.append(
            Layer(
                label if labels.count(label) == 1 else f"{label}[{index}]",
                wsgi=_checked_factory(label, factory, kwargs),
                under=layers[-1].name if layers else (),
                origin=f"WSGI_MIDDLEWARE[{index}]",
                description=repr(kwargs) if kwargs else "",
            )
        )
    return layers


class ProxySSLHeader:
    """Django's ``SECURE_PROXY_SSL_HEADER``: the request is HTTPS when the proxy's header says so.

    As Django reads it: when the header is present, its (first) value equal to
    the secure value means ``https``, anything else ``http``; without the header
    the scheme stays what the server saw. Only for a header the proxy always
    sets (or strips from clients): a client could send it otherwise.
    """

    def __init__(self, wsgi_app: t.Any, *, header: str, secure_value: str) -> None:
        self.wsgi_app = wsgi_app
        self.header = header
        self.secure_value = secure_value

    def __call__(self, environ: dict[str, t.Any], start_response: t.Any) -> t.Any:
        value = environ.get(self.header)
        if value is not None:
            environ["wsgi.url_scheme"] = "https" if value.split(",", 1)[0].strip() == self.secure_value else "http"
        return self.wsgi_app(environ, start_response)


def proxy_ssl_header(value: object) -> tuple[str, str] | None:
    """``SECURE_PROXY_SSL_HEADER`` validated: ``("HTTP_X_FORWARDED_PROTO", "https")`` (Django's form), or ``None``."""
    if not value:
        return None
    if (
        not isinstance(value, tuple | list)
        or len(value) != 2
        or not all(isinstance(part, str) and part for part in value)
        or not value[0].startswith("HTTP_")
    ):
        raise ConfigurationError(
            f"SECURE_PROXY_SSL_HEADER must be a pair (header, value), the header as Django names it "
            f"(HTTP_ and the name in capitals), not {value!r}.",
            setting="SECURE_PROXY_SSL_HEADER",
            plugin="middleware",
            hint="Write SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https'), or use PROXY_FIX = "
            '{"x_proto": 1} (werkzeug\'s ProxyFix).',
        )
    return value[0].upper().replace("-", "_"), value[1]


def _checked_factory(
    label: str, factory: t.Callable[..., t.Any], kwargs: dict[str, t.Any]
) -> t.Callable[[t.Any], t.Any]:
    def wrap(wsgi_app: t.Any) -> t.Any:
        try:
            return factory(wsgi_app, **kwargs)
        except Exception as exc:
            raise ConfigurationError(
                f"The WSGI_MIDDLEWARE entry {label!r} raised {type(exc).__name__} when wrapping the app: {exc}",
                setting="WSGI_MIDDLEWARE",
                plugin="middleware",
                hint="A WSGI middleware is called as factory(wsgi_app, **options) and returns a WSGI app.",
            ) from exc

    return wrap


def proxy_fix_options(value: object) -> dict[str, int]:
    """``PROXY_FIX`` validated; keys left out are 0 (that header is not trusted)."""
    if not value:
        return {}
    if not isinstance(value, cabc.Mapping):
        raise ConfigurationError(
            f"PROXY_FIX must be a dict of how many proxies set each X-Forwarded-* header, not {value!r}.",
            setting="PROXY_FIX",
            plugin="middleware",
            hint='Behind one proxy that sets X-Forwarded-For and X-Forwarded-Proto: PROXY_FIX = {"x_for": 1, '
            '"x_proto": 1}.',
        )
    options: dict[str, int] = {}
    for key, count in value.items():
        if key not in PROXY_FIX_KEYS:
            raise ConfigurationError(
                f"PROXY_FIX has the unknown key {key!r}." + did_you_mean(str(key), PROXY_FIX_KEYS),
                setting="PROXY_FIX",
                plugin="middleware",
                hint=f"The keys are {', '.join(PROXY_FIX_KEYS)} (werkzeug's ProxyFix arguments).",
            )
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ConfigurationError(
                f"PROXY_FIX[{key!r}] must be the number of proxies in front of the app (an int, 0 or more), "
                f"not {count!r}.",
                setting="PROXY_FIX",
                plugin="middleware",
            )
        options[key] = count
    return {key: options.get(key, 0) for key in PROXY_FIX_KEYS} if any(options.values()) else {}


def _wsgi_entries(value: object) -> list[tuple[str, t.Callable[..., t.Any], dict[str, t.Any]]]:
    if not value:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, cabc.Sequence):
        raise ConfigurationError(
            f"WSGI_MIDDLEWARE must be a list, not {type(value).__name__} {value!r}.",
            setting="WSGI_MIDDLEWARE",
            plugin="middleware",
            hint="Write WSGI_MIDDLEWARE = ['module:Factory', ('module:Other', {'option': 1}), ...].",
        )
    entries = []
    for item in value:
        kwargs: dict[str, t.Any] = {}
        target = item
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], cabc.Mapping):
            target, kwargs = item[0], dict(item[1])
        if isinstance(target, str):
            label = target
            factory = import_entry(target, setting="WSGI_MIDDLEWARE")
        else:
            label = f"{getattr(target, '__module__', '?')}:{getattr(target, '__qualname__', repr(target))}"
            factory = target
        if not callable(factory):
            raise ConfigurationError(
                f"The WSGI_MIDDLEWARE entry {label!r} is not callable.",
                setting="WSGI_MIDDLEWARE",
                plugin="middleware",
                hint="Each entry names a callable that takes the WSGI app (and options) and returns a WSGI app.",
            )
        entries.append((label, t.cast(t.Callable[..., t.Any], factory), kwargs))
    return entries


def _kwargs(options: t.Mapping[str, int]) -> str:
    return "(" + ", ".join(f"{k}={v}" for k, v in options.items() if v) + ")"

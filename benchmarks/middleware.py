"""Per-request cost of the middleware plugin: a script, not a test.

Calls each app's WSGI callable in a loop (no server, no network: only the
app's own work) for a small view, and prints requests per second and
microseconds per request, best of several rounds::

    python benchmarks/middleware.py            # default: 20000 requests x 7 rounds
    python benchmarks/middleware.py -n 50000 -r 9

Variants: bare Flask; flaskkit with no plugin; the middleware plugin with an
empty ``MIDDLEWARE`` (nothing is installed on the request path); the default
stack (SecurityMiddleware + XFrameOptionsMiddleware) next to bare Flask setting
the same four headers in an ``after_request`` function; three user layers that
define all four hooks and do nothing; and the default stack plus GZip on a
1 KB page. Every app has a SECRET_KEY, so each opens Flask's cookie session.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import platform
import sys
import time
import typing as t

from flask import Flask
from werkzeug.test import EnvironBuilder

from flaskkit import create_app
from flaskkit.plugins.middleware import Middleware

SECRET = "benchmark-secret-key-" + "x" * 40
SMALL = "Hello, World!"
#: The variants the ones after them are compared with.
BASELINES = ("bare Flask", "bare Flask, 1 KB page")
PAGE = "<p>" + "Hello, compressible world! " * 40 + "</p>"


class Noop(Middleware):
    """A user layer with every hook, each doing nothing."""

    def process_request(self, request):
        return None

    def process_view(self, request, view_func, view_args):
        return None

    def process_exception(self, request, exc):
        return None

    def process_response(self, request, response):
        return response


class Noop2(Noop):
    pass


class Noop3(Noop):
    pass


def bare(name: str) -> Flask:
    app = Flask(name)
    app.config["SECRET_KEY"] = SECRET  # as the flaskkit apps: Flask opens its cookie session on each request
    return app


def add_views(app: Flask) -> Flask:
    app.add_url_rule("/", "index", lambda: SMALL)
    app.add_url_rule("/page", "page", lambda: PAGE)
    return app


def with_headers(app: Flask) -> Flask:
    """The default stack's four headers, set by a plain after_request function (the hand-wired way)."""

    @app.after_request
    def security_headers(response: t.Any) -> t.Any:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    return app


def variants() -> list[tuple[str, Flask, str, dict[str, str]]]:
    gzip = {"Accept-Encoding": "gzip"}
    default = ["flaskkit.plugins.middleware:SecurityMiddleware", "flaskkit.plugins.middleware:XFrameOptionsMiddleware"]
    return [
        ("bare Flask", add_views(bare("bare")), "/", {}),
        ("flaskkit, no plugins", add_views(create_app({"SECRET_KEY": SECRET}, import_name="kit")), "/", {}),
        (
            "middleware, MIDDLEWARE = []",
            add_views(
                create_app(
                    {"SECRET_KEY": SECRET, "ALLOWED_HOSTS": ["localhost"], "PLUGINS": ["middleware"], "MIDDLEWARE": []},
                    import_name="e",
                )
            ),
            "/",
            {},
        ),
        (
            "middleware, default stack",
            add_views(
                create_app(
                    {"SECRET_KEY": SECRET, "ALLOWED_HOSTS": ["localhost"], "PLUGINS": ["middleware"]},
                    import_name="default",
                )
            ),
            "/",
            {},
        ),
        ("bare Flask + after_request, same 4 headers", with_headers(add_views(bare("headers"))), "/", {}),
        (
            "3 user layers, all 4 hooks",
            add_views(
                create_app(
                    {
                        "SECRET_KEY": SECRET,
                        "ALLOWED_HOSTS": ["localhost"],
                        "PLUGINS": ["middleware"],
                        "MIDDLEWARE": [Noop, Noop2, Noop3],
                    },
                    import_name="three",
                )
            ),
            "/",
            {},
        ),
        ("bare Flask, 1 KB page", add_views(bare("bare_page")), "/page", gzip),
        (
            "default stack + GZip, 1 KB page",
            add_views(
                create_app(
                    {
                        "SECRET_KEY": SECRET,
                        "ALLOWED_HOSTS": ["localhost"],
                        "PLUGINS": ["middleware"],
                        "MIDDLEWARE": [*default, "flaskkit.plugins.middleware:GZipMiddleware"],
                    },
                    import_name="gzip",
                )
            ),
            "/page",
            gzip,
        ),
    ]


def runner(app: Flask, path: str, headers: dict[str, str]) -> t.Callable[[int], float]:
    """A function that makes ``n`` WSGI calls to ``app`` and returns the seconds they took."""
    environ = EnvironBuilder(path=path, headers=headers).get_environ()
    status: list[str] = []

    def start_response(code: str, response_headers: t.Any, exc_info: t.Any = None) -> t.Callable[[bytes], None]:
        status.append(code)
        return lambda data: None

    def one() -> None:
        body = app(dict(environ), start_response)
        try:
            for _chunk in body:
                pass
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    def run(n: int) -> float:
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            for _ in range(n):
                one()
            return time.perf_counter() - started
        finally:
            gc.enable()

    run(1000)  # warm up
    assert status[-1].startswith("200"), status[-1]
    return run


def main(argv: t.Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--requests", type=int, default=20000, help="requests per round")
    parser.add_argument("-r", "--rounds", type=int, default=7, help="rounds (the best is kept)")
    options = parser.parse_args(argv)
    print(
        f"Python {platform.python_version()}, Flask {importlib.metadata.version('flask')}, "
        f"{platform.machine()}; {options.requests} requests x {options.rounds} rounds, best round"
    )
    measured = [(name, runner(app, path, headers)) for name, app, path, headers in variants()]
    best = {name: float("inf") for name, _ in measured}
    # Interleaved rounds: a machine that slows down for a while slows every variant alike.
    for _ in range(options.rounds):
        for name, run in measured:
            best[name] = min(best[name], run(options.requests) / options.requests)
    rows = []
    baseline = 0.0
    for name, seconds in best.items():
        if name in BASELINES:
            baseline = seconds
        rows.append((name, 1 / seconds, seconds * 1e6, (seconds - baseline) * 1e6))
    width = max(len(row[0]) for row in rows)
    print(f"{'variant'.ljust(width)}  {'requests/s':>10}  {'us/request':>10}  {'vs bare Flask':>13}")
    for name, rps, micros, delta in rows:
        print(f"{name.ljust(width)}  {rps:10,.0f}  {micros:10.1f}  {delta:+12.1f}us")


if __name__ == "__main__":
    sys.exit(main())

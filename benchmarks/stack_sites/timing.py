"""In-process WSGI timings: each route's environ is built once, then the app is called in a loop.

A call is what a WSGI server does with the app: ``app(environ, start_response)``, the
body consumed, then closed. A POST gets a new ``wsgi.input`` each time (the same bytes).
"""

from __future__ import annotations

import collections.abc as cabc
import dataclasses
import gc
import io
import statistics
import time
import typing as t

from werkzeug.test import EnvironBuilder

from . import Stack
from .checks import LoggedIn

__all__ = ["ROUTES", "TRIVIAL", "Case", "cases_for", "run_rounds", "trivial_cases"]

#: The timed routes of the full stacks, in the order of the tables: name -> what it is.
ROUTES: dict[str, str] = {
    "list": "GET /notes/, logged in: 20 rows through a template with a CSRF form",
    "create": "POST /notes/new/, logged in, valid token: a ModelForm/FlaskForm saves a row, 302",
    "cached": "GET /dashboard/, logged in: the per-user page served from the cache",
    "anon": "GET /notes/, anonymous: 302 to the login page",
    "hello": "GET /hello/ on the full stack: a string",
}
#: The route timed on the two minimal apps (flaskkit with MIDDLEWARE = [], bare Flask).
TRIVIAL = "trivial"


@dataclasses.dataclass
class Case:
    """One route of one stack, ready to be called ``n`` times."""

    route: str
    stack: str
    app: t.Callable[..., t.Any]
    environ: dict[str, t.Any]
    body: bytes
    status: int
    #: Run after each timed batch, outside the timing (the POST deletes the rows it added).
    after: cabc.Callable[[int], None] | None = None

    def call(self) -> str:
        """One request; its status line."""
        environ = dict(self.environ)
        if self.body:
            environ["wsgi.input"] = io.BytesIO(self.body)
        status: list[str] = []

        def start_response(code: str, headers: t.Any, exc_info: t.Any = None) -> t.Callable[[bytes], None]:
            status.append(code)
            return lambda data: None

        body = self.app(environ, start_response)
        try:
            for _chunk in body:
                pass
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        return status[-1]

    def batch(self, n: int) -> float:
        """Seconds per request over ``n`` requests, with the garbage collector off."""
        gc.collect()
        gc.disable()
        try:
            call = self.call
            started = time.perf_counter()
            for _ in range(n):
                last = call()
            elapsed = time.perf_counter() - started
        finally:
            gc.enable()
        if not last.startswith(str(self.status)):
            raise AssertionError(f"{self.stack}, route {self.route}: status {last}, expected {self.status}")
        if self.after is not None:
            self.after(n)
        return elapsed / n


def _environ(path: str, method: str = "GET", **kwargs: t.Any) -> tuple[dict[str, t.Any], bytes]:
    builder = EnvironBuilder(path=path, method=method, **kwargs)
    try:
        environ = builder.get_environ()
        body = environ["wsgi.input"].read()
    finally:
        builder.close()
    return environ, body


def cases_for(stack: Stack, logged_in: LoggedIn) -> dict[str, Case]:
    """The timed routes of a full stack, for alice's browser."""
    cookie = {"Cookie": logged_in.cookie}
    cases = {}
    for route, path in (("list", "/notes/"), ("cached", "/dashboard/")):
        environ, body = _environ(path, headers=cookie)
        cases[route] = Case(route, stack.name, stack.app, environ, body, 200)
    environ, body = _environ(
        "/notes/new/",
        "POST",
        headers=cookie,
        data={"title": "A timed note", "body": "Written by the benchmark.", stack.csrf_field: logged_in.token},
    )
    cases["create"] = Case("create", stack.name, stack.app, environ, body, 302, after=_reset_after(stack))
    environ, body = _environ("/notes/")
    cases["anon"] = Case("anon", stack.name, stack.app, environ, body, 302)
    environ, body = _environ("/hello/")
    cases["hello"] = Case("hello", stack.name, stack.app, environ, body, 200)
    return cases


def _reset_after(stack: Stack) -> cabc.Callable[[int], None]:
    seeded = stack.count_notes()

    def after(n: int) -> None:
        added = stack.count_notes() - seeded
        if added != n:
            raise AssertionError(f"{stack.name}, route create: {added} rows added by {n} requests")
        stack.reset_notes()

    return after


def trivial_cases(apps: cabc.Mapping[str, t.Callable[..., t.Any]]) -> dict[str, Case]:
    environ, body = _environ("/hello/")
    return {name: Case(TRIVIAL, name, app, environ, body, 200) for name, app in apps.items()}


def run_rounds(
    table: cabc.Mapping[str, cabc.Mapping[str, Case]],
    *,
    rounds: int,
    n: int,
    warmup: int,
    progress: cabc.Callable[[str], None] = lambda message: None,
) -> dict[str, dict[str, list[float]]]:
    """Microseconds per request, per round, for ``table[route][stack]``.

    Rounds are interleaved: round 1 times every route of every stack, then round 2...
    so a machine that slows down for a while slows every stack alike.
    """
    for cases in table.values():
        for case in cases.values():
            case.batch(warmup)
    samples: dict[str, dict[str, list[float]]] = {
        route: {stack: [] for stack in cases} for route, cases in table.items()
    }
    for number in range(1, rounds + 1):
        for route, cases in table.items():
            for stack, case in cases.items():
                samples[route][stack].append(case.batch(n) * 1e6)
        progress(
            f"round {number}/{rounds}: "
            + ", ".join(
                f"{route} " + "/".join(f"{samples[route][stack][-1]:.0f}" for stack in cases)
                for route, cases in table.items()
            )
            + " us"
        )
    return samples


def median(values: cabc.Sequence[float]) -> float:
    return statistics.median(values)

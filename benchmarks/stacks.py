"""flaskkit next to hand-wired Flask and Django 5.2, on one notes-board workload: a script, not a test.

The same board is written in three stacks (``benchmarks/stack_sites/``), each as its
own documentation teaches, on SQLite files of its own in a temporary folder, seeded
with the same 2 users and 200 notes. Before any timing, every stack passes the same
behaviour checks through its WSGI app (``--smoke`` runs only those). Then each route is
timed in-process (the WSGI app called in a loop, no server, no network), in rounds
interleaved across the stacks, and the median microseconds per request are compared
with hand-wired Flask::

    python benchmarks/stacks.py --smoke                  # the behaviour checks only
    python benchmarks/stacks.py                          # 7 rounds x 200 requests per route and stack
    python benchmarks/stacks.py --route list --route cached -n 500 --rounds 9
    python benchmarks/stacks.py --markdown --chart docs/img/performance.png --json results.json
    python benchmarks/stacks.py --gunicorn               # also: list-page throughput, 2 gunicorn workers, wrk
    python benchmarks/stacks.py --profile list           # cProfile of one route in each stack

docs/performance.md explains what is measured and what each stack's time is made of.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import logging
import os
import pathlib
import pstats
import statistics
import sys
import tempfile
import typing as t

from stack_sites import checks
from stack_sites import flask_site
from stack_sites import kit_site
from stack_sites import report
from stack_sites import serve
from stack_sites import timing
from stack_sites.django_notes import site as django_site

if t.TYPE_CHECKING:
    import collections.abc as cabc

    from stack_sites import Stack

ALL_ROUTES = [*timing.ROUTES, timing.TRIVIAL]


def build_stacks(folder: pathlib.Path) -> list[Stack]:
    """The three stacks, hand-wired Flask first (the baseline), each on a folder of its own."""
    return [
        flask_site.create(folder / "flask"),
        kit_site.create(folder / "flaskkit"),
        django_site.create(folder / "django"),
    ]


def trivial_apps() -> dict[str, t.Callable[..., t.Any]]:
    return {
        report.TRIVIAL_BASELINE: flask_site.trivial_app(),
        report.TRIVIAL_NO_SESSION: flask_site.trivial_app(secret_key=False),
        "flaskkit, MIDDLEWARE = []": kit_site.trivial_app(),
    }


def run_checks(stacks: cabc.Sequence[Stack], trivial: cabc.Mapping[str, t.Any]) -> dict[str, checks.LoggedIn]:
    logged_in = {}
    for stack in stacks:
        logged_in[stack.name] = checks.check_stack(stack)
        print(f"checks passed: {stack.name}")
    for name, app in trivial.items():
        checks.check_trivial(name, app)
    print(f"checks passed: {', '.join(trivial)} (trivial route)")
    return logged_in


def case_table(
    stacks: cabc.Sequence[Stack],
    logged_in: cabc.Mapping[str, checks.LoggedIn],
    trivial: cabc.Mapping[str, t.Any],
    routes: cabc.Sequence[str],
) -> dict[str, dict[str, timing.Case]]:
    per_stack = {stack.name: timing.cases_for(stack, logged_in[stack.name]) for stack in stacks}
    table: dict[str, dict[str, timing.Case]] = {}
    for route in routes:
        if route == timing.TRIVIAL:
            table[route] = timing.trivial_cases(trivial)
        else:
            table[route] = {name: cases[route] for name, cases in per_stack.items()}
    return table


def profile(table: cabc.Mapping[str, cabc.Mapping[str, timing.Case]], route: str, n: int) -> None:
    """cProfile ``n`` calls of ``route`` in each stack: own time per package, then the costliest functions."""
    for name, case in table[route].items():
        case.batch(min(n, 50))  # warm
        profiler = cProfile.Profile()
        profiler.enable()
        case.batch(n)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        print(f"\n===== {route}: {name} ({n} requests) =====")
        total = sum(entry[2] for entry in stats.stats.values())  # type: ignore[attr-defined]
        by_package: dict[str, float] = {}
        for (filename, _line, _function), entry in stats.stats.items():  # type: ignore[attr-defined]
            by_package[_package(filename)] = by_package.get(_package(filename), 0.0) + entry[2]
        print(f"own time by package ({total / n * 1e6:,.0f} µs/request under the profiler):")
        for package, seconds in sorted(by_package.items(), key=lambda item: -item[1])[:14]:
            print(f"  {seconds / total:6.1%}  {package}")
        stats.sort_stats("cumulative").print_stats(40)
        # PROFILE_FILTER (a regular expression on the lines), PROFILE_TOP, PROFILE_CALLERS (comma-separated)
        top = int(os.environ.get("PROFILE_TOP", 20))
        stats.sort_stats("tottime").print_stats(os.environ.get("PROFILE_FILTER", ""), top)
        for pattern in filter(None, os.environ.get("PROFILE_CALLERS", "").split(",")):
            stats.print_callers(pattern)
        print(out.getvalue())


def _package(filename: str) -> str:
    """``sqlalchemy``, ``flaskkit.plugins.auth``, ``(built-in)``...: where a profiled function lives."""
    path = pathlib.PurePath(filename)
    parts = path.parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    if "plugins" in parts and "flaskkit" not in parts[parts.index("plugins") + 1 :]:
        return "flaskkit.plugins." + parts[parts.index("plugins") + 1].removesuffix(".py")
    if "flaskkit" in parts:
        return "flaskkit (core)"
    if "stack_sites" in parts or path.name == "stacks.py":
        return "the benchmark's sites and harness"
    if filename.startswith("~") or filename.startswith("<"):
        return "(built-in functions)"
    return "python stdlib"


def gunicorn_throughput(
    stacks: cabc.Sequence[Stack],
    logged_in: cabc.Mapping[str, checks.LoggedIn],
    folder: pathlib.Path,
    seconds: float,
    rounds: int,
) -> dict[str, dict[str, t.Any]]:
    """List-page requests/s of each stack under gunicorn: the servers run side by side, the loads are
    interleaved (round 1: each stack for ``seconds``, round 2...), and the median round is kept."""
    samples: dict[str, list[float]] = {stack.name: [] for stack in stacks}
    loader = ""
    with contextlib.ExitStack() as servers:
        urls = {
            stack.name: servers.enter_context(serve.gunicorn_server(stack.gunicorn_app, stack.folder))
            for stack in stacks
        }
        for stack in stacks:  # warm: each worker's first requests
            serve.load(urls[stack.name], "/notes/", logged_in[stack.name].cookie, seconds=1)
        for number in range(1, rounds + 1):
            for stack in stacks:
                result = serve.load(urls[stack.name], "/notes/", logged_in[stack.name].cookie, seconds=seconds)
                if result.errors:
                    raise SystemExit(f"{stack.name}: {result.errors} responses under gunicorn were not 200")
                samples[stack.name].append(result.requests_per_second)
                loader = result.loader
            print(
                f"gunicorn round {number}/{rounds}, {serve.WORKERS} workers, GET /notes/: "
                + ", ".join(f"{name} {values[-1]:,.0f}" for name, values in samples.items())
                + " req/s"
            )
    return {
        name: {"requests_per_second": statistics.median(values), "rounds": values, "loader": loader}
        for name, values in samples.items()
    }


def parse(argv: cabc.Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds; the median is kept (default 7)")
    parser.add_argument("-n", "--requests", type=int, default=200, help="requests per route, stack and round")
    parser.add_argument("--route", action="append", choices=ALL_ROUTES, help="time only this route (repeatable)")
    parser.add_argument("--smoke", action="store_true", help="run the behaviour checks only")
    parser.add_argument("--json", type=pathlib.Path, metavar="PATH", help="write the results to a JSON file")
    parser.add_argument("--markdown", action="store_true", help="print the tables in Markdown (for the docs)")
    parser.add_argument("--chart", type=pathlib.Path, metavar="PATH", help="draw the medians to a PNG (matplotlib)")
    parser.add_argument("--gunicorn", action="store_true", help="also measure list-page throughput under gunicorn")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load per stack and round (--gunicorn)")
    parser.add_argument("--gunicorn-rounds", type=int, default=3, help="interleaved load rounds (--gunicorn)")
    parser.add_argument("--profile", choices=ALL_ROUTES, metavar="ROUTE", help="cProfile one route, no timing")
    parser.add_argument(
        "--tmpdir",
        type=pathlib.Path,
        default=_default_tmpdir(),
        help="where the stacks' databases and session files go (default: /dev/shm when there is one, so that "
        "SQLite's fsync on commit does not drown the frameworks' own cost)",
    )
    return parser.parse_args(argv)


def _default_tmpdir() -> pathlib.Path | None:
    shm = pathlib.Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else None


def main(argv: cabc.Sequence[str] | None = None) -> int:
    options = parse(argv)
    # Warnings and errors only: the migrations' INFO lines are not results.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    env = report.environment()
    print(report.describe(env))
    with tempfile.TemporaryDirectory(prefix="flaskkit-stacks-", dir=options.tmpdir) as tmp:
        folder = pathlib.Path(tmp)
        stacks = build_stacks(folder)
        # The checks' POST without a token is meant to be refused; both stacks log the refusal as a warning.
        # (After the build: django.setup() resets the levels of the "django" loggers.)
        for name in ("django.security.csrf", "flaskkit.forms.csrf"):
            logging.getLogger(name).setLevel(logging.ERROR)
        trivial = trivial_apps()
        try:
            logged_in = run_checks(stacks, trivial)
        except checks.CheckFailed as failure:
            print(f"FAILED: {failure}", file=sys.stderr)
            return 1
        if options.smoke:
            print("smoke: every behaviour check passed")
            return 0
        routes = options.route or ALL_ROUTES
        table = case_table(stacks, logged_in, trivial, routes)
        if options.profile:
            profile(table, options.profile, options.requests)
            return 0
        print(f"{options.rounds} rounds x {options.requests} requests per route and stack, interleaved; medians")
        samples = timing.run_rounds(
            table, rounds=options.rounds, n=options.requests, warmup=min(options.requests, 50), progress=print
        )
        results = report.summary(samples)
        print()
        print(report.table(results, timing.ROUTES | {timing.TRIVIAL: _TRIVIAL_TEXT}, markdown=options.markdown))
        throughput = None
        if options.gunicorn:
            print()
            throughput = gunicorn_throughput(stacks, logged_in, folder, options.duration, options.gunicorn_rounds)
            print(report.throughput_table(throughput, markdown=options.markdown))
        if options.json:
            options.json.write_text(
                json.dumps(
                    {
                        "environment": env,
                        "rounds": options.rounds,
                        "requests": options.requests,
                        "results": results,
                        "gunicorn": throughput,
                    },
                    indent=2,
                )
            )
        if options.chart:
            report.chart(results, options.chart, report.describe(env))
            print(f"chart written to {options.chart}")
    return 0


_TRIVIAL_TEXT = (
    "GET /hello/ on flaskkit with only the middleware plugin and MIDDLEWARE = [], next to a bare Flask app "
    "with a SECRET_KEY (Flask opens its cookie session) and one without (no session: Flask's quickstart)"
)


if __name__ == "__main__":
    sys.exit(main())

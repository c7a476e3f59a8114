"""The results: the versions, the tables (plain or Markdown), the JSON file and the chart."""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import platform
import statistics
import typing as t

if t.TYPE_CHECKING:
    import collections.abc as cabc
    import pathlib

__all__ = ["BASELINE", "TRIVIAL_BASELINE", "TRIVIAL_NO_SESSION", "chart", "environment", "summary", "table"]

#: The stack every ratio is taken to.
BASELINE = "hand-wired Flask"
#: The baseline of the trivial route.
TRIVIAL_BASELINE = "bare Flask"
#: Bare Flask without a SECRET_KEY: Flask opens no session (flaskkit refuses to boot without one).
TRIVIAL_NO_SESSION = "bare Flask, no SECRET_KEY"

Samples = dict[str, dict[str, list[float]]]


def environment() -> dict[str, str]:
    """The versions and the machine, as printed above the tables."""
    versions = {name: importlib.metadata.version(name) for name in ("flask", "django", "sqlalchemy", "flaskkit")}
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:  # Linux only
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "python": platform.python_version(),
        **versions,
        "machine": f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} CPUs",
    }


def describe(env: cabc.Mapping[str, str]) -> str:
    return (
        f"Python {env['python']}, Flask {env['flask']}, Django {env['django']}, SQLAlchemy {env['sqlalchemy']}, "
        f"flaskkit {env['flaskkit']}; {env['machine']}"
    )


def summary(samples: Samples) -> dict[str, dict[str, dict[str, float | list[float]]]]:
    """Per route and stack: the median, the samples, the ratio of the medians to the route's
    baseline's, and the median of the round-by-round ratios (each round's time over the
    baseline's in the same round: the rounds are interleaved, so a slow moment of a shared
    machine weighs on both sides of each of these ratios)."""
    result: dict[str, dict[str, dict[str, float | list[float]]]] = {}
    for route, stacks in samples.items():
        medians = {stack: statistics.median(values) for stack, values in stacks.items()}
        baseline = BASELINE if BASELINE in stacks else TRIVIAL_BASELINE
        base = medians.get(baseline)
        result[route] = {
            stack: {
                "median_us": medians[stack],
                "rounds_us": values,
                "ratio": medians[stack] / base if base else 0.0,
                "paired_ratio": statistics.median(a / b for a, b in zip(values, stacks[baseline], strict=True))
                if base
                else 0.0,
            }
            for stack, values in stacks.items()
        }
    return result


def table(
    results: cabc.Mapping[str, cabc.Mapping[str, cabc.Mapping[str, t.Any]]],
    descriptions: cabc.Mapping[str, str],
    *,
    markdown: bool,
) -> str:
    """One row per route and stack: median µs/request, requests/s, ratio to the baseline."""
    header = ("route", "stack", "µs/request (median)", "requests/s", "ratio", "ratio by round (median)")
    rows = []
    for route, stacks in results.items():
        for stack, figures in stacks.items():
            median = float(figures["median_us"])
            rows.append(
                (
                    f"`{route}`" if markdown else route,
                    stack,
                    f"{median:,.1f}",
                    f"{1e6 / median:,.0f}",
                    f"{float(figures['ratio']):.2f}x",
                    f"{float(figures.get('paired_ratio', 0.0)):.2f}x",
                )
            )
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|---|---|---:|---:|---:|---:|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        lines.append("")
        lines += [f"- `{route}`: {text}" for route, text in descriptions.items() if route in results]
        return "\n".join(lines)
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    out = ["  ".join(str(cell).ljust(width) for cell, width in zip(header, widths, strict=True))]
    previous = None
    for row in rows:
        if previous is not None and row[0] != previous:
            out.append("")
        previous = row[0]
        out.append("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    return "\n".join(out)


def throughput_table(figures: cabc.Mapping[str, cabc.Mapping[str, t.Any]], *, markdown: bool) -> str:
    """Requests/s per stack (the median round), the ratio of those medians to the baseline's, and
    the median of the round-by-round ratios (the loads are interleaved, as the in-process rounds)."""
    base = figures.get(BASELINE, {})
    base_rps = base.get("requests_per_second")
    base_rounds = base.get("rounds") or []
    rows = []
    for stack, f in figures.items():
        rounds = f.get("rounds") or []
        paired = (
            f"{statistics.median(a / b for a, b in zip(rounds, base_rounds, strict=True)):.2f}x"
            if base_rounds and len(rounds) == len(base_rounds)
            else "-"
        )
        rows.append(
            (
                stack,
                f"{f['requests_per_second']:,.0f}",
                f"{f['requests_per_second'] / base_rps:.2f}x" if base_rps else "-",
                paired,
                f["loader"],
            )
        )
    header = ("stack", "requests/s", "ratio", "ratio by round (median)", "loader")
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|---|---:|---:|---:|---|"]
        return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in [header, *rows])


def chart(
    results: cabc.Mapping[str, cabc.Mapping[str, cabc.Mapping[str, t.Any]]], path: pathlib.Path, title: str
) -> None:
    """A PNG of the medians: one group of bars per route, one bar per stack, labelled with the ratio."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise SystemExit(
            f"--chart needs matplotlib, which is not installed ({exc}). Install it with: pip install matplotlib"
        ) from None
    routes = list(results)
    stacks: list[str] = []
    for route in routes:
        stacks += [stack for stack in results[route] if stack not in stacks]
    figure, axes = plt.subplots(figsize=(10, 5.5), dpi=110)
    width = 0.8 / max(len(stack_list) for stack_list in (list(results[r]) for r in routes))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for route_index, route in enumerate(routes):
        for stack_index, stack in enumerate(results[route]):
            figures = results[route][stack]
            x = route_index + (stack_index - (len(results[route]) - 1) / 2) * width
            bar = axes.bar(
                x,
                float(figures["median_us"]),
                width,
                color=colors[stacks.index(stack) % len(colors)],
                label=stack if route_index == routes.index(_first_route(results, stack)) else None,
            )
            axes.bar_label(bar, labels=[f"{float(figures['ratio']):.2f}x"], fontsize=7, padding=2)
    axes.set_xticks(range(len(routes)), routes)
    axes.set_ylabel("µs per request (median; lower is better)")
    axes.set_title(title, fontsize=9)
    axes.legend(fontsize=8)
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def _first_route(results: cabc.Mapping[str, cabc.Mapping[str, t.Any]], stack: str) -> str:
    return next(route for route, stacks in results.items() if stack in stacks)

"""The side-by-side benchmark's smoke mode: the three stacks behave alike before anything is timed.

``benchmarks/stacks.py --smoke`` runs the behaviour checks of flaskkit, hand-wired Flask
and Django 5.2 (login, the list page and its CSRF form, the create POST with and without
a token, the per-user cached page, the security headers). It runs in a process of its
own: Django is configured once per process, and the flaskkit stack's models would meet
the suite's. Warnings are errors there too.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "stacks.py"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "error", str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_stack_passes_the_behaviour_checks():
    result = run("--smoke")
    assert result.returncode == 0, result.stdout + result.stderr
    for stack in ("hand-wired Flask", "flaskkit", "Django"):
        assert f"checks passed: {stack}\n" in result.stdout
    assert "smoke: every behaviour check passed" in result.stdout
    assert result.stderr == ""

from __future__ import annotations

import os

import pytest

FRESH_VENV = "fresh_venv"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{FRESH_VENV}: builds flaskkit's wheel and a new virtual environment (about a minute): runs when CI=true, "
        f"with -m {FRESH_VENV}, or with FLASKKIT_FRESH_VENV=1.",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    chosen = FRESH_VENV in (config.getoption("markexpr") or "")
    wanted = os.environ.get("CI", "").lower() == "true" or os.environ.get("FLASKKIT_FRESH_VENV") == "1"
    if chosen or wanted:
        return
    skip = pytest.mark.skip(
        reason=f"builds a wheel and a virtual environment: runs in CI (CI=true), with -m {FRESH_VENV} "
        "or FLASKKIT_FRESH_VENV=1"
    )
    for item in items:
        if FRESH_VENV in item.keywords:
            item.add_marker(skip)

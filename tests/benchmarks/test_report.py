"""The benchmark's figures: the ratio of the medians and the median of the round-by-round ratios."""

from __future__ import annotations

import importlib.util
import pathlib

import pytest

REPORT = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "stack_sites" / "report.py"


@pytest.fixture(scope="module")
def report():
    spec = importlib.util.spec_from_file_location("benchmark_report", REPORT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_paired_ratio_follows_each_round_when_the_machine_drifts(report):
    # Round 2 is slow for both stacks (a busy moment of the machine): each round, the kit takes 0.7x.
    samples = {"list": {"hand-wired Flask": [100.0, 200.0, 110.0], "flaskkit": [70.0, 140.0, 77.0]}}
    figures = report.summary(samples)["list"]
    assert figures["flaskkit"]["paired_ratio"] == pytest.approx(0.7)
    assert figures["flaskkit"]["ratio"] == pytest.approx(77.0 / 110.0)
    assert figures["hand-wired Flask"]["paired_ratio"] == pytest.approx(1.0)
    trivial = report.summary({"trivial": {"bare Flask": [80.0, 90.0], "flaskkit": [80.0, 99.0]}})["trivial"]
    assert trivial["flaskkit"]["paired_ratio"] == pytest.approx(1.05)
    text = report.table({"list": figures}, {"list": "the list page"}, markdown=True)
    assert "| `list` | flaskkit | 77.0 | 12,987 | 0.70x | 0.70x |" in text


def test_the_throughput_table_shows_both_ratios(report):
    figures = {
        "hand-wired Flask": {"requests_per_second": 970.0, "rounds": [1000.0, 970.0, 870.0], "loader": "wrk"},
        "flaskkit": {"requests_per_second": 1175.0, "rounds": [1300.0, 1175.0, 1131.0], "loader": "wrk"},
    }
    text = report.throughput_table(figures, markdown=True)
    assert "| flaskkit | 1,175 | 1.21x | 1.30x | wrk |" in text
    assert "| hand-wired Flask | 970 | 1.00x | 1.00x | wrk |" in text

"""bench/run.py: every verdict in BENCHMARKS.md is computed from the run's own figures."""

from __future__ import annotations

import importlib.util
import sys

from conftest import ROOT

spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
bench = importlib.util.module_from_spec(spec)
sys.modules["bench_run"] = bench
spec.loader.exec_module(bench)
Row = bench.Row


def test_verdicts_follow_the_figures():
    assert bench.verdict(Row("cold / naive", 0.79, "<= 0.80", "")) == "met"
    assert bench.verdict(Row("cold / naive", 1.47, "<= 0.80", "")) == "missed"
    assert bench.verdict(Row("series", 1.84, ">= 1.70", "")) == "met"
    assert bench.verdict(Row("series", 1.2, ">= 1.70", "")) == "missed"
    assert bench.verdict(Row("rebuild", 0.2, "<= 0.15 s", "")) == "missed"
    # the memory target is about the long document's peak, not the ratio shown
    assert bench.verdict(Row("memory", 6.96, "<= 1.5 GiB", "", measured=0.57)) == "met"
    assert bench.verdict(Row("memory", 0.9, "<= 1.5 GiB", "", measured=1.6)) == "missed"
    assert bench.verdict(Row("no target", 2.25, "", "")) == ""


def test_the_summary_says_what_this_run_met_and_missed():
    rows = [
        Row("cold / naive", 1.47, "<= 0.80", ""),
        Row("rebuild", 0.08, "<= 0.15 s", ""),
        Row("floor / naive", 1.01, "", ""),
        Row("series", 1.2, ">= 1.70", ""),
    ]
    assert bench.summary(rows) == ["Targets met in this run: 1 of 3.", "Missed: cold / naive; series."]
    assert bench.summary(rows[1:2]) == ["Targets met in this run: 1 of 1."]

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


def test_a_speed_patch_is_kept_for_five_percent_of_one_figure_and_its_section_replaced_in_place(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    import speed_patches as speed

    def figure(name, with_it, without):  # processor seconds of each run
        return speed.Figure("p", name, speed.Samples(with_it, with_it), speed.Samples(without, without))

    steady = [1.00, 1.01, 0.99]
    cold = figure("cold build", steady, steady)
    assert speed.kept([cold, figure("long", [0.94] * 3, [1.0] * 3)])  # 6 % of one figure
    assert not speed.kept([cold, figure("long", [0.97] * 3, [1.0] * 3)])  # 3 % of each: deleted
    assert not speed.borderline([cold, figure("long", [0.90] * 3, [1.0] * 3)])
    assert speed.borderline([cold, figure("long", [0.96, 0.90, 1.0], [1.0, 0.94, 1.05])])  # 4 %, noise 5 %
    rows = speed.table({"pydyf.page_references_kept": [cold, figure("long", [0.90] * 3, [1.0] * 3)]})
    assert rows[2].startswith("| `pydyf.page_references_kept` | pydyf 0.13.0 | cold build | 1.00 s / 1.00 s |")
    assert rows[2].endswith("| kept |") and rows[3].endswith("| 0.900 | 0.900 | 0.0 % |  |")

    report = tmp_path / "BENCHMARKS.md"
    report.write_text("# Benchmarks\n\nfirst\n\n## The speed patches (render/patches/)\n\nold\n\n## Packs\n\nlast\n")
    bench.replace_section(report, [speed.SECTION, "", "new", ""])
    assert report.read_text() == (
        "# Benchmarks\n\nfirst\n\n## The speed patches (render/patches/)\n\nnew\n\n## Packs\n\nlast\n"
    )
    report.write_text("# Benchmarks\n\nfirst\n")
    bench.replace_section(report, ["## Other", "", "added"])
    assert report.read_text() == "# Benchmarks\n\nfirst\n\n## Other\n\nadded\n"


def test_a_full_run_keeps_the_sections_other_commands_write(tmp_path):
    report = tmp_path / "BENCHMARKS.md"
    report.write_text(
        "# Benchmarks\n\nold table\n\n## The speed patches (render/patches/)\n\n| a |\n\n"
        "## The corpus of documents written elsewhere (bench/corpus.py)\n\ncorpus\n\n## Briefing packs\n\npacks\n"
    )
    assert bench.other_sections(report) == [
        "",
        "## The speed patches (render/patches/)\n\n| a |",
        "",
        "## The corpus of documents written elsewhere (bench/corpus.py)\n\ncorpus",
    ]

#!/usr/bin/env python3
"""Measure briefpress against the naive pandoc route and the bare WeasyPrint floor; write BENCHMARKS.md.

Run from the project root after ./setup.sh:  .venv/bin/python bench/run.py [--runs 5]
Every figure comes from this one run on this machine; ratios are what the targets are about.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import (  # noqa: E402
    CORES,
    CPU_SECONDS,
    PYTHON,
    ROOT,
    SAMPLE,
    TITLE_EDIT,
    Row,
    bench_folder,
    cold_phases,
    floor,
    fresh,
    interleaved,
    long_document,
    naive,
    ours,
    pages,
    preview,
    rebuild,
    series,
    summary,
    timed_peak,
    verdict,
    wall,
    warm_phases,
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--long",
        default="15,50,150",
        help="how many times each long document repeats the body, comma-separated (150, about 280 pages, "
        "is near the longest brief a build accepts and takes a minute; --long 15,50 for a shorter run, "
        "--long '' for none)",
    )
    parser.add_argument("--saves", type=int, default=10, help="saves measured in the preview")
    parser.add_argument("--series", type=int, default=20, help="how many briefs in the series")
    parser.add_argument("--archive", type=int, default=200, help="how many briefs in the archive rebuilt on Dask")
    parser.add_argument(
        "--archive-only",
        action="store_true",
        help="measure only the archive on Dask and replace its section of the report",
    )
    parser.add_argument(
        "--patches",
        action="store_true",
        help="measure only each speed patch with and without it (bench/speed_patches.py, about half an hour) "
        "and replace its section of the report",
    )
    parser.add_argument("--patch-rounds", type=int, default=2, help="--patches: preview servers per condition")
    parser.add_argument("--patch-long", type=int, default=150, help="--patches: the long document's repeats")
    parser.add_argument("--patch-long-runs", type=int, default=1, help="--patches: runs of the long document")
    parser.add_argument("--patch-only", default="", help="--patches: the patches measured (default: all)")
    parser.add_argument(
        "--patch-long-for", default="", help="--patches: the patches measured on the long document (default: all)"
    )
    parser.add_argument(
        "--report",
        type=Path,
        default=ROOT / "BENCHMARKS.md",
        help="where to write the report (a quick run with fewer runs: somewhere else)",
    )
    args = parser.parse_args()
    wall([PYTHON, "-m", "compileall", "-q", str(ROOT / "briefpress")])  # as after a first run
    if args.archive_only:
        return archive_only(args)
    if args.patches:
        import speed_patches  # bench/speed_patches.py, beside this script

        with bench_folder() as tmp:
            section = speed_patches.run(tmp, args)
        replace_section(args.report, section)
        print("\n".join(section))
        return 0
    rows = []
    with bench_folder() as tmp:
        cold = interleaved(
            {
                "naive": naive(tmp),
                "fresh": fresh(tmp),
                "ours": ours(tmp, "--no-cache"),
                "one": ours(tmp, "--no-cache", "--format", "pdf", out="one"),
                "floor": floor(tmp),
                "serial": ours(tmp, "--no-cache", "--jobs", "1", out="serial"),
            },
            args.runs,
        )
        if pages(tmp / "floor.pdf") != pages(tmp / "one0" / "brief.pdf"):
            raise SystemExit("the floor's PDF has another number of pages than ours: it is not our render")
        t_naive, t_fresh, t_ours, one_pdf = cold["naive"], cold["fresh"], cold["ours"], cold["one"]
        t_floor, t_serial = cold["floor"], cold["serial"]
        t_rebuild = rebuild(tmp, args.runs)
        t_web, t_pdf, t_final = preview(tmp, args.saves)
        t_title_web, t_title_pdf, _ = preview(tmp, args.saves, TITLE_EDIT)
        bound = CPU_SECONDS["ours"] / CORES / t_floor
        phases = [
            "",
            f"Processor time: the cold build's processes (main, PDF worker, print helper, "
            f"pandoc) used {CPU_SECONDS['ours']:.2f} s in all, the floor {CPU_SECONDS['floor']:.2f} s. On "
            f"{CORES} cores no schedule of that work ends before {CPU_SECONDS['ours'] / CORES:.2f} s, "
            f"{bound:.2f} times the floor: {'within' if bound <= 1.10 else 'beyond'} the 1.10 target "
            "before any process waits for another.",
            "",
            "Where a cold build's time goes (`bench/phases.py cold`, medians of "
            f"{args.runs} builds; seconds from the command's start):",
            "",
            *cold_phases(tmp, args.runs),
        ]
        phases += [
            "",
            "Where a preview rebuild's time goes (`bench/phases.py warm`: the preview's own rebuild "
            f"in one warm process, web page then PDF, {args.saves} saves like the preview's):",
            "",
        ]
        phases += warm_phases(tmp, args.saves)
        rows += [
            Row(
                "Full default build (PDF, print PDF, EPUB), cold / naive pandoc route (PDF, EPUB)",
                t_ours / t_naive,
                "<= 0.80",
                f"{t_ours:.2f} s / {t_naive:.2f} s",
            ),
            Row(
                "Full default build, cold / faithful floor (bench/floor.py: import WeasyPrint, one render "
                "with the brand's fonts and PDF/UA tags)",
                t_ours / t_floor,
                "<= 1.10",
                f"{t_ours:.2f} s / {t_floor:.2f} s",
            ),
            Row(
                "Full default build, cold, nothing kept from an earlier build (brand.yml read with brand_yml, "
                "the cover drawn: as after a change to the brand) / faithful floor",
                t_fresh / t_floor,
                "",
                f"{t_fresh:.2f} s / {t_floor:.2f} s",
            ),
            Row(
                "Full default build, cold: processor time of all its processes / the floor's",
                CPU_SECONDS["ours"] / CPU_SECONDS["floor"],
                "",
                f"{CPU_SECONDS['ours']:.2f} s / {CPU_SECONDS['floor']:.2f} s",
            ),
            Row(
                f"Full default build, cold: the least wall time its processor time allows on {CORES} cores "
                "(processor time / cores) / faithful floor",
                CPU_SECONDS["ours"] / CORES / t_floor,
                "",
                f"{CPU_SECONDS['ours'] / CORES:.2f} s / {t_floor:.2f} s",
            ),
            Row(
                "Distribution PDF alone, cold / faithful floor",
                one_pdf / t_floor,
                "",
                f"{one_pdf:.2f} s / {t_floor:.2f} s",
            ),
            Row(
                "Full default build, cold, one process (--jobs 1) / naive pandoc route",
                t_serial / t_naive,
                "",
                f"{t_serial:.2f} s / {t_naive:.2f} s",
            ),
            Row("Faithful floor / naive pandoc route", t_floor / t_naive, "", f"{t_floor:.2f} s / {t_naive:.2f} s"),
            Row("Unchanged rebuild (cache hit), absolute", t_rebuild, "<= 0.15 s", f"{t_rebuild:.3f} s"),
            Row(
                f"Preview (`serve`): save to the new web edition served, median of {args.saves} saves",
                t_web,
                "<= 0.30 s",
                f"{t_web:.3f} s",
            ),
            Row(
                f"Preview (`serve`): save to the new distribution PDF served (its pages, as a draft), "
                f"median of {args.saves} saves",
                t_pdf,
                "<= 0.80 s",
                f"{t_pdf:.3f} s",
            ),
            Row(
                "Preview: save to the finished distribution PDF (tagged, PDF/UA) written to dist/ and served",
                t_final,
                "",
                f"{t_final:.3f} s",
            ),
            Row(
                "Preview, saves that change the title (its citation, masthead and card too): web edition",
                t_title_web,
                "",
                f"{t_title_web:.3f} s",
            ),
            Row(
                "Preview, saves that change the title: distribution PDF",
                t_title_pdf,
                "",
                f"{t_title_pdf:.3f} s",
            ),
        ]
        n_one = pages(tmp / "one0" / "brief.pdf")
        per_one = one_pdf / n_one
        build_pdf = [PYTHON, str(ROOT / "build.py"), "-q", "--no-cache", "--format", "pdf"]
        mem_one = timed_peak([*build_pdf, "--out", str(tmp / "mem"), str(SAMPLE)])[1]
        per_page = {}
        for times in [int(t) for t in args.long.split(",") if t.strip()]:
            long_src = long_document(tmp, times)
            t_long, mem_long = timed_peak([*build_pdf, "--out", str(tmp / f"long{times}"), str(long_src)])
            n_long = pages(tmp / f"long{times}" / f"{long_src.stem}.pdf")
            per_page[times] = t_long / n_long
            rows.append(
                Row(
                    f"{times}x document, PDF, time per page / 1x",
                    per_page[times] / per_one,
                    "<= 1.30",
                    f"{per_page[times] * 1000:.0f} ms ({n_long} pages, {t_long:.1f} s) / {per_one * 1000:.0f} ms "
                    f"({n_one} pages, {one_pdf:.2f} s)",
                )
            )
            rows.append(
                Row(
                    f"{times}x document, peak memory / 1x",
                    mem_long / mem_one,
                    "<= 1.5 GiB",
                    f"{mem_long / 1024:.0f} MiB / {mem_one / 1024:.0f} MiB",
                    measured=mem_long / 2**20,
                )
            )
        if len(per_page) > 1:
            # The smallest measured again after the largest (minutes later): the machine's speed drifts
            # over minutes, and the mean of the two is the baseline the largest is compared with.
            small, large = min(per_page), max(per_page)
            long_src = long_document(tmp, small)
            t_again = timed_peak([*build_pdf, "--out", str(tmp / f"long{small}b"), str(long_src)])[0]
            again = t_again / pages(tmp / f"long{small}b" / f"{long_src.stem}.pdf")
            baseline = (per_page[small] + again) / 2
            rows.append(
                Row(
                    f"Long documents, time per page at {large}x / at {small}x, measured before and after it"
                    " (no super-linear step)",
                    per_page[large] / baseline,
                    "<= 1.30",
                    f"{per_page[large] * 1000:.0f} ms / {baseline * 1000:.0f} ms (the mean of {per_page[small] * 1000:.0f}"
                    f" ms before and {again * 1000:.0f} ms after)",
                )
            )
        serial = series(tmp, args.series, 1)
        parallel = series(tmp, args.series, os.cpu_count() or 1)
        rows.append(
            Row(
                f"Series of {args.series} briefs, all editions: serial / parallel ({os.cpu_count()} processes)",
                serial / parallel,
                ">= 1.70",
                f"{serial:.1f} s / {parallel:.1f} s",
            )
        )
        from packs import pack_rows, write_section  # the briefing pack's figures: a section of their own

        pack_figures = pack_rows(tmp)
        import archive  # bench/archive.py, beside this script: the archive on Dask

        archive_rows, archive_lines = archive.measure(
            tmp, args.archive, sample=SAMPLE, root=ROOT, wall=wall, python=PYTHON, row=Row
        )
        rows += archive_rows
    write_report(rows, args, phases + archive_lines)
    write_section(pack_figures, args.report, 10)
    return 0


def archive_only(args) -> int:
    """Measure the archive on Dask alone; replace its section of the report (or add it)."""
    import archive  # bench/archive.py, beside this script

    with bench_folder() as tmp:
        rows, lines = archive.measure(tmp, args.archive, sample=SAMPLE, root=ROOT, wall=wall, python=PYTHON, row=Row)
    table = ["", "| measure | ratio | target | verdict | figures |", "| --- | ---: | --- | --- | --- |"]
    table += [f"| {row.what} | {row.ratio:.2f} | {row.target} | {verdict(row)} | {row.figures} |" for row in rows]
    section = [*lines[:3], "Measured alone (`bench/run.py --archive-only`), in the same run:", *table, *lines[3:]]
    report = args.report.read_text(encoding="utf-8") if args.report.is_file() else "# Benchmarks\n"
    kept = report.split("\n## Archive rebuild on Dask")[0].rstrip("\n")
    args.report.write_text(kept + "\n" + "\n".join(section) + "\n", encoding="utf-8")
    print("\n".join(section))
    return 0


# The report's sections written by other commands (`--patches`, bench/corpus.py), which a full run keeps.
OTHER_SECTIONS = ("## The speed patches (render/patches/)", "## The corpus of documents written elsewhere")


def other_sections(report: Path) -> list[str]:
    """The report's sections that OTHER_SECTIONS name, as they are, each with an empty line before it."""
    text = report.read_text(encoding="utf-8") if report.is_file() else ""
    kept = []
    for part in text.split("\n## ")[1:]:
        if ("## " + part).startswith(OTHER_SECTIONS):
            kept += ["", "## " + part.rstrip("\n")]
    return kept


def replace_section(report: Path, section: list[str]) -> None:
    """Put a section (its heading first) into the report in place of the one under the same heading, or last."""
    text = report.read_text(encoding="utf-8") if report.is_file() else "# Benchmarks\n"
    heading = "\n" + section[0] + "\n"
    if heading in text:
        before, rest = text.split(heading, 1)
        after = rest[rest.index("\n## ") + 1 :] if "\n## " in rest else ""
    else:
        before, after = text.rstrip("\n") + "\n", ""
    report.write_text(
        before + "\n".join(["", *section]).rstrip("\n") + "\n" + ("\n" + after if after else ""), encoding="utf-8"
    )


NOTE = """
Why the cold build is compared with the floor: the floor (import WeasyPrint, lay out one PDF of our
pages with our fonts and tags) is what rendering our pages with WeasyPrint 70 as it comes takes. The
build renders with WeasyPrint patched at import (its fontTools fallbacks imported only if they run,
cffi's type strings built without pycparser, lines its ToUnicode map carries drawn without an
ActualText plan; the same bytes), so its own distribution PDF can take less than the floor. On this
machine the same command varies by 10-20 % from run to run; each ratio compares figures of one run.
A cold build (--no-cache: every edition made afresh) takes the brand as read and the EPUB cover from
what an earlier build kept (briefpress/kept.py, as Python keeps bytecode; the row "nothing kept"
measures builds without them), so it imports no brand_yml and draws no cover; a brand reader process (brand_yml
and its pydantic models) runs only when brand.yml or a file it names has changed.
The cold build runs three processes on the machine's cores: the main process, which loads
pandoc's wrapper and composes the brief, then makes the EPUB; the PDF worker, which imports
WeasyPrint meanwhile, parses the stylesheets and loads the hyphenation patterns once it has the
brand, and lays out the distribution PDF once it has the brief; and the print PDF's helper, forked
from the worker. The first table above shows, from this run, when each of them does what: the
distribution PDF starts once the worker is ready and the brief composed, and everything the build
does besides that PDF shares the cores with it. The preview builds in the server's own process, which
keeps WeasyPrint, the font set-up and the parsed stylesheets warm, and publishes the web edition
before it lays out the PDF; it also keeps where each line of text broke, so a save breaks again
only the lines it changed. Once the PDF's pages are
laid out it shows them as a draft (written without structure tags, PDF/UA identification or
finishing, which change no pixel; the suite checks the pixels in pdfium), then writes the finished
PDF for dist/ from the same layout. The preview's PDF figure is the draft's; the finished PDF's is
the row after it. The second table shows what a rebuild spends, of which WeasyPrint's layout and
drawing of the pages (render_pdf) is the largest part.
"""


def write_report(rows: list[Row], args, phases: list[str]) -> None:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    machine = (
        f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores ({cpu}), "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    )
    lines = [
        "# Benchmarks",
        "",
        f"Machine: {machine}.",
        "",
        f"Written by one run of `bench/run.py` (`.venv/bin/python bench/run.py`): medians of {args.runs} "
        "runs of wall time, each command in a fresh process (Python keeping its compiled bytecode, as it "
        "does by default), on the sample brief unless said otherwise. The cold builds, the naive route "
        "and the floor are run in turns (a run of each, then the next run of each), so that the "
        "machine's drift in speed meets each of them alike. "
        "Cold means `--no-cache`. The naive route is `pandoc brief.md -o x.pdf --pdf-engine=weasyprint` "
        "then `pandoc brief.md -o x.epub`; the faithful floor is `bench/floor.py`, a bare script that "
        "imports WeasyPrint and renders our own final HTML and CSS once, with the brand's fonts (a "
        "FontConfiguration) and PDF/UA-1 tags, as the build renders its distribution PDF. The preview "
        "figures run `serve` on a copy of the sample and time each save (a second apart) to the moment the "
        "server announces the new file on its event stream, as the page learns it; each save changes a "
        "sentence of the body, as typing does (a title edit, measured apart, also changes the brief's "
        "own citation, the masthead and the web page's card). The long documents "
        "repeat the sample's body; their time and peak memory are one run each, and the smallest is run "
        "again after the largest for the ratio between them.",
        "",
        "| measure | ratio | target | verdict | figures |",
        "| --- | ---: | --- | --- | --- |",
    ]
    lines += [f"| {row.what} | {row.ratio:.2f} | {row.target} | {verdict(row)} | {row.figures} |" for row in rows]
    lines += ["", *summary(rows), *phases, *NOTE.splitlines(), *other_sections(args.report)]
    args.report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())

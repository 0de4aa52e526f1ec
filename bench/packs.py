"""The briefing pack's figures for bench/run.py: a pack of N briefs cold against the series of the same
N briefs (distribution PDFs), its peak memory, a pack of 60 briefs, and the booklet's imposition time.

Alone, `.venv/bin/python bench/packs.py` measures only these and writes them into BENCHMARKS.md's
"Briefing packs" section (the rest of the file is left as the last full run wrote it).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import PYTHON, ROOT, SAMPLE, Row, bench_folder, pages, summary, timed_peak, verdict  # noqa: E402

SECTION = "## Briefing packs"


def pack_folder(tmp: Path, count: int) -> tuple[Path, list[Path]]:
    """count copies of the sample under other names, and a manifest listing them (parts of five)."""
    folder = tmp / f"pack-{count}"
    folder.mkdir(exist_ok=True)
    briefs = []
    for n in range(1, count + 1):
        briefs.append(folder / f"brief-{n:02d}.md")
        shutil.copy(SAMPLE, briefs[-1])
    lines = [f"title: A pack of {count} briefs", "date: 2026-03-12", "marking: Not for circulation", "briefs:"]
    for start in range(0, count, 5):
        lines += [f"  - part: Part {start // 5 + 1}", "    briefs:"]
        lines += [f"      - {brief.name}" for brief in briefs[start : start + 5]]
    manifest = folder / "pack.yml"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest, briefs


def build_command(tmp: Path, *args: str) -> list[str]:
    return [PYTHON, str(ROOT / "build.py"), *args, "-q", "--no-cache"]


def pack_rows(tmp: Path, count: int = 10, runs: int = 3, large: int = 60) -> list[Row]:
    """The pack of count briefs against their series, in turns; its memory; a pack of `large`; imposition."""
    manifest, briefs = pack_folder(tmp, count)
    pack_times, series_times, peaks, series_peaks = [], [], [], []
    for i in range(runs):  # in turns, so that the machine's drift meets both alike
        seconds, kib = timed_peak(
            build_command(tmp, "pack", str(manifest), "--format", "pdf", "--out", str(tmp / f"p{i}"))
        )
        pack_times.append(seconds)
        peaks.append(kib)
        series = build_command(tmp, *map(str, briefs), "--format", "pdf", "--out", str(tmp / f"s{i}"))
        seconds, kib = timed_peak(series)
        series_times.append(seconds)
        series_peaks.append(kib)
    t_pack, t_series = statistics.median(pack_times), statistics.median(series_times)
    n_pack = pages(tmp / "p0" / "pack.pdf")
    rows = [
        Row(
            f"Pack of {count} briefs (one render, {n_pack} pages), pack PDF cold / the series of the same "
            f"{count} briefs, distribution PDFs ({os.cpu_count()} processes)",
            t_pack / t_series,
            "<= 1.00",
            f"{t_pack:.1f} s / {t_series:.1f} s",
        ),
        Row(
            f"Pack of {count} briefs, pack PDF cold: peak memory of its process / of the series' largest process",
            max(peaks) / max(series_peaks),
            "<= 600 MiB",
            f"{max(peaks) / 1024:.0f} MiB / {max(series_peaks) / 1024:.0f} MiB",
            measured=max(peaks) / 1024,
        ),
    ]
    big, _ = pack_folder(tmp, large)
    t_big, kib_big = timed_peak(build_command(tmp, "pack", str(big), "--format", "pdf", "--out", str(tmp / "big")))
    n_big = pages(tmp / "big" / "pack.pdf")
    rows.append(
        Row(
            f"Pack of {large} briefs ({n_big} pages), pack PDF cold: time per brief / the pack of {count}'s",
            (t_big / large) / (t_pack / count),
            "",
            f"{t_big:.1f} s, {kib_big / 1024:.0f} MiB peak / {t_pack:.1f} s",
        )
    )
    rows.append(imposition_row(tmp, manifest))
    return rows


def imposition_row(tmp: Path, manifest: Path) -> Row:
    """The booklet's imposition alone, in this process, on a 40-page print pack."""
    sys.path.insert(0, str(ROOT))
    import pikepdf

    from briefpress.records import BookletOptions
    from briefpress.render.impose import impose_booklet

    out = tmp / "print40"
    timed_peak(build_command(tmp, "pack", str(manifest), "--format", "print", "--out", str(out)))
    with pikepdf.open(out / "pack-print.pdf") as pdf:
        del pdf.pages[40:]
        while len(pdf.pages) < 40:
            pdf.pages.append(pdf.pages[len(pdf.pages) % 8])
        buffer = io.BytesIO()
        pdf.save(buffer)
    printed = buffer.getvalue()
    times = []
    for _ in range(7):
        start = time.perf_counter()
        impose_booklet(printed, BookletOptions())
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    return Row("Booklet imposition of a 40-page print pack, absolute", seconds, "<= 0.20 s", f"{seconds * 1000:.0f} ms")


def write_section(rows: list[Row], report: Path, count: int) -> None:
    """Put the pack's table into the report's "Briefing packs" section, replacing an earlier one."""
    lines = [
        SECTION,
        "",
        f"Written by `bench/packs.py` (or a full `bench/run.py`): a pack of {count} copies of the sample (parts "
        "of five) built cold with `pack --format pdf`, and the series of the same briefs with "
        "`--format pdf`, in turns, medians of 3 runs each; peak memory of the pack's process; a pack of "
        "60 briefs once; the booklet's imposition (pikepdf) in process, median of 7.",
        "",
        "| measure | ratio | target | verdict | figures |",
        "| --- | ---: | --- | --- | --- |",
        *(f"| {row.what} | {row.ratio:.2f} | {row.target} | {verdict(row)} | {row.figures} |" for row in rows),
        "",
        *summary(rows),
        "",
    ]
    text = report.read_text(encoding="utf-8") if report.is_file() else "# Benchmarks\n"
    text = re.sub(rf"\n{SECTION}\n.*?(?=\n## |\Z)", "", text, flags=re.S).rstrip("\n")
    report.write_text(text + "\n\n" + "\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10, help="briefs in the pack and the series")
    parser.add_argument("--large", type=int, default=60, help="briefs in the large pack")
    parser.add_argument("--report", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    with bench_folder() as tmp:
        rows = pack_rows(tmp, args.count, large=args.large)
    write_section(rows, args.report, args.count)
    return 0


if __name__ == "__main__":
    sys.exit(main())

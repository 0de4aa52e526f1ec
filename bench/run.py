#!/usr/bin/env python3
"""Measure briefpress against the naive pandoc route and the bare WeasyPrint floor; write BENCHMARKS.md.

Run from the project root after ./setup.sh:  .venv/bin/python bench/run.py [--runs 5]
Every figure comes from this one run on this machine; ratios are what the targets are about.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import operator
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "source" / "brief.md"
PYTHON = sys.executable
# PYTHONPATH: every command measures this tree's briefpress, whatever the virtualenv's editable install points at.
# Python as a user runs it: it keeps the compiled bytecode of briefpress's modules between runs (a
# shell with PYTHONDONTWRITEBYTECODE would make every command compile them again, 0.1 s and more).
ENV = {
    **{name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"},
    "SOURCE_DATE_EPOCH": "1772668800",
    "PYTHONPATH": str(ROOT),
    "PATH": f"{Path(PYTHON).parent}{os.pathsep}{os.environ.get('PATH', '')}",
}


@contextlib.contextmanager
def bench_folder() -> Iterator[Path]:
    """The run's temporary folder, removed at its end, with every measured command's own temporary
    files inside it (TMPDIR): the naive route and the floor are WeasyPrint used plainly, and each
    of their runs leaves a weasyprint-* folder of font copies behind."""
    with tempfile.TemporaryDirectory(prefix="briefpress_bench_") as name:
        tmp = Path(name)
        (tmp / "tmp").mkdir()
        ENV["TMPDIR"] = str(tmp / "tmp")
        try:
            yield tmp
        finally:
            ENV.pop("TMPDIR")


@dataclass(frozen=True)
class Row:
    """One line of the table: a ratio, and a target about the ratio or, with `measured`, another figure."""

    what: str
    ratio: float
    target: str  # "<= 0.80", ">= 1.70", "<= 0.15 s", "<= 1.5 GiB", or "" for figures with no target
    figures: str
    measured: float | None = None  # the figure the target is about, in the target's unit, if not the ratio


COMPARE = {"<=": operator.le, ">=": operator.ge}


def verdict(row: Row) -> str:
    """ "met" or "missed", from this run's figure against the target; "" when there is no target."""
    if not row.target:
        return ""
    op, limit = row.target.split()[:2]
    value = row.ratio if row.measured is None else row.measured
    return "met" if COMPARE[op](round(value, 2), float(limit)) else "missed"


def summary(rows: list[Row]) -> list[str]:
    """The paragraph under the table, every claim in it computed from the rows."""
    judged = [(row, verdict(row)) for row in rows if row.target]
    missed = [row.what for row, outcome in judged if outcome == "missed"]
    lines = [f"Targets met in this run: {len(judged) - len(missed)} of {len(judged)}."]
    if missed:
        lines.append("Missed: " + "; ".join(missed) + ".")
    return lines


def wall(cmd: list[str], cwd: Path = ROOT) -> tuple[float, int]:
    """Run a command; return (seconds, peak RSS of the child in KiB)."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


CORES = os.cpu_count() or 1
CPU_SECONDS: dict[str, float] = {}  # the median processor time of the runs of a measure, by its name


def processor_time() -> float:
    """User and system seconds of every finished child and its own children (forked workers, pandoc)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def interleaved(commands: dict, runs: int) -> dict[str, float]:
    """The median wall time of each named command (factory of run i), run in turns: first run of
    each, then second of each... The machine's speed drifts over minutes here, and in turns each
    command meets the same drift; the median processor times go to CPU_SECONDS."""
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for i in range(runs):
        for name, factory in commands.items():
            before = processor_time()
            walls[name].append(wall(factory(i))[0])
            cpus[name].append(processor_time() - before)
    CPU_SECONDS.update({name: statistics.median(values) for name, values in cpus.items()})
    return {name: statistics.median(values) for name, values in walls.items()}


def pandoc() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def naive(tmp: Path):
    def both(i):
        return [
            "sh",
            "-c",
            f'"{pandoc()}" "{SAMPLE}" -o "{tmp}/naive{i}.pdf" --pdf-engine=weasyprint && '
            f'"{pandoc()}" "{SAMPLE}" -o "{tmp}/naive{i}.epub"',
        ]

    return both


def ours(tmp: Path, *extra: str, source: Path = SAMPLE, out: str = "ours"):
    """Our build in a fresh process: cold (--no-cache) unless extra says otherwise."""
    return lambda i: [PYTHON, str(ROOT / "build.py"), str(source), "--out", str(tmp / f"{out}{i}"), "-q", *extra]


def fresh(tmp: Path):
    """A cold build with nothing kept from the builds before it (briefpress/kept.py): the brand read
    with brand_yml and the cover drawn, as after a change to the brand."""

    def command(i: int) -> list[str]:
        shutil.rmtree(ROOT / "briefpress" / "__pycache__" / "kept", ignore_errors=True)
        return ours(tmp, "--no-cache", out="fresh")(i)

    return command


def rebuild(tmp: Path, runs: int) -> float:
    """An unchanged rebuild: the cache is filled once, then every run is a hit."""
    cache_root = tmp / "cached"
    shutil.copytree(ROOT / "styles", cache_root / "styles")
    shutil.copytree(ROOT / "source", cache_root / "source")
    cmd = [
        PYTHON,
        "-c",
        "import sys; from pathlib import Path; from briefpress.cli import main; "
        "sys.exit(main(sys.argv[2:], root=Path(sys.argv[1])))",
        str(cache_root),
        "-q",
    ]
    wall(cmd, cwd=cache_root)
    return statistics.median(wall(cmd, cwd=cache_root)[0] for _ in range(runs))  # from the project, as a user


def series(tmp: Path, count: int, jobs: int) -> float:
    """A series of count briefs (copies of the sample under other names), cold, with jobs processes."""
    folder = tmp / "series-source"
    if not folder.is_dir():
        folder.mkdir()
        for n in range(1, count + 1):
            shutil.copy(SAMPLE, folder / f"brief-{n:02d}.md")
    sources = sorted(str(p) for p in folder.glob("*.md"))
    return wall(
        [
            PYTHON,
            str(ROOT / "build.py"),
            *sources,
            "--out",
            str(tmp / f"series-{jobs}"),
            "-q",
            "--no-cache",
            "--jobs",
            str(jobs),
        ]
    )[0]


def floor(tmp: Path):
    """bench/floor.py: import WeasyPrint and render our own final HTML and CSS once, with the brand's
    fonts and PDF/UA-1 tags, as the build renders the distribution PDF; nothing else. The HTML and
    CSS are the build's own: the brief prepared as the build prepares it (the faces its text uses,
    the images as data), the headings labelled for the bookmarks."""
    sys.path.insert(0, str(ROOT))
    from briefpress.brand import load_brand
    from briefpress.make import prepare
    from briefpress.records import BuildConfig
    from briefpress.render.editions import data_url, with_image_sources
    from briefpress.render.pdfmarkup import label_headings
    from briefpress.render.styles import edition_css
    from briefpress.render.templates import render_pdf_html

    brand = load_brand(ROOT / "styles" / "brand.yml")
    config = BuildConfig(sources=(SAMPLE,), out_dir=tmp, source_date_epoch="1772668800")
    with contextlib.redirect_stderr(io.StringIO()):  # the sample's warnings, printed by the build runs
        doc = with_image_sources(prepare(config, brand, SAMPLE), data_url)
    final = label_headings(render_pdf_html(doc, logo_src=brand.logo.as_uri()))
    (tmp / "final.html").write_text(final, encoding="utf-8")
    sheets = []
    css = edition_css(doc.brand, "pdf", font_url=lambda f: f.path.as_uri(), paper="A4", direction=doc.meta.direction)
    for n, sheet in enumerate(css):
        sheets.append(tmp / f"final{n}.css")  # one file per sheet, as the build parses them
        sheets[-1].write_text(sheet.text, encoding="utf-8")
    command = [PYTHON, str(ROOT / "bench" / "floor.py"), str(tmp / "final.html"), str(tmp / "floor.pdf")]
    return lambda i: [*command, *map(str, sheets)]


# Ctrl-C stops the server even when the benchmark runs with SIGINT ignored (a background job).
SERVE = (
    "import signal, sys; from pathlib import Path; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from briefpress.cli import main; sys.exit(main(sys.argv[1:], root=Path.cwd()))"
)


# What each save changes: a sentence of the body, as typing does; or the title, which also changes
# the brief's own citation, the masthead and the web page's card.
BODY_EDIT = ("In late February 2026,", "In late February 2026 (draft {i}),")
TITLE_EDIT = ("Military Escalation", "Military Escalation {i}")


@dataclass(frozen=True)
class Save:
    """One save in the preview: seconds from it to the web edition, the PDF (the draft) and the
    finished PDF published, and the server's processor seconds from it to the draft published."""

    web: float
    pdf: float
    final: float
    pdf_cpu: float


def server_cpu(pid: int) -> float:
    """User and system seconds of a running process and of its children it has waited for (pandoc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(map(int, fields[11:15])) / os.sysconf("SC_CLK_TCK")  # utime, stime, cutime, cstime


def preview(tmp: Path, saves: int, edit: tuple[str, str] = BODY_EDIT) -> tuple[float, float, float]:
    """`serve` on a copy of the sample: median seconds from a save to the server publishing the new
    web edition, the new PDF (its pages: the draft serve shows first) and the finished PDF written
    to dist/, as the page learns them (the server's events); saves seconds apart."""
    found = preview_saves(tmp, saves, edit)
    return tuple(statistics.median(getattr(save, name) for save in found) for name in ("web", "pdf", "final"))


def preview_saves(tmp: Path, saves: int, edit: tuple[str, str] = BODY_EDIT, env: dict | None = None) -> list[Save]:
    """Each save of `serve` on a copy of the sample (preview), its server run with env (else ENV)."""
    import http.client
    import queue
    import threading

    project = Path(tempfile.mkdtemp(prefix=f"preview-{edit[0].split()[0].lower()}-", dir=tmp))
    shutil.copytree(ROOT / "styles", project / "styles")
    shutil.copytree(ROOT / "source", project / "source")
    brief = project / "source" / "brief.md"
    text = brief.read_text(encoding="utf-8")
    server = subprocess.Popen(
        [PYTHON, "-c", SERVE, "serve", "source/brief.md", "--port", "0"],
        cwd=project,
        env=env or ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(next(line for line in server.stdout if "serving the preview" in line).split(":")[2].split("/")[0])
        threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()  # drain
        events: queue.Queue[tuple[float, float, dict]] = queue.Queue()

        def listen() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port)
            connection.request("GET", "/events")
            stream = connection.getresponse()
            for line in stream:
                if line.startswith(b"data: "):
                    events.put((time.perf_counter(), server_cpu(server.pid), json.loads(line[6:])))

        threading.Thread(target=listen, daemon=True).start()

        latest = {"generation": 0}

        def published(after: int) -> tuple[dict[str, tuple[float, float]], float]:
            """When (and at what processor time of the server) each file of the first build after
            build number `after` was announced, and when the finished PDF was: the first state
            after the draft's in which no draft is served."""
            seen: dict[str, tuple[float, float]] = {}
            finished = None
            while True:
                at, cpu, state = events.get(timeout=120)
                latest.update(state)
                for name, built in state["files"]:
                    if built > after:
                        seen.setdefault(name, (at, cpu))
                if "brief.pdf" in seen and finished is None and "brief.pdf" not in state["drafts"]:
                    finished = at
                if not state["building"] and state["generation"] > after:
                    if not state["ok"]:
                        raise SystemExit(f"preview build failed: {state['message']}")
                    return seen, finished or at

        published(0)
        found = []
        for i in range(saves):
            time.sleep(1.0)
            while not events.empty():  # a build the watcher started by itself (none is expected)
                latest.update(events.get()[2])
            assert edit[0] in text
            cpu = server_cpu(server.pid)
            brief.write_text(text.replace(edit[0], edit[1].format(i=i), 1), encoding="utf-8")
            saved = time.perf_counter()
            seen, finished = published(latest["generation"])
            web, (pdf, pdf_cpu) = seen["brief.html"][0], seen["brief.pdf"]
            found.append(Save(web - saved, pdf - saved, finished - saved, pdf_cpu - cpu))
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    return found


def cold_phases(tmp: Path, runs: int) -> list[str]:
    """Each process's stages in a cold three-edition build (bench/phases.py), medians of runs: when
    each starts and ends, in seconds from the command's start."""
    spans: dict[str, list[tuple[float, float]]] = {}
    for i in range(runs):
        out = tmp / f"phases-cold{i}"
        found = json.loads(run_phases("cold", out, SAMPLE))
        main_pid = next(pid for pid, stage, *_ in found if stage == "build")
        marks = {"load_brand": "brand reader", "make_edition(print)": "print helper", "warm_pdf": "PDF worker"}
        roles = {pid: marks[stage] for pid, stage, *_ in found if stage in marks and pid != main_pid}
        roles[main_pid] = "main"
        for pid, stage, start, end in found:
            role = roles.get(pid, "other")
            spans.setdefault(f"{role}: {stage}", []).append((start, end))
    rows = sorted(
        ((statistics.median(a for a, _ in v), statistics.median(b for _, b in v), k) for k, v in spans.items()),
    )
    lines = ["| process: stage | starts | ends | takes |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {name} | {start:.2f} s | {end:.2f} s | {end - start:.2f} s |" for start, end, name in rows]
    return lines


def warm_phases(tmp: Path, saves: int) -> list[str]:
    """The stages of a preview's warm rebuild (bench/phases.py), medians over the saves."""
    project = tmp / "phases-warm"
    shutil.copytree(ROOT / "styles", project / "styles")
    shutil.copytree(ROOT / "source", project / "source")
    found = json.loads(run_phases("warm", project / "dist", project / "source" / "brief.md", str(saves)))
    spans: dict[str, list[float]] = {}
    for _, stage, start, end in found:
        spans.setdefault(stage, []).append(end - start)
    order = ["rebuild", "prepare", "compose_parts", "how_to_cite", "make_edition(html)", "make_edition(pdf)"]
    order += ["render_pdf", "finish_tagged_pdf", "publish"]
    lines = ["| stage | takes (median) | times per rebuild |", "| --- | ---: | ---: |"]
    for stage in [s for s in order if s in spans] + sorted(set(spans) - set(order)):
        lines.append(f"| {stage} | {statistics.median(spans[stage]):.3f} s | {len(spans[stage]) / saves:g} |")
    return lines


def run_phases(*args) -> str:
    command = [PYTHON, str(ROOT / "bench" / "phases.py"), *map(str, args)]
    return subprocess.run(command, check=True, capture_output=True, text=True, env=ENV, cwd=ROOT).stdout


def long_document(tmp: Path, times: int) -> Path:
    """The sample with its body (the paragraphs between the summary and the bios) repeated."""
    text = SAMPLE.read_text(encoding="utf-8")
    before, after = text.split("\n.....\n", 1)
    summary_heading = before.index("### Summary")
    body_start = before.index("\n\n", before.index("\n\n", summary_heading) + 2)  # after the summary paragraph
    head, body = before[:body_start], before[body_start:]
    path = tmp / f"long{times}.md"
    path.write_text(head + body * times + "\n.....\n" + after, encoding="utf-8")
    return path


def pages(pdf: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        return len(doc)
    finally:
        doc.close()


def timed_peak(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one command, measured by a wrapper process around it alone."""
    code = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([PYTHON, "-c", code, *cmd], env=ENV, capture_output=True, text=True, check=True)
    seconds, kib = out.stdout.split()
    return float(seconds), int(kib)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--long",
        default="30,100,300",
        help="how many times each long document repeats the body, comma-separated (300 takes minutes; "
        "--long 30,100 for a shorter run, --long '' for none)",
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
    parser.add_argument("--patch-long", type=int, default=300, help="--patches: the long document's repeats")
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
                    "<= 1.5 GiB" if times <= 100 else "",
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

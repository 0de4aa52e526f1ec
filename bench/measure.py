"""What bench/run.py, bench/packs.py and bench/speed_patches.py measure with: the commands they
time (briefpress, the naive pandoc route, the bare WeasyPrint floor, the preview's saves), in turns,
by wall and processor time, each in a temporary folder of its own; and the verdict of a figure
against its target."""

from __future__ import annotations

import contextlib
import io
import json
import operator
import os
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

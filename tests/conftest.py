"""Shared fixtures: the project's paths, built editions and the --update-golden switch."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pytest_plugins = ["browser", "tempcheck"]  # one chromium for every browser test; nothing left in /tmp

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"
SAMPLE = ROOT / "source" / "brief.md"
BRIEFS = {"brief": SAMPLE, "links": FIXTURES / "links.md", "minimal": FIXTURES / "minimal.md"}
EPOCH = "1772668800"  # 2026-03-05T00:00:00Z, so every build in the suite is reproducible
# The project's edition cache; kept/ and templates/ beside it hold what every build keeps, like bytecode.
PROJECT_CACHE = ROOT / ".briefpress-cache" / "editions"

# Python as a user runs it: each process a test starts keeps briefpress's compiled bytecode for the
# next (a shell's PYTHONDONTWRITEBYTECODE would make every one of them compile it all again).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden files from the current output instead of comparing",
    )


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


def fail_if_updated(changed: list[str]) -> None:
    """An --update-golden run fails, naming every golden file it rewrote: an update is reviewed and
    committed, never taken for a passing run."""
    if changed:
        pytest.fail(
            f"--update-golden rewrote {len(changed)} golden file(s): {', '.join(changed)} "
            "(review them with git diff, commit them, and run pytest again without --update-golden)",
            pytrace=False,
        )


def folder_state(folder: Path) -> list[tuple[str, int]]:
    """Every file under folder with its modification time."""
    return (
        sorted((str(p.relative_to(folder)), p.stat().st_mtime_ns) for p in folder.rglob("*")) if folder.exists() else []
    )


@pytest.fixture(scope="session", autouse=True)
def project_cache_untouched():
    """No test writes into the project's own cache or dist/: an entry left there by an earlier run
    would let a later build test pass without building anything."""
    before = {folder: folder_state(folder) for folder in (PROJECT_CACHE, ROOT / "dist")}
    yield
    for folder, state in before.items():
        assert folder_state(folder) == state, (
            f"a test wrote into {folder}: build with --no-cache and --out, or with a root in tmp_path"
        )


def run_build(*args: str, cwd: Path = ROOT, cache: bool = False) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit code, stdout, stderr).

    Builds skip the cache unless a test asks for it, so no test depends on what an earlier one left.
    """
    import contextlib
    import io

    from briefpress.cli import COMMANDS, main

    if not cache and not (args and args[0] in COMMANDS):
        args = (*args, "--no-cache")
    out, err = io.StringIO(), io.StringIO()
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args), root=cwd)
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="session")
def epubcheck(tmp_path_factory):
    """epubcheck for the tests that check one EPUB of their own: one JVM for the run, whose start-up
    and schemas (5 s of CPU) a JVM per EPUB would pay each time. epubcheck(path) -> its messages."""
    from helpers import EpubcheckService

    service = EpubcheckService(tmp_path_factory.mktemp("epubcheck"))
    yield service
    service.close()


# The briefs built once per test run in every edition, for the tests that only read them: the
# sample, the links and minimal fixtures, and a brief with an image, tables, lists and a footnote.
EVERY_EDITION = "pdf,print,epub,pdfa,html"
SHARED = {**BRIEFS, "elements": FIXTURES / "elements.md"}


@pytest.fixture(scope="session")
def every_edition(tmp_path_factory) -> dict[str, Path]:
    """Each shared brief built once in every edition: {"brief": folder, ...}. Read-only."""
    folders = {}
    for name, source in SHARED.items():
        out = tmp_path_factory.mktemp(f"dist-{name}")
        code, _, err = run_build(str(source), "--out", str(out), "--format", EVERY_EDITION)
        assert code == 0, err
        folders[name] = out
    return folders


@pytest.fixture(scope="session")
def built(every_edition) -> dict[str, Path]:
    """The sample and the links and minimal fixtures, built once: {"brief": folder, ...}. Read-only."""
    return {name: every_edition[name] for name in BRIEFS}


# Briefs built once per run in strict mode, into one folder: a brief with every kind of content,
# a table longer than a page and the Urdu brief (right to left, Nastaliq).
STRICT = {
    "content": FIXTURES / "content" / "content.md",
    "long-table": FIXTURES / "long-table.md",
    "urdu": FIXTURES / "urdu.md",
}
CITED = FIXTURES / "cite" / "cited.md"


@pytest.fixture(scope="session")
def strict_editions(tmp_path_factory) -> Path:
    """The STRICT briefs built once with --strict as PDF, print, EPUB and web page: their folder. Read-only."""
    out = tmp_path_factory.mktemp("strict")
    for source in STRICT.values():
        code, _, err = run_build(str(source), "--out", str(out), "--format", "pdf,print,epub,html", "--strict")
        assert code == 0, err
    return out


@pytest.fixture(scope="session")
def cited(tmp_path_factory) -> tuple[Path, str]:
    """The cited brief built once with --references in every edition: (folder, stderr). Read-only."""
    out = tmp_path_factory.mktemp("cited")
    code, _, err = run_build(str(CITED), "--out", str(out), "--format", EVERY_EDITION, "--references")
    assert code == 0, err
    return out, err


@pytest.fixture(scope="session")
def verdicts(every_edition, strict_editions, cited):
    """Every validator on the shared builds, in one pass (a veraPDF JVM, an epubcheck JVM and an Ace
    browser for all, each start-up paid once): {(validator, file name): Verdict}. File names are unique."""
    from briefpress.check.validate import validate_editions
    from briefpress.records import EDITION_FILES, Artifact

    def artifacts(folder: Path, name: str, kinds: str) -> list:
        return [Artifact(folder / f"{name}{EDITION_FILES[kind]}", kind, 0) for kind in kinds.split(",")]

    found = [a for name, folder in every_edition.items() for a in artifacts(folder, name, "pdf,print,epub,pdfa")]
    found += artifacts(strict_editions, "content", "pdf,epub") + artifacts(strict_editions, "long-table", "pdf,epub")
    found += artifacts(strict_editions, "urdu", "pdf,print,epub") + artifacts(cited[0], "cited", "pdf,print,epub,pdfa")
    manuscripts = [*SHARED.values(), *STRICT.values(), CITED]
    return {(v.validator, v.edition.name): v for v in validate_editions(found, manuscripts)}

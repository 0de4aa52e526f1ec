"""Nothing lost, same bytes every time: atomic publishing, reproducible editions, SHA256SUMS."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, run_build
from robust import error_lines, write_brief

BRIEF = ROOT / "tests" / "fixtures" / "links.md"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def previous(tmp_path) -> tuple[Path, dict[str, bytes]]:
    """An output folder holding a good earlier build."""
    out = tmp_path / "dist"
    code, _, stderr = run_build(str(BRIEF), "--out", str(out))
    assert code == 0, stderr
    assert sorted(os.listdir(out)) == ["SHA256SUMS", "links-print.pdf", "links.epub", "links.pdf"]
    return out, snapshot(out)


def test_late_failure_leaves_previous_files_untouched(previous, monkeypatch):
    from briefpress.errors import BriefError
    from briefpress.render import editions

    out, before = previous
    pdfs = []
    make_pdf = editions.make_pdf
    monkeypatch.setattr(editions, "make_pdf", lambda *a, **k: pdfs.append(make_pdf(*a, **k)) or pdfs[-1])

    def broken_epub(doc):
        raise BriefError(doc.source_path, None, "EPUB writer gave up", "try again")

    monkeypatch.setattr(editions, "make_epub", broken_epub)
    code, _, stderr = run_build(str(BRIEF), "--out", str(out), "--no-cache", "--jobs", "1")
    assert code == 1 and error_lines(stderr)[0]["what"] == "EPUB writer gave up"
    assert pdfs, "the PDF was made before the EPUB failed"
    assert snapshot(out) == before  # the same names, the same bytes: no temp file either


def test_failure_while_renaming_leaves_no_temp_file(previous, monkeypatch):
    from briefpress import publish

    out, before = previous
    calls = []

    def replace_then_fail(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(dst))
        os.rename(src, dst)

    monkeypatch.setattr(publish.os, "replace", replace_then_fail)
    # Letter paper: new bytes for both PDFs, so both must be renamed into place; the second fails.
    code, _, stderr = run_build(str(BRIEF), "--out", str(out), "--format", "pdf,print", "--paper", "letter")
    assert code == 1
    assert error_lines(stderr)[0]["what"] == "cannot write output: No space left on device"
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    assert [p.name for p in calls] == ["links.pdf", "links-print.pdf"]
    assert (out / "links-print.pdf").read_bytes() == before["links-print.pdf"]
    assert (out / "links.epub").read_bytes() == before["links.epub"]


KILLER = """
import os, signal, sys
from pathlib import Path
from briefpress.render import editions
from briefpress.cli import main

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
{patch} = die
sys.exit(main(sys.argv[1:], root=Path({root!r})))
"""


def run_killed(patch: str, out, *, jobs: int, epoch: str) -> subprocess.CompletedProcess:
    """Build BRIEF in a process whose `patch` target kills it with SIGKILL when called. Its temporary
    folder goes beside out: a build killed with no worker left cannot remove it (a later build does,
    an hour on), and the test run must leave the temporary folder as it found it."""
    temp = out.parent / f"temp-{out.name}"
    temp.mkdir(exist_ok=True)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            KILLER.format(patch=patch, root=str(ROOT)),
            str(BRIEF),
            "--out",
            str(out),
            "--no-cache",
            "--jobs",
            str(jobs),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SOURCE_DATE_EPOCH": epoch, "TMPDIR": str(temp)},
    )


@pytest.mark.parametrize(
    "patch,temps_left",
    [
        ("editions.make_epub", False),  # killed while making the EPUB, after the PDF was made
        ("os.replace", True),  # killed after the temporary files were written, before any rename
    ],
)
def test_killed_build_leaves_previous_files(previous, patch, temps_left):
    out, before = previous
    done = run_killed(patch, out, jobs=1, epoch="1772755200")  # new bytes to write
    assert done.returncode == -9, done.stderr
    after = snapshot(out)
    assert {n: after[n] for n in before} == before
    assert bool(set(after) - set(before)) == temps_left  # hidden .links.pdf.*.tmp files
    # the next build sweeps away what a killed build left
    code, _, stderr = run_build(str(BRIEF), "--out", str(out))
    assert code == 0, stderr
    assert snapshot(out) == before


def test_two_builds_are_byte_identical_and_summed(previous, tmp_path):
    out, first = previous
    again = tmp_path / "again"
    assert run_build(str(BRIEF), "--out", str(again))[0] == 0
    assert snapshot(again) == first
    sums = (out / "SHA256SUMS").read_text().splitlines()
    assert sums == [
        f"{hashlib.sha256(first[n]).hexdigest()}  {n}" for n in ("links.pdf", "links-print.pdf", "links.epub")
    ]
    check = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=out, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_killed_edition_worker_is_a_one_line_error(previous):
    """With two jobs both PDFs are rendered in a forked worker; killing it fails the build cleanly."""
    out, before = previous
    done = run_killed("editions.make_pdf", out, jobs=2, epoch="1772668800")
    assert done.returncode == 1, done.stderr
    assert [m.groupdict() for m in error_lines(done.stderr)] == [
        {
            "file": "tests/fixtures/links.md",
            "line": None,
            "what": "the process rendering the PDF and print editions was killed (signal 9)",
            "fix": "build again; with --jobs 1 everything runs in one process",
        }
    ]
    assert snapshot(out) == before


def build_without_epoch(source: Path, out: Path, monkeypatch) -> dict[str, bytes]:
    from briefpress.cli import main

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
        assert main([str(source), "--out", str(out), "--no-cache"], root=ROOT) == 0, err.getvalue()
    return snapshot(out)


def modified(epub: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(epub)) as book:
        opf = book.read("EPUB/content.opf").decode()
    return opf.split('<meta property="dcterms:modified">')[1].split("<")[0]


def test_build_time_from_the_brief_date(tmp_path, monkeypatch):
    source = write_brief(tmp_path / "src", "Text.", front="title: Dated\ndate: 2025-12-24")
    first = build_without_epoch(source, tmp_path / "a", monkeypatch)
    os.utime(source, (1e9, 1e9))  # the file's time must not matter
    assert build_without_epoch(source, tmp_path / "b", monkeypatch) == first
    assert modified(first["brief.epub"]) == "2025-12-24T00:00:00Z"


def test_build_time_from_the_last_commit(tmp_path, monkeypatch):
    source = write_brief(tmp_path / "repo", "Text.", front="title: Undated")
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": "2024-02-29T12:00:00Z",
        "GIT_COMMITTER_DATE": "2024-02-29T12:00:00Z",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    for args in (["init", "-q"], ["add", "brief.md"], ["commit", "-q", "-m", "brief"]):
        subprocess.run(["git", *args], cwd=source.parent, env=env, check=True)
    first = build_without_epoch(source, tmp_path / "a", monkeypatch)
    os.utime(source, (2e9, 2e9))
    assert build_without_epoch(source, tmp_path / "b", monkeypatch) == first
    assert modified(first["brief.epub"]) == "2024-02-29T12:00:00Z"


def test_build_time_from_the_file_outside_git(tmp_path, monkeypatch):
    source = write_brief(tmp_path / "plain", "Text.", front="title: Undated")
    os.utime(source, (1700000000, 1700000000))
    first = build_without_epoch(source, tmp_path / "a", monkeypatch)
    assert build_without_epoch(source, tmp_path / "b", monkeypatch) == first
    assert modified(first["brief.epub"]) == "2023-11-14T22:13:20Z"

"""The command line: what a user types, the files they get, and one clear line when something is wrong."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from briefpress.errors import display_path
from conftest import BRIEFS, ROOT, run_build
from helpers import make_project, run_cli


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the project's source and styles, as a new brief's folder would look."""
    return make_project(tmp_path, ROOT / "source" / "brief.md")


def test_no_arguments_builds_the_sample_brief_into_dist(project):
    code, out, err = run_build(cwd=project)
    assert code == 0, err
    assert (project / "dist" / "brief.pdf").read_bytes().startswith(b"%PDF-")
    assert (project / "dist" / "brief.epub").read_bytes().startswith(b"PK")
    dist = project / "dist"
    assert re.findall(r"^wrote (.+) \(\d+ KiB\)$", out, re.M) == [
        display_path(dist / name) for name in ("brief.pdf", "brief-print.pdf", "brief.epub", "SHA256SUMS")
    ]
    assert err.count("warning: ") == 23


def test_build_py_runs_as_a_script_and_names_every_placeholder(tmp_path):
    result = run_cli(str(BRIEFS["brief"]), "--out", str(tmp_path), "--format", "epub", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    warnings = [l for l in result.stderr.splitlines() if l.startswith("warning:")]
    notes = [l for l in result.stderr.splitlines() if l.startswith("note:")]
    assert len(warnings) == 23 and all(l.startswith("warning: source/brief.md:") for l in warnings)
    assert len(notes) == 6 and all(l.startswith("note: source/brief.md:") for l in notes)  # the manuscript as delivered
    assert len(warnings) + len(notes) == len(result.stderr.splitlines())
    assert (tmp_path / "brief.epub").exists() and not (tmp_path / "brief.pdf").exists()


def test_strict_fails_on_placeholders_and_writes_nothing(tmp_path):
    code, _, err = run_build(str(BRIEFS["brief"]), "--out", str(tmp_path), "--strict")
    assert code == 1
    assert err.splitlines()[-1] == (
        "error: source/brief.md: 23 warning(s) and --strict is on (fix the warnings above, or build without --strict)"
    )
    assert list(tmp_path.iterdir()) == []


def test_quiet_prints_nothing_for_a_clean_brief(tmp_path):
    code, out, err = run_build(str(BRIEFS["minimal"]), "--out", str(tmp_path), "-q")
    assert (code, out, err) == (0, "", "")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.md"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "no front matter\n",
            ":1: no front matter, and no heading to read the title from (start the file with a '# Title' heading, or with YAML front matter: '---', 'title: ...', '---')",
        ),
        ("---\ntitle: [unclosed\n---\nBody\n", ":3: malformed YAML front matter"),
        ("---\nauthor: Somebody\n---\nBody\n", ":2: missing title (add 'title: ...' to the front matter)"),
        ("---\ntitle: T\ndate: next week\n---\n", ":3: 'date' is not a date: 'next week'"),
        ("---\ntitle: T\nlang: not a tag\n---\n", ":3: 'lang' is not a language tag"),
        ("---\ntitle: T\nauthor:\n  - bio: no name\n---\n", ":3: author 1 has no name (give each author a 'name:')"),
    ],
)
def test_bad_front_matter_gives_one_line_with_file_and_line(tmp_path, text, expected):
    path = write(tmp_path, text)
    code, out, err = run_build(str(path), "--out", str(tmp_path / "out"))
    assert code == 1 and out == ""
    assert err.startswith(f"error: {path}") and expected in err, err
    assert "Traceback" not in err and len(err.splitlines()) == 1


def test_all_front_matter_problems_are_reported_at_once(tmp_path):
    path = write(tmp_path, "---\ndate: soon\nlang: 42\n---\nBody\n")
    code, _, err = run_build(str(path), "--out", str(tmp_path / "out"))
    assert code == 1
    assert [l.split(": ", 2)[2].split(" (")[0] for l in err.splitlines()] == [
        "missing title",
        "'date' is not a date: 'soon'",
        "'lang' is not a language tag: 42",
    ]


def test_missing_source_and_unknown_format(tmp_path):
    code, _, err = run_build(str(tmp_path / "nope.md"))
    assert (code, err) == (1, f"error: {tmp_path / 'nope.md'}: no such file (check the path)\n")
    code, _, err = run_build(str(BRIEFS["minimal"]), "--format", "docx")
    from briefpress.defaults import FORMATS

    assert (code, err) == (1, f"error: --format: unknown format docx (use --format with {', '.join(FORMATS)})\n")


def test_invalid_utf8_names_the_byte(tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes("---\ntitle: Caf\xe9\n---\n".encode("latin-1"))
    code, _, err = run_build(str(path))
    assert code == 1 and err == f"error: {path}:2: invalid UTF-8 at byte 14 (save the file as UTF-8)\n"


def test_same_source_and_epoch_give_the_same_bytes(tmp_path):
    for folder in ("a", "b"):
        code, _, err = run_build(str(BRIEFS["links"]), "--out", str(tmp_path / folder), "-q")
        assert code == 0, err
    for name in ("links.pdf", "links.epub"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_importing_the_main_module_builds_nothing(tmp_path):
    import subprocess
    import sys

    shutil.copytree(ROOT / "source", tmp_path / "source")
    make_project(tmp_path)
    code = "import briefpress.__main__; print('imported')"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout == "imported\n", result.stderr
    assert not (tmp_path / "dist").exists()
    help_text = subprocess.run([sys.executable, "-m", "briefpress", "--help"], capture_output=True, text=True)
    assert help_text.returncode == 0 and "usage:" in help_text.stdout

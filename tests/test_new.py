"""`build.py new`: a new brief that builds at once, and never over an existing file."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_build
from helpers import make_project, run_cli


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path, build_py=True)


def test_new_brief_builds_strictly_at_once(project):
    code, out, err = run_build("new", "Water, Power & the Indus: Après 2026", "--author", "Priya Raman", cwd=project)
    assert (code, err) == (0, ""), err
    path = project / "source" / "water-power-the-indus-apres-2026.md"
    assert out == f"wrote {path}; build it with: python build.py {path}\n"
    text = path.read_text(encoding="utf-8")
    for key in ("title:", "author:", "bio:", "abstract:", "date: 2026-03-05", "lang: en", "keywords:", "series:"):
        assert f"\n{key}" in text or f"  {key}" in text, key
    code, out, err = run_build(str(path), "--out", str(project / "dist"), "--strict", "--format", "pdf,epub,html")
    assert (code, err) == (0, "")
    page = (project / "dist" / "water-power-the-indus-apres-2026.html").read_text(encoding="utf-8")
    assert "Water, Power &amp; the Indus: Après 2026</h1>" in page and "Priya Raman" in page


def test_new_refuses_to_overwrite(project):
    assert run_build("new", "Same Title", "--author", "A", cwd=project)[0] == 0
    before = (project / "source" / "same-title.md").read_bytes()
    code, out, err = run_build("new", "Same title!", "--author", "B", cwd=project)
    assert (code, out) == (1, "")
    assert err == (
        f"error: {project / 'source' / 'same-title.md'}: already exists "
        "(choose another title, or edit the existing file)\n"
    )
    assert (project / "source" / "same-title.md").read_bytes() == before


def test_new_as_a_script_with_a_title_without_letters(project):
    result = run_cli("new", "???", "--author", "A", cwd=project)
    assert result.returncode == 1
    assert (
        result.stderr == "error: cannot make a file name from the title '???' (give a title with letters or digits)\n"
    )

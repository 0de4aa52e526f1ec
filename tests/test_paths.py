"""Paths on the command line mean what they say from the working folder: the project is found from
there upwards (the nearest folder holding styles/brand.yml, else build.py's folder), and every path a
command prints can be opened from where it was typed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EPOCH, FIXTURES, ROOT

MANUSCRIPT = FIXTURES / "word" / "out" / "comments.docx"


@pytest.fixture
def project(tmp_path) -> Path:
    """A project of its own: build.py, styles/ and source/ (the sample brief)."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(ROOT / "build.py", root)
    shutil.copytree(ROOT / "styles", root / "styles")
    shutil.copytree(ROOT / "source", root / "source")
    return root


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def written(stdout: str) -> list[str]:
    """The paths a command says it wrote."""
    return [m.group(1) for m in re.finditer(r"^wrote (\S+)", stdout, flags=re.M)]


@pytest.mark.parametrize("where", ["root", "subfolder", "outside"])
def test_import_and_build_print_paths_that_exist_from_where_they_ran(project, tmp_path, where):
    cwd = {"root": project, "subfolder": project / "notes" / "drafts", "outside": tmp_path / "elsewhere"}[where]
    cwd.mkdir(parents=True, exist_ok=True)
    build = [sys.executable, str(project / "build.py")]

    imported = run([*build, "import", str(MANUSCRIPT)], cwd)
    assert imported.returncode == 0, imported.stderr
    (brief,) = written(imported.stdout)
    assert (cwd / brief).resolve() == project / "source" / "sharing-the-indus.md"  # the project's source/
    assert Path(brief).is_absolute() == (where != "root")  # relative only inside the working folder

    built = run([*build, brief, "--format", "html", "--no-cache", "--out", "out", "-q"], cwd)
    assert built.returncode == 0, built.stderr
    assert (cwd / "out" / "sharing-the-indus.html").is_file()  # --out from the working folder
    assert not (project / "dist").exists()

    shown = run([*build, brief, "--format", "html", "--no-cache", "--out", "out"], cwd)
    assert written(shown.stdout) and all((cwd / path).is_file() for path in written(shown.stdout))


def test_the_briefpress_command_finds_the_project_above_the_working_folder(project):
    cwd = project / "source"
    done = run([sys.executable, "-m", "briefpress", "brief.md", "--format", "html", "--no-cache", "-q"], cwd)
    assert done.returncode == 0, done.stderr
    assert (project / "dist" / "brief.html").is_file()  # the project's dist/, its brand from styles/
    assert not (cwd / "dist").exists()


def test_version_names_briefpress_pandoc_and_weasyprint():
    done = run([sys.executable, str(ROOT / "build.py"), "--version"], ROOT)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"briefpress \d+\.\d+\.\d+ \(pandoc \d+(\.\d+)+, WeasyPrint \d+\.\d+\)\n", done.stdout)

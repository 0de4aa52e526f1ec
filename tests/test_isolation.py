"""The suite's builds depend on nothing an earlier run left behind: not on the project's cache."""

from __future__ import annotations

import shutil
import sys

from conftest import FIXTURES, PROJECT_CACHE, ROOT, folder_state, run_build
from helpers import make_project


def test_two_builds_in_a_fresh_folder_use_only_the_cache_the_first_made(tmp_path, monkeypatch):
    from briefpress import make

    make_project(tmp_path)
    shutil.copy(FIXTURES / "minimal.md", tmp_path / "minimal.md")
    made = []
    make_brief = make.make_brief
    monkeypatch.setattr(make, "make_brief", lambda *a, **k: made.append(a[1].name) or make_brief(*a, **k))
    project_cache = folder_state(PROJECT_CACHE)

    code, _, err = run_build(
        str(tmp_path / "minimal.md"), "--out", str(tmp_path / "dist"), "-q", cwd=tmp_path, cache=True
    )
    assert code == 0, err
    assert made == ["minimal.md"], "the first build in a fresh folder found a cache it did not make"
    cache = tmp_path / ".briefpress-cache"
    first = folder_state(cache)
    assert first, "the first build stored nothing in its own folder's cache"
    (tmp_path / "dist" / "minimal.pdf").unlink()

    code, _, err = run_build(
        str(tmp_path / "minimal.md"), "--out", str(tmp_path / "dist"), "-q", cwd=tmp_path, cache=True
    )
    assert code == 0, err
    assert made == ["minimal.md"], "the second build made the brief again"
    assert [name for name, _ in folder_state(cache)] == [name for name, _ in first]
    assert (tmp_path / "dist" / "minimal.pdf").read_bytes().startswith(b"%PDF-")
    assert folder_state(PROJECT_CACHE) == project_cache


def test_a_build_writes_nothing_inside_the_package_and_clean_removes_what_it_kept(tmp_path, monkeypatch):
    """Everything a build keeps (editions, the brand as read, the cover, compiled templates) goes to
    the project's .briefpress-cache/: an installed package may be read-only, and shared."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # as a user runs it: kept things are written
    package = ROOT / "briefpress"

    def package_files() -> list[tuple[str, int]]:  # Python's own bytecode aside
        return [(name, mtime) for name, mtime in folder_state(package) if not name.endswith(("__pycache__", ".pyc"))]

    before = package_files()
    make_project(tmp_path)
    shutil.copy(FIXTURES / "minimal.md", tmp_path / "minimal.md")
    source, out = str(tmp_path / "minimal.md"), str(tmp_path / "dist")
    code, _, err = run_build(source, "--out", out, "--format", "html,epub", "-q", cwd=tmp_path, cache=True)
    assert code == 0, err
    assert package_files() == before
    kept = {path.name for path in (tmp_path / ".briefpress-cache").iterdir()}
    assert kept == {"editions", "kept", "templates"}
    code, said, _ = run_build("clean", cwd=tmp_path)
    assert code == 0 and said.startswith("removed ")
    assert not (tmp_path / ".briefpress-cache").exists()


def test_a_project_that_cannot_be_written_keeps_its_cache_in_the_users_cache_folder(tmp_path, monkeypatch):
    from briefpress import defaults

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    project, other = tmp_path / "project", tmp_path / "other"
    project.mkdir(), other.mkdir()
    assert defaults.cache_folder(project) == project / ".briefpress-cache"
    monkeypatch.setattr(defaults.os, "access", lambda path, mode: False)  # as for a read-only checkout
    folder = defaults.cache_folder(project)
    assert folder.parent == tmp_path / "user-cache" / "briefpress"
    assert defaults.cache_folder(other) != folder  # each project its own

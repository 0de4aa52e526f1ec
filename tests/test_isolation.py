"""The suite's builds depend on nothing an earlier run left behind: not on the project's cache."""

from __future__ import annotations

import shutil

from conftest import FIXTURES, PROJECT_CACHE, ROOT, folder_state, run_build


def test_two_builds_in_a_fresh_folder_use_only_the_cache_the_first_made(tmp_path, monkeypatch):
    from briefpress import make

    shutil.copytree(ROOT / "styles", tmp_path / "styles")
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

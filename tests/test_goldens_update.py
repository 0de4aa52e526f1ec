"""`pytest --update-golden` rewrites what differs and fails, naming it: an update is never a pass."""

from __future__ import annotations

import shutil

import pytest
from PIL import Image

import test_golden
from conftest import GOLDEN
from pageimages import update_goldens


def test_updating_the_markup_goldens_fails_and_names_what_changed(tmp_path, monkeypatch):
    shutil.copytree(GOLDEN / "html", tmp_path / "html")
    edited = tmp_path / "html" / "minimal-brief.xhtml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("</body>", "<p>stale</p></body>"), encoding="utf-8")
    monkeypatch.setattr(test_golden, "GOLDEN", tmp_path)
    with pytest.raises(pytest.fail.Exception, match=r"rewrote 1 golden file\(s\): html/minimal-brief.xhtml"):
        test_golden.test_generated_markup_matches_golden("minimal", update_golden=True)
    assert "stale" not in edited.read_text(encoding="utf-8")
    test_golden.test_generated_markup_matches_golden("minimal", update_golden=True)  # nothing left to change
    test_golden.test_generated_markup_matches_golden("minimal", update_golden=False)


def test_updating_page_goldens_rewrites_only_pages_that_differ(tmp_path):
    folder = tmp_path / "pages"
    white, black = Image.new("RGB", (40, 40), "white"), Image.new("RGB", (40, 40), "black")
    assert update_goldens(folder, "case", [white]) == ["pages/case-p1.png"]  # a new case
    written = (folder / "case-p1.png").stat().st_mtime_ns
    assert update_goldens(folder, "case", [white.copy()]) == []
    assert (folder / "case-p1.png").stat().st_mtime_ns == written
    assert update_goldens(folder, "case", [black, white]) == ["pages/case-p1.png", "pages/case-p2.png"]

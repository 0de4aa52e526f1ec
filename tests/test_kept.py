"""What builds keep between them, as Python keeps bytecode (kept.py): the brand as read, the cover."""

from __future__ import annotations

import os
import sys
import time

import pytest

from helpers import make_project


@pytest.fixture
def kept(tmp_path, monkeypatch):
    """A project of its own, which is its own cache folder (what is kept goes to kept/ in it),
    written as a build without PYTHONDONTWRITEBYTECODE writes it."""
    from briefpress.kept import keeping

    make_project(tmp_path)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    with keeping(tmp_path):
        yield tmp_path


def brand_of(project, monkeypatch, *, may_read: bool):
    """The brand as a build gets it; may_read=False makes reading brand.yml (brand_yml) an error."""
    from briefpress import pipeline
    from briefpress.defaults import make_config

    read = []

    def reading(path):
        if not may_read:
            raise AssertionError(f"{path} was read with brand_yml")
        read.append(path)
        return unpatched(path)

    unpatched = pipeline.read_brand
    monkeypatch.setattr(pipeline, "read_brand", reading)
    try:
        return pipeline.BrandOnce(make_config(project, jobs=1)).get(), read
    finally:
        monkeypatch.setattr(pipeline, "read_brand", unpatched)


def test_a_second_build_takes_the_brand_the_first_read_until_a_file_it_names_changes(kept, monkeypatch):
    first, read = brand_of(kept, monkeypatch, may_read=True)
    assert read, "the first build reads brand.yml"
    second, _ = brand_of(kept, monkeypatch, may_read=False)  # kept: brand_yml is not imported for it
    assert second == first and second.colors == first.colors and second.labels == first.labels

    brand_yml = kept / "styles" / "brand.yml"
    text = brand_yml.read_text(encoding="utf-8")
    color = first.colors["primary"]
    brand_yml.write_text(text.replace(color, "#123456", 1), encoding="utf-8")
    edited, read = brand_of(kept, monkeypatch, may_read=True)
    assert read and edited.colors["primary"] == "#123456"  # an edited brand.yml is read again

    logo = first.logo
    stamp = logo.stat()
    logo.write_bytes(logo.read_bytes() + b"\n")
    os.utime(logo, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000))
    _, read = brand_of(kept, monkeypatch, may_read=True)
    assert read, "a changed logo means the brand is read (and checked) again"
    logo.unlink()
    from briefpress.errors import BriefError

    with pytest.raises(BriefError, match="logo file not found"):
        brand_of(kept, monkeypatch, may_read=True)  # and a missing one is reported, not taken as kept


def test_nothing_is_kept_under_pythondontwritebytecode(kept, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    brand_of(kept, monkeypatch, may_read=True)
    _, read = brand_of(kept, monkeypatch, may_read=True)
    assert read and not (kept / "kept").exists()


def test_the_kept_cover_has_the_bytes_of_one_drawn_and_is_drawn_again_for_other_words(kept, monkeypatch):
    from briefpress.brand import load_brand
    from briefpress.kept import kept_cover
    from briefpress.render.cover import render_cover

    brand = load_brand(kept / "styles" / "brand.yml")
    source = kept / "brief.md"
    drawn = []

    def cover(title: str) -> bytes:
        def draw() -> bytes:
            drawn.append(title)
            return render_cover(title=title, subtitle="", authors=("A. Author",), series_label="Brief", brand=brand)

        return kept_cover(source, (title, "", ("A. Author",), "Brief", "ltr"), brand, draw)

    first = cover("A Title")
    assert (
        cover("A Title")
        == first
        == render_cover(title="A Title", subtitle="", authors=("A. Author",), series_label="Brief", brand=brand)
    )
    assert drawn == ["A Title"]  # the second came from what the first kept
    assert cover("Another Title") != first and drawn == ["A Title", "Another Title"]
    assert len(list((kept / "kept").iterdir())) == 1  # one file per brief: its new cover replaced the old


def test_kept_files_are_pruned_as_the_edition_cache_is(kept, monkeypatch):
    """kept/ goes by the one prune policy (kept.prune_folder): past MAX_BYTES, the least recently
    used files go first, and reading a kept file marks it used."""
    from briefpress import kept as kept_module

    now = time.time()
    for n in range(5):
        kept_module.keep("cover", kept / f"brief{n}.md", b"key", b"png")
        stamp = kept_module.kept_file("cover", kept / f"brief{n}.md")
        os.utime(stamp, (now - 100 + n, now - 100 + n))  # written one after another
    assert kept_module.read_kept("cover", kept / "brief0.md", b"key") == b"png"  # used now: kept longest
    monkeypatch.setattr(kept_module, "MAX_BYTES", 3 * len(b"keypng"))
    kept_module.keep("cover", kept / "brief5.md", b"key", b"png")
    left = sorted(path.name for path in (kept / "kept").iterdir())
    assert left == sorted(kept_module.kept_file("cover", kept / f"brief{n}.md").name for n in (0, 4, 5))
    assert kept_module.read_kept("cover", kept / "brief4.md", b"key") == b"png"


def test_a_damaged_kept_brand_is_read_again_not_an_error(kept, monkeypatch):
    from briefpress import kept as kept_module

    first, _ = brand_of(kept, monkeypatch, may_read=True)
    (stored,) = (kept / "kept").iterdir()
    stored.write_bytes(stored.read_bytes()[:-40])  # cut short
    again, read = brand_of(kept, monkeypatch, may_read=True)
    assert read and again == first
    assert kept_module.kept_brand(first.path) == first  # and kept whole again


def test_hyphenation_patterns_are_read_once_and_then_taken_from_what_was_kept(kept, monkeypatch):
    import pyphen

    from briefpress.render.pdf import warm_hyphenation

    path = pyphen.LANGUAGES[pyphen.language_fallback("en_GB")]
    monkeypatch.delitem(pyphen.hdcache, path, raising=False)
    warm_hyphenation("en-GB")  # read from the dictionary, and kept
    read = pyphen.hdcache.pop(path)

    def not_again(self, path):
        raise AssertionError(f"{path} was read again")

    monkeypatch.setattr(pyphen.HyphDict, "__init__", not_again)
    warm_hyphenation("en-GB")
    kept_patterns = pyphen.hdcache[path]
    assert kept_patterns is not read and kept_patterns.patterns == read.patterns
    for word in ("hyphenation", "international", "Afghanistan", "establishment"):
        assert kept_patterns.positions(word) == read.positions(word)

"""The build cache: an unchanged rebuild reuses the editions without loading the renderers, and
any change to what an edition depends on makes it again. Editions rendered in parallel processes
are the same bytes as editions rendered in one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from conftest import EPOCH, FIXTURES
from helpers import make_project

HEAVY = ("weasyprint", "pypandoc", "lxml", "ebooklib")
RUN = """
import json, sys
from pathlib import Path
from briefpress.cli import main
code = main(sys.argv[2:], root=Path(sys.argv[1]))
print(json.dumps({"code": code, "loaded": [m for m in %r if m in sys.modules]}))
""" % (HEAVY,)


@pytest.fixture
def project(tmp_path) -> Path:
    make_project(tmp_path)
    (tmp_path / "source").mkdir()
    text = (FIXTURES / "links.md").read_text(encoding="utf-8")
    (tmp_path / "source" / "brief.md").write_text(text + "\n![A blue square](square.png)\n", encoding="utf-8")
    Image.new("RGB", (30, 30), "navy").save(tmp_path / "source" / "square.png")
    return tmp_path


def build(project: Path, *args: str, source: str = "source/brief.md") -> tuple[dict, str, dict[str, bytes]]:
    """Build the project's brief in a fresh process; return what it loaded, its stderr and the files."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            RUN,
            str(project),
            source,
            "--out",
            "dist",
            "--brand",
            "styles/brand.yml",
            "--format",
            "pdf,epub",
            "-q",
            *args,
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["code"] == 0, done.stderr
    files = {p.name: p.read_bytes() for p in sorted((project / "dist").iterdir())}
    return report, done.stderr, files


def test_unchanged_rebuild_loads_no_renderer_and_repeats_the_warnings(project):
    first, first_err, first_files = build(project)
    assert {"pypandoc", "lxml", "ebooklib"} <= set(
        first["loaded"]
    )  # the cold build did the work (the PDFs in a worker)
    assert "placeholder link [the 2023 notice]" in first_err
    (project / "dist" / "brief.pdf").unlink()  # a lost file comes back from the cache too
    again, again_err, again_files = build(project)
    assert again["loaded"] == []
    assert again_err == first_err  # nothing silent: the same warnings, word for word
    assert again_files == first_files


@pytest.mark.parametrize("change", ["source", "image", "style", "logo", "option"])
def test_a_change_to_any_input_makes_the_editions_again(project, change):
    _, _, before = build(project)
    extra = ()
    if change == "source":
        path = project / "source" / "brief.md"
        path.write_text(
            path.read_text(encoding="utf-8").replace("A short summary", "A changed summary"), encoding="utf-8"
        )
    elif change == "image":
        Image.new("RGB", (30, 30), "darkred").save(project / "source" / "square.png")
    elif change == "style":
        with open(project / "styles" / "brief.css", "a", encoding="utf-8") as css:
            css.write("\nh2 { letter-spacing: 0.1em; }\n")
    elif change == "logo":
        logo = project / "styles" / "logo.svg"
        logo.write_text(
            logo.read_text(encoding="utf-8").replace("</svg>", "<rect width='1' height='1'/></svg>"), encoding="utf-8"
        )
    else:
        extra = ("--paper", "letter")
    report, _, after = build(project, *extra)
    assert "pypandoc" in report["loaded"]
    assert after["brief.pdf"] != before["brief.pdf"]
    if change in ("source", "image", "logo"):
        assert after["brief.epub"] != before["brief.epub"]


def test_no_cache_makes_everything_afresh_with_the_same_bytes(project):
    _, _, cached = build(project)
    report, _, fresh = build(project, "--no-cache")
    assert "pypandoc" in report["loaded"]
    assert fresh == cached


def test_a_damaged_cache_entry_is_a_miss_not_an_error(project):
    _, _, before = build(project)
    (entry,) = (project / ".briefpress-cache" / "editions").iterdir()
    (entry / "pdf").write_bytes(b"%PDF-1.7 truncated")
    report, _, after = build(project)
    assert "pypandoc" in report["loaded"]
    assert after == before


def test_editions_rendered_in_parallel_are_the_same_bytes(project):
    _, _, one = build(project, "--no-cache", "--jobs", "1", "--format", "pdf,print,epub,html")
    _, _, two = build(project, "--no-cache", "--jobs", "2", "--format", "pdf,print,epub,html")
    assert one == two
    assert sorted(one) == ["SHA256SUMS", "brief-card.png", "brief-print.pdf", "brief.epub", "brief.html", "brief.pdf"]


def test_the_cache_keeps_a_whole_series_and_drops_what_was_not_used_for_a_month(project):
    """Forty entries (a count of 32 evicted most of a series on every rebuild) all stay; an entry
    unused for longer than MAX_AGE goes; a hit marks its entry used, so it is kept longest."""
    from briefpress.kept import MAX_AGE

    cache = project / ".briefpress-cache" / "editions"
    now = time.time()
    for n in range(40):
        entry = cache / f"{n:064x}"
        entry.mkdir(parents=True)
        os.utime(entry, (now - 3600 * (n + 1),) * 2)  # used n + 1 hours ago
    forgotten = cache / f"{99:064x}"
    forgotten.mkdir()
    os.utime(forgotten, (now - MAX_AGE - 60,) * 2)
    build(project)
    entries = sorted(p.name for p in cache.iterdir())
    assert len(entries) == 41 and forgotten.name not in entries  # the forty, and the new one
    (made,) = set(entries) - {f"{n:064x}" for n in range(40)}
    os.utime(cache / made, (now - 7 * 24 * 3600,) * 2)
    again, _, _ = build(project)
    assert again["loaded"] == []  # a hit
    assert (cache / made).stat().st_mtime > now - 60  # marked used


def test_past_its_size_a_cache_folder_loses_its_least_recently_used_entries(tmp_path, monkeypatch):
    from briefpress import kept

    for n in range(6):  # the edition cache's entries are folders, kept/'s files: both are pruned alike
        entry = tmp_path / f"entry{n}"
        if n % 2:
            entry.write_bytes(b"x" * 1000)
        else:
            entry.mkdir()
            (entry / "pdf").write_bytes(b"x" * 1000)
        os.utime(entry, (1_000_000_000 + n,) * 2)
    (tmp_path / ".half-written").write_bytes(b"x" * 5000)
    monkeypatch.setattr(kept, "MAX_AGE", 10**10)
    monkeypatch.setattr(kept, "MAX_BYTES", 3500)
    kept.prune_folder(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".half-written", "entry3", "entry4", "entry5"]


def test_a_byte_identical_copy_under_another_name_is_built_for_its_own_name(project):
    """The cache key names the source: other.md must not reuse brief.md's entry, whose warnings
    and archive attachment name brief.md."""
    build(project, "--format", "pdf,pdfa")
    shutil.copy(project / "source" / "brief.md", project / "source" / "other.md")
    os.utime(project / "source" / "other.md", ns=(0, (project / "source" / "brief.md").stat().st_mtime_ns))
    report, stderr, _ = build(project, "--format", "pdf,pdfa", source="source/other.md")
    assert "pypandoc" in report["loaded"]
    warned = {line.split(":")[1] for line in stderr.splitlines() if line.startswith("warning:")}
    assert warned == {" source/other.md"}
    import pikepdf

    with pikepdf.open(project / "dist" / "other-archive.pdf") as pdf:
        assert list(pdf.attachments) == ["other.md"]

"""Builds that fail end cleanly: no hang, no leaked worker or temporary file, no overwritten
output, no traceback (broken images, killed workers, special files, YAML aliases, collisions).

Builds that could hang run as a separate process with a timeout, so a regression fails the
test instead of stopping the suite.
"""

from __future__ import annotations

import io
import os
import signal
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image

from conftest import EPOCH, ROOT
from helpers import make_project
from robust import BUILD, cli, refused, write_brief


def png_bytes(size=(40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 40)).save(out, format="PNG")
    return out.getvalue()


def huge_png(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height, with almost no pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


# 1. Broken images: refused before any PDF worker renders, one line each, never the data: URL.

BROKEN_IMAGES = {
    "jpeg-noise": b"\xff\xd8\xff\xe0" + os.urandom(400_000),
    "png-truncated": png_bytes((400, 300))[:300],
    "png-text": b"\x89PNG\r\n\x1a\n" + b"this is not a picture at all\n" * 20,
    "png-30000": huge_png(30000, 30000),
}


@pytest.mark.parametrize("name", sorted(BROKEN_IMAGES))
def test_broken_image_is_one_error_line(tmp_path, name):
    file = "picture.jpg" if name.startswith("jpeg") else "picture.png"
    (tmp_path / file).write_bytes(BROKEN_IMAGES[name])
    path = write_brief(tmp_path, f"Text.\n\n![A chart]({file})")
    result = cli(str(path), "--out", str(tmp_path / "dist"), cwd=tmp_path)
    refused(result, "brief.md", 7, f"image {file}: ")
    assert not (tmp_path / "dist").exists()


def test_broken_data_url_image_never_prints_the_data(tmp_path):
    import base64

    data = base64.b64encode(BROKEN_IMAGES["jpeg-noise"]).decode()
    path = write_brief(tmp_path, f"Text.\n\n![A chart](data:image/jpeg;base64,{data})")
    result = cli(str(path), "--out", str(tmp_path / "dist"), cwd=tmp_path)
    refused(result, "brief.md", 7, "image (a data: URL): ")
    assert data[:40] not in result.stderr and len(result.stderr) < 400


WORKER_SCRIPT = r"""
import sys, types
from pathlib import Path
import briefpress.render.editions as editions
from briefpress.errors import BriefError
from briefpress.records import BuildConfig
from briefpress.render.workers import Crew

mode = sys.argv[1]
path = Path("brief.md")
url = "data:image/jpeg;base64," + "A" * 400_000

def make_edition(kind, document, config):
    if mode == "helper-fails" and kind == "print" or mode == "both-fail":
        raise BriefError(path, None, f"PDF rendering problem: Failed to load image at '{url}'", "fix it")
    if mode == "lead-fails" and kind == "pdf":
        raise BriefError(path, None, "the lead failed", "fix it")
    return b"%PDF" + b"x" * 3_000_000

editions.make_edition = make_edition  # inherited by the forked workers
editions.warm_pdf = lambda document, config: None  # nothing to parse for a stand-in document
config = BuildConfig(sources=(path,), out_dir=Path("dist"), formats=("pdf", "print"), jobs=2)
crew = Crew(config, path)
crew.send(config, types.SimpleNamespace(source_path=path, abstract_html="", body_html="", bios_html=(), notes=()))
if mode == "parent-fails":
    crew.cancel()  # the parent failed after sending: the workers' big answers must not block it
    print("cancelled")
    sys.exit(0)
try:
    made = crew.results()
    print("made", sorted(made))
except BriefError as err:
    print("error", len(err.message), err.message[:80])
"""


@pytest.mark.parametrize("mode", ["helper-fails", "lead-fails", "both-fail", "parent-fails"])
def test_worker_results_are_always_read(tmp_path, mode):
    try:
        result = subprocess.run(
            [sys.executable, "-c", WORKER_SCRIPT, mode],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the workers hung ({mode})")
    assert result.returncode == 0, result.stderr
    if mode == "parent-fails":
        assert result.stdout.strip() == "cancelled"
        return
    status, length, message = result.stdout.split(" ", 2)
    assert status == "error", result.stdout
    assert int(length) < 300 and "AAAAAAAAAA" not in message, result.stdout


# 2 and 8. A killed build leaves no process and no temporary folder.


def group_members(group: int) -> list[int]:
    """Live (not zombie) processes of a process group, from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(entry.name))
    return members


# Killed while the lead worker loads WeasyPrint, while it waits for the composed brief (its pipe
# then closes before the kernel signals it), and while the PDFs are rendered.
@pytest.mark.parametrize("delay", [0.3, 0.6, 0.9])
def test_killed_build_leaves_no_worker_and_no_temporary_files(tmp_path, delay):
    temp = tmp_path / "tmp"
    temp.mkdir()
    # A brief long enough (about 2.5 s on an idle machine, the sample 0.9 s) that the last moment
    # still falls inside the build however quick the machine is.
    body = "\n\n".join(f"Paragraph {n} on the [commission](https://example.org/{n}) and its data." for n in range(400))
    source = write_brief(tmp_path / "long", body)
    build = subprocess.Popen(
        [sys.executable, str(BUILD), str(source), "--out", str(tmp_path / "dist"), "--no-cache", "--jobs", "2"],
        cwd=tmp_path,
        start_new_session=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "TMPDIR": str(temp)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while len(group_members(build.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(delay)
    assert len(group_members(build.pid)) >= 2, "no worker was started"
    assert build.poll() is None, "the build ended before it could be killed"
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 5
    while group_members(build.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = group_members(build.pid)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, "a worker outlived its killed build"
    assert sorted(p.name for p in temp.iterdir()) == []


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_build_leaves_the_temporary_folder_as_it_found_it(tmp_path, jobs):
    temp = tmp_path / "tmp"
    temp.mkdir()
    path = write_brief(tmp_path, "Text with a [link](https://example.org).")
    result = cli(str(path), "--out", str(tmp_path / "dist"), "--jobs", jobs, cwd=tmp_path, TMPDIR=str(temp))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in temp.iterdir()) == []
    (tmp_path / "dist" / "brief.epub").unlink()
    (tmp_path / "dist" / "brief.epub").mkdir()  # the build now fails after rendering its PDFs
    (tmp_path / "dist" / "brief.pdf").write_bytes(b"old")
    result = cli(str(path), "--out", str(tmp_path / "dist"), "--jobs", jobs, cwd=tmp_path, TMPDIR=str(temp))
    # 7. Every target is checked before the first rename: brief.pdf is not replaced.
    refused(result, "dist/brief.epub", None, "a folder is in the way")
    assert (tmp_path / "dist" / "brief.pdf").read_bytes() == b"old"
    assert sorted(p.name for p in temp.iterdir()) == []


# 3. Special files.


def test_fifo_source_is_refused(tmp_path):
    os.mkfifo(tmp_path / "brief.md")
    result = cli("brief.md", "--out", "dist", cwd=tmp_path, timeout=20)
    refused(result, "brief.md", None, "not a regular file (a named pipe)")


def test_fifo_image_is_refused(tmp_path):
    os.mkfifo(tmp_path / "chart.png")
    write_brief(tmp_path, "Text.\n\n![A chart](chart.png)")
    result = cli("brief.md", "--out", "dist", cwd=tmp_path, timeout=20)
    refused(result, "brief.md", 7, "image chart.png: not a regular file (a named pipe)")


def test_source_linked_to_a_device_is_refused(tmp_path):
    (tmp_path / "brief.md").symlink_to("/dev/zero")
    result = cli("brief.md", "--out", "dist", cwd=tmp_path, timeout=20)
    refused(result, "brief.md", None, "not a regular file (a device)")


def test_oversized_manuscript_is_refused(tmp_path):
    path = write_brief(tmp_path, "word " * 4_300_000)  # 21.5 MB
    result = cli(str(path), "--out", "dist", cwd=tmp_path, timeout=20)
    refused(result, "brief.md", None, "larger than the 20 MiB limit for a manuscript")


# 4. Plausible input that gave a traceback.


@pytest.mark.parametrize("date", ["2026-02-30", "2026-13-01"])
def test_impossible_unquoted_date(tmp_path, date):
    path = write_brief(tmp_path, "Text.", front=f"title: T\ndate: {date}")
    result = cli(str(path), "--out", "dist", cwd=tmp_path, timeout=20)
    refused(result, "brief.md", 3, f"'date' is not a date: {date}")


def test_far_future_date_builds_with_zip_times_clamped(tmp_path):
    path = write_brief(tmp_path, "Text.", front="title: T\ndate: 9999-12-31")
    result = cli(str(path), "--out", "dist", "--format", "epub,pdf", cwd=tmp_path, SOURCE_DATE_EPOCH="")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "dist" / "brief.epub") as book:
        assert {info.date_time[0] for info in book.infolist()} == {2107}
        assert "<dc:date>9999-12-31" in book.read("EPUB/content.opf").decode()


@pytest.mark.parametrize("epoch", ["1772668800000", "999999999999999"])
def test_source_date_epoch_out_of_range(tmp_path, epoch):
    path = write_brief(tmp_path, "Text.")
    result = cli(str(path), "--out", "dist", cwd=tmp_path, timeout=20, SOURCE_DATE_EPOCH=epoch)
    refused(result, "SOURCE_DATE_EPOCH", None, f"{epoch} is after the year 9999")


def test_image_symlink_loop(tmp_path):
    (tmp_path / "loop.png").symlink_to("loop.png")
    path = write_brief(tmp_path, "Text.\n\n![A chart](loop.png)")
    result = cli(str(path), "--out", "dist", cwd=tmp_path, timeout=20)
    refused(result, "brief.md", 7, "image loop.png: a symbolic link loop")


@pytest.mark.parametrize("name, formats", [("économie", "pdf,print,epub"), ("简报", "epub,html")])
def test_non_ascii_file_name_builds(tmp_path, name, formats):
    path = write_brief(tmp_path, "Text.", name=f"{name}.md")
    result = cli(path.name, "--out", "dist", "--format", formats, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    sums = (tmp_path / "dist" / "SHA256SUMS").read_text(encoding="utf-8")
    assert f"  {name}.epub\n" in sums


def test_file_name_with_a_line_break_is_refused(tmp_path):
    path = write_brief(tmp_path, "Text.", name="two\nlines.md")
    result = cli(str(path), "--out", "dist", cwd=tmp_path, timeout=20)
    refused(result, "two\\nlines.md", None, "the file name contains a line break")
    assert not (tmp_path / "dist").exists()


# 5. YAML anchors and aliases; brand files that are not a brand.

LAUGHS = (
    "title: T\n"
    + "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi"))
    + "keywords: *i"
)


def test_front_matter_aliases_are_refused_at_once(tmp_path):
    path = write_brief(tmp_path, "Text.", front=LAUGHS)
    started = time.monotonic()
    result = cli(str(path), "--out", "dist", cwd=tmp_path, timeout=20)
    refused(result, "brief.md", 3, "YAML anchors and aliases are refused")
    assert time.monotonic() - started < 5


@pytest.fixture
def styles(tmp_path) -> Path:
    make_project(tmp_path)
    return tmp_path / "styles" / "brand.yml"


@pytest.mark.parametrize(
    "case, line, what",
    [
        ("anchors", 4, "YAML anchors and aliases are refused"),
        ("empty", None, "the brand file is empty"),
        ("list", 1, "the brand file is not a mapping"),
        ("logo", "logo:", "brand: logo: a list is not a logo"),  # the line of the logo key
    ],
)
def test_brand_file_problems_name_the_brand_file(tmp_path, styles, case, line, what):
    text = styles.read_text(encoding="utf-8")
    if case == "anchors":
        text = text.replace("  name:\n", "  name: &name\n", 1) + "extra: *name\n"
    elif case == "empty":
        text = ""
    elif case == "list":
        text = "- a\n- b\n"
    else:
        start, end = text.index("logo:\n"), text.index("color:\n")
        text = text[:start] + "logo: {small: [a, b]}\n\n" + text[end:]
        line = text.count("\n", 0, start) + 1
    styles.write_text(text, encoding="utf-8")
    path = write_brief(tmp_path, "Text.")
    result = cli(str(path), "--brand", "styles/brand.yml", "--out", "dist", cwd=tmp_path, timeout=30)
    refused(result, "styles/brand.yml", line, what)


# 6. Two briefs that would write the same file.


@pytest.mark.parametrize(
    "names, named, other, clash",
    [
        (("a/brief.md", "b/brief.md"), "b/brief.md", "a/brief.md", "dist/brief.pdf"),
        (("x.md", "x-print.md"), "x-print.md", "x.md", "dist/x-print.pdf"),
        (("index.md", "other.md"), "index.md", "the series catalogue", "dist/index.html"),
    ],
)
def test_series_output_collisions_are_refused(tmp_path, names, named, other, clash):
    for name in names:
        write_brief((tmp_path / name).parent, "Text.", name=Path(name).name)
    result = cli(*names, "--format", "pdf,print,html", "--out", "dist", cwd=tmp_path, timeout=30)
    error = refused(result, named, None, f"would write {clash}")
    assert other in error["what"]
    assert not (tmp_path / "dist").exists()


def test_a_very_long_brief_lays_out_its_pdf_editions_one_at_a_time():
    """Two layouts of a 160-page contract at once took 2 GB: past what two layouts hold within 1.5 GB
    (compose/limits.py, counted in tags and characters of the brief's HTML, its notes too) the lead
    worker renders the PDF editions one after the other."""
    from types import SimpleNamespace

    from briefpress.compose.limits import TWO_LAYOUTS_UNITS
    from briefpress.render.workers import pdf_jobs, share

    def brief(body: str, note: str = "") -> SimpleNamespace:
        return SimpleNamespace(
            abstract_html="<p>A</p>", body_html=body, bios_html=(), notes=(SimpleNamespace(html=note),)
        )

    short = brief("<p>x</p>" * 1000)
    long = brief("<p>x</p>" * (TWO_LAYOUTS_UNITS // 2))
    long_notes = brief("<p>x</p>" * 1000, "<p>x</p>" * (TWO_LAYOUTS_UNITS // 2))
    assert share(["pdf", "print"], pdf_jobs(short, 2)) == [["pdf"], ["print"]]
    assert share(["pdf", "print"], pdf_jobs(long_notes, 2)) == [["pdf", "print"]]
    assert share(["pdf", "print"], pdf_jobs(long, 2)) == [["pdf", "print"]]

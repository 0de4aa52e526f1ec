"""Input that is refused with one clear line: links that go nowhere, brand files that reach
outside their folder, raw HTML that forges pages, and sizes and depths a build cannot lay out."""

from __future__ import annotations

import os
import re
import subprocess
import time
import zipfile
from pathlib import Path

import pikepdf
import pytest

from conftest import ROOT
from helpers import make_project
from robust import cli, folder_payload, refused, write_brief

PIXEL = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


def warnings_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning:")]


# §5 Silent failures in the Markdown.


def test_missing_reference_and_footnote_definitions_are_warned_at_their_line(tmp_path):
    body = "Intro.\n\nA [claim][nodef] with a note[^missing], and [sic] and [kept](https://example.org/k).\n"
    path = write_brief(tmp_path, body)
    result = cli(str(path), "--out", str(tmp_path / "dist"), "--format", "html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    warned = warnings_of(result.stderr)
    assert any(w.startswith("warning: brief.md:7: footnote [^missing] has no definition") for w in warned), warned
    assert any(w.startswith("warning: brief.md:7: reference link [claim][nodef] has no definition") for w in warned)
    assert not any("[sic]" in w for w in warned), "a bracket in prose is not a reference"
    strict = cli(str(path), "--out", str(tmp_path / "dist"), "--format", "html", "--strict", cwd=tmp_path)
    assert strict.returncode == 1 and "--strict is on" in strict.stderr


def test_relative_link_is_warned_at_its_line(tmp_path):
    path = write_brief(tmp_path, "Intro.\n\nSee [the report](report.pdf) for more.")
    result = cli(str(path), "--out", str(tmp_path / "dist"), "--format", "html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert any(w.startswith("warning: brief.md:7: link to report.pdf is relative") for w in warnings_of(result.stderr))


def test_links_to_headings_and_the_notes_build(tmp_path):
    body = "## Background {#bg}\n\nText [a](https://example.org/a).\n\nSee [the background](#bg) and [the notes](#bp-notes)."
    path = write_brief(tmp_path, body)
    result = cli(str(path), "--out", str(tmp_path / "dist"), "--format", "html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not warnings_of(result.stderr)


def test_link_in_alt_text_becomes_words_and_bookmarks_carry_no_note_numbers(tmp_path):
    body = (
        "## Heading with a [link](https://example.org/a)\n\nText.\n\n"
        f"![A chart from [the office](https://example.org/office) itself]({PIXEL})\n"
    )
    path = write_brief(tmp_path, body)
    result = cli(str(path), "--out", str(tmp_path / "dist"), "--format", "pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with pikepdf.open(tmp_path / "dist" / "brief.pdf") as pdf, pdf.open_outline() as outline:
        titles = [item.title for item in outline.root] + [c.title for item in outline.root for c in item.children]
        figures = [
            str(element.get("/Alt"))
            for element in pdf.objects
            if isinstance(element, pikepdf.Dictionary) and element.get("/S") == "/Figure"
        ]
    assert "Heading with a link" in titles, titles
    assert not any(title.rstrip().endswith(("1", "2")) for title in titles), titles
    assert "A chart from the office itself" in figures, figures


# §4 Lost or wrong output.


def test_a_build_leaves_another_builds_temporary_files_alone(tmp_path):
    """Two builds into one --out: the sweep of a killed build's leftovers must not take the
    file another build is about to rename into place."""
    path = write_brief(tmp_path, "Intro.\n\nText.")
    out = tmp_path / "dist"
    out.mkdir()
    other = subprocess.Popen(["sleep", "60"])  # stands for the other build, still running
    try:
        in_flight = out / f".brief.html.{other.pid}.k2j4.tmp"
        in_flight.write_bytes(b"the other build's web page")
        left = out / ".brief.html.k2j4.tmp"  # no PID, an hour old: a killed build's, from before
        left.write_bytes(b"old")
        os.utime(left, (time.time() - 7200, time.time() - 7200))
        result = cli(str(path), "--out", str(out), "--format", "html", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert in_flight.read_bytes() == b"the other build's web page"
        assert not left.exists()
    finally:
        other.kill()
        other.wait()


# §3 Escapes and forgery: the brand file.


@pytest.fixture
def styles(tmp_path) -> Path:
    make_project(tmp_path)
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "canary.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><text>CANARY-brand-secret</text></svg>', encoding="utf-8"
    )
    return tmp_path / "styles" / "brand.yml"


def key_line(styles: Path, key: str) -> int:
    """The line of a key in the brand file, wherever edits to the brand have moved it."""
    lines = styles.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if line == key)


def with_logo(styles: Path, logo: str) -> None:
    text = styles.read_text(encoding="utf-8").replace("path: logo.svg", f"path: {logo}")
    styles.write_text(text, encoding="utf-8")


def build_with_brand(tmp_path, formats="epub,html"):
    path = write_brief(tmp_path, "Intro.\n\nText.")
    return cli(str(path), "--brand", "styles/brand.yml", "--out", "dist", "--format", formats, cwd=tmp_path)


@pytest.mark.parametrize("how", ["dotdot", "symlink"])  # brand_yml itself refuses an absolute path
def test_logo_outside_the_brand_folder_is_refused(tmp_path, styles, how):
    secret = tmp_path / "secret" / "canary.svg"
    if how == "symlink":
        (styles.parent / "linked.svg").symlink_to(secret)
    named = {"dotdot": "../secret/canary.svg", "symlink": "linked.svg"}[how]
    with_logo(styles, named)
    result = build_with_brand(tmp_path)
    refused(
        result,
        "styles/brand.yml",
        key_line(styles, "logo:"),
        f"brand: logo {named} is outside the brand's folder styles/",
    )
    assert not (tmp_path / "dist").exists()


def test_font_file_outside_the_brand_folder_is_refused(tmp_path, styles):
    text = styles.read_text(encoding="utf-8").replace(
        "    - family: Source Sans Pro\n      source: system\n",
        "    - family: Source Sans Pro\n      source: file\n      files:\n"
        "        - path: ../secret/x.ttf\n          weight: 400\n",
    )
    assert text != styles.read_text(encoding="utf-8")
    styles.write_text(text, encoding="utf-8")
    (tmp_path / "secret" / "x.ttf").write_bytes((ROOT / "styles" / "logo.svg").read_bytes())
    result = build_with_brand(tmp_path, "pdf")
    refused(
        result,
        "styles/brand.yml",
        key_line(styles, "        - path: ../secret/x.ttf"),  # the line of the path itself
        "brand: font ../secret/x.ttf is outside the brand's folder styles/",
    )


@pytest.mark.parametrize(
    "svg, what",
    [
        ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><text>A</text></svg>', "<script>"),
        ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><text>A</text></svg>', "event handler (onload)"),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>',
            "<image> element",
        ),
        ('<!DOCTYPE svg [<!ENTITY e SYSTEM "file:///etc/hostname">]><svg><text>&e;</text></svg>', "XML entities"),
    ],
)
def test_active_svg_logo_is_refused(tmp_path, styles, svg, what):
    (styles.parent / "logo.svg").write_text(svg, encoding="utf-8")
    result = build_with_brand(tmp_path)
    refused(result, "styles/brand.yml", key_line(styles, "logo:"), "brand: logo logo.svg: ")
    assert what in result.stderr
    assert not (tmp_path / "dist").exists()


def test_the_own_logo_ships_and_nothing_from_outside(tmp_path, styles):
    result = build_with_brand(tmp_path)
    assert result.returncode == 0, result.stderr
    assert b"CANARY-brand-secret" not in folder_payload(tmp_path / "dist")


# §3 Escapes and forgery: raw HTML.

FORGERY = (
    '<div style="position: fixed; top:0; left:0; width:210mm; height:297mm; background:white; z-index:999">FORGED</div>'
)


def test_a_style_attribute_cannot_cover_the_page(tmp_path):
    import pypdfium2

    path = write_brief(
        tmp_path, f'Real text.\n\n{FORGERY}\n\nMore <span style="color: #7A1F2B; margin-left: -40mm">real</span>.'
    )
    result = cli(str(path), "--out", "dist", "--format", "pdf,html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    warned = warnings_of(result.stderr)
    for removed in ("position: fixed", "z-index: 999", "height: 297mm", "background: white", "width: 210mm"):
        assert any(w.startswith(f"warning: brief.md:7: removed {removed} from a style attribute") for w in warned), (
            warned
        )
    assert any(w.startswith("warning: brief.md:9: removed margin-left: -40mm") for w in warned), warned
    web = (tmp_path / "dist" / "brief.html").read_text(encoding="utf-8")
    assert "z-index" not in web and "position: fixed" not in web
    assert 'style="color: #7A1F2B"' in web  # what only dresses the text stays
    page = pypdfium2.PdfDocument(tmp_path / "dist" / "brief.pdf")[0].render(scale=0.5).to_pil().convert("L")
    masthead = page.crop((0, 0, page.width, page.height // 8))
    assert masthead.getextrema()[0] < 100, "the masthead is hidden"


# §1/§2 Scale and nesting: refused before anything is rendered, with the limit in the message.


@pytest.mark.parametrize(
    "body, line, what",
    [
        ("> " * 101 + "deep quote", 7, "nested more than 100 levels deep"),  # WeasyPrint fails at about 130
        ("\n".join("    " * i + f"- item {i}" for i in range(100)), 57, "nested more than 100 levels deep"),
        ("> " * 600 + "very deep quote", None, "nests block quotes or lists hundreds of levels deep"),
        ("<section>" * 150 + "deep" + "</section>" * 150, None, "raw HTML nests elements 150 levels deep"),
    ],
    ids=["quotes-101", "list-100", "quotes-600", "html-150"],
)
def test_what_the_renderer_cannot_lay_out_is_one_error(tmp_path, body, line, what):
    path = write_brief(tmp_path, f"Text.\n\n{body}")
    result = cli(str(path), "--out", "dist", "--format", "pdf", cwd=tmp_path, timeout=90)
    refused(result, "brief.md", line, what)
    assert not (tmp_path / "dist").exists()


def test_nesting_within_the_limit_builds(tmp_path):
    body = "> " * 90 + "deep quote\n\n" + "\n".join("    " * i + f"- item {i}" for i in range(45))
    path = write_brief(tmp_path, f"Text.\n\n{body}")
    result = cli(str(path), "--out", "dist", "--format", "pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_brief_too_long_to_render_is_refused_with_the_limit(tmp_path):
    paragraph = " ".join(["word"] * 100)
    path = write_brief(tmp_path, "\n\n".join([paragraph] * 1891))  # 189,100 words: just over
    result = cli(str(path), "--out", "dist", "--format", "pdf", cwd=tmp_path, timeout=60)
    error = refused(result, "brief.md", None, "the brief has 189,100 words, about 300 pages; a brief may have 189,000")
    assert "split it into several briefs" in error["fix"]


# §4 EPUBs that epubcheck would fail: refused while the brief is read and composed.


def test_an_empty_keyword_is_left_out_with_a_warning(tmp_path):
    path = write_brief(tmp_path, "Text.", front='title: A Test Brief\nkeywords: [water, "", power]')
    result = cli(str(path), "--out", "dist", "--format", "epub", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "warning: brief.md:3: left out an empty keyword" in result.stderr
    with zipfile.ZipFile(tmp_path / "dist" / "brief.epub") as epub:
        opf = epub.read("EPUB/content.opf").decode("utf-8")
    assert re.findall(r"<dc:subject>([^<]*)</dc:subject>", opf) == ["water", "power"]


@pytest.mark.parametrize("url", ["http://[::1/x", "https://example.org:99999/report"])
def test_a_malformed_address_is_text_with_a_warning_at_its_line(tmp_path, url):
    path = write_brief(tmp_path, f"Intro.\n\nSee [the source]({url}).")
    result = cli(str(path), "--out", "dist", "--format", "epub", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    warned = warnings_of(result.stderr)
    assert len(warned) == 1 and warned[0].startswith("warning: brief.md:7: link to "), result.stderr
    assert "is not a valid address" in warned[0] and "printed as text" in warned[0]


def test_an_id_the_build_gives_is_refused(tmp_path):
    path = write_brief(tmp_path, "Text [a](https://example.org/a).\n\n## Sources {#note-1}\n\nMore.")
    result = cli(str(path), "--out", "dist", "--format", "epub", cwd=tmp_path)
    refused(result, "brief.md", 7, "the id #note-1 is one the build gives")


def test_a_brief_of_few_words_but_too_much_layout_is_refused_with_the_limit(tmp_path):
    """Notes, links and table cells cost WeasyPrint memory beyond their words: 290 pages of them took
    1.5 GB. The limit counts the tags and characters of the brief's HTML, notes included."""
    from briefpress.compose.limits import MAX_LAYOUT_UNITS, UNITS_PER_PAGE, check_length, layout_units

    cell = "<td>1</td>"  # 2 tags and one word
    body = "<table><tr>" + cell * int(MAX_LAYOUT_UNITS / (2 + len(cell) / 85) - 60) + "</tr></table>"
    notes = "<p>" + "<a>n</a>" * 200 + "</p>"
    assert layout_units([body]) <= MAX_LAYOUT_UNITS < layout_units([body, notes])
    assert check_length([body], tmp_path / "brief.md") is None
    error = check_length([body, notes], tmp_path / "brief.md")
    assert error is not None and error.path == tmp_path / "brief.md"
    pages = layout_units([body, notes]) // UNITS_PER_PAGE
    assert error.what.startswith(
        f"the brief's text, notes, links and tables would take as much layout as {pages} pages of prose"
    )
    assert "split it into several briefs" in error.fix

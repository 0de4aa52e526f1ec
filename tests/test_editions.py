"""The editions a user asks for: three by default, the print edition, --paper and --press."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from PIL import ImageChops

from conftest import BRIEFS, FIXTURES, run_build
from helpers import make_project
from pageimages import rasterise

A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)
BLEED = 3 / 25.4 * 72  # 3 mm in points: 8.504


def build(tmp_path: Path, *args: str, brief: str = "minimal") -> Path:
    out = tmp_path / "out"
    code, _, err = run_build(str(BRIEFS[brief]), "--out", str(out), *args)
    assert code == 0, err
    return out


def boxes(pdf: Path) -> list[dict[str, list[float]]]:
    with pikepdf.open(pdf) as document:
        return [
            {
                name: [float(v) for v in page.obj.get(f"/{name}", page.mediabox)]
                for name in ("MediaBox", "TrimBox", "BleedBox")
            }
            for page in document.pages
        ]


def link_annotations(pdf: Path) -> list[str]:
    """The kind of every link annotation: the URI, or 'internal' for a jump inside the PDF."""
    with pikepdf.open(pdf) as document:
        return [
            str(annot.A.URI) if "/A" in annot and "/URI" in annot.A else "internal"
            for page in document.pages
            for annot in page.obj.get("/Annots", [])
            if annot.get("/Subtype") == "/Link"
        ]


def test_default_build_writes_pdf_print_and_epub(tmp_path):
    code, _, err = run_build(str(FIXTURES / "minimal.md"), "--out", str(tmp_path))
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "SHA256SUMS",
        "minimal-print.pdf",
        "minimal.epub",
        "minimal.pdf",
    ]


@pytest.mark.parametrize("name", ["brief.pdf", "brief-print.pdf"])
def test_a4_is_the_default_paper(built, name):
    for page in boxes(built["brief"] / name):
        assert page["MediaBox"][2:] == pytest.approx(A4, abs=0.01)


def test_paper_letter_gives_letter_pages_in_both_pdf_editions(tmp_path):
    out = build(tmp_path, "--paper", "letter", "--format", "pdf,print", brief="links")
    assert sorted(p.name for p in out.iterdir()) == ["SHA256SUMS", "links-print.pdf", "links.pdf"]
    for name in ("links.pdf", "links-print.pdf"):
        for page in boxes(out / name):
            assert page["MediaBox"] == pytest.approx([0, 0, *LETTER], abs=0.01)


def test_front_matter_paper_letter_is_used(tmp_path):
    source = tmp_path / "letter.md"
    source.write_text(
        BRIEFS["minimal"]
        .read_text(encoding="utf-8")
        .replace("author: Sam Example\n", "author: Sam Example\npaper: letter\n"),
        encoding="utf-8",
    )
    code, _, err = run_build(str(source), "--out", str(tmp_path), "--format", "pdf")
    assert code == 0, err
    assert boxes(tmp_path / "letter.pdf")[0]["MediaBox"][2:] == pytest.approx(LETTER, abs=0.01)


def test_letter_line_keeps_a_run_that_only_overflows_by_its_trailing_space(tmp_path):
    # WeasyPrint 70 broke this line after "In late Febru-", leaving it half empty (see pdf.py).
    out = build(tmp_path, "--paper", "letter", "--format", "pdf", brief="brief")
    document = pypdfium2.PdfDocument(str(out / "brief.pdf"))
    text = document[0].get_textpage().get_text_range()
    document.close()
    assert "In late February 2026, the Pakistan military launched" in text.replace("\r\n", " ")
    assert "Febru-" not in text


def test_press_adds_3mm_bleed_around_the_trim_box_and_crop_marks(tmp_path):
    out = build(tmp_path, "--press", "--format", "pdf,print")
    for name in ("minimal.pdf", "minimal-print.pdf"):
        page = boxes(out / name)[0]
        trim, bleed = page["TrimBox"], page["BleedBox"]
        assert trim[2] - trim[0] == pytest.approx(A4[0], abs=0.01)
        assert [t - b for t, b in zip(trim[:2], bleed[:2])] == pytest.approx([BLEED, BLEED], abs=0.01)
        assert [b - t for t, b in zip(trim[2:], bleed[2:])] == pytest.approx([BLEED, BLEED], abs=0.01)
        assert corner_ink(out / name) > 0, f"{name}: no crop marks in the bleed"


def test_without_press_there_is_no_bleed_and_no_marks(built):
    page = boxes(built["minimal"] / "minimal-print.pdf")[0]
    assert page["TrimBox"] == page["BleedBox"] == page["MediaBox"]
    assert corner_ink(built["minimal"] / "minimal-print.pdf") == 0


def corner_ink(pdf: Path) -> int:
    """Dark pixels in the 3 x 3 mm corners of page 1 at 150 dpi: the bleed, where crop marks sit."""
    page = rasterise(pdf, dpi=150)[0].convert("L")
    w, h, size = page.width, page.height, round(3 / 25.4 * 150)
    corners = [(0, 0), (w - size, 0), (0, h - size), (w - size, h - size)]
    return sum(sum(page.crop((x, y, x + size, y + size)).histogram()[:128]) for x, y in corners)


def test_print_edition_has_no_link_annotations(built):
    assert link_annotations(built["links"] / "links-print.pdf") == []
    # The distribution PDF of the same brief does link, so this test can fail.
    assert "https://www.un.org/en/water" in link_annotations(built["links"] / "links.pdf")


@pytest.mark.parametrize("name", ["brief", "links"])
def test_print_edition_text_is_grey_and_the_pdf_edition_is_not(built, name):
    assert max_saturation(built[name] / f"{name}-print.pdf") < 24
    assert max_saturation(built[name] / f"{name}.pdf") > 60


def max_saturation(pdf: Path) -> int:
    """The most colourful pixel (max minus min channel) on any page, leaving out the logo on page 1."""
    worst = 0
    for number, page in enumerate(rasterise(pdf)):
        if number == 0:
            page.paste("white", (0, 0, page.width // 2, page.height // 8))
        channels = page.split()
        high = ImageChops.lighter(ImageChops.lighter(channels[0], channels[1]), channels[2])
        low = ImageChops.darker(ImageChops.darker(channels[0], channels[1]), channels[2])
        worst = max(worst, ImageChops.difference(high, low).getextrema()[1])
    return worst


def test_print_edition_mirrors_the_margins(built):
    left_edges = [ink_left_edge(page) for page in rasterise(built["brief"] / "brief-print.pdf", dpi=72)]
    right, left = left_edges[0], left_edges[1]  # page 1 is a right-hand page, page 2 a left-hand one
    assert right - left == pytest.approx(6 / 25.4 * 72, abs=2)  # 27 mm inner against 21 mm outer


def ink_left_edge(page) -> int:
    grey = page.convert("L")
    return min(
        x
        for x in range(grey.width)
        if any(grey.getpixel((x, y)) < 128 for y in range(grey.height // 4, grey.height * 3 // 4))
    )


def test_print_and_press_builds_are_byte_reproducible(tmp_path):
    first = build(tmp_path / "a", "--press", "--format", "print", brief="links")
    second = build(tmp_path / "b", "--press", "--format", "print", brief="links")
    assert (first / "links-print.pdf").read_bytes() == (second / "links-print.pdf").read_bytes()


def test_unknown_format_is_one_line_error(tmp_path):
    code, _, err = run_build(str(BRIEFS["minimal"]), "--out", str(tmp_path), "--format", "print,poster")
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("error: --format: unknown format poster")


def pdf_text(pdf: Path) -> str:
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return " ".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def test_a_brief_without_abstract_has_no_empty_summary_box(built):
    assert "summary" not in pdf_text(built["minimal"] / "minimal.pdf").lower()
    assert "summary" in pdf_text(built["links"] / "links.pdf").lower()


def test_touching_note_calls_are_separated_and_others_are_not(tmp_path):
    source = tmp_path / "calls.md"
    source.write_text(
        "---\ntitle: Calls\n---\n\nA [link](https://a.example/)[^1] and then text.[^2]\n\n[^1]: One.\n[^2]: Two.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, _, err = run_build(str(source), "--out", str(out), "--format", "epub")
    assert code == 0, err
    with zipfile.ZipFile(out / "calls.epub") as epub:
        body = next(epub.read(n).decode() for n in epub.namelist() if n.endswith("brief.xhtml"))
    assert body.count('class="noteref-sep"') == 1
    assert '</a><span class="noteref-sep" aria-hidden="true">,</span><a class="noteref" id="noteref-2"' in body


LONG_URL = (
    "https://archive.example.org/collections/south-asia/indus/2023/notices/permanent-indus-commission/"
    "modification-notice-article-xii-3?lang=en&format=pdf&download=true"
)


@pytest.mark.parametrize("name", ["links.pdf", "links-print.pdf"])
def test_long_url_breaks_without_added_hyphens_inside_the_margins(built, name):
    document = pypdfium2.PdfDocument(str(built["links"] / name))
    try:
        for page in document:
            width = page.get_width()
            text = page.get_textpage()
            boxes = [text.get_charbox(i) for i in range(text.count_chars())]
            inner = 21 / 25.4 * 72 - 1  # the narrowest margin (print, outer), less 1 pt of glyph overhang
            outside = [box for box in boxes if box[2] > box[0] and not inner <= box[0] <= box[2] <= width - inner]
            assert not outside, f"{name}: text outside the margins at {outside[:3]}"
        # pdfium marks a hyphen that ends a line as U+FFFE; an added hyphen would then split a word.
        joined = "".join(p.get_textpage().get_text_range() for p in document).replace("\r\n", "")
        joined = joined.replace("\ufffe", "-")
    finally:
        document.close()
    assert LONG_URL in joined


def test_a_brand_folder_without_the_print_stylesheet_is_a_one_line_error(tmp_path):

    make_project(tmp_path)
    (tmp_path / "styles" / "print.css.j2").unlink()
    code, _, err = run_build(
        str(BRIEFS["minimal"]),
        "--out",
        str(tmp_path / "out"),
        "--format",
        "print",
        "--brand",
        str(tmp_path / "styles" / "brand.yml"),
    )
    assert code == 1
    assert err.count("\n") == 1 and "print.css.j2" in err and "Traceback" not in err


def test_templates_are_compiled_once_and_kept_like_python_bytecode(tmp_path, monkeypatch):
    """A second process reads the compiled templates back instead of compiling them; nothing is
    written under PYTHONDONTWRITEBYTECODE or into a folder that cannot be written."""
    import sys

    from jinja2 import Environment, FileSystemLoader

    from briefpress.render.templates import TEMPLATES, CompiledTemplates

    def environment(folder: Path) -> Environment:
        return Environment(loader=FileSystemLoader(str(TEMPLATES)), bytecode_cache=CompiledTemplates(str(folder)))

    kept = tmp_path / "__pycache__"
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    environment(kept).get_template("brief.html.j2")
    assert not kept.exists()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    environment(kept).get_template("brief.html.j2")
    assert len(list(kept.iterdir())) == 1
    compiled = []
    monkeypatch.setattr(Environment, "compile", lambda self, *a, **k: compiled.append(a) or None)
    assert environment(kept).get_template("brief.html.j2").render is not None and compiled == []
    monkeypatch.undo()
    (tmp_path / "file").write_text("")
    environment(tmp_path / "file" / "cache").get_template("brief.html.j2")  # cannot be written: no error


def test_compiled_templates_of_many_projects_keep_one_file_per_name_and_stay_current(tmp_path):
    """Every project (every temporary one the suite makes) has its own brand.css.j2: the compiled
    templates are kept by name, so the package's folder does not grow with each, and a project
    whose template differs gets its own template, not the last project's."""
    from jinja2 import Environment, FileSystemLoader

    from briefpress.render.templates import CompiledTemplates

    kept = tmp_path / "__pycache__"
    rendered = []
    for n in range(3):
        project = tmp_path / f"project{n}"
        project.mkdir()
        (project / "brand.css.j2").write_text(f"h1 {{ color: {{{{ colour }}}}; z-index: {n % 2}; }}\n")
        env = Environment(loader=FileSystemLoader(str(project)), bytecode_cache=CompiledTemplates(str(kept)))
        rendered.append(env.get_template("brand.css.j2").render(colour="red"))
    assert rendered == [f"h1 {{ color: red; z-index: {n % 2}; }}" for n in range(3)]
    assert len(list(kept.iterdir())) == 1

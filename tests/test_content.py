"""Content a brief really has (issue 13, section 3): a long table, a wide table, long code lines, a
figure with its caption, quotes and lists. Nothing leaves the margins, a long table repeats its
header on every page, tables and figures are numbered, and the validators find nothing."""

from __future__ import annotations

import re
import zipfile

import pikepdf
import pypdfium2 as pdfium
import pytest
from lxml import etree

from briefpress.records import EDITION_FILES
from conftest import FIXTURES
from helpers import page_texts

CONTENT = FIXTURES / "content" / "content.md"
LONG_TABLE = FIXTURES / "long-table.md"
URDU = FIXTURES / "urdu.md"
SOURCES = {"content": CONTENT, "long-table": LONG_TABLE, "urdu": URDU}
MM = 72 / 25.4
NS = {"x": "http://www.w3.org/1999/xhtml"}


@pytest.fixture(scope="session")
def editions(strict_editions):
    """The content, long-table and Urdu briefs built once with --strict (conftest): their folder."""
    return strict_editions


def char_boxes(page):
    """(char, left, bottom, right, top) of every visible character on a PDF page."""
    text = page.get_textpage()
    for i in range(text.count_chars()):
        char = text.get_text_range(i, 1)
        if char.strip() and char not in "\ufffe\u200b":
            yield (char, *text.get_charbox(i))


# Text block edges of each page (left, right), in mm: the print edition's pages are mirrored, the
# wider margin on the binding side; a right-to-left brief starts on a left page (print.css.j2).
def text_block(edition: str, index: int, rtl: bool) -> tuple[float, float]:
    if edition != "print":
        return 24, 24
    right_page = (index % 2 == 0) != rtl
    return (27, 21) if right_page else (21, 27)


@pytest.mark.parametrize("name, edition", [(name, edition) for name in SOURCES for edition in ("pdf", "print")])
def test_no_character_leaves_the_margins_on_any_page(editions, name, edition):
    """Every character box is inside the text block's left and right edges (24 mm, or the print
    edition's mirrored 21 and 27 mm), on every page, with half a millimetre of tolerance."""
    pdf = pdfium.PdfDocument(str(editions / f"{name}{EDITION_FILES[edition]}"))
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            left, right = text_block(edition, index, rtl=name == "urdu")
            edges = (left - 0.5, page.get_width() / MM - right + 0.5)
            outside = [(c, round(l / MM, 1), round(r / MM, 1)) for c, l, _, r, _ in char_boxes(page)]
            outside = [c for c in outside if c[1] < edges[0] or c[2] > edges[1]]
            assert not outside, f"page {index + 1}: {outside[:10]}"
    finally:
        pdf.close()


@pytest.mark.parametrize("edition", ["pdf", "print"])
def test_no_nastaliq_ink_leaves_the_text_block(editions, edition):
    """On the page itself, the Urdu brief's ink stays inside the text block on the side its lines
    start (right): Nastaliq's kaf and gaf strokes reach 0.38 em past a line's start, and a justified
    line once drew up to 8.6 mm past its box."""
    pdf = pdfium.PdfDocument(str(editions / f"urdu{EDITION_FILES[edition]}"))
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            _, right = text_block(edition, index, rtl=True)
            scale = 200 / 72  # 200 dpi: a pixel is 0.13 mm
            image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
            footer = int((page.get_height() - 26 * MM) * scale)  # the running footer sits in the bottom margin
            margin = image.crop((int((page.get_width() - right * MM + 0.2 * MM) * scale), 0, image.width, footer))
            ink = margin.point(lambda v: 255 if v < 160 else 0).getbbox()
            assert ink is None, f"page {index + 1}: ink {ink[2] / scale / MM + 0.2:.1f} mm past the text block"
    finally:
        pdf.close()


def test_a_long_table_repeats_its_header_on_every_page(editions):
    pdf = pdfium.PdfDocument(str(editions / "long-table.pdf"))
    try:
        assert len(pdf) >= 4
        rows_seen = set()
        for index in range(len(pdf)):
            text = pdf[index].get_textpage().get_text_range()
            rows = {int(n) for n in re.findall(r"^\s*(\d+) \w.* canal \d+ [\d,]+ [\d.]+\s*$", text, re.M)}
            rows_seen |= rows
            if rows:
                assert "Canal command" in text and "Area (ha)" in text and "Share (%)" in text, f"page {index + 1}"
        assert set(range(1, 201)) <= rows_seen
    finally:
        pdf.close()


def test_numeric_columns_are_right_aligned_as_the_markdown_asks(editions):
    pdf = pdfium.PdfDocument(str(editions / "long-table.pdf"))
    try:
        page = pdf[0]
        text = page.get_textpage()
        full = text.get_text_range()
        rights = []
        for match in re.finditer(r"(\d+\.\d)\r?\n", full):  # the last column, "Share (%)"
            rights.append(round(text.get_charbox(match.end(1) - 1)[2], 1))
        assert len(rights) > 10
        assert max(rights) - min(rights) < 0.5, rights
    finally:
        pdf.close()


def test_tables_and_figures_are_numbered_and_captioned(editions):
    text = "\n".join(page_texts(editions / "content.pdf"))
    assert "Figure 1. Average annual flow of the six rivers" in squash(text)
    assert "Table 1. Storage, flow and use of the main reservoirs" in squash(text)
    long_text = squash(page_texts(editions / "long-table.pdf")[0])
    caption, header = long_text.find("Table 1. Canal commands"), long_text.find("No. Canal command")
    assert 0 <= caption < header  # the caption is above the table
    brief = epub_page(editions / "content.epub", "EPUB/brief.xhtml")
    assert brief.xpath("string(//x:figure/x:img/@alt)", namespaces=NS).startswith("Average annual flow")
    sources = brief.xpath("//x:p[@class='source-line']", namespaces=NS)
    assert [s.xpath("string(.)").split(",")[0] for s in sources] == ["Source: World Bank", "Source: national agencies"]
    urdu = epub_page(editions / "urdu.epub", "EPUB/brief.xhtml")
    assert not urdu.xpath("//x:caption", namespaces=NS)


def test_a_figure_keeps_with_its_caption_and_fits_the_text_width(editions):
    pdf = pdfium.PdfDocument(str(editions / "content.pdf"))
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            charts = [obj for obj in page.get_objects(max_depth=5) if obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE]
            has_caption = "Figure 1." in page.get_textpage().get_text_range()
            assert bool(charts) == has_caption, f"page {index + 1}"  # (the logo is vector art, not an image)
            for chart in charts:
                left, _, right, _ = chart.get_bounds()
                assert left >= 24 * MM - 0.5 and right <= page.get_width() - 24 * MM + 0.5
    finally:
        pdf.close()


def test_a_wide_table_is_set_smaller_and_scrolls_on_a_narrow_screen(editions, browser):
    brief = epub_page(editions / "content.epub", "EPUB/brief.xhtml")
    tables = brief.xpath("//x:div[@class='table-scroll']/x:table", namespaces=NS)
    assert [t.get("class") for t in tables] == ["table-wider"]
    page = browser.new_page(viewport={"width": 360, "height": 740})
    try:
        page.goto((editions / "content.html").as_uri())
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth,"
            " document.querySelector('.table-scroll').scrollWidth, document.querySelector('.table-scroll').clientWidth]"
        )
        page_width, viewport, table_width, box_width = widths
        assert page_width <= viewport, widths  # the page itself never scrolls sideways
        assert table_width > box_width, widths  # the table scrolls inside its box
    finally:
        page.close()


def test_inline_code_breaks_after_slashes_dots_and_equals(editions):
    web = (editions / "content.html").read_text(encoding="utf-8")
    code = re.search(r"<code>(https://.*?)</code>", web).group(1)
    assert code.startswith("https://<wbr></wbr>data.<wbr></wbr>example.<wbr></wbr>org/<wbr></wbr>api/")
    assert "river=<wbr></wbr>indus&amp;<wbr></wbr>station=" in code


def test_code_is_set_in_the_brands_monospace_family(editions):
    """The brand's typography.monospace (Source Code Pro, from @fontsource) sets code in every
    edition of a brief that has code; the sample, which has none, carries no monospace face."""
    with pikepdf.open(editions / "content.pdf") as pdf:
        fonts = {str(f.BaseFont).split("+")[-1] for page in pdf.pages for f in page.Resources.Font.values()}
    assert "Source-Code-Pro" in fonts, fonts
    pdf = pdfium.PdfDocument(editions / "content.pdf")
    page = next(p for p in pdf if "curl --silent" in p.get_textpage().get_text_range())
    text = page.get_textpage()
    start = text.get_text_range().index("curl --silent")
    # a monospace face: each character of the code block as wide as the next (loose boxes: the advance)
    boxes = [text.get_charbox(start + i, loose=True) for i in range(12)]
    assert len({round(right - left, 2) for left, _, right, _ in boxes}) == 1, boxes
    with zipfile.ZipFile(editions / "content.epub") as z:
        names = z.namelist()
        css = z.read("EPUB/styles/brief.css").decode("utf-8")
    assert "EPUB/fonts/source-code-pro-latin-400-normal.woff2" in names
    assert re.search(r'code, pre, kbd, samp \{ font-family: "Source Code Pro"', css)
    web = (editions / "content.html").read_text(encoding="utf-8")
    assert 'font-family: "Source Code Pro"' in web


def test_quotes_and_lists_have_their_look(editions):
    brief = epub_page(editions / "content.epub", "EPUB/brief.xhtml")
    assert brief.xpath("count(//x:blockquote/x:blockquote)", namespaces=NS) == 1
    assert brief.xpath("count(//x:ol/x:li/x:ul/x:li)", namespaces=NS) == 3
    assert [dt.text for dt in brief.xpath("//x:dt", namespaces=NS)] == ["Permanent Indus Commission", "Neutral expert"]
    pdf = pdfium.PdfDocument(str(editions / "content.pdf"))
    try:  # the nested list's items are indented under their parent's text
        text = pdf[1].get_textpage()
        x = {w: text.get_charbox(text.search(w, match_case=True).get_next()[0])[0] for w in ("The eastern", "Ravi")}
        assert x["Ravi"] > x["The eastern"] + 2 * MM
    finally:
        pdf.close()


def test_validators_find_nothing_in_these_briefs(verdicts):
    checked = [v for (_, name), v in verdicts.items() if name.startswith(("content.", "long-table."))]
    assert {v.validator for v in checked} == {"pdfua", "pdf-rules", "verapdf", "epubcheck", "ace"}
    for verdict in checked:
        assert (verdict.errors, verdict.warnings, verdict.violations) == (0, 0, 0), (
            verdict.validator,
            verdict.edition.name,
            verdict.details,
        )


def epub_page(path, name: str):
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\ufffe", "").replace("\u200b", "").replace("\x02", "")).strip()

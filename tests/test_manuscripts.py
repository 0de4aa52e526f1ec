"""Manuscripts as they arrive from elsewhere: Word files without a Title style, SVG, WMF and EMF
figures, front matter written for other systems, and a fast run over part of corpus/."""

from __future__ import annotations

import io
import re
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from lxml import html as lxml_html

from briefpress.author import cleanup
from briefpress.read.frontmatter import load_source
from briefpress.read.svg import sanitize_svg
from conftest import ROOT, run_build
from helpers import pdf_pages_text
from minidocx import W, cross_reference, heading, para, picture, simple_field, write_docx

CORPUS = ROOT / "corpus"
BODY = "The basin's reservoirs held less water this year than in any of the ten before it."


@pytest.fixture
def project(tmp_path) -> Path:
    shutil.copytree(ROOT / "styles", tmp_path / "styles")
    return tmp_path


def imported(project: Path, manuscript: Path) -> tuple[dict, str, str]:
    """Import into project/source/brief.md; (front matter, body, what was printed)."""
    brief = project / "source" / "brief.md"
    code, out, err = run_build("import", str(manuscript), "--out", str(brief), cwd=project)
    assert code == 0, err
    _, front, body = brief.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front), body, out + err


def built(project: Path, formats: str = "pdf,epub", *extra: str) -> tuple[Path, str]:
    out = project / "dist"
    code, _, err = run_build(
        str(project / "source" / "brief.md"), "--out", str(out), "--format", formats, "--strict", *extra
    )
    assert code == 0, err
    return out, err


# --- the title of a Word file without a Title style ------------------------------------------


def test_bold_first_line_is_the_title(project, tmp_path):
    docx = write_docx(tmp_path / "draft.docx", [para("Water and Power", bold=True), para(BODY)])
    data, body, err = imported(project, docx)
    assert data["title"] == "Water and Power"
    assert "read the title from the first paragraph, set in bold: Water and Power" in err
    assert "Water and Power" not in body and BODY in body


def test_large_first_line_is_the_title(project, tmp_path):
    docx = write_docx(tmp_path / "draft.docx", [para("Rivers Without Borders", size=48), para(BODY)])
    data, _, err = imported(project, docx)
    assert data["title"] == "Rivers Without Borders"
    assert "set in large type" in err


def test_title_property_is_the_title(project, tmp_path):
    docx = write_docx(tmp_path / "draft.docx", [para(BODY)], title_property="The Indus Treaty at Sixty")
    data, body, err = imported(project, docx)
    assert data["title"] == "The Indus Treaty at Sixty"
    assert "read the title from the document properties (Title)" in err and BODY in body


def test_no_title_anywhere_takes_the_file_name_and_builds(project, tmp_path):
    docx = write_docx(tmp_path / "basin_report-2026.docx", [para(BODY)])
    data, body, err = imported(project, docx)
    assert data["title"] == "basin report 2026"
    assert "took the title from the file name: basin report 2026" in err and BODY in body
    built(project, "html")


def test_a_main_part_elsewhere_than_word_document_xml_imports(project, tmp_path):
    docx = write_docx(tmp_path / "moved.docx", [para("Moved Main Part", bold=True), para(BODY)], main="doc/main.xml")
    data, body, _ = imported(project, docx)
    assert data["title"] == "Moved Main Part" and BODY in body


def test_links_to_the_heading_that_became_the_title_become_text(project):
    data, body, err = imported(project, CORPUS / "word" / "pandoc" / "cross_reference.docx")
    assert data["title"] == "TITLE"
    assert "Cross-reference: TITLE" in body and "](#" not in body
    assert err.count("1 link(s) to the title or subtitle became plain text") == 1
    built(project, "html")


def test_cross_references_point_at_headings_or_become_text(project, tmp_path):
    docx = write_docx(
        tmp_path / "xref.docx",
        [
            para("Rivers", bold=True),
            heading("Basin Politics", bookmark="_Ref1", number=1),
            para(BODY),
            heading("Water Rights", bookmark="_Ref123", number=2),
            cross_reference("As shown in ", "_Ref123", "the section on rights", "."),
            cross_reference("See ", "_Ref999", "a place that was deleted", "."),
            cross_reference("Under ", "_Ref1", "the subtitle", "."),
            picture("A map of the basin"),  # a brief with pictures is drafted twice: still one note each
        ],
        media=("image1.png", (ROOT / "tests" / "fixtures" / "word" / "src" / "chart.png").read_bytes()),
    )
    data, body, err = imported(project, docx)
    assert data["subtitle"] == "Basin Politics"
    assert "# Water Rights\n" in body
    assert "As shown in [the section on rights](#water-rights)." in body
    assert "See a place that was deleted." in body and "Under the subtitle." in body
    assert "1 link(s) to places not in the document (bookmarks, cross-references) became plain text" in err
    assert err.count("1 link(s) to the title or subtitle became plain text") == 1
    built(project, "html")


def test_an_html_bookmark_in_a_heading_becomes_the_heading_s_link_target(project, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Rivers</title></head><body><p>Intro.</p>"
        '<h2><a id="sec1"></a>Water Rights</h2><p>As shown in <a href="#sec1">the section</a>.</p></body></html>',
        encoding="utf-8",
    )
    _, body, err = imported(project, page)
    assert "## Water Rights\n" in body and "[the section](#water-rights)" in body
    assert "1 cross-reference(s) to bookmarks now point at their headings" in err
    built(project, "html")


@pytest.mark.parametrize(
    "text, title, authors",
    [
        ("# FIGURES {#figures .Heading-0}\n\nI heard\n\n" + BODY, "FIGURES", []),
        ("# Title\n\nFoobar\n\n" + BODY, "Title", []),
        (
            "# Title\n\nAyesha Siddiqa and Rohan van der Berg\n\n" + BODY,
            "Title",
            ["Ayesha Siddiqa", "Rohan van der Berg"],
        ),
    ],
)
def test_heading_attributes_and_fragments_stay_out_of_the_front_matter(tmp_path, text, title, authors):
    path = tmp_path / "brief.md"
    path.write_text(text + "\n", encoding="utf-8")
    meta = load_source(path).meta
    assert (meta.title, [a.name for a in meta.authors]) == (title, authors)


# --- figures: SVG, WMF, EMF ------------------------------------------------------------------

HOSTILE_SVG = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY e "entity text">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="300" height="120"
     viewBox="0 0 300 120" onload="alert(1)">
  <script>alert(2)</script>
  <rect x="10" y="10" width="130" height="100" fill="#1f6f8b" onclick="alert(3)"/>
  <rect x="160" y="40" width="130" height="70" fill="#e07a5f" style="fill:url(http://example.org/x)"/>
  <image xlink:href="https://example.org/track.png" width="5" height="5"/>
  <foreignObject width="10" height="10"><p xmlns="http://www.w3.org/1999/xhtml">html</p></foreignObject>
  <text x="20" y="115" font-size="12">Reservoir &e; levels</text>
</svg>
"""


def test_svg_is_rebuilt_without_anything_that_acts():
    clean, removed = sanitize_svg(HOSTILE_SVG)
    for bad in (b"script", b"onload", b"onclick", b"example.org", b"foreignObject", b"ENTITY", b"alert"):
        assert bad not in clean
    assert b'<rect x="10" y="10" width="130" height="100" fill="#1f6f8b"/>' in clean
    assert set(removed) >= {"<script>", "event attributes", "external references", "<foreignObject>"}


@pytest.fixture(scope="module")
def svg_build(tmp_path_factory) -> tuple[Path, str]:
    """A brief with a hostile SVG figure, built as PDF, EPUB and web edition once."""
    project = tmp_path_factory.mktemp("svg")
    shutil.copytree(ROOT / "styles", project / "styles")
    (project / "source").mkdir()
    (project / "source" / "chart.svg").write_bytes(HOSTILE_SVG)
    (project / "source" / "brief.md").write_text(
        f"---\ntitle: Reservoirs\n---\n\n{BODY}\n\n![Reservoir levels by month](chart.svg)\n", encoding="utf-8"
    )
    out = project / "dist"
    code, _, err = run_build(str(project / "source" / "brief.md"), "--out", str(out), "--format", "pdf,epub,html")
    assert code == 0, err
    return out, err


def test_svg_figure_is_warned_about_and_drawn_in_the_pdf(svg_build):
    out, err = svg_build
    assert re.search(r"warning: \S+brief\.md:7: image chart\.svg: took .*<script>.* out of the SVG", err), err
    assert "Reservoir levels" in pdf_pages_text(out / "brief.pdf")[0]  # the SVG's own text, drawn


def test_svg_figure_is_carried_as_svg_in_the_epub_and_web_edition(svg_build, epubcheck):
    out, _ = svg_build
    assert epubcheck(out / "brief.epub") == []
    with zipfile.ZipFile(out / "brief.epub") as epub:
        opf = epub.read("EPUB/content.opf").decode()
        item = re.search(r'href="(images/img-[^"]+\.svg)"[^>]*media-type="image/svg\+xml"', opf)
        assert item, opf
        assert b"script" not in epub.read(f"EPUB/{item.group(1)}")
    assert "data:image/svg+xml;base64," in (out / "brief.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("picture_file", ["vector_image.emf", "64716_image1.wmf"])
def test_wmf_and_emf_pictures_are_imported_as_svg_and_build(project, tmp_path, picture_file, epubcheck):
    content = (CORPUS / "pictures" / picture_file).read_bytes()
    docx = write_docx(
        tmp_path / "chart.docx",
        [para("Email Analysis", bold=True), para(BODY), picture("A diagram of the analysis")],
        media=(f"image1.{picture_file[-3:]}", content),
    )
    _, body, err = imported(project, docx)
    assert "![A diagram of the analysis](brief-media/image1.svg)" in body
    assert "converted 1 WMF/EMF picture(s) to SVG with LibreOffice" in err
    svg = (project / "source" / "brief-media" / "image1.svg").read_bytes()
    assert not re.search(rb'<svg[^>]*width="210', svg)  # cropped, not a whole A4 page
    if picture_file.endswith(".emf"):
        out, _ = built(project)
        assert "All Company" in pdf_pages_text(out / "brief.pdf")[0]  # the chart's text, as text
        assert epubcheck(out / "brief.epub") == []


@pytest.mark.parametrize("kind", ["BMP", "TIFF"])
def test_bmp_and_tiff_pictures_are_imported_as_png(project, tmp_path, kind):
    from PIL import Image

    picture_file = io.BytesIO()
    Image.new("RGB", (40, 20), "#1f6f8b").save(picture_file, kind)
    docx = write_docx(
        tmp_path / "scan.docx",
        [para("Old Scans", bold=True), para(BODY), picture("A scanned table")],
        media=(f"image1.{kind.lower()}", picture_file.getvalue()),
    )
    _, body, err = imported(project, docx)
    assert "![A scanned table](brief-media/image1.png)" in body
    assert "converted 1 BMP/TIFF picture(s) to PNG" in err
    with Image.open(project / "source" / "brief-media" / "image1.png") as png:
        assert (png.format, png.size, png.getpixel((5, 5))) == ("PNG", (40, 20), (31, 111, 139))
    built(project, "html")


def test_simple_fields_keep_the_text_word_shows(project, tmp_path):
    docx = write_docx(
        tmp_path / "fields.docx",
        [
            para("Water and Power", bold=True),
            simple_field("This file is ", " FILENAME \\* MERGEFORMAT ", "basin-report.docx"),
            simple_field("See ", ' HYPERLINK "https://example.org/basin" ', "the basin report"),
        ],
    )
    with zipfile.ZipFile(docx, "a") as package:  # a page number in a footer: pandoc reads no footer
        package.writestr(
            "word/footer1.xml", f'<w:ftr xmlns:w="{W}"><w:p>{simple_field("Page ", " PAGE ", "1")}</w:p></w:ftr>'
        )
    _, body, err = imported(project, docx)
    assert "This file is basin-report.docx" in body
    assert "See [the basin report](https://example.org/basin)" in body
    assert "read 2 Word field(s) (FILENAME, HYPERLINK) as the text Word shows for them" in err


def test_a_picture_without_alt_text_is_warned_at_import_and_the_brief_builds(project, tmp_path):
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (40, 20), "#1f6f8b").save(png, "PNG")
    docx = write_docx(
        tmp_path / "bare.docx",
        [para("Water and Power", bold=True), para(BODY), picture(""), picture("")],
        media=("image1.png", png.getvalue()),
    )
    _, body, err = imported(project, docx)
    assert "![](brief-media/image1.png)" in body
    warned = [line for line in err.splitlines() if line.startswith("warning:")]
    assert warned == [  # the same picture twice: one warning
        f"warning: {docx}: picture brief-media/image1.png (media/image1.png in the manuscript) has no alt text: "
        "the brief builds, but screen readers get nothing for it and --check fails it (describe it in the "
        "brief: ![what the picture shows](brief-media/image1.png))"
    ]
    code, _, err = run_build(str(project / "source" / "brief.md"), "--out", str(project / "dist"), "--format", "html")
    assert code == 0, err
    assert "image brief-media/image1.png has no alt text: screen readers get nothing for it, the PDFs claim" in err


def test_a_deleted_list_item_leaves_no_empty_item():
    deleted = {"t": "Span", "c": [["", ["deletion"], []], [{"t": "Str", "c": "Gone"}]]}
    kept = [{"t": "Plain", "c": [{"t": "Str", "c": "Kept"}]}]
    blocks = [
        {"t": "BulletList", "c": [[{"t": "Plain", "c": [deleted]}], kept]},
        {"t": "BlockQuote", "c": [{"t": "Para", "c": [deleted]}]},
    ]
    assert cleanup.resolve_changes(blocks, accept=True) == [{"t": "BulletList", "c": [kept]}]


# --- front matter written for other systems --------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "source").mkdir(exist_ok=True)
    path = tmp_path / "source" / "brief.md"
    path.write_text(text, encoding="utf-8")
    return path


JEKYLL = "---\ntitle: Plan\nlayout: page\npermalink: /plan/\nlang: null\nkeywords: null\n---\n\nBody.\n"


def test_jekyll_keys_are_one_warning_and_an_error_under_strict(project):
    path = write(project, JEKYLL)
    code, _, err = run_build(str(path), "--out", str(project / "dist"), "--format", "html", cwd=project)
    assert code == 0, err
    lines = [line for line in err.splitlines() if line.startswith("warning:")]
    assert lines == [
        f"warning: {path}:3: front matter key(s) ignored: layout, permalink (briefpress reads abstract, author, "
        "bibliography, csl, date, doi, identifier, keywords, lang, paper, references, series, subtitle, title, "
        "url; remove the others to silence this)"
    ]
    code, _, err = run_build(str(path), "--out", str(project / "dist"), "--format", "html", "--strict", cwd=project)
    assert code == 1 and "2 warning(s)" not in err and "1 warning(s) and --strict is on" in err


def test_an_indented_paragraph_in_a_word_table_is_the_cell_s_text_not_a_quotation(project, tmp_path):
    indented = '<w:p><w:pPr><w:ind w:left="720"/></w:pPr><w:r><w:t>{}</w:t></w:r></w:p>'
    table = (
        "<w:tbl><w:tr><w:tc>"
        + indented.format("Indented cell text")
        + "</w:tc><w:tc>"
        + para("Plain cell")
        + "</w:tc></w:tr></w:tbl>"
    )
    docx = write_docx(
        tmp_path / "table.docx",
        [para("Water and Power", bold=True), para(BODY), table, indented.format("An indented quotation.")],
    )
    _, body, printed = imported(project, docx)
    assert "1 indented paragraph(s) in tables set as the cells' text" in printed
    assert "> Indented cell text" not in body and "Indented cell text" in body
    assert "> An indented quotation." in body  # outside a table, pandoc's reading stands


def test_a_table_too_wide_for_markdown_text_is_imported_as_an_html_table_with_its_links(project, tmp_path):
    """A table with a spanning cell is written as a grid table, as wide as its longest paragraph:
    a contract's tables made megabytes of padded lines that pandoc took tens of seconds to read.
    Past 200 characters a line it is an HTML table instead, whose links still get their notes."""
    long = " ".join(["The name of the recipient"] * 10)
    wide = (
        f'<tr><td rowspan="2"><p>1</p><p>a</p></td><td><p>{long} in '
        '<a href="https://example.org/contract">the contract</a></p></td><td>Address</td></tr>'
        "<tr><td><p>x</p><p>y</p></td><td>1) 10347,53 a year; *not emphasis* for $5 or $6</td></tr>"
    )
    narrow = '<tr><td rowspan="2"><p>1</p><p>a</p></td><td>b</td></tr><tr><td>c</td></tr>'
    page = tmp_path / "contract.html"
    page.write_text(
        f"<html><head><title>Contract</title></head><body><p>{BODY}</p><table>{wide}</table>"
        f"<table>{narrow}</table></body></html>",
        encoding="utf-8",
    )
    _, body, printed = imported(project, page)
    assert body.count("<table") == 1 and "+---+" in body  # the narrow table stays a grid table
    assert "wrote 1 table(s) too wide to read as Markdown text as HTML tables" in printed
    assert not [line for line in body.splitlines() if line.startswith(("+", "|")) and len(line) > 200]
    code, _, err = run_build(
        str(project / "source" / "brief.md"), "--out", str(project / "dist"), "--format", "html", cwd=project
    )
    assert code == 0, err
    page_html = lxml_html.fromstring((project / "dist" / "brief.html").read_bytes())
    assert page_html.xpath("//td[@rowspan='2']") and page_html.xpath("//td//a[@role='doc-noteref']")
    notes = [" ".join(li.text_content().split()) for li in page_html.xpath("//li[contains(@class, 'note')]")]
    assert notes == ["1. https://example.org/contract"]
    # a cell's text reads back as written, though pandoc reads the inside of HTML as Markdown
    assert page_html.xpath("//td[contains(., '1) 10347,53 a year; *not emphasis* for $5 or $6')]")
    assert not page_html.xpath("//td//ol | //td//em | //td//*[contains(@class, 'math')]")


def test_a_wide_table_s_header_rows_in_its_bodies_are_written_in_valid_html_order(project, tmp_path):
    """Header rows at the top of the first body join the one <thead>; a later body's stay its first
    rows, as header cells: never a <thead> after a <tbody>, which browsers and EPUB checkers refuse."""
    long = " ".join(["The name of the recipient"] * 10)
    table = (
        "<table><thead><tr><th>Clause</th><th>Party</th></tr></thead>"
        "<tbody><tr><th>Part A</th><th>Works</th></tr>"
        f"<tr><td><p>{long}</p><p>and more</p></td><td>Contractor</td></tr></tbody>"
        "<tbody><tr><th>Part B</th><th>Payment</th></tr><tr><td>4.2</td><td>Employer</td></tr></tbody></table>"
    )
    page = tmp_path / "parts.html"
    page.write_text(f"<html><head><title>Parts</title></head><body><p>{BODY}</p>{table}</body></html>", "utf-8")
    _, body, printed = imported(project, page)
    assert "wrote 1 table(s) too wide to read as Markdown text as HTML tables" in printed
    sections = re.findall(r"</?(?:thead|tbody|tfoot)>", body)
    assert sections == ["<thead>", "</thead>", "<tbody>", "</tbody>", "<tbody>", "</tbody>"]
    head, first, second = re.split(r"<tbody>", body)
    assert head.count("<th>") == 4 and "Part A" in head and "<th>" not in first
    assert second.index("<th>") < second.index("Part B") < second.index("<td>") < second.index("Employer")


def test_a_bold_run_of_line_breaks_or_spaces_leaves_no_asterisks_and_keeps_the_words(project, tmp_path):
    """Word keeps bold runs with nothing but line breaks or spaces at their ends, or in them: pandoc
    wrote `**\\` ... `\\**` and `****`, which the brief then printed as asterisks."""
    bold = "<w:r><w:rPr><w:b/></w:rPr>{}</w:r>"
    text = '<w:t xml:space="preserve">{}</w:t>'
    docx = write_docx(
        tmp_path / "contract.docx",
        [
            para("Water and Power", bold=True),
            para(BODY),
            f"<w:p>{bold.format('<w:br/><w:br/>' + text.format('STATE CONTRACT No. 146076') + '<w:br/>')}</w:p>",
            f"<w:p>{text.join(['<w:r>', '</w:r>']).format('The Customer ')}{bold.format(text.format(' '))}"
            f"{bold.format('<w:br/>')}{text.join(['<w:r>', '</w:r>']).format('and the Contractor agree.')}</w:p>",
        ],
    )
    _, body, printed = imported(project, docx)
    assert "**STATE CONTRACT No. 146076**" in body and "The Customer" in body
    assert "left out 1 bold or italic run(s) with no text in them" in printed  # Word's two runs are one
    out, _ = built(project, "html")
    words = " ".join(lxml_html.fromstring((out / "brief.html").read_bytes()).find(".//main").text_content().split())
    assert "STATE CONTRACT No. 146076" in words and "The Customer and the Contractor agree." in words
    assert "*" not in words


def test_importing_a_jekyll_page_carries_its_description_and_quotes_what_it_leaves_out(project, tmp_path):
    page = tmp_path / "plan.md"
    page.write_text(
        "---\ntitle: Plan\ndescription: How we plan research.\nlayout: page\nsidenav: true\n"
        "permalink: /ux-guide/plan/\n---\n\n" + BODY + "\n",
        encoding="utf-8",
    )
    data, body, printed = imported(project, page)
    assert data == {"title": "Plan", "abstract": "How we plan research.", "keywords": []}
    assert "read the title from the front matter's 'title:'" in printed
    assert "read the abstract from the front matter's 'description:'" in printed
    assert (
        f"warning: {page}: left out metadata that a brief does not use: "
        "layout: page; permalink: /ux-guide/plan/; sidenav: true\n" in printed
    )


def test_words_yaml_reads_as_booleans_and_numbers_are_carried_as_written(tmp_path):
    """`true`, `1.0` and `1984` are words in a title or a keyword (str() gave `True` and `1`); a
    null keyword is an empty one, left out with a warning."""
    front = "title: 1984\nsubtitle: 2.0\nkeywords: [true, policy, 1.0, 2017, yes, ~, 2026-03-05, '0x1F']"
    source = load_source(write(tmp_path, f"---\n{front}\n---\n\nBody.\n"))
    assert (source.meta.title, source.meta.subtitle) == ("1984", "2.0")
    assert source.meta.keywords == ("true", "policy", "1.0", "2017", "yes", "2026-03-05", "0x1F")
    assert [w.what for w in source.warnings] == ["left out an empty keyword (remove the '' or the stray comma)"]


@pytest.mark.parametrize(
    "written, iso, how",
    [
        ("July 17, 2006", "2006-07-17", "as a written date"),
        ("17 July 2006", "2006-07-17", "as a written date"),
        ("March 2026", "2026-03-01", "as the first of that month"),
    ],
)
def test_written_dates_are_read_with_a_note(tmp_path, caplog, written, iso, how):
    path = write(tmp_path, f"---\ntitle: T\ndate: {written}\n---\n\nBody.\n")
    assert load_source(path).meta.date == iso
    assert f"read the date '{written}' {how}: {iso}" in caplog.text


def test_a_year_one_date_is_refused_at_its_line(project):
    path = write(project, "---\ntitle: T\ndate: 0001-01-01\n---\n\nBody.\n")
    code, _, err = run_build(str(path), "--out", str(project / "dist"), "--format", "pdf", cwd=project)
    assert (code, err) == (
        1,
        f"error: {path}:3: 'date' 0001-01-01 is before the year 1000 (write the brief's real date, such as 2026-03-05)\n",
    )


def test_pandoc_title_block_is_read(tmp_path, caplog):
    path = write(tmp_path, "% Water and Power\n% Jane Doe; John Roe\n% July 17, 2006\n\n" + BODY + "\n")
    source = load_source(path)
    assert (source.meta.title, [a.name for a in source.meta.authors], source.meta.date) == (
        "Water and Power",
        ["Jane Doe", "John Roe"],
        "2006-07-17",
    )
    assert "read the title from the % title block" in caplog.text
    assert "%" not in source.markdown.split("---\n", 2)[2]


TAGGED = """---
title: Plan
---

{% include 'chapter_image.html' img_path: "plan.svg" %}

See the [research plan]({{ '/plan/' | url }}) and {{ site.name }}.

Code may show them: `{{ page.title }}`

```liquid
{% if x %}{{ x }}{% endif %}
```
"""


def test_template_tags_are_one_warning_with_the_first_and_stay_as_written(project):
    path = write(project, TAGGED)
    code, _, err = run_build(str(path), "--out", str(project / "dist"), "--format", "html", cwd=project)
    assert code == 0, err
    assert [line for line in err.splitlines() if "template" in line] == [
        f"warning: {path}:5: 3 template tag(s) (Jekyll, Eleventy, Liquid) are not run and stay as written, "
        "the first here: {% include 'chapter_image.html' img_path: \"plan.svg\" %} (replace each with the "
        "text or the link it stands for)"
    ]
    html = (project / "dist" / "brief.html").read_text(encoding="utf-8")
    assert "{% include" in html and "{{ site.name }}" in html


def test_the_sample_and_the_fixtures_have_no_template_tags():
    for path in [ROOT / "source" / "brief.md", *sorted((ROOT / "tests" / "fixtures").glob("*.md"))]:
        assert [w for w in load_source(path).warnings if "template tag" in w.what] == [], path


# --- the corpus: a fast part of it, as bench/corpus.py runs it -------------------------------


def test_corpus_subset_builds_with_no_traceback_and_valid_epubs(capsys):
    sys.path.insert(0, str(ROOT / "bench"))
    import corpus

    corpus.main(
        [
            "--only",
            "word/pandoc/cross_reference.docx",
            "--only",
            "word/poi/EnforcedWith.docx",
            "--only",
            "word/pandoc-odt/footnote.odt",
            "--only",
            "markdown/gds/003-templating-languages.md",
        ]
    )
    table = capsys.readouterr().out
    total = next(line for line in table.splitlines() if line.startswith("| all |"))
    # | all | n | built | clean error | traceback | hang | epubcheck fails | words lost (docs) | ...
    cells = [c.strip() for c in total.strip("|").split("|")]
    assert cells[1:7] == ["4", "4", "0", "0", "0", "0"], table


def test_the_corpus_finds_a_word_hyphenated_across_a_page_break():
    sys.path.insert(0, str(ROOT / "bench"))
    import corpus

    pages = [
        "the ordinary use of ~ and ^, and also bad inter\ufffeISAS Brief · Pandoc User's Guide 77 / 126",
        "actions with footnotes.) Thus",
    ]
    assert corpus.across_pages(pages) == ["interactions"]


def test_the_corpus_reads_a_raised_figure_as_the_pdf_text_gives_it():
    """pandoc's plain text writes a superscript 2 as ², the PDF's text a raised 2 as 2."""
    sys.path.insert(0, str(ROOT / "bench"))
    import corpus

    assert corpus.words_of("10 m² of land, CO₂") == corpus.words_of("10 m2 of land, CO2")


def test_the_corpus_finds_a_lost_digit_and_no_note_call_beside_a_number(tmp_path):
    """The PDF's text gives a call's digits straight after the number before it (2021 and call 2
    read 20212): the calls are taken out, so the numbers compare exactly."""
    sys.path.insert(0, str(ROOT / "bench"))
    import corpus

    brief = (
        "---\ntitle: Calls\n---\n\nSigned in [2019](https://example.org/treaty) and revised in 2021[^a] "
        "and in 1999[^b][^c] too.\n\n[^a]: First.\n[^b]: Second.\n[^c]: Third.\n"
    )
    (tmp_path / "calls.md").write_text(brief, encoding="utf-8")
    code, _, err = run_build(str(tmp_path / "calls.md"), "--out", str(tmp_path / "out"), "--format", "pdf")
    assert code == 0, err
    pdf = tmp_path / "out" / "calls.pdf"
    read = " ".join(pdf_pages_text(pdf))  # as pdfium reads it
    assert "in 20212" in read and "in 19993,4" in read
    assert corpus.lost_words(brief, pdf)[1] == []
    # The brief's 20212 printed as 2021 with the call 2 after it: its last digit is lost.
    assert corpus.lost_words(brief.replace("2021[", "20212["), pdf)[1] == ["20212"]
    assert corpus.lost_words(brief.replace("2019]", "201]"), pdf)[1] == ["201"]  # the PDF's 2019 is another number

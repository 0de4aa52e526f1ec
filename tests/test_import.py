"""`build.py import`: Word, ODT, HTML and Markdown manuscripts in as briefs that build.

The Word and ODT files are in tests/fixtures/word/out (made by LibreOffice; see its README)."""

from __future__ import annotations

import json
import logging
import shutil
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import yaml

from briefpress.author.importer import clean
from briefpress.errors import display_path
from conftest import FIXTURES, ROOT, run_build
from helpers import NS, epub_tree, make_project, pdf_pages_text, run_cli, squash

WORD = FIXTURES / "word" / "out"
CHART = FIXTURES / "word" / "src" / "chart.png"


def shown(name: str) -> str:
    """A fixture's path as messages show it (relative to the folder the tests run in)."""
    return display_path(WORD / name)


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path)


def import_file(project: Path, name: str, *args: str, source: Path | None = None):
    """Import a fixture into the project; return (exit code, stdout, stderr)."""
    return run_build("import", str(source or WORD / name), *args, cwd=project)


def read_brief(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def build(project: Path, brief: Path, formats: str = "pdf,epub") -> Path:
    out = project / "dist"
    code, _, err = run_build(str(brief), "--out", str(out), "--format", formats, "--strict")
    assert (code, err) == (0, ""), err
    return out


# --- the plain shape: title, authors, summary, body, separator, bios -------------------------


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> tuple[Path, str, str]:
    """plain.docx imported once, and built once (PDF and EPUB): (project, stdout, stderr)."""
    project = tmp_path_factory.mktemp("import-plain")
    shutil.copytree(ROOT / "styles", project / "styles")
    code, out, err = import_file(project, "plain.docx")
    assert code == 0, err
    build(project, project / "source" / "water-and-power-in-the-indus-basin.md")
    return project, out, err


def test_plain_docx_front_matter_is_inferred_and_reported(plain):
    project, out, err = plain
    path = project / "source" / "water-and-power-in-the-indus-basin.md"
    lines = out.splitlines()
    assert (lines[0], err) == (f"wrote {path}", "")
    docx = shown("plain.docx")
    assert f"note: {docx}: read the title from this heading: Water and Power in the Indus Basin" in lines
    assert (
        f"note: {docx}: read the authors Priya Raman / Omar Siddiqui from this line: Priya Raman and Omar Siddiqui"
        in lines
    )
    assert (
        f"note: {docx}: read the bio of Omar Siddiqui from this paragraph: Omar Siddiqui is a journalist in Lahore who covers climat..."
        in lines
    )
    assert f"note: {docx}: read the language from the document properties (Language)" in lines
    assert all(line.startswith("note: ") for line in lines[1:]) and len(lines) == 9
    data, _ = read_brief(path)
    assert data == {
        "title": "Water and Power in the Indus Basin",
        "author": [
            {
                "name": "Priya Raman",
                "email": "priya@example.org",
                "bio": "Dr Priya Raman is a senior fellow in water policy at the Example Institute. Email: <priya@example.org>.",
            },
            {"name": "Omar Siddiqui", "bio": "Omar Siddiqui is a journalist in Lahore who covers climate and farming."},
        ],
        "abstract": "Sixty years on, the Indus Waters Treaty is under strain as dams, droughts and politics collide.",
        "lang": "en-US",
        "keywords": [],
    }


def test_plain_docx_body_keeps_quotes_emphasis_links_and_headings(plain):
    _, body = read_brief(plain[0] / "source" / "water-and-power-in-the-indus-basin.md")
    assert body.startswith(
        "\nThe Indus and its tributaries feed more than 200 million people. When the "
        "**Indus Waters Treaty** was signed in 1960"
    )
    assert "[treaty archive](https://www.example.org/indus-treaty)" in body
    assert "Engineers call it \u201cthe world\u2019s most *resilient* water agreement\u201d." in body
    assert "Pakistan\u2019s farmers already speak of a \u201c**water emergency**\u201d." in body
    assert "### The treaty\n" in body
    for gone in ("Summary", "Sixty years", "Priya", ".....", "---", "\\."):  # front matter, separator, bios
        assert gone not in body, gone


def test_plain_docx_builds_an_epub_that_epubcheck_passes(plain, epubcheck):
    epub = plain[0] / "dist" / "water-and-power-in-the-indus-basin.epub"
    assert epubcheck(epub) == []
    opf = epub_tree(epub, "EPUB/content.opf")
    assert opf.xpath("//dc:title/text()", namespaces=NS) == ["Water and Power in the Indus Basin"]
    assert opf.xpath("//dc:creator/text()", namespaces=NS) == ["Priya Raman", "Omar Siddiqui"]
    assert opf.xpath("//dc:language/text()", namespaces=NS) == ["en-US"]
    notes = epub_tree(epub, "EPUB/notes.xhtml").xpath("//x:li[@epub:type='endnote']", namespaces=NS)
    assert [n.xpath("string(.//x:a[@class='url']/@href)", namespaces=NS) for n in notes] == [
        "https://www.example.org/indus-treaty"
    ]
    about = squash(epub_tree(epub, "EPUB/about.xhtml").xpath("string(//x:body)", namespaces=NS))
    assert "Omar Siddiqui is a journalist in Lahore" in about and "senior fellow in water policy" in about


def test_plain_docx_pdf_first_page_shows_title_authors_and_summary(plain):
    pdf = plain[0] / "dist" / "water-and-power-in-the-indus-basin.pdf"
    first = squash(pdf_pages_text(pdf)[0])
    assert "Water and Power in the Indus Basin" in first and "Priya Raman" in first
    assert "Sixty years on, the Indus Waters Treaty is under strain" in first
    document = pdfium.PdfDocument(str(pdf))
    try:  # a page that is drawn, not blank: the rasterised first page has dark pixels
        image = document[0].render(scale=0.5).to_pil().convert("L")
    finally:
        document.close()
    assert image.getextrema()[0] < 80


# --- Word styles and document properties ------------------------------------------------------


def test_properties_docx_reads_styles_and_fills_the_rest_from_core_xml(project):
    code, out, err = import_file(project, "properties.docx")
    assert (code, err) == (0, "")
    data, body = read_brief(project / "source" / "monsoon-politics.md")
    assert data == {
        "title": "Monsoon Politics",
        "subtitle": "Rain and the ballot",
        "author": [{"name": "Lakshmi Nair"}],
        "abstract": "A short brief on rainfall and voting in India.",
        "lang": "en-GB",
        "keywords": ["India", "monsoon"],
    }
    docx = shown("properties.docx")
    assert f"note: {docx}: read the title from the paragraph styled Title" in out
    assert f"note: {docx}: read the abstract from the document properties (Comments)" in out
    assert (
        body
        == "\nEvery summer the monsoon decides whether India\u2019s farmers prosper or borrow.\n\n# Rain and votes\n\n"
        "Studies suggest that a weak monsoon in an election year costs the ruling party votes.\n"
    )


# --- notes, tracked changes, comments ----------------------------------------------------------


def test_footnotes_and_endnotes_become_numbered_notes_in_the_epub(project):
    assert import_file(project, "notes.docx")[0] == 0
    brief = project / "source" / "counting-the-rain.md"
    _, body = read_brief(brief)
    assert "rainfall.[^1] A late onset can cut the kharif harvest sharply.[^2]" in body
    assert "calendar.[^3]" in body  # the endnote joins the footnotes
    assert "[^1]: Figures from the [India Meteorological Department](https://www.example.org/imd-rainfall)." in body
    epub = build(project, brief, "epub") / "counting-the-rain.epub"
    notes = epub_tree(epub, "EPUB/notes.xhtml").xpath("//x:li[@epub:type='endnote']", namespaces=NS)
    texts = [squash(n.xpath("string(.//x:span[@class='note-text'])", namespaces=NS)) for n in notes]
    assert texts == [
        "Figures from the India Meteorological Department (https://www.example.org/imd-rainfall).",
        "Kharif crops, such as rice, are sown with the first rains.",
        "Interview with the author, Pune, June 2023.",
    ]
    calls = epub_tree(epub, "EPUB/brief.xhtml").xpath("//x:a[@epub:type='noteref']/@href", namespaces=NS)
    assert calls == ["notes.xhtml#note-1", "notes.xhtml#note-2", "notes.xhtml#note-3"]


ACCEPTED = (
    "\nIndia\u2019s new hydroelectric plant at Kishanganga diverts water before it reaches Pakistan.\n\n"
    "Pakistan says the loss is severe for farmers downstream. Both sides dispute the figures.\n"
)


@pytest.mark.parametrize("name", ["tracked.docx", "tracked.odt"])
def test_tracked_changes_are_accepted_by_default_with_the_deleted_text_quoted(project, name):
    code, _, err = import_file(project, name)
    assert code == 0
    assert err == (
        f"warning: {shown(name)}: accepted its 2 tracked insertion(s) and 1 deletion(s), the text as last "
        'edited; left out: "very" (--changes reject imports the text before the changes, --changes all '
        "keeps both, marked)\n"
    )
    assert read_brief(project / "source" / "dams-on-the-jhelum.md")[1] == ACCEPTED


def test_changes_all_keeps_both_readings_marked(project):
    code, out, err = import_file(project, "tracked.docx", "--changes", "all")
    assert (code, err) == (0, "")
    assert "kept both readings of 2 tracked insertion(s) and 1 deletion(s)" in out
    assert read_brief(project / "source" / "dams-on-the-jhelum.md")[1] == (
        "\nIndia\u2019s new [hydroelectric]{.underline} plant at Kishanganga diverts water before it reaches "
        "Pakistan.\n\nPakistan says the loss is ~~very~~ severe for farmers downstream. "
        "[Both sides dispute the figures.]{.underline}\n"
    )
    code, _, err = import_file(project, "tracked.odt", "--changes", "all", "--out", "source/odt.md")
    assert code == 1 and "cannot keep both readings of tracked changes in an .odt" in err


@pytest.mark.parametrize(
    "choice, first, second",
    [
        (
            "accept",
            "India\u2019s new hydroelectric plant at Kishanganga diverts water before it reaches Pakistan.",
            "Pakistan says the loss is severe for farmers downstream. Both sides dispute the figures.",
        ),
        (
            "reject",
            "India\u2019s new plant at Kishanganga diverts water before it reaches Pakistan.",
            "Pakistan says the loss is very severe for farmers downstream.",
        ),
    ],
)
def test_tracked_changes_accepted_or_rejected(project, choice, first, second):
    code, out, err = import_file(project, "tracked.docx", "--changes", choice)
    assert (code, err) == (0, "")
    assert f"note: {shown('tracked.docx')}: {choice}ed 2 tracked insertion(s) and 1 deletion(s)" in out
    _, body = read_brief(project / "source" / "dams-on-the-jhelum.md")
    assert body == f"\n{first}\n\n{second}\n"


def test_accepted_changes_build(project):
    assert import_file(project, "tracked.docx", "--changes", "accept")[0] == 0
    epub = build(project, project / "source" / "dams-on-the-jhelum.md", "epub") / "dams-on-the-jhelum.epub"
    text = squash(epub_tree(epub, "EPUB/brief.xhtml").xpath("string(//x:body)", namespaces=NS))
    assert "new hydroelectric plant" in text and "very" not in text and "Both sides dispute the figures." in text


@pytest.mark.parametrize("name", ["comments.docx", "comments.odt"])
def test_comments_are_warned_with_author_and_text_and_left_out(project, name):
    code, out, err = import_file(project, name)
    assert code == 0
    assert err == (
        f"warning: {shown(name)}: comment by Editor One: Please add a source for this figure. (left out of the brief)\n"
        f"warning: {shown(name)}: comment by Editor Two: Is this still true after 2023? (left out of the brief)\n"
    )
    _, body = read_brief(project / "source" / "sharing-the-indus.md")
    assert body == (
        "\nThe Indus and its tributaries feed more than 200 million people.\n\n"
        "In 1960 the treaty was hailed as a model of cooperation between rivals.\n"
    )


def test_citation_fields_keep_their_text_and_warn_once(caplog, tmp_path):
    cite = {
        "t": "Cite",
        "c": [
            [
                {
                    "citationId": "smith2020",
                    "citationPrefix": [],
                    "citationSuffix": [],
                    "citationMode": {"t": "NormalCitation"},
                    "citationNoteNum": 1,
                    "citationHash": 0,
                }
            ],
            [{"t": "Str", "c": "(Smith,"}, {"t": "Space"}, {"t": "Str", "c": "2020)"}],
        ],
    }
    para = {"t": "Para", "c": [{"t": "Str", "c": "Rain"}, {"t": "Space"}, cite, {"t": "Space"}, cite]}
    with caplog.at_level(logging.WARNING, logger="briefpress"):
        blocks, notes = clean(tmp_path / "cited.docx", "md", [para], "")
    assert blocks == [
        {"t": "Para", "c": [{"t": "Str", "c": "Rain"}, {"t": "Space"}, *cite["c"][1], {"t": "Space"}, *cite["c"][1]]}
    ]
    assert [r.getMessage() for r in caplog.records] == [
        f"{tmp_path / 'cited.docx'}: 2 citation field(s) (Zotero, Mendeley) kept as their visible text; the citation data "
        "was not imported (give each source as a link or a footnote)"
    ]


def test_zotero_fields_become_citations_and_a_csl_json_bibliography(project):
    from zoterodocx import write_zotero_docx

    docx = write_zotero_docx(project / "zotero.docx")
    code, out, err = import_file(project, "", source=docx)
    assert (code, err) == (0, ""), err
    brief = project / "source" / "fences-and-crossings.md"
    data, body = read_brief(brief)
    assert data["bibliography"] == "fences-and-crossings-references.json"
    assert (
        body.split()
        == "The border has a long history [@ranjan2020, page 12]. Scholars disagree [@khan2021; @ranjan2020].".split()
    )
    references = json.loads((brief.parent / data["bibliography"]).read_text(encoding="utf-8"))
    assert [(r["id"], r["type"]) for r in references] == [("ranjan2020", "book"), ("khan2021", "article-journal")]
    assert references[1]["DOI"] == "10.1525/as.2021.61.3.455"
    assert f"note: {display_path(docx)}: kept 2 citation field(s) as [@key] citations" in out.splitlines()
    folder = build(project, brief, "epub")
    notes = epub_tree(folder / "fences-and-crossings.epub", "EPUB/notes.xhtml")
    texts = [squash("".join(li.itertext())) for li in notes.iterfind(".//x:li", NS)]
    assert texts == [
        "1. Amit Ranjan, The Partition of India: Postcolonial Legacies (London: Routledge, 2020), 12.",
        "2. Sara Khan and Omar Ali, “Border Fencing and Its Discontents,” Asian Survey 61, no. 3 (2021): 455–78, "
        "https://doi.org/10.1525/as.2021.61.3.455; Ranjan, The Partition of India: Postcolonial Legacies.",
    ]


def test_a_citation_field_pandoc_cannot_read_keeps_its_text_and_is_named(project):
    from zoterodocx import write_zotero_docx

    docx = write_zotero_docx(project / "zotero.docx", endnote=True)
    code, _, err = import_file(project, "", source=docx)
    assert code == 0, err
    assert err == (
        f"warning: {display_path(docx)}: 1 citation field(s) (Zotero, Mendeley) kept as their visible text; "
        "the citation data was not imported (give each source as a link or a footnote)\n"
    )
    _, body = read_brief(project / "source" / "fences-and-crossings.md")
    assert "The crossing reopened (Dawn 2025)." in body


# --- images, tables, a table of contents --------------------------------------------------------


@pytest.mark.parametrize("name", ["image-table.docx", "image-table.odt"])
def test_image_is_extracted_with_alt_text_and_the_table_kept(project, name):
    code, out, err = import_file(project, name)
    assert (code, err) == (0, "")
    source = project / "source"
    assert (source / "how-the-rivers-are-shared-media" / "image1.png").read_bytes() == CHART.read_bytes()
    _, body = read_brief(source / "how-the-rivers-are-shared.md")
    assert (
        "![Bar chart of average annual flow in the Indus, Jhelum and Chenab](how-the-rivers-are-shared-media/image1.png)\n"
        in body
    )
    assert "width" not in body and "height" not in body
    assert "| River  | Allocated to | Flow (MAF) |\n" in body and "| Ravi   | India        | 7          |\n" in body
    if name.endswith(".docx"):  # one build is enough: the bodies are the same
        epub = build(project, source / "how-the-rivers-are-shared.md", "epub") / "how-the-rivers-are-shared.epub"
        page = epub_tree(epub, "EPUB/brief.xhtml")
        assert page.xpath("//x:img[not(contains(@src, 'logo'))]/@alt", namespaces=NS) == [
            "Bar chart of average annual flow in the Indus, Jhelum and Chenab"
        ]
        assert [squash(c.xpath("string(.)")) for c in page.xpath("//x:table//x:th", namespaces=NS)] == [
            "River",
            "Allocated to",
            "Flow (MAF)",
        ]
        assert len(page.xpath("//x:table//x:tbody/x:tr", namespaces=NS)) == 2
        with zipfile.ZipFile(epub) as z:
            assert any(n.startswith("EPUB/images/") and z.read(n) == CHART.read_bytes() for n in z.namelist())


def test_table_of_contents_is_dropped_and_links_kept(project):
    code, out, err = import_file(project, "toc.docx")
    assert (code, err) == (0, "")
    assert f"note: {shown('toc.docx')}: left out the table of contents (3 entries)" in out
    _, body = read_brief(project / "source" / "three-rivers-two-countries.md")
    assert "Contents" not in body and "Background 1" not in body
    assert "[example.org](https://www.example.org/indus-treaty)" in body
    assert "(see [the outlook](#survival))" in body and "{#survival" in body  # the bookmark is in the document
    build(project, project / "source" / "three-rivers-two-countries.md", "pdf")


def test_links_to_missing_bookmarks_become_text_in_html_import(project, tmp_path):
    shutil.copy(CHART, tmp_path / "chart.png")
    page = tmp_path / "draft.html"
    page.write_text(
        "<!doctype html><html lang='fr'><head><title>Rivers &amp; Treaties</title>"
        "<meta name='author' content='Priya Raman'></head><body><h1>Rivers &amp; Treaties</h1>"
        "<p>See <a href='#_Toc12345'>the dams</a> and <a href='https://example.org/t'>the treaty</a>.</p>"
        "<p><img src='chart.png' alt='A chart' width='300'></p></body></html>",
        encoding="utf-8",
    )
    code, out, err = import_file(project, "", source=page)
    assert (code, err) == (0, "")
    data, body = read_brief(project / "source" / "rivers-treaties.md")
    assert data == {"title": "Rivers & Treaties", "author": [{"name": "Priya Raman"}], "lang": "fr", "keywords": []}
    assert (
        body
        == "\nSee the dams and [the treaty](https://example.org/t).\n\n![A chart](rivers-treaties-media/image1.png)\n"
    )
    assert (
        f"note: {page}: 1 link(s) to places not in the document (bookmarks, cross-references) became plain text" in out
    )


def test_markdown_manuscript_in_plain_shape(project, tmp_path):
    draft = tmp_path / "draft.md"
    draft.write_text(
        "# A Title\n\nAnn Author\n\n## Summary\n\n*What it says.*\n\n## Section\n\nBody text.\n", encoding="utf-8"
    )
    code, out, err = import_file(project, "", source=draft)
    assert (code, err) == (0, "")
    data, body = read_brief(project / "source" / "a-title.md")
    assert data == {"title": "A Title", "author": [{"name": "Ann Author"}], "abstract": "What it says.", "keywords": []}
    assert body == "\n## Section\n\nBody text.\n"


# --- bad input: one error line, exit 1, nothing written ---------------------------------------


@pytest.mark.parametrize(
    "name, what",
    [
        (
            "corrupt.docx",
            "is damaged, its zip package cannot be read (File is not a zip file) (save the manuscript again from the word processor)",
        ),
        (
            "notdocx.docx",
            "is not a Word .docx file (it is not a zip package) (export the manuscript as Word .docx from the word processor)",
        ),
        ("empty.docx", "the document has no text (check that this is the manuscript)"),
        ("encrypted.docx", "is password-protected (open it, remove the password and save it again)"),
    ],
)
def test_bad_input_is_one_error_and_writes_nothing(project, name, what):
    code, out, err = import_file(project, name)
    assert (code, out, err) == (1, "", f"error: {shown(name)}: {what}\n")
    assert sorted(p.name for p in project.iterdir()) == ["styles"]


def test_an_existing_brief_is_never_replaced(project):
    target = project / "source" / "water-and-power-in-the-indus-basin.md"
    target.parent.mkdir()
    target.write_text("mine\n", encoding="utf-8")
    code, out, err = import_file(project, "plain.docx")
    assert (code, out) == (1, "")
    assert err == f"error: {target}: already exists (import to another name with --out, or move the file away)\n"
    assert target.read_text(encoding="utf-8") == "mine\n"


def test_an_existing_picture_is_never_replaced_and_nothing_is_written(project):
    picture = project / "source" / "how-the-rivers-are-shared-media" / "image1.png"
    picture.parent.mkdir(parents=True)
    picture.write_bytes(b"mine")
    code, _, err = import_file(project, "image-table.docx")
    assert (
        code == 1
        and err == f"error: {picture}: already exists (import to another name with --out, or move the file away)\n"
    )
    assert picture.read_bytes() == b"mine" and not (project / "source" / "how-the-rivers-are-shared.md").exists()


def test_import_as_a_script_with_out_and_a_wrong_extension(project):
    result = run_cli("import", str(WORD / "plain.docx"), "--out", "source/indus.md", cwd=project)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("wrote source/indus.md\nnote: ")
    assert read_brief(project / "source" / "indus.md")[0]["title"] == "Water and Power in the Indus Basin"
    wrong = project / "notes.txt"
    wrong.write_text("text", encoding="utf-8")
    result = run_cli("import", "notes.txt", cwd=project)
    assert (result.returncode, result.stderr) == (
        1,
        "error: notes.txt: cannot import a .txt (give a .docx, .odt, .html or .md file)\n",
    )

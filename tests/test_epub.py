"""The EPUB edition: note structure by XPath, package metadata, and its notes against the PDF's.
(epubcheck runs once per EPUB in test_conformance.py.)"""

from __future__ import annotations

import re
import zipfile

from conftest import BRIEFS
from helpers import NS, epub_tree, pdf_pages_text, squash


def test_noterefs_point_at_endnotes_that_point_back(built):
    epub = built["links"] / "links.epub"
    pages = {n: epub_tree(epub, f"EPUB/{n}") for n in ("brief.xhtml", "notes.xhtml", "about.xhtml")}
    calls = {
        el.get("id"): (page, el)
        for page, tree in pages.items()
        for el in tree.xpath("//x:a[@epub:type='noteref']", namespaces=NS)
    }
    assert len(calls) == 9
    for ident, (page, call) in calls.items():
        assert call.get("role") == "doc-noteref"
        target_page, target = call.get("href").split("#")
        assert target_page == "notes.xhtml"
        note = pages["notes.xhtml"].xpath(f"//x:li[@id='{target}']", namespaces=NS)[0]
        assert note.get("{http://www.idpf.org/2007/ops}type") == "endnote"
        backs = [a.get("href") for a in note.xpath(".//x:a[@role='doc-backlink']", namespaces=NS)]
        assert f"{page}#{ident}" in backs
    section = pages["notes.xhtml"].xpath("//x:section[@epub:type='endnotes']", namespaces=NS)
    assert len(section) == 1 and section[0].get("role") == "doc-endnotes"
    assert len(section[0].xpath(".//x:li", namespaces=NS)) == 7


def test_notes_have_the_same_numbers_and_text_as_in_the_pdf(built):
    """Note n of the EPUB is note n of the PDF: the PDF lists numbers 1..N and the same note texts
    in the same order."""
    notes = epub_tree(built["brief"] / "brief.epub", "EPUB/notes.xhtml")
    items = notes.xpath("//x:li", namespaces=NS)
    numbers = [li.xpath("string(.//*[contains(@class, 'note-number')])", namespaces=NS) for li in items]
    assert numbers == [f"{n}." for n in range(1, 24)]
    texts = [squash(li.xpath("string(.//*[contains(@class, 'note-text')])", namespaces=NS)) for li in items]

    pdf_text = "\n".join(pdf_pages_text(built["brief"] / "brief.pdf")).replace("\r\n", "\n")
    notes_part = pdf_text[pdf_text.index("\nNotes\n") : pdf_text.index("\nAbout the author")]
    # The list's numbers are lines of their own, which the text layer may give before the heading.
    markers = re.findall(r"^(\d+)\.\s*$", pdf_text, re.M)
    assert sorted(map(int, markers)) == list(range(1, 24))
    flowing = squash(re.sub(r"^\d+\.\s*$", "", notes_part, flags=re.M))
    position = 0
    for number, text in enumerate(texts, 1):
        found = flowing.find(text, position)
        assert found >= 0, f"note {number} of the EPUB is not note {number} of the PDF: {text!r}"
        position = found + len(text)


def test_package_metadata(built):
    opf = epub_tree(built["links"] / "links.epub", "EPUB/content.opf")

    def text(xpath):
        return [e.text for e in opf.xpath(xpath, namespaces=NS)]

    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-GB"
    assert text("//dc:title") == ["Water, Power and the Indus: A Test Brief"]
    assert text("//dc:creator") == ["Priya Raman", "Tan Wei Ming"]
    assert text("//dc:language") == ["en-GB"]
    # the unique identifier, then the brief's canonical address from the brand's URL pattern
    assert text("//dc:identifier") == [
        "urn:isbn:9780000000001",
        "https://www.isas.nus.edu.sg/papers/water-power-and-the-indus-a-test-brief/",
    ]
    assert text("//dc:date") == ["2026-03-05"]
    assert text("//dc:publisher") == ["Institute of South Asian Studies"]
    assert text("//opf:meta[@property='dcterms:modified']") == ["2026-03-05T00:00:00Z"]
    assert opf.xpath("//opf:item[@properties='cover-image']/@href", namespaces=NS) == ["images/cover.png"]


def test_identifier_is_stable_without_one_in_the_front_matter(built, tmp_path):
    from conftest import run_build

    code, _, err = run_build(str(BRIEFS["brief"]), "--out", str(tmp_path), "--format", "epub")
    assert code == 0, err
    first = epub_tree(built["brief"] / "brief.epub", "EPUB/content.opf").xpath("//dc:identifier/text()", namespaces=NS)
    again = epub_tree(tmp_path / "brief.epub", "EPUB/content.opf").xpath("//dc:identifier/text()", namespaces=NS)
    assert first == again and first[0].startswith("urn:uuid:")


def test_zip_layout_mimetype_first_and_stored_fonts_included(built):
    with zipfile.ZipFile(built["brief"] / "brief.epub") as z:
        infos = z.infolist()
        assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
        names = z.namelist()
    assert any(n.startswith("EPUB/fonts/SourceSerifPro") for n in names)
    assert "EPUB/images/logo.svg" in names


def test_every_xhtml_page_declares_its_language(built):
    with zipfile.ZipFile(built["links"] / "links.epub") as z:
        pages = [n for n in z.namelist() if n.endswith(".xhtml")]
    for page in pages:
        root = epub_tree(built["links"] / "links.epub", page)
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") or root.get("lang"), page


def test_about_page_title_follows_the_number_of_authors(built):
    nav = epub_tree(built["links"] / "links.epub", "EPUB/nav.xhtml")
    assert "About the authors" in nav.xpath("//x:nav[@epub:type='toc']//x:a/text()", namespaces=NS)
    about = epub_tree(built["links"] / "links.epub", "EPUB/about.xhtml")
    assert about.xpath("string(//x:title)", namespaces=NS) == "About the authors"

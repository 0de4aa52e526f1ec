"""Conformance of every edition of every brief: epubcheck, DAISY Ace, pdfua, veraPDF and our own
PDF/UA-1 and PDF/A-3 assertions. Nothing here skips: setup.sh installs every tool."""

from __future__ import annotations

import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from PIL import Image

from briefpress.check import validate
from briefpress.check.pdfcheck import check_pdfua
from briefpress.check.validate import Verdict, run_aces, run_epubcheck, run_epubchecks, vera_verdict
from briefpress.check.verapdf import run_verapdf
from conftest import BRIEFS, SHARED, run_build

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "dc": "http://purl.org/dc/elements/1.1/",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LANGS = {"brief": "en", "links": "en-GB", "minimal": "en"}
ALL_FORMATS = "pdf,print,epub,pdfa"
PDF_EDITIONS = [".pdf", "-print.pdf", "-archive.pdf"]
# The validators also see a brief with an image, two tables (one with row headers), nested lists,
# a block quote, a footnote, a heading with a link and two authors' bios.
CHECKED = SHARED


@pytest.fixture(scope="session")
def editions(every_edition) -> dict[str, Path]:
    """Every brief built once in every format (conftest's shared builds): {"brief": folder, ...}."""
    return {name: every_edition[name] for name in CHECKED}


# `verdicts` (conftest): every validator on every edition of these briefs, in the run's one
# validation pass: one Ace run and one epubcheck run for all the EPUBs and one veraPDF run
# for all the PDFs.


def pdf_of(editions, name: str) -> Path:
    return editions[name] / f"{name}.pdf"


def assert_clean(verdict: Verdict) -> None:
    assert (verdict.errors, verdict.warnings, verdict.violations) == (0, 0, 0), "\n".join(verdict.details)


# --- the validators, on every brief ---------------------------------------------------------


@pytest.mark.parametrize("name", CHECKED)
def test_epubcheck_finds_no_errors_and_no_warnings(verdicts, name):
    assert_clean(verdicts["epubcheck", f"{name}.epub"])


@pytest.mark.parametrize("name", CHECKED)
def test_ace_finds_no_violations(verdicts, name):
    assert_clean(verdicts["ace", f"{name}.epub"])


@pytest.mark.parametrize("edition", [".pdf", "-print.pdf"])
@pytest.mark.parametrize("name", CHECKED)
def test_pdfua_finds_no_errors_and_skips_no_rule(verdicts, name, edition):
    assert_clean(verdicts["pdfua", f"{name}{edition}"])


@pytest.mark.parametrize("edition", [".pdf", "-print.pdf"])
@pytest.mark.parametrize("name", CHECKED)
def test_our_pdfua_rules_hold(verdicts, name, edition):
    assert_clean(verdicts["pdf-rules", f"{name}{edition}"])


@pytest.mark.parametrize("name", CHECKED)
def test_our_pdfa_rules_hold(verdicts, name):
    assert_clean(verdicts["pdfa-rules", f"{name}-archive.pdf"])


@pytest.mark.parametrize("edition", PDF_EDITIONS)
@pytest.mark.parametrize("name", CHECKED)
def test_verapdf_finds_no_violation(verdicts, name, edition):
    """PDF/UA-1 for the distribution and print editions, PDF/A-3a for the archive."""
    assert_clean(verdicts["verapdf", f"{name}{edition}"])


def test_verapdf_fails_pdfs_that_break_its_rules(editions, tmp_path):
    """Defects planted in a distribution PDF and an archive are each reported with their clause,
    and each file was checked against the whole of its profile."""
    broken, archive = tmp_path / "broken.pdf", tmp_path / "broken-archive.pdf"
    with pikepdf.open(pdf_of(editions, "links")) as pdf:
        del pdf.Root["/Lang"]
        pdf.Root.ViewerPreferences.DisplayDocTitle = False
        pdf.pages[0].obj.Tabs = pikepdf.Name.R
        pdf.save(broken)
    with pikepdf.open(editions["elements"] / "elements-archive.pdf") as pdf:
        for image in (o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"):
            image.Interpolate = True
        pdf.save(archive)
    not_pdf = tmp_path / "not\ta.pdf"  # a tab in the name does not confuse the report
    not_pdf.write_text("plain text", encoding="utf-8")
    *results, unreadable = run_verapdf({broken: "pdf/ua-1", archive: "pdf/a-3a", not_pdf: "pdf/ua-1"})
    assert [(r.flavour, r.rules) for r in results] == [("ua1", 106), ("3a", 155)]
    assert all(r.checked > 40 and not r.error for r in results), results
    assert unreadable.path == not_pdf and unreadable.error and not vera_verdict(unreadable).passed
    ua, archived = ({f.split(" ")[0] for f in r.failures} for r in results)
    # No /Lang fails the natural-language rules of 7.2 (one per kind of text), and nothing else.
    assert {"7.1-10", "7.18.3-1"} < ua and all(rule.startswith(("7.1-10", "7.18.3-1", "7.2-")) for rule in ua), ua
    assert archived == {"6.2.8-3"}
    verdict = vera_verdict(results[0])
    assert (verdict.passed, verdict.errors) == (False, len(ua))
    assert any("DisplayDocTitle" in detail for detail in verdict.details), verdict.details


def test_verapdf_without_its_jars_fails_and_says_to_run_setup(editions, tmp_path):
    pdf = pdf_of(editions, "minimal")
    (result,) = run_verapdf({pdf: "pdf/ua-1"}, shared_java=tmp_path)
    verdict = vera_verdict(result)
    assert not verdict.passed
    assert verdict.details == (
        f"veraPDF needs {tmp_path / 'jaxb-runtime.jar'}, {tmp_path / 'istack-commons-runtime.jar'}, "
        f"{tmp_path / 'txw2.jar'}, {tmp_path / 'javax.activation.jar'}, "
        f"{tmp_path / 'stax-ex.jar'}, {tmp_path / 'FastInfoset.jar'} (run ./setup.sh)",
    )


# --- PDF/UA-1 rules that pdfua does not cover, asserted one by one with pikepdf ---------------


@pytest.mark.parametrize("name", BRIEFS)
def test_pdf_declares_the_brief_language(editions, name):
    with pikepdf.open(pdf_of(editions, name)) as pdf:
        assert str(pdf.Root.Lang) == LANGS[name]


@pytest.mark.parametrize("name", BRIEFS)
def test_pdf_viewer_shows_the_title_not_the_file_name(editions, name):
    with pikepdf.open(pdf_of(editions, name)) as pdf:
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True


@pytest.mark.parametrize("name", BRIEFS)
def test_pdf_is_marked_and_has_a_structure_tree(editions, name):
    with pikepdf.open(pdf_of(editions, name)) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        root = pdf.Root.StructTreeRoot
        assert "/ParentTree" in root and root.K[0].S == "/Document"


@pytest.mark.parametrize("name", BRIEFS)
def test_pdf_xmp_has_title_and_pdfua_identification(editions, name):
    title = {
        "brief": "Misaligned Expectations: Pakistan-Afghanistan Military Escalation",
        "links": "Water, Power and the Indus: A Test Brief: Fixture for the endnote machinery",
        "minimal": "A Minimal Brief",
    }[name]
    with pikepdf.open(pdf_of(editions, name)) as pdf, pdf.open_metadata() as xmp:
        assert xmp["dc:title"] == title
        assert xmp["pdfuaid:part"] == "1"


@pytest.mark.parametrize("name", BRIEFS)
def test_every_link_annotation_is_described_and_inside_a_link_element(editions, name):
    with pikepdf.open(pdf_of(editions, name)) as pdf:
        nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        links = [a for page in pdf.pages for a in page.obj.get("/Annots", []) if a.Subtype == "/Link"]
        for annot in links:
            assert str(annot.get("/Contents", "")).strip(), annot
            assert parents[int(annot.StructParent)].S == "/Link"
    # The links fixture links to 6 URLs, 3 mailto addresses, 7 notes, 9 note calls and 1 heading,
    # and How to cite this brief to its address; a link that wraps across lines may take two
    # boxes, but no target is lost.
    if name == "links":
        targets = {str(a.get("/Dest")) if a.get("/Dest") is not None else str(a.A.URI) for a in links}
        assert len(targets) == 27, sorted(targets)


@pytest.mark.parametrize("name", BRIEFS)
def test_every_page_orders_tabs_by_structure(editions, name):
    with pikepdf.open(pdf_of(editions, name)) as pdf:
        assert [page.obj.get("/Tabs") for page in pdf.pages] == ["/S"] * len(pdf.pages)


@pytest.mark.parametrize("name", BRIEFS)
def test_every_font_is_embedded(editions, name):
    with pikepdf.open(pdf_of(editions, name)) as pdf:
        fonts = {font.objgen: font for page in pdf.pages for font in page.Resources.Font.values()}
        assert fonts
        for font in fonts.values():
            descriptor = font.DescendantFonts[0].FontDescriptor if "/DescendantFonts" in font else font.FontDescriptor
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()), font.BaseFont


@pytest.mark.parametrize("name", BRIEFS)
def test_bookmarks_equal_the_headings_of_the_epub(editions, name):
    """The PDF's outline names, in order and depth, the headings the EPUB's content documents hold."""
    with pikepdf.open(pdf_of(editions, name)) as pdf, pdf.open_outline() as outline:
        marks = [(level, title) for level, title in flatten(outline.root)]
    headings = []
    for doc in epub_documents(editions[name] / f"{name}.epub"):
        for h in doc.iter(*(f"{{{NS['x']}}}h{n}" for n in range(1, 7))):
            headings.append((int(h.tag[-1]), " ".join("".join(h.itertext()).split())))
    assert marks == headings


@pytest.mark.parametrize("name", BRIEFS)
def test_headings_skip_no_level_and_the_logo_has_alt_text(editions, name):
    with pikepdf.open(pdf_of(editions, name)) as pdf:
        elements = list(descendants(pdf.Root.StructTreeRoot))
        levels = [int(str(e.S)[2]) for e in elements if str(e.S) in {f"/H{n}" for n in range(1, 7)}]
        figures = [e for e in elements if e.S == "/Figure"]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    assert [str(f.Alt) for f in figures] == ["Institute of South Asian Studies"]


@pytest.mark.parametrize("name", BRIEFS)
def test_page_numbers_and_running_titles_are_pagination_artifacts(editions, name):
    """Margin boxes: a page number on every page, the running title from page 2 on."""
    with pikepdf.open(pdf_of(editions, name)) as pdf:
        tree = {e.objgen for e in descendants(pdf.Root.StructTreeRoot)}
        nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
        pagination = 0
        for page in pdf.pages:
            parents = nums[nums.index(page.obj.StructParents) + 1]
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) != "BDC":
                    continue
                if operands[0] == "/Artifact":
                    pagination += operands[1].get("/Type") == "/Pagination"
                else:
                    assert parents[int(operands[1].MCID)].objgen in tree
        assert pagination == 2 * len(pdf.pages) - 1


@pytest.mark.parametrize("name", ["brief", "links"])
def test_internal_links_say_where_they_go(editions, name):
    with pikepdf.open(pdf_of(editions, name)) as pdf:
        described = {
            str(a.Dest): str(a.Contents) for page in pdf.pages for a in page.obj.get("/Annots", []) if "/Dest" in a
        }
    assert described["note-1"] == "Go to note 1"
    assert described["noteref-1"] == "Go to the call of note 1"
    if name == "links":
        assert described["background"] == "Go to section \u201cBackground\u201d"


def test_rule_checks_fail_on_a_pdf_that_breaks_them(editions, tmp_path):
    """Each of our rules reports the defect planted for it."""
    broken = tmp_path / "broken.pdf"
    with pikepdf.open(pdf_of(editions, "links")) as pdf:
        del pdf.Root["/Lang"]
        pdf.Root.ViewerPreferences.DisplayDocTitle = False
        pdf.pages[0].obj.Tabs = pikepdf.Name.R
        first_link = next(a for a in pdf.pages[0].obj.Annots if a.Subtype == "/Link")
        del first_link["/Contents"]
        with pdf.open_outline() as outline:
            outline.root[0].title = "Another title"
        pdf.save(broken)
    failing = {rule for rule, problems in check_pdfua(broken).items() if problems}
    assert failing == {
        "catalog /Lang (7.2)",
        "ViewerPreferences /DisplayDocTitle (7.1)",
        "/Tabs /S on every page (7.18.3)",
        "Link annotations in structure with /Contents (7.18.1, 7.18.5)",
        "bookmarks equal the headings (7.4.1)",
    }


# --- the archival PDF/A-3 -------------------------------------------------------------------


@pytest.mark.parametrize("name", BRIEFS)
def test_archive_is_pdfa3a_and_carries_its_manuscript(editions, name):
    source = BRIEFS[name]
    with pikepdf.open(editions[name] / f"{name}-archive.pdf") as pdf:
        with pdf.open_metadata() as xmp:
            assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("3", "A")
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"
        assert list(pdf.attachments) == [source.name]
        spec = pdf.attachments[source.name]
        assert spec.obj.AFRelationship == "/Source"
        assert spec.get_file().read_bytes() == source.read_bytes()
        assert spec.get_file().mime_type == "text/markdown"
        assert any(entry.get("/UF") == source.name for entry in pdf.Root.AF)


# --- the EPUB's accessibility metadata, landmarks and languages -----------------------------


@pytest.mark.parametrize("name", BRIEFS)
def test_epub_declares_accessibility_derived_from_its_content(editions, name):
    opf = epub_xml(editions[name] / f"{name}.epub", "EPUB/content.opf")

    def values(prop):
        return opf.xpath(f"//opf:meta[@property='{prop}']/text()", namespaces=NS)

    assert values("schema:accessMode") == ["textual", "visual"]  # cover and logo are images
    assert values("schema:accessModeSufficient") == ["textual,visual", "textual"]
    features = values("schema:accessibilityFeature")
    assert {"structuralNavigation", "tableOfContents", "alternativeText"} <= set(features)
    assert values("schema:accessibilityHazard") == ["none"]
    assert "have text alternatives" in values("schema:accessibilitySummary")[0]
    notes_sentence = "endnotes linked to and from their calls" in values("schema:accessibilitySummary")[0]
    assert notes_sentence == (name != "minimal")  # the minimal brief has no notes
    assert values("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]


@pytest.mark.parametrize("name", BRIEFS)
def test_epub_has_landmarks_and_no_page_list(editions, name):
    nav = epub_xml(editions[name] / f"{name}.epub", "EPUB/nav.xhtml")
    landmarks = nav.xpath("//x:nav[@epub:type='landmarks']//x:a/@epub:type", namespaces=NS)
    assert landmarks == (["bodymatter"] if name == "minimal" else ["bodymatter", "endnotes"])
    assert not nav.xpath("//x:nav[@epub:type='page-list']", namespaces=NS)


@pytest.mark.parametrize("name", BRIEFS)
def test_epub_language_is_set_everywhere(editions, name):
    epub = editions[name] / f"{name}.epub"
    assert epub_xml(epub, "EPUB/content.opf").get(XML_LANG) == LANGS[name]
    docs = epub_documents(epub, include_nav=True)
    assert len(docs) >= 3
    for doc in docs:
        assert (doc.get("lang"), doc.get(XML_LANG)) == (LANGS[name], LANGS[name])


# --- the image lint, reproducibility and the --check command ---------------------------------


@pytest.fixture
def brief_with_bare_image(tmp_path) -> Path:
    Image.new("RGB", (40, 20), "steelblue").save(tmp_path / "chart.png")
    source = tmp_path / "bare.md"
    source.write_text("---\ntitle: Bare Image\n---\n\n## Chart\n\nText.\n\n![](chart.png)\n", encoding="utf-8")
    return source


def test_image_without_alt_text_is_a_warning_and_an_error_in_strict_mode(brief_with_bare_image, tmp_path):
    code, _, err = run_build(str(brief_with_bare_image), "--out", str(tmp_path / "out"), "--format", "pdf,pdfa")
    assert code == 0
    assert f"{brief_with_bare_image}:9: image chart.png has no alt text" in err
    # Tagged still, but claiming no accessibility the figure does not have: no PDF/UA-1, and PDF/A-3b
    # (which asks for no description) instead of 3a.
    with pikepdf.open(tmp_path / "out" / "bare.pdf") as pdf, pdf.open_metadata() as xmp:
        assert "/StructTreeRoot" in pdf.Root and "pdfuaid:part" not in xmp
    with pikepdf.open(tmp_path / "out" / "bare-archive.pdf") as pdf, pdf.open_metadata() as xmp:
        assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("3", "B")
        assert "/StructTreeRoot" in pdf.Root and pdf.Root.MarkInfo.Marked
    code, _, err = run_build(str(brief_with_bare_image), "--out", str(tmp_path / "out"), "--strict")
    assert code == 1 and "--strict is on" in err


@pytest.mark.parametrize("name", BRIEFS)
def test_two_builds_give_identical_bytes(editions, tmp_path, name):
    code, _, err = run_build(str(BRIEFS[name]), "--out", str(tmp_path), "--format", ALL_FORMATS)
    assert code == 0, err
    for edition in (f"{name}.pdf", f"{name}.epub", f"{name}-archive.pdf"):
        assert (tmp_path / edition).read_bytes() == (editions[name] / edition).read_bytes(), edition


def test_check_prints_one_line_per_validator_and_edition(tmp_path):
    code, out, err = run_build(str(BRIEFS["minimal"]), "--out", str(tmp_path), "--check", "-q")
    assert code == 0, out + err
    lines = out.splitlines()
    assert [line.split()[:3] for line in lines[:-1]] == [
        ["ok", "pdfua", "minimal.pdf"],
        ["ok", "pdf-rules", "minimal.pdf"],
        ["ok", "verapdf", "minimal.pdf"],
        ["ok", "pdfua", "minimal-print.pdf"],
        ["ok", "pdf-rules", "minimal-print.pdf"],
        ["ok", "verapdf", "minimal-print.pdf"],
        ["ok", "epubcheck", "minimal.epub"],
        ["ok", "ace", "minimal.epub"],
        ["ok", "pdfa-rules", "minimal-archive.pdf"],
        ["ok", "verapdf", "minimal-archive.pdf"],
    ]
    assert lines[-1] == "check: 10 passed, 0 failed"


def edited_epub(good: Path, out: Path, old: bytes, new: bytes) -> Path:
    """A copy of an EPUB whose first page has old replaced by new, once."""
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "EPUB/brief.xhtml":
                assert old in data
                data = data.replace(old, new, 1)
            dst.writestr(item, data)
    return out


def broken_epub(good: Path, out: Path) -> Path:
    """A copy of an EPUB whose first page has an element XHTML does not know."""
    return edited_epub(good, out, b"<h1", b"<blink>x</blink><h1")


def test_epubcheck_fails_a_broken_epub_alone_and_in_one_jvm_with_others(editions, tmp_path):
    good = editions["minimal"] / "minimal.epub"
    broken = broken_epub(good, tmp_path / "broken.epub")
    with ThreadPoolExecutor(max_workers=2) as pool:  # two JVMs side by side: each is mostly its start-up
        alone_run, batch_run = pool.submit(run_epubcheck, broken), pool.submit(run_epubchecks, [good, broken])
        alone, batch = alone_run.result(), batch_run.result()
    assert alone.errors >= 1 and any("RSC-005" in line and "blink" in line for line in alone.details), alone.details
    assert (batch[1].errors, batch[1].warnings, batch[1].details) == (alone.errors, alone.warnings, alone.details)
    assert batch[0].edition == good and batch[0].passed, batch[0].details


def test_ace_in_one_browser_reports_each_violation_for_its_own_epub(editions, monkeypatch, tmp_path):
    """Several EPUBs go through Ace in one browser, two at a time: the logo without alt text is
    reported for the EPUB that has it, between two that pass."""
    first, last = editions["minimal"] / "minimal.epub", editions["links"] / "links.epub"
    bare = edited_epub(first, tmp_path / "bare.epub", b' alt="Institute of South Asian Studies"', b"")

    def alone(epub):
        raise AssertionError(f"the batch gave no report for {epub.name}")

    monkeypatch.setattr(validate, "run_ace", alone)
    verdicts = run_aces([first, bare, last])
    assert [(v.edition, v.passed) for v in verdicts] == [(first, True), (bare, False), (last, True)]
    assert verdicts[1].violations == 1, verdicts[1].details
    assert verdicts[1].details[0].startswith("brief.xhtml: image-alt (critical)"), verdicts[1].details


def test_check_fails_when_a_validator_finds_problems(brief_with_bare_image, tmp_path):
    """An image with no alt text: each validator that reads alt text objects, and our rules find the
    PDFs claiming no PDF/UA-1 and an archive of PDF/A-3b, not 3a; epubcheck has no rule for it."""
    code, out, _ = run_build(str(brief_with_bare_image), "--out", str(tmp_path), "--check", "-q")
    assert code == 1
    failed = {line.split()[1] for line in out.splitlines() if line.startswith("FAIL")}
    assert failed == {"pdfua", "pdf-rules", "verapdf", "ace", "pdfa-rules"}
    assert "XMP pdfaid is ('3', 'B'), not ('3', 'A')" in out and "MarkInfo /Marked is not true" not in out
    assert "UA-13-004" in out and "image-alt" in out and "7.3-1" in out


# --- helpers --------------------------------------------------------------------------------


def flatten(items, level=1):
    for item in items:
        yield level, item.title
        yield from flatten(item.children, level + 1)


def descendants(node):
    kids = node.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from descendants(kid)


def epub_xml(epub: Path, name: str):
    with zipfile.ZipFile(epub) as z:
        return etree.fromstring(z.read(name))


def epub_documents(epub: Path, include_nav: bool = False) -> list:
    """The spine's content documents in reading order (the cover has no headings)."""
    opf = epub_xml(epub, "EPUB/content.opf")
    hrefs = {item.get("id"): item.get("href") for item in opf.xpath("//opf:item", namespaces=NS)}
    names = [hrefs[ref] for ref in opf.xpath("//opf:itemref/@idref", namespaces=NS)]
    if include_nav:
        names.append("nav.xhtml")
    return [epub_xml(epub, f"EPUB/{name}") for name in names]


@pytest.mark.parametrize(
    "content",
    [b"/Span\n<</MCID 0>>\nBDC\nEMC\n/P\n<</MCID 1>>\nBDC\nEMC\n", b"/Span <</MCID 0>> BDC EMC /P <</MCID 1>> BDC EMC"],
    ids=["as WeasyPrint writes it", "written otherwise"],
)
def test_margin_content_becomes_an_artifact_as_weasyprint_writes_it_or_otherwise(content):
    """The orphans' marks are rewritten where WeasyPrint writes them; content written any other way
    is parsed and written again: either way the orphan alone becomes pagination."""
    from briefpress.render.pdftags import as_artifacts

    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].obj.Contents = pdf.make_stream(content)
    rewritten = pikepdf.Stream(pdf, as_artifacts(pdf.pages[0], {0}))
    marks = [
        [str(o) if isinstance(o, pikepdf.Name) else dict(o) for o in ops]
        for ops, op in pikepdf.parse_content_stream(rewritten)
        if str(op) == "BDC"
    ]
    assert marks == [["/Artifact", {"/Type": "/Pagination"}], ["/P", {"/MCID": 1}]]

"""Citations by key: one sequence of notes with links and footnotes, in Chicago style, in every
edition; missing keys and broken bibliographies reported; the brief says how to cite it."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from conftest import FIXTURES, run_build
from helpers import NS, pdf_links, pdf_pages_text, squash
from robust import only_error, write_brief

CITED = FIXTURES / "cite" / "cited.md"
CITED_JSON = FIXTURES / "cite" / "cited-json.md"
DOI_URL = "https://doi.org/10.1525/as.2021.61.3.455"

# What Chicago notes and bibliography (17th edition) prints for tests/fixtures/cite/cited.md, in
# reading order: the summary, the body, the footnote, a full note on first citation, a short one after.
NOTES = [
    "Amit Ranjan, The Partition of India: Postcolonial Legacies (London: Routledge, 2020).",
    "Ranjan, 12.",
    "See Sara Khan and Omar Ali, “Border Fencing and Its Discontents,” Asian Survey 61, no. 3 (2021): 455–78, "
    f"{DOI_URL}; International Crisis Group, Pakistan: The Militant Jihadi Challenge, Asia Report no. 164 "
    "(International Crisis Group, 2024), https://www.crisisgroup.org/asia/south-asia/pakistan/164.",
    "Pakistan.",
    "Dawn, “Torkham Crossing Reopens After Clashes,” October 20, 2025, https://www.dawn.com/news/1900000.",
    "Ranjan, The Partition of India, 45–47.",
    "Khan and Ali, “Border Fencing and Its Discontents.”",
    "A footnote that also cites a work: Dawn, “Torkham Crossing Reopens After Clashes”.",
]
# Keys that refs.bib lacks, a handle in running text and a citation with a locator: each printed as
# written, with a warning at its line.
AS_WRITTEN = "Ask @nasa for the images. One source is not in the bibliography [@nokey, p. 3]."


def missing_warnings(stem: str, suffix: str) -> list[str]:
    return [
        f"warning: tests/fixtures/cite/{stem}.md:{line}: citation @{key}: not in refs.{suffix}, so it is printed "
        f"as written (add the entry to the bibliography, or write \\@{key} if it is not a citation)"
        for line, key in ((25, "nasa"), (26, "nokey"))
    ]


CITE_AS = (
    "Raman, Priya. Fences and Crossings: A Cited Test Brief. ISAS Brief No. 1235. Institute of South Asian "
    "Studies, 2026. https://doi.org/10.5555/isas.brief.1235."
)


# `cited` (conftest): the cited brief built once in every edition with --references: (folder, stderr).


def epub_page(folder: Path, stem: str, name: str):
    with zipfile.ZipFile(folder / f"{stem}.epub") as z:
        return etree.fromstring(z.read(f"EPUB/{name}"))


def text_of(element) -> str:
    return squash("".join(element.itertext()).replace("\u2060", "").replace("\u200b", ""))


def pdf_text(path: Path) -> str:
    """The PDF's text without any white space: a URL broken across lines reads as one."""
    return "".join(squash(" ".join(pdf_pages_text(path))).split())


def compact(text: str) -> str:
    return "".join(text.split())


def test_epub_notes_are_one_sequence_in_chicago_style(cited):
    notes = epub_page(cited[0], "cited", "notes.xhtml")
    items = notes.findall(".//x:li[@epub:type='endnote']", NS)
    texts = [text_of(li.find(".//x:span[@class='note-text']", NS)) for li in items]
    assert texts == NOTES
    kinds = [li.get("class").split()[1] for li in items]
    assert kinds == ["note-citation"] * 7 + ["note-footnote"]


def test_the_pdf_prints_the_same_notes_in_the_same_order(cited):
    text = pdf_text(cited[0] / "cited.pdf")
    notes = text[text.index("Notes") : text.index("References")]
    positions = [notes.find(compact(note)) for note in NOTES]
    assert -1 not in positions, notes
    assert positions == sorted(positions)


def test_a_citation_and_a_link_to_the_same_url_share_one_note(cited):
    brief = epub_page(cited[0], "cited", "brief.xhtml")
    calls = [a.get("href").split("#")[1] for a in brief.iterfind(".//x:a[@role='doc-noteref']", NS)]
    assert calls.count("note-5") == 2  # [@dawn2025] and the link to its URL
    assert len(set(calls)) == 8


def test_a_doi_is_a_live_link_in_the_pdf_and_printed_in_full_on_paper(cited):
    folder = cited[0]
    assert DOI_URL in [link.uri for link in pdf_links(folder / "cited.pdf")]
    assert pdf_links(folder / "cited-print.pdf") == [] or all(
        not link.uri for link in pdf_links(folder / "cited-print.pdf")
    )
    assert DOI_URL in pdf_text(folder / "cited-print.pdf")
    assert DOI_URL in text_of(epub_page(folder, "cited", "notes.xhtml"))


def test_a_key_the_bibliography_lacks_is_printed_as_written_with_a_warning_at_its_line(cited):
    folder, err = cited
    assert [line for line in err.splitlines() if line.startswith("warning:")] == missing_warnings("cited", "bib")
    brief = epub_page(folder, "cited", "brief.xhtml")
    assert text_of(brief.xpath("//x:p[starts-with(., 'The book')]", namespaces=NS)[0]).endswith("own.7,8 " + AS_WRITTEN)
    for pdf in ("cited.pdf", "cited-print.pdf"):
        assert compact(AS_WRITTEN) in pdf_text(folder / pdf)
        assert "nokey?" not in pdf_text(folder / pdf) and "Noentry" not in pdf_text(folder / pdf)


def test_a_citation_naming_a_missing_key_is_its_text_wherever_it_is_and_the_work_keeps_its_full_note(tmp_path):
    """A group with one missing key is printed whole as written (citeproc never sees it, so the
    work's first note is still its full one); a missing key in a footnote is warned about too."""
    entry = {"id": "a", "type": "book", "title": "Rivers", "author": [{"family": "Khan", "given": "Sara"}]}
    (tmp_path / "refs.json").write_text(json.dumps([{**entry, "issued": {"date-parts": [[2020]]}}]))
    text = "See [@a; @gone, p. 3] and -@gone.^[A note on @elsewhere2020.]\n\nLater [@a, 4]."
    path = write_brief(tmp_path, text, front="title: T\nbibliography: refs.json")
    code, _, err = run_build(str(path), "--out", str(tmp_path / "out"), "--format", "html")
    assert code == 0, err
    assert [line.split(": ")[2] for line in err.splitlines() if line.startswith("warning:")] == [
        "citation @elsewhere2020",
        "citation @gone",
    ]
    page = etree.HTML((tmp_path / "out" / "brief.html").read_text(encoding="utf-8"))
    assert [text_of(p) for p in page.xpath("//main//p")][:2] == ["See [@a; @gone, p. 3] and -@gone.1", "Later.2"]
    notes = [text_of(li.find(".//span[@class='note-text']")) for li in page.xpath("//li[contains(@class, 'note ')]")]
    assert notes == ["A note on @elsewhere2020.", "Sara Khan, Rivers (2020), 4."]


@pytest.mark.parametrize("cite", ["[@a]", "[@nokey]"])
def test_a_cited_brief_nested_too_deep_is_one_error(tmp_path, cite):
    (tmp_path / "refs.bib").write_text("@book{a, title = {X}}\n")
    path = write_brief(tmp_path, "> " * 600 + f"Deep {cite}.", front="title: T\nbibliography: refs.bib")
    error = only_error(run_build(str(path), "--out", str(tmp_path / "out"), "--format", "html")[2])
    assert error["what"] == "the Markdown nests block quotes or lists hundreds of levels deep"


def test_strict_refuses_a_missing_key(tmp_path):
    code, _, err = run_build(str(CITED), "--out", str(tmp_path), "--format", "epub", "--strict")
    assert code == 1
    assert "citation @nokey: not in refs.bib" in err and "--strict is on" in err


def test_references_follow_the_notes_sorted_by_the_style(cited):
    notes = epub_page(cited[0], "cited", "notes.xhtml")
    entries = [text_of(e) for e in notes.iterfind(".//x:section[@id='bp-references']//x:div", NS)][1:]
    assert [e.split(".")[0] for e in entries] == [
        "Dawn",
        "International Crisis Group",
        "Khan, Sara, and Omar Ali",
        "Ranjan, Amit",
    ]
    text = pdf_text(cited[0] / "cited.pdf")
    assert text.index("Notes") < text.index("ReferencesDawn.") < text.index("Howtocitethisbrief")


def test_no_references_unless_asked(tmp_path):
    code, _, err = run_build(str(CITED), "--out", str(tmp_path), "--format", "epub")
    assert code == 0, err
    assert "References" not in text_of(epub_page(tmp_path, "cited", "notes.xhtml"))


def test_every_edition_says_how_to_cite_the_brief(cited):
    folder = cited[0]
    for pdf in ("cited.pdf", "cited-print.pdf"):
        assert compact(f"How to cite this brief {CITE_AS}") in pdf_text(folder / pdf)
    about = epub_page(folder, "cited", "about.xhtml")
    assert text_of(about.find(".//x:p[@class='cite-as']", NS)) == CITE_AS
    web = etree.HTML((folder / "cited.html").read_text(encoding="utf-8"))
    assert squash("".join(web.find(".//p[@class='cite-as']").itertext())) == CITE_AS


def test_the_doi_and_url_are_in_the_xmp_and_the_opf(cited, tmp_path):
    folder = cited[0]
    prism_url = "{http://prismstandard.org/namespaces/basic/3.0/}url"
    for name in ("cited.pdf", "cited-print.pdf", "cited-archive.pdf"):
        with pikepdf.open(folder / name) as pdf:
            xmp = pdf.open_metadata()
            assert xmp["dc:identifier"] == "doi:10.5555/isas.brief.1235"
            if name.endswith("-archive.pdf"):  # PDF/A admits only its predefined XMP schemas
                assert prism_url not in xmp
            else:
                assert xmp[prism_url] == "https://www.isas.nus.edu.sg/papers/fences-and-crossings-a-cited-test-brief/"
    opf = epub_page(folder, "cited", "content.opf")
    doi = opf.find(".//dc:identifier[@id='doi']", NS)
    assert doi.text == "urn:doi:10.5555/isas.brief.1235"
    scheme = opf.find(".//opf:meta[@refines='#doi']", NS)
    assert (scheme.get("property"), scheme.get("scheme"), scheme.text) == ("identifier-type", "onix:codelist5", "06")


def test_the_validators_pass_a_cited_brief(verdicts):
    checked = [v for (_, name), v in verdicts.items() if name.startswith("cited")]
    assert len(checked) == 10, [(v.validator, v.edition.name) for v in checked]
    for verdict in checked:
        assert (verdict.errors, verdict.warnings, verdict.violations) == (0, 0, 0), (
            verdict.validator,
            verdict.details,
        )


def test_csl_json_a_link_before_its_citation_and_references_from_front_matter(tmp_path):
    code, _, err = run_build(str(CITED_JSON), "--out", str(tmp_path), "--format", "epub", "--strict")
    assert code == 0, err
    notes = epub_page(tmp_path, "cited-json", "notes.xhtml")
    texts = [text_of(li.find(".//x:span[@class='note-text']", NS)) for li in notes.iterfind(".//x:li", NS)]
    assert texts == [
        "Omar Siddiqui, Rivers of Dispute (Karachi: Oxford University Press, 2019), 3.",
        "World Bank, Water Security in the Indus Basin (Washington, DC: World Bank, 2024), "
        "https://www.worldbank.org/en/topic/water.",
    ]
    assert "References Siddiqui, Omar. Rivers of Dispute." in text_of(notes)
    about = text_of(epub_page(tmp_path, "cited-json", "about.xhtml"))
    assert "ISAS Brief. Institute of South Asian Studies, 2026. https://www.example.org/briefs/rivers/." in about


# The same entries as refs.bib in CSL YAML (as pandoc writes it) and in RIS. Pandoc 3.9's RIS reader
# keeps less: no full date (DA), no report type or number (M3, SN), no short title; the build warns
# about each tag it passes over. These are the notes that change; the others read as from the .bib.
RIS_NOTES = NOTES[:2] + [
    NOTES[2].replace(", Asia Report no. 164 (", " ("),
    "Pakistan: The Militant Jihadi Challenge.",
    NOTES[4].replace("October 20, 2025", "2025"),
    "Ranjan, The Partition of India: Postcolonial Legacies, 45–47.",
    NOTES[6],
    "A footnote that also cites a work: Dawn, “Torkham Crossing Reopens After Clashes”.",
]
RIS_WARNINGS = [
    "warning: tests/fixtures/cite/refs.ris:30: pandoc's RIS reader ignores DA, the full date: the notes give "
    "PY's year only (give this entry in a .bib or CSL file)",
    "warning: tests/fixtures/cite/refs.ris:31: pandoc's RIS reader ignores Y2, the access date "
    "(give this entry in a .bib or CSL file)",
    "warning: tests/fixtures/cite/refs.ris:39: pandoc's RIS reader ignores M3, the type of work "
    "(give this entry in a .bib or CSL file)",
    "warning: tests/fixtures/cite/refs.ris:40: pandoc reads SN as an ISSN, so a report's number is not printed "
    "(give this entry in a .bib or CSL file)",
    *missing_warnings("cited-ris", "ris"),
]


@pytest.mark.parametrize(("stem", "expected"), [("cited-yaml", NOTES), ("cited-ris", RIS_NOTES)])
def test_csl_yaml_and_ris_bibliographies_give_the_notes_of_the_bib_in_pdf_and_epub(tmp_path, stem, expected):
    code, _, err = run_build(str(FIXTURES / "cite" / f"{stem}.md"), "--out", str(tmp_path), "--format", "pdf,epub")
    assert code == 0, err
    notes = epub_page(tmp_path, stem, "notes.xhtml")
    texts = [text_of(li.find(".//x:span[@class='note-text']", NS)) for li in notes.iterfind(".//x:li", NS)]
    assert texts == expected
    text = pdf_text(tmp_path / f"{stem}.pdf")
    positions = [text.find(compact(note)) for note in expected]
    assert -1 not in positions and positions == sorted(positions), text
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    if stem == "cited-ris":
        assert warnings == RIS_WARNINGS  # nothing pandoc drops goes unsaid
    else:
        assert warnings == missing_warnings("cited-yaml", "yaml")


def test_ris_types_pandoc_does_not_know_and_the_place_are_warned_about(tmp_path):
    (tmp_path / "refs.ris").write_text("TY  - ELEC\nID  - a\nTI  - Page\nCY  - Lahore\nER  - \n")
    path = write_brief(tmp_path, "Text [@a].", front="title: T\nbibliography: refs.ris")
    code, _, err = run_build(str(path), "--out", str(tmp_path / "out"), "--format", "epub")
    assert code == 0, err
    ris = tmp_path / "refs.ris"
    assert f"warning: {ris}:1: pandoc reads TY ELEC as a generic entry, without a type's quotes and italics" in err
    assert f"warning: {ris}:4: pandoc's RIS reader ignores CY, the place of publication (write it as PP" in err
    code, _, err = run_build(str(path), "--out", str(tmp_path / "out"), "--format", "epub", "--strict")
    assert code == 1 and "--strict is on" in err


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("references:\n- id: a\n  type: book\n  issued: 2026-02-30\n", "4", "'issued' is not a date: 2026-02-30"),
        ("references:\n- &x {id: a, type: book}\n- *x\n", "2", "YAML anchors and aliases are refused"),
        ('references:\n- id: a\n  title: "\u0080"\n', "3", "character U+0080 is not allowed in CSL YAML"),
        ("references:\n- id: a\n  title: [x\n", "4", "malformed CSL YAML"),
    ],
)
def test_a_bad_csl_yaml_file_is_one_error_at_its_own_line(tmp_path, text, line, what):
    (tmp_path / "refs.yaml").write_text(text, encoding="utf-8")
    path = write_brief(tmp_path, "Text [@a].", front="title: T\nbibliography: refs.yaml")
    error = only_error(run_build(str(path), "--out", str(tmp_path / "out"), "--format", "epub")[2])
    assert (Path(error["file"]).name, error["line"]) == ("refs.yaml", line)
    assert error["what"].startswith(what), error["what"]


def copy_fixture(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    shutil.copytree(FIXTURES / "cite", folder)
    return folder


def test_a_malformed_bibtex_file_is_one_error_at_its_own_line(tmp_path):
    folder = copy_fixture(tmp_path)
    (folder / "refs.bib").write_text("@book{a,\n  title = {X},\n  author = {Y\n}\n@book{b, title = {Z}}\n")
    error = only_error(run_build(str(folder / "cited.md"), "--out", str(tmp_path / "out"))[2])
    assert (Path(error["file"]).name, error["line"]) == ("refs.bib", "5")
    assert error["what"].startswith("malformed bibliography: unexpected")


def test_a_malformed_csl_json_file_is_one_error_at_its_own_line(tmp_path):
    folder = copy_fixture(tmp_path)
    (folder / "refs.json").write_text('[\n  {"id": "a", "type": "book",}\n]\n')
    error = only_error(run_build(str(folder / "cited-json.md"), "--out", str(tmp_path / "out"))[2])
    assert (Path(error["file"]).name, error["line"]) == ("refs.json", "2")
    assert error["what"].startswith("malformed CSL JSON")


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("../refs.bib", "refs.bib: the path leads outside the manuscript's folder"),
        ("/etc/refs.bib", "/etc/refs.bib: absolute paths and URLs are refused"),
        ("none.bib", "none.bib: file not found"),
        ("refs.txt", "refs.txt: not a file citeproc reads"),
    ],
)
def test_a_bibliography_follows_the_rules_for_images(tmp_path, name, what):
    (tmp_path / "refs.bib").write_text("@book{a, title = {X}}\n")
    path = write_brief(tmp_path / "in", "Text [@a].", front=f"title: T\nbibliography: {name}")
    error = only_error(run_build(str(path), "--out", str(tmp_path / "out"))[2])
    assert error["line"] == "3"
    assert error["what"].endswith(what.split(": ", 1)[1]) and name in error["what"]


def test_a_malformed_doi_is_a_front_matter_error(tmp_path):
    path = write_brief(tmp_path, "Text.", front="title: T\ndoi: 11.2/x")
    error = only_error(run_build(str(path), "--out", str(tmp_path / "out"))[2])
    assert (error["line"], error["what"]) == ("3", "'doi' is not a DOI: '11.2/x'")


def test_a_brief_without_a_bibliography_keeps_its_at_signs(tmp_path):
    path = write_brief(tmp_path, "Write to me [@home] or at me@example.org.")
    code, _, err = run_build(str(path), "--out", str(tmp_path / "out"), "--format", "epub")
    assert code == 0, err
    assert "Write to me [@home] or at me@example.org." in text_of(epub_page(tmp_path / "out", "brief", "brief.xhtml"))


def test_without_a_bibliography_only_citations_meant_as_such_are_warned_and_all_print_as_written(tmp_path):
    """`@isas_nus` in prose is a handle, not a citation: no warning. A key in brackets, with a
    locator, `-@key`, or a bare key with a year or a prefix was meant as a citation: warned."""
    text = (
        "Write to @isas_nus or @ISAS_NUS, (@handle) at me@example.org.\n\n"
        "As [@smith2020, p. 3] and @lee [p. 4] show, -@roe says, and @doi:10.1038/x12 and @doe1998a too."
    )
    path = write_brief(tmp_path, text)
    code, _, err = run_build(str(path), "--out", str(tmp_path / "out"), "--format", "html")
    assert code == 0, err
    warned = [line.split(": ")[2].split()[1] for line in err.splitlines() if line.startswith("warning:")]
    assert warned == ["@smith2020", "@lee", "@roe", "@doi:10.1038/x12", "@doe1998a"], err
    page = etree.HTML((tmp_path / "out" / "brief.html").read_text(encoding="utf-8"))
    assert [squash(" ".join(p.itertext())) for p in page.xpath("//main//p")][:2] == text.split("\n\n")


def test_the_web_edition_carries_highwire_open_graph_and_json_ld(cited):
    page = etree.HTML((cited[0] / "cited.html").read_text(encoding="utf-8"))
    url = "https://www.isas.nus.edu.sg/papers/fences-and-crossings-a-cited-test-brief/"

    def tag(key):
        return page.xpath(f"//meta[@name='{key}' or @property='{key}']/@content")

    assert tag("citation_title") == ["Fences and Crossings: A Cited Test Brief"]
    assert tag("citation_author") == ["Priya Raman"]
    assert tag("citation_publication_date") == ["2026/03/05"]
    assert (
        tag("citation_publisher")
        == tag("citation_technical_report_institution")
        == ["Institute of South Asian Studies"]
    )
    assert tag("citation_pdf_url") == [url + "cited.pdf"]
    assert tag("citation_doi") == ["10.5555/isas.brief.1235"]
    assert tag("og:url") == [url] and page.xpath("//link[@rel='canonical']/@href") == [url]
    assert tag("og:title") == tag("twitter:title") == ["Fences and Crossings: A Cited Test Brief"]
    (script,) = page.xpath("//script[@type='application/ld+json']/text()")
    report = json.loads(script)
    assert report["@type"] == "Report" and report["@context"] == "https://schema.org"
    assert report["author"] == [{"@type": "Person", "name": "Priya Raman"}]
    assert report["publisher"]["name"] == "Institute of South Asian Studies"
    assert (report["datePublished"], report["inLanguage"]) == ("2026-03-05", "en")
    assert report["isPartOf"] == {"@type": "CreativeWorkSeries", "name": "ISAS Brief"}
    assert report["identifier"] == {"@type": "PropertyValue", "propertyID": "DOI", "value": "10.5555/isas.brief.1235"}


def test_json_ld_cannot_close_its_script(tmp_path):
    path = write_brief(tmp_path, "Text.", front='title: "A </script><script>alert(1)</script> title"')
    code, _, err = run_build(str(path), "--out", str(tmp_path / "out"), "--format", "html")
    assert code == 0, err
    page = etree.HTML((tmp_path / "out" / "brief.html").read_text(encoding="utf-8"))
    assert len(page.xpath("//script")) == 1
    (script,) = page.xpath("//script/text()")
    assert json.loads(script)["name"] == "A </script><script>alert(1)</script> title"


@pytest.fixture(scope="module")
def series(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("series")
    sources = (CITED, CITED_JSON, FIXTURES / "minimal.md")
    code, _, err = run_build(*(str(s) for s in sources), "--out", str(out), "--format", "html,pdf", "-q")
    assert code == 0, err
    return out


def test_the_series_feed_is_valid_atom_newest_first(series):
    schema = etree.RelaxNG(etree.parse(str(Path(__file__).parent / "schemas" / "atom.rng")))
    feed = etree.parse(str(series / "feed.xml"))
    assert schema.validate(feed), schema.error_log
    atom = {"a": "http://www.w3.org/2005/Atom"}
    assert feed.xpath("/a:feed/a:entry/a:id/text()", namespaces=atom) == [
        "https://doi.org/10.5555/isas.brief.1235",
        "https://www.example.org/briefs/rivers/",
        "https://www.isas.nus.edu.sg/papers/a-minimal-brief/",
    ]
    assert feed.xpath("/a:feed/a:entry[1]/a:link[@rel='alternate']/@href", namespaces=atom) == ["cited.html"]
    catalogue = etree.HTML((series / "index.html").read_text(encoding="utf-8"))
    assert catalogue.xpath("//link[@type='application/atom+xml']/@href") == ["feed.xml"]


def test_the_atom_schema_refuses_a_broken_feed(series):
    schema = etree.RelaxNG(etree.parse(str(Path(__file__).parent / "schemas" / "atom.rng")))
    text = (series / "feed.xml").read_bytes()
    assert not schema.validate(
        etree.fromstring(text.replace(b"<id>", b"<identifier>", 1).replace(b"</id>", b"</identifier>", 1))
    )
    assert not schema.validate(etree.fromstring(text.replace(b"T00:00:00Z", b"", 1)))


def test_each_brief_of_a_series_has_its_citation_as_bib_ris_and_csl_json(series):
    import pypandoc

    (item,) = json.loads((series / "cited.json").read_text(encoding="utf-8"))
    assert item["type"] == "report" and item["DOI"] == "10.5555/isas.brief.1235"
    assert item["author"] == [{"family": "Raman", "given": "Priya"}]
    for suffix, reader in ((".bib", "bibtex"), (".ris", "ris")):
        (back,) = json.loads(pypandoc.convert_file(str(series / f"cited{suffix}"), "csljson", format=reader))
        assert back["title"] == "Fences and Crossings: A Cited Test Brief", suffix
        assert back["DOI"] == "10.5555/isas.brief.1235", suffix
        assert back["author"] == [{"family": "Raman", "given": "Priya"}], suffix
        assert back["issued"]["date-parts"][0][0] == 2026, suffix
    catalogue = etree.HTML((series / "index.html").read_text(encoding="utf-8"))
    assert catalogue.xpath("(//p[@class='cite-files'])[1]/a/@href") == ["cited.bib", "cited.ris", "cited.json"]


def test_a_changed_bibliography_entry_is_not_served_from_the_cache(tmp_path):
    shutil.copytree(Path(__file__).resolve().parent.parent / "styles", tmp_path / "styles")
    folder = copy_fixture(tmp_path)
    brief = folder / "cited-json.md"

    def notes() -> str:
        code, _, err = run_build(
            str(brief), "--out", str(tmp_path / "dist"), "--format", "epub", cwd=tmp_path, cache=True
        )
        assert code == 0, err
        return text_of(epub_page(tmp_path / "dist", "cited-json", "notes.xhtml"))

    assert "Rivers of Dispute" in notes()
    refs = folder / "refs.json"
    refs.write_text(
        refs.read_text(encoding="utf-8").replace("Rivers of Dispute", "Rivers in Dispute"), encoding="utf-8"
    )
    assert "Rivers in Dispute" in notes()


def test_the_compact_default_style_formats_as_the_style_itself():
    from briefpress.read.bibliography import default_csl, style_file
    from briefpress.read.markdown import parse_cited
    from briefpress.records import Bibliography
    from briefpress.scratch import scratch_folder

    bibliography = Bibliography(files=(CITED.parent / "refs.bib",), csl=default_csl())
    text = CITED.read_text(encoding="utf-8")
    as_shipped, missing = parse_cited(text, CITED, bibliography)  # outside a build: the style file itself
    with scratch_folder():
        compact_style = style_file(default_csl())
        assert compact_style != default_csl()
        assert compact_style.stat().st_size < 0.7 * default_csl().stat().st_size
        compacted, still_missing = parse_cited(text, CITED, bibliography)
    assert as_shipped["meta"].pop("csl") != compacted["meta"].pop("csl")  # the file pandoc was given
    assert compacted == as_shipped
    assert missing == still_missing == ("nasa", "nokey")  # citeproc did run

"""Manuscripts as they arrive: a brief laid out the way the sample is, without front matter, builds
as it is, and the build says what it read from where (note: FILE:LINE: ...)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypandoc
import pytest

from briefpress.read.frontmatter import load_source
from conftest import FIXTURES, run_build
from helpers import NS, epub_tree, pdf_pages_text, squash

PLAIN = FIXTURES / "plain"
SAMPLE_AS_DELIVERED = PLAIN / "isas-brief.md"


@pytest.fixture(scope="module")
def delivered(tmp_path_factory) -> tuple[Path, str]:
    """The sample manuscript, byte for byte as delivered, built with the default editions."""
    out = tmp_path_factory.mktemp("delivered")
    code, _, err = run_build(str(SAMPLE_AS_DELIVERED), "--out", str(out))
    assert code == 0, err
    return out, err


def words(text: str) -> list[str]:
    text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.findall(r"[\w'-]+", text)


def test_sample_as_delivered_reads_title_author_summary_and_bio():
    meta = load_source(SAMPLE_AS_DELIVERED).meta
    assert meta.title == "Misaligned Expectations: Pakistan-Afghanistan Military Escalation"
    assert [a.name for a in meta.authors] == ["Amit Ranjan"]
    assert meta.abstract.startswith("When the Taliban returned to power") and "*" not in meta.abstract
    assert meta.authors[0].bio.startswith("Dr Amit Ranjan is a Research Fellow")
    assert meta.authors[0].email == "isasar@nus.edu.sg"


def test_build_says_once_what_it_inferred_and_from_which_line(delivered):
    _, err = delivered
    notes = [line for line in err.splitlines() if line.startswith("note:")]
    assert notes == [
        "note: tests/fixtures/plain/isas-brief.md:3: read the title from this heading",
        "note: tests/fixtures/plain/isas-brief.md:5: read the author Amit Ranjan from this line",
        "note: tests/fixtures/plain/isas-brief.md:7: read the summary from the paragraph under this heading",
        "note: tests/fixtures/plain/isas-brief.md:25: the back matter starts after this separator line (not printed)",
        "note: tests/fixtures/plain/isas-brief.md:27: read the bio of Amit Ranjan from this paragraph",
        "note: tests/fixtures/plain/isas-brief.md:27: read the email of Amit Ranjan from this bio",
    ]
    lines = SAMPLE_AS_DELIVERED.read_text(encoding="utf-8").splitlines()
    assert lines[2].startswith("## Misaligned") and lines[24] == "....." and lines[26].startswith("Dr Amit Ranjan")


def test_the_23_placeholder_links_are_still_reported_with_their_lines(delivered):
    _, err = delivered
    placeholders = re.findall(r"^warning: tests/fixtures/plain/isas-brief\.md:(\d+): placeholder link", err, re.M)
    assert len(placeholders) == 23
    lines = SAMPLE_AS_DELIVERED.read_text(encoding="utf-8").splitlines()
    expected = [n for n, line in enumerate(lines, 1) for _ in range(line.count("](#)"))]
    assert list(map(int, placeholders)) == expected and len(set(expected)) == 7


def test_every_word_of_the_manuscript_reaches_the_epub_once_in_order(delivered):
    out, _ = delivered
    brief = epub_tree(out / "isas-brief.epub", "EPUB/brief.xhtml")
    about = epub_tree(out / "isas-brief.epub", "EPUB/about.xhtml")
    for call in brief.xpath("//x:a[@epub:type='noteref']", namespaces=NS):
        call.text = ""
    parts = brief.xpath(
        "//x:h1 | //x:p[@class='byline'] | //x:section[@class='summary'] | //x:div[@class='body']", namespaces=NS
    ) + about.xpath("//x:p[@class='bio-text']", namespaces=NS)
    shown = words(" ".join("".join(p.itertext()) for p in parts))
    manuscript = pypandoc.convert_file(str(SAMPLE_AS_DELIVERED), "plain", format="markdown", extra_args=["--wrap=none"])
    assert shown == words(manuscript.replace(".....", ""))  # the separator is the only thing not printed


def test_pdf_prints_title_and_summary_heading_once_and_no_separator(delivered):
    out, _ = delivered
    pages = pdf_pages_text(out / "isas-brief.pdf")
    text = " ".join(pages)
    title = "Misaligned Expectations: Pakistan-Afghanistan Military Escalation"
    assert squash(pages[0]).count(title) == 1  # the title block; later pages repeat it in the running footer only
    # ... and the last page's How to cite this brief
    assert all(
        squash(page).count(title) == 1 + ("How to cite this brief" in page) and "ISAS Brief · " + title in squash(page)
        for page in pages[1:]
    )
    assert len(re.findall(r"S ?UMMARY|Summary", text)) == 1  # the label is letter-spaced
    assert "....." not in text
    assert "Dr Amit Ranjan is a Research Fellow" in squash(text)
    notes = epub_tree(out / "isas-brief.epub", "EPUB/notes.xhtml").xpath("//x:li[@epub:type='endnote']", namespaces=NS)
    assert len(notes) == 23


def test_two_authors_subtitle_and_back_matter(tmp_path):
    meta = load_source(PLAIN / "two-authors.md").meta
    assert meta.subtitle == "A treaty under strain"
    assert [a.name for a in meta.authors] == ["Priya Raman", "Omar Siddiqui"]
    assert (
        meta.abstract
        == "Sixty years on, the Indus Waters Treaty is under strain as dams, droughts and politics collide."
    )
    assert meta.authors[0].bio.startswith("Dr Priya Raman") and meta.authors[0].email == "priya@example.org"
    assert meta.authors[1].bio.startswith("Omar Siddiqui is a journalist") and meta.authors[1].email == ""
    code, _, err = run_build(str(PLAIN / "two-authors.md"), "--out", str(tmp_path), "--format", "epub", "--strict")
    assert code == 0, err  # notes never fail --strict
    brief = epub_tree(tmp_path / "two-authors.epub", "EPUB/brief.xhtml")
    body = "".join(brief.xpath("//x:div[@class='body']", namespaces=NS)[0].itertext())
    assert "This brief was peer reviewed." in body  # back matter that is no bio stays, as text
    assert "Dr Priya Raman" not in body and "***" not in body
    assert [h.text for h in brief.xpath("//x:div[@class='body']//x:h2", namespaces=NS)] == ["The treaty"]
    about = epub_tree(tmp_path / "two-authors.epub", "EPUB/about.xhtml")
    assert [p.text for p in about.xpath("//x:p[@class='bio-name']", namespaces=NS)] == ["Priya Raman", "Omar Siddiqui"]


@pytest.mark.parametrize(
    "line,names",
    [
        ("A. Writer", ["A. Writer"]),
        ("Ayesha Siddiqa, Rohan Mukherjee and Tan Wei Ling", ["Ayesha Siddiqa", "Rohan Mukherjee", "Tan Wei Ling"]),
        ("By Ayesha Siddiqa & Rohan Mukherjee", ["Ayesha Siddiqa", "Rohan Mukherjee"]),
    ],
)
def test_author_lines_give_one_author_each(tmp_path, line, names):
    source = tmp_path / "b.md"
    source.write_text(
        f"# Title\n\n{line}\n\nThe body is a longer paragraph that says something, as bodies do.\n", encoding="utf-8"
    )
    assert [a.name for a in load_source(source).meta.authors] == names


def test_front_matter_wins_and_may_still_take_bios_from_the_back_matter(tmp_path):
    source = tmp_path / "b.md"
    source.write_text(
        "---\ntitle: From the front matter\nauthor: Priya Raman\n---\n\n# A heading\n\nBody.\n\n"
        ".....\n\nDr Priya Raman writes on water. Reach her at <priya@example.org>.\n",
        encoding="utf-8",
    )
    meta = load_source(source).meta
    assert meta.title == "From the front matter"
    assert meta.authors[0].bio.startswith("Dr Priya Raman writes") and meta.authors[0].email == "priya@example.org"


@pytest.mark.parametrize(
    "text,line,what",
    [
        ("Just a paragraph, no heading at all.\n", 1, "no front matter, and no heading to read the title from"),
        (
            "# T\n\nA. Writer\n\n## Summary\n\n*One.*\n\n## Abstract\n\n*Two.*\n",
            9,
            "two summaries (the first at line 5)",
        ),
        ("# T\n\n## Summary\n\n## Body\n\nText.\n", 3, "the summary heading has no paragraph under it"),
    ],
)
def test_ambiguous_shape_is_one_error_line_saying_how_to_fix_it(tmp_path, text, line, what):
    source = tmp_path / "b.md"
    source.write_text(text, encoding="utf-8")
    code, _, err = run_build(str(source), "--out", str(tmp_path / "out"), "--format", "epub")
    assert code == 1 and len(err.splitlines()) == 1
    assert err.startswith(f"error: {source}:{line}: {what} (") and err.rstrip().endswith(")")
    assert not (tmp_path / "out").exists()


def test_code_blocks_are_never_read_as_headings_or_separators(tmp_path):
    source = tmp_path / "b.md"
    source.write_text(
        "# Title\n\nA. Writer\n\n```\n# not a heading\n.....\nA. Writer is in code\n```\n", encoding="utf-8"
    )
    src = load_source(source)
    assert src.meta.title == "Title" and src.meta.authors[0].bio == ""
    assert "# not a heading\n.....\nA. Writer is in code" in src.markdown


def test_a_copy_of_the_manuscript_builds_as_source_brief_md(tmp_path):
    """What the README promises: copy the manuscript in unchanged and run the build."""
    (tmp_path / "source").mkdir()
    shutil.copy(SAMPLE_AS_DELIVERED, tmp_path / "source" / "brief.md")
    shutil.copytree(Path(__file__).resolve().parents[1] / "styles", tmp_path / "styles")
    code, out, err = run_build("--format", "epub", cwd=tmp_path)
    assert code == 0, err
    opf = epub_tree(tmp_path / "dist" / "brief.epub", "EPUB/content.opf")
    assert opf.xpath("//dc:title/text()", namespaces=NS) == [
        "Misaligned Expectations: Pakistan-Afghanistan Military Escalation"
    ]
    assert opf.xpath("//dc:creator/text()", namespaces=NS) == ["Amit Ranjan"]

"""Manuscripts as they come: what can be carried is built, with a warning that quotes what was
changed, at its line; what used to stop a build with a traceback builds. One brief holds most of
the cases and is built once; the tracebacks each get a brief of their own."""

from __future__ import annotations

import pickle
import re
import zipfile
from pathlib import Path

import pypdfium2
import pytest
from lxml import etree, html

from conftest import ROOT
from helpers import NS, pdf_pages_text
from robust import cli, write_brief

LONG_URL = "https://example.org/" + "/".join(["ab"] * 1066)  # 3,200 characters, a break after each /
BODY = f"""Intro. A list straight after a paragraph:
- alpha item
- beta item

A loose list:

- loose one

- loose two

##### A level five heading

Body text after the heading.

See [the report](report.pdf) and [the lost part](#nowhere) and [a bad host](http://[::1/x).

Cited as [see @doi:10.1038/abc] and again [@doi:10.1038/abc], then @smith2020.

<form><label>Your name</label> <input type="text" value="Typed value"> <select><option>Alpha choice</option><option>Beta choice</option></select> <button>Send it</button></form>

<details><summary>More detail</summary>
Words inside details.
</details>

## Once {{#same}}

Text.

## Twice {{#same}}

A grinning face &#x1F600; written as an entity. Math $x^2 \\foo{{$ that pandoc cannot read.

<table><tr><td colspan="100000">wide cell</td></tr></table>

A note of two paragraphs.[^two]

[^two]: The first paragraph.

    The second paragraph.

{"a" * 6000} [a long address]({LONG_URL}).

<style>
p {{ color: red }}

After the unclosed style.
"""
FRONT = "title: A Test Brief\nkeywords: ['', water, power]"


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


@pytest.fixture(scope="module")
def carried(tmp_path_factory):
    folder = tmp_path_factory.mktemp("carried")
    path = write_brief(folder, BODY, front=FRONT)
    result = cli(str(path.name), "--out", "dist", "--format", "pdf,epub,html", cwd=folder, timeout=120)
    assert result.returncode == 0, result.stderr
    return folder, path, result.stderr


def warned(stderr: str, start: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(start)]


def epub_xhtml(folder: Path, name: str):
    with zipfile.ZipFile(folder / "dist" / "brief.epub") as book:
        return etree.fromstring(book.read(f"EPUB/{name}"))


def test_links_that_cannot_work_are_text_with_a_warning_at_their_line(carried):
    folder, path, stderr = carried
    line = line_of(path, "See [the report]")
    for start in (
        f"warning: brief.md:{line}: link to report.pdf is relative",
        f"warning: brief.md:{line}: link to #nowhere: no heading has that id",
        f"warning: brief.md:{line}: link to http://",
    ):
        assert len(warned(stderr, start)) == 1, stderr
    page = epub_xhtml(folder, "brief.xhtml")
    paragraph = page.xpath("//x:p[contains(., 'See the report')]", namespaces=NS)[0]
    assert "".join(paragraph.itertext()).startswith("See the report and the lost part and a bad host.")
    assert paragraph.xpath(".//x:a", namespaces=NS) == [], "the EPUB carries no broken link"


def test_a_missing_id_is_an_error_under_strict(tmp_path):
    path = write_brief(tmp_path, "## Background\n\nAs [seen above](#nope), it holds.")
    result = cli(str(path.name), "--out", "dist", "--format", "html", "--strict", cwd=tmp_path)
    assert result.returncode == 1 and "--strict is on" in result.stderr, result.stderr
    assert "warning: brief.md:7: link to #nope: no heading has that id (headings: background)" in result.stderr


def test_an_id_given_twice_is_made_unique(carried):
    folder, path, stderr = carried
    line = line_of(path, "## Twice")
    assert warned(stderr, f"warning: brief.md:{line}: the id #same is given to more than one element"), stderr
    ids = epub_xhtml(folder, "brief.xhtml").xpath("//x:h2/@id", namespaces=NS)
    assert "same" in ids and "same-2" in ids, ids
    assert "Duplicate identifier" not in stderr  # pandoc's own, without the right line, is left out


def test_citations_without_a_bibliography_are_one_warning_per_key_and_printed_as_written(carried):
    folder, path, stderr = carried
    line = line_of(path, "Cited as")
    assert (
        len(warned(stderr, f"warning: brief.md:{line}: citation @doi:10.1038/abc: the brief has no bibliography")) == 1
    )
    assert len(warned(stderr, f"warning: brief.md:{line}: citation @smith2020:")) == 1
    text = (folder / "dist" / "brief.html").read_text(encoding="utf-8")
    assert "Cited as [see @doi:10.1038/abc] and again [@doi:10.1038/abc], then @smith2020." in text


def test_form_controls_and_details_keep_their_text(carried):
    folder, path, stderr = carried
    form_line, details_line = line_of(path, "<form>"), line_of(path, "<details>")
    for tag in ("form", "label", "input", "select", "option", "button"):
        assert warned(
            stderr, f"warning: brief.md:{form_line}: removed <{tag}> control from raw HTML (its text is kept)"
        )
    assert warned(stderr, f"warning: brief.md:{details_line}: removed <details> control")
    words = " ".join("".join(epub_xhtml(folder, "brief.xhtml").itertext()).split())
    assert "Your name Typed value Alpha choice; Beta choice Send it" in words, words
    assert "More detail Words inside details." in words
    for pdf_words in (" ".join(pdf_pages_text(folder / "dist" / "brief.pdf")[0].split()),):
        assert "Alpha choice; Beta choice Send it" in pdf_words


def test_an_unclosed_style_keeps_the_text_after_it(carried):
    folder, path, stderr = carried
    line = line_of(path, "<style>")
    assert warned(stderr, f"warning: brief.md:{line}: raw HTML opens <style> and does not close it"), stderr
    assert "After the unclosed style." in (folder / "dist" / "brief.html").read_text(encoding="utf-8")


def test_a_character_written_as_an_entity_is_found_at_its_line(carried):
    _, path, stderr = carried
    line = line_of(path, "&#x1F600;")
    assert warned(stderr, f"warning: brief.md:{line}: no font in the brand covers U+1F600"), stderr
    assert not warned(stderr, "warning: styles/brand.yml"), stderr


def test_pandoc_math_warning_is_one_line_at_its_line(carried):
    _, path, stderr = carried
    math = [line for line in stderr.splitlines() if "TeX math" in line]
    start = f"warning: brief.md:{line_of(path, 'Math $x^2')}: pandoc: could not convert TeX math x^2"
    assert len(math) == 1 and math[0].startswith(start), stderr
    assert not any(line.startswith((" ", "expecting")) for line in stderr.splitlines()), stderr


def test_an_empty_keyword_is_left_out_with_a_warning(carried):
    folder, _, stderr = carried
    assert warned(stderr, "warning: brief.md:3: left out an empty keyword"), stderr
    with zipfile.ZipFile(folder / "dist" / "brief.epub") as book:
        opf = etree.fromstring(book.read("EPUB/content.opf"))
    assert opf.xpath("//dc:subject/text()", namespaces=NS) == ["water", "power"]


def test_a_huge_colspan_is_clamped_with_a_warning(carried):
    folder, path, stderr = carried
    line = line_of(path, "colspan=")
    assert warned(stderr, f"warning: brief.md:{line}: colspan=100000 is more than 100, so the cell spans 100"), stderr
    page = html.fromstring((folder / "dist" / "brief.html").read_bytes())
    assert page.xpath("//td[contains(., 'wide cell')]/@colspan") == ["100"]


def test_a_note_of_two_paragraphs_is_a_block_in_the_epub(carried):
    folder, _, _ = carried
    notes = epub_xhtml(folder, "notes.xhtml")
    assert notes.xpath("//x:span[@class='note-text'][x:p]", namespaces=NS) == [], "<p> inside <span>"
    texts = notes.xpath("//x:div[@class='note-text']/x:p/text()", namespaces=NS)
    assert texts == ["The first paragraph.", "The second paragraph."], texts


def test_a_list_straight_after_a_paragraph_is_a_list(carried):
    folder, _, _ = carried
    page = html.fromstring((folder / "dist" / "brief.html").read_bytes())
    assert page.xpath("//p[starts-with(., 'Intro.')]/following-sibling::*[1]/li/text()") == ["alpha item", "beta item"]


def test_a_loose_list_sets_its_marker_beside_the_first_line(carried):
    """The marker is drawn (not text): look for its ink left of the item's first line."""
    folder, _, _ = carried
    doc = pypdfium2.PdfDocument(str(folder / "dist" / "brief.pdf"))
    page, textpage = doc[0], doc[0].get_textpage()
    text = "".join(chr(pypdfium2.raw.FPDFText_GetUnicode(textpage, i)) for i in range(textpage.count_chars()))
    scale = 3
    image = page.render(scale=scale).to_pil().convert("L")
    height = page.get_height()
    for item in ("loose one", "alpha item"):
        left, bottom, _, top = textpage.get_charbox(text.index(item))
        column = image.crop(
            (
                int((left - 14) * scale),
                int((height - top) * scale),
                int((left - 2) * scale),
                int((height - bottom) * scale),
            )
        )
        assert column.getextrema()[0] < 128, f"no marker beside the first line of {item!r}"
    doc.close()


def test_a_link_written_as_raw_html_gets_its_numbered_note(tmp_path):
    """In a paragraph and in an HTML table (as an imported manuscript's wide tables are written), a
    raw <a href> is a link like any other: its address in a numbered note, not lost on paper."""
    body = (
        '<table>\n<tr><td>Cell with <a href="https://example.org/a?x=1&amp;y=2">a link</a> inside</td></tr>\n'
        '</table>\n\nText with <a title="B" href=\'https://example.org/b\'>a raw link</a>. An <a id="here">anchor</a>.\n'
    )
    path = write_brief(tmp_path, body)
    result = cli(str(path.name), "--out", "dist", "--format", "html", cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    page = html.fromstring((tmp_path / "dist" / "brief.html").read_bytes())
    notes = [" ".join(li.text_content().split()) for li in page.xpath("//li[contains(@class, 'note')]")]
    assert notes == ["1. https://example.org/a?x=1&y=2", "2. B. https://example.org/b"]  # a title is the note's text
    assert page.xpath("//td/a[@href='https://example.org/a?x=1&y=2']/text()") == ["a link"]
    assert page.xpath("//*[@id='here']/text()") == ["anchor"]


def test_raw_anchors_are_found_in_one_pass_over_a_long_list(monkeypatch):
    """The look for raw <a> tags is linear: a contract's 160 pages of HTML tables (100,000 raw
    tags) took minutes when each block looked ahead for a closing </a>."""
    from briefpress.compose import links

    calls = []
    original = links.raw_tag
    monkeypatch.setattr(links, "raw_tag", lambda node, pattern: calls.append(1) or original(node, pattern))
    raw = [{"t": "RawBlock", "c": ["html", "<td>"]}, {"t": "Para", "c": [{"t": "Str", "c": "x"}]}] * 5_000
    link = [{"t": "RawInline", "c": ["html", '<a href="https://example.org">']}, {"t": "Str", "c": "y"}]
    blocks = raw + [{"t": "Para", "c": [*link, {"t": "RawInline", "c": ["html", "</a>"]}]}]
    folded = links.raw_anchors_as_links(blocks)
    assert folded[-1]["c"][0]["t"] == "Link"
    assert len(calls) < 4 * len(blocks)


def test_a_note_inside_a_note_is_set_in_brackets_with_a_warning(tmp_path):
    path = write_brief(tmp_path, "Text.[^1]\n\n[^1]: The outer note ^[and *an inner* one] ends here.\n")
    result = cli(str(path.name), "--out", "dist", "--format", "html,epub", cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    line = line_of(path, "^[and")
    assert (
        f"warning: brief.md:{line}: a note inside note 1 (“and an inner one”): a note cannot hold a note, so its "
        "text is set in brackets inside it (write it as part of the note)" in result.stderr
    )
    page = html.fromstring((tmp_path / "dist" / "brief.html").read_bytes())
    notes = [" ".join(li.text_content().split()) for li in page.xpath("//li[contains(@class, 'note')]")]
    assert notes == ["1. The outer note [and an inner one] ends here."]


def test_a_loose_list_never_leaves_a_marker_alone_at_the_foot_of_a_page(tmp_path):
    """Forty loose items over five pages: each page holds as many markers as item starts (a
    floated marker used to stay behind when its paragraph moved to the next page)."""
    sentence = "The basin's reservoirs held less water this year than in any of the ten before it. "
    items = "\n\n".join(f"- Item {n}: " + sentence * (3 + n % 3) for n in range(40))
    path = write_brief(tmp_path, "## List\n\n" + items + "\n")
    result = cli(str(path.name), "--out", "dist", "--format", "pdf", cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    pages = pdf_pages_text(tmp_path / "dist" / "brief.pdf")
    assert len(pages) >= 4
    for number, text in enumerate(pages, start=1):
        assert text.count("\u2022") == len(re.findall(r"Item \d+:", text)), f"page {number}"


def test_a_level_five_heading_is_not_smaller_than_the_text(carried):
    folder, _, _ = carried
    doc = pypdfium2.PdfDocument(str(folder / "dist" / "brief.pdf"))
    textpage = doc[0].get_textpage()
    text = "".join(chr(pypdfium2.raw.FPDFText_GetUnicode(textpage, i)) for i in range(textpage.count_chars()))
    size = lambda word: pypdfium2.raw.FPDFText_GetFontSize(textpage, text.index(word))  # noqa: E731
    assert size("A level five heading") >= size("Body text after the heading")
    doc.close()


def test_a_heading_with_text_after_it_in_a_list_item_builds_the_pdf(tmp_path):
    path = write_brief(tmp_path, "- # Foo\n  bar")
    result = cli(str(path.name), "--out", "dist", "--format", "pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Foo" in pdf_pages_text(tmp_path / "dist" / "brief.pdf")[0]


def test_a_long_word_and_a_long_address_build_the_epub(tmp_path):
    path = write_brief(tmp_path, "a" * 6000 + f" [x]({LONG_URL})")
    result = cli(str(path.name), "--out", "dist", "--format", "epub", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr
    with zipfile.ZipFile(tmp_path / "dist" / "brief.epub") as book:
        notes = book.read("EPUB/notes.xhtml").decode("utf-8")
    assert "</wbr>" not in notes and notes.count("<wbr/>") > 1000


def test_a_citation_with_a_prefix_shares_its_note_with_a_link_to_its_url(tmp_path):
    (tmp_path / "refs.bib").write_text(
        "@online{dawn2025, author = {{Dawn}}, title = {Torkham Crossing Reopens},\n"
        "  url = {https://www.dawn.com/news/1900000}, date = {2025-10-20}}\n",
        encoding="utf-8",
    )
    body = "It reopened [see @dawn2025], as [Dawn reported](https://www.dawn.com/news/1900000)."
    path = write_brief(tmp_path, body, front="title: T\nbibliography: refs.bib")
    result = cli(str(path.name), "--out", "dist", "--format", "html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = html.fromstring((tmp_path / "dist" / "brief.html").read_bytes())
    notes = page.xpath("//li[contains(@class, 'note')]")
    assert len(notes) == 1, [n.text_content() for n in notes]
    assert page.xpath("//a[@class='noteref']/@href") == ["#note-1", "#note-1"]


def test_a_long_title_and_a_deep_list_stay_on_the_page(tmp_path):
    title = " ".join(f"Word{i}" for i in range(800))  # 5,000 characters
    body = "\n".join("    " * i + f"- item {i} with some words" for i in range(40))
    path = write_brief(tmp_path, body, front=f"title: {title}")
    result = cli(str(path.name), "--out", "dist", "--format", "pdf", cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    pages = pdf_pages_text(tmp_path / "dist" / "brief.pdf")
    assert "Word0 Word1" in pages[0], "the first page is left blank"
    footer = [line for line in pages[1].splitlines() if line.startswith("ISAS Brief")]
    assert footer and "Word11… 2 / " in footer[0] and len(footer[0]) < 100, footer  # one line, then the page number
    words = " ".join(" ".join(pages).split())
    assert "item 39 with some words" in words, "the deepest items are squeezed to a letter a line"


def test_a_huge_image_is_scaled_down_with_a_note(tmp_path, monkeypatch):
    from PIL import Image

    from briefpress.compose import assets
    from conftest import run_build

    monkeypatch.setattr(assets, "MAX_PIXELS", 40_000)  # a 9,000 x 9,000 image, at a test's size
    monkeypatch.setattr(assets, "FITTED_PIXELS", 10_000)
    Image.new("RGB", (300, 300), (122, 31, 43)).save(tmp_path / "big.png")
    path = write_brief(tmp_path, "Intro.\n\n![A red square](big.png)")
    code, _, err = run_build(str(path), "--out", str(tmp_path / "dist"), "--format", "html")
    assert code == 0, err
    assert "big.png: 300 x 300 pixels is more than the limit of 0 million, so it is scaled down to 100 x 100" in err
    assert f"note: {path}:7: image big.png" in err


def test_a_css_injection_in_a_brand_colour_is_the_brands_error(tmp_path):
    from helpers import edited_brand

    brand = edited_brand(
        tmp_path, lambda t: t.replace("  secondary: slate", '  secondary: "#55575B; } body { display: none"')
    )
    path = write_brief(tmp_path, "Text.")
    result = cli(
        str(path.name), "--brand", str(brand.relative_to(tmp_path)), "--out", "dist", "--format", "html", cwd=tmp_path
    )
    assert result.returncode == 1
    lines = brand.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, start=1) if text.startswith("  secondary:"))
    assert result.stderr.startswith(
        f"error: {brand.relative_to(tmp_path)}:{line}: brand: color.secondary is not a colour"
    )


def test_a_bug_in_one_brief_of_a_series_is_a_record_naming_it(tmp_path, monkeypatch, capsys):
    """What crosses from a worker must pickle: lxml's errors hold their error log, which does not."""
    from briefpress import pipeline
    from briefpress.records import BuildConfig

    def broken(*_):
        html.fragment_fromstring("<p>a</p>b")  # lxml.etree.ParserError, as label_headings once raised

    monkeypatch.setattr(pipeline, "made_or_kept", broken)
    path = write_brief(tmp_path, "Text.")
    config = BuildConfig(sources=(path,), out_dir=tmp_path / "dist", brand_path=ROOT / "styles" / "brand.yml")
    built = pickle.loads(pickle.dumps(pipeline.build_brief(config, path, fork=False)))
    (error,) = built.failures(among_others=True)
    assert error.path == path
    assert error.what.startswith("building this brief failed: lxml.etree.ParserError: Element followed by text")
    assert "Traceback" in capsys.readouterr().err  # the bug keeps its traceback


def test_an_id_given_twice_in_raw_html_is_made_unique_at_its_line(tmp_path):
    body = '<div id="box">One</div>\n\n<div id="box">Two</div>\n\n## Box {#box}\n\nText [to the box](#box).'
    path = write_brief(tmp_path, body)
    result = cli(str(path.name), "--out", "dist", "--format", "html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert warned(result.stderr, "warning: brief.md:7: the id #box is given to more than one element"), result.stderr
    page = html.fromstring((tmp_path / "dist" / "brief.html").read_bytes())
    assert page.xpath("//*[starts-with(@id, 'box')]/@id") == ["box", "box-2", "box-3"]

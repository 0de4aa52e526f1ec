"""The web edition: one page that stands alone, with the same notes and backlinks as the PDF."""

from __future__ import annotations

import re

import pytest
from lxml import html

from conftest import BRIEFS, run_build


@pytest.fixture(scope="module")
def pages(every_edition) -> dict:
    """Each brief's web page, from the builds the suite shares."""
    return {name: every_edition[name] / f"{name}.html" for name in BRIEFS}


@pytest.mark.parametrize("name", list(BRIEFS))
def test_page_refers_to_no_file_beside_it(pages, name):
    root = html.parse(str(pages[name])).getroot()
    assert root.get("lang") in ("en", "en-GB")
    refs = [v for el in root.iter() if isinstance(el.tag, str) for k, v in el.attrib.items() if k in ("src", "href")]
    outside = [r for r in refs if not re.match(r"(https?:|mailto:|#|data:image/)", r)]
    # JSON-LD is data, not a program: the page runs no script
    assert outside == [] and not root.xpath("//link[@rel='stylesheet'] | //script[not(@type='application/ld+json')]")
    css = "".join(root.xpath("//style/text()"))
    assert "url(" not in re.sub(r"url\(\"?data:", "", css)  # the fonts too are data: URLs
    assert root.xpath("//img[@class='logo']/@src")[0].startswith("data:image/svg+xml;base64,")
    assert "#7A1F2B" in css  # the brand's primary colour


@pytest.mark.parametrize("name", ["brief", "links"])
def test_every_note_call_and_backlink_resolves(pages, name):
    root = html.parse(str(pages[name])).getroot()
    ids = set(root.xpath("//@id"))
    calls = root.xpath("//a[@role='doc-noteref']")
    backs = root.xpath("//a[@role='doc-backlink']")
    notes = root.xpath("//section[@role='doc-endnotes']//li[starts-with(@id, 'note-')]")
    assert calls and backs and len(notes) == len({c.get("href") for c in calls})
    assert {c.get("href")[1:] for c in calls} <= ids
    assert {b.get("href")[1:] for b in backs} == {c.get("id") for c in calls}
    assert len(ids) == len(root.xpath("//@id"))  # no id used twice


def test_links_brief_has_the_same_notes_as_the_pdf_html(pages):
    root = html.parse(str(pages["links"])).getroot()
    texts = [" ".join(li.text_content().split()) for li in root.xpath("//ol[@class='notes']/li")]
    assert len(texts) == 7
    assert texts[0] == "1. a b c World Bank, ‘Indus Waters Treaty’, 1960. https://www.worldbank.org/en/topic/water"
    assert root.xpath("//main//h1")[0].text_content().startswith("Water, Power and the Indus")
    assert root.xpath("//footer[@role='contentinfo']//p[@class='disclaimer']")


def test_web_edition_is_byte_reproducible(pages, tmp_path):
    code, _, err = run_build(str(BRIEFS["links"]), "--out", str(tmp_path), "--format", "html", "-q")
    assert code == 0, err
    assert (tmp_path / "links.html").read_bytes() == pages["links"].read_bytes()

"""The author's words reach the reader unchanged: every word of the manuscript, in order."""

from __future__ import annotations

import re

import pypandoc

from briefpress.read.frontmatter import load_source
from conftest import SAMPLE
from helpers import NS, epub_tree, pdf_pages_text, squash


def words(text: str) -> list[str]:
    text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.findall(r"[\w'-]+", text)


def test_epub_body_has_every_word_of_the_manuscript_in_order(built):
    tree = epub_tree(built["brief"] / "brief.epub", "EPUB/brief.xhtml")
    for call in tree.xpath("//x:a[@epub:type='noteref']", namespaces=NS):
        call.text = ""
    body = tree.xpath("//x:div[@class='body']", namespaces=NS)[0]
    text = "".join(body.itertext())
    body = load_source(SAMPLE).markdown  # the body: title, author, summary and bio are read from the layout
    expected = words(pypandoc.convert_text(body, "plain", format="markdown", extra_args=["--wrap=none"]))
    assert expected[:5] == ["Pakistan", "and", "Afghanistan", "are", "in"] and expected[-1] == "relations"
    assert words(text) == expected


def test_pdf_text_has_the_summary_body_and_bio_sentences(built):
    text = squash(" ".join(pdf_pages_text(built["brief"] / "brief.pdf")))
    for sentence in [
        "Instead, tensions have escalated, relations have deteriorated and the two are now effectively at war.",
        "In late February 2026, the Pakistan military launched Operation Ghazab lil-Haq",
        "preceded by air strikes inside Afghanistan by the Pakistani Air Force on 22 February 2026",
        "Notably, the IS-KP took responsibility for the",
        "He can be contacted at isasar@nus.edu.sg. The author bears full responsibility",
    ]:
        assert sentence in text, sentence

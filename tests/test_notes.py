"""Links and footnotes become one numbered sequence of endnotes, placed as Chicago asks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefpress.brand import load_brand
from briefpress.compose.document import compose_document, resolve_build_time
from briefpress.read.frontmatter import load_source
from conftest import BRIEFS, EPOCH, ROOT


def compose(path: Path):
    source = load_source(path)
    brand = load_brand(ROOT / "styles" / "brand.yml")
    composed = compose_document(source, brand, resolve_build_time("", EPOCH, path))
    return composed.value, list(composed.warnings)


def compose_text(tmp_path: Path, body: str):
    path = tmp_path / "b.md"
    path.write_text("---\ntitle: T\n---\n\n" + body, encoding="utf-8")
    return compose(path)


@pytest.fixture(scope="module")
def links():
    return compose(BRIEFS["links"])


def test_notes_number_in_reading_order_summary_body_footnote_bio(links):
    doc, _ = links
    assert [(n.number, n.kind) for n in doc.notes] == [
        (1, "url"),
        (2, "url"),
        (3, "footnote"),
        (4, "placeholder"),
        (5, "url"),
        (6, "url"),
        (7, "url"),
    ]
    assert doc.notes[0].url == "https://www.worldbank.org/en/topic/water"
    assert 'href="#note-1"' in doc.abstract_html
    assert 'href="#note-7"' in doc.bios_html[0]


def test_repeated_url_shares_one_note_with_a_call_each(links):
    doc, _ = links
    assert doc.notes[0].calls == 3
    calls = [f'id="noteref-1{s}"' for s in ("", "-2", "-3")]
    assert all(c in doc.abstract_html + doc.body_html for c in calls)


def test_link_title_becomes_the_note_text_before_the_url(links):
    doc, _ = links
    assert doc.notes[0].html.startswith(
        '<bdi class="note-title">World Bank, ‘Indus Waters Treaty’, 1960.</bdi> <a class="url" dir="ltr"'
    )


def test_mailto_and_anchor_links_stay_links_without_notes(links):
    doc, _ = links
    assert 'href="mailto:commission@example.org"' in doc.body_html
    assert 'href="#background"' in doc.body_html
    assert not any("commission@example.org" in n.html or n.url.startswith("#") for n in doc.notes)


def test_placeholder_link_is_numbered_warned_and_explained(links):
    doc, warnings = links
    placeholder = doc.notes[3]
    assert "No source given in the manuscript" in placeholder.html and "the 2023 notice" in placeholder.html
    assert [(w.path, w.line, w.what) for w in warnings] == [
        (
            BRIEFS["links"],
            31,
            "placeholder link [the 2023 notice] has no URL "
            "(put the source's address in the parentheses, or remove the link)",
        )
    ]


def test_sample_brief_reports_all_23_placeholders_with_their_lines():
    doc, warnings = compose(BRIEFS["brief"])
    assert len(doc.notes) == 23 and all(n.kind == "placeholder" for n in doc.notes)
    assert len(warnings) == 23
    assert warnings[0].line == 11 and "[“open war”]" in warnings[0].what
    assert warnings[-1].line == 23 and "[seeking to mediate]" in warnings[-1].what


@pytest.mark.parametrize(
    "body, expected",
    [
        ('He said "it is [war](https://a.org/)".', 'war</a>”.<a class="noteref"'),
        ('He said "it is [war](https://a.org/)."', 'war</a>.”<a class="noteref"'),
        ("See [this](https://a.org/), then.", 'this</a>,<a class="noteref"'),
        ("A ([source](https://a.org/)).", 'source</a>).<a class="noteref"'),
        (
            "Before [a dash](https://a.org/)—after.",
            'a dash</a><a class="noteref" id="noteref-1" href="#note-1" role="doc-noteref">\u20601</a>—after',
        ),
        (
            "The [Taliban](https://a.org/)’s view.",
            'Taliban</a><a class="noteref" id="noteref-1" href="#note-1" role="doc-noteref">\u20601</a>’s',
        ),
        ("*Emphasis on [it](https://a.org/)*.", '</em>.<a class="noteref"'),
    ],
)
def test_note_call_goes_after_closing_punctuation_and_quotes(tmp_path, body, expected):
    doc, _ = compose_text(tmp_path, body)
    assert expected in doc.body_html


def test_footnotes_join_the_link_sequence_and_show_their_urls(tmp_path):
    doc, _ = compose_text(
        tmp_path, "A [x](https://x.org/).[^n] B [y](https://y.org/).\n\n[^n]: See [z](https://z.org/page).\n"
    )
    assert [n.kind for n in doc.notes] == ["url", "footnote", "url"]
    assert re.search(r"https://<wbr/?>(</wbr>)?z<wbr/?>(</wbr>)?\.org/", doc.notes[1].html)
    assert '<span class="noteref-sep" aria-hidden="true">,</span>' in doc.body_html


def test_long_url_may_break_after_slashes_and_before_dots_but_is_not_hyphenated(links):
    doc, _ = links
    text = doc.notes[4].html
    assert "archive<wbr/>.example<wbr/>.org/<wbr/>collections/" in text
    assert "<wbr/>?lang<wbr/>=en<wbr/>&amp;format" in text
    assert "\u00ad" not in text


def test_body_headings_start_below_the_title(tmp_path):
    doc, _ = compose_text(tmp_path, "# Part\n\nText.\n\n## Section\n\nMore.\n")
    assert '<h2 id="part">Part</h2>' in doc.body_html and '<h3 id="section">Section</h3>' in doc.body_html

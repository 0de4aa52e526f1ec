"""The distribution PDF: its parts in order, clickable notes both ways, right links and metadata."""

from __future__ import annotations

import re

import pikepdf

from helpers import pdf_destinations, pdf_links, pdf_pages_text, squash, text_near


def test_parts_appear_in_reading_order(built):
    text = squash(" ".join(pdf_pages_text(built["links"] / "links.pdf")))
    parts = [
        "Institute of South Asian Studies",
        "ISAS BRIEF NO. 1234",
        "5 MARCH 2026",
        "Water, Power and the Indus: A Test Brief",
        "Priya Raman and Tan Wei Ming",
        "SUMMARY",
        "Background",
        "Notes",
        "About the authors",
        "priya.raman@example.org",
        "The views expressed in this brief",
        "Singapore 119620",
    ]
    text = text.replace("S UMMARY", "SUMMARY")  # pdfium reads wide letter-spacing as a space
    positions = [text.find(p) for p in parts]
    assert -1 not in positions, [p for p, i in zip(parts, positions) if i < 0]
    assert positions == sorted(positions)


def test_sample_brief_pages_have_numbers_and_running_footer(built):
    pages = pdf_pages_text(built["brief"] / "brief.pdf")
    assert len(pages) >= 2
    for n, text in enumerate(pages, 1):
        assert f"{n} / {len(pages)}" in text
    assert "ISAS Brief · Misaligned Expectations" in pages[1]


def test_every_call_links_to_its_note_and_the_note_links_back(built):
    pdf = built["links"] / "links.pdf"
    links, dests = pdf_links(pdf), pdf_destinations(pdf)
    calls = [l for l in links if l.dest.startswith("note-")]
    backs = [l for l in links if l.dest.startswith("noteref-")]
    assert len(calls) == len(backs) == 9  # 7 notes, note 1 cited three times
    for call in calls:
        number = call.dest.removeprefix("note-")
        assert re.search(rf"{number}$", call.text), call
        page, _, y = dests[call.dest]
        assert text_near(pdf, page, y).startswith(f"{number}.")
    for back in backs:
        page, x, y = dests[back.dest]
        nearest = min((c for c in calls if c.page == page), key=lambda c: abs(c.rect[3] - y) + abs(c.rect[0] - x))
        assert abs(nearest.rect[3] - y) < 12 and nearest.dest == "note-" + back.dest.split("-")[1], back


def test_sample_brief_has_23_calls_and_23_notes(built):
    links = pdf_links(built["brief"] / "brief.pdf")
    assert sorted(l.dest for l in links if l.dest.startswith("note-")) == sorted(f"note-{n}" for n in range(1, 24))
    assert len([l for l in links if l.dest.startswith("noteref-")]) == 23
    assert not [l for l in links if l.uri.endswith("#")], "a placeholder must not link anywhere"


def test_linked_text_keeps_its_url_and_mailto_stays_clickable(built):
    links = pdf_links(built["links"] / "links.pdf")
    uris = {(l.text, l.uri) for l in links if l.uri}
    assert ("World Bank", "https://www.worldbank.org/en/topic/water") in uris
    assert ("write to the commission", "mailto:commission@example.org") in uris
    long = "https://archive.example.org/collections/south-asia/indus/2023/notices/permanent-indus-commission/modification-notice-article-xii-3?lang=en&format=pdf&download=true"
    assert sum(1 for l in links if l.uri == long) >= 2  # the linked text and the URL in the note


def test_metadata_title_authors_language_keywords_dates(built):
    with pikepdf.open(built["links"] / "links.pdf") as pdf:
        info = pdf.docinfo
        assert str(info.Title) == "Water, Power and the Indus: A Test Brief: Fixture for the endnote machinery"
        assert str(info.Author) == "Priya Raman, Tan Wei Ming"
        assert str(info.Keywords) == "water, Indus, treaties"
        assert str(info.CreationDate).startswith("D:20260305")
        assert str(pdf.Root.Lang) == "en-GB"
        with pdf.open_outline() as outline:
            titles = flatten(outline.root)
    assert titles == [
        "Water, Power and the Indus: A Test Brief",
        "Summary",
        "Background",
        "Questions",
        "Notes",
        "About the authors",
        "How to cite this brief",
    ]


def flatten(items) -> list[str]:
    return [t for item in items for t in [item.title, *flatten(item.children)]]


def test_fonts_come_from_the_brand_and_are_embedded(built):
    with pikepdf.open(built["brief"] / "brief.pdf") as pdf:
        fonts = {}
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                descriptor = font.get("/FontDescriptor") or font.DescendantFonts[0].FontDescriptor
                fonts[str(font.BaseFont)] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts and all(fonts.values())
    families = {re.sub(r"^/?[A-Z]{6}\+", "", name)[:15] for name in fonts}
    assert families == {"Source-Serif-Pr", "Source-Sans-Pro"}, fonts

"""Changes to the PDF editions' HTML: link targets described in words, links dropped for paper,
headings labelled for the bookmarks."""

from __future__ import annotations

from lxml import html


def anchor_labels(markup: str) -> dict[str, str]:
    """What each link target is, in words: {"note-3": "note 3", "background": "section “Background”"}."""
    root = html.document_fromstring(markup)
    labels = {}
    for element in root.iter():
        ident = element.get("id") if isinstance(element.tag, str) else None
        if not ident:
            continue
        text = " ".join(element.text_content().replace("\u2060", "").split())
        if element.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            labels[ident] = f"section \u201c{text}\u201d"
        elif element.get("role") == "doc-noteref":
            labels[ident] = f"the call of note {text}"
        elif element.tag == "li" and any(a.get("role") == "doc-endnotes" for a in element.iterancestors()):
            labels[ident] = f"note {text.split('.')[0]}"
    return labels


def drop_links(document: str) -> str:
    """Remove every <a>'s href so WeasyPrint writes no link annotations; the text and classes stay."""
    root = html.document_fromstring(document)
    for anchor in root.iter("a"):
        anchor.attrib.pop("href", None)
    return html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")


def label_headings(document: str) -> str:
    """Give each heading its words, without note calls, as data-bookmark: WeasyPrint's default
    bookmark-label, content(text), would read "Background3" for a heading with a link in it."""
    root = html.document_fromstring(document)
    for heading in root.xpath("//h1|//h2|//h3|//h4|//h5|//h6"):
        copy = html.fragment_fromstring(html.tostring(heading, encoding="unicode"))
        for call in copy.xpath('.//*[contains(concat(" ", @class, " "), " noteref ") or @class="noteref-sep"]'):
            call.drop_tree()
        heading.set("data-bookmark", " ".join(copy.text_content().replace("\u2060", "").split()))
    return html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")

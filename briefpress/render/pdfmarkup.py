"""Changes to the PDF editions' HTML: link targets described in words, links dropped for paper,
headings labelled for the bookmarks."""

from __future__ import annotations

from lxml import html

from briefpress.records import Labels


def link_descriptions(markup: str, labels: Labels) -> dict[str, str]:
    """What a link to each target says, in the brand's words for the brief's language:
    {"note-3": "Go to note 3", "background": "Go to section “Background”"}."""
    root = html.document_fromstring(markup)
    described = {}
    for element in root.iter():
        ident = element.get("id") if isinstance(element.tag, str) else None
        if not ident:
            continue
        text = " ".join(element.text_content().replace("\u2060", "").split())
        if element.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            what = labels.to_section.format(text)
        elif element.get("role") == "doc-noteref":
            what = labels.to_call.format(text)
        elif element.tag == "li" and any(a.get("role") == "doc-endnotes" for a in element.iterancestors()):
            what = labels.to_note.format(text.split(".")[0])
        else:
            continue
        described[ident] = labels.go_to.format(what)
    return described


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
        copy = html.fragment_fromstring(html.tostring(heading, encoding="unicode", with_tail=False))
        for call in copy.xpath('.//*[contains(concat(" ", @class, " "), " noteref ") or @class="noteref-sep"]'):
            call.drop_tree()
        heading.set("data-bookmark", " ".join(copy.text_content().replace("\u2060", "").split()))
    return html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")

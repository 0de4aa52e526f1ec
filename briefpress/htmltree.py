"""Cut pandoc's HTML into parts and turn HTML into XHTML. The only module that uses lxml."""

from __future__ import annotations

import re

from lxml import etree, html


def split_parts(markup: str, ids: list[str]) -> dict[str, str]:
    """Return the inner HTML of each top-level <div id=...> named in ids."""
    root = html.fragment_fromstring(markup, create_parent="div")
    parts = {}
    for div in root.iterchildren("div"):
        if div.get("id") in ids:
            parts[div.get("id")] = inner_html(div)
    return parts


def inner_html(element) -> str:
    """Serialise an element's content; a lone paragraph is unwrapped."""
    children = list(element)
    if len(children) == 1 and children[0].tag == "p" and not (element.text or "").strip() \
            and not (children[0].tail or "").strip():
        element = children[0]
    text = html_escape(element.text or "")
    return text + "".join(html.tostring(child, encoding="unicode") for child in element).strip()


def html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_xhtml(fragment: str) -> str:
    """Re-serialise an HTML fragment as well-formed XML for EPUB content documents."""
    root = html.fragment_fromstring(fragment, create_parent="div")
    text = html_escape(root.text or "")
    return text + "".join(etree.tostring(child, method="xml", encoding="unicode")
                          for child in root)


def link_across(pages: dict[str, str]) -> dict[str, str]:
    """Point '#id' links at the page that holds the id, as one document became several."""
    owner = {ident: name for name, xhtml in pages.items() for ident in re.findall(r'\sid="([^"]+)"', xhtml)}

    def fix(name: str, xhtml: str) -> str:
        def target(match):
            ident = match.group(1)
            home = owner.get(ident, name)
            return f'href="{"" if home == name else home}#{ident}"'
        return re.sub(r'href="#([^"]+)"', target, xhtml)
    return {name: fix(name, xhtml) for name, xhtml in pages.items()}


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment without its note calls, whitespace collapsed."""
    if not fragment.strip():
        return ""
    root = html.fragment_fromstring(fragment, create_parent="div")
    for call in root.find_class("noteref"):
        call.drop_tree()
    return " ".join(root.text_content().split())


def find_elements(xhtml: str) -> list[tuple[str, dict[str, str]]]:
    """(local name, attributes by local name) of every element of an XHTML document, in order."""
    root = etree.fromstring(xhtml.encode("utf-8"))
    found = []
    for element in root.iter():
        if isinstance(element.tag, str):
            found.append((etree.QName(element).localname,
                          {etree.QName(k).localname: v for k, v in element.attrib.items()}))
    return found


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

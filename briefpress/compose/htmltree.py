"""HTML fragments: cut pandoc's HTML into parts, find and swap image sources, make XHTML for the EPUB."""

from __future__ import annotations

import re

from lxml import etree, html


def split_parts(markup: str, ids: list[str]) -> dict[str, str]:
    """Return the inner HTML of each top-level <div id=...> named in ids."""
    root = html.fragment_fromstring(markup, create_parent="div")
    parts = {}
    for child in root:
        if isinstance(child.tag, str) and child.get("id") in ids and child.get("id") not in parts:
            parts[child.get("id")] = inner_html(child)
        elif isinstance(child.tag, str) or (child.tail or "").strip():
            raise UnbalancedHTML(child.tag if isinstance(child.tag, str) else "comment")
    if set(parts) != set(ids) or (root.text or "").strip():
        raise UnbalancedHTML("div")
    return parts


class UnbalancedHTML(ValueError):
    """Raw HTML closed a tag it did not open, so a part would lose its end."""


def inner_html(element) -> str:
    """Serialise an element's content; a lone paragraph is unwrapped."""
    children = list(element)
    if (
        len(children) == 1
        and children[0].tag == "p"
        and not (element.text or "").strip()
        and not (children[0].tail or "").strip()
    ):
        element = children[0]
    text = html_escape(element.text or "")
    return text + "".join(html.tostring(child, encoding="unicode") for child in element).strip()


def html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_xhtml(fragment: str) -> str:
    """Re-serialise an HTML fragment as well-formed XML for EPUB content documents."""
    root = html.fragment_fromstring(fragment, create_parent="div")
    text = html_escape(root.text or "")
    return text + "".join(etree.tostring(child, method="xml", encoding="unicode") for child in root)


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


def image_sources(fragment: str) -> list[str]:
    """The src of every <img>, in document order."""
    if not fragment.strip():
        return []
    root = html.fragment_fromstring(fragment, create_parent="div")
    return [img.get("src") or "" for img in root.iter("img")]


def replace_image_sources(fragment: str, new_src) -> str:
    """Point every <img> at new_src(old_src)."""
    if "<img" not in fragment:
        return fragment
    root = html.fragment_fromstring(fragment, create_parent="div")
    for img in root.iter("img"):
        img.set("src", new_src(img.get("src") or ""))
    text = html_escape(root.text or "")
    return text + "".join(html.tostring(child, encoding="unicode") for child in root)


def find_elements(xhtml: str) -> list[tuple[str, dict[str, str]]]:
    """(local name, attributes by local name) of every element of an XHTML document, in order."""
    root = etree.fromstring(xhtml.encode("utf-8"))
    found = []
    for element in root.iter():
        if isinstance(element.tag, str):
            found.append(
                (etree.QName(element).localname, {etree.QName(k).localname: v for k, v in element.attrib.items()})
            )
    return found


def scope_header_cells(fragment: str) -> str:
    """Give every table header cell its scope (PDF/UA: a TH needs /Scope): col in the header row,
    row for a header cell that starts a body row. Cells that already say are left alone."""
    if "<th" not in fragment:
        return fragment
    root = html.fragment_fromstring(fragment, create_parent="div")
    for cell in root.iter("th"):
        if cell.get("scope"):
            continue
        row = cell.getparent()
        in_head = row is not None and row.getparent() is not None and row.getparent().tag == "thead"
        first = row is not None and row.index(cell) == 0 and any(c.tag == "td" for c in row)
        cell.set("scope", "row" if first and not in_head else "col")
    text = html_escape(root.text or "")
    return text + "".join(html.tostring(child, encoding="unicode") for child in root)


ITALIC_TAGS = ("em", "i", "cite", "dfn", "var")


def italic_places(fragment: str) -> tuple[bool, bool]:
    """Whether a fragment has italic text at all, and whether some is inside a heading."""
    if not fragment.strip():
        return False, False
    root = html.fragment_fromstring(fragment, create_parent="div")
    found = [el for el in root.iter(*ITALIC_TAGS)]
    in_heading = any(a.tag in ("h1", "h2", "h3", "h4", "h5", "h6") for el in found for a in el.iterancestors())
    return bool(found), in_heading

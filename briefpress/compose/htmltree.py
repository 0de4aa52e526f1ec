"""Cut pandoc's HTML into parts, sanitise it and turn it into XHTML. The only module that uses lxml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import unquote

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


# Raw HTML in a manuscript is untrusted: only these tags and attributes reach an edition.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
    "samp", "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr", "aside", "header",
    "footer", "article"}
# Active or embedding elements go with everything inside them.
DROPPED_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form",
    "input", "button", "select", "textarea", "option", "noscript", "template", "svg", "math",
    "canvas", "audio", "video", "source", "track", "picture", "meta", "base", "title", "head",
    "param", "portal", "map", "area", "dialog", "slot", "xml"}
ALLOWED_ATTRS = {
    "id", "class", "title", "lang", "dir", "role", "href", "src", "alt", "width", "height",
    "colspan", "rowspan", "start", "type", "reversed", "value", "datetime", "cite", "style",
    "scope", "headers", "abbr", "span", "hreflang", "align", "tabindex", "open"}
URL_ATTRS = ("href", "cite")
SAFE_SCHEMES = {"http", "https", "mailto", "ftp", "tel"}
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
CSS_FETCH = re.compile(r"url\s*\(|image-set\s*\(|image\s*\(|@import|expression\s*\(|\\", re.I)


@dataclass(frozen=True)
class Finding:
    """One thing the sanitiser removed (warning) or refused (error)."""

    severity: str  # "warning" or "error"
    what: str
    needle: str  # text to look for in the manuscript to name the line


def sanitize_fragment(fragment: str) -> tuple[str, list[Finding]]:
    """Keep only allowed tags, attributes and URL schemes; report each removal."""
    if not fragment.strip():
        return fragment, []
    root = html.fragment_fromstring(fragment, create_parent="div")
    findings: list[Finding] = []
    clean_children(root, findings)
    text = html_escape(root.text or "")
    return text + "".join(html.tostring(child, encoding="unicode") for child in root), findings


def clean_children(parent, findings: list[Finding]) -> None:
    """Depth first, so nothing inside a dropped element is reported twice."""
    for element in list(parent):
        if not isinstance(element.tag, str):  # comments and processing instructions
            element.drop_tree()
            continue
        tag = element.tag.lower()
        rel = (element.get("rel") or "").lower()
        if tag == "link" or "attachment" in rel.split():
            findings.append(Finding("error", f"<{tag} rel={rel or '?'}> would load "
                                    f"{element.get('href') or 'a resource'}", f"<{tag}"))
            element.drop_tree()
        elif tag in DROPPED_TAGS:
            element.drop_tree()
            target = element.get("src") or element.get("data")
            if target:  # pandoc writes ![](file.txt) as <embed>, ![](film.mp4) as <video>
                findings.append(Finding("warning", f"removed <{tag}> element for {target[:60]} "
                                        "(only PNG, JPEG, GIF and WebP images are shown)", target))
            else:
                findings.append(Finding("warning", f"removed <{tag}> element from raw HTML", f"<{tag}"))
        else:
            clean_attributes(element, findings)
            clean_children(element, findings)
            if tag not in ALLOWED_TAGS:
                findings.append(Finding("warning", f"removed unsupported <{tag}> tag (its text is kept)",
                                        f"<{tag}"))
                element.drop_tag()


def clean_attributes(element, findings: list[Finding]) -> None:
    for name, value in list(element.attrib.items()):
        low = name.lower()
        if low.startswith("on"):
            findings.append(Finding("warning", f"removed event handler attribute {low}", low))
        elif low == "style" and CSS_FETCH.search(value):
            findings.append(Finding("error", "CSS url() or @import in a style attribute", "url("))
        elif low in URL_ATTRS and unsafe_url(value):
            match = SCHEME.match(compact_url(value))
            scheme = match.group(1) if match else ""
            findings.append(Finding("warning", f"removed {scheme}: URL from {low}", f"{scheme}:"))
        elif low in ALLOWED_ATTRS or low.startswith(("aria-", "data-")) and re.fullmatch(r"[a-z0-9_.\-]+", low):
            continue
        else:
            findings.append(Finding("warning", f"removed attribute {low} from <{element.tag}>", low))
        del element.attrib[name]


def compact_url(url: str) -> str:
    """A URL as a browser reads its scheme: escapes decoded, control characters and spaces ignored."""
    return re.sub(r"[\x00-\x20\x7f]+", "", unquote(unescape(url))).lower()


def unsafe_url(url: str) -> bool:
    match = SCHEME.match(compact_url(url))
    return match is not None and match.group(1) not in SAFE_SCHEMES


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

"""Make an SVG figure safe to carry in every edition: parsed without loading a DTD, entities or
anything from the network, then rebuilt without scripts, event attributes, external references
and editors' private data. What is taken out that could do something is named, so the build can
warn about it. lxml is the parser."""

from __future__ import annotations

import re

from lxml import etree

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"
MAX_SVG_BYTES = 5 * 1024 * 1024  # a figure; a bigger drawing is a map or a scan and should be a PNG
MAX_ELEMENTS = 100_000  # WeasyPrint draws every one of them
ACTIVE = {"script", "foreignObject", "handler", "listener", "animate", "set", "animateMotion", "animateTransform"}
EMBEDDED = re.compile(r"^data:image/(?:png|jpeg|gif|webp);base64,", re.I)
EXTERNAL_URL = re.compile(r"url\(\s*(?![\s'\"]*#)|@import", re.I)  # any url() but one to an element of the file
REFERRING = {"image", "use", "feImage"}  # elements that only draw what their href names
FIX = "save the drawing again without scripts and links, or as PNG"


def looks_like_svg(content: bytes) -> bool:
    """An XML document whose first element is <svg> (the first bytes after the prolog)."""
    head = content[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        return False
    return re.search(rb"<(?:[A-Za-z_][\w.-]*:)?svg[\s>/]", head) is not None and not head.lower().startswith(b"<html")


def sanitize_svg(content: bytes) -> tuple[bytes, tuple[str, ...]]:
    """The SVG rebuilt safe, and what was taken out that could act (a script, an event attribute,
    an external reference, an entity); or ValueError('what|how to fix')."""
    if len(content) > MAX_SVG_BYTES:
        raise ValueError(f"an SVG of more than {MAX_SVG_BYTES // 2**20} MiB|simplify the drawing, or save it as PNG")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as err:
        raise ValueError(f"not a well-formed SVG: {err.msg}|{FIX}") from None
    if root.tag != f"{{{SVG}}}svg":
        raise ValueError("not an SVG image (its root is not <svg> in the SVG namespace)|" + FIX)
    removed: list[str] = []
    if root.getroottree().docinfo.internalDTD is not None and b"<!ENTITY" in content:
        removed.append("entity declarations")
    elements = list(root.iter())
    if len(elements) > MAX_ELEMENTS:
        raise ValueError(f"an SVG of more than {MAX_ELEMENTS:,} elements|simplify the drawing, or save it as PNG")
    for element in elements:
        clean_element(element, removed)
    etree.cleanup_namespaces(root)
    out = etree.tostring(root, xml_declaration=True, encoding="UTF-8")  # without the DOCTYPE
    return out, tuple(dict.fromkeys(removed))


def clean_element(element, removed: list[str]) -> None:
    """Take out one element if it is active or private, else its active attributes."""
    parent = element.getparent()
    if isinstance(element, etree._Entity):  # noqa: SLF001 - lxml's entity reference node
        removed.append("entity references")
        drop(element)
        return
    if not isinstance(element.tag, str) or parent is None and element.tag != f"{{{SVG}}}svg":
        return
    namespace, _, local = element.tag.rpartition("}")
    if namespace.lstrip("{") != SVG:
        drop(element)  # an editor's private data (Inkscape's sodipodi:, RDF metadata)
        return
    if local in ACTIVE:
        removed.append(f"<{local}>")
        drop(element)
        return
    if local == "style" and EXTERNAL_URL.search(element.text or ""):
        removed.append("a style sheet that loads other files")
        drop(element)
        return
    for name, value in list(element.attrib.items()):
        attr_ns, _, attr = name.rpartition("}")
        attr_ns = attr_ns.lstrip("{")
        if attr_ns not in ("", XLINK, XML):
            del element.attrib[name]
        elif attr.lower().startswith("on"):
            removed.append("event attributes")
            del element.attrib[name]
        elif attr == "href" and not (value.startswith("#") or EMBEDDED.match(value)):
            removed.append("external references")
            if local in REFERRING:  # nothing left to draw (and WeasyPrint fails on it)
                drop(element)
                return
            del element.attrib[name]
        elif EXTERNAL_URL.search(value):
            removed.append("external references")
            del element.attrib[name]


def drop(node) -> None:
    """Remove a node but keep the text that follows it in its parent."""
    parent = node.getparent()
    if parent is None:
        return
    tail = node.tail
    previous = node.getprevious()
    parent.remove(node)
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


# What the brand's logo may hold (brand.py): shapes and text, nothing that runs or fetches.
SVG_ACTIVE = {"script", "foreignobject", "iframe", "object", "embed", "handler", "listener", "image", "use", "feimage"}
SVG_URL_ATTRS = {"href", "src"}


def svg_problem(data: bytes) -> str:
    """What in an SVG document could run or fetch something, or "" when it is shapes and text."""
    if b"<!ENTITY" in data.upper():
        return "it declares XML entities (a reader could resolve them to a file)"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        return f"not a well-formed SVG file ({err.msg})"
    if root is None or etree.QName(root).localname != "svg":
        return "not an SVG file"
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        if name.lower() in SVG_ACTIVE and not (name == "use" and local_references(element)):
            return f"it holds a <{name}> element"
        for attribute, value in element.attrib.items():
            local = etree.QName(attribute).localname.lower()
            if local.startswith("on"):
                return f"<{name}> has an event handler ({local})"
            if local in SVG_URL_ATTRS and not value.strip().startswith("#"):
                return f"<{name}> links to {value[:60]}"
            if "url(" in value.replace(" ", "").lower() and not re.search(r"url\(\s*['\"]?#", value):
                return f"<{name}> fetches {value[:60]}"
        if name == "style" and re.search(r"@import|url\(\s*['\"]?[^#'\"\s]", element.text or ""):
            return "its <style> imports or fetches a file"
    return ""


def local_references(element) -> bool:
    """Whether a <use> points only at an element of the same file."""
    return all(v.strip().startswith("#") for k, v in element.attrib.items() if etree.QName(k).localname == "href")

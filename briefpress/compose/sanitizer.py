"""The sanitiser for the manuscript's raw HTML: our own walk reports each removal (so safety.py can
name its line), then nh3, the maintained sanitiser, enforces the same allow-lists on what is left."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import unquote

import nh3
from lxml import html

from briefpress.compose.htmltree import html_escape

# Raw HTML in a manuscript is untrusted: only these tags and attributes reach an edition.
ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "bdi",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
    "aside",
    "header",
    "footer",
    "article",
}
# Active or embedding elements go with everything inside them.
DROPPED_TAGS = {
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "noscript",
    "template",
    "svg",
    "math",
    "canvas",
    "audio",
    "video",
    "source",
    "track",
    "picture",
    "meta",
    "base",
    "title",
    "head",
    "param",
    "portal",
    "map",
    "area",
    "dialog",
    "slot",
    "xml",
}
# Form controls and disclosure widgets do nothing on paper and hide their text on a screen: each
# becomes plain text (an input its value, a list of options its options), with a warning.
CONTROLS = {"form", "label", "fieldset", "legend", "input", "button", "select", "option", "optgroup", "textarea",
            "datalist", "output", "details", "summary"}  # fmt: skip
ALLOWED_ATTRS = {
    "id",
    "class",
    "title",
    "lang",
    "dir",
    "role",
    "href",
    "src",
    "alt",
    "width",
    "height",
    "colspan",
    "rowspan",
    "start",
    "type",
    "reversed",
    "value",
    "datetime",
    "cite",
    "style",
    "scope",
    "headers",
    "abbr",
    "span",
    "hreflang",
    "align",
    "tabindex",
    "open",
}
URL_ATTRS = ("href", "cite")
SAFE_SCHEMES = {"http", "https", "mailto", "ftp", "tel"}
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
CSS_FETCH = re.compile(r"url\s*\(|image-set\s*\(|image\s*\(|@import|expression\s*\(|\\", re.I)

# A style attribute from a manuscript may colour, weigh and space its text, never place it: with
# position, z-index, transform or a negative margin one <div> could cover the masthead, the
# body and the disclaimer of every page. Sizes are capped below the page (mm; 1 em = 4 mm here).
STYLE_PROPERTIES = {
    "color",
    "background-color",
    "font-style",
    "font-weight",
    "font-variant",
    "font-size",
    "text-align",
    "text-decoration",
    "text-transform",
    "text-indent",
    "vertical-align",
    "letter-spacing",
    "white-space",
    "list-style-type",
    "border",
    "border-top",
    "border-right",
    "border-bottom",
    "border-left",
    "border-color",
    "border-style",
    "border-width",
    "border-collapse",
    "width",
    "max-width",
    "margin",
    "margin-top",
    "margin-right",
    "margin-bottom",
    "margin-left",
    "padding",
    "padding-top",
    "padding-right",
    "padding-bottom",
    "padding-left",
}
STYLE_MAX_MM = {"font-size": 15, "width": 170, "max-width": 170, "text-indent": 40, "letter-spacing": 5}
DEFAULT_MAX_MM = 25  # margins, paddings, borders
MM = {
    "mm": 1,
    "cm": 10,
    "in": 25.4,
    "pt": 25.4 / 72,
    "pc": 25.4 / 6,
    "px": 25.4 / 96,
    "em": 4,
    "rem": 4,
    "ex": 2,
    "ch": 2,
}
LENGTH = re.compile(r"(-?\d*\.?\d+)(%|[a-z]+)?", re.I)

# HTML reads colspan above 1000 as 1000 (HTML 4.9.11); WeasyPrint 70 lays out every spanned
# column: colspan=100000 takes 40 s, 1000 several seconds. A brief's table has tens of columns.
MAX_SPAN = 100

NO_LINE = "\x00"  # a needle no manuscript holds (read_text refuses control characters)


@dataclass(frozen=True)
class Finding:
    """One thing the sanitiser removed (warning) or refused (error)."""

    severity: str  # "warning" or "error"
    what: str
    needle: str  # text to look for in the manuscript to name the line
    fix: str = ""  # for an error: how to fix it, when not the usual "remove it"


def sanitize_fragment(fragment: str) -> tuple[str, list[Finding]]:
    """Keep only allowed tags, attributes and URL schemes; report each removal."""
    if not fragment.strip():
        return fragment, []
    root = html.fragment_fromstring(fragment, create_parent="div")
    findings: list[Finding] = []
    clean_children(root, findings)
    text = html_escape(root.text or "")
    walked = text + "".join(html.tostring(child, encoding="unicode") for child in root)
    enforced = enforce(walked)
    if not same_markup(walked, enforced):  # our walk missed something: say so, without a line we cannot know
        findings.append(Finding("warning", "removed markup the allow-list does not permit", NO_LINE))
        walked = enforced
    return walked, findings


def enforce(fragment: str) -> str:
    """What nh3 keeps of a fragment under our allow-lists, each <wbr> closed: html5ever writes it
    as HTML's void <wbr>, which lxml's HTML parser (HTML 4, no wbr) nests the following text in,
    past libxml2's depth limit of 256 for a long URL's breaks."""
    cleaned = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_TAGS - {"math", "svg"},
        attributes={"*": ALLOWED_ATTRS - {"href", "src"}, "a": ALLOWED_ATTRS, "img": ALLOWED_ATTRS},
        generic_attribute_prefixes={"aria-", "data-"},
        filter_style_properties=STYLE_PROPERTIES,
        url_schemes=SAFE_SCHEMES | {"data", "file"},
        attribute_filter=data_only_in_images,
        strip_comments=True,
        link_rel=None,
    )
    return cleaned.replace("<wbr>", "<wbr/>")


def data_only_in_images(element: str, attribute: str, value: str) -> str | None:
    """An image's src goes on to assets.py, which refuses all but checked files and data: URLs;
    a link or citation keeps only the schemes a reader can follow."""
    if attribute in URL_ATTRS and unsafe_url(value):
        return None
    return value


def same_markup(ours: str, theirs: str) -> bool:
    """Whether two serialisations of a fragment keep the same elements, attributes and text. Not the
    same tree: lxml's HTML parser nests text inside <wbr>, and html5ever adds the tbody a table implies."""

    def shape(fragment: str):
        if not fragment.strip():
            return [], ""
        root = html.fragment_fromstring(fragment, create_parent="div")
        elements = sorted((e.tag, sorted(map(same_style, e.attrib.items()))) for e in root.iter() if e.tag != "tbody")
        return elements, root.text_content()

    return shape(ours) == shape(theirs)


def same_style(attribute: tuple[str, str]) -> tuple[str, str]:
    """An attribute as compared: nh3 writes a style it filtered as "color:red;margin:0"."""
    name, value = attribute
    if name != "style":
        return attribute
    return name, ";".join(re.sub(r"\s*:\s*", ":", d.strip()) for d in value.split(";") if d.strip())


def clean_children(parent, findings: list[Finding]) -> None:
    """Depth first, so nothing inside a dropped element is reported twice."""
    for element in list(parent):
        if not isinstance(element.tag, str):  # comments and processing instructions
            element.drop_tree()
            continue
        tag = element.tag.lower()
        rel = (element.get("rel") or "").lower()
        if tag == "link" or "attachment" in rel.split():
            findings.append(
                Finding(
                    "error", f"<{tag} rel={rel or '?'}> would load {element.get('href') or 'a resource'}", f"<{tag}"
                )
            )
            element.drop_tree()
        elif tag in CONTROLS:
            clean_children(element, findings)
            findings.append(Finding("warning", f"removed <{tag}> control from raw HTML (its text is kept)", f"<{tag}"))
            unwrap_control(element, tag)
        elif tag in DROPPED_TAGS:
            element.drop_tree()
            target = element.get("src") or element.get("data")
            if target:  # pandoc writes ![](file.txt) as <embed>, ![](film.mp4) as <video>
                findings.append(
                    Finding(
                        "warning",
                        f"removed <{tag}> element for {target[:60]} (only PNG, JPEG, GIF and WebP images are shown)",
                        target,
                    )
                )
            else:
                findings.append(Finding("warning", f"removed <{tag}> element from raw HTML", f"<{tag}"))
        else:
            clean_attributes(element, findings)
            clean_children(element, findings)
            if tag not in ALLOWED_TAGS:
                findings.append(Finding("warning", f"removed unsupported <{tag}> tag (its text is kept)", f"<{tag}"))
                element.drop_tag()


def unwrap_control(element, tag: str) -> None:
    """A control as its text: a block for what holds blocks, an input's value, options apart."""
    if tag == "input":
        element.text = element.get("value") or element.get("placeholder") or ""
    if tag in ("option", "optgroup") and element.getnext() is not None:
        element.tail = "; " + (element.tail or "").lstrip()
    elif tag in ("input", "button", "select", "label", "output"):
        element.tail = " " + (element.tail or "").lstrip()
    if tag in ("details", "fieldset", "form", "summary", "legend"):
        element.attrib.clear()
        element.tag = "p" if tag in ("summary", "legend") else "div"
    else:
        element.drop_tag()


def clean_attributes(element, findings: list[Finding]) -> None:
    for name, value in list(element.attrib.items()):
        low = name.lower()
        if low.startswith("on"):
            findings.append(Finding("warning", f"removed event handler attribute {low}", low))
        elif low == "style" and CSS_FETCH.search(value):
            findings.append(Finding("error", "CSS url() or @import in a style attribute", "url("))
        elif low in ("colspan", "rowspan") and not value.strip().isdigit():
            findings.append(Finding("warning", f"removed {low}={value[:20]} (not a number)", f"{low}="))
        elif low in ("colspan", "rowspan") and int(value) > MAX_SPAN:
            what = f"{low}={int(value)} is more than {MAX_SPAN}, so the cell spans {MAX_SPAN} (give the table its real size)"
            findings.append(Finding("warning", what, f"{low}="))
            element.set(name, str(MAX_SPAN))
            continue
        elif low == "style":
            kept = clean_style(value, findings)
            if kept:
                element.set(name, kept)
                continue
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


def clean_style(style: str, findings: list[Finding]) -> str:
    """The declarations of a style attribute that only dress text (the attribute as it was when
    all may stay); each one dropped is a finding."""
    kept = []
    for declaration in style.split(";"):
        if not declaration.strip():
            continue
        prop, _, value = (part.strip() for part in declaration.partition(":"))
        prop = prop.lower()
        problem = style_problem(prop, value)
        if problem:
            findings.append(
                Finding(
                    "warning", f"removed {prop}: {value[:40]} from a style attribute ({problem})", declaration.strip()
                )
            )
        else:
            kept.append(f"{prop}: {value}")
    return style if len(kept) == len([d for d in style.split(";") if d.strip()]) else "; ".join(kept)


def style_problem(prop: str, value: str) -> str:
    """Why a declaration may not stay, or "" when it may."""
    if prop not in STYLE_PROPERTIES:
        return "only colours, fonts, alignment and spacing may be set"
    if "!important" in value.replace(" ", "").lower():
        return "!important is not allowed"
    limit = STYLE_MAX_MM.get(prop, DEFAULT_MAX_MM)
    for number, unit in LENGTH.findall(value):
        size = float(number)
        if size < 0 and prop.startswith(("margin", "text-indent", "letter-spacing")):
            return "a negative length moves text over other text"
        unit = (unit or "").lower()
        if unit == "%" and size > 100:
            return "larger than its box"
        if unit in MM and size * MM[unit] > limit:
            return f"larger than {limit} mm"
        if unit in ("vw", "vh", "vmin", "vmax") and size > 50:
            return "larger than half the page"
    return ""

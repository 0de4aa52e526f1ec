"""Check, one by one, the PDF/UA-1 and PDF/A-3 rules the `pdfua` package does not cover.

The only module that uses pikepdf. Each check returns the problems it found as sentences;
an empty list means the rule holds. ISO 14289-1 (PDF/UA-1) clauses are cited per check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pikepdf

from briefpress.check.pdftext import text_by_mcid

HEADING = re.compile(r"^/H([1-6])$")
XMP_TITLE = "{http://purl.org/dc/elements/1.1/}title"
PDFUA_PART = "{http://www.aiim.org/pdfua/ns/id/}part"
PDFA_PART = "{http://www.aiim.org/pdfa/ns/id/}part"
PDFA_CONFORMANCE = "{http://www.aiim.org/pdfa/ns/id/}conformance"


def check_pdfua(path: Path) -> dict[str, list[str]]:
    """{rule: problems} for the distribution PDF; every rule is listed, passing or not."""
    texts = text_by_mcid(path)
    with pikepdf.open(path) as pdf:
        elements = list(walk_structure(pdf))
        return {
            "catalog /Lang (7.2)": check_lang(pdf),
            "ViewerPreferences /DisplayDocTitle (7.1)": check_display_title(pdf),
            "MarkInfo /Marked (7.1)": check_marked(pdf),
            "StructTreeRoot with ParentTree (7.1)": check_struct_root(pdf),
            "XMP dc:title and pdfuaid:part 1 (7.1, 5)": check_xmp(pdf, ua_part="1"),
            "Link annotations in structure with /Contents (7.18.1, 7.18.5)": check_links(pdf),
            "/Tabs /S on every page (7.18.3)": check_tabs(pdf),
            "all fonts embedded (7.21.4.1)": check_fonts(pdf),
            "headings without skipped levels (7.4.2)": check_heading_levels(elements),
            "Figures have /Alt (7.3)": check_figures(elements),
            "bookmarks equal the headings (7.4.1)": check_outline(pdf, elements, texts),
            "marked content is in the tree or an artifact (7.1, 7.8)": check_orphans(pdf, elements),
            "internal links say where they go (7.18.5)": check_internal_link_contents(pdf),
        }


def check_pdfa(path: Path, *, part: str, conformance: str, source_name: str, source: bytes) -> dict[str, list[str]]:
    """{rule: problems} for the archival PDF/A-3 edition and its embedded manuscript."""
    with pikepdf.open(path) as pdf:
        return {
            f"XMP pdfaid part {part} conformance {conformance}": check_pdfaid(pdf, part, conformance),
            "sRGB OutputIntent": [] if pdf.Root.get("/OutputIntents") else ["no /OutputIntents"],
            "manuscript embedded as associated Source file": check_attachment(pdf, source_name, source),
            "MarkInfo /Marked (tagged, level a)": check_marked(pdf),
        }


def check_lang(pdf: pikepdf.Pdf) -> list[str]:
    lang = str(pdf.Root.get("/Lang", ""))
    return [] if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", lang) else [f"/Lang is {lang!r}"]


def check_display_title(pdf: pikepdf.Pdf) -> list[str]:
    prefs: Any = pdf.Root.get("/ViewerPreferences", {})
    return [] if prefs.get("/DisplayDocTitle") is True else ["DisplayDocTitle is not true"]


def check_marked(pdf: pikepdf.Pdf) -> list[str]:
    mark_info: Any = pdf.Root.get("/MarkInfo", {})
    return [] if mark_info.get("/Marked") is True else ["MarkInfo /Marked is not true"]


def check_struct_root(pdf: pikepdf.Pdf) -> list[str]:
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return ["no /StructTreeRoot"]
    return [] if "/ParentTree" in root and "/K" in root else ["/StructTreeRoot lacks /ParentTree or /K"]


def check_xmp(pdf: pikepdf.Pdf, *, ua_part: str) -> list[str]:
    with pdf.open_metadata() as meta:
        title, part = meta.get(XMP_TITLE, ""), meta.get(PDFUA_PART, "")
    problems = [] if str(title).strip() else ["XMP has no dc:title"]
    return problems + ([] if part == ua_part else [f"XMP pdfuaid:part is {part!r}, not {ua_part}"])


def check_pdfaid(pdf: pikepdf.Pdf, part: str, conformance: str) -> list[str]:
    with pdf.open_metadata() as meta:
        found = (meta.get(PDFA_PART, ""), meta.get(PDFA_CONFORMANCE, ""))
    return [] if found == (part, conformance) else [f"XMP pdfaid is {found}, not {(part, conformance)}"]


def check_links(pdf: pikepdf.Pdf) -> list[str]:
    """Every Link annotation: non-empty /Contents, and /StructParent mapped to a /Link element."""
    parents = parent_tree(pdf)
    problems = []
    for number, page in enumerate(pdf.pages, 1):
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") != "/Link":
                continue
            if not str(annot.get("/Contents", "")).strip():
                problems.append(f"page {number}: a link has no /Contents")
            key = annot.get("/StructParent")
            element = parents.get(int(key)) if key is not None else None
            if not isinstance(element, pikepdf.Dictionary) or element.get("/S") != "/Link":
                problems.append(f"page {number}: a link is not inside a /Link structure element")
    return problems


def check_orphans(pdf: pikepdf.Pdf, elements) -> list[str]:
    """Every MCID the ParentTree maps must belong to an element reachable from the root."""
    reachable = {element.objgen for element, _ in elements}
    problems = []
    for key, value in parent_tree(pdf).items():
        if isinstance(value, pikepdf.Array):
            problems += [
                f"ParentTree {key}, MCID {mcid}: element outside the structure tree"
                for mcid, element in enumerate(value)
                if isinstance(element, pikepdf.Dictionary) and element.objgen not in reachable
            ]
    return problems


def check_internal_link_contents(pdf: pikepdf.Pdf) -> list[str]:
    """A link to a place in the document is described, not named by its bare fragment id."""
    return [
        f"page {n}: link to #{annot.Dest} is described as {str(annot.Contents)!r}"
        for n, page in enumerate(pdf.pages, 1)
        for annot in page.obj.get("/Annots", [])
        if isinstance(annot.get("/Dest"), pikepdf.String) and str(annot.get("/Contents", "")) == str(annot.Dest)
    ]


def is_pdf_container(value) -> bool:
    """True for a pikepdf Array or Dictionary (for validate.pdfua_rule_fix)."""
    return isinstance(value, (pikepdf.Array, pikepdf.Dictionary))


def check_tabs(pdf: pikepdf.Pdf) -> list[str]:
    return [
        f"page {n}: /Tabs is {page.obj.get('/Tabs')}"
        for n, page in enumerate(pdf.pages, 1)
        if page.obj.get("/Tabs") != "/S"
    ]


def check_fonts(pdf: pikepdf.Pdf) -> list[str]:
    problems = []
    for number, page in enumerate(pdf.pages, 1):
        for name, font in page.Resources.get("/Font", {}).items():
            if font.get("/Subtype") == "/Type3":
                continue  # glyphs are content streams inside the font: embedded by definition
            descriptor: Any = (font.DescendantFonts[0] if "/DescendantFonts" in font else font).get(
                "/FontDescriptor", {}
            )
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                problems.append(f"page {number}: font {font.get('/BaseFont', name)} is not embedded")
    return problems


def check_heading_levels(elements: list[tuple[pikepdf.Dictionary, int]]) -> list[str]:
    levels = [int(m.group(1)) for e, _ in elements if (m := HEADING.match(str(e.S)))]
    problems = [] if levels[:1] == [1] else [f"the first heading is H{levels[0] if levels else '(none)'}"]
    return problems + [f"H{a} is followed by H{b}" for a, b in zip(levels, levels[1:]) if b > a + 1]


def check_figures(elements: list[tuple[pikepdf.Dictionary, int]]) -> list[str]:
    return [
        f"a Figure on page {page + 1} has no /Alt"
        for e, page in elements
        if e.S == "/Figure" and not str(e.get("/Alt", "")).strip()
    ]


def check_outline(pdf: pikepdf.Pdf, elements, texts: dict[tuple[int, int], str]) -> list[str]:
    """The bookmarks, in order and depth, name the headings of the structure tree."""
    headings = [
        (int(m.group(1)), element_text(e, page, texts, skip=is_note_call))
        for e, page in elements
        if (m := HEADING.match(str(e.S)))
    ]
    with pdf.open_outline() as outline:
        marks = list(flatten_outline(outline.root))
    if [level for level, _ in marks] != [level for level, _ in headings]:
        return [f"bookmark levels {[lv for lv, _ in marks]} differ from heading levels {[lv for lv, _ in headings]}"]
    return [
        f"bookmark {title!r} but heading {text!r}"
        for (_, title), (_, text) in zip(marks, headings)
        if squash(title) != squash(text)
    ]


def flatten_outline(items, level: int = 1):
    for item in items:
        yield level, item.title
        yield from flatten_outline(item.children, level + 1)


def squash(text: str) -> str:
    """Compare texts as read aloud: letter-spacing, case (text-transform), soft hyphens and the
    word joiner that keeps a note call to its word (compose/notes.py) aside. Right-to-left text
    comes out of a content stream in visual order, run by run (a Latin word or a clause after a
    colon may come first), so its words are compared in any order."""
    if RTL_CHARS.search(text):
        words = re.sub(r"[\x02\u00ad\u2060\u2066-\u2069]", "", text).casefold().split()
        return " ".join(sorted(word.strip(":،,.") for word in words))
    return re.sub(r"[\s\x02\u00ad\u2060]", "", text).casefold()


RTL_CHARS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def element_text(
    element: pikepdf.Dictionary,
    page: int,
    texts: dict[tuple[int, int], str],
    skip: Callable[[pikepdf.Dictionary, str], bool] = lambda element, text: False,
) -> str:
    """The text of a structure element, without the child elements `skip` rejects."""
    kids: Any = element.get("/K")
    kids = kids if isinstance(kids, pikepdf.Array) else [kids]
    parts = []
    for kid in kids:
        if isinstance(kid, int):
            parts.append(texts.get((page, kid), ""))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            text = element_text(kid, page, texts, skip)
            if not skip(kid, text):
                parts.append(text)
    return "".join(parts)


def is_note_call(element: pikepdf.Dictionary, text: str) -> bool:
    """A note call inside a heading: a Link whose text is a note number (and its separator). The
    bookmark carries the heading's words only (render/pdfmarkup.py, label_headings)."""
    return str(element.get("/S")) == "/Link" and re.fullmatch(r"[\s\u2060]*\d+[\s,]*", text) is not None


def walk_structure(pdf: pikepdf.Pdf):
    """Yield (structure element, page index) in document order from the StructTreeRoot."""
    pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return

    def visit(node, page):
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                here = pages.get(kid["/Pg"].objgen, page) if "/Pg" in kid else page
                yield kid, here
                yield from visit(kid, here)

    yield from visit(root, 0)


def parent_tree(pdf: pikepdf.Pdf) -> dict[int, object]:
    """The ParentTree's number tree, flattened (WeasyPrint writes a flat /Nums array)."""
    root: Any = pdf.Root.get("/StructTreeRoot", {})
    tree = root.get("/ParentTree", {})
    nums = list(tree.get("/Nums", []))
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums) - 1, 2)}


def check_attachment(pdf: pikepdf.Pdf, name: str, content: bytes) -> list[str]:
    files = dict(pdf.attachments.items())
    if name not in files:
        return [f"{name} is not embedded (found: {', '.join(files) or 'nothing'})"]
    spec = files[name]
    problems = (
        []
        if spec.obj.get("/AFRelationship") == "/Source"
        else [f"{name}: /AFRelationship is {spec.obj.get('/AFRelationship')}, not /Source"]
    )
    if not any(entry.get("/F") == name or entry.get("/UF") == name for entry in pdf.Root.get("/AF", [])):
        problems.append(f"{name} is not listed in the catalog /AF")
    if spec.get_file().read_bytes() != content:
        problems.append(f"{name}: embedded bytes differ from the manuscript")
    return problems

"""Check what the manuscript's links point at: a heading that exists, an id given once, a reference
or footnote that has its definition. Works on pandoc's JSON AST, before the notes are numbered."""

from __future__ import annotations

import re
from pathlib import Path

from briefpress.compose.notes import INLINE_TYPES
from briefpress.errors import BriefError, BuildWarning

# The ids the templates give the parts around the body (parts.j2): a brief may link to them.
TEMPLATE_IDS = {"bp-summary", "bp-summary-title", "bp-notes", "bp-notes-title", "bp-about", "bp-about-title"}
NOTE_ID = re.compile(r"note-\d+|noteref-\d+(?:-\d+)?")
RAW_ID = re.compile(r"""\sid\s*=\s*["']?([^"'\s>]+)""", re.I)
ATTR_FIRST = {"Div", "Span", "CodeBlock", "Code", "Table", "Figure", "Link", "Image"}
# What pandoc leaves as text when a reference has no definition: [text][ref], ![alt][ref], [^id].
UNRESOLVED_FOOTNOTE = re.compile(r"\[\^([^\]\s]+)\]")
UNRESOLVED_REFERENCE = re.compile(r"(!?)\[([^\[\]]+)\]\[([^\[\]]*)\]")


def check_links(blocks: list, text: str, path: Path) -> tuple[list[BuildWarning], list[BriefError]]:
    """Warnings for references and footnotes without a definition; errors for links to ids that
    the brief does not have, and for ids given twice."""
    ids = element_ids(blocks)
    errors = duplicate_id_errors(ids, text, path)
    known = set(ids) | TEMPLATE_IDS
    for target in internal_targets(blocks):
        if target not in known and not NOTE_ID.fullmatch(target):
            headings = ", ".join(dict.fromkeys(heading_ids(blocks)[:12])) or "none"
            errors.append(
                BriefError(
                    path,
                    line_of(text, (f"](#{target}", f"#{target}")),
                    f"link to #{target}: no heading has that id (headings: {headings})",
                    "link to one of these ids, or give the heading the id with {#" + target + "}",
                )
            )
    return unresolved_references(blocks, text, path), errors


def element_ids(blocks: list) -> list[str]:
    """Every id the manuscript gives, in order, duplicates kept: headings, divs, spans, raw HTML."""
    found: list[str] = []
    for node in nodes(blocks):
        kind, content = node["t"], node.get("c")
        if kind == "Header":
            found.append(content[1][0])
        elif kind in ATTR_FIRST:
            found.append(content[0][0])
        elif kind in ("RawBlock", "RawInline") and content[0] == "html":
            found.extend(RAW_ID.findall(content[1]))
    return [ident for ident in found if ident]


def heading_ids(blocks: list) -> list[str]:
    return [b["c"][1][0] for b in blocks if b["t"] == "Header" and b["c"][1][0]]


def internal_targets(blocks: list) -> list[str]:
    """The ids that links to '#id' point at, in reading order."""
    urls = (node["c"][2][0] for node in nodes(blocks) if node["t"] == "Link")
    return [url[1:] for url in urls if url.startswith("#") and len(url) > 1]


def duplicate_id_errors(ids: list[str], text: str, path: Path) -> list[BriefError]:
    errors, seen, reported = [], set(), set()
    for ident in ids:
        if (ident in TEMPLATE_IDS or NOTE_ID.fullmatch(ident)) and ident not in reported:
            reported.add(ident)
            errors.append(
                BriefError(
                    path,
                    line_of(text, (f"#{ident}}}", f'id="{ident}"', f"#{ident}")),
                    f"the id #{ident} is one the build gives (to the notes or a part of the brief)",
                    "give the element another id",
                )
            )
        if ident in seen and ident not in reported:
            reported.add(ident)
            errors.append(
                BriefError(
                    path,
                    line_of(text, (f"#{ident}}}", f'id="{ident}"', f"#{ident}"), after=f"#{ident}"),
                    f"the id #{ident} is given to more than one element",
                    "give each heading or block its own id",
                )
            )
        seen.add(ident)
    return errors


def unresolved_references(blocks: list, text: str, path: Path) -> list[BuildWarning]:
    """pandoc prints a reference without a definition as its own text: find it, and say so."""
    warnings: list[BuildWarning] = []
    for inlines in inline_lists(blocks):
        words = "".join(
            n["c"] if n["t"] == "Str" else " " if n["t"] in ("Space", "SoftBreak") else "\0" for n in inlines
        )
        if "[" not in words:
            continue
        for match in UNRESOLVED_FOOTNOTE.finditer(words):
            note = match.group(0)
            warnings.append(
                BuildWarning(
                    path,
                    line_of(text, (note,)),
                    f"footnote {note} has no definition, so it is printed as it is "
                    f'(add a line "{note}: the text of the note", or remove the call)',
                )
            )
        for match in UNRESOLVED_REFERENCE.finditer(words):
            bang, label, ref = match.groups()
            kind = "image" if bang else "link"
            warnings.append(
                BuildWarning(
                    path,
                    line_of(text, (f"][{ref}]" if ref else match.group(0), f"[{label}]")),
                    f"reference {kind} {match.group(0)} has no definition, so it is printed as it is "
                    f'(add a line "[{ref or label}]: https://..." below the paragraph)',
                )
            )
    return warnings


def nodes(tree):
    """Every pandoc element (a dict with "t") in the tree, in document order, without copying it:
    a 2 MB manuscript is millions of objects, and rebuilding them wakes the garbage collector."""
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "t" in item:
                yield item
            content = item.get("c")
            if isinstance(content, list):
                stack.append(content)
        elif isinstance(item, list):
            stack.extend(reversed(item))


def inline_lists(tree):
    """Every list of inlines in the tree (a paragraph's, an emphasis', a link's text...)."""
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            if item and isinstance(item[0], dict) and item[0].get("t") in INLINE_TYPES:
                yield item
            stack.extend(reversed(item))
        elif isinstance(item, dict) and isinstance(item.get("c"), list):
            stack.append(item["c"])


def line_of(text: str, needles: tuple[str, ...], *, after: str = "") -> int | None:
    """The line of the first needle found in the manuscript (its second occurrence when `after`
    is given, for the element that repeats an id)."""
    start = text.find(after) + 1 if after else 0
    for needle in needles:
        pos = text.find(needle, start)
        if pos >= 0:
            return text.count("\n", 0, pos) + 1
    return None

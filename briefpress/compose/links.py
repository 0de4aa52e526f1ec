"""Check what the manuscript's links point at: a heading that exists, an id given once, a reference
or footnote that has its definition. Works on pandoc's JSON AST, before the notes are numbered."""

from __future__ import annotations

import html
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


def check_links(parts: list[list], text: str, path: Path) -> tuple[list[list], list[BuildWarning], list[BriefError]]:
    """The parts (abstract, body, bios: lists of blocks) with links to ids the brief does not have
    made text and each id given again made unique, a warning for each, and for references and
    footnotes without a definition; errors for ids the build itself gives."""
    blocks = [block for part in parts for block in part]
    ids = element_ids(blocks)
    errors = reserved_id_errors(ids, text, path)
    warnings = duplicate_id_warnings(ids, text, path)
    known = set(ids) | TEMPLATE_IDS
    broken = {}
    for target in internal_targets(blocks):
        if target not in known and not NOTE_ID.fullmatch(target) and target not in broken:
            headings = ", ".join(dict.fromkeys(heading_ids(blocks)[:12])) or "none"
            broken[target] = BuildWarning(
                path,
                line_of(text, (f"](#{target}", f"#{target}")),
                f"link to #{target}: no heading has that id (headings: {headings}), so it is printed as text "
                "(link to one of these ids, or give the heading the id with {#" + target + "})",
            )
    warnings += [*broken.values(), *unresolved_references(blocks, text, path)]
    repaired = unlink(renumber_ids(blocks, set(ids)), {f"#{target}" for target in broken})
    out, start = [], 0
    for part in parts:  # the repairs keep every top-level block: cut the parts out again
        out.append(repaired[start : start + len(part)])
        start += len(part)
    return out, warnings, errors


RAW_A_OPEN = re.compile(r"<a\s([^>]*)>", re.I)
RAW_A_CLOSE = re.compile(r"</a\s*>", re.I)
RAW_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
PLAIN_ANCHOR = {"href", "title", "id", "class", "target"}  # anything else (rel=attachment ...) stays raw


def raw_anchors_as_links(tree):
    """A link written as raw HTML (`<a href="...">text</a>`, as published Markdown and the HTML
    tables of an imported manuscript have them) becomes a link of the brief, so that it is checked
    and gets its numbered note like any other. Pandoc reads it as two raw tags around the text."""
    if isinstance(tree, dict):
        return {**tree, "c": raw_anchors_as_links(tree["c"])} if "c" in tree else tree
    if not isinstance(tree, list):
        return tree
    items = [raw_anchors_as_links(item) for item in tree]
    if not any(raw_tag(item, RAW_A_OPEN) for item in items):
        return items
    out, i = [], 0
    while i < len(items):
        attrs = raw_anchor(items[i])
        close = (
            next((j for j in range(i + 1, len(items)) if raw_tag(items[j], RAW_A_CLOSE)), None)
            if attrs and attrs.get("href")
            else None
        )
        if attrs and close is not None and not any(raw_anchor(n) for n in items[i + 1 : close]):
            target = [html.unescape(attrs["href"]).strip(), html.unescape(attrs.get("title", ""))]
            out.append({"t": "Link", "c": [[attrs.get("id", ""), [], []], items[i + 1 : close], target]})
            i = close + 1
        else:
            out.append(items[i])
            i += 1
    return out


def raw_tag(node, pattern: re.Pattern) -> bool:
    return (
        isinstance(node, dict)
        and node.get("t") == "RawInline"
        and node["c"][0] == "html"
        and bool(pattern.fullmatch(node["c"][1].strip()))
    )


def raw_anchor(node) -> dict[str, str] | None:
    """The attributes of a plain raw `<a ...>` opening tag (href, title, id, class, target), else None:
    any other attribute (rel=attachment ...) leaves the tag for the sanitizer to judge."""
    if not raw_tag(node, RAW_A_OPEN):
        return None
    match = RAW_A_OPEN.fullmatch(node["c"][1].strip())
    assert match is not None
    attrs = {
        m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or "" for m in RAW_ATTR.finditer(match.group(1))
    }
    return None if set(attrs) - PLAIN_ANCHOR else attrs


def unlink(node, urls: set[str]):
    """The pandoc value with each Link to one of urls replaced by its text."""
    if not urls:
        return node
    if isinstance(node, list):
        out = []
        for item in node:
            if isinstance(item, dict) and item.get("t") == "Link" and item["c"][2][0] in urls:
                out.extend(unlink(item["c"][1], urls))
            else:
                out.append(unlink(item, urls))
        return out
    if isinstance(node, dict) and "c" in node:
        return {"t": node["t"], "c": unlink(node["c"], urls)}
    return node


def renumber_ids(blocks: list, ids: set[str]) -> list:
    """Each id given again becomes unique: the second #same is #same-2 (links keep to the first)."""
    seen: dict[str, int] = {}

    def unique(ident: str) -> str:
        if not ident:
            return ident
        seen[ident] = seen.get(ident, 0) + 1
        if seen[ident] == 1:
            return ident
        n = seen[ident]
        while f"{ident}-{n}" in ids:
            n += 1
        ids.add(f"{ident}-{n}")
        return f"{ident}-{n}"

    def rebuild(node):
        if isinstance(node, list):
            return [rebuild(item) for item in node]
        if not (isinstance(node, dict) and "c" in node):
            return node
        kind, content = node["t"], node["c"]
        if kind == "Header":
            level, (ident, classes, attrs), inlines = content
            return {"t": kind, "c": [level, [unique(ident), classes, attrs], rebuild(inlines)]}
        if kind in ATTR_FIRST:
            (ident, classes, attrs), *rest = content
            return {"t": kind, "c": [[unique(ident), classes, attrs], *rebuild(rest)]}
        if kind in ("RawBlock", "RawInline") and content[0] == "html":

            def rename(match: re.Match) -> str:
                start, end = match.span(1)
                whole = match.group(0)
                return whole[: start - match.start()] + unique(match.group(1)) + whole[end - match.start() :]

            return {"t": kind, "c": ["html", RAW_ID.sub(rename, content[1])]}
        return {"t": kind, "c": rebuild(content)}

    return rebuild(blocks)


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


def cite_keys(tree) -> tuple[str, ...]:
    """The keys of every citation in the tree, each once, in order."""
    keys = (c["citationId"] for node in nodes(tree) if node["t"] == "Cite" for c in node["c"][0])
    return tuple(dict.fromkeys(keys))


def heading_ids(blocks: list) -> list[str]:
    return [b["c"][1][0] for b in blocks if b["t"] == "Header" and b["c"][1][0]]


def internal_targets(blocks: list) -> list[str]:
    """The ids that links to '#id' point at, in reading order."""
    urls = (node["c"][2][0] for node in nodes(blocks) if node["t"] == "Link")
    return [url[1:] for url in urls if url.startswith("#") and len(url) > 1]


def reserved_id_errors(ids: list[str], text: str, path: Path) -> list[BriefError]:
    errors, reported = [], set()
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
    return errors


def duplicate_id_warnings(ids: list[str], text: str, path: Path) -> list[BuildWarning]:
    warnings, seen, reported = [], set(), set()
    for ident in ids:
        if ident in seen and ident not in reported and not (ident in TEMPLATE_IDS or NOTE_ID.fullmatch(ident)):
            reported.add(ident)
            warnings.append(
                BuildWarning(
                    path,
                    second_line(text, ident),
                    f"the id #{ident} is given to more than one element, so the second is #{ident}-2 "
                    "and links go to the first (give each heading or block its own id)",
                )
            )
        seen.add(ident)
    return warnings


def second_line(text: str, ident: str) -> int | None:
    """The line where the manuscript gives an id the second time: {#id ...} or id="id"."""
    name = re.escape(ident)
    given = list(re.finditer(rf"""\{{#{name}[\s}}]|\bid\s*=\s*["']?{name}["'\s>]""", text))
    return text.count("\n", 0, given[1].start()) + 1 if len(given) > 1 else None


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

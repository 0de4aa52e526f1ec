"""Make a converted manuscript's pandoc AST fit to be a brief's body: resolve tracked changes,
take out comments, keep citation fields as their text, unlink links to places that are not in
the document, drop a table of contents, and point images at their extracted files.

Each pass takes the blocks and returns new blocks with what it found; nothing is changed in place.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from briefpress.compose.notes import stringify

INLINE_TYPES = {
    "Str",
    "Emph",
    "Underline",
    "Strong",
    "Strikeout",
    "Superscript",
    "Subscript",
    "SmallCaps",
    "Quoted",
    "Cite",
    "Code",
    "Space",
    "SoftBreak",
    "LineBreak",
    "Math",
    "RawInline",
    "Link",
    "Image",
    "Note",
    "Span",
}
BLOCK_TYPES = {
    "Plain",
    "Para",
    "LineBlock",
    "CodeBlock",
    "RawBlock",
    "BlockQuote",
    "OrderedList",
    "BulletList",
    "DefinitionList",
    "Header",
    "HorizontalRule",
    "Table",
    "Figure",
    "Div",
}
ATTR_AT = {
    "Header": 1,
    "Span": 0,
    "Div": 0,
    "Link": 0,
    "Image": 0,
    "Code": 0,
    "CodeBlock": 0,
    "Table": 0,
    "Figure": 0,
}  # where each element keeps its (id, classes, attributes)
SPACES = {"Space", "SoftBreak"}
EMPHASIS = {"Emph", "Strong", "Strikeout"}
EDGES = SPACES | {"LineBreak"}  # what may stand at either end of a run outside it
TOC_HEADING = re.compile(r"^(?:table\s+of\s+)?contents$", re.I)
DOTS = re.compile(r"^(?:(?:\.\s*){3,}|(?:\*\s*){3,}|(?:\u2026\s*)+)$")  # a '.....' line between body and bios


@dataclass(frozen=True)
class Comment:
    author: str
    text: str


def rewrite(node, inlines=None, blocks=None):
    """Rebuild a pandoc JSON value bottom-up, passing each list of inlines through `inlines`
    and each list of blocks through `blocks`."""
    if isinstance(node, list):
        items = [rewrite(item, inlines, blocks) for item in node]
        kinds = (
            {i.get("t") for i in items if isinstance(i, dict)}
            if items and all(isinstance(i, dict) for i in items)
            else set()
        )
        if kinds and kinds <= INLINE_TYPES and inlines:
            return inlines(items)
        if kinds and kinds <= BLOCK_TYPES and blocks:
            return blocks(items)
        return items
    if isinstance(node, dict) and "c" in node:
        return {"t": node["t"], "c": rewrite(node["c"], inlines, blocks)}
    return node


def classes(node: dict) -> list[str]:
    return node["c"][0][1] if node.get("t") == "Span" else []


def find_all(node, test) -> list[dict]:
    """Every element under node for which test(element) holds, in document order."""
    found = []
    if isinstance(node, list):
        for item in node:
            found += find_all(item, test)
    elif isinstance(node, dict):
        if "t" in node and test(node):
            found.append(node)
        found += find_all(node.get("c"), test)
    return found


def count_changes(blocks: list) -> tuple[int, int]:
    """(insertions, deletions) still tracked in the document."""
    spans = find_all(blocks, lambda n: n["t"] == "Span")
    ins = sum(1 for s in spans if {"insertion", "paragraph-insertion"} & set(classes(s)))
    dels = sum(1 for s in spans if {"deletion", "paragraph-deletion"} & set(classes(s)))
    return ins, dels


def deleted_texts(blocks: list) -> list[str]:
    """The text of each tracked deletion, in document order (a deleted paragraph mark has none)."""
    spans = find_all(blocks, lambda n: n["t"] == "Span" and "deletion" in classes(n))
    return [text for s in spans if (text := " ".join(stringify(s["c"][1]).split()))]


def mark_changes(blocks: list) -> list:
    """Keep both readings of every tracked change: insertions underlined, deletions struck
    through, paragraphs as they stand (a copy for review)."""

    def on_inlines(items: list) -> list:
        out: list = []
        for node in items:
            found = set(classes(node))
            if found & {"paragraph-insertion", "paragraph-deletion"}:
                continue
            if found & {"insertion", "deletion"}:
                out.append({"t": "Underline" if "insertion" in found else "Strikeout", "c": node["c"][1]})
            else:
                out.append(node)
        return out

    return drop_empty(rewrite(blocks, inlines=on_inlines))


def resolve_changes(blocks: list, *, accept: bool) -> list:
    """Accept (keep insertions, drop deletions) or reject (the reverse) every tracked change."""
    keep, drop = ("insertion", "deletion") if accept else ("deletion", "insertion")
    # An accepted deleted paragraph mark, or a rejected inserted one, joins a paragraph to the next.
    joined = rewrite(blocks, blocks=lambda items: join_paragraphs(items, f"paragraph-{drop}"))

    def on_inlines(items: list) -> list:
        out: list = []
        for node in items:
            found = set(classes(node))
            if drop in found or found & {"paragraph-insertion", "paragraph-deletion"}:
                continue
            out += node["c"][1] if keep in found else [node]
        return tidy_spaces(out)

    return drop_empty(rewrite(joined, inlines=on_inlines))


def join_paragraphs(items: list, mark: str) -> list:
    out: list = []
    for block in items:
        previous = out[-1] if out else None
        if (
            previous
            and previous["t"] in ("Para", "Plain")
            and block["t"] in ("Para", "Plain")
            and previous["c"]
            and mark in classes(previous["c"][-1])
        ):
            out[-1] = {"t": previous["t"], "c": previous["c"][:-1] + [{"t": "Space"}] + block["c"]}
        else:
            out.append(block)
    return out


def take_comments(blocks: list) -> tuple[list, list[Comment]]:
    """The blocks without Word comments, and the comments (author and text) in order."""
    comments = [
        Comment(dict(n["c"][0][2]).get("author", "unknown"), " ".join(stringify(n["c"][1]).split()))
        for n in find_all(blocks, lambda n: "comment-start" in classes(n))
    ]
    strip = lambda items: tidy_spaces([n for n in items if not {"comment-start", "comment-end"} & set(classes(n))])  # noqa: E731
    return drop_empty(rewrite(blocks, inlines=strip)), comments


def flatten_citations(blocks: list, keys: dict[str, str] | None = None) -> tuple[list, int]:
    """Zotero and Mendeley citation fields (pandoc's Cite): those whose every work is in keys
    (old id -> new key) are kept, renamed; the others become the text the reader sees."""
    keys = keys or {}

    def known(node: dict) -> bool:
        return all(c["citationId"] in keys for c in node["c"][0])

    count = len(find_all(blocks, lambda n: n["t"] == "Cite" and not known(n)))

    def each(node: dict) -> list:
        if node["t"] != "Cite":
            return [node]
        if not known(node):
            return node["c"][1]
        cites = [
            {**c, "citationId": keys[c["citationId"]], "citationSuffix": trim(c["citationSuffix"])}
            for c in node["c"][0]
        ]
        return [{"t": "Cite", "c": [cites, node["c"][1]]}]

    flat = lambda items: [part for n in items for part in each(n)]  # noqa: E731
    return rewrite(blocks, inlines=flat), count


def trim(inlines: list) -> list:
    """Without trailing spaces: Zotero's locator comes as "page 12 "."""
    while inlines and inlines[-1]["t"] == "Space":
        inlines = inlines[:-1]
    return inlines


def citation_keys(references: list[dict]) -> dict[str, str]:
    """A readable key for each CSL JSON entry, from its first author's family name and its year
    (ranjan2020, then ranjan2020a ...): Zotero's ids are numbers."""
    keys: dict[str, str] = {}
    for entry in references:
        names = entry.get("author") or entry.get("editor") or [{}]
        name = names[0].get("family") or names[0].get("literal") or entry.get("title", "ref")
        year = str((entry.get("issued", {}).get("date-parts") or [[""]])[0][0])
        stem = (re.sub(r"[^a-z0-9]+", "", ascii_text(name).lower()) or "ref") + year
        key, n = stem, 0
        while key in keys.values():
            key, n = f"{stem}{'abcdefghijklmnopqrstuvwxyz'[n % 26]}", n + 1
        keys[str(entry["id"])] = key
    return keys


def ascii_text(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def drop_toc(blocks: list) -> tuple[list, int]:
    """Take out a table of contents: a run of two or more paragraphs that are each one internal
    link, with a 'Contents' line just before it. Returns the blocks and the entries dropped."""
    out: list = []
    dropped, run = 0, []
    for block in [*blocks, None]:
        if block is not None and toc_entry(block):
            run.append(block)
            continue
        if len(run) >= 2:
            dropped += len(run)
            if out and TOC_HEADING.match(plain_text(out[-1])) and out[-1]["t"] in ("Para", "Plain", "Header"):
                out.pop()
        else:
            out += run
        run = []
        if block is not None:
            out.append(block)
    return out, dropped


def toc_entry(block: dict) -> bool:
    if block["t"] not in ("Para", "Plain"):
        return False
    words = [n for n in block["c"] if n["t"] not in SPACES | {"LineBreak"}]
    return len(words) == 1 and words[0]["t"] == "Link" and words[0]["c"][2][0].startswith("#")


def unlink_missing(blocks: list) -> tuple[list, int]:
    """Internal links to an id the document does not have (Word's _Toc and _Ref bookmarks,
    cross-references) become their text; bookmarks no link points at are dropped."""
    ids = {n["c"][ATTR_AT[n["t"]]][0] for n in find_all(blocks, lambda n: n["t"] in ATTR_AT)} - {""}
    missing = [
        n
        for n in find_all(blocks, lambda n: n["t"] == "Link")
        if n["c"][2][0].startswith("#") and n["c"][2][0][1:] not in ids
    ]
    targets = {n["c"][2][0][1:] for n in find_all(blocks, lambda n: n["t"] == "Link")} - {
        n["c"][2][0][1:] for n in missing
    }

    def on_inlines(items: list) -> list:
        out = []
        for n in items:
            if n["t"] == "Link" and n["c"][2][0].startswith("#") and n["c"][2][0][1:] not in ids:
                out += n["c"][1]
            elif n["t"] == "Span" and classes(n) == ["anchor"] and not n["c"][1] and n["c"][0][0] not in targets:
                continue
            else:
                out.append(n)
        return out

    return drop_empty(rewrite(blocks, inlines=on_inlines)), len(missing)


def mark_separators(blocks: list) -> list:
    """A paragraph of dots ('.....') becomes a rule: written back as Markdown it would be
    escaped ('\\.....') and no longer read as the line between the body and the bios."""
    return [{"t": "HorizontalRule"} if b["t"] in ("Para", "Plain") and DOTS.match(plain_text(b)) else b for b in blocks]


def unquoted_cells(blocks: list) -> tuple[list, int]:
    """Inside a Word table, a block quote is an indented paragraph (pandoc reads any indented
    paragraph as a quotation): its paragraphs, set as the cell's other text is; and how many."""
    count = 0

    def unquote(items: list) -> list:
        nonlocal count
        out: list = []
        for b in items:
            if b["t"] == "BlockQuote":
                count += 1
                out += unquote(b["c"])
            else:
                out.append(b)
        return out

    def on_blocks(items: list) -> list:
        return [
            {"t": "Table", "c": [*b["c"][:3], *rewrite(b["c"][3:], blocks=unquote)]} if b["t"] == "Table" else b
            for b in items
        ]

    return rewrite(blocks, blocks=on_blocks), count


def plain_tables(blocks: list) -> list:
    """Tables without Word's column widths, so pandoc writes them as pipe tables where it can."""

    def on_blocks(items: list) -> list:
        return [
            {
                "t": "Table",
                "c": [b["c"][0], b["c"][1], [[spec[0], {"t": "ColWidthDefault"}] for spec in b["c"][2]], *b["c"][3:]],
            }
            if b["t"] == "Table"
            else b
            for b in items
        ]

    return rewrite(blocks, blocks=on_blocks)


def relink_images(blocks: list, relink, *, keep_titles: bool = True) -> list:
    """Point every image at relink(url, alt) -> (new url, alt inlines); width and height go."""

    def on_inlines(items: list) -> list:
        out = []
        for n in items:
            if n["t"] == "Image":
                _, alt, (url, title) = n["c"]
                url, alt = relink(url, alt)
                n = {"t": "Image", "c": [["", [], []], alt, [url, title if keep_titles else ""]]}
            out.append(n)
        return out

    return rewrite(blocks, inlines=on_inlines)


def plain_text(block: dict) -> str:
    if block["t"] in ("Para", "Plain"):
        return " ".join(stringify(block["c"]).split())
    if block["t"] == "Header":
        return " ".join(stringify(block["c"][2]).split())
    return ""


def trim_emphasis(blocks: list) -> tuple[list, int]:
    """Move the spaces and line breaks at the ends of a bold, italic or struck-through run outside
    it, and leave out a run with nothing else in it; and how many were left out. Word keeps such
    runs (a bold run of two line breaks before a title), and pandoc writes them as `****` or
    `**\\**`, which read back as the asterisks themselves."""
    dropped = 0

    def on_inlines(items: list) -> list:
        nonlocal dropped
        out: list = []
        for n in items:
            if n["t"] not in EMPHASIS:
                out.append(n)
                continue
            inner = list(n["c"])
            lead = next((k for k, i in enumerate(inner) if i["t"] not in EDGES), len(inner))
            end = len(inner) - next((k for k, i in enumerate(reversed(inner)) if i["t"] not in EDGES), len(inner))
            out += inner[:lead]
            if lead < end:
                out.append({"t": n["t"], "c": inner[lead:end]})
            else:
                dropped += 1
            out += inner[max(end, lead) :]
        return tidy_spaces(out) if len(out) != len(items) or out != items else out

    return rewrite(blocks, inlines=on_inlines), dropped


def tidy_spaces(items: list) -> list:
    """No two spaces in a row (a removed span leaves its neighbours' spaces side by side)."""
    out: list = []
    for n in items:
        if n["t"] in SPACES and out and out[-1]["t"] in SPACES | {"LineBreak"}:
            continue
        out.append(n)
    return out


def drop_empty(blocks: list) -> list:
    """Paragraphs lose spaces at their ends, and go when nothing is left in them; so do list
    items and block quotes left empty (a deleted or rejected list item)."""

    def settle(items: list) -> list:
        out = []
        for b in items:
            if b["t"] == "BulletList" or b["t"] == "OrderedList":
                kept = [item for item in (b["c"] if b["t"] == "BulletList" else b["c"][1]) if item]
                if not kept:
                    continue
                b = {"t": b["t"], "c": kept if b["t"] == "BulletList" else [b["c"][0], kept]}
            if b["t"] == "BlockQuote" and not b["c"]:
                continue
            if b["t"] in ("Para", "Plain"):
                inlines = list(b["c"])
                while inlines and inlines[0]["t"] in SPACES:
                    inlines.pop(0)
                while inlines and inlines[-1]["t"] in SPACES:
                    inlines.pop()
                if not inlines:
                    continue
                b = {"t": b["t"], "c": inlines}
            out.append(b)
        return out

    return rewrite(blocks, blocks=settle)

"""Where an imported manuscript's title is when no paragraph is styled Title: its first heading,
or a short first paragraph set in bold or large type. The chosen block becomes the first heading
(the plain shape reads the title from it), and the links that pointed at it become their text:
the title is not a heading of the body, so nothing could take them there.
"""

from __future__ import annotations

from briefpress.author.cleanup import ATTR_AT, drop_empty, find_all, plain_text, rewrite
from briefpress.read.plainshape import SUMMARY

MAX_TITLE = 150  # characters: a longer first paragraph is body text, however it is set
MAX_TITLE_WORDS = 25


def title_block(blocks: list, *, large_first: str = "") -> tuple[int | None, str]:
    """The index of the block to read the title from, and how it was found ('heading', 'bold',
    'large'); (None, '') when there is none. large_first: the text of the first paragraph when
    the word processor sets it in large type."""
    if not blocks:
        return None, ""
    first = blocks[0]
    if first["t"] == "Header":
        return 0, "heading"
    text = plain_text(first)
    if first["t"] in ("Para", "Plain") and short(text):
        if all_bold(first["c"]):
            return 0, "bold"
        if large_first and text == " ".join(large_first.split()):
            return 0, "large"
    heading = next((i for i, b in enumerate(blocks) if b["t"] == "Header"), None)
    return (heading, "heading") if heading is not None else (None, "")


def short(text: str) -> bool:
    return 0 < len(text) <= MAX_TITLE and len(text.split()) <= MAX_TITLE_WORDS and not text.endswith((".", ":", ";"))


def all_bold(inlines: list) -> bool:
    """Every word of the paragraph is inside Strong (spaces and line breaks between do not count)."""
    words = [n for n in inlines if n["t"] not in ("Space", "SoftBreak", "LineBreak")]
    return bool(words) and all(n["t"] == "Strong" for n in words)


def as_heading(blocks: list, index: int) -> list:
    """The blocks with blocks[index] a plain first-level heading: no id or classes, which would
    otherwise be written after it as `{#id .class}` and read as part of the title."""
    block = blocks[index]
    inlines = block["c"][2] if block["t"] == "Header" else block["c"]
    if block["t"] != "Header" and all_bold(inlines):
        inlines = [part for n in inlines for part in (n["c"] if n["t"] == "Strong" else [n])]
    return [*blocks[:index], {"t": "Header", "c": [1, ["", [], []], inlines]}, *blocks[index + 1 :]]


def unlink_front(blocks: list, index: int) -> tuple[list, int]:
    """Links to the title block, and to the heading after it that the plain shape reads as the
    subtitle, become their text."""
    blocks, count = unlink_title(blocks, index)
    after = blocks[index + 1] if index + 1 < len(blocks) else None
    if after is not None and after["t"] == "Header" and not SUMMARY.match(plain_text(after)):
        blocks, more = unlink_title(blocks, index + 1)
        count += more
    return blocks, count


def unlink_title(blocks: list, index: int) -> tuple[list, int]:
    """Links to the title block (its id, or a bookmark inside it) become their text."""
    block = blocks[index]
    own = [block["c"][1][0]] if block["t"] == "Header" else []
    inner = [n["c"][ATTR_AT[n["t"]]][0] for n in find_all(block["c"], lambda n: n["t"] in ATTR_AT)]
    ids = {i for i in own + inner if i}
    if not ids:
        return blocks, 0
    rest = blocks[:index] + blocks[index + 1 :]
    count = len(find_all(rest, lambda n: n["t"] == "Link" and n["c"][2][0][1:] in ids and n["c"][2][0][:1] == "#"))

    def on_inlines(items: list) -> list:
        out = []
        for n in items:
            if n["t"] == "Link" and n["c"][2][0][:1] == "#" and n["c"][2][0][1:] in ids:
                out += n["c"][1]
            else:
                out.append(n)
        return out

    kept = drop_empty(rewrite(rest, inlines=on_inlines))
    return [*kept[:index], block, *kept[index:]], count


def point_at_headings(blocks: list) -> tuple[list, int]:
    """Bookmarks inside a heading (Word's _Toc and _Ref anchors, an HTML <a id>) give the heading
    its id when it has none, and links to them point at the heading; the bookmarks go (written
    back as Markdown they would sit in the heading's text as `[]{#_Toc1}`)."""
    moved: dict[str, str] = {}  # bookmark id -> the heading's id

    def bookmark(node: dict) -> bool:
        return node["t"] == "Span" and bool(node["c"][0][0]) and not node["c"][1]

    def on_blocks(items: list) -> list:
        out = []
        for block in items:
            marks = find_all(block["c"][2], bookmark) if block["t"] == "Header" else []
            if marks:
                level, (own, kinds, pairs), inlines = block["c"]
                own = own or marks[0]["c"][0][0]
                moved.update({m["c"][0][0]: own for m in marks})
                kept = rewrite(inlines, inlines=lambda items: [n for n in items if not bookmark(n)])
                block = {"t": "Header", "c": [level, [own, kinds, pairs], kept]}
            out.append(block)
        return out

    blocks = rewrite(blocks, blocks=on_blocks)
    pointed = 0

    def on_inlines(items: list) -> list:
        nonlocal pointed
        out = []
        for n in items:
            target = n["c"][2][0][1:] if n["t"] == "Link" and n["c"][2][0][:1] == "#" else ""
            if target in moved and moved[target] != target:
                n = {"t": "Link", "c": [n["c"][0], n["c"][1], ["#" + moved[target], n["c"][2][1]]]}
                pointed += 1
            out.append(n)
        return out

    return rewrite(blocks, inlines=on_inlines), pointed

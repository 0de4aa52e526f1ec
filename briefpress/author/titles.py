"""Where an imported manuscript's title is when no paragraph is styled Title: its first heading,
or a short first paragraph set in bold or large type. The chosen block becomes the first heading
(the plain shape reads the title from it), and the links that pointed at it become their text:
the title is not a heading of the body, so nothing could take them there.
"""

from __future__ import annotations

from briefpress.author.cleanup import ATTR_AT, classes, drop_empty, find_all, plain_text, rewrite

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


def anchors_in_headings(blocks: list) -> dict[str, str]:
    """Word's bookmarks inside a heading (a _Toc or _Ref anchor): bookmark id -> the heading's id,
    so that a cross-reference to the bookmark can point at the heading."""
    found = {}
    for header in find_all(blocks, lambda n: n["t"] == "Header"):
        for span in find_all(header["c"][2], lambda n: n["t"] == "Span" and "anchor" in classes(n)):
            if span["c"][0][0] and header["c"][1][0]:
                found[span["c"][0][0]] = header["c"][1][0]
    return found


def point_at_headings(blocks: list) -> tuple[list, int]:
    """Links to a bookmark inside a heading point at the heading itself, and the bookmark goes
    (written back as Markdown it would sit in the heading's text as `[]{#_Toc1 .anchor}`)."""
    anchors = anchors_in_headings(blocks)
    if not anchors:
        return blocks, 0
    moved = len(find_all(blocks, lambda n: n["t"] == "Link" and n["c"][2][0][1:] in anchors))

    def on_inlines(items: list) -> list:
        out = []
        for n in items:
            if n["t"] == "Link" and n["c"][2][0][:1] == "#" and n["c"][2][0][1:] in anchors:
                n = {"t": "Link", "c": [n["c"][0], n["c"][1], ["#" + anchors[n["c"][2][0][1:]], n["c"][2][1]]]}
            elif n["t"] == "Span" and "anchor" in classes(n) and n["c"][0][0] in anchors and not n["c"][1]:
                continue
            out.append(n)
        return out

    return rewrite(blocks, inlines=on_inlines), moved

"""Refuse, before anything is rendered, what WeasyPrint cannot lay out at all or in reasonable time:
elements nested deeper than its recursion survives, and a brief long enough to take minutes."""

from __future__ import annotations

from pathlib import Path

from briefpress.compose.htmltree import html_depth, text_words
from briefpress.errors import BriefError, LineIndex

# WeasyPrint 70 computes inherited styles by recursion, one level per element: 120 nested block
# quotes build, 140 end in a RecursionError. Counted in HTML elements (a list level is <ul><li>).
MAX_DEPTH = 100
HTML_LEVELS = {"BulletList": 2, "OrderedList": 2, "DefinitionList": 2, "Table": 4, "Figure": 2}
NOT_ELEMENTS = {"Str", "Space", "SoftBreak", "Plain", "RawInline", "RawBlock", "Quoted", "Cite"}
# The most pages one build lays out: WeasyPrint holds a whole layout, about 2.5 MB a page of prose
# (more with tables), and lays out a page in about 0.13 s of a core for each PDF edition; the
# default editions of 300 pages end within two minutes and 1.5 GB on two cores (BENCHMARKS.md).
# render/pdf.py stops a layout that runs past it.
MAX_PAGES = 300
# About 630 words a page with the notes, as measured on the sample repeated 300 times (356,000
# words, 560 pages): a brief of more words is refused before it is rendered.
WORDS_PER_PAGE = 630
MAX_WORDS = MAX_PAGES * WORDS_PER_PAGE
# WeasyPrint's memory grows with the elements laid out as much as with the text: a page of notes,
# links and tables holds twice a page of prose. Measured (the largest process's peak, less the 100
# MB it starts with) on the sample's body 150 times (280 pages: 626 MB), and on 250 and 290 pages
# of sections with 9 links, 9 footnotes and a table each (1,068 and 1,240 MB): 14.8 KB a tag of
# the brief's HTML, and as much for each 85 characters of it. That unit is a layout unit.
LAYOUT_UNIT_CHARS = 85
UNITS_PER_PAGE = 150  # of the sample's prose, notes included
MAX_LAYOUT_UNITS = 70_000  # one PDF layout within about 1.15 GB, the build within 1.5 GB
# Two PDF layouts at once, beside the process that composes and makes the EPUB, within 1.5 GB.
TWO_LAYOUTS_UNITS = 34_000
SPLIT = "split it into several briefs, one file each, and build them together as a series"


def check_nesting(blocks: list, text: str, path: Path) -> BriefError | None:
    """An error naming the line where the manuscript nests more than MAX_DEPTH elements deep."""
    stack: list[tuple[object, int]] = [(blocks, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict) and "t" in item:
            depth += 0 if item["t"] in NOT_ELEMENTS else HTML_LEVELS.get(item["t"], 1)
            if depth > MAX_DEPTH:
                return BriefError(
                    path,
                    line_of_words(item, text),
                    f"block quotes, lists, divs or emphasis nested more than {MAX_DEPTH} levels deep "
                    "(the PDF renderer cannot lay them out)",
                    "nest them less deeply: a level of list counts 2, a table 4",
                )
            item = item.get("c")
        if isinstance(item, list):
            stack.extend((child, depth) for child in item)
    return None


def line_of_words(node: dict, text: str) -> int | None:
    """The line of the first words inside a pandoc element, if the manuscript has them."""
    words: list[str] = []
    stack: list[object] = [node]
    while stack and len(words) < 2:
        item = stack.pop()
        if isinstance(item, dict) and item.get("t") == "Str":
            words.append(item["c"])
        elif isinstance(item, dict):
            stack.append(item.get("c"))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    for needle in (" ".join(words), words[0] if words else ""):
        pos = text.find(needle) if needle else -1
        if pos >= 0:
            return LineIndex(text)(pos)
    return None


def check_html_depth(parts: list[str], path: Path) -> BriefError | None:
    """The same limit for raw HTML, which pandoc passes through without parsing it."""
    depth = max((html_depth(part) for part in parts), default=0)
    if depth <= MAX_DEPTH:
        return None
    return BriefError(
        path,
        None,
        f"raw HTML nests elements {depth} levels deep, more than {MAX_DEPTH} (the PDF renderer cannot lay them out)",
        "nest the HTML less deeply, or write it in Markdown",
    )


def check_manuscript_length(markdown: str, path: Path) -> BriefError | None:
    """The same limit, roughly, on the Markdown itself, before pandoc spends a minute and gigabytes
    on a 10 MB manuscript (its markup and data: URLs count as words too, hence the margin)."""
    words = len(markdown.split())
    return too_long(words, path) if words > 2 * MAX_WORDS else None


def check_length(parts: list[str], path: Path) -> BriefError | None:
    """An error when the brief's words would make more pages than a build lays out in a minute or
    two, or its notes, links and tables more layout than it holds within 1.5 GB."""
    words = sum(text_words(part) for part in parts)
    if words > MAX_WORDS:
        return too_long(words, path)
    units = layout_units(parts)
    if units > MAX_LAYOUT_UNITS:
        return BriefError(
            path,
            None,
            f"the brief's text, notes, links and tables would take as much layout as {units // UNITS_PER_PAGE:,} "
            f"pages of prose; a brief may take as much as {MAX_LAYOUT_UNITS // UNITS_PER_PAGE} "
            "(each note, link and table cell counts)",
            SPLIT,
        )
    return None


def layout_units(parts: list[str]) -> int:
    """What laying out this HTML costs, in layout units (about 15 KB of WeasyPrint's memory each): a
    tag, or LAYOUT_UNIT_CHARS characters."""
    return sum(part.count("<") + len(part) // LAYOUT_UNIT_CHARS for part in parts)


def too_long(words: int, path: Path) -> BriefError:
    return BriefError(
        path,
        None,
        f"the brief has {words:,} words, about {words // WORDS_PER_PAGE:,} pages; a brief may have "
        f"{MAX_WORDS:,} words (about {MAX_WORDS // WORDS_PER_PAGE} pages)",
        SPLIT,
    )

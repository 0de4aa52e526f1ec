"""HTML fragments: cut pandoc's HTML into parts, find and swap image sources, make XHTML for the EPUB."""

from __future__ import annotations

import re
from collections.abc import Iterator

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
    if (
        len(children) == 1
        and children[0].tag == "p"
        and not (element.text or "").strip()
        and not (children[0].tail or "").strip()
    ):
        element = children[0]
    text = html_escape(element.text or "")
    return text + "".join(html.tostring(child, encoding="unicode") for child in element).strip()


def html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_xhtml(fragment: str) -> str:
    """Re-serialise an HTML fragment as well-formed XML for EPUB content documents."""
    root = html.fragment_fromstring(fragment, create_parent="div")
    text = html_escape(root.text or "")
    return text + "".join(etree.tostring(child, method="xml", encoding="unicode") for child in root)


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


def text_words(fragment: str) -> int:
    """How many words an HTML fragment's text has."""
    if not fragment.strip():
        return 0
    return len(html.fragment_fromstring(fragment, create_parent="div").text_content().split())


def html_depth(fragment: str) -> int:
    """How deep the elements of an HTML fragment nest (its own wrapper not counted)."""
    if not fragment.strip():
        return 0
    deepest = depth = 0
    for event, _ in etree.iterwalk(html.fragment_fromstring(fragment, create_parent="div"), events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest - 1


def image_sources(fragment: str) -> list[str]:
    """The src of every <img>, in document order."""
    if not fragment.strip():
        return []
    root = html.fragment_fromstring(fragment, create_parent="div")
    return [img.get("src") or "" for img in root.iter("img")]


def undescribed_images(markup: str) -> list[str]:
    """The src of every <img> of an HTML document or fragment that has no alt text."""
    if "<img" not in markup:
        return []
    root = html.fromstring(markup)
    return [img.get("src") or "" for img in root.iter("img") if not (img.get("alt") or "").strip()]


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
            found.append(
                (etree.QName(element).localname, {etree.QName(k).localname: v for k, v in element.attrib.items()})
            )
    return found


def scope_header_cells(fragment: str) -> str:
    """Give every table header cell its scope (PDF/UA: a TH needs /Scope): col in the header row,
    row for a header cell that starts a body row. Cells that already say are left alone."""
    if "<th" not in fragment:
        return fragment
    root = html.fragment_fromstring(fragment, create_parent="div")
    for cell in root.iter("th"):
        if cell.get("scope"):
            continue
        row = cell.getparent()
        in_head = row is not None and row.getparent() is not None and row.getparent().tag == "thead"
        first = row is not None and row.index(cell) == 0 and any(c.tag == "td" for c in row)
        cell.set("scope", "row" if first and not in_head else "col")
    text = html_escape(root.text or "")
    return text + "".join(html.tostring(child, encoding="unicode") for child in root)


# The text block of an A4 page at the table's size: what a table's natural width is measured against.
TEXT_BLOCK_EMS = 47.0  # 162 mm at 9.7 pt
CHAR_EMS = 0.5  # a character's average width, in ems
CELL_GAP_EMS = 1.2  # the padding between columns (brief.css)
WIDE_SCALE = 0.8 / 0.92  # .table-wide's size relative to a table's (brief.css)
FLOOR_SCALE = 7 / (0.92 * 10.5)  # .table-wider's 7 pt relative to a table's 9.7 pt
LANDSCAPE_EMS = TEXT_BLOCK_EMS * 249 / 162  # the text block of a turned A4 page (pdf.css.j2's margins)
TABLE_PT, SPLIT_PT = 0.92 * 10.5, 5  # a table's size, and the size a turned page sets a split table in
SPLIT_GAP_EMS = 0.5  # the padding between columns on a turned page (pdf.css.j2)
TURNED_ROOM = LANDSCAPE_EMS * TABLE_PT / SPLIT_PT  # the turned page's text block in ems at 5 pt
SOURCE_LINE = re.compile(r"^\s*(Sources?|\u0645\u0627\u062e\u0630|\u0630\u0631\u06cc\u0639\u06c1)\s*[:\u061b]")


def finish_body(fragment: str, *, table_label: str, figure_label: str, direction: str) -> str:
    """Number captioned tables and figures ("Table 1"), mark "Source: ..." lines under them, mark a
    table too wide for the text block (set smaller, its columns as wide as their words need, then
    its cells wrap) and give each table a box
    that scrolls sideways on a narrow screen. In a right-to-left brief, code and URL links are
    marked dir="ltr"."""
    if not any(tag in fragment for tag in ("<table", "<figure", "<code", "<a ")):
        return fragment
    root = html.fragment_fromstring(fragment, create_parent="div")
    for number, caption in enumerate(root.iter("caption"), start=1):
        prepend_label(caption, f"{table_label} {number}.")
    for number, caption in enumerate(root.iter("figcaption"), start=1):
        prepend_label(caption, f"{figure_label} {number}.")
    for table in list(root.iter("table")):
        width = natural_width(table)
        if width > TEXT_BLOCK_EMS:
            table.set("class", "table-wider" if width * WIDE_SCALE > TEXT_BLOCK_EMS else "table-wide")
            drop_relative_widths(table)
        for cell in list(table.iter("td", "th")):  # a number never breaks between its digits
            if NUMBER.fullmatch(" ".join(cell.text_content().split())):
                cell.set("class", " ".join(filter(None, (cell.get("class"), "num"))))
            else:
                keep_numbers_whole(cell)
        box = html.Element("div", {"class": table_box(column_widths(table, longest_word)), "tabindex": "0"})
        wrap(table, box)
        if "table-landscape" in box.get("class") and box.getnext() is None:  # the page turns back after it
            box.addnext(html.Element("div", {"class": "page-turn", "aria-hidden": "true"}))
    for block in list(root.iter("div", "figure")):
        if block.tag == "figure" or (block.get("class") or "").startswith("table-scroll"):
            following = block.getnext()
            if following is not None and following.tag == "p" and SOURCE_LINE.match(following.text_content()):
                following.set("class", "source-line")
    for code in root.iter("code"):
        if code.getparent() is not None and code.getparent().tag != "pre" and len(code) == 0:
            break_code(code)
    if direction == "rtl":
        for element in root.iter("code", "pre", "a"):
            if element.tag != "a" or (element.text or "").startswith(("http://", "https://", "www.")):
                element.set("dir", "ltr")
    text = html_escape(root.text or "")
    body = text + "".join(html.tostring(child, encoding="unicode") for child in root)
    return body.replace("<wbr></wbr>", "<wbr/>")  # as notes.py writes it: lxml nests text in an open <wbr>


CODE_BREAKS = re.compile(r"(?<=[/.=&])(?=[^/])")


def break_code(code) -> None:
    """Let inline code break after '/', '.', '=' and '&', as URLs do (a <wbr> at each)."""
    pieces = [p for p in CODE_BREAKS.split(code.text or "")]
    if len(pieces) < 2:
        return
    code.text = pieces[0]
    for piece in pieces[1:]:
        wbr = html.Element("wbr")
        wbr.tail = piece
        code.append(wbr)


def prepend_label(caption, label: str) -> None:
    span = html.Element("span", {"class": "caption-label"})
    span.text = label
    span.tail = " " + (caption.text or "")
    caption.text = None
    caption.insert(0, span)


def natural_width(table, measure=lambda text: len(" ".join(text.split()))) -> float:
    """A table's width in ems if no cell wrapped: its columns' longest cells, and the gaps."""
    return set_width(column_widths(table, measure))


def set_width(widths: list[float]) -> float:
    """The ems of columns of these widths (characters) side by side, with the gaps between them."""
    return sum(widths) * CHAR_EMS + CELL_GAP_EMS * max(len(widths) - 1, 0)


def column_widths(table, measure) -> list[float]:
    """Each column's width in characters, its longest cell by measure. A cell that spans columns (a
    header over them all) wraps over them, so only its longest word counts."""
    widths: list[float] = []
    spanning: list[tuple[int, int, float]] = []
    for cell, column, span in placed_cells(table):
        widths.extend([0.0] * (column + span - len(widths)))
        if span == 1:
            widths[column] = max(widths[column], measure(cell.text_content()))
        else:  # it wraps over its columns: only its longest word must fit
            spanning.append((column, span, longest_word(cell.text_content())))
    for start, span, length in spanning:  # widen the spanned columns only when they are too narrow
        short = length - sum(widths[start : start + span]) - (span - 1) * CELL_GAP_EMS / CHAR_EMS
        for index in range(start, start + span):
            widths[index] += max(short, 0) / span
    return widths


def column_count(table) -> int:
    return max((column + span for _, column, span in placed_cells(table)), default=0)


def placed_cells(table) -> Iterator[tuple[html.HtmlElement, int, int]]:
    """(cell, its first column, how many columns it spans) for every cell of a table, row by row;
    a cell that spans rows holds its column in the rows below."""
    held: dict[int, int] = {}  # column -> rows it is still held for, by a rowspan above
    for row in table.iter("tr"):
        column = 0
        for cell in [c for c in row if c.tag in ("td", "th")]:
            while held.get(column, 0) > 0:
                column += 1
            span, rows = cell_span(cell, "colspan"), cell_span(cell, "rowspan")
            yield cell, column, span
            for spanned in range(column, column + span):
                held[spanned] = rows
            column += span
        held = {c: left - 1 for c, left in held.items() if left > 1}


def table_box(least: list[float]) -> str:
    """The classes of a table's box, from the width its columns' longest words need (characters): a
    table too wide for the text block even at the floor gets a landscape page of its own in the PDF
    editions, set smaller still (6 or 5 pt) if the turned page is too narrow for it at 7 pt; too wide
    for the turned page even at 5 pt, its columns are set in groups there (table-split)."""
    at_floor = set_width(least) * FLOOR_SCALE
    if at_floor <= TEXT_BLOCK_EMS:
        return "table-scroll"
    if len(least) > 2 and turned_width(least) > TURNED_ROOM:
        return "table-scroll table-landscape table-5pt table-split"
    size = next((pt for pt in (7, 6) if at_floor * pt / 7 <= LANDSCAPE_EMS), 5)
    return "table-scroll table-landscape" + ("" if size == 7 else f" table-{size}pt")


def turned_width(least: list[float]) -> float:
    """The ems at 5 pt that columns need on a turned page, their longest words and the padding."""
    return sum(width * CHAR_EMS + SPLIT_GAP_EMS for width in least)


def column_groups(table) -> list[tuple[int, int]]:
    """The columns after the first, in as few groups of about as many columns as fit a turned page at
    5 pt beside the first (the stub, repeated in each group); as (first, last) column indexes.
    A tenth of the page is kept spare: the widths are estimates from the characters."""
    least = column_widths(table, longest_word)
    room = 0.9 * TURNED_ROOM - turned_width(least[:1])
    count = len(least) - 1
    for parts in range(2, count + 1):
        size = -(-count // parts)
        groups = [(start, min(start + size - 1, count)) for start in range(1, count + 1, size)]
        if all(turned_width(least[first : last + 1]) <= room for first, last in groups):
            return groups
    return [(column, column) for column in range(1, count + 1)]


def drop_relative_widths(table) -> None:
    """Let a table set smaller, whose cells may break inside a word, take its columns' widths from
    their words: pandoc's relative widths (a pipe table's dashes) gave a one-dash column 1 %, whose
    header then broke after every letter."""
    for colgroup in table.findall("colgroup"):
        colgroup.drop_tree()
    style = re.sub(r"(?:^|;)\s*width\s*:[^;]*", "", table.get("style") or "").strip(" ;")
    if style:
        table.set("style", style)
    else:
        table.attrib.pop("style", None)


def column_ranges(groups: list[tuple[int, int]]) -> list[str]:
    """Which columns each group's table shows, counted from 1: "1–11", "12–21" (the first
    group's table starts with the stub column it follows on from)."""
    shown = [(0 if k == 0 else first, last) for k, (first, last) in enumerate(groups)]
    return [f"{first + 1}" if first == last else f"{first + 1}\u2013{last + 1}" for first, last in shown]


def split_tables(fragment: str) -> list[tuple[tuple[str, ...], int, list[tuple[int, int]]]]:
    """For each table whose columns are set in groups (table-split): the text of its first row's
    first two cells, how many columns it has, and its groups."""
    if "table-split" not in fragment:
        return []
    root = html.fragment_fromstring(fragment, create_parent="div")
    found = []
    for box in root.xpath('.//div[contains(concat(" ", @class, " "), " table-split ")]'):
        table = box.find("table")
        row = next(table.iter("tr"), None)
        cells = tuple(" ".join(c.text_content().split()) for c in (row if row is not None else []))[:2]
        found.append((tuple(c for c in cells if c), column_count(table), column_groups(table)))
    return found


def cell_span(cell, attribute: str) -> int:
    value = (cell.get(attribute) or "1").strip()
    return max(1, min(int(value), 100)) if value.isdigit() else 1


def longest_word(text: str) -> int:
    """The characters of a text's longest word: a column is never narrower (words do not break)."""
    return max((len(word) for word in text.split()), default=0)


NUMBER = re.compile(r"[-+\u2212(]?[$€£¥]?\d[\d,.\u00a0\u202f]*%?\)?")


# A number inside a cell's text: 1,234.5, 2017, 12%, −4.2, $3.5, and 31 911,77 with a plain space
# between groups of three digits, as Russian and French write them (a span of two characters or more);
# not the digits inside a word (Y2000, H2O).
DIGITS = re.compile(r"(?<!\w)[-+\u2212]?[$€£¥]?(?:\d{1,3}(?: \d{3}(?!\d))+(?:[,.]\d+)?|\d(?:[\d,.\u00a0\u202f]*\d)?)%?")
NOT_TEXT = ("code", "pre", "script", "style", "svg", "math")


def keep_numbers_whole(cell) -> None:
    """Put each number in a text cell in a span that never breaks (brief.css): a narrow cell may
    break a long word anywhere, but not a number between its digits."""
    for element in list(cell.iter()):
        if not isinstance(element.tag, str) or any(skipped(e) for e in element.iterancestors()):
            continue
        if element.text and not skipped(element):
            lead, spans = number_spans(element.text)
            element.text = lead
            for index, span in enumerate(spans):
                element.insert(index, span)
        if element.tail and element is not cell:
            lead, spans = number_spans(element.tail)
            element.tail = lead
            for span in reversed(spans):
                element.addnext(span)


def skipped(element) -> bool:
    return (
        element.tag in NOT_TEXT or "noteref" in (element.get("class") or "") or "digits" in (element.get("class") or "")
    )


def number_spans(text: str) -> tuple[str, list]:
    """The text before the first number, and a span for each number, the text after it as its tail."""
    spans: list[html.HtmlElement] = []
    lead, last = text, 0
    for found in DIGITS.finditer(text):
        if len(found.group()) < 2:
            continue
        if spans:
            spans[-1].tail = text[last : found.start()]
        else:
            lead = text[: found.start()]
        span = html.Element("span", {"class": "digits"})
        span.text = found.group()
        spans.append(span)
        last = found.end()
    if spans:
        spans[-1].tail = text[last:]
    return lead, spans


def wrap(element, wrapper) -> None:
    """Put element inside wrapper, where element was."""
    wrapper.tail, element.tail = element.tail, None
    element.addprevious(wrapper)
    wrapper.append(element)


# SVG that runs, embeds or fetches: what a brand's logo must not hold (SVG 2, "Scripting" and
# "Linking"); shapes, text, gradients and local references (#id) stay.
ITALIC_TAGS = ("em", "i", "cite", "dfn", "var")


def italic_places(fragment: str) -> tuple[bool, bool]:
    """Whether a fragment has italic text at all, and whether some is inside a heading."""
    if not fragment.strip():
        return False, False
    root = html.fragment_fromstring(fragment, create_parent="div")
    found = [el for el in root.iter(*ITALIC_TAGS)]
    in_heading = any(a.tag in ("h1", "h2", "h3", "h4", "h5", "h6") for el in found for a in el.iterancestors())
    return bool(found), in_heading

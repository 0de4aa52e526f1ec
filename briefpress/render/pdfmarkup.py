"""Changes to the PDF editions' HTML: link targets described in words, links dropped for paper,
headings labelled for the bookmarks, tables too wide for a turned page set in parts."""

from __future__ import annotations

import copy

from lxml import html

from briefpress.compose.htmltree import column_count, column_groups, column_ranges, placed_cells
from briefpress.records import Labels


def link_descriptions(markup: str, labels: Labels) -> dict[str, str]:
    """What a link to each target says, in the brand's words for the brief's language:
    {"note-3": "Go to note 3", "background": "Go to section “Background”"}."""
    root = html.document_fromstring(markup)
    described = {}
    for element in root.iter():
        ident = element.get("id") if isinstance(element.tag, str) else None
        if not ident:
            continue
        text = " ".join(element.text_content().replace("\u2060", "").split())
        if element.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            what = labels.to_section.format(text)
        elif element.get("role") == "doc-noteref":
            what = labels.to_call.format(text)
        elif element.tag == "li" and any(a.get("role") == "doc-endnotes" for a in element.iterancestors()):
            what = labels.to_note.format(text.split(".")[0])
        else:
            continue
        described[ident] = labels.go_to.format(what)
    return described


def drop_links(document: str) -> str:
    """Remove every <a>'s href so WeasyPrint writes no link annotations; the text and classes stay."""
    root = html.document_fromstring(document)
    for anchor in root.iter("a"):
        anchor.attrib.pop("href", None)
    return html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")


def label_headings(document: str) -> str:
    """Give each heading its words, without note calls, as data-bookmark: WeasyPrint's default
    bookmark-label, content(text), would read "Background3" for a heading with a link in it."""
    root = html.document_fromstring(document)
    for heading in root.xpath("//h1|//h2|//h3|//h4|//h5|//h6"):
        copy = html.fragment_fromstring(html.tostring(heading, encoding="unicode", with_tail=False))
        for call in copy.xpath('.//*[contains(concat(" ", @class, " "), " noteref ") or @class="noteref-sep"]'):
            call.drop_tree()
        heading.set("data-bookmark", " ".join(copy.text_content().replace("\u2060", "").split()))
    return html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")


def split_wide_tables(document: str, labels: Labels) -> str:
    """Set each table too wide for a turned page even at 5 pt (compose marks it table-split) in
    parts of its columns (split_boxes)."""
    if "table-split" not in document:
        return document
    root = html.document_fromstring(document)
    split_boxes(root, labels)
    return html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")


def split_fragment_tables(fragment: str, labels: Labels) -> str:
    """The same for one element's markup: a brief's section of a pack, in its own language."""
    if "table-split" not in fragment:
        return fragment
    root = html.fragment_fromstring(fragment)
    split_boxes(root, labels)
    return html.tostring(root, encoding="unicode")


def split_boxes(root, labels: Labels) -> None:
    """Set each table marked table-split as a table for each group of its columns, each with the
    first column and a caption saying which columns it shows, one after the other on the turned
    pages. Every cell's text is still there; an id is kept where it first appears (a note call's)."""
    for box in root.xpath('//div[contains(concat(" ", @class, " "), " table-split ")]'):
        table = box.find("table")
        groups = column_groups(table)
        total = column_count(table)
        seen: set[str] = set()
        for (first, last), shown in zip(groups, column_ranges(groups), strict=True):
            part = copy.deepcopy(box)
            keep_columns(part.find("table"), {0, *range(first, last + 1)})
            label_part(part.find("table"), labels.columns.format(shown, total))
            for element in part.iter():
                ident = element.get("id") if isinstance(element.tag, str) else None
                if ident in seen:
                    del element.attrib["id"]
                elif ident:
                    seen.add(ident)
            part.tail = None
            box.addprevious(part)
        last_part, tail = box.getprevious(), box.tail
        box.getparent().remove(box)
        last_part.tail = tail


def keep_columns(table, keep: set[int]) -> None:
    """Remove the cells of every column not in keep; a cell spanning kept and removed columns
    spans only the kept ones."""
    for cell, column, span in list(placed_cells(table)):
        kept = sum(1 for c in range(column, column + span) if c in keep)
        if not kept:
            cell.drop_tree()
        elif kept > 1:
            cell.set("colspan", str(kept))
        else:
            cell.attrib.pop("colspan", None)


def label_part(table, columns: str) -> None:
    """Say in the caption which columns this part shows: after the table's own caption, or alone."""
    caption = table.find("caption")
    if caption is None:
        caption = html.Element("caption")
        table.insert(0, caption)
        text = columns[:1].upper() + columns[1:]
    else:
        text = f" ({columns})"
    span = html.Element("span", {"class": "caption-columns"})
    span.text = text
    caption.append(span)

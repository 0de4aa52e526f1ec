"""Tables too wide to read as Markdown text, written as HTML tables whose cells hold Markdown.

Pandoc writes a table whose cells hold more than a line as a grid table, as wide as its longest
paragraph: a contract's 63-column tables made megabytes of padded lines, unreadable as text and
tens of seconds for the build's pandoc to read back. Past WIDE_TABLE characters a line such a table
is written as an HTML table instead. Its cells are Markdown, written by pandoc (so that `1)`, `*`
or `$` in a cell reads back as the text it is: pandoc reads the inside of an HTML block as
Markdown), each between blank lines inside its <td>; its links stay links, with their notes."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from briefpress.author import cleanup

WIDE_TABLE = 200  # characters a line
MARK = "BRIEFPRESSPART"
ALIGN = {"AlignLeft": "left", "AlignRight": "right", "AlignCenter": "center"}
KEPT_AS_MARKDOWN = ("Note", "Image", "Math", "Table", "CodeBlock", "RawBlock", "RawInline")


def wide_tables_as_html(blocks: list, path: Path, write: Callable[[list, Path], str]) -> tuple[list, int]:
    """The blocks with each table wider than WIDE_TABLE as Markdown written as an HTML table, and
    how many. Tables holding notes, pictures, math, code, raw HTML or other tables stay Markdown
    (their parts are rewritten later, or must stay verbatim)."""
    tables = cleanup.find_all(blocks, convertible)
    if not tables:
        return blocks, 0
    widths = marked([[t] for t in tables], path, write)
    wide = [k for k, text in enumerate(widths) if max(map(len, text.splitlines()), default=0) > WIDE_TABLE]
    if not wide:
        return blocks, 0
    parts = [part for k in wide for part in table_parts(tables[k])]
    written = iter(marked(parts, path, write))
    replaced = {k: table_html(tables[k], written) for k in wide}
    seen = iter(range(len(tables)))

    def on_blocks(items: list) -> list:
        out = []
        for b in items:
            k = next(seen) if convertible(b) else None
            out.append({"t": "RawBlock", "c": ["html", replaced[k]]} if k in replaced else b)
        return out

    return cleanup.rewrite(blocks, blocks=on_blocks), len(wide)


def convertible(node: dict) -> bool:
    return node["t"] == "Table" and not cleanup.find_all(node["c"][1:], lambda n: n["t"] in KEPT_AS_MARKDOWN)


def marked(parts: list[list], path: Path, write: Callable[[list, Path], str]) -> list[str]:
    """Each list of blocks written as Markdown, in one pandoc call (a marker paragraph before each)."""
    doc = [b for k, part in enumerate(parts) for b in ({"t": "Para", "c": [{"t": "Str", "c": f"{MARK}{k}"}]}, *part)]
    text = write(doc, path)
    return [chunk.strip("\n") for chunk in re.split(rf"^{MARK}\d+\n", text, flags=re.M)[1:]]


def rows_of(table: dict) -> list[tuple[str, list[tuple[bool, list]]]]:
    """(section, [(header?, row)]) of a table, in the order HTML allows: one thead (the table's head
    rows and its first body's own), each tbody (a later body's head rows first, as rows of header
    cells), then tfoot."""
    _, _, _, head, bodies, foot = table["c"]
    sections = [("thead", [(True, row) for row in head[1] + (bodies[0][2] if bodies else [])])]
    for k, body in enumerate(bodies):
        sections.append(("tbody", [(True, row) for row in (body[2] if k else [])] + [(False, row) for row in body[3]]))
    return [*sections, ("tfoot", [(False, row) for row in foot[1]])]


def table_parts(table: dict) -> list[list]:
    """The blocks to write as Markdown: the caption, then every cell, in order."""
    return [table["c"][1][1]] + [cell[4] for _, rows in rows_of(table) for _, row in rows for cell in row[1]]


def table_html(table: dict, written) -> str:
    colspecs = table["c"][2]
    caption = next(written)
    out = ["<table>"] + ([f"<caption>\n{caption}\n</caption>"] if caption else [])
    for section, rows in rows_of(table):
        if not rows:
            continue
        out.append(f"<{section}>")
        for header, row in rows:
            out.append("<tr>")
            column = 0
            for _, align, rowspan, colspan, _ in row[1]:
                tag = "th" if header else "td"
                side = ALIGN.get(align["t"]) or (
                    ALIGN.get(colspecs[column][0]["t"]) if column < len(colspecs) else None
                )
                attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
                    f' colspan="{colspan}"' if colspan > 1 else ""
                )
                attrs += f' style="text-align: {side};"' if side else ""
                text = next(written)
                out.append(f"<{tag}{attrs}>\n\n{text}\n\n</{tag}>" if text else f"<{tag}{attrs}></{tag}>")
                column += colspan
            out.append("</tr>")
        out.append(f"</{section}>")
    out.append("</table>")
    return "\n".join(out)

"""Front matter as other systems write it: dates in written forms (`July 17, 2006`, `17 July 2006`,
`March 2026`), pandoc's `%` title block, and keys meant for Jekyll, Hugo or GitHub Pages. Each is
read into the brief's own fields with a note saying how, or named in one warning. Stdlib only."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

MONTHS = {
    name: n
    for n, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        1,
    )
    for name in names
}
MONTH = r"([A-Za-z]{3,9})\.?"
WRITTEN = (  # (pattern, the order its groups come in)
    (re.compile(rf"^{MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})$"), ("month", "day", "year")),
    (re.compile(rf"^(\d{{1,2}})(?:st|nd|rd|th)?\s+{MONTH},?\s+(\d{{4}})$"), ("day", "month", "year")),
    (re.compile(rf"^{MONTH},?\s+(\d{{4}})$"), ("month", "year")),
)
TITLE_BLOCK = re.compile(r"\A%[ \t]")


def read_written_date(text: str) -> tuple[dt.date, str] | None:
    """A date written out in words, and how it was read; None when it is not one."""
    text = " ".join(text.split())
    for pattern, order in WRITTEN:
        found = pattern.match(text)
        if not found:
            continue
        parts = dict(zip(order, found.groups(), strict=True))
        month = MONTHS.get(parts["month"].lower())
        if month is None:
            return None
        try:
            day = dt.date(int(parts["year"]), month, int(parts.get("day", 1)))
        except ValueError:
            return None
        how = "as the first of that month" if "day" not in parts else "as a written date"
        return day, how
    return None


@dataclass(frozen=True)
class TitleBlock:
    """What pandoc's `% title`, `% author(s)`, `% date` lines give, and the lines they took."""

    data: dict = field(hash=False)
    lines: dict = field(hash=False)  # key -> manuscript line
    used: int = 0  # how many lines of the manuscript the block takes


def read_title_block(text: str) -> TitleBlock | None:
    """Pandoc's title block (its manual, "Extension: pandoc_title_block"): up to three `%` lines,
    title, authors separated by `;`, date, each continued on lines that start with a space."""
    if not TITLE_BLOCK.match(text):
        return None
    fields: list[tuple[int, str]] = []
    lines = text.split("\n")
    used = 0
    for number, line in enumerate(lines, 1):
        if line.startswith("%") and len(fields) < 3:
            fields.append((number, line[1:].strip()))
        elif line[:1] in (" ", "\t") and line.strip() and fields:
            fields[-1] = (fields[-1][0], f"{fields[-1][1]} {line.strip()}".strip())
        else:
            break
        used = number
    data: dict = {}
    where: dict[str, int] = {}
    for key, (number, value) in zip(("title", "author", "date"), fields, strict=False):
        if not value:
            continue
        if key == "author":
            names = [n.strip() for n in value.split(";") if n.strip()]
            data[key] = [{"name": n} for n in names]
        else:
            data[key] = value
        where[key] = number
    return TitleBlock(data=data, lines=where, used=used)


# Template tags of Jekyll, Eleventy, Hugo and other Liquid or Jinja-like systems: `{% include x %}`,
# `{{ site.url }}`. Nothing here runs them, so they print as typed. Code (fenced blocks and
# backtick spans) may show them on purpose, and is left alone.
TEMPLATE_TAG = re.compile(r"\{%-?\s*[A-Za-z_][^\n]*?-?%\}|\{\{-?\s*[^\s{}][^\n]*?\}\}")
CODE = re.compile(
    r"^[ ]{0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^[ ]{0,3}\1[`~]*[ \t]*$|\Z)"  # a fenced block, to its fence
    r"|(`+)(?:(?!\n[ \t]*\n).)+?(?<!`)\2(?!`)",  # a code span, inside one paragraph
    re.M | re.S,
)


@dataclass(frozen=True)
class TemplateTags:
    """The template tags outside code: how many, the first and its line (of the text given)."""

    count: int
    first: str
    line: int


def find_template_tags(text: str) -> TemplateTags | None:
    """The `{% ... %}` and `{{ ... }}` tags of a Markdown text, outside code; None when none."""
    masked = CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    tags = list(TEMPLATE_TAG.finditer(masked))
    if not tags:
        return None
    first = tags[0]
    return TemplateTags(count=len(tags), first=first.group(), line=masked.count("\n", 0, first.start()) + 1)

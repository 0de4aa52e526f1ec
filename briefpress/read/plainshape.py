"""Read a manuscript without front matter, laid out the way briefs arrive: a title heading, an
author line, a Summary heading with its paragraph(s), the body, then a separator line and the
authors' bios. Works on the Markdown text, line by line, and changes no word of it.

What it infers it reports as notes (`note: FILE:LINE: read the title from this heading`), so the
editor sees what was understood; what it cannot decide is an error that says to add front matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from briefpress.errors import BriefError, BuildWarning

ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
SEPARATOR = re.compile(
    r"^ {0,3}(?:(?:\.[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,}|(?:\u2026[ \t]*)+)$"
)
SUBTITLE = re.compile(r"^\s*subtitle\s*:\s*(.+?)\s*$", re.I)
SUMMARY = re.compile(r"^(?:summary|abstract|executive\s+summary)\s*:?$", re.I)
AUTHOR_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*|\s*;\s*")
HONORIFIC = r"(?:(?:Dr|Prof|Professor|Mr|Mrs|Ms|Mx)\.?\s+)?"
EMAIL = re.compile(r"(?:mailto:)?([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
MARKUP = re.compile(r"[*_`]|\\(?=\S)")
ATTRIBUTES = re.compile(r"\s*\{(?:[#.][^{}]*|[^{}=]+=[^{}]*)\}\s*$")  # pandoc's `{#id .class}` after a heading
PARTICLES = {"al", "bin", "binti", "da", "das", "de", "del", "della", "den", "der", "di", "do", "dos", "du", "el"}
PARTICLES |= {"la", "le", "van", "von", "ter", "ten", "y", "zu", "ibn", "bint"}
MAX_AUTHOR_LINE = 160  # characters: an author line is short; a longer paragraph is the body


@dataclass(frozen=True)
class Block:
    """A run of non-blank lines, with the 1-based line it starts on."""

    line: int
    lines: tuple[str, ...]
    code: bool = False  # inside a fenced code block: never a heading or separator

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def end(self) -> int:
        return self.line + len(self.lines) - 1

    def heading(self) -> str | None:
        """The words of a heading block, or None."""
        if self.code or not self.lines:
            return None
        atx = ATX.match(self.lines[0])
        if atx and len(self.lines) == 1:
            return ATTRIBUTES.sub("", atx.group(2)).strip()
        if len(self.lines) == 2 and SETEXT.match(self.lines[1]) and not SEPARATOR.match(self.lines[0]):
            return ATTRIBUTES.sub("", self.lines[0]).strip()
        return None

    def separator(self) -> bool:
        return not self.code and len(self.lines) == 1 and bool(SEPARATOR.match(self.lines[0]))


@dataclass(frozen=True)
class Shape:
    """What was read from the manuscript's layout: front matter as data, the Markdown left to
    parse (the body and back matter, every consumed line blanked so nothing else moves), and
    the notes that say what was inferred and where."""

    data: dict = field(hash=False)
    lines: dict = field(hash=False)  # front matter key -> the manuscript line it came from
    body: str
    notes: tuple[BuildWarning, ...] = ()


def read_plain_shape(text: str, path: Path) -> Shape:
    """Infer title, subtitle, authors, summary and bios from a manuscript without front matter."""
    blocks = split_blocks(text)
    start = next((i for i, b in enumerate(blocks) if b.heading() is not None), None)
    if start is None:
        raise BriefError(
            path,
            1,
            "no front matter, and no heading to read the title from",
            "start the file with a '# Title' heading, or with YAML front matter: '---', 'title: ...', '---'",
        )
    reader = ShapeReader(path, blocks)
    reader.take_title(start)
    reader.take_authors()
    reader.take_summary()
    return reader.finish(text)


def read_back_matter(
    text: str, path: Path, authors: list[dict], offset: int = 0
) -> tuple[str, list[dict], list[BuildWarning]]:
    """For a manuscript with front matter: bios after a separator line, for authors without one.
    Returns the body with the bios blanked, the authors with their bios, and the notes."""
    reader = ShapeReader(path, split_blocks(text, offset))
    reader.authors = [dict(a) for a in authors]
    reader.cursor = 0
    reader.take_back_matter(only_missing=True)
    return reader.blanked(text, offset), reader.authors, reader.notes


class ShapeReader:
    """Walks the blocks once, front to back, consuming what it recognises."""

    def __init__(self, path: Path, blocks: list[Block]):
        self.path, self.blocks = path, blocks
        self.data: dict = {}
        self.lines: dict[str, int] = {}
        self.authors: list[dict] = []
        self.notes: list[BuildWarning] = []
        self.consumed: set[int] = set()  # indices of blocks taken out of the body
        self.cursor = 0

    def note(self, line: int, what: str) -> None:
        self.notes.append(BuildWarning(self.path, line, what))

    def consume(self, index: int) -> Block:
        self.consumed.add(index)
        return self.blocks[index]

    def peek(self) -> Block | None:
        return self.blocks[self.cursor] if self.cursor < len(self.blocks) else None

    def take_title(self, index: int) -> None:
        title = self.consume(index)
        self.data["title"], self.lines["title"] = plain(title.heading() or ""), title.line
        self.note(title.line, "read the title from this heading")
        self.cursor = index + 1
        nxt = self.peek()
        if nxt is None:
            return
        sub = SUBTITLE.match(nxt.text) if len(nxt.lines) == 1 and not nxt.code else None
        heading = nxt.heading()
        if sub or (heading is not None and not SUMMARY.match(plain(heading))):
            self.data["subtitle"] = plain(sub.group(1) if sub else heading or "")
            self.lines["subtitle"] = nxt.line
            self.note(nxt.line, "read the subtitle from this " + ("line" if sub else "heading"))
            self.consume(self.cursor)
            self.cursor += 1

    def take_authors(self) -> None:
        while (block := self.peek()) is not None and author_line(block):
            names = split_authors(block.text)
            self.authors += [{"name": n} for n in names]
            self.lines.setdefault("author", block.line)
            self.note(block.line, f"read the author{'s' if len(names) > 1 else ''} {' / '.join(names)} from this line")
            self.consume(self.cursor)
            self.cursor += 1

    def take_summary(self) -> None:
        block = self.peek()
        if block is None or not SUMMARY.match(plain(block.heading() or "")):
            return
        self.consume(self.cursor)
        heading_line = block.line
        self.cursor += 1
        taken = self.summary_paragraphs()
        if not taken:
            raise BriefError(
                self.path,
                heading_line,
                "the summary heading has no paragraph under it",
                "write the summary under the heading, or remove the heading",
            )
        again = self.peek()
        if again is not None and SUMMARY.match(plain(again.heading() or "")):
            raise BriefError(
                self.path,
                again.line,
                f"two summaries (the first at line {heading_line})",
                "keep one, or give the brief YAML front matter with 'abstract:'",
            )
        self.data["abstract"] = "\n\n".join(unitalic(self.blocks[i].text) for i in taken)
        self.lines["abstract"] = heading_line
        count = "paragraph" if len(taken) == 1 else f"{len(taken)} paragraphs"
        self.note(heading_line, f"read the summary from the {count} under this heading")

    def summary_paragraphs(self) -> list[int]:
        """The summary: its run of wholly italic paragraphs; else everything up to the next
        heading; else (no heading follows) its first paragraph."""
        first = self.peek()
        if first is None or first.heading() is not None or first.separator() or first.code:
            return []
        rest = range(self.cursor, len(self.blocks))
        if unitalic(first.text) != first.text:
            run = []
            for i in rest:
                if unitalic(self.blocks[i].text) == self.blocks[i].text or self.blocks[i].code:
                    break
                run.append(i)
        else:
            upto = next((i for i in rest if self.blocks[i].heading() is not None or self.blocks[i].separator()), None)
            run = list(range(self.cursor, upto)) if upto is not None else [self.cursor]
        for i in run:
            self.consume(i)
        self.cursor = run[-1] + 1
        return run

    def take_back_matter(self, *, only_missing: bool = False) -> None:
        """After the last separator line: each paragraph that starts with an author's name is
        that author's bio; the rest stays as back matter text."""
        seps = [i for i in range(self.cursor, len(self.blocks)) if self.blocks[i].separator()]
        if not seps or not self.authors:
            return
        sep = seps[-1]
        bios: dict[int, int] = {}  # block index -> author index
        for i in range(sep + 1, len(self.blocks)):
            author = self.bio_author(self.blocks[i])
            if (
                author is not None
                and author not in bios.values()
                and not (only_missing and self.authors[author].get("bio"))
            ):
                bios[i] = author
        if not bios:
            return
        self.consume(sep)
        self.note(self.blocks[sep].line, "the back matter starts after this separator line (not printed)")
        for i, author in bios.items():
            block = self.consume(i)
            entry = self.authors[author]
            entry["bio"] = block.text
            self.note(block.line, f"read the bio of {entry['name']} from this paragraph")
            email = EMAIL.search(block.text)
            if email and not entry.get("email"):
                entry["email"] = email.group(1)
                self.note(block.line, f"read the email of {entry['name']} from this bio")

    def bio_author(self, block: Block) -> int | None:
        if block.code or block.heading() is not None:
            return None
        start = plain(block.lines[0])
        for n, author in enumerate(self.authors):
            if re.match(HONORIFIC + re.escape(author["name"]) + r"\b", start):
                return n
        return None

    def finish(self, text: str) -> Shape:
        self.take_back_matter()
        if self.authors:
            self.data["author"] = self.authors
        return Shape(data=self.data, lines=self.lines, body=self.blanked(text), notes=tuple(self.notes))

    def blanked(self, text: str, offset: int = 0) -> str:
        """The text with every consumed block's lines emptied, so the body stays where it was."""
        lines = text.split("\n")
        for i in self.consumed:
            block = self.blocks[i]
            for n in range(block.line - offset, block.end - offset + 1):
                lines[n - 1] = ""
        return "\n".join(lines)


def split_blocks(text: str, offset: int = 0) -> list[Block]:
    """Blocks separated by blank lines; a fenced code block is one block, marked as code."""
    blocks: list[Block] = []
    current: list[str] = []
    start, fence, code = 0, "", False

    def flush() -> None:
        nonlocal current
        if current:
            blocks.append(Block(start + offset, tuple(current), code))
        current = []

    for n, line in enumerate(text.split("\n"), 1):
        opener = FENCE.match(line)
        if fence:
            current.append(line)
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                flush()
                fence, code = "", False
            continue
        if opener:
            flush()
            start, fence, code, current = n, opener.group(1), True, [line]
            continue
        if not line.strip():
            flush()
            continue
        if not current:
            start = n
        elif ATX.match(line) or SEPARATOR.match(line) and not SETEXT.match(line):
            flush()  # a heading or a rule ends the paragraph before it
            start = n
        current.append(line)
    flush()
    return blocks


def author_line(block: Block) -> bool:
    """A short line of names: no heading, no link, no digits, no sentence."""
    text = block.text.strip()
    if block.code or block.heading() is not None or block.separator() or len(text) > MAX_AUTHOR_LINE:
        return False
    if re.search(r"[\[\]()<>\d:]|[.!?]$", text) or len(block.lines) > 2:
        return False
    names = split_authors(text)
    return bool(names) and all(name_like(n) for n in names)


def name_like(name: str) -> bool:
    """Two to five words, each capitalised or a particle (van, de, bin ...): 'I heard' and
    'Foobar' are not names."""
    words = name.split()
    return 2 <= len(words) <= 5 and all(w[:1].isupper() or w.lower() in PARTICLES for w in words)


def split_authors(text: str) -> list[str]:
    """'A', 'A and B', 'A, B and C' (and 'By ...') as one name each."""
    words = plain(re.sub(r"\s+", " ", text)).strip()
    words = re.sub(r"^by\s+", "", words, flags=re.I)
    return [n.strip() for n in AUTHOR_SPLIT.split(words) if n.strip()]


def unitalic(text: str) -> str:
    """A paragraph wrapped whole in *...* or _..._ without the wrapping; else as it is."""
    for mark in ("*", "_"):
        stripped = text.strip()
        if (
            len(stripped) > 2
            and stripped[0] == mark
            and stripped[-1] == mark
            and stripped[1] != mark
            and mark not in stripped[1:-1]
        ):
            return stripped[1:-1].strip()
    return text


def plain(text: str) -> str:
    """Words without Markdown emphasis marks or escapes."""
    return MARKUP.sub("", text).strip()

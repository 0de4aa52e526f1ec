"""Turn links and footnotes into one continuous sequence of endnotes.

Works on pandoc's JSON AST and knows nothing of pandoc itself. Reading order is the
order of the AST walk: summary, body, author bios.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from briefpress.errors import BriefError, BuildWarning, LineIndex, clipped
from briefpress.read.citekeys import written

# Chicago Manual of Style 14.26: the call follows these, but precedes a dash; in Arabic script
# also the Urdu full stop, the Arabic comma, semicolon and question mark.
CLOSING = ".,;:?!\u201d\u2019)\"'\u2026\u00bb]\u06d4\u060c\u061b\u061f"
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
CALL_PREFIX = '<a class="noteref"'
CALL_SEPARATOR = {"t": "RawInline", "c": ["html", '<span class="noteref-sep" aria-hidden="true">,</span>']}
CONTAINERS = {"Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps", "Quoted", "Span"}
INLINE_TYPES = CONTAINERS | {
    "Str",
    "Space",
    "SoftBreak",
    "LineBreak",
    "Code",
    "Math",
    "RawInline",
    "Link",
    "Image",
    "Note",
    "Cite",
}


@dataclass
class PendingNote:
    """A note while the walk is still counting its calls."""

    number: int
    kind: str
    url: str = ""
    text: str = ""  # note text as HTML for links
    blocks: list = field(default_factory=list)  # pandoc blocks for footnotes
    calls: int = 0
    titled: bool = False


# What a bare `@key` has when its writer meant a citation key: a year (smith2020, doe_1998a) or a
# prefix (doi:10.1038/..., pmid:123); `@isas_nus` or `@ISAS_NUS` in "write to @isas_nus" has neither.
CITATION_KEY = re.compile(r"(?<!\d)(?:1[5-9]|20)\d\d(?!\d)|:")


def handle_in_prose(citations: list, missing: set[str]) -> bool:
    """A bare `@name` in a brief without a bibliography that does not look like a citation key:
    a handle ("write to @isas_nus"), which pandoc reads as a citation. It is text, and no warning.
    A key in brackets (`[@key]`), with a locator (`@key [p. 4]`) or `-@key` was meant as one.
    (With a bibliography, a citation of a missing key is text already, and warned: read/citekeys.py.)"""
    if len(citations) != 1:
        return False
    cite = citations[0]
    return (
        cite["citationId"] in missing
        and cite["citationMode"]["t"] == "AuthorInText"
        and not cite["citationSuffix"]
        and not CITATION_KEY.search(cite["citationId"])
    )


class NoteCollector:
    """Walks AST parts in reading order, numbering notes and placing their calls."""

    def __init__(self, source_text: str, path: Path, *, missing: tuple[str, ...] = (), bibliography: str = ""):
        self.notes: list[PendingNote] = []
        self.by_url: dict[str, PendingNote] = {}
        self.warnings: list[BuildWarning] = []
        self.errors: list[BriefError] = []
        self._locator = LinkLocator(source_text)
        self._keys = KeyLocator(source_text)
        self._path = path
        self._missing = set(missing)  # citation keys the bibliography lacks (citeproc's warnings)
        self._bibliography = bibliography  # its file names, for messages; empty: no bibliography
        self._warned: set[str] = set()
        if bibliography:  # the citations of these keys are printed as written (read/citekeys.py)
            self._warn_missing(source_text)

    def collect(self, blocks: list) -> list:
        """Return blocks with note calls in place of links and footnotes."""
        return walk(blocks, self._inlines)

    def _inlines(self, inlines: list) -> list:
        out: list = []
        for node in inlines:
            kind = node["t"]
            if kind == "Link":
                out.extend(self._link(node))
            elif kind == "Note":
                out.append(self._footnote(node["c"]))
            elif kind == "Cite":
                out.extend(self._cite(node))
            elif kind == "Str" and not node["c"]:
                continue  # citeproc leaves an empty Str after a citation; it would keep calls apart
            elif kind == "Image":
                self._image(node)
                out.append(walk(alt_without_links(node), self._inlines))
            else:
                out.append(walk(node, self._inlines) if kind in CONTAINERS else node)
        return separate_calls(place_calls(out))

    def _link(self, node: dict) -> list:
        attr, content, (url, title) = node["c"]
        line = self._locator.line_of(url, stringify(content))
        if url.startswith("mailto:") or (url.startswith("#") and len(url) > 1):
            return [node]
        if url.strip() in ("", "#"):
            text = stringify(content)
            self.warnings.append(
                BuildWarning(
                    self._path,
                    line,
                    f"placeholder link [{text}] has no URL "
                    "(put the source's address in the parentheses, or remove the link)",
                )
            )
            note = self._new("placeholder", text=placeholder_text(text))
            return [{"t": "Span", "c": [["", ["placeholder-link"], []], content]}, self._call(note)]
        try:
            urlsplit(url).port  # noqa: B018  an IPv6 host without "]" or a port past 65535 raises
        except ValueError as err:
            self.warnings.append(
                BuildWarning(
                    self._path,
                    line,
                    f"link to {url} is not a valid address ({err}), so it is printed as text (correct the URL)",
                )
            )
            return self._inlines(content)
        if not SCHEME.match(url):
            self.warnings.append(
                BuildWarning(
                    self._path,
                    line,
                    f"link to {url} is relative: no reader of the PDF or EPUB can follow it, so it is printed "
                    "as text (give the full address, https://..., or remove the link)",
                )
            )
            return self._inlines(content)
        cited = self.by_url.get(url)
        if cited is None:
            cited = self.by_url[url] = self._new("url", url=url, text=url_note_text(url, title))
        elif title and not cited.titled:
            cited.text = url_note_text(url, title)  # a later citation may say what the source is
        cited.titled = cited.titled or bool(title)
        return [node, self._call(cited)]

    def _cite(self, node: dict) -> list:
        """A citation: a note style's Note joins the sequence; what the style prints in the text
        (the author's name for `@key says`) stays in the text."""
        citations, content = node["c"]
        if not self._bibliography and handle_in_prose(citations, self._missing):
            return [{"t": "Str", "c": f"@{citations[0]['citationId']}"}]
        if not any(item["t"] == "Note" for item in content):  # printed as written
            content = written(node)
        for citation in citations:
            key = citation["citationId"]
            if key in self._missing and key not in self._warned:
                self._warned.add(key)
                self.warnings.append(BuildWarning(self._path, self._keys.line_of(key), self._no_entry(key)))
        out: list = []
        for item in content:
            if item["t"] == "Note":
                out.append(self._citation(citations, item["c"]))
            else:
                out.append(walk(item, self._inlines) if item["t"] in CONTAINERS else item)
        return out

    def _warn_missing(self, source_text: str) -> None:
        """One warning per key the bibliography lacks, at the first line that names it, wherever
        it is cited (the summary, a footnote, a bio)."""
        lines = {key: KeyLocator(source_text).line_of(key) for key in sorted(self._missing)}
        for key in sorted(self._missing, key=lambda k: (lines[k] or 0, k)):
            self._warned.add(key)
            self.warnings.append(BuildWarning(self._path, lines[key], self._no_entry(key)))

    def _no_entry(self, key: str) -> str:
        if self._bibliography:
            return (
                f"citation @{key}: not in {self._bibliography}, so it is printed as written "
                f"(add the entry to the bibliography, or write \\@{key} if it is not a citation)"
            )
        return (
            f"citation @{key}: the brief has no bibliography, so it is printed as written "
            "(name one with 'bibliography:' in the front matter, or write the text without the @)"
        )

    def _citation(self, citations: list, blocks: list) -> dict:
        """A citation note. A whole work cited without a locator shares its note with a link to the
        work's URL or DOI, whichever comes first; a prefix ("see") is no locator."""
        blocks = walk(blocks, citation_links)
        targets = link_targets(blocks)
        whole = len(citations) == 1 and not citations[0]["citationSuffix"]
        url = targets[0] if whole and targets else ""
        shared = self.by_url.get(url) if url else None
        if shared is not None:
            if shared.kind == "url":  # a link came first: the bibliography's entry says more
                shared.kind, shared.blocks, shared.titled = "citation", blocks, True
            return self._call(shared)
        note = self._new("citation", url=url, titled=True)
        note.blocks = blocks
        if url:
            self.by_url[url] = note
        return self._call(note)

    def _image(self, node: dict) -> None:
        warning = image_warning(node, self._path, self._locator)
        if warning:
            self.warnings.append(warning)

    def _footnote(self, blocks: list) -> dict:
        note = self._new("footnote")
        nested: list[str] = []
        note.blocks = walk(walk(blocks, lambda inlines: notes_in_brackets(inlines, nested)), inline_urls)
        for text in nested:
            self.warnings.append(
                BuildWarning(
                    self._path,
                    self._locator.line_of_note(text),
                    f"a note inside note {note.number} (“{clipped(' '.join(text.split()), 40, '…')}”): a note cannot hold a note, so its "
                    "text is set in brackets inside it (write it as part of the note)",
                )
            )
        return self._call(note)

    def _new(self, kind: str, **fields) -> PendingNote:
        note = PendingNote(number=len(self.notes) + 1, kind=kind, **fields)
        self.notes.append(note)
        return note

    def _call(self, note: PendingNote) -> dict:
        # U+2060 WORD JOINER inside the link: UAX 14 allows a break between "." and "3", so a call
        # could start a line; inside the link (not a CSS ::before) it adds no second link box.
        note.calls += 1
        n, suffix = note.number, "" if note.calls == 1 else f"-{note.calls}"
        return {
            "t": "RawInline",
            "c": ["html", f'{CALL_PREFIX} id="noteref-{n}{suffix}" href="#note-{n}" role="doc-noteref">\u2060{n}</a>'],
        }


def notes_in_brackets(inlines: list, found: list[str]) -> list:
    """A note written inside a note (`^[...]` in a footnote) as its text in brackets, where it stands;
    found gets the text of each."""
    out: list = []
    for node in inlines:
        if node["t"] != "Note":
            out.append(walk(node, lambda inner: notes_in_brackets(inner, found)) if node["t"] in CONTAINERS else node)
            continue
        words: list = []
        for block in node["c"]:
            inner = block["c"] if block["t"] in ("Para", "Plain") else [{"t": "Str", "c": stringify([block])}]
            words += ([{"t": "Space"}] if words else []) + notes_in_brackets(inner, found)
        found.append(stringify(words))
        out += [{"t": "Str", "c": "["}, *words, {"t": "Str", "c": "]"}]
    return out


def alt_without_links(image: dict) -> dict:
    """An image's alt text is plain text: a link inside it becomes its words, and no note."""
    attr, alt, target = image["c"]

    def unlink(inlines: list) -> list:
        out: list = []
        for node in inlines:
            if node["t"] == "Link":
                out.extend(unlink(node["c"][1]))
            else:
                out.append(walk(node, unlink) if node["t"] in CONTAINERS else node)
        return out

    return {"t": "Image", "c": [attr, unlink(alt), target]}


def image_warning(node: dict, path: Path, locator: LinkLocator) -> BuildWarning | None:
    """Warn about an image without alt text: screen readers would announce only its file name."""
    _, alt, (url, _) = node["c"]
    if stringify(alt).strip():
        return None
    return BuildWarning(
        path,
        locator.line_of(url, ""),
        f"image {url} has no alt text: screen readers get nothing for it, the PDFs claim no PDF/UA-1 "
        "(the archive PDF/A-3b, not 3a) and --check fails it "
        "(describe it inside the brackets: ![what the image shows](...))",
    )


def citation_links(inlines: list) -> list:
    """In a citation, a URL or DOI printed as itself becomes our URL markup (broken after '/',
    never hyphenated); every edition prints it in full, the PDF and EPUB as a live link."""
    out = []
    for node in inlines:
        if node["t"] == "Link" and stringify(node["c"][1]) == node["c"][2][0]:
            out.append({"t": "RawInline", "c": ["html", url_html(node["c"][2][0])]})
        elif node["t"] in CONTAINERS or node["t"] == "Cite":
            out.append(walk(node, citation_links))
        else:
            out.append(node)
    return out


URL_HREF = re.compile(r'^<a class="url"[^>]*? href="([^"]*)"')


def link_targets(value) -> list[str]:
    """The URLs of the links (ours or pandoc's) inside a pandoc JSON value, in order."""
    if isinstance(value, list):
        return [url for item in value for url in link_targets(item)]
    if not isinstance(value, dict):
        return []
    if value.get("t") == "RawInline" and value["c"][1].startswith('<a class="url" '):
        found = URL_HREF.search(value["c"][1])
        return [html.unescape(found.group(1))] if found else []
    if value.get("t") == "Link":
        return [value["c"][2][0]]
    return link_targets(value.get("c"))


def walk(node, on_inlines):
    """Rebuild a pandoc JSON value, passing every inline list through on_inlines."""
    if isinstance(node, list):
        if node and isinstance(node[0], dict) and node[0].get("t") in INLINE_TYPES:
            return on_inlines(node)
        return [walk(item, on_inlines) for item in node]
    if isinstance(node, dict) and "c" in node:
        return {"t": node["t"], "c": walk(node["c"], on_inlines)}
    return node


def is_call(node: dict) -> bool:
    return node["t"] == "RawInline" and node["c"][1].startswith(CALL_PREFIX)


def separate_calls(inlines: list) -> list:
    """Put a comma between calls that touch ("1,2"); CSS cannot, as `+` skips the text between calls."""
    out: list = []
    for node in inlines:
        if out and is_call(node) and is_call(out[-1]):
            out.append(CALL_SEPARATOR)
        out.append(node)
    return out


def place_calls(inlines: list) -> list:
    """Move calls out of closing quotes and emphasis, and after closing punctuation."""
    out: list = []
    for node in inlines:
        out.append(node)
        if node["t"] in CONTAINERS:
            children = container_inlines(node)
            hoisted: list[dict] = []
            while children and is_call(children[-1]):
                hoisted.insert(0, children.pop())
            out.extend(hoisted)
        elif node["t"] == "Str" and len(out) > 1 and is_call(out[-2]):
            move_punctuation(out)
    return out


def container_inlines(node: dict) -> list:
    return node["c"][1] if node["t"] in ("Quoted", "Span") else node["c"]


def move_punctuation(out: list) -> None:
    """out ends with calls then a Str: put the Str's leading closing punctuation first."""
    text = out[-1]["c"]
    cut = len(text) - len(text.lstrip(CLOSING))
    if cut == 0 or (cut < len(text) and text[cut].isalnum()):
        return  # no punctuation, or an apostrophe inside a word ("’s")
    first = len(out) - 1
    while first > 0 and is_call(out[first - 1]):
        first -= 1
    out.insert(first, {"t": "Str", "c": text[:cut]})
    rest = text[cut:]
    if rest:
        out[-1] = {"t": "Str", "c": rest}
    else:
        out.pop()


def inline_urls(inlines: list) -> list:
    """Inside a footnote, show a link's URL after its text instead of nesting notes."""
    out = []
    for node in inlines:
        out.append(node)
        if node["t"] == "Cite":  # a citation inside a footnote is text, its URLs printed already
            out[-1] = walk(node, citation_links)
        elif node["t"] == "Link":
            url = node["c"][2][0]
            if url.startswith(("http:", "https:", "ftp:")):
                out.append({"t": "RawInline", "c": ["html", f" ({url_html(url)})"]})
    return out


def url_note_text(url: str, title: str) -> str:
    """The note of a cited URL: its title, isolated (a Latin title keeps its order in a
    right-to-left brief, an Urdu one in a left-to-right brief), then the URL."""
    title_html = html.escape(title.strip(), quote=False)
    link = url_html(url)
    if not title_html:
        return link
    end = "" if title_html[-1] in ".?!\u06d4\u061f" else "."
    return f'<bdi class="note-title">{title_html}{end}</bdi> {link}'


def url_html(url: str) -> str:
    """A URL as a link that always reads left to right (dir="ltr" isolates it in any text)."""
    return f'<a class="url" dir="ltr" href="{html.escape(url)}">{break_url(url)}</a>'


def break_url(url: str) -> str:
    """Escape a URL for display, allowing line breaks after '/' and before . ? & = # -. A hyphen
    is kept with the character after it: a line that ends in one reads as a hyphenated word, and
    the address as one without it (the Chicago Manual's rule: break before a hyphen)."""
    parts = re.split(r"(?<=/)(?!/)|(?=[.?&=#_-])", url)
    return "<wbr/>".join(hyphen_kept(html.escape(p, quote=False)) for p in parts if p)


def hyphen_kept(part: str) -> str:
    if not part.startswith("-") or len(part) < 2:
        return part
    ahead = 2 if not part[1] == "&" else part.index(";") + 1  # an escaped character is one
    return f'<span class="url-hyphen">{part[:ahead]}</span>{part[ahead:]}'


def placeholder_text(text: str) -> str:
    shown = html.escape(text.strip(), quote=False)
    if not shown.startswith(("\u201c", "\u2018", '"')):
        shown = f"\u201c{shown}\u201d"
    return (
        f'<span class="missing">No source given in the manuscript</span> '
        f"for {shown} (the link points to \u201c#\u201d)."
    )


def stringify(inlines: list) -> str:
    """Plain text of pandoc inlines."""
    parts = []
    for node in inlines:
        kind, c = node["t"], node.get("c")
        if kind == "Str":
            parts.append(c)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        elif kind == "Quoted":
            q = "\u201c\u201d" if c[0]["t"] == "DoubleQuote" else "\u2018\u2019"
            parts.append(q[0] + stringify(c[1]) + q[1])
        elif kind in ("Code", "Math"):
            parts.append(c[-1])
        elif kind in CONTAINERS or kind in ("Link", "Image"):
            parts.append(stringify(container_inlines(node) if kind in CONTAINERS else c[1]))
    return "".join(parts)


class KeyLocator:
    """Find the source line of each citation key, `@key` or `@{key}`, scanning forward."""

    def __init__(self, text: str):
        self._text = text
        self._cursor = 0

    def line_of(self, key: str) -> int | None:
        pattern = re.compile(rf"(?<![\w@\\])@(?:{re.escape(key)}|\{{{re.escape(key)}\}})(?![\w])")
        found = pattern.search(self._text, self._cursor) or pattern.search(self._text)
        if not found:
            return None
        self._cursor = found.end()
        return self._text.count("\n", 0, found.start()) + 1


class LinkLocator:
    """Find the source line of each link, scanning forward through the manuscript."""

    def __init__(self, text: str):
        self._text = text
        self._cursor = 0
        self._line = LineIndex(text)

    def line_of_note(self, text: str) -> int | None:
        """The line of an inline note `^[...]` whose text starts with text's first word."""
        first = text.split()[0] if text.split() else ""
        found = re.search(r"\^\[[\W_]*" + re.escape(first[:20]), self._text)
        return self._line(found.start()) if found and first else None

    def line_of(self, url: str, label: str) -> int | None:
        for needle in (f"]({url}", f"](<{url}>", f"[{label}]"):
            pos = self._text.find(needle, self._cursor)
            if pos < 0:
                pos = self._text.find(needle)
            if pos >= 0:
                self._cursor = pos + len(needle)
                return self._line(pos)
        return None

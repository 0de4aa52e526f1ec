"""Treat the manuscript's raw HTML as untrusted: sanitise every rendered part of a Document."""

from __future__ import annotations

import re
from dataclasses import replace
from html import escape
from pathlib import Path

from briefpress.compose.sanitizer import Finding, sanitize_fragment, unsafe_url
from briefpress.errors import BriefError, BuildWarning, LineIndex
from briefpress.records import Document, Note, Source, Staged

FIX = {"warning": "", "error": "remove it: images go in the Markdown as ![text](file.png) inside the source folder"}


def sanitize_document(doc: Document, source: Source) -> Staged[Document]:
    """Strip active content from every part; refuse raw HTML that tries to load a resource."""
    findings: list[Finding] = []

    def clean(fragment: str) -> str:
        text, found = sanitize_fragment(fragment)
        findings.extend(found)
        return text

    cleaned = replace(
        doc,
        abstract_html=clean(doc.abstract_html),
        body_html=clean(doc.body_html),
        bios_html=tuple(clean(b) for b in doc.bios_html),
        notes=tuple(clean_note(n, clean) for n in doc.notes),
    )
    locate = NeedleLocator(source.text)
    errors, warnings = [], []
    for finding in findings:
        line = locate(finding.needle)
        if finding.severity == "error":
            errors.append(
                BriefError(source.path, line, f"refused raw HTML: {finding.what}", finding.fix or FIX["error"])
            )
        else:
            warnings.append(BuildWarning(source.path, line, finding.what))
    return Staged(cleaned, warnings=tuple(warnings), errors=tuple(errors))


def clean_note(note: Note, clean) -> Note:
    """A note citing a javascript: (or similar) address shows that it was removed, not the code."""
    if note.kind == "url" and unsafe_url(note.url):
        scheme = note.url.split(":", 1)[0].strip().lower()
        clean(f'<a href="{escape(note.url)}"></a>')  # reports the removal
        return replace(
            note,
            url="",
            html=f'<span class="missing">Address removed ({escape(scheme)} links are not allowed in a brief).</span>',
        )
    return replace(note, html=clean(note.html))


class NeedleLocator:
    """Name the line of each finding: the next occurrence of its text in the manuscript."""

    def __init__(self, text: str):
        self._text = text.lower()
        self._line = LineIndex(self._text)
        self._cursors: dict[str, int] = {}

    def __call__(self, needle: str) -> int | None:
        needle = needle.lower()
        pos = self._text.find(needle, self._cursors.get(needle, 0))
        if pos < 0:
            pos = self._text.find(needle)
        if pos < 0:
            return None
        self._cursors[needle] = pos + 1
        return self._line(pos)


# HTML's raw-text elements: everything after an unclosed one, our own closing tags included, is
# its text (HTML 13.1.2.1), so the rest of the brief would vanish into a <style>.
RAW_TEXT = re.compile(r"<(script|style|textarea|title|xmp|iframe|noembed|noframes|noscript)\b", re.I)


def close_raw_text(blocks: list, text: str, path: Path) -> tuple[list, list[BuildWarning]]:
    """Close a raw-text element that a raw HTML block opens and never closes, at the block's end."""
    warnings = []
    lines = LineIndex(text)

    def close(block: dict) -> dict:
        if block.get("t") != "RawBlock" or block["c"][0] != "html":
            return block
        chunk = block["c"][1]
        for tag in dict.fromkeys(m.group(1).lower() for m in RAW_TEXT.finditer(chunk)):
            opened = len(re.findall(rf"<{tag}\b", chunk, re.I))
            if opened > len(re.findall(rf"</{tag}\s*>", chunk, re.I)):
                found = RAW_TEXT.search(chunk)
                at = text.find(found.group(0)) if found else -1
                warnings.append(
                    BuildWarning(
                        path,
                        lines(at) if at >= 0 else None,
                        f"raw HTML opens <{tag}> and does not close it, so it is closed at the end of its "
                        f"block and the text after it kept (add </{tag}>)",
                    )
                )
                chunk += f"</{tag}>"
        return {"t": "RawBlock", "c": ["html", chunk]}

    def walk(node):
        if isinstance(node, list):
            return [walk(item) for item in node]
        if isinstance(node, dict) and "t" in node:
            node = close(node)
            content = node.get("c")
            return {"t": node["t"], "c": walk(content)} if isinstance(content, list) else node
        return node

    return walk(blocks), warnings

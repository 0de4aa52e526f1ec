"""Treat the manuscript's raw HTML as untrusted: sanitise every rendered part of a Document."""

from __future__ import annotations

from dataclasses import replace
from html import escape

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

"""A brief's citation as files a reference manager imports: BibTeX, RIS and CSL JSON (no library).

Written from the brief's CSL JSON item (compose/citation.py); pandoc's BibTeX writer drops the
DOI and RIS it cannot write, so both are written here.
"""

from __future__ import annotations

import json
import re

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
BIBTEX_SPECIAL = re.compile(r"([\\{}%&$#_^~])")


def citation_files(reference: dict) -> dict[str, bytes]:
    """{".bib": ..., ".ris": ..., ".json": ...} for one brief."""
    return {
        ".bib": to_bibtex(reference).encode("utf-8"),
        ".ris": to_ris(reference).encode("utf-8"),
        ".json": (json.dumps([reference], ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
    }


def names(reference: dict) -> list[str]:
    """Each author as "Family, Given", or the literal name."""
    return [
        f"{a['family']}, {a['given']}" if "family" in a else a.get("literal", "") for a in reference.get("author", [])
    ]


def date_parts(reference: dict) -> list[int]:
    return reference.get("issued", {}).get("date-parts", [[]])[0]


def to_bibtex(reference: dict) -> str:
    """A @techreport entry (BibTeX's type for a numbered report of an institution)."""
    fields = []

    def add(key: str, value: str, *, keep_case: bool = False) -> None:
        if value:
            text = BIBTEX_SPECIAL.sub(r"\\\1", value)
            fields.append(f"  {key} = {{{{{text}}}}}" if keep_case else f"  {key} = {{{text}}}")

    add("author", " and ".join(n if "," in n else f"{{{n}}}" for n in names(reference)))
    add("title", reference.get("title", ""), keep_case=True)
    add("institution", reference.get("publisher", ""))
    add("type", reference.get("genre", ""))
    add("number", reference.get("number", ""))
    parts = date_parts(reference)
    if parts:
        add("year", str(parts[0]))
    if len(parts) > 1:
        fields.append(f"  month = {MONTHS[parts[1] - 1]}")
    add("doi", reference.get("DOI", ""))
    add("url", reference.get("URL", ""))
    add("language", reference.get("language", ""))
    return f"@techreport{{{reference['id']},\n" + ",\n".join(fields) + "\n}\n"


def to_ris(reference: dict) -> str:
    """An RIS record of type RPRT (report): its number in VL, as the RIS specification maps it."""
    lines = ["TY  - RPRT"]
    lines += [f"AU  - {name}" for name in names(reference)]
    lines.append(f"TI  - {reference.get('title', '')}")
    parts = date_parts(reference)
    if parts:
        lines.append(f"PY  - {parts[0]}")
        lines.append("DA  - " + "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts)))
    for tag, key in (("PB", "publisher"), ("T3", "genre"), ("VL", "number"), ("DO", "DOI"), ("UR", "URL")):
        if reference.get(key):
            lines.append(f"{tag}  - {reference[key]}")
    for tag, key in (("LA", "language"), ("AB", "abstract")):
        if reference.get(key):
            lines.append(f"{tag}  - {reference[key]}")
    lines.append("ER  - ")
    return "\r\n".join(lines) + "\r\n"  # RIS lines end with CR LF

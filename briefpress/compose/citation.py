"""The brief's own citation: a CSL JSON entry for it, from which the "How to cite this brief"
line (in the brand's style, by pandoc's citeproc) and the series' citation files are made."""

from __future__ import annotations

import html
import unicodedata

from briefpress.records import Brand, Meta


def brief_reference(meta: Meta, brand: Brand, *, url: str, key: str = "brief", abstract: str = "") -> dict:
    """The brief as a CSL JSON item of type report (CSL 1.0.2, "report": a technical report or brief)."""
    item: dict = {"id": key, "type": "report", "title": title_of(meta)}
    if meta.authors:
        item["author"] = [person(a.name) for a in meta.authors]
    if meta.date:
        item["issued"] = {"date-parts": [[int(part) for part in meta.date.split("-")]]}
    item["publisher"] = brand.name
    series = meta.series.name or brand.series_name
    if series:  # as a genre, Chicago prints "ISAS Brief No. 1234."
        item["genre"] = series
    if meta.series.number:
        item["number"] = meta.series.number
    if meta.doi:
        item["DOI"] = meta.doi
    if url:
        item["URL"] = url
    if meta.lang:
        item["language"] = meta.lang
    if abstract:  # plain text: the summary as the editions print it
        item["abstract"] = " ".join(abstract.split())
    return item


def title_of(meta: Meta) -> str:
    return f"{meta.title}: {meta.subtitle}" if meta.subtitle else meta.title


def series_label(meta: Meta, brand: Brand, number: str = "No.") -> str:
    """The series and number, as the cover and the card print them: "ISAS Brief No. 1234", the word
    before the number from the brief's labels."""
    name = meta.series.name or brand.series_name
    if not meta.series.number:
        return name
    return " ".join(part for part in (name, number, meta.series.number) if part)


def arabic_inversion_commas(entry: str, meta: Meta) -> str:
    """The citation of a right-to-left brief with the Arabic comma where the style inverts a name
    in Arabic script: "صدیقی، عمر", not "صدیقی, عمر" (a Latin comma between two Urdu words). The
    rest of the entry keeps the style's punctuation; a name in Latin script keeps its comma."""
    if meta.direction != "rtl":
        return entry
    for author in meta.authors:
        name = person(author.name)
        if "family" in name and unicodedata.bidirectional(name["family"][-1]) in ("R", "AL"):
            inverted = html.escape(f"{name['family']}, {name['given']}", quote=False)
            entry = entry.replace(inverted, html.escape(f"{name['family']}\u060c {name['given']}", quote=False), 1)
    return entry


def person(name: str) -> dict:
    """A CSL name: the last word is the family name ("Amit Ranjan" -> Ranjan, Amit); a single word,
    an institution say, stays whole."""
    words = name.split()
    if len(words) < 2:
        return {"literal": name}
    return {"family": words[-1], "given": " ".join(words[:-1])}

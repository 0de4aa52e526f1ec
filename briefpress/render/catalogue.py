"""A series' catalogue: dist/index.html and dist/feed.xml, from each brief's entry."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass

from briefpress.records import EDITION, EDITIONS, Artifact, Brand
from briefpress.render.styles import edition_css, joined_css
from briefpress.render.templates import render_catalogue, render_feed
from briefpress.render.webedition import logo_data_url

# The editions a catalogue lists, in its order, by what it calls them.
EDITION_NAMES = {e.name: e.title for e in sorted(EDITIONS, key=lambda e: e.listed or 0) if e.listed is not None}
CITATION_NAMES = {"bibtex": "BibTeX", "ris": "RIS", "csljson": "CSL JSON"}


@dataclass(frozen=True)
class Entry:
    """One brief in the catalogue."""

    title: str
    subtitle: str
    authors: tuple[str, ...]
    date: str
    series_name: str
    series_number: str
    summary: str
    editions: tuple[Artifact, ...]
    citations: tuple[Artifact, ...] = ()  # the brief's citation as .bib, .ris and CSL .json
    atom_id: str = ""  # the DOI's address, else the brief's URL, else its identifier
    updated: str = ""  # RFC 3339: its date, else its build time
    lang: str = "en"  # the brief's language and writing direction, for its own words in the entry
    direction: str = "ltr"


@dataclass(frozen=True)
class Catalogue:
    brand: Brand
    entries: tuple[Entry, ...]


def describe(facts: dict, editions: tuple[Artifact, ...]) -> Entry:
    """The catalogue entry of a brief, from what its build recorded about it (make.about)."""
    return Entry(
        title=facts["title"],
        subtitle=facts["subtitle"],
        authors=tuple(facts["authors"]),
        date=facts["date"],
        series_name=facts["series_name"],
        series_number=facts["series_number"],
        summary=facts["summary"],
        editions=tuple(sorted(editions, key=lambda a: EDITION[a.kind].listed or 0)),
        atom_id=atom_id(facts),
        updated=f"{facts['date']}T00:00:00Z" if facts["date"] else facts["updated"],
        lang=facts["lang"],
        direction=facts["direction"],
    )


def atom_id(facts: dict) -> str:
    """A permanent IRI for the brief (RFC 4287 4.2.6): its DOI, else its URL, else its identifier."""
    doi = facts["reference"].get("DOI")
    return f"https://doi.org/{doi}" if doi else facts["url"] or facts["identifier"]


def number_key(number: str) -> tuple[int, str]:
    return (int(number), "") if number.isdigit() else (-1, number)


def make_catalogue(brand: Brand, entries: tuple[Entry, ...]) -> bytes:
    """The catalogue page: self-contained, like the web edition."""
    plain = dataclasses.replace(brand, fonts=(), fallback_fonts=(), language_fonts=())
    css = joined_css(edition_css(plain, "catalogue", font_url=str))
    return render_catalogue(
        Catalogue(brand, entries),
        css=css,
        logo_src=logo_data_url(brand),
        edition_names=EDITION_NAMES | CITATION_NAMES,
    ).encode("utf-8")


def make_feed(brand: Brand, entries: tuple[Entry, ...]) -> bytes:
    """dist/feed.xml: the series as an Atom feed (RFC 4287), newest first like the catalogue."""
    key = f"briefpress-feed:{brand.name}|{brand.series_name}"
    updated = max((e.updated for e in entries), default="1970-01-01T00:00:00Z")
    feed_id = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}"
    catalogue = Catalogue(brand, entries)
    return render_feed(catalogue, feed_id=feed_id, updated=updated, edition_names=EDITION_NAMES).encode("utf-8")

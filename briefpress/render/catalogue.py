"""A series' catalogue: its pages (dist/index.html, index-2.html ...), the search page over them
and dist/feed.xml, from each brief's entry."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass

from briefpress.errors import BriefError, raise_all
from briefpress.records import EDITION, EDITIONS, Artifact, Brand, BuildConfig
from briefpress.render.styles import edition_css, joined_css
from briefpress.render.templates import render_catalogue, render_feed, render_search_page
from briefpress.render.webedition import logo_data_url

# The editions a catalogue lists, in its order, by what it calls them.
EDITION_NAMES = {e.name: e.title for e in sorted(EDITIONS, key=lambda e: e.listed or 0) if e.listed is not None}

CITATION_NAMES = {"bibtex": "BibTeX", "ris": "RIS", "csljson": "CSL JSON"}
PAGE_SIZE = 100  # briefs on each page of the catalogue; a series of more pages gets a search page
FEED_SIZE = 50  # the latest briefs, in the feed: a reader polls it, and 10,000 entries are megabytes


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
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalogue:
    brand: Brand
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Page:
    """Where one page of the catalogue stands among the others."""

    number: int  # from 1: index.html, then index-2.html ...
    files: tuple[str, ...]  # every page's file name, newest briefs first
    first: int  # the number of its first entry in the whole catalogue, from 1
    total: int  # briefs in the whole catalogue
    search: bool  # whether the series has a search page (more than one page)


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
        keywords=tuple(facts.get("keywords", ())),  # an entry cached before keywords were kept has none
    )


def atom_id(facts: dict) -> str:
    """A permanent IRI for the brief (RFC 4287 4.2.6): its DOI, else its URL, else its identifier."""
    doi = facts["reference"].get("DOI")
    return f"https://doi.org/{doi}" if doi else facts["url"] or facts["identifier"]


def number_key(number: str) -> tuple[int, str]:
    return (int(number), "") if number.isdigit() else (-1, number)


def make_catalogue_pages(brand: Brand, entries: tuple[Entry, ...]) -> list[tuple[str, bytes]]:
    """The catalogue's pages, PAGE_SIZE briefs each, newest first, and the search page when there
    is more than one: self-contained, like the web edition (the search page needs its index)."""
    plain = dataclasses.replace(brand, fonts=(), fallback_fonts=(), language_fonts=())
    css = joined_css(edition_css(plain, "catalogue", font_url=str))
    logo = logo_data_url(brand)
    count = max(1, -(-len(entries) // PAGE_SIZE))
    files = tuple(page_file(number) for number in range(1, count + 1))
    pages = []
    for number, name in enumerate(files, start=1):
        start = (number - 1) * PAGE_SIZE
        page = Page(number, files, start + 1, len(entries), search=count > 1)
        shown = Catalogue(brand, entries[start : start + PAGE_SIZE])
        text = render_catalogue(shown, css=css, logo_src=logo, edition_names=EDITION_NAMES | CITATION_NAMES, page=page)
        pages.append((name, text.encode("utf-8")))
    if count > 1:
        search = render_search_page(Catalogue(brand, ()), css=css, logo_src=logo, total=len(entries))
        pages.append(("search.html", search.encode("utf-8")))
    return pages


def check_page_files(config: BuildConfig) -> None:
    """Refuse a brief whose editions would be written over a page of the catalogue or its search page."""
    count = -(-len(config.sources) // PAGE_SIZE)
    pages = {page_file(number) for number in range(2, count + 1)} | ({"search.html"} if count > 1 else set())
    raise_all(
        [
            BriefError(path, None, f"would write {name}, as the series catalogue does", "rename the brief")
            for path in config.sources
            for name in [f"{path.stem}.html"]
            if name in pages
        ]
    )


def page_file(number: int) -> str:
    return "index.html" if number == 1 else f"index-{number}.html"


def search_files(pages: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The search index over the catalogue's pages, when there is a search page."""
    if not any(name == "search.html" for name, _ in pages):
        return []
    from briefpress.render.search import search_index  # pagefind: only for a series of several pages

    return search_index([(name, data) for name, data in pages if name != "search.html"])


def make_feed(brand: Brand, entries: tuple[Entry, ...]) -> bytes:
    """dist/feed.xml: the series as an Atom feed (RFC 4287), newest first like the catalogue."""
    key = f"briefpress-feed:{brand.name}|{brand.series_name}"
    updated = max((e.updated for e in entries), default="1970-01-01T00:00:00Z")
    feed_id = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}"
    catalogue = Catalogue(brand, entries)
    return render_feed(catalogue, feed_id=feed_id, updated=updated, edition_names=EDITION_NAMES).encode("utf-8")

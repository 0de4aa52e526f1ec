"""A series: build several briefs in parallel processes and write dist/index.html, their catalogue."""

from __future__ import annotations

import dataclasses
import json
import logging
import multiprocessing
import os
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from briefpress.brand import load_brand
from briefpress.cache import Entry as CacheEntry
from briefpress.errors import BriefError, Capture, Logged, raise_all, replay
from briefpress.pipeline import BrandOnce, brief_entry, check_targets, output_files
from briefpress.publish import Output, publish
from briefpress.records import Artifact, Brand, BuildConfig
from briefpress.render.citefiles import citation_files
from briefpress.render.styles import edition_css, joined_css
from briefpress.render.templates import render_catalogue, render_feed, render_search_page
from briefpress.render.webedition import logo_data_url
from briefpress.render.workers import exit_with_parent
from briefpress.scratch import scratch_folder

LOG = logging.getLogger("briefpress")
EDITION_NAMES = {"html": "Web page", "pdf": "PDF", "print": "Print PDF", "epub": "EPUB", "pdfa": "Archival PDF"}
EDITION_ORDER = tuple(EDITION_NAMES)
CITATION_KINDS = {".bib": "bibtex", ".ris": "ris", ".json": "csljson"}
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
class Outcome:
    """What a worker reports back: the entry and the files to write, or the error; warnings either way."""

    path: Path
    warnings: tuple[Logged, ...]
    entry: Entry | None = None
    outputs: tuple[Output, ...] = ()
    error: BriefError | None = None


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


def build_series(config: BuildConfig, *, progress: Callable[[Outcome], None] | None = None) -> list[Artifact]:
    """Build every brief (config.jobs at a time, in separate processes), then write all files and the catalogue."""
    check_targets(config, catalogue=True)
    check_page_files(config)
    brand = load_brand(config.brand_path)
    with scratch_folder():
        outcomes = build_entries(config, progress)
    for outcome in outcomes:
        replay(outcome.warnings)
    raise_all([o.error for o in outcomes if o.error])
    return publish_series(config, brand, outcomes)


def publish_series(config: BuildConfig, brand: Brand, outcomes: list[Outcome]) -> list[Artifact]:
    """Write the briefs' files, the catalogue's pages, the feed and the search index, all together."""
    entries = sorted(
        (o.entry for o in outcomes if o.entry),
        key=lambda e: (e.date, number_key(e.series_number), e.title),
        reverse=True,
    )
    pages = make_catalogue_pages(brand, tuple(entries))
    search = [(config.out_dir / name, data, "search") for name, data in search_files(pages)]
    feed = (config.out_dir / "feed.xml", make_feed(brand, tuple(entries[:FEED_SIZE])), "atom")
    # The catalogue's pages after the briefs and the index, the first page last but the feed.
    catalogue = [(config.out_dir / name, data, "html") for name, data in reversed(pages)]
    return publish([*(output for o in outcomes for output in o.outputs), *search, *catalogue, feed], config.out_dir)


def build_entries(config: BuildConfig, progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Every brief's outcome, built config.jobs at a time; progress(outcome) is called as each is made."""
    tell = progress or (lambda outcome: None)
    jobs = min(config.jobs, len(config.sources))
    each = dataclasses.replace(config, jobs=1)  # the briefs share the cores, not each brief's editions
    if jobs > 1:
        # Forking is quickest (nothing is loaded twice) but unsafe once threads exist, as in `serve`.
        method = "fork" if threading.active_count() == 1 else "forkserver"
        context = multiprocessing.get_context(method)
        # A forked worker ends with this process; a forkserver's child cannot tell (its parent is the server).
        forked = method == "fork"
        try:
            with ProcessPoolExecutor(
                max_workers=jobs,
                mp_context=context,
                initializer=partial(exit_with_parent, os.getpid()) if forked else None,
            ) as pool:
                outcomes = [*map(told(tell), pool.map(build_entry, [each] * len(config.sources), config.sources))]
        except BrokenProcessPool:
            raise BriefError(
                None,
                None,
                "a process building the series was killed before it finished",
                "build again; with --jobs 1 every brief is built in one process",
            ) from None
    else:
        outcomes = [told(tell)(build_entry(each, path)) for path in config.sources]
    return outcomes


def told(tell: Callable[[Outcome], None]) -> Callable[[Outcome], Outcome]:
    """The outcome, after telling the progress display about it."""

    def passed_on(outcome: Outcome) -> Outcome:
        tell(outcome)
        return outcome

    return passed_on


def build_entry(config: BuildConfig, path: Path) -> Outcome:
    """One brief's editions (from the cache or made) with its catalogue entry and its warnings."""
    captured = Capture()
    saved = LOG.handlers, LOG.propagate
    LOG.handlers, LOG.propagate = [captured], False  # the warnings travel back with the outcome
    try:
        entry = brief_entry(config, path, BrandOnce(config))
        return entry_outcome(config, path, entry, tuple(captured.records))
    except BriefError as err:
        return Outcome(path, tuple(captured.records), error=err)
    finally:
        LOG.handlers, LOG.propagate = saved


def entry_outcome(config: BuildConfig, path: Path, entry: CacheEntry, warnings: tuple[Logged, ...]) -> Outcome:
    """The files one brief writes (its editions and citation files) and its catalogue entry."""
    outputs = tuple(output_files(config, path, entry))
    # The web page's card is its picture for link previews, not an edition to list.
    editions = tuple(
        Artifact(path=target, kind=kind, size=len(data)) for target, data, kind in outputs if kind in EDITION_NAMES
    )
    reference = json.loads(entry.about)["reference"]
    cites = tuple(
        (config.out_dir / f"{path.stem}{suffix}", data, CITATION_KINDS[suffix])
        for suffix, data in citation_files(reference).items()
    )
    citations = tuple(Artifact(path=target, kind=kind, size=len(data)) for target, data, kind in cites)
    described = dataclasses.replace(describe(entry.about, editions), citations=citations)
    return Outcome(path, warnings, entry=described, outputs=outputs + cites)


def describe(about: str, editions: tuple[Artifact, ...]) -> Entry:
    """The catalogue entry of a brief, from what its build recorded about it."""
    facts = json.loads(about)
    return Entry(
        title=facts["title"],
        subtitle=facts["subtitle"],
        authors=tuple(facts["authors"]),
        date=facts["date"],
        series_name=facts["series_name"],
        series_number=facts["series_number"],
        summary=facts["summary"],
        editions=tuple(sorted(editions, key=lambda a: EDITION_ORDER.index(a.kind))),
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

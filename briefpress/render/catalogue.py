"""A series: build several briefs in parallel processes and write dist/index.html, their catalogue."""

from __future__ import annotations

import dataclasses
import json
import logging
import multiprocessing
import os
import threading
import traceback
import uuid
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from briefpress.brand import load_brand
from briefpress.errors import BriefError, Capture, Logged, raise_all, replay
from briefpress.pipeline import BrandOnce, brief_entry, check_targets, output_files
from briefpress.publish import Output, publish
from briefpress.records import Artifact, Brand, BuildConfig
from briefpress.render.citefiles import citation_files
from briefpress.render.styles import edition_css, joined_css
from briefpress.render.templates import render_catalogue, render_feed
from briefpress.render.webedition import logo_data_url
from briefpress.render.workers import exit_with_parent
from briefpress.scratch import scratch_folder

LOG = logging.getLogger("briefpress")
EDITION_NAMES = {"html": "Web page", "pdf": "PDF", "print": "Print PDF", "epub": "EPUB", "pdfa": "Archival PDF"}
EDITION_ORDER = tuple(EDITION_NAMES)
CITATION_KINDS = {".bib": "bibtex", ".ris": "ris", ".json": "csljson"}
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


def build_series(config: BuildConfig) -> list[Artifact]:
    """Build every brief (config.jobs at a time, in separate processes), then write all files and the
    catalogue; a brief that fails is reported and the others are written."""
    check_targets(config, catalogue=True)
    brand = load_brand(config.brand_path)
    with scratch_folder():
        outcomes = build_entries(config)
    for outcome in outcomes:
        replay(outcome.warnings)
    errors = [o.error for o in outcomes if o.error]
    if len(errors) == len(outcomes):
        raise_all(errors)
    entries = sorted(
        (o.entry for o in outcomes if o.entry),
        key=lambda e: (e.date, number_key(e.series_number), e.title),
        reverse=True,
    )
    index = (config.out_dir / "index.html", make_catalogue(brand, tuple(entries)), "html")
    feed = (config.out_dir / "feed.xml", make_feed(brand, tuple(entries)), "atom")
    written = publish([*(output for o in outcomes for output in o.outputs), index, feed], config.out_dir)
    raise_all(errors)  # the other briefs are written; the build still fails
    return written


def build_entries(config: BuildConfig) -> list[Outcome]:
    """Every brief's outcome, built config.jobs at a time."""
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
                outcomes = list(pool.map(build_entry, [each] * len(config.sources), config.sources))
        except BrokenProcessPool:
            raise BriefError(
                None,
                None,
                "a process building the series was killed before it finished",
                "build again; with --jobs 1 every brief is built in one process",
            ) from None
    else:
        outcomes = [build_entry(each, path) for path in config.sources]
    return outcomes


def build_entry(config: BuildConfig, path: Path) -> Outcome:
    """One brief's editions (from the cache or made) with its catalogue entry and its warnings."""
    captured = Capture()
    saved = LOG.handlers, LOG.propagate
    LOG.handlers, LOG.propagate = [captured], False  # the warnings travel back with the outcome
    try:
        entry = brief_entry(config, path, BrandOnce(config))
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
        return Outcome(path, tuple(captured.records), entry=described, outputs=outputs + cites)
    except BriefError as err:
        return Outcome(path, tuple(captured.records), error=err)
    except Exception as err:  # a bug: its traceback here, and a plain record that crosses the process
        traceback.print_exc()  # (an lxml error holds its error log, which does not pickle)
        what = f"building this brief failed: {type(err).__name__}: {' '.join(str(err).split())[:300]}"
        return Outcome(path, tuple(captured.records), error=BriefError(path, None, what, "report this as a bug"))
    finally:
        LOG.handlers, LOG.propagate = saved


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

"""A series: several briefs built config.jobs at a time in separate processes, then written with
their catalogue (dist/index.html and its further pages, the search page) and dist/feed.xml. The
pipeline is pipeline.build's; this module is its driver (series_driver): where each brief is built,
and the files a series adds. cluster.py's driver builds the briefs on Dask and adds the same files."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial

from briefpress.brand import load_brand
from briefpress.errors import BriefError
from briefpress.pipeline import BriefBuild, Driver, build_brief, output_files
from briefpress.publish import Output
from briefpress.records import Artifact, BuildConfig
from briefpress.render.catalogue import (
    EDITION_NAMES,
    FEED_SIZE,
    check_page_files,
    describe,
    make_catalogue_pages,
    make_feed,
    number_key,
    search_files,
)
from briefpress.render.citefiles import citation_files
from briefpress.render.workers import exit_with_parent

CITATION_KINDS = {".bib": "bibtex", ".ris": "ris", ".json": "csljson"}


Told = Callable[[BriefBuild], None]  # a progress display, told of each brief as it is done


def build_in_pool(config: BuildConfig, progress: Told | None = None) -> list[BriefBuild]:
    """Every brief built, config.jobs at a time, each in a process of its own (no process of its own
    forks: the briefs share the cores, not each brief's editions); progress is told of each."""
    check_series(config)
    tell = progress or (lambda brief: None)
    jobs = min(config.jobs, len(config.sources))
    build_one = partial(build_brief, fork=False)
    if jobs <= 1:
        return [told(tell, build_one(config, path)) for path in config.sources]
    # Forking is quickest (nothing is loaded twice) but unsafe once threads exist, as in `serve`.
    method = "fork" if threading.active_count() == 1 else "forkserver"
    # A forked worker ends with this process; a forkserver's child cannot tell (its parent is the server).
    initializer = partial(exit_with_parent, os.getpid()) if method == "fork" else None
    try:
        with ProcessPoolExecutor(jobs, multiprocessing.get_context(method), initializer) as pool:
            return [told(tell, brief) for brief in pool.map(build_one, [config] * len(config.sources), config.sources)]
    except BrokenProcessPool:
        raise BriefError(
            None,
            None,
            "a process building the series was killed before it finished",
            "build again; with --jobs 1 every brief is built in one process",
        ) from None


def check_series(config: BuildConfig) -> None:
    """What fails a whole series, before any brief is built, whichever engine builds it: a brief
    that would be written over a page of the catalogue, and a brand that cannot be read."""
    check_page_files(config)
    load_brand(config.brand_path)


def told(tell: Told, brief: BriefBuild) -> BriefBuild:
    tell(brief)
    return brief


def series_files(config: BuildConfig, built: list[BriefBuild]) -> list[Output]:
    """Each brief's editions and citation files, then the catalogue and the feed, newest first."""
    outputs: list[Output] = []
    entries = []
    for brief in built:
        editions = output_files(config, brief.source, brief.editions)
        cites = [
            (config.out_dir / f"{brief.source.stem}{suffix}", data, CITATION_KINDS[suffix])
            for suffix, data in citation_files(brief.about["reference"]).items()
        ]
        outputs += editions + cites
        listed = tuple(Artifact(target, kind, len(data)) for target, data, kind in editions if kind in EDITION_NAMES)
        citations = tuple(Artifact(target, kind, len(data)) for target, data, kind in cites)
        entries.append(dataclasses.replace(describe(brief.about, listed), citations=citations))
    entries.sort(key=lambda e: (e.date, number_key(e.series_number), e.title), reverse=True)
    brand = load_brand(config.brand_path)
    pages = make_catalogue_pages(brand, tuple(entries))
    search = [(config.out_dir / name, data, "search") for name, data in search_files(pages)]
    feed = (config.out_dir / "feed.xml", make_feed(brand, tuple(entries[:FEED_SIZE])), "atom")
    # The catalogue's pages after the briefs and the search index, the first page last but the feed.
    catalogue = [(config.out_dir / name, data, "html") for name, data in reversed(pages)]
    return [*outputs, *search, *catalogue, feed]


ALSO_WRITES = (("index.html", "the series catalogue"), ("feed.xml", "the series feed"))


def series_driver(progress: Told | None = None) -> Driver:
    """A series on this machine's processes, telling progress of each brief as it is done."""
    return Driver(spread=partial(build_in_pool, progress=progress), files=series_files, also_writes=ALSO_WRITES)


SERIES = series_driver()

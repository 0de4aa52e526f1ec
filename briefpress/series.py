"""A series: several briefs built config.jobs at a time in separate processes, then written with
dist/index.html and dist/feed.xml, their catalogue. The pipeline is pipeline.build's; this
module is its driver (SERIES): where each brief is built, and the files a series adds."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial

from briefpress.brand import load_brand
from briefpress.errors import BriefError
from briefpress.pipeline import BriefBuild, Driver, build_brief, output_files
from briefpress.publish import Output
from briefpress.records import Artifact, BuildConfig
from briefpress.render.catalogue import EDITION_NAMES, describe, make_catalogue, make_feed, number_key
from briefpress.render.citefiles import citation_files
from briefpress.render.workers import exit_with_parent

CITATION_KINDS = {".bib": "bibtex", ".ris": "ris", ".json": "csljson"}


def build_in_pool(config: BuildConfig) -> list[BriefBuild]:
    """Every brief built, config.jobs at a time, each in a process of its own (no process of its own
    forks: the briefs share the cores, not each brief's editions)."""
    load_brand(config.brand_path)  # a brand that cannot be read fails the series once, before any brief
    jobs = min(config.jobs, len(config.sources))
    build_one = partial(build_brief, fork=False)
    if jobs <= 1:
        return [build_one(config, path) for path in config.sources]
    # Forking is quickest (nothing is loaded twice) but unsafe once threads exist, as in `serve`.
    method = "fork" if threading.active_count() == 1 else "forkserver"
    # A forked worker ends with this process; a forkserver's child cannot tell (its parent is the server).
    initializer = partial(exit_with_parent, os.getpid()) if method == "fork" else None
    try:
        with ProcessPoolExecutor(jobs, multiprocessing.get_context(method), initializer) as pool:
            return list(pool.map(build_one, [config] * len(config.sources), config.sources))
    except BrokenProcessPool:
        raise BriefError(
            None,
            None,
            "a process building the series was killed before it finished",
            "build again; with --jobs 1 every brief is built in one process",
        ) from None


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
    index = (config.out_dir / "index.html", make_catalogue(brand, tuple(entries)), "html")
    feed = (config.out_dir / "feed.xml", make_feed(brand, tuple(entries)), "atom")
    return [*outputs, index, feed]


SERIES = Driver(
    spread=build_in_pool,
    files=series_files,
    also_writes=(("index.html", "the series catalogue"), ("feed.xml", "the series feed")),
)

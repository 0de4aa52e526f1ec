"""A series: build several briefs in parallel processes and write dist/index.html, their catalogue."""

from __future__ import annotations

import dataclasses
import json
import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from briefpress.brand import load_brand
from briefpress.errors import BriefError, Capture, Logged, raise_all, replay
from briefpress.pipeline import BrandOnce, brief_entry, check_targets, output_files
from briefpress.publish import Output, publish
from briefpress.records import Artifact, BuildConfig
from briefpress.render.catalogue import EDITION_NAMES, Entry, describe, make_catalogue, make_feed, number_key
from briefpress.render.citefiles import citation_files
from briefpress.render.workers import exit_with_parent
from briefpress.scratch import scratch_folder

LOG = logging.getLogger("briefpress")
CITATION_KINDS = {".bib": "bibtex", ".ris": "ris", ".json": "csljson"}


@dataclass(frozen=True)
class Outcome:
    """What a worker reports back: the entry and the files to write, or the error; warnings either way."""

    path: Path
    warnings: tuple[Logged, ...]
    entry: Entry | None = None
    outputs: tuple[Output, ...] = ()
    error: BriefError | None = None


def build_series(config: BuildConfig) -> list[Artifact]:
    """Build every brief (config.jobs at a time, in separate processes), then write all files and the catalogue."""
    check_targets(config, catalogue=True)
    brand = load_brand(config.brand_path)
    with scratch_folder():
        outcomes = build_entries(config)
    for outcome in outcomes:
        replay(outcome.warnings)
    raise_all([o.error for o in outcomes if o.error])
    entries = sorted(
        (o.entry for o in outcomes if o.entry),
        key=lambda e: (e.date, number_key(e.series_number), e.title),
        reverse=True,
    )
    index = (config.out_dir / "index.html", make_catalogue(brand, tuple(entries)), "html")
    feed = (config.out_dir / "feed.xml", make_feed(brand, tuple(entries)), "atom")
    return publish([*(output for o in outcomes for output in o.outputs), index, feed], config.out_dir)


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
    finally:
        LOG.handlers, LOG.propagate = saved

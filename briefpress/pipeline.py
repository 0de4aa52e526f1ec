"""The build, stage by stage: for each brief, its editions from the cache or freshly made; then
every file written together.

Only light modules are imported here: a build whose editions are all in the cache never loads
pandoc, lxml or WeasyPrint. The heavy stages live in make.py, and the PDF renderers in the
forked workers of workers.py.
"""

from __future__ import annotations

import logging
from pathlib import Path

from briefpress.cache import Entry, cache_key, lookup, store
from briefpress.publish import Output, publish
from briefpress.records import EDITION_FILES, Artifact, BuildConfig
from briefpress.render.workers import Crew

LOG = logging.getLogger("briefpress")
FORMATS = tuple(EDITION_FILES)
DEFAULT_FORMATS = ("pdf", "print", "epub")


def build(config: BuildConfig) -> list[Artifact]:
    """Build every edition of every brief named in the config; write them all at the end."""
    brands = BrandOnce(config)
    outputs = []
    for path in config.sources:
        outputs += output_files(config, path, brief_entry(config, path, brands))
    return publish(outputs, config.out_dir)


def brief_entry(config: BuildConfig, path: Path, brands: BrandOnce) -> Entry:
    """One brief's editions: from the cache when nothing they depend on has changed, else made."""
    cache = config.cache_dir
    key = cache_key(config, path) if cache else None
    entry = lookup(cache, key, path) if cache and key else None
    if entry is None:
        crew = Crew(config, path)  # forked first, so that WeasyPrint loads while the brief is composed
        from briefpress.make import make_brief  # pandoc, lxml, ebooklib: loaded only for real work
        entry = make_brief(config, path, brands, crew)
        if cache and key:
            store(cache, key, entry)
    else:
        for message in entry.warnings:  # nothing silent: a cached build says what the first one said
            LOG.warning("%s", message)
    return entry


def output_files(config: BuildConfig, path: Path, entry: Entry) -> list[Output]:
    """Where each edition of the brief at path goes: dist/brief.pdf, dist/brief-print.pdf ..."""
    return [(config.out_dir / f"{path.stem}{EDITION_FILES[kind]}", data, kind) for kind, data in entry.editions]


class BrandOnce:
    """The brand, read the first time a brief needs it and then shared by the others."""

    def __init__(self, config: BuildConfig):
        self.path, self.brand = config.brand_path, None

    def get(self):
        if self.brand is None:
            from briefpress.make import load_brand
            self.brand = load_brand(self.path)
        return self.brand

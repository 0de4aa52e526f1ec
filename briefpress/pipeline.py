"""The build, stage by stage: for each brief, its editions from the cache or freshly made; then
every file written together.

Only light modules are imported here: a build whose editions are all in the cache never loads
pandoc, lxml or WeasyPrint. The heavy stages live in make.py, and the PDF renderers in the
forked workers of workers.py.
"""

from __future__ import annotations

from pathlib import Path

from briefpress.cache import Entry, cache_key, lookup, store
from briefpress.errors import BriefError, display_path, raise_all, replay
from briefpress.publish import CHECKSUMS, Output, publish
from briefpress.records import EDITION_FILES, Artifact, BuildConfig
from briefpress.render.workers import Crew
from briefpress.scratch import scratch_folder


def build(config: BuildConfig) -> list[Artifact]:
    """Build every edition of every brief named in the config; write them all at the end."""
    check_targets(config)
    brands = BrandOnce(config)
    outputs = []
    with scratch_folder():
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
        replay(entry.warnings)  # nothing silent: a cached build says what the first one said
    return entry


def output_files(config: BuildConfig, path: Path, entry: Entry) -> list[Output]:
    """Where each edition of the brief at path goes: dist/brief.pdf, dist/brief-print.pdf ..."""
    return [(target_file(config, path, kind), data, kind) for kind, data in entry.editions]


def target_file(config: BuildConfig, path: Path, kind: str) -> Path:
    return config.out_dir / f"{path.stem}{EDITION_FILES[kind]}"


def check_targets(config: BuildConfig, *, catalogue: bool = False) -> None:
    """Before anything is built, refuse two briefs (or a brief and the catalogue) that would write
    the same file, and file names that SHA256SUMS cannot list."""
    owners = {config.out_dir / CHECKSUMS: "the checksum list"}
    if catalogue:
        owners[config.out_dir / "index.html"] = "the series catalogue"
        owners[config.out_dir / "feed.xml"] = "the series feed"
    errors = []
    for path in config.sources:
        if any(c in str(path) for c in "\n\r"):
            shown = str(path).replace("\n", "\\n").replace("\r", "\\r")
            errors.append(BriefError(shown, None, "the file name contains a line break", "rename the file"))
            continue
        for kind in (k for k in EDITION_FILES if k in config.formats):
            target = target_file(config, path, kind)
            if target in owners:
                errors.append(
                    BriefError(
                        path,
                        None,
                        f"would write {display_path(target)}, as {owners[target]} does",
                        "rename one of them, or build them separately with --out",
                    )
                )
                break
            owners[target] = display_path(path)
    raise_all(errors)


class BrandOnce:
    """The brand, read the first time a brief needs it and then shared by the others."""

    def __init__(self, config: BuildConfig):
        self.path, self.brand = config.brand_path, None

    def get(self):
        if self.brand is None:
            from briefpress.make import load_brand

            self.brand = load_brand(self.path)
        return self.brand

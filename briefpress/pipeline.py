"""The build, stage by stage: for each brief, its editions from the cache or freshly made; then
every file written together.

Only light modules are imported here: a build whose editions are all in the cache never loads
pandoc, lxml or WeasyPrint. The heavy stages live in make.py, and the PDF renderers in the
forked workers of workers.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from briefpress.cache import Entry, cache_key, lookup, store
from briefpress.errors import BriefError, display_path, raise_all, replay
from briefpress.kept import keep_brand, kept_brand
from briefpress.publish import CHECKSUMS, Output, publish
from briefpress.records import EDITION_FILES, Artifact, Brand, BuildConfig, edition_kinds
from briefpress.render.workers import Crew, Forked
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


# Cheapest first: the preview shows each edition as soon as it exists, and the web page needs no
# layout. The web page's card comes last: the preview shows no card, and it would delay the PDF.
EDITION_ORDER = ("html", "epub", "pdf", "print", "pdfa", "card")


DRAFTED = ("pdf", "print")  # the editions the preview shows as drafts first (their pages only)


def build_by_edition(
    config: BuildConfig,
    brands: BrandOnce,
    *,
    show_draft: Callable[[str, Path, bytes], None] | None = None,
    stale: Callable[[], bool] | None = None,
) -> Iterator[list[Artifact]]:
    """One brief's editions made in this process, cheapest first, each published as soon as it is
    made: yields the files written so far. For the preview, whose web page must not wait for the PDF;
    no cache and no workers, since the preview's process keeps WeasyPrint warm.

    With show_draft, each PDF edition's pages are handed to show_draft(kind, target, bytes) as a
    draft (without tags or identifiers) as soon as they are laid out; the edition is then written
    from the same layout. A draft is never written to the output folder. When stale() turns true,
    the PDF being made is given up (Superseded)."""
    check_targets(config)
    from briefpress.make import prepare
    from briefpress.render.editions import make_edition

    path = config.sources[0]
    outputs: list[Output] = []
    with scratch_folder():
        document = prepare(config, brands.get(), path)
        for kind in (k for k in EDITION_ORDER if k in edition_kinds(config.formats)):
            target = target_file(config, path, kind)
            draft = partial(show_draft, kind, target) if show_draft and kind in DRAFTED else None
            outputs.append((target, make_edition(kind, document, config, show_draft=draft, stale=stale), kind))
            yield publish(outputs, config.out_dir)


def brief_entry(config: BuildConfig, path: Path, brands: BrandOnce) -> Entry:
    """One brief's editions: from the cache when nothing they depend on has changed, else made."""
    cache = config.cache_dir
    key = cache_key(config, path) if cache else None
    entry = lookup(cache, key, path) if cache and key else None
    if entry is None:
        brands.read_beside()  # forked first, so that the brand is read and WeasyPrint loads
        crew = Crew(config, path)  # while the brief is composed
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
        for kind in edition_kinds(config.formats):
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
    """The brand, read the first time a brief needs it and then shared by the others.

    A brand an earlier build read is taken from what it kept (kept.py) while brand.yml and the
    files it names are unchanged: brand_yml is then not imported at all. Else, with cores to
    spare, read_beside() reads it in a forked process: brand_yml's import (pydantic models) is
    the slowest part of composing a brief, and it then runs while this process loads pandoc's
    wrapper and lxml and reads the manuscript."""

    def __init__(self, config: BuildConfig):
        self.path, self.spare = config.brand_path, config.jobs > 1
        self.brand: Brand | None = None
        self.reader: Forked | None = None
        self.looked_up = False

    def read_beside(self) -> None:
        if self.brand is None and self.reader is None:
            self.brand = self.kept()
            if self.brand is None and self.spare:
                self.reader = Forked(lambda _: read_brand(self.path), [], self.path, what="reading the brand")

    def get(self):
        if self.brand is None:
            reader, self.reader = self.reader, None
            self.brand = reader.result() if reader else self.kept() or read_brand(self.path)
        return self.brand

    def kept(self) -> Brand | None:
        """What an earlier build kept, looked up once."""
        if not self.looked_up:
            self.looked_up = True
            return kept_brand(self.path)
        return None


def read_brand(path: Path):
    """Read brand.yml (brand_yml: loaded only for real work) and keep what was read for the next build."""
    from briefpress.brand import load_brand

    brand = load_brand(path)
    keep_brand(path, brand)
    return brand

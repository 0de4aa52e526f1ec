"""The build, stage by stage: build(config, driver) is the pipeline every driver runs, and
build_brief(config, path) the one call that builds one brief, wherever a driver runs it.

Only light modules are imported here: a build whose editions are all in the cache never loads
pandoc, lxml or WeasyPrint. The heavy stages live in make.py, and the PDF renderers in the
forked workers of workers.py.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefpress.cache import Entry, cache_key, lookup, store
from briefpress.errors import LOG, BriefError, BriefErrors, Capture, Logged, Superseded, display_path, raise_all, replay
from briefpress.kept import keep_brand, keeping, kept_brand
from briefpress.publish import CHECKSUMS, Output, publish
from briefpress.records import EDITION_FILES, Artifact, Brand, BuildConfig, edition_kinds
from briefpress.render.workers import Crew, Forked
from briefpress.scratch import scratch_folder


@dataclass(frozen=True)
class Problem:
    """A user-facing error as plain data: it crosses processes and clusters without the
    exception (or the lxml or WeasyPrint error it came from) it was raised as."""

    path: str | None
    line: int | None
    what: str
    fix: str = ""

    def error(self) -> BriefError:
        return BriefError(self.path, self.line, self.what, self.fix)


@dataclass(frozen=True)
class BriefBuild:
    """One brief, built: plain, frozen, picklable data, the same from every driver."""

    source: Path
    editions: tuple[tuple[str, bytes], ...] = ()  # (edition name, bytes), in EDITIONS order
    logged: tuple[Logged, ...] = ()  # its notes and warnings, with file and line
    about: dict[str, Any] = field(default_factory=dict)  # what the catalogue says about it (make.about)
    problems: tuple[Problem, ...] = ()  # why it failed, if it did: every error found, not only the first
    bug: str = ""  # the traceback of an unexpected error (a bug in briefpress), as text
    images: tuple[tuple[str, str], ...] = ()  # the files it read beside it, with their SHA-256 (cache.Entry's)

    @classmethod
    def from_entry(cls, path: Path, entry: Entry) -> BriefBuild:
        """A brief's editions as the cache kept them."""
        return cls(path, entry.editions, entry.warnings, json.loads(entry.about), images=entry.images)

    def entry(self) -> Entry:
        """What the cache keeps of it (a driver that builds elsewhere fills the cache here)."""
        return Entry(self.editions, self.logged, self.images, json.dumps(self.about))

    @property
    def made(self) -> bool:
        return not (self.problems or self.bug)

    def accept(self) -> None:
        """Log its notes and warnings again here; raise its errors, or its bug."""
        replay(self.logged)
        raise_all([problem.error() for problem in self.problems])
        if self.bug:
            raise RuntimeError(f"building {display_path(self.source)} failed:\n{self.bug}")

    def failures(self, *, among_others: bool) -> list[BriefError]:
        """accept(), for a driver of several briefs: its errors as a list. A bug among other briefs
        prints its traceback and becomes one error line naming the brief, so that the others are
        still written; a brief built alone keeps the bug's traceback as it is (accept raises)."""
        try:
            self.accept()
        except BriefErrors as err:
            return list(err.errors)
        except BriefError as err:
            return [err]
        except RuntimeError:
            if not among_others:
                raise
            sys.stderr.write(self.bug)
            last = self.bug.strip().splitlines()[-1] if self.bug.strip() else "an unexpected error"
            return [BriefError(self.source, None, f"building this brief failed: {last[:300]}", "report this as a bug")]
        return []


@dataclass(frozen=True)
class Progress:
    """For a driver that shows editions as they come (the preview): each edition's bytes as soon
    as it is made; a PDF's pages as a draft before it is finished; stale() true gives the build up."""

    made: Callable[[str, bytes], None]
    draft: Callable[[str, bytes], None] | None = None
    stale: Callable[[], bool] | None = None


@dataclass(frozen=True)
class Driver:
    """Who builds which brief where (spread), and which files a build writes besides the editions."""

    spread: Callable[[BuildConfig], list[BriefBuild]]
    files: Callable[[BuildConfig, list[BriefBuild]], list[Output]]
    also_writes: tuple[tuple[str, str], ...] = ()  # (file name in the output folder, what it is)


def build(config: BuildConfig, driver: Driver | None = None) -> list[Artifact]:
    """The pipeline, for every brief the config names:
    read → compose → render each edition (build_brief, one call per brief, spread by the driver),
    check (every brief's notes and warnings shown, all their errors raised together, after
    publish: every file of the briefs that built written at once, with SHA256SUMS)."""
    driver = driver or IN_TURN
    check_targets(config, also=driver.also_writes)
    with scratch_folder():
        built = driver.spread(config)
    errors = [error for brief in built for error in brief.failures(among_others=len(built) > 1)]
    made = [brief for brief in built if brief.made]
    written = publish(driver.files(config, made), config.out_dir) if made else []
    if errors and len(built) > 1:  # the others of a series are written; the build still fails
        raise SeriesFailed([*errors, summary(built)], written)
    raise_all(errors)
    return written


class SeriesFailed(BriefErrors):
    """Some briefs of a series failed: their errors and the closing summary; the files written for
    the others."""

    def __init__(self, errors: list[BriefError], written: list[Artifact] | None = None):
        super().__init__(errors)
        self.written = written or []

    def __reduce__(self):
        return (type(self), (self.errors, self.written))


def summary(built: list[BriefBuild]) -> BriefError:
    """The closing line of a series that did not all build: `built 9,997 of 10,000 briefs; 3 failed: ...`."""
    failed = [brief for brief in built if not brief.made]
    names = ", ".join(display_path(brief.source) for brief in failed)
    what = f"built {len(built) - len(failed):,} of {len(built):,} briefs; {len(failed):,} failed: {names}"
    return BriefError(None, None, what, "")


def build_brief(
    config: BuildConfig,
    path: Path,
    *,
    brands: BrandOnce | None = None,
    fork: bool = True,
    progress: Progress | None = None,
) -> BriefBuild:
    """Build one brief: its editions from the cache when nothing they depend on has changed, else
    read, composed and rendered (make.make_brief). The one entry point every driver calls for a
    brief: the command line, a series' process pool, the preview, a pack, a cluster's worker.

    It never raises for a brief that fails: the errors come back as Problems, a bug as its
    traceback's text, the notes and warnings as Logged records (nothing is printed; the driver
    replays them, BriefBuild.accept). With fork=False it starts no process at all (a Dask worker
    is daemonic); else config.jobs > 1 renders the PDF editions in forked workers. With progress,
    each edition is handed over as soon as it is made (and the cache is not used)."""
    config = config if fork else dataclasses.replace(config, jobs=1)
    captured = Capture()
    saved = LOG.handlers, LOG.propagate
    LOG.handlers, LOG.propagate = [captured], False  # the warnings travel back with the record
    try:
        with scratch_folder(), keeping(config.keep_dir):
            entry = made_or_kept(config, path, brands or BrandOnce(config), progress)
        about = json.loads(entry.about)
        return BriefBuild(path, entry.editions, tuple(captured.records), about, images=entry.images)
    except BriefError as err:
        return BriefBuild(path, logged=tuple(captured.records), problems=problems_of(err))
    except Superseded:
        raise  # the preview gives this build up; nobody waits for its record
    except Exception:  # a bug: its traceback, as text, goes to the driver
        return BriefBuild(path, logged=tuple(captured.records), bug=traceback.format_exc()[-20_000:])
    finally:
        LOG.handlers, LOG.propagate = saved


def made_or_kept(config: BuildConfig, path: Path, brands: BrandOnce, progress: Progress | None) -> Entry:
    """One brief's editions: from the cache when nothing they depend on has changed, else made."""
    cache = None if progress else config.cache_dir
    key = cache_key(config, path) if cache else None
    entry = lookup(cache, key, path) if cache and key else None
    if entry is None:
        brands.read_beside(fork=config.jobs > 1)  # forked first, so that the brand is read and WeasyPrint loads
        crew = Crew(config, path)  # while the brief is composed
        from briefpress.make import make_brief  # pandoc, lxml, ebooklib: loaded only for real work

        entry = make_brief(config, path, brands, crew, progress)
        if cache and key:
            store(cache, key, entry)
    else:
        replay(entry.warnings)  # nothing silent: a cached build says what the first one said
    return entry


def problems_of(err: BriefError) -> tuple[Problem, ...]:
    errors = err.errors if isinstance(err, BriefErrors) else [err]
    return tuple(Problem(None if e.path is None else str(e.path), e.line, e.what, e.fix) for e in errors)


def build_in_turn(config: BuildConfig) -> list[BriefBuild]:
    """Each brief in this process, one after the other, sharing the brand."""
    brands = BrandOnce(config)
    built = []
    for path in config.sources:
        built.append(build_brief(config, path, brands=brands))
        if built[-1].problems or built[-1].bug:
            break  # one brief at a time: the first that fails stops the build
    return built


def edition_files(config: BuildConfig, built: list[BriefBuild]) -> list[Output]:
    """Every brief's editions, where they go."""
    return [output for brief in built for output in output_files(config, brief.source, brief.editions)]


IN_TURN = Driver(spread=build_in_turn, files=edition_files)


def output_files(config: BuildConfig, path: Path, editions) -> list[Output]:
    """Where each edition of the brief at path goes: dist/brief.pdf, dist/brief-print.pdf ..."""
    return [(target_file(config, path, kind), data, kind) for kind, data in editions]


def target_file(config: BuildConfig, path: Path, kind: str) -> Path:
    return config.out_dir / f"{path.stem}{EDITION_FILES[kind]}"


def check_targets(config: BuildConfig, *, also: tuple[tuple[str, str], ...] = ()) -> None:
    """Before anything is built, refuse two briefs (or a brief and the catalogue) that would write
    the same file, and file names that SHA256SUMS cannot list."""
    owners = {config.out_dir / CHECKSUMS: "the checksum list"}
    owners |= {config.out_dir / name: what for name, what in also}
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
        self.path = config.brand_path
        self.brand: Brand | None = None
        self.reader: Forked | None = None
        self.looked_up = False

    def read_beside(self, *, fork: bool) -> None:
        if self.brand is None and self.reader is None:
            self.brand = self.kept()
            if self.brand is None and fork:
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

"""Where things are when the command line does not say: one place for every default."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path

from briefpress.errors import BriefError, BuildWarning, display_path, raise_all, report
from briefpress.records import FORMATS, BuildConfig

CACHE = ".briefpress-cache"
DEFAULT_FORMATS = ("pdf", "print", "epub")
PREVIEW_FORMATS = ("html", "pdf")
# The validators' JVMs (epubcheck, veraPDF) are short runs: C1-only JIT and the serial collector
# halve their cost (veraPDF on the sample's three PDFs and two fixtures: 6.1 s instead of 12.6 s).
# -XX:-UsePerfData: a JVM otherwise leaves /tmp/hsperfdata_USER behind, whatever TMPDIR says.
JVM_FLAGS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData")


PROJECT_MARKER = Path("styles") / "brand.yml"


def find_project(start: Path, fallback: Path) -> Path:
    """The project a command works on: the nearest folder at or above start that holds
    styles/brand.yml, as git finds its repository; else fallback (the folder of build.py, or the
    working folder for the `briefpress` command)."""
    start = start.absolute()
    for folder in (start, *start.parents):
        if (folder / PROJECT_MARKER).is_file():
            return folder
    return fallback


def default_source(root: Path) -> Path:
    return root / "source" / "brief.md"


def default_brand(root: Path) -> Path:
    return root / "styles" / "brand.yml"


def make_config(
    root: Path,
    *,
    sources=(),
    out: Path | None = None,
    formats=DEFAULT_FORMATS,
    brand: Path | None = None,
    paper: str | None = None,
    no_cache: bool = False,
    jobs: int | None = None,
    **options,
) -> BuildConfig:
    """A BuildConfig with the project's defaults for whatever is not given."""
    return BuildConfig(
        sources=named_once(sources, strict=options.get("strict", False)) or (default_source(root),),
        out_dir=out or root / "dist",
        formats=tuple(formats),
        brand_path=brand or default_brand(root),
        paper=paper or "",
        jobs=jobs or os.cpu_count() or 1,
        cache_dir=None if no_cache else cache_folder(root) / "editions",
        keep_dir=cache_folder(root),
        source_date_epoch=os.environ.get("SOURCE_DATE_EPOCH") or None,
        **options,
    )


def named_once(sources, *, strict: bool) -> tuple[Path, ...]:
    """The sources, each file once: a file named twice (a glob that also matches a name given,
    `a.md ./a.md`, a link to it) is built once, in the place it was first named, with a warning
    (an error under --strict)."""
    first: dict[object, Path] = {}
    again: list[tuple[Path, Path]] = []
    for path in map(Path, sources):
        named = first.setdefault(file_identity(path), path)
        if named is not path:
            again.append((path, named))
    said = [
        BuildWarning(
            path,
            None,
            "named twice" if display_path(path) == display_path(named) else f"the same file as {display_path(named)}",
        )
        for path, named in again
    ]
    if strict:
        raise_all([BriefError(w.path, None, w.what, "name each brief once, or build without --strict") for w in said])
    for warning in said:
        report(dataclasses.replace(warning, what=f"{warning.what}: built once (name each brief once)"))
    return tuple(first.values())


def file_identity(path: Path) -> object:
    """What makes two names one file: its device and inode (through links), else its absolute path."""
    try:
        found = path.stat()
    except OSError:  # a missing file is reported when the brief is read
        return os.path.normpath(os.path.abspath(path))
    return (found.st_dev, found.st_ino)


def cache_folder(root: Path) -> Path:
    """Where the project keeps what builds keep between them: its .briefpress-cache/, or, when the
    project cannot be written, a folder of its own in the user's cache folder (XDG)."""
    folder = root / CACHE
    writable = folder if folder.is_dir() else root
    if os.access(writable, os.W_OK):
        return folder
    user = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return user / "briefpress" / hashlib.sha256(str(root.resolve()).encode("utf-8")).hexdigest()[:16]


def parse_formats(text: str | None, default: tuple[str, ...], known: tuple[str, ...] = FORMATS) -> tuple[str, ...]:
    """The editions (or a pack's files) named by --format, comma-separated, or default when it is
    not given."""
    formats = tuple(f.strip() for f in text.split(",") if f.strip()) if text else default
    unknown = [f for f in formats if f not in known]
    if unknown or not formats:
        raise BriefError(
            "--format",
            None,
            f"unknown format {', '.join(unknown) or '(none)'}",
            "use --format with " + ", ".join(known),
        )
    return formats

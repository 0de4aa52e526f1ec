"""The build, stage by stage: read, compose, make each edition, write."""

from __future__ import annotations

import logging
from pathlib import Path

from .assets import load_assets
from .brand import load_brand
from .compose import compose_document, resolve_build_time
from .editions import make_archive_pdf, make_epub, make_pdf
from .errors import BriefError, raise_all
from .frontmatter import load_source
from .publish import Output, publish
from .records import Artifact, Brand, BuildConfig, Document
from .safety import sanitize_document
from .webedition import make_html

LOG = logging.getLogger("briefpress")
FORMATS = ("pdf", "print", "epub", "pdfa", "html")
DEFAULT_FORMATS = ("pdf", "print", "epub")


def build(config: BuildConfig) -> list[Artifact]:
    """Build every edition of every brief named in the config; write them all at the end."""
    brand = load_brand(config.brand_path)
    outputs = []
    for path in config.sources:
        outputs += make_editions(config, prepare(config, brand, path))
    return publish(outputs, config.out_dir)


def prepare(config: BuildConfig, brand: Brand, path: Path) -> Document:
    """Read, compose and check one brief; log its warnings; raise its errors all together."""
    source = load_source(path)
    build_time = resolve_build_time(source.meta.date, config.source_date_epoch, path)
    document, warnings = compose_document(source, brand, build_time)
    document, removed, refused = sanitize_document(document, source)
    document, unreadable = load_assets(document, source, allow_remote=config.allow_remote)
    warnings = [*warnings, *removed]
    for warning in warnings:
        LOG.warning("%s", warning.message)
    raise_all([*refused, *unreadable])
    if warnings and config.strict:
        raise BriefError(path, None, f"{len(warnings)} warning(s) and --strict is on",
                         "fix the warnings above, or build without --strict")
    return document


def make_editions(config: BuildConfig, document: Document) -> list[Output]:
    """The bytes of each edition asked for, with the file each one goes to. Nothing is written yet."""
    stem, out = document.source_path.stem, config.out_dir
    paper = config.paper or document.meta.paper or document.brand.paper
    outputs = []
    if "pdf" in config.formats:
        outputs.append((out / f"{stem}.pdf", make_pdf(document, paper=paper, press=config.press), "pdf"))
    if "print" in config.formats:
        outputs.append((out / f"{stem}-print.pdf",
                        make_pdf(document, paper=paper, edition="print", press=config.press), "print"))
    if "epub" in config.formats:
        outputs.append((out / f"{stem}.epub", make_epub(document), "epub"))
    if "pdfa" in config.formats:
        outputs.append((out / f"{stem}-archive.pdf", make_archive_pdf(document, paper=paper), "pdfa"))
    if "html" in config.formats:
        outputs.append((out / f"{stem}.html", make_html(document), "html"))
    return outputs

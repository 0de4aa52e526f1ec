"""The build, stage by stage: read, compose, make each edition, write."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from .assets import load_assets
from .brand import load_brand
from .compose import compose_document, resolve_build_time
from .editions import make_archive_pdf, make_epub, make_pdf
from .errors import BriefError, raise_all
from .frontmatter import load_source
from .publish import publish
from .records import Artifact, BuildConfig
from .safety import sanitize_document

LOG = logging.getLogger("briefpress")
FORMATS = ("pdf", "print", "epub", "pdfa")
DEFAULT_FORMATS = ("pdf", "print", "epub")


def build(config: BuildConfig) -> list[Artifact]:
    """Build every edition of every brief named in the config."""
    brand = load_brand(config.brand_path)
    outputs: list[tuple[Path, bytes, str]] = []  # written together at the end: nothing lost
    for path in config.sources:
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
        paper = config.paper or source.meta.paper or brand.paper
        if "pdf" in config.formats:
            outputs.append((config.out_dir / f"{path.stem}.pdf",
                            make_pdf(document, paper=paper, press=config.press), "pdf"))
        if "print" in config.formats:
            outputs.append((config.out_dir / f"{path.stem}-print.pdf",
                            make_pdf(document, paper=paper, edition="print", press=config.press), "print"))
        if "epub" in config.formats:
            outputs.append((config.out_dir / f"{path.stem}.epub", make_epub(document), "epub"))
        if "pdfa" in config.formats:
            outputs.append((config.out_dir / f"{path.stem}-archive.pdf",
                            make_archive_pdf(document, paper=paper), "pdfa"))
    return publish(outputs, config.out_dir)


"""The build, stage by stage: read, compose, make each edition, write."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from .brand import load_brand
from .compose import compose_document, resolve_build_time
from .editions import make_archive_pdf, make_epub, make_pdf
from .errors import BriefError
from .frontmatter import load_source
from .records import Artifact, BuildConfig

LOG = logging.getLogger("briefpress")
FORMATS = ("pdf", "print", "epub", "pdfa")
DEFAULT_FORMATS = ("pdf", "print", "epub")


def build(config: BuildConfig) -> list[Artifact]:
    """Build every edition of every brief named in the config."""
    brand = load_brand(config.brand_path)
    artifacts: list[Artifact] = []
    for path in config.sources:
        source = load_source(path)
        build_time = resolve_build_time(source.meta.date, config.source_date_epoch, path)
        document, warnings = compose_document(source, brand, build_time)
        for warning in warnings:
            LOG.warning("%s", warning.message)
        if warnings and config.strict:
            raise BriefError(path, None, f"{len(warnings)} warning(s) and --strict is on",
                             "fix the warnings above, or build without --strict")
        paper = config.paper or source.meta.paper or brand.paper
        if "pdf" in config.formats:
            artifacts.append(write_atomic(config.out_dir / f"{path.stem}.pdf", make_pdf(document, paper=paper, press=config.press), "pdf"))
        if "print" in config.formats:
            artifacts.append(write_atomic(config.out_dir / f"{path.stem}-print.pdf",
                                          make_pdf(document, paper=paper, edition="print", press=config.press), "print"))
        if "epub" in config.formats:
            artifacts.append(write_atomic(config.out_dir / f"{path.stem}.epub", make_epub(document), "epub"))
        if "pdfa" in config.formats:
            artifacts.append(write_atomic(config.out_dir / f"{path.stem}-archive.pdf",
                                          make_archive_pdf(document, paper=paper), "pdfa"))
    return artifacts


def write_atomic(target: Path, data: bytes, kind: str) -> Artifact:
    """Write to a temporary file beside the target and rename it into place."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as err:
        if "tmp" in locals() and os.path.exists(tmp):
            os.unlink(tmp)
        raise BriefError(target.parent, None, f"cannot write output: {err.strerror}",
                         "choose a writable folder with --out") from None
    return Artifact(path=target, kind=kind, size=len(data))

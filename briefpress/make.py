"""Make one brief's editions: read, compose, check, then render each edition asked for.

The heavy half of the pipeline (pandoc, lxml, ebooklib), imported only when the cache has no
entry. With more than one job the PDF editions are rendered by the crew of forked workers
(workers.py); otherwise everything happens here.
"""

from __future__ import annotations

import hashlib
import json
import logging
from functools import partial

from briefpress.cache import Entry
from briefpress.compose.assets import load_assets
from briefpress.compose.citation import brief_reference
from briefpress.compose.document import compose_document, resolve_build_time
from briefpress.compose.safety import sanitize_document
from briefpress.errors import BriefError, Capture, raise_all, report
from briefpress.read.frontmatter import load_source
from briefpress.records import EDITION, EDITIONS, Brand, BuildConfig, Document, making_order
from briefpress.render.editions import make_edition
from briefpress.render.fonts.fit import fit_fonts
from briefpress.render.workers import Crew

__all__ = ["make_brief", "prepare"]

LOG = logging.getLogger("briefpress")


def make_brief(config: BuildConfig, path, brands, crew: Crew, progress=None) -> Entry:
    """Every edition of one brief, the warnings logged on the way, and the images it read: read →
    compose → render. The crew's workers render the PDF editions; this process makes the rest, in
    the EDITIONS order, or for progress (the preview) cheapest first, each handed to progress.made
    as soon as it exists."""
    captured = Capture()
    LOG.addHandler(captured)
    try:
        brand = brands.get()  # read the brand
        crew.send_brand(config, brand, path)  # a PDF worker sets up its stylesheets meanwhile
        document = prepare(config, brand, path)  # read and compose the brief; its errors raised together
        crew.send(config, document)  # the PDF editions, rendered by the workers
        here = making_order(crew.here) if progress else crew.here
        made = {kind: render_edition(kind, document, config, progress) for kind in here}
        made.update(crew.results())
    finally:
        LOG.removeHandler(captured)
        crew.cancel()  # a no-op for workers that answered; frees them if the brief failed first
    editions = tuple((e.name, made[e.name]) for e in EDITIONS if e.name in made)
    images = tuple((a.url, hashlib.sha256(a.content).hexdigest()) for a in document.assets if ":" not in a.url)
    images += tuple(cited_files(document))
    return Entry(editions=editions, warnings=tuple(captured.records), images=images, about=json.dumps(about(document)))


def render_edition(kind: str, document: Document, config: BuildConfig, progress) -> bytes:
    """One edition's bytes; with progress, shown as a draft first if it is drafted, and handed over."""
    if progress is None:
        return make_edition(kind, document, config)
    draft = progress.draft if progress.draft and EDITION[kind].drafted else None
    show_draft = partial(draft, kind) if draft else None
    data = make_edition(kind, document, config, show_draft=show_draft, stale=progress.stale)
    progress.made(kind, data)
    return data


def cited_files(doc: Document):
    """The bibliography and style files a brief names, with their SHA-256, so the cache sees a
    changed entry the way it sees a changed image."""
    meta = doc.meta
    for name in (*meta.bibliography, meta.csl):
        if name:
            yield name, hashlib.sha256((doc.source_path.parent / name).read_bytes()).hexdigest()


def about(doc: Document) -> dict:
    """What a catalogue says about a brief."""
    meta = doc.meta
    return {
        "title": meta.title,
        "subtitle": meta.subtitle,
        "authors": [a.name for a in meta.authors],
        "date": meta.date,
        "series_name": meta.series.name or doc.brand.series_name,
        "series_number": meta.series.number,
        "summary": doc.summary_text,
        "keywords": list(meta.keywords),
        "lang": meta.lang,
        "direction": meta.direction,
        "identifier": doc.identifier,
        "updated": doc.build_time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "url": doc.url,
        "reference": brief_reference(meta, doc.brand, url=doc.url, key=doc.source_path.stem, abstract=doc.summary_text),
    }


def prepare(config: BuildConfig, brand: Brand, path) -> Document:
    """Read, compose and check one brief; log its warnings; raise its errors all together."""
    source = load_source(path)
    build_time = resolve_build_time(source.meta.date, config.source_date_epoch, path)
    composed = compose_document(source, brand, build_time, references=config.references)
    sanitized = sanitize_document(composed.value, source)
    loaded = load_assets(sanitized.value, source, allow_remote=config.allow_remote)
    fitted = fit_fonts(loaded.value, source)
    stages = (composed, sanitized, loaded, fitted)
    warnings = [*source.warnings, *(warning for stage in stages for warning in stage.warnings)]
    for warning in warnings:
        report(warning)
    raise_all([error for stage in stages for error in stage.errors])
    if warnings and config.strict:
        raise BriefError(
            path,
            None,
            f"{len(warnings)} warning(s) and --strict is on",
            "fix the warnings above, or build without --strict",
        )
    return fitted.value

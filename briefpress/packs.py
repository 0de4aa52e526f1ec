"""Build a briefing pack: several briefs as one pack PDF, its print edition, a saddle-stitched
booklet and one EPUB.

A driver, like a series: it decides which briefs and where the files go, and gets each brief
composed by the per-brief pipeline (compose_brief, the one place that calls it). Each brief's
composed Document is kept in the cache, so a rebuild after an edit to one brief composes that one
only; the pack's editions are then made from all of them together.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
from pathlib import Path

from briefpress.cache import Entry, cache_key, lookup, store
from briefpress.errors import LOG, BriefError, BuildWarning, Capture, raise_all, replay, report
from briefpress.pipeline import BrandOnce
from briefpress.publish import Output, publish
from briefpress.read.manifest import load_manifest
from briefpress.records import PACK_FILES, Artifact, BuildConfig, Document, PackConfig, PackManifest, text_direction
from briefpress.scratch import scratch_folder

__all__ = ["build_pack", "compose_brief"]


def build_pack(config: PackConfig) -> list[Artifact]:
    """Every file of the pack the config asks for, written together; nothing when a brief fails."""
    manifest = load_manifest(config.manifest)
    brands = BrandOnce(config.build)
    with scratch_folder():
        docs = compose_briefs(config.build, manifest, brands)
        foreword = read_foreword(manifest)
        outputs = make_pack_files(config, manifest, docs, foreword)
    return publish(outputs, config.build.out_dir)


def compose_briefs(config: BuildConfig, manifest: PackManifest, brands: BrandOnce) -> tuple[Document, ...]:
    """Every brief of the pack composed (or taken from the cache); all their errors together. The
    brand first: every brief needs it, so its problems are the pack's, reported once."""
    brands.get()
    docs, errors = [], []
    for path in manifest.briefs:
        try:
            docs.append(cached_brief(config, brands, path))
        except BriefError as err:
            errors.append(err)
    raise_all(errors)
    return tuple(docs)


def compose_brief(config: BuildConfig, brands: BrandOnce, path: Path) -> Document:
    """One brief read and composed by the per-brief pipeline: the pack's one way into it."""
    from briefpress.make import prepare

    return prepare(config, brands.get(), path)


PACK_ENTRY = ("pack-document",)  # the cache key's formats: a composed Document, not an edition


def cached_brief(config: BuildConfig, brands: BrandOnce, path: Path) -> Document:
    """The brief's composed Document from the cache when nothing it depends on changed, else composed and kept."""
    cache = config.cache_dir
    key = cache_key(dataclasses.replace(config, formats=PACK_ENTRY), path) if cache else None
    entry = lookup(cache, key, path) if cache and key else None
    if entry is not None:
        replay(entry.warnings)  # nothing silent: a cached brief says what its first composition said
        return pickle.loads(entry.editions[0][1])
    captured = Capture()
    LOG.addHandler(captured)
    try:
        doc = compose_brief(config, brands, path)
    finally:
        LOG.removeHandler(captured)
    if cache and key:
        from briefpress.make import cited_files  # loaded already: the brief was just composed

        # As for a brief's editions: the images, bibliographies and style it names are checked again on a hit.
        images = tuple((a.url, hashlib.sha256(a.content).hexdigest()) for a in doc.assets if ":" not in a.url)
        files = images + tuple(cited_files(doc))
        store(cache, key, Entry((("document", pickle.dumps(doc)),), tuple(captured.records), files))
    return doc


def read_foreword(manifest: PackManifest) -> str:
    """The foreword's Markdown as sanitised HTML, or nothing."""
    path = manifest.foreword
    if path is None:
        return ""
    from briefpress.compose.sanitizer import sanitize_fragment
    from briefpress.read.markdown import parse_markdown, render_html

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise BriefError(
            manifest.path, None, f"cannot read the foreword {path.name}: {err}", "fix 'foreword'"
        ) from None
    clean, findings = sanitize_fragment(render_html(parse_markdown(text, path)["blocks"], path))
    for finding in findings:
        report(BuildWarning(path, None, finding.what))
    return clean


def make_pack_files(config: PackConfig, manifest: PackManifest, docs, foreword: str) -> list[Output]:
    """The bytes of each file the config asks for, in the order of PACK_FILES."""
    from briefpress.render.pack import make_pack_pdf

    build, stem = config.build, config.manifest.stem
    paper = build.paper or docs[0].brand.paper
    target = {kind: build.out_dir / f"{stem}{ending}" for kind, ending in PACK_FILES.items()}
    outputs: list[Output] = []
    printing = "print" in config.formats or "booklet" in config.formats

    def print_pack(press: bool = build.press) -> bytes:
        return make_pack_pdf(manifest, docs, paper=paper, edition="print", press=press, foreword_html=foreword)

    # One layout after the other, in this process: the print pack lays out again only the lines the
    # distribution pack did not (render/pdf.py remembers them). A forked process for it cost 15 %
    # more processor time and was no quicker on two shared cores.
    if "pdf" in config.formats:
        pdf = make_pack_pdf(manifest, docs, paper=paper, foreword_html=foreword)
        outputs.append((target["pdf"], pdf, "pdf"))
    printed = print_pack() if printing else b""
    if printing:
        if "print" in config.formats:
            outputs.append((target["print"], printed, "print"))
        if "booklet" in config.formats:
            if build.press:  # the booklet is printed on the office's duplex printer: no bleed, no marks
                printed = print_pack(press=False)
            outputs.append((target["booklet"], make_booklet(config, manifest, printed), "booklet"))
    if "epub" in config.formats:
        from briefpress.render.packepub import make_pack_epub

        outputs.append((target["epub"], make_pack_epub(manifest, docs, foreword_html=foreword), "epub"))
    return outputs


def make_booklet(config: PackConfig, manifest: PackManifest, printed: bytes) -> bytes:
    """The print pack imposed for saddle stitching; a right-to-left pack folds the other way."""
    from briefpress.render.impose import impose_booklet

    return impose_booklet(printed, config.booklet, right_to_left=text_direction(manifest.lang) == "rtl")

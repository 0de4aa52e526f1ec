"""Patches to pydyf 0.13.0, WeasyPrint's PDF writer (entered around each render by render/pdf.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pydyf

from briefpress.render.patches import Patch, speed_patch

PATCHES = (
    Patch(
        "pydyf",
        "pydyf:PDF.page_references",
        "page_references_kept",
        "bench/upstream/pydyf-page-references.md (draft)",
        "060bf90aad55931b",
        speed=True,
    ),
)
UNCACHED_PAGE_REFERENCES = pydyf.PDF.page_references.fget


def cached_page_references(pdf) -> tuple[bytes, ...]:
    """pydyf's PDF.page_references, computed once per page count instead of on every read.

    pydyf 0.13 rebuilds the tuple of every page's reference each time it is read, and
    WeasyPrint's tagging (weasyprint/pdf/tags.py) reads it once per tagged box: quadratic in
    the length of the document (about 12 s of a 560-page render). The pages only ever grow
    (PDF.add_page), so their count says when the tuple is stale."""
    kids = pdf.pages["Kids"]
    kept = pdf.__dict__.get("_page_references")
    if kept is None or kept[0] is not kids or kept[1] != len(kids):
        kept = (kids, len(kids), UNCACHED_PAGE_REFERENCES(pdf))
        pdf.__dict__["_page_references"] = kept
    return kept[2]


@speed_patch("pydyf.page_references_kept")
@contextlib.contextmanager
def page_references_kept() -> Iterator[None]:
    """pydyf.PDF.page_references computed once per page count (cached_page_references; written for
    pydyf 0.13.0; bench/upstream/pydyf-page-references.md)."""
    original = pydyf.PDF.page_references
    pydyf.PDF.page_references = property(cached_page_references)
    try:
        yield
    finally:
        pydyf.PDF.page_references = original

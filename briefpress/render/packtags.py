"""Declare each brief's language in the pack PDF's structure tree, with pikepdf.

WeasyPrint 70 writes the document's language (/Lang in the catalogue, from <html lang>) but not an
element's own lang attribute: an Urdu brief in an English pack would be read aloud in English.
PDF/UA-1 7.2 wants a change of natural language declared; /Lang on a structure element holds for
everything under it (ISO 32000-1, 14.9.2.1). WeasyPrint splits a section that runs over several
pages into one /Sect per page, so each top-level element on a brief's pages gets the brief's /Lang.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pikepdf


def declare_languages(data: bytes, languages: dict[str, str], anchors: tuple[str, ...]) -> bytes:
    """The PDF with /Lang on the structure elements of each brief whose anchor is in languages
    (anchor -> BCP 47 tag); anchors are every piece's id in document order, which bound the pages."""
    if not languages:
        return data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pages = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
        starts = destination_pages(pdf, pages, anchors)
        document = next(structure_kids(pdf.Root.StructTreeRoot))
        for element in structure_kids(document):
            page = first_page(element, pages)
            owner = max((a for a in starts if starts[a] <= page), key=lambda a: starts[a], default=None)
            if page >= 0 and owner in languages:
                element.Lang = pikepdf.String(languages[owner])
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.preserve)
        return out.getvalue()


def destination_pages(pdf: pikepdf.Pdf, pages: dict, anchors: tuple[str, ...]) -> dict[str, int]:
    """The page index of each anchor's named destination."""
    names = list(pdf.Root.Names.Dests.Names)
    found = {str(names[i]): pages.get(names[i + 1][0].objgen, -1) for i in range(0, len(names), 2)}
    return {anchor: found[anchor] for anchor in anchors if anchor in found}


def structure_kids(node) -> Iterator[pikepdf.Dictionary]:
    kids = node.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid


def first_page(element: pikepdf.Dictionary, pages: dict) -> int:
    """The page an element starts on: its own /Pg, else its first descendant's; -1 if none."""
    if "/Pg" in element:
        return pages.get(element.Pg.objgen, -1)
    for kid in structure_kids(element):
        page = first_page(kid, pages)
        if page >= 0:
            return page
    return -1

"""Read the text of a PDF's marked content with pdfium. The only module that uses pypdfium2."""

from __future__ import annotations

import ctypes
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw


def text_by_mcid(path: Path) -> dict[tuple[int, int], str]:
    """{(page index, MCID): text} for every text object inside marked content."""
    texts: dict[tuple[int, int], str] = {}
    pdf = pdfium.PdfDocument(str(path))
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            for obj in page.get_objects():
                mcid = raw.FPDFPageObj_GetMarkedContentID(obj.raw)
                if obj.type == raw.FPDF_PAGEOBJ_TEXT and mcid >= 0:
                    texts[(index, mcid)] = texts.get((index, mcid), "") + object_text(obj, textpage)
    finally:
        pdf.close()
    return texts


def object_text(obj, textpage) -> str:
    size = raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
    buffer = ctypes.create_string_buffer(size)
    raw.FPDFTextObj_GetText(obj.raw, textpage.raw, ctypes.cast(buffer, ctypes.POINTER(raw.FPDF_WCHAR)), size)
    return buffer.raw[: max(size - 2, 0)].decode("utf-16-le")

"""Make the web edition: one self-contained, accessible HTML page (no outside library)."""

from __future__ import annotations

import base64
import dataclasses

from briefpress.fonts import webfont_files
from briefpress.read.assets import data_url, with_image_sources
from briefpress.records import Brand, Document
from briefpress.render.styles import MEDIA_TYPES, edition_css, joined_css, read_bytes
from briefpress.render.templates import render_web_html


def make_html(doc: Document) -> bytes:
    """The brief as one HTML page with its CSS, fonts and logo inline and no other files."""
    # The brief's faces, subset to its text, as WOFF2 data: URLs (the same files as the EPUB's).
    fonts = {
        face: "data:font/woff2;base64," + base64.b64encode(data).decode("ascii") for face, data in webfont_files(doc)
    }
    brand = dataclasses.replace(doc.brand, fonts=tuple(fonts))
    doc = with_image_sources(doc, data_url)  # the manuscript's checked images, inline
    css = joined_css(edition_css(brand, "html", font_url=fonts.__getitem__))
    return render_web_html(doc, css=css, logo_src=logo_data_url(brand)).encode("utf-8")


def logo_data_url(brand: Brand) -> str:
    """The brand's logo as a data: URL, so the page needs no image file beside it."""
    media_type = MEDIA_TYPES.get(brand.logo.suffix, "image/png")
    return f"data:{media_type};base64,{base64.b64encode(read_bytes(brand.logo)).decode('ascii')}"

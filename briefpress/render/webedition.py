"""Make the web edition: one self-contained, accessible HTML page (no outside library)."""

from __future__ import annotations

import base64
import dataclasses

from briefpress.read.assets import data_url, with_image_sources
from briefpress.records import Brand, Document
from briefpress.render.styles import MEDIA_TYPES, edition_css, joined_css, read_bytes
from briefpress.render.templates import render_web_html


def make_html(doc: Document) -> bytes:
    """The brief as one HTML page with its CSS and logo inline and no other files."""
    # System fonts after the brand's own: embedding the six font files would add about 2 MB.
    brand = dataclasses.replace(doc.brand, fonts=())
    doc = with_image_sources(doc, data_url)  # the manuscript's checked images, inline
    css = joined_css(edition_css(brand, "html", font_url=str))
    return render_web_html(doc, css=css, logo_src=logo_data_url(brand)).encode("utf-8")


def logo_data_url(brand: Brand) -> str:
    """The brand's logo as a data: URL, so the page needs no image file beside it."""
    media_type = MEDIA_TYPES.get(brand.logo.suffix, "image/png")
    return f"data:{media_type};base64,{base64.b64encode(read_bytes(brand.logo)).decode('ascii')}"

"""Which stylesheets go into which edition, and reading them from the brand's folder: the one place
that says so. brief.css comes first everywhere: the brand's colours must win over its shorthands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from briefpress.errors import BriefError
from briefpress.records import Brand, FontFace
from briefpress.render.templates import render_brand_css, render_style

MEDIA_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def edition_css(brand: Brand, kind: str, *, font_url: Callable[[FontFace], str], paper: str = "",
                press: bool = False) -> list[str]:
    """The stylesheets of one edition kind (pdf, print, pdfa, epub, html, catalogue), in cascade order."""
    sheets = [read_style(brand, "brief.css"), render_brand_css(brand, font_url=font_url)]
    if kind in ("pdf", "print", "pdfa"):
        sheets.append(render_style("pdf.css.j2", brand, paper=paper))
        if kind == "print":
            sheets.append(render_style("print.css.j2", brand))
        if press:
            sheets.append(read_style(brand, "press.css"))
    elif kind == "epub":
        sheets.append(read_style(brand, "epub.css"))
    else:  # the web page and the series catalogue
        sheets.append(render_style("web.css.j2", brand))
        if kind == "catalogue":
            sheets.append(render_style("catalogue.css.j2", brand))
    return sheets


def read_style(brand: Brand, name: str) -> str:
    return read_bytes(brand.path.parent / name).decode("utf-8")


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise BriefError(path, None, f"cannot read: {err.strerror}", "restore the file or fix the brand") from None

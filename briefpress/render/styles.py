"""Which stylesheets go into which edition, and reading them from the brand's folder: the one place
that says so. brief.css comes first everywhere: the brand's colours must win over its shorthands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from briefpress.errors import BriefError
from briefpress.records import PDF_KINDS, Brand, FontFace, Stylesheet
from briefpress.render.templates import render_brand_css, render_style

MEDIA_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def edition_css(
    brand: Brand,
    kind: str,
    *,
    font_url: Callable[[FontFace], str],
    paper: str = "",
    press: bool = False,
    direction: str = "ltr",
) -> list[Stylesheet]:
    """The stylesheets of one edition kind (pdf, print, pdfa, epub, html, catalogue), in cascade
    order, each with the brand file it comes from (so a CSS problem names its file). The page
    boxes of a PDF follow the brief's direction: `start` is the side a line begins on."""
    folder = brand.path.parent

    def sheet(name: str, **context) -> Stylesheet:
        text = render_style(name, brand, **context) if name.endswith(".j2") else read_style(brand, name)
        return Stylesheet(folder / name, text)

    sheets = [sheet("brief.css"), Stylesheet(folder / "brand.css.j2", render_brand_css(brand, font_url=font_url))]
    if kind in PDF_KINDS:
        start, end = ("right", "left") if direction == "rtl" else ("left", "right")
        sheets.append(sheet("pdf.css.j2", paper=paper, start=start, end=end, overhang=start_overhang(brand)))
        if kind == "print":
            sheets.append(sheet("print.css.j2", start=start, end=end))
        if press:
            sheets.append(sheet("press.css"))
    elif kind == "epub":
        sheets.append(sheet("epub.css"))
    else:  # the web page and the series catalogue
        sheets.append(sheet("web.css.j2"))
        if kind == "catalogue":
            sheets.append(sheet("catalogue.css.j2"))
    return sheets


def start_overhang(brand: Brand) -> str:
    """The room a PDF keeps where a line starts: the largest start-overhang of the families the
    brand sets text in (a brief's brand is narrowed to the faces it needs), else none."""
    used = {face.family for face in brand.fonts}
    lengths = [length for family, length in brand.start_overhangs if family in used]
    return max(lengths, key=lambda length: float(length.removesuffix("em")), default="")


def joined_css(sheets: list[Stylesheet]) -> str:
    """One stylesheet for an edition that carries its CSS as one file (EPUB, web page)."""
    return "\n".join(s.text for s in sheets)


def read_style(brand: Brand, name: str) -> str:
    return read_bytes(brand.path.parent / name).decode("utf-8")


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise BriefError(path, None, f"cannot read: {err.strerror}", "restore the file or fix the brand") from None

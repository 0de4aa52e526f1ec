"""The EPUB cover: deterministic 1600x2400 PNG bytes that follow the title."""

from __future__ import annotations

import io
from importlib.resources import files
from pathlib import Path

import pytest

pytest.importorskip("PIL")
from PIL import Image  # noqa: E402

from briefpress.records import Brand, FontFace  # noqa: E402
from briefpress.render.cover import render_cover  # noqa: E402

TITLE = "Misaligned Expectations: Pakistan-Afghanistan Military Escalation"


def faces(package: str, family: str, stem: str) -> list[FontFace]:
    """Return the regular and bold faces of an installed font package."""
    folder = Path(str(files(package) / "files"))
    return [FontFace(family, folder / f"{stem}-Regular.ttf", 400), FontFace(family, folder / f"{stem}-Bold.ttf", 700)]


@pytest.fixture(scope="module")
def brand() -> Brand:
    fonts = faces("font_source_serif_pro", "Source Serif Pro", "SourceSerifPro") + faces(
        "font_source_sans_pro", "Source Sans Pro", "SourceSansPro"
    )
    return Brand(
        path=Path("brand.yml"),
        name="Institute of South Asian Studies",
        short_name="ISAS",
        home_url="https://www.isas.nus.edu.sg",
        series_name="ISAS Brief",
        disclaimer="",
        address=(),
        contact=(),
        logo=Path("styles/logo.svg"),
        colors={"primary": "#7A1F2B", "accent": "#C8963E", "foreground": "#1E1E1E"},
        base_font="Source Serif Pro",
        heading_font="Source Sans Pro",
        fonts=tuple(fonts),
    )


def cover(brand: Brand, title: str = TITLE, **kw) -> bytes:
    args = {"subtitle": "", "authors": ("Amit Ranjan",), "series_label": "ISAS Brief"} | kw
    return render_cover(title=title, brand=brand, **args)


def test_same_input_gives_identical_bytes(brand):
    assert cover(brand) == cover(brand)


def test_output_is_a_1600_by_2400_png_in_brand_colours(brand):
    data = cover(brand)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (1600, 2400)
    assert image.convert("RGB").getpixel((800, 20)) == (0x7A, 0x1F, 0x2B)  # the top band


@pytest.mark.parametrize(
    "title",
    [
        "The Political Economy of Reform " * 8,  # about 250 characters
        "Supercalifragilisticexpialidocious" * 6 + " Reform",  # a word wider than the page
        "भारत और पाकिस्तान: सीमा पर तनाव · باكستان وأفغانستان",  # glyphs the fonts lack
    ],
)
def test_hard_titles_still_render_and_differ(brand, title):
    data = cover(brand, title, subtitle="A subtitle " * 20, authors=("A. Author",) * 5)
    assert Image.open(io.BytesIO(data)).size == (1600, 2400)
    assert data != cover(brand)

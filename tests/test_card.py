"""The web edition's social card: a 1200x630 PNG drawn from the brand and the title, written
beside the page and named by its Open Graph and Twitter tags with an absolute address."""

from __future__ import annotations

import io
import struct
import unicodedata
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image, features

from briefpress.brand import load_brand
from briefpress.compose.slug import slugify
from briefpress.defaults import make_config
from briefpress.make import prepare
from briefpress.render.cover import CARD_BAND, Type, _fit_title, _stack, render_card
from briefpress.render.fonts.fit import face_codepoints
from conftest import FIXTURES, ROOT, SAMPLE, run_build
from helpers import make_project
from robust import write_brief

URDU = FIXTURES / "urdu.md"
SAMPLE_URL = "https://www.isas.nus.edu.sg/papers/misaligned-expectations-pakistan-afghanistan-military-escalation/"
PRIMARY = (0x7A, 0x1F, 0x2B)  # the brand's primary colour
LONG_TITLE = (
    "The Political Economy of Reform in the Indus Basin: Water, Power, Federalism and the Long Shadow "
    "of the 1960 Treaty After Its Suspension by India in April 2025, and What Comes Next for the "
    "Farmers of Sindh and Punjab on Both Sides of a Closed Border"
)


@pytest.fixture(scope="session")
def built(every_edition, strict_editions) -> dict[str, Path]:
    """The folders of the run's shared builds of the sample and the Urdu brief (conftest): the web
    page and its card come with every build that makes the web edition."""
    return {"brief": every_edition["brief"], "urdu": strict_editions}


def tags(page: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for meta in etree.HTML(page.read_text(encoding="utf-8")).xpath("//meta[@content]"):
        key = meta.get("property") or meta.get("name")
        found.setdefault(key, []).append(meta.get("content"))
    return found


def png_chunks(data: bytes) -> list[bytes]:
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        chunks.append(data[at + 4 : at + 8])
        at += 12 + length
    return chunks


def ink_columns(image: Image.Image, top: int, bottom: int, left: int, right: int) -> tuple[int, int]:
    """The leftmost and rightmost columns with dark ink (the title) between top and bottom."""
    grey = image.convert("L").crop((left, top, right, bottom)).point(lambda v: 255 if v < 90 else 0)
    box = grey.getbbox()
    assert box, "no title ink in the card"
    return left + box[0], left + box[2]


def test_the_sample_card_is_a_1200_by_630_png_in_the_brand_colours(built):
    data = (built["brief"] / "brief-card.png").read_bytes()
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size) == ("PNG", (1200, 630))
    assert image.convert("RGB").getpixel((20, 600)) == PRIMARY  # the brand's column on the left
    assert set(png_chunks(data)) == {b"IHDR", b"IDAT", b"IEND"}  # no text chunk, no time
    left, _ = ink_columns(image, 160, 480, CARD_BAND + 20, 1200)
    assert left < CARD_BAND + 100  # the title starts at the left of its column


def test_the_card_is_named_by_open_graph_and_twitter_with_an_absolute_address(built):
    found = tags(built["brief"] / "brief.html")
    assert found["og:url"] == [SAMPLE_URL]
    assert found["og:image"] == found["twitter:image"] == [SAMPLE_URL + "brief-card.png"]
    assert (found["og:image:width"], found["og:image:height"]) == (["1200"], ["630"])
    alt = "ISAS Brief: Misaligned Expectations: Pakistan-Afghanistan Military Escalation, by Amit Ranjan"
    assert found["og:image:alt"] == found["twitter:image:alt"] == [alt]
    assert found["twitter:card"] == ["summary_large_image"]


def test_the_card_is_the_same_bytes_on_every_build(built, tmp_path):
    code, _, err = run_build(str(SAMPLE), "--out", str(tmp_path), "--format", "html", "-q")
    assert code == 0, err
    assert (tmp_path / "brief-card.png").read_bytes() == (built["brief"] / "brief-card.png").read_bytes()
    assert "brief-card.png" in (tmp_path / "SHA256SUMS").read_text()


def test_an_urdu_card_is_drawn_in_the_brands_fallback_fonts_and_set_right_to_left(built):
    assert features.check("raqm"), "Pillow lays out right-to-left text with libraqm and libfribidi: run ./setup.sh"
    image = Image.open(built["urdu"] / "urdu-card.png").convert("RGB")
    assert image.getpixel((1180, 600)) == PRIMARY and image.getpixel((20, 600)) != PRIMARY  # the column mirrored
    _, right = ink_columns(image, 160, 480, 0, 1200 - CARD_BAND - 12)
    assert right > 1200 - CARD_BAND - 12 - 100  # the title ends at the right of its column
    found = tags(built["urdu"] / "urdu.html")
    assert found["og:image"] == ["https://www.isas.nus.edu.sg/papers/urdu/urdu-card.png"]
    (alt,) = found["og:image:alt"]
    # the brand's Urdu word for "No.", then the title; the byline without an English "by"
    assert alt.startswith("ISAS Brief نمبر 1240: سندھ طاس"), alt
    assert alt.endswith(" \u00b7 عمر صدیقی") and " by " not in alt, alt


def test_every_character_of_the_urdu_title_is_drawn_in_a_face_that_has_it():
    config = make_config(ROOT, sources=(URDU,), no_cache=True)
    doc = prepare(config, load_brand(config.brand_path), URDU)
    paths = _stack(doc.brand, doc.brand.heading_font, 700)
    assert any("nastaliq" in path.name for path in paths)  # by path, from the brand's own fonts
    runs = Type(paths, 60).runs(doc.meta.title)
    for font, run in runs:
        drawn = [c for c in run if unicodedata.category(c) not in ("Zs", "Cf")]
        assert set(map(ord, drawn)) <= face_codepoints(Path(font.path)), (run, font.path)
    assert len({font.path for font, _ in runs}) == 2  # the letters in Nastaliq, ':' in Source Sans


def test_a_long_title_is_fitted_into_four_lines_within_the_column():
    brand = load_brand(ROOT / "styles" / "brand.yml")
    paths = _stack(brand, brand.heading_font, 700)
    font, lines = _fit_title(LONG_TITLE, paths, 700, 300, range(68, 35, -4), 4)
    assert len(lines) <= 4 and all(font.getlength(line) <= 700 for line in lines)
    assert lines[-1].endswith("\u2026")  # cut with an ellipsis, not run off the card
    card = Image.open(
        io.BytesIO(render_card(title=LONG_TITLE, authors="A. Author", date="", series_label="ISAS Brief", brand=brand))
    )
    _, right = ink_columns(card, 140, 500, CARD_BAND + 20, 1200)
    assert right <= 1200 - 64


def test_without_any_address_the_page_has_no_image_tags(tmp_path):
    make_project(tmp_path)
    brand = tmp_path / "styles" / "brand.yml"
    text = brand.read_text(encoding="utf-8")
    brand.write_text("\n".join(line for line in text.splitlines() if "{slug}" not in line) + "\n", encoding="utf-8")
    path = write_brief(tmp_path / "src", "Text.")
    code, _, err = run_build(str(path), "--out", str(tmp_path / "out"), "--format", "html", "--brand", str(brand))
    assert code == 0, err
    found = tags(tmp_path / "out" / "brief.html")
    assert not {"og:image", "twitter:image", "og:url"} & set(found)
    assert found["twitter:card"] == ["summary"]
    assert (tmp_path / "out" / "brief-card.png").is_file()  # written all the same, for sharing by hand


def test_the_card_comes_only_with_the_web_edition(tmp_path):
    code, _, err = run_build(str(FIXTURES / "minimal.md"), "--out", str(tmp_path), "--format", "epub", "-q")
    assert code == 0, err
    assert not (tmp_path / "minimal-card.png").exists()
    code, _, err = run_build(str(FIXTURES / "minimal.md"), "--out", str(tmp_path), "--format", "card")
    assert code == 1 and "unknown format card" in err


def test_the_address_keeps_the_whole_sample_title_and_cuts_a_long_one_at_a_word():
    assert slugify("Misaligned Expectations: Pakistan-Afghanistan Military Escalation") == SAMPLE_URL.split("/")[-2]
    slug = slugify(LONG_TITLE)
    full = "-".join(slugify(word) for word in LONG_TITLE.split() if slugify(word))
    assert len(slug) <= 80 and not slug.endswith("-") and full.startswith(slug + "-")
    assert slugify("x" * 200) == "x" * 80

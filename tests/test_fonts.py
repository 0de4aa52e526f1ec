"""Fonts: every edition is set in the brand's declared fonts, never the machine's; fallback
families for the South Asian scripts are loaded only when a brief's text needs them; the EPUB
and the web page carry subsets that keep every glyph the text needs."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
import pytest
from lxml import etree, html

from briefpress.brand import load_brand
from briefpress.check.validate import run_ace
from briefpress.render.fonts.subset import font_codepoints
from briefpress.render.fonts.woff import sfnt_bytes
from conftest import FIXTURES, ROOT, SAMPLE, run_build

SCRIPTS = FIXTURES / "scripts"
BRIEFS = {
    "brief": SAMPLE,
    "south-asia": SCRIPTS / "south-asia.md",
    "urdu": SCRIPTS / "urdu.md",
    "accented": SCRIPTS / "accented.md",
    "uncovered": SCRIPTS / "uncovered.md",
}
BRAND = load_brand(ROOT / "styles" / "brand.yml")
SOUTH_ASIAN = {
    "Noto Naskh Arabic",
    "Noto Serif Devanagari",
    "Noto Serif Bengali",
    "Noto Serif Tamil",
    "Noto Serif Sinhala",
    "Noto Sans Gurmukhi",
}
OPF = {"opf": "http://www.idpf.org/2007/opf"}


@pytest.fixture(scope="module")
def built(tmp_path_factory, every_edition) -> dict[str, tuple[Path, str]]:
    """Each brief built once as PDF, EPUB and web page: {name: (folder, stderr)}; the sample is the
    run's shared build (conftest), whose warnings no test here reads."""
    out = {"brief": (every_edition["brief"], "")}
    for name, source in BRIEFS.items():
        if name == "brief":
            continue
        folder = tmp_path_factory.mktemp(f"fonts-{name}")
        code, _, err = run_build(str(source), "--out", str(folder), "--format", "pdf,epub,html")
        assert code == 0, err
        out[name] = (folder, err)
    return out


def pdf_font_families(pdf_path: Path) -> set[str]:
    """The families of the fonts embedded in a PDF, from their names: 'ABCDEF+Noto-Serif-Tamil' -> 'NotoSerifTamil'."""
    names = set()
    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            for font in (page.obj.Resources.get("/Font") or {}).values():
                names.add(re.sub(r"^[A-Z]{6}\+", "", str(font.BaseFont)[1:]).replace("-", ""))
    return names


def squashed(family: str) -> str:
    return family.replace(" ", "")


def declared_family(font_name: str) -> str | None:
    """The brand family whose name the embedded font's name starts with ('SourceSansProBold')."""
    matches = [f.family for f in BRAND.fonts if font_name.startswith(squashed(f.family))]
    return max(matches, key=len) if matches else None


def epub_fonts(epub: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(epub) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("EPUB/fonts/")}


@pytest.mark.parametrize("name", BRIEFS)
def test_every_pdf_font_is_declared_by_the_brand(built, name):
    # uncovered.md has Georgian, which the machine's DejaVu Sans covers: fontconfig would supply it.
    folder, _ = built[name]
    fonts = pdf_font_families(folder / f"{BRIEFS[name].stem}.pdf")
    assert fonts and all(declared_family(font) for font in fonts), fonts
    assert not any("DejaVu" in font for font in fonts)


def test_each_script_is_set_in_its_fallback_and_an_english_brief_loads_none(built):
    families = {declared_family(f) for f in pdf_font_families(built["south-asia"][0] / "south-asia.pdf")}
    assert SOUTH_ASIAN <= families
    assert "Noto Nastaliq Urdu" not in families  # an English brief sets Arabic script in Naskh
    sample = {declared_family(f) for f in pdf_font_families(built["brief"][0] / "brief.pdf")}
    assert sample == {"Source Serif Pro", "Source Sans Pro"}
    assert all(name.startswith("EPUB/fonts/Source") for name in epub_fonts(built["brief"][0] / "brief.epub"))


def test_an_urdu_brief_is_set_in_nastaliq(built):
    families = {declared_family(f) for f in pdf_font_families(built["urdu"][0] / "urdu.pdf")}
    assert "Noto Nastaliq Urdu" in families and "Noto Naskh Arabic" not in families


@pytest.mark.parametrize("name", ["brief", "south-asia", "urdu"])
def test_epub_fonts_are_woff2_files_in_the_manifest_and_the_css(built, name):
    epub = built[name][0] / f"{name}.epub"
    with zipfile.ZipFile(epub) as z:
        opf = etree.fromstring(z.read("EPUB/content.opf"))
        css = z.read("EPUB/styles/brief.css").decode()
    items = {i.get("href"): i.get("media-type") for i in opf.iterfind(".//opf:item", OPF)}
    fonts = epub_fonts(epub)
    assert fonts
    for name_in_zip, data in fonts.items():
        href = name_in_zip.removeprefix("EPUB/")
        assert items.get(href) == "font/woff2" and data[:4] == b"wOF2"
        assert f'url("../{href}")' in css
    assert len(re.findall(r"@font-face", css)) == len(fonts)


def test_an_epub_whose_only_italics_are_in_how_to_cite_carries_the_italic_face(tmp_path):
    """The minimal brief's text has no italics, but its How to cite sets the title in italics: the
    EPUB carries Source Serif's italic for it, as the PDF does, instead of a slanted upright."""
    code, _, err = run_build(str(FIXTURES / "minimal.md"), "--out", str(tmp_path), "--format", "epub")
    assert code == 0, err
    with zipfile.ZipFile(tmp_path / "minimal.epub") as z:
        brief, about = (html.fromstring(z.read(f"EPUB/{name}.xhtml")) for name in ("brief", "about"))
        names = z.namelist()
    assert about.get_element_by_id("bp-cite").findall(".//em") and not brief.findall(".//em")
    assert "EPUB/fonts/SourceSerifPro-It.woff2" in names


def text_of_pages(epub: Path) -> str:
    with zipfile.ZipFile(epub) as z:
        pages = [z.read(n) for n in z.namelist() if n.endswith(".xhtml")]
    return "".join(html.fromstring(page).text_content() for page in pages)


@pytest.mark.parametrize("name", ["brief", "accented", "south-asia"])
def test_subsets_keep_every_character_of_the_text_that_the_full_font_has(built, name):
    epub = built[name][0] / f"{name}.epub"
    # with the decomposed forms a shaper may look for (Bengali 'ো' as 'ে' and 'া')
    pages = text_of_pages(epub)
    text = set(pages + unicodedata.normalize("NFD", pages)) - set(" \n\t\u00a0\u200c\u200d")
    for zip_name, data in epub_fonts(epub).items():
        face = next(f for f in BRAND.fonts if zip_name.endswith(f.path.stem.removesuffix(".woff2") + ".woff2"))
        full = font_codepoints(sfnt_bytes(face.path.read_bytes()))
        kept = font_codepoints(sfnt_bytes(data))
        needed = {ord(c) for c in text} & full
        assert needed and needed <= kept, (zip_name, sorted(map(chr, needed - kept)))


def test_the_web_page_embeds_the_same_subsets_as_data_urls(built):
    page = (built["brief"][0] / "brief.html").read_text()
    faces = re.findall(r'@font-face \{\s*font-family: "([^"]+)";\s*src: url\("data:font/woff2;base64,', page)
    assert set(faces) == {"Source Serif Pro", "Source Sans Pro"}
    assert len(faces) == len(epub_fonts(built["brief"][0] / "brief.epub"))


def test_sample_epub_and_web_page_are_small(built):
    folder = built["brief"][0]
    assert (folder / "brief.epub").stat().st_size <= 250 * 1024
    assert (folder / "brief.html").stat().st_size <= 200 * 1024


def test_builds_of_the_editions_with_fonts_are_reproducible(built, tmp_path):
    code, _, err = run_build(str(BRIEFS["south-asia"]), "--out", str(tmp_path), "--format", "epub,html")
    assert code == 0, err
    for ending in (".epub", ".html"):
        assert (tmp_path / f"south-asia{ending}").read_bytes() == (
            built["south-asia"][0] / f"south-asia{ending}"
        ).read_bytes()


def test_scripts_the_brand_has_fonts_for_build_without_warnings(built):
    for name in ("south-asia", "urdu", "accented"):
        assert "no font in the brand" not in built[name][1], built[name][1]


def test_a_character_no_font_covers_is_a_warning_with_its_line_and_fails_strict(built, tmp_path):
    err = built["uncovered"][1]
    source = "tests/fixtures/scripts/uncovered.md"
    assert f"warning: {source}:8: no font in the brand covers U+1230 'ሰ' and 2 more Ethiopic character(s)" in err
    assert "(add a font for Ethiopic to styles/brand.yml)" in err
    assert f"warning: {source}:8: no font in the brand covers U+10D2 'გ'" in err
    code, _, err = run_build(str(BRIEFS["uncovered"]), "--out", str(tmp_path), "--strict")
    assert code == 1 and "--strict is on" in err


def test_a_fallback_font_the_brand_does_not_declare_is_an_error(tmp_path):
    styles = tmp_path / "styles"
    styles.mkdir()
    for f in (ROOT / "styles").iterdir():
        (styles / f.name).write_bytes(f.read_bytes())
    text = (styles / "brand.yml").read_text().replace("- Noto Serif Tamil\n", "- Noto Serif Tamill\n")
    (styles / "brand.yml").write_text(text)
    code, _, err = run_build(str(SAMPLE), "--out", str(tmp_path / "out"), "--brand", str(styles / "brand.yml"))
    assert code == 1
    assert "brand.yml:" in err and "brand: fallback font 'Noto Serif Tamill' is not declared" in err


def test_epub_with_every_script_passes_epubcheck_and_ace(built, epubcheck):
    epub = built["south-asia"][0] / "south-asia.epub"
    with ThreadPoolExecutor(max_workers=2) as pool:  # side by side: Ace is mostly its browser's start-up
        ace, messages = pool.submit(run_ace, epub), pool.submit(epubcheck, epub)
        assert messages.result() == []
        verdict = ace.result()
    assert (verdict.errors, verdict.warnings, verdict.violations) == (0, 0, 0), "\n".join(verdict.details)


def test_the_cover_of_an_urdu_brief_draws_its_title_in_nastaliq():
    from briefpress.render.cover import Type, _stack

    urdu = dataclasses.replace(BRAND, fallback_fonts=("Noto Nastaliq Urdu", *BRAND.fallback_fonts))
    title = Type(_stack(urdu, BRAND.heading_font, 700), 100)
    (font, _), *rest = title.runs("پاکستان اور افغانستان")
    assert not rest and "nastaliq" in Path(font.path).name
    (font, _), *rest = title.runs("Misaligned Expectations")
    assert not rest and Path(font.path).name == "SourceSansPro-Bold.ttf"  # the sample's cover as it was


def test_the_south_asian_words_read_back_from_the_pdf(built):
    """pdfium's text of the PDF gives the words of each script as the manuscript has them: the
    ActualText spans (render/pdf.py) carry the letters that a font draws as several glyphs
    (WeasyPrint 70 alone reads সোনার as ǟসানার, ਸਤਿ as ਸ4ਤਿ, ශ්‍රී as Şශ්‍රී, امن as نOام)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(built["south-asia"][0] / "south-asia.pdf"))
    try:
        text = unicodedata.normalize("NFKC", pdf[0].get_textpage().get_text_range())
        words = {word.strip(",.:;۔") for word in text.split()}
    finally:
        pdf.close()
    for word in ("امن", "راغلاست", "भारत", "जयते", "আমার", "সোনার", "বাংলা", "ශ්‍රී", "ලංකාව", "ਸਤਿ", "ਸ੍ਰੀ", "ਅਕਾਲ"):
        assert word in words, word


def brand_copy(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the project's styles folder whose brand.yml has old replaced by new."""
    styles = tmp_path / "styles"
    styles.mkdir()
    for f in (ROOT / "styles").iterdir():
        (styles / f.name).write_bytes(f.read_bytes())
    text = (styles / "brand.yml").read_text()
    assert old in text
    (styles / "brand.yml").write_text(text.replace(old, new))
    return styles / "brand.yml"


def test_the_brand_gives_the_room_a_nastaliq_pdf_keeps_where_its_lines_start(tmp_path):
    from briefpress.render.fonts.fit import narrowed
    from briefpress.render.styles import edition_css, start_overhang

    brand = load_brand(brand_copy(tmp_path, "Noto Nastaliq Urdu: 0.4em", "Noto Nastaliq Urdu: 0.55em"))
    urdu, english = narrowed(brand, ["Noto Nastaliq Urdu"]), narrowed(brand)
    assert (start_overhang(urdu), start_overhang(english)) == ("0.55em", "")

    def pdf_sheet(brand, direction):
        sheets = edition_css(brand, "pdf", font_url=lambda face: "", paper="A4", direction=direction)
        return next(sheet.text for sheet in sheets if sheet.path.name == "pdf.css.j2")

    assert "p, h1, h2, h3, h4, h5, h6, caption, figcaption { padding-right: 0.55em; }" in pdf_sheet(urdu, "rtl")
    assert "padding-right: 0.55em" not in pdf_sheet(english, "ltr")  # a Latin brief's PDF is as before


@pytest.mark.parametrize(
    "value, message",
    [
        ("Noto Nastaliq Urdu: 2mm", "brand: meta.briefpress.start-overhang.Noto Nastaliq Urdu must be a length in em"),
        ("Noto Nastaliq: 0.4em", "brand: start-overhang font 'Noto Nastaliq' is not declared"),
    ],
)
def test_a_start_overhang_in_another_unit_or_for_an_undeclared_family_is_an_error(tmp_path, value, message):
    brand = brand_copy(tmp_path, "Noto Nastaliq Urdu: 0.4em", value)
    line = brand.read_text().splitlines().index(f"      {value}") + 1
    code, _, err = run_build(str(SAMPLE), "--out", str(tmp_path / "out"), "--brand", str(brand))
    assert code == 1
    assert f"error: {brand}:{line}: {message}" in err


def test_a_font_file_s_weight_may_be_a_name_or_left_out(tmp_path):
    """brand.yml's default weight for a font file is `auto` (int('auto') was a traceback), and a
    weight may be named (`bold`)."""
    from helpers import edited_brand

    face = ROOT / "tools" / "node_modules" / "@fontsource" / "source-code-pro" / "files"
    own = (
        "    - family: Own Face\n      source: file\n      files:\n"
        "        - path: own-regular.woff2\n        - path: own-bold.woff2\n          weight: bold\n"
    )
    brand = edited_brand(tmp_path, lambda text: text.replace("  base:\n", f"{own}  base:\n", 1))
    for name, weight in (("regular", 400), ("bold", 700)):
        (brand.parent / f"own-{name}.woff2").write_bytes(
            (face / f"source-code-pro-latin-{weight}-normal.woff2").read_bytes()
        )
    faces = [(f.path.name, f.weight) for f in load_brand(brand).fonts if f.family == "Own Face"]
    assert faces == [("own-regular.woff2", 400), ("own-bold.woff2", 700)]

"""The distribution PDF: its parts in order, clickable notes both ways, right links and metadata."""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import subprocess
import sys

import pikepdf
import pytest

from conftest import FIXTURES, ROOT
from helpers import pdf_destinations, pdf_links, pdf_pages_text, squash, text_near


def test_parts_appear_in_reading_order(built):
    text = squash(" ".join(pdf_pages_text(built["links"] / "links.pdf")))
    parts = [
        "Institute of South Asian Studies",
        "ISAS BRIEF NO. 1234",
        "5 MARCH 2026",
        "Water, Power and the Indus: A Test Brief",
        "Priya Raman and Tan Wei Ming",
        "SUMMARY",
        "Background",
        "Notes",
        "About the authors",
        "priya.raman@example.org",
        "The views expressed in this brief",
        "Singapore 119620",
    ]
    text = text.replace("S UMMARY", "SUMMARY")  # pdfium reads wide letter-spacing as a space
    positions = [text.find(p) for p in parts]
    assert -1 not in positions, [p for p, i in zip(parts, positions) if i < 0]
    assert positions == sorted(positions)


def test_sample_brief_pages_have_numbers_and_running_footer(built):
    pages = pdf_pages_text(built["brief"] / "brief.pdf")
    assert len(pages) >= 2
    for n, text in enumerate(pages, 1):
        assert f"{n} / {len(pages)}" in text
    assert "ISAS Brief · Misaligned Expectations" in pages[1]


def test_every_call_links_to_its_note_and_the_note_links_back(built):
    pdf = built["links"] / "links.pdf"
    links, dests = pdf_links(pdf), pdf_destinations(pdf)
    calls = [l for l in links if l.dest.startswith("note-")]
    backs = [l for l in links if l.dest.startswith("noteref-")]
    assert len(calls) == len(backs) == 9  # 7 notes, note 1 cited three times
    for call in calls:
        number = call.dest.removeprefix("note-")
        assert re.search(rf"{number}$", call.text), call
        page, _, y = dests[call.dest]
        assert text_near(pdf, page, y).startswith(f"{number}.")
    for back in backs:
        page, x, y = dests[back.dest]
        nearest = min((c for c in calls if c.page == page), key=lambda c: abs(c.rect[3] - y) + abs(c.rect[0] - x))
        assert abs(nearest.rect[3] - y) < 12 and nearest.dest == "note-" + back.dest.split("-")[1], back


def test_sample_brief_has_23_calls_and_23_notes(built):
    links = pdf_links(built["brief"] / "brief.pdf")
    assert sorted(l.dest for l in links if l.dest.startswith("note-")) == sorted(f"note-{n}" for n in range(1, 24))
    assert len([l for l in links if l.dest.startswith("noteref-")]) == 23
    assert not [l for l in links if l.uri.endswith("#")], "a placeholder must not link anywhere"


def test_linked_text_keeps_its_url_and_mailto_stays_clickable(built):
    links = pdf_links(built["links"] / "links.pdf")
    uris = {(l.text, l.uri) for l in links if l.uri}
    assert ("World Bank", "https://www.worldbank.org/en/topic/water") in uris
    assert ("write to the commission", "mailto:commission@example.org") in uris
    long = "https://archive.example.org/collections/south-asia/indus/2023/notices/permanent-indus-commission/modification-notice-article-xii-3?lang=en&format=pdf&download=true"
    assert sum(1 for l in links if l.uri == long) >= 2  # the linked text and the URL in the note


def test_metadata_title_authors_language_keywords_dates(built):
    with pikepdf.open(built["links"] / "links.pdf") as pdf:
        info = pdf.docinfo
        assert str(info.Title) == "Water, Power and the Indus: A Test Brief: Fixture for the endnote machinery"
        assert str(info.Author) == "Priya Raman, Tan Wei Ming"
        assert str(info.Keywords) == "water, Indus, treaties"
        assert str(info.CreationDate).startswith("D:20260305")
        assert str(pdf.Root.Lang) == "en-GB"
        with pdf.open_outline() as outline:
            titles = flatten(outline.root)
    assert titles == [
        "Water, Power and the Indus: A Test Brief",
        "Summary",
        "Background",
        "Questions",
        "Notes",
        "About the authors",
        "How to cite this brief",
    ]


def flatten(items) -> list[str]:
    return [t for item in items for t in [item.title, *flatten(item.children)]]


def test_fonts_come_from_the_brand_and_are_embedded(built):
    with pikepdf.open(built["brief"] / "brief.pdf") as pdf:
        fonts = {}
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                descriptor = font.get("/FontDescriptor") or font.DescendantFonts[0].FontDescriptor
                fonts[str(font.BaseFont)] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts and all(fonts.values())
    families = {re.sub(r"^/?[A-Z]{6}\+", "", name)[:15] for name in fonts}
    assert families == {"Source-Serif-Pr", "Source-Sans-Pro"}, fonts


# The patches a render applies (render/patches/): each is still needed, and still right.


def test_pydyf_still_rebuilds_page_references_on_every_read_and_our_cache_agrees():
    import pydyf

    from briefpress.render.patches.pydyf import UNCACHED_PAGE_REFERENCES, page_references_kept

    pdf = pydyf.PDF()
    for _ in range(3):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    # Still needed: pydyf makes a new tuple of every page on each read (quadratic in WeasyPrint's
    # tagging). When this fails, pydyf caches it itself: remove cached_page_references.
    assert UNCACHED_PAGE_REFERENCES(pdf) is not UNCACHED_PAGE_REFERENCES(pdf)
    assert pdf.page_references is not pdf.page_references  # outside a render, pydyf's own
    with page_references_kept():
        assert pdf.page_references is pdf.page_references  # ours is computed once per page count
        assert pdf.page_references == UNCACHED_PAGE_REFERENCES(pdf)
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))  # a new page makes it stale
        assert len(pdf.page_references) == 4 and pdf.page_references == UNCACHED_PAGE_REFERENCES(pdf)


def test_weasyprint_loads_its_libraries_without_probing_the_system():
    """find_library runs ldconfig, gcc and ld for every name WeasyPrint tries; by soname it runs nothing."""
    count = (
        "import subprocess, sys; started = []; run = subprocess.Popen.__init__\n"
        "def counted(self, *a, **k):\n    started.append(a[0] if a else k.get('args')); run(self, *a, **k)\n"
        "subprocess.Popen.__init__ = counted\n"
        "import importlib; importlib.import_module(sys.argv[1])\n"
        "maps = open('/proc/self/maps').read()\n"
        "print(len(started), all(n in maps for n in ('libpango-1.0.so.0', 'libharfbuzz.so.0', 'libfontconfig.so.1')))\n"
    )

    def probe(module: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", count, module],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        return done.stdout.split()

    assert probe("briefpress.render.pdf") == ["0", "True"]  # same libraries, no process started
    started, loaded = probe("weasyprint")  # still needed: a plain import probes (remove sonames_only if not)
    assert int(started) > 0 and loaded == "True"


def test_a_render_lays_out_with_the_collector_paused_and_leaves_it_running():
    import gc

    from briefpress.render.editions import make_edition
    from briefpress.scratch import scratch_folder

    config, doc = composed(FIXTURES / "minimal.md")
    collecting = []  # asked at every line laid out or drawn: is the collector running?
    with scratch_folder():
        make_edition("pdf", doc, config, stale=lambda: collecting.append(gc.isenabled()) or False)
    assert collecting and not any(collecting)
    assert gc.isenabled()


def test_a_layout_past_the_page_limit_stops_with_one_error(monkeypatch):
    """Tables and notes can make more pages than the word limit foresees: the layout itself stops
    at the page after the limit (compose/limits.py MAX_PAGES, 300), with the error a user reads."""
    import pypdfium2 as pdfium

    from briefpress.errors import BriefError
    from briefpress.render import pdf
    from briefpress.render.editions import make_edition
    from briefpress.scratch import scratch_folder

    config, doc = composed(FIXTURES / "minimal.md")
    with scratch_folder():
        pages = len(pdfium.PdfDocument(make_edition("pdf", doc, config)))
        monkeypatch.setattr(pdf, "MAX_PAGES", pages)  # as many pages as the limit: built
        make_edition("pdf", doc, config)
        monkeypatch.setattr(pdf, "MAX_PAGES", pages - 1)
        with pytest.raises(BriefError) as refused:
            make_edition("pdf", doc, config)
    assert refused.value.what.startswith(f"the PDF runs past {pages - 1} pages, the most one build lays out")
    assert refused.value.fix.startswith("split it into several briefs")
    assert logging.getLogger("weasyprint.progress").handlers == []


NASTALIQ = ROOT / "tools/node_modules/@fontsource/noto-nastaliq-urdu/files/noto-nastaliq-urdu-arabic-400-normal.woff2"
URDU_LINE = "پاکستان اور بھارت کے درمیان پانی"


def render_urdu_line(draw_first_line) -> str:
    """The pdfium text of one Nastaliq line rendered with the given draw_first_line."""
    import pypdfium2 as pdfium
    import weasyprint.draw.text as weasy_text
    from weasyprint import CSS, HTML

    from briefpress.render.patches.weasyprint import confined_fonts

    fonts = confined_fonts(None)
    css = CSS(
        string=f"@font-face {{ font-family: N; src: url({NASTALIQ.as_uri()}) }} p {{ font-family: N }}",
        font_config=fonts,
    )
    patched, weasy_text.draw_first_line = weasy_text.draw_first_line, draw_first_line
    try:
        html = HTML(string=f'<html lang="ur" dir="rtl"><p>{URDU_LINE}</p></html>')
        pdf = pdfium.PdfDocument(html.write_pdf(stylesheets=[css], font_config=fonts))
    finally:
        weasy_text.draw_first_line = patched
    try:
        return pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()


def test_weasyprint_still_loses_nastaliq_glyph_clusters_and_our_actual_text_gives_the_words():
    from briefpress.render.pdf import UNPATCHED_DRAW_FIRST_LINE, draw_first_line_with_actual_text

    # Still needed: WeasyPrint 70's own ToUnicode map gives the dots of a dotted letter no text and
    # a shared glyph the first letter it drew (bench/upstream/weasyprint-tounicode-clusters.md).
    # When this fails, WeasyPrint maps clusters itself: remove draw_first_line_with_actual_text.
    words = URDU_LINE.split()
    unpatched = render_urdu_line(UNPATCHED_DRAW_FIRST_LINE).split()
    assert sum(word in unpatched for word in words) <= 2, unpatched
    patched = render_urdu_line(draw_first_line_with_actual_text).split()
    # pdfium reads four of the six words (README, known limits); poppler's pdftotext reads all six.
    assert sum(word in patched for word in words) >= 4, patched


def test_the_fonts_of_a_render_are_copied_into_the_build_folder_and_only_they_are_used(tmp_path):
    """A forked worker leaves through os._exit, so WeasyPrint's own clean-up never runs: the font
    copies must be in the build's folder, which the build removes; and a family the brand does not
    declare is not found among the machine's fonts."""
    import io

    from weasyprint import CSS, HTML

    from briefpress.render.patches.weasyprint import confined_fonts

    fonts = confined_fonts(tmp_path)
    css = CSS(string=f"@font-face {{ font-family: N; src: url({NASTALIQ.as_uri()}) }}", font_config=fonts)
    (folder,) = tmp_path.iterdir()
    assert folder.name.startswith("weasyprint-") and len(list(folder.iterdir())) == 1
    html = HTML(string='<p style="font-family: DejaVu Sans">Machine</p><p style="font-family: N">پانی</p>')
    with pikepdf.open(io.BytesIO(html.write_pdf(stylesheets=[css], font_config=fonts))) as pdf:
        names = [str(font.BaseFont) for page in pdf.pages for font in page.Resources.Font.values()]
    assert len(names) == 1 and names[0].endswith("+N"), names  # the machine's DejaVu Sans is not used


def test_an_address_breaks_before_its_hyphens_never_after(built):
    """A line that ends in an address's hyphen reads as a hyphenated word; the address is broken
    before the hyphen instead: the sample's How to cite, the links fixture's long note 5."""
    for pdf, broken in (
        (built["brief"] / "brief.pdf", "-afghanistan-military\n-escalation/."),
        (built["links"] / "links.pdf", "/modification\n-notice-article-xii-3?lang=en"),
    ):
        text = "\n".join(line.rstrip() for page in pdf_pages_text(pdf) for line in page.splitlines())
        assert broken in text, pdf.name
        assert not re.search(r"https://\S*[-\ufffe]$", text, re.M), pdf.name


def test_weasyprint_imports_fonttools_fallbacks_only_when_they_run():
    """WeasyPrint's pdf/fonts.py imports fontTools' subsetter and variable-font instancer, which
    run only without HarfBuzz's subsetter or for a variable font; ours are deferred until used.
    A render of the sample loads neither, and the subsetter still works when called."""
    script = (
        "import sys, contextlib, io\n"
        "from pathlib import Path\n"
        "from briefpress.brand import load_brand\n"
        "from briefpress.make import prepare\n"
        "from briefpress.records import BuildConfig\n"
        "from briefpress.render.editions import make_edition\n"
        "from briefpress.scratch import scratch_folder\n"
        "sample = Path(sys.argv[1])\n"
        "config = BuildConfig(sources=(sample,), out_dir=Path('.'))\n"
        "with scratch_folder(), contextlib.redirect_stderr(io.StringIO()):\n"
        "    make_edition('pdf', prepare(config, load_brand(sample.parent.parent / 'styles/brand.yml'), sample), config)\n"
        "print(sorted(m for m in ('fontTools.subset', 'fontTools.varLib.instancer') if m in sys.modules))\n"
        "import weasyprint.pdf.fonts as fonts\n"
        "options = fonts.subset.Options(retain_gids=True)\n"
        "import fontTools.subset\n"
        "print(type(options) is fontTools.subset.Options, options.retain_gids)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script, str(ROOT / "source" / "brief.md")], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["[]", "True True"]
    plain = "import sys, weasyprint.pdf.fonts; print('fontTools.subset' in sys.modules)"  # still needed
    assert subprocess.run([sys.executable, "-c", plain], capture_output=True, text=True, check=True).stdout == "True\n"


def test_simple_cffi_type_strings_give_cffis_own_types_without_its_parser(monkeypatch):
    """render/patches/cffi.py builds "PangoRectangle *" or "hb_codepoint_t[1163]" from the name's own
    type: the same model type and C type as cffi's parser gives, without running pycparser (5-13 ms
    per new string with WeasyPrint's declarations, one string per font and glyph count)."""
    from cffi import cparser

    from briefpress.render.fonts.subset import ffi as subset_ffi
    from briefpress.render.patches import cffi as cffitypes
    from briefpress.render.pdf import ffi  # WeasyPrint's

    parsed = []
    real_parse = cparser.Parser._parse
    monkeypatch.setattr(
        cparser.Parser, "_parse", lambda self, source: parsed.append(source) or real_parse(self, source)
    )
    common = [
        "char[]",
        "unsigned int *",
        "char[4]",
        "void *",
        "int",
        "double *",
        "unsigned int[3]",
        "hb_codepoint_t[37]",
    ]
    weasyprint = [
        "PangoFcFontMap *",
        "FcChar8 **",
        "PangoRectangle *",
        "PangoLogAttr[]",
        "hb_tag_t[100]",
        "PangoLayout",
    ]
    for test_ffi, strings in ((ffi, [*common, *weasyprint, "hb_codepoint_t[1163]"]), (subset_ffi, common)):
        parser = test_ffi._parser
        for cdecl in strings:
            del parsed[:]
            ours = cffitypes.parse_type_and_quals(parser, cdecl)
            ours_parsed = len(parsed)
            assert ours == cffitypes.UNPATCHED(parser, cdecl), cdecl
            assert ours_parsed == 0 and parsed, cdecl  # cffi's own parse runs pycparser
            with test_ffi._lock:  # cffi's C type for our model type: the one ffi.typeof gives
                ctype = test_ffi._get_cached_btype(ours[0])
            assert ctype is test_ffi.typeof(cdecl), cdecl
    for cdecl in ("const char *", "int (*)(int)", "PangoRectangle * const"):  # cffi's parser, as before
        assert cffitypes.parse_type_and_quals(ffi._parser, cdecl) == cffitypes.UNPATCHED(ffi._parser, cdecl)


def render_justified_urdu(*, moved_apart: bool) -> float:
    """How far (pt) past its start edge (the right, at 24 mm) a justified paragraph of the Urdu
    fixture, with the distribution PDF's stylesheets, draws its ink."""
    import contextlib

    import pypdfium2 as pdfium
    from weasyprint import CSS, HTML

    from briefpress.brand import load_brand
    from briefpress.render.fonts.fit import narrowed
    from briefpress.render.patches.weasyprint import confined_fonts
    from briefpress.render.pdf import words_moved_apart
    from briefpress.render.styles import edition_css

    brand = narrowed(load_brand(ROOT / "styles" / "brand.yml"), ["Noto Nastaliq Urdu"])
    brand = dataclasses.replace(brand, start_overhangs=())  # the ink as drawn, without the room kept for kaf
    fonts = confined_fonts(None)
    sheets = edition_css(brand, "pdf", font_url=lambda face: face.path.as_uri(), paper="A4", direction="rtl")
    css = [CSS(string=sheet.text, font_config=fonts) for sheet in sheets]
    manuscript = (ROOT / "tests" / "fixtures" / "urdu.md").read_text(encoding="utf-8")
    paragraph = manuscript.split("## مستقبل کا راستہ")[1].split("\n\n")[2].replace("\n", " ")
    html = HTML(string=f'<html lang="ur" dir="rtl"><body><p>{paragraph}</p></body></html>')
    with words_moved_apart() if moved_apart else contextlib.nullcontext():
        pdf = pdfium.PdfDocument(html.write_pdf(stylesheets=css, font_config=fonts))
    try:
        page = pdf[0]
        image = page.render(scale=4, grayscale=True).to_pil().convert("L")
        edge = int((page.get_width() - 24 * 72 / 25.4) * 4)
        ink = image.crop((edge, 0, image.width, image.height)).point(lambda v: 255 if v < 160 else 0).getbbox()
        return ink[2] / 4 if ink else 0.0
    finally:
        pdf.close()


def test_weasyprint_still_justifies_a_nastaliq_line_wider_than_its_box_and_moving_words_apart_does_not():
    # Still needed: WeasyPrint 70 justifies with a letter-spacing attribute on each space, which
    # makes each space an item of its own, set in the first family (Source Serif, whose space is
    # wider than Nastaliq's), and draws a justified Urdu line past its start edge (measured: 18 pt).
    # When this fails, remove words_moved_apart and widen_spaces from render/pdf.py.
    assert render_justified_urdu(moved_apart=False) > 10  # pt
    assert render_justified_urdu(moved_apart=True) < 1  # a letter's own stroke at most


def composed(source):
    from briefpress.brand import load_brand
    from briefpress.defaults import make_config
    from briefpress.make import prepare

    config = make_config(ROOT, sources=(source,), no_cache=True)
    return config, prepare(config, load_brand(config.brand_path), source)


EDITED = {  # a sentence of each brief changed, as a save in the preview changes it
    "source/brief.md": ("In late February 2026,", "In late February 2026 (an edit that moves the line breaks),"),
    "tests/fixtures/urdu.md": ("پاکستان", "پاکستان اور بھارت"),
    "tests/fixtures/elements.md": ("between two countries", "between two countries, and a few more words"),
}


@pytest.mark.parametrize("name", sorted(EDITED))
def test_a_render_after_an_edit_remembers_its_lines_and_writes_the_bytes_of_one_made_alone(name, monkeypatch):
    """The preview renders each save in one process, a draft and then the PDF: the lines an earlier
    render broke are remembered (RememberedLines). The edited brief's PDF must have the bytes of
    one rendered with nothing kept, and most of its lines must come from the earlier render."""
    from briefpress.render import pdf
    from briefpress.render.editions import make_edition
    from briefpress.scratch import scratch_folder

    config, doc = composed(ROOT / name)
    old, new = EDITED[name]
    assert old in doc.body_html
    edited = dataclasses.replace(doc, body_html=doc.body_html.replace(old, new, 1))
    with scratch_folder():
        monkeypatch.setattr(pdf, "LINES", pdf.RememberedLines())
        alone = make_edition("pdf", edited, config)
        monkeypatch.setattr(pdf, "LINES", pdf.RememberedLines())
        before = make_edition("pdf", doc, config, show_draft=lambda _: None)
        broken = pdf.LINES.misses
        after = make_edition("pdf", edited, config, show_draft=lambda _: None)
    assert after == alone and after != before
    new_lines, kept_lines = pdf.LINES.misses - broken, pdf.LINES.hits
    assert 0 < new_lines < kept_lines / 5, (new_lines, kept_lines)


def test_line_breaking_reads_no_style_property_that_remembered_lines_leave_out(monkeypatch):
    """A remembered line is found by the style properties in LINE_STYLE: WeasyPrint's line breaking
    must read no other (when this fails after an upgrade, add what it names to LINE_STYLE)."""
    import weasyprint.layout.inline as weasy_inline
    import weasyprint.layout.preferred as weasy_preferred
    from weasyprint.css import Style

    from briefpress.render import pdf
    from briefpress.render.editions import make_edition
    from briefpress.scratch import scratch_folder

    read: set[str] = set()
    breaking = [False]
    plain_get = dict.__getitem__

    def recorded(style, key):
        if breaking[0]:
            read.add(key)
        return plain_get(style, key)

    def watched(split_first_line):
        def split(*args, **kwargs):
            breaking[0] = True
            try:
                return split_first_line(*args, **kwargs)
            finally:
                breaking[0] = False

        return split

    monkeypatch.setattr(Style, "__getitem__", recorded, raising=False)
    monkeypatch.setattr(weasy_inline, "split_first_line", watched(weasy_inline.split_first_line))
    monkeypatch.setattr(weasy_preferred, "split_first_line", watched(weasy_preferred.split_first_line))
    monkeypatch.setattr(pdf, "LINES", pdf.RememberedLines(capacity=0))  # every line broken, none kept
    names = ["source/brief.md", "tests/fixtures/urdu.md", "tests/fixtures/elements.md"]
    names.append("tests/fixtures/scripts/south-asia.md")
    with scratch_folder():
        for name in names:
            config, doc = composed(ROOT / name)
            for kind in ("pdf", "print") if name == "source/brief.md" else ("pdf",):
                make_edition(kind, doc, config)
    assert {"font_family", "font_size", "lang", "hyphens", "white_space"} <= read  # the recording works
    assert read <= set(pdf.LINE_STYLE), sorted(read - set(pdf.LINE_STYLE))

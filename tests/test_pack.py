"""Briefing packs: several briefs in one pack PDF (one render), its print edition, a booklet
imposed for saddle stitching, and one EPUB. One pack is built once for the module."""

from __future__ import annotations

import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from lxml import etree

from briefpress.check.validate import run_ace
from briefpress.check.verapdf import run_verapdf
from briefpress.records import BookletOptions
from briefpress.render.impose import MM, booklet_order, impose_booklet
from conftest import FIXTURES, ROOT, SAMPLE, run_build
from helpers import page_texts, pdf_destinations, pdf_links

MARKING = "For the meeting of 12 March 2026 - not for circulation"
BRIEFS = [SAMPLE, FIXTURES / "cite" / "cited.md", FIXTURES / "urdu.md", FIXTURES / "links.md"]
TITLES = [
    "Misaligned Expectations: Pakistan-Afghanistan Military Escalation",
    "Fences and Crossings: A Cited Test Brief",
    "سندھ طاس معاہدہ: پانی، سیاست اور علاقائی استحکام",
    "Water, Power and the Indus: A Test Brief",
]
NS = {"x": "http://www.w3.org/1999/xhtml"}


def write_manifest(folder: Path, briefs: list[Path], extra: str = "") -> Path:
    manifest = folder / "visit.yml"
    manifest.write_text(
        "title: Briefing pack for the delegation to Kabul\n"
        "short_title: Kabul delegation\n"
        "subtitle: Water, borders and militancy\n"
        "date: 2026-03-12\n"
        f"marking: {MARKING}\n"
        "foreword: foreword.md\n"
        f"{extra}"
        "briefs:\n"
        f"  - {briefs[0]}\n"
        "  - part: Water and borders\n"
        f"    briefs: [{', '.join(map(str, briefs[1:3]))}]\n"
        "  - part: Annex\n"
        f"    briefs:\n      - {briefs[3]}\n",
        encoding="utf-8",
    )
    (folder / "foreword.md").write_text("This pack gathers four briefs for the delegation.\n", encoding="utf-8")
    return manifest


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> dict:
    """The pack of the sample, a cited brief, the Urdu brief and one more, in all four formats."""
    folder = tmp_path_factory.mktemp("pack")
    manifest = write_manifest(folder, BRIEFS)
    out = folder / "dist"
    code, stdout, err = run_build("pack", str(manifest), "--out", str(out), "--no-cache")
    assert code == 0, err
    return {"out": out, "stdout": stdout, "err": err, "folder": folder}


def outline(path: Path) -> list[tuple[int, str, int]]:
    """(depth, title, page number) of every bookmark, depth first."""
    found = []
    with pikepdf.open(path) as pdf:
        pages = {page.obj.objgen: n + 1 for n, page in enumerate(pdf.pages)}
        with pdf.open_outline() as tree:

            def walk(items, depth):
                for item in items:
                    found.append((depth, item.title, pages[item.destination[0].objgen]))
                    walk(item.children, depth + 1)

            walk(tree.root, 1)
    return found


def brief_ranges(path: Path, count: int) -> list[range]:
    """The pages of each brief: from its first page to the page before the next piece (a brief or a
    part) starts, or the back cover."""
    marks = outline(path)
    starts = [page for _, title, page in marks if title in TITLES]
    pieces = sorted({page for depth, title, page in marks if depth == 2 or title in TITLES})
    assert len(starts) == len(BRIEFS)
    ends = [next((p for p in pieces if p > start), count) for start in starts]  # the back cover is last
    return [range(a, b) for a, b in zip(starts, ends, strict=True)]


def test_outline_nests_pack_part_brief_headings(pack):
    marks = outline(pack["out"] / "visit.pdf")
    assert marks[0][:2] == (1, "Briefing pack for the delegation to Kabul")
    top = [title for depth, title, _ in marks if depth == 2]
    assert top == ["Contents", "Foreword", TITLES[0], "Water and borders", "Annex"]
    in_part = [title for depth, title, _ in marks if depth == 3]
    assert [t for t in in_part if t in TITLES] == TITLES[1:]
    background = next(i for i, m in enumerate(marks) if m[1] == "Background")  # a heading of the cited brief
    assert marks[background][0] == 4 and marks[background - 2][1] == TITLES[1]


def test_each_brief_starts_on_a_right_hand_page_and_the_contents_says_which(pack):
    path = pack["out"] / "visit.pdf"
    marks = outline(path)
    starts = {title: page for _, title, page in marks if title in (*TITLES, "Water and borders", "Annex")}
    assert all(page % 2 == 1 for page in starts.values()), starts
    contents_page = next(page for _, title, page in marks if title == "Contents")
    lines = [" ".join(line.split()) for line in page_texts(path)[contents_page - 1].splitlines()]
    for title, page in starts.items():
        if title.isascii():
            line = next(line for line in lines if line.startswith(title[:30]))
            assert line.endswith(f" {page}"), (line, page)
    urdu_numbers = [line for line in lines if re.search("[\u0600-\u06ff]", line) and re.search(r"\d", line)]
    # pdfium reads a line that starts in Urdu right to left: the number comes first.
    assert len(urdu_numbers) == 1 and urdu_numbers[0].startswith(f"{starts[TITLES[2]]} . . .")


def test_each_brief_has_its_own_notes_from_1_and_its_links_stay_inside_it(pack):
    path = pack["out"] / "visit.pdf"
    texts = page_texts(path)
    ranges = brief_ranges(path, len(texts))
    destinations = pdf_destinations(path)
    for n in range(1, len(BRIEFS) + 1):
        assert f"b{n}-note-1" in destinations and f"b{n}-noteref-1" in destinations
    assert not any(name.startswith("note-") for name in destinations)
    internal = [link for link in pdf_links(path) if link.dest]
    assert len(internal) > 40
    contents_page = 3
    for link in internal:
        target_page = destinations[link.dest][0] + 1
        if link.page + 1 == contents_page:
            assert re.fullmatch(r"b\d|part-\d|pack-foreword", link.dest), link
            continue
        (brief,) = [n for n, pages in enumerate(ranges, 1) if link.page + 1 in pages]
        assert link.dest.startswith(f"b{brief}-") and target_page in ranges[brief - 1], link


def folio_of(text: str, count: int) -> int | None:
    """The page number in a page's footer, "14 / 22"; pdfium reads the footer of an Urdu brief's
    page right to left, "22 / 14"."""
    for first, second in re.findall(r"\b(\d+) / (\d+)\b", text):
        if int(second) == count:
            return int(first)
        if int(first) == count:
            return int(second)
    return None


def test_folios_run_on_and_the_marking_heads_every_page(pack):
    texts = page_texts(pack["out"] / "visit.pdf")
    count = len(texts)
    for number, text in enumerate(texts, 1):
        squashed = " ".join(text.split())
        assert MARKING.casefold() in squashed.casefold(), number
        blank = squashed.casefold() == MARKING.casefold()
        cover = number in (1, count)  # the cover and the back cover carry no folio
        assert folio_of(text, count) == (None if blank or cover else number), number


def test_blank_left_hand_pages_of_the_print_pack_are_blank(pack):
    path = pack["out"] / "visit-print.pdf"
    texts = page_texts(path)
    blanks = [n for n, text in enumerate(texts, 1) if not text.strip()]
    # Left-hand pages before a brief, a part or the contents; the back cover is a left-hand page too,
    # so the page before it may be a blank right-hand one.
    assert blanks and all(n % 2 == 0 for n in blanks if n != len(texts) - 1)
    pdf = pdfium.PdfDocument(str(path))
    try:
        for n in blanks:
            image = pdf[n - 1].render(scale=0.2).to_pil().convert("L")
            assert image.getextrema() == (255, 255), n  # not even a rule or a folio
    finally:
        pdf.close()
    # In the pack PDF the same pages carry the marking alone.
    pack_texts = page_texts(pack["out"] / "visit.pdf")
    assert all(" ".join(pack_texts[n - 1].split()).casefold() == MARKING.casefold() for n in blanks)


@pytest.fixture(scope="module")
def validated(pack, epubcheck) -> dict:
    """veraPDF on both pack PDFs, epubcheck (the run's JVM) and Ace on the EPUB, side by side."""
    out = pack["out"]
    with ThreadPoolExecutor(max_workers=3) as pool:
        vera = pool.submit(run_verapdf, {out / "visit.pdf": "pdf/ua-1", out / "visit-print.pdf": "pdf/ua-1"})
        messages = pool.submit(epubcheck, out / "visit.epub")
        ace = pool.submit(run_ace, out / "visit.epub")
        return {"verapdf": vera.result(), "epubcheck": messages.result(), "ace": ace.result()}


def test_pack_pdfs_pass_verapdf_ua1(validated):
    for result in validated["verapdf"]:
        assert result.checked and not result.error and not result.failures, result


def test_pack_metadata_names_the_pack_and_every_author(pack):
    with pikepdf.open(pack["out"] / "visit.pdf") as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == "Briefing pack for the delegation to Kabul: Water, borders and militancy"
        assert all(name in str(info["/Author"]) for name in ("Amit Ranjan", "Priya Raman", "عمر صدیقی"))
        assert str(pdf.Root.Lang) == "en"


def test_the_urdu_briefs_pages_are_tagged_in_urdu(pack):
    """A screen reader reads the Urdu brief in Urdu: its structure elements declare their language."""
    from briefpress.render.packtags import first_page, structure_kids

    path = pack["out"] / "visit.pdf"
    ranges = brief_ranges(path, len(page_texts(path)))
    urdu_pages, british_pages = ranges[2], ranges[3]  # links.md is in en-GB
    with pikepdf.open(path) as pdf:
        pages = {page.obj.objgen: n + 1 for n, page in enumerate(pdf.pages)}
        document = next(structure_kids(pdf.Root.StructTreeRoot))
        declared = {
            (first_page(e, {k: v - 1 for k, v in pages.items()}) + 1, str(e.get("/Lang", "")))
            for e in structure_kids(document)
        }
    assert {page for page, lang in declared if lang == "ur"} == {page for page, _ in declared if page in urdu_pages}
    assert {page for page, lang in declared if lang == "en-GB"} == {
        page for page, _ in declared if page in british_pages
    }
    others = {lang for page, lang in declared if page not in (*urdu_pages, *british_pages)}
    assert others == {""}  # the rest is in the pack's language, the document's /Lang


# --- the booklet -----------------------------------------------------------------------------


def halves(path: Path) -> list[tuple[str, str]]:
    """The text on the left and right half of each sheet side, whitespace squashed."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        found = []
        for page in pdf:
            width, height = page.get_size()
            text = page.get_textpage()
            found.append(
                tuple(" ".join(text.get_text_bounded(x, 0, x + width / 2, height).split()) for x in (0, width / 2))
            )
        return found
    finally:
        pdf.close()


def page_number(text: str, count: int) -> int | None:
    """Which page of the print pack a text is: its folio; the cover and the back cover by their
    words; None for a blank."""
    folio = folio_of(text, count)
    if folio is not None:
        return folio
    if "Briefing pack for the delegation" in text:
        return 1
    if "autonomous research institute" in text:
        return count
    # pdfium places the ActualText of a word (the Urdu words, render/pdf.py) without the form's
    # matrix: stray Urdu letters, and the punctuation between them, of the page beside a blank
    # half may fall on it. A page of the pack has Latin letters (the marking, if nothing else).
    assert not re.search("[A-Za-z]", RTL.sub("", text)), text
    return None


RTL = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufeff]")


def sheet_pages(path: Path, count: int) -> list[tuple[int | None, int | None]]:
    """The print pack's page on the left and the right half of each sheet side."""
    return [(page_number(left, count), page_number(right, count)) for left, right in halves(path)]


def padded_pages(pack) -> list[int | None]:
    """The print pack's page numbers in booklet order, None for a blank (added, or blank in the pack)."""
    texts = page_texts(pack["out"] / "visit-print.pdf")
    count = len(texts)
    return [None if i is None or not texts[i].strip() else i + 1 for i in booklet_order(count)]


def test_booklet_sheets_hold_the_pages_in_saddle_stitch_order(pack):
    padded = padded_pages(pack)
    count = max(p for p in padded if p)
    sides = sheet_pages(pack["out"] / "visit-booklet.pdf", count)
    assert len(padded) % 4 == 0 and len(sides) == len(padded) // 2  # two pages a side, two sides a sheet
    last = len(padded) - 1
    assert padded[last] == count and padded[last - 1] is None  # the blanks come before the back cover
    # Sheet 1 front: the back cover beside the cover. Long-edge duplex: its back is turned upside
    # down, so page 2 is drawn on the sheet's right half and the second-to-last on its left.
    assert sides[0] == (count, 1)
    assert sides[1] == (padded[last - 1], padded[1])
    middle = len(padded) // 2  # the innermost sheet's back is the centre spread
    assert sides[-2] == (padded[middle + 1], padded[middle - 2])
    assert sides[-1] == (padded[middle], padded[middle - 1])
    assert "pages at 70.7 %" in pack["err"] and "flip on the long edge" in pack["err"]


def test_booklet_pads_with_blanks_before_the_back_cover():
    assert booklet_order(6) == [0, 1, 2, 3, 4, None, None, 5]
    assert booklet_order(8) == list(range(8))


def test_booklet_options_short_edge_a3_and_right_to_left(pack):
    printed = (pack["out"] / "visit-print.pdf").read_bytes()
    padded = padded_pages(pack)
    count = max(p for p in padded if p)
    folder = pack["folder"]
    short = folder / "short.pdf"
    short.write_bytes(impose_booklet(printed, BookletOptions(short_edge=True)))
    assert sheet_pages(short, count)[1] == (padded[1], padded[-2])  # the back the right way up
    rtl = folder / "rtl.pdf"
    rtl.write_bytes(impose_booklet(printed, BookletOptions(short_edge=True), right_to_left=True))
    assert sheet_pages(rtl, count)[0] == (1, count)  # bound on the right: the cover on the left half
    a3 = folder / "a3.pdf"
    a3.write_bytes(impose_booklet(printed, BookletOptions(sheet="a3")))
    with pikepdf.open(a3) as pdf:
        width, height = (float(v) for v in pdf.pages[0].mediabox[2:])
        assert (round(width / MM), round(height / MM)) == (420, 297)


def first_chars_x(path: Path) -> list[tuple[float | None, float | None]]:
    """The leftmost character's x on the left and the right half of each sheet side; None for a
    half that is blank or holds Urdu (pdfium places its ActualText without the form's matrix)."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        found = []
        for page in pdf:
            width = page.get_size()[0]
            text = page.get_textpage()
            chars = [(text.get_text_range(i, 1), text.get_charbox(i)) for i in range(text.count_chars())]
            halves_x: list[float | None] = []
            for right in (False, True):
                here = [(char, box) for char, box in chars if box[2] > box[0] and (box[0] >= width / 2) == right]
                latin = here and not any(RTL.match(char) for char, _ in here)
                halves_x.append(min(box[0] for _, box in here) if latin else None)
            found.append((halves_x[0], halves_x[1]))
        return found
    finally:
        pdf.close()


def test_creep_moves_inner_sheets_pages_towards_the_spine(pack):
    printed = (pack["out"] / "visit-print.pdf").read_bytes()
    folder = pack["folder"]
    plain, crept = folder / "plain.pdf", folder / "crept.pdf"
    plain.write_bytes(impose_booklet(printed, BookletOptions(short_edge=True, creep_mm=0)))
    crept.write_bytes(impose_booklet(printed, BookletOptions(short_edge=True, creep_mm=2)))
    before, after = first_chars_x(plain), first_chars_x(crept)
    sheets = len(before) // 2
    compared = set()
    for side, (was, now) in enumerate(zip(before, after, strict=True)):
        sheet = side // 2
        shift = 2 * MM * sheet / (sheets - 1)  # the innermost sheet by the 2 mm asked, the outermost not at all
        for half, towards_spine in ((0, shift), (1, -shift)):
            if was[half] is not None:
                assert now[half] - was[half] == pytest.approx(towards_spine, abs=0.05), (side, half)
                compared.add(sheet)
    assert 0 in compared and max(compared) >= sheets // 2
    assert "creep 0.5 mm at the innermost sheet" in pack["err"]  # 6 sheets of 0.1 mm paper by default


# --- the EPUB ----------------------------------------------------------------------------------


def test_pack_epub_passes_epubcheck_and_ace(validated):
    assert validated["epubcheck"] == []
    verdict = validated["ace"]
    assert (verdict.errors, verdict.warnings, verdict.violations) == (0, 0, 0), verdict.details


def test_pack_epub_nav_nests_parts_briefs_headings_and_keeps_each_briefs_language(pack):
    with zipfile.ZipFile(pack["out"] / "visit.epub") as z:
        nav = etree.fromstring(z.read("EPUB/nav.xhtml"))
        urdu = etree.fromstring(z.read("EPUB/b3-brief.xhtml"))
        notes = etree.fromstring(z.read("EPUB/b2-notes.xhtml"))
    toc = nav.find(".//x:nav/x:ol", NS)
    top = [" ".join(li.find("x:a", NS).itertext()) for li in toc.findall("x:li", NS)]
    assert top == ["Foreword", TITLES[0], "Water and borders", "Annex"]
    part = toc.findall("x:li", NS)[2]
    briefs = part.findall("x:ol/x:li", NS)
    assert [li.find("x:a", NS).text for li in briefs] == TITLES[1:3]
    urdu_link = briefs[1].find("x:a", NS)
    assert (urdu_link.get("lang"), urdu_link.get("dir")) == ("ur", "rtl")  # read in Urdu in an English nav
    assert briefs[0].find("x:a", NS).get("lang") is None
    assert [li.find("x:a", NS).text for li in toc.findall("x:li", NS)[3].findall("x:ol/x:li", NS)] == TITLES[3:]
    headings = [li.find("x:a", NS).text for li in briefs[0].findall("x:ol/x:li", NS)]
    assert headings[:3] == ["Summary", "Background", "Analysis"]
    assert (urdu.get("lang"), urdu.get("dir")) == ("ur", "rtl")
    assert notes.xpath("//x:li[@id='note-1']", namespaces=NS)


# --- bad input and the cache ---------------------------------------------------------------------


def build_pack(manifest: Path, *args: str) -> tuple[int, str, str]:
    return run_build("pack", str(manifest), "--out", str(manifest.parent / "dist"), "--no-cache", *args)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title: T\nbriefs: [missing.md]\n", r"visit\.yml:2: brief not found: missing\.md"),
        ("title: T\nbriefs: []\n", r"visit\.yml:2: the pack has no briefs"),
        ("title: [T\nbriefs: []\n", r"visit\.yml:\d: malformed pack manifest"),
        ("title: {a: 1}\nbriefs: [BRIEF]\n", r"visit\.yml:1: 'title' must be text, not dict"),
        (
            "title: T\nmarking: " + "x" * 130 + "\nbriefs: [BRIEF]\n",
            r"visit\.yml:2: the marking must be one line of at most 120",
        ),
        ("title: T\nbriefs: [BAD]\n", r"bad\.md:\d+: "),
        ("title: T\nforeword: none.md\nbriefs: [BRIEF]\n", r"visit\.yml:2: foreword not found: none\.md"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, text, expected):
    (tmp_path / "bad.md").write_text("---\ntitle: [unclosed\n---\n\nText.\n", encoding="utf-8")
    manifest = tmp_path / "visit.yml"
    manifest.write_text(text.replace("BRIEF", str(FIXTURES / "minimal.md")).replace("BAD", "bad.md"), encoding="utf-8")
    code, _, err = build_pack(manifest)
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert code == 1 and len(errors) == 1 and re.search(expected, errors[0]), err
    assert "Traceback" not in err and not (tmp_path / "dist").exists()


def test_a_manifest_that_is_a_folder_or_missing_is_one_line(tmp_path):
    for manifest, expected in ((tmp_path, "Is a directory"), (tmp_path / "none.yml", "No such file")):
        code, _, err = build_pack(manifest)
        assert code == 1 and err.count("error:") == 1 and expected in err and "Traceback" not in err, err


def test_the_same_brief_twice_and_an_unknown_key_are_warnings(tmp_path):
    from briefpress.read.manifest import load_manifest

    manifest = tmp_path / "visit.yml"
    minimal = FIXTURES / "minimal.md"
    manifest.write_text(f"title: T\ncolour: red\nbriefs:\n  - {minimal}\n  - {minimal}\n", encoding="utf-8")
    with _captured() as records:
        load_manifest(manifest)
    assert [r.getMessage() for r in records] == [
        f"{manifest}:2: unknown key 'colour' in the pack manifest (ignored)",
        f"{manifest}:5: minimal.md is in the pack twice (also line 4)",
    ]


class _captured:
    def __enter__(self):
        import logging

        from briefpress.errors import LOG

        self.records: list[logging.LogRecord] = []
        self.handler = logging.Handler()
        self.handler.emit = self.records.append
        LOG.addHandler(self.handler)
        return self.records

    def __exit__(self, *exc):
        from briefpress.errors import LOG

        LOG.removeHandler(self.handler)


def test_a_rebuild_composes_only_the_brief_that_changed(tmp_path, monkeypatch):
    import briefpress.packs as packs

    brief = tmp_path / "minimal.md"
    brief.write_text((FIXTURES / "minimal.md").read_text(encoding="utf-8"), encoding="utf-8")
    manifest = tmp_path / "visit.yml"
    manifest.write_text(f"title: T\nbriefs:\n  - {FIXTURES / 'links.md'}\n  - {brief}\n", encoding="utf-8")
    composed = []
    original = packs.compose_brief
    monkeypatch.setattr(
        packs,
        "compose_brief",
        lambda config, brands, path: composed.append(path.name) or original(config, brands, path),
    )
    brand = str(ROOT / "styles" / "brand.yml")
    for edit in ("", "One more sentence.\n"):
        brief.write_text(brief.read_text(encoding="utf-8") + edit, encoding="utf-8")
        code, _, err = run_build("pack", str(manifest), "--format", "pdf", "--brand", brand, cwd=tmp_path, cache=True)
        assert code == 0, err
    assert composed == ["links.md", "minimal.md", "minimal.md"]
    assert "One more sentence." in " ".join(" ".join(page_texts(tmp_path / "dist" / "visit.pdf")).split())

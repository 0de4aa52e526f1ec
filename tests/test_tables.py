"""A table in a brief is set with rules (above, under the header row, below) and room after it,
and a figure's caption sits under its image."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium

from conftest import run_build

BRIEF = """---
title: Tables
---

The rivers.

| River  | Allocated to | Flow (MAF) |
|:-------|:-------------|:-----------|
| Jhelum | Pakistan     | 23         |
| Ravi   | India        | 7          |

Flows are in million acre-feet a year.
"""


def rule_rows(image, left: int, right: int) -> list[int]:
    """Rows where an unbroken dark line runs from left to right."""
    gray = image.convert("L")
    rows = []
    for y in range(gray.height):
        if all(gray.getpixel((x, y)) < 140 for x in range(left, right, 2)):
            rows.append(y)
    return [y for i, y in enumerate(rows) if i == 0 or rows[i - 1] != y - 1]  # one per line


def built_pdf(tmp_path: Path, name: str, text: str) -> pdfium.PdfDocument:
    """Build text as tmp_path/name.md, PDF only, and open the PDF."""
    source = tmp_path / f"{name}.md"
    source.write_text(text, encoding="utf-8")
    code, _, err = run_build(str(source), "--out", str(tmp_path), "--format", "pdf")
    assert code == 0, err
    return pdfium.PdfDocument(str(tmp_path / f"{name}.pdf"))


def test_a_table_has_three_rules_and_space_before_the_next_paragraph(tmp_path):
    pdf = built_pdf(tmp_path, "tables", BRIEF)
    page = pdf[0]
    scale = 2
    image = page.render(scale=scale).to_pil()
    text = page.get_textpage()

    def box(word: str):  # (left, top, right, bottom) in image pixels
        found = text.search(word, match_case=True, match_whole_word=True)
        index, count = found.get_next()
        l, b, r, t = text.get_charbox(index, loose=True)[0:4]
        l2, b2, r2, t2 = text.get_charbox(index + count - 1, loose=True)[0:4]
        height = page.get_height()
        return l * scale, (height - t) * scale, r2 * scale, (height - b) * scale

    river, flow, ravi, after = box("River"), box("Flow (MAF)"), box("Ravi"), box("Flows are")
    rules = [y for y in rule_rows(image, int(river[0]) + 1, int(flow[2]) - 1) if river[1] - 20 < y < ravi[3] + 30]
    assert len(rules) == 3, rules  # above the header, under it, below the last row
    assert rules[0] < river[1] < rules[1] < ravi[1] < rules[2]
    assert after[1] - rules[2] > 0.8 * (after[3] - after[1])  # at least most of a line of room after
    pdf.close()


def test_table_header_cells_carry_scope_so_pdfua_finds_nothing(tmp_path):
    import pikepdf

    from briefpress.check.validate import run_pdf_rules, run_pdfua

    source = tmp_path / "tables.md"
    source.write_text(BRIEF + "\n| Year | Flow |\n|---|---|\n| 1960 | 30 |\n", encoding="utf-8")
    code, _, err = run_build(str(source), "--out", str(tmp_path), "--format", "pdf")
    assert code == 0, err
    pdf_path = tmp_path / "tables.pdf"
    verdict = run_pdfua(pdf_path)
    assert verdict.passed, verdict.details
    assert run_pdf_rules(pdf_path).passed
    with pikepdf.open(pdf_path) as pdf:
        headers = [node for node in walk(pdf.Root.StructTreeRoot) if node.get("/S") == "/TH"]
        assert len(headers) == 5
        scopes = [
            str(node.get("/A", {}).get("/Scope", ""))
            if isinstance(node.get("/A"), pikepdf.Dictionary)
            else str(node.get("/A"))
            for node in headers
        ]
        assert all("Column" in s for s in scopes), scopes


def walk(node):
    """Every structure element under node."""
    import pikepdf

    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from walk(kid)


# A contract's clause quoted in a cell, a header row spanning the columns of a table that fits, and
# thirty columns of figures: what real manuscripts hold.
QUOTED = (
    "<table><thead><tr><th>Clause</th><th>Text</th><th>Party</th></tr></thead><tbody><tr><td>4.2</td>"
    "<td><blockquote><p>The Contractor shall indemnify and hold harmless the Employer against all claims "
    "arising out of the Works, including averyveryverylongunbreakablewordthatgoesonandonwithoutanyspace."
    "</p></blockquote></td><td>Contractor</td></tr></tbody></table>"
)
SPANNED = (
    '<table><thead><tr><th colspan="4">Trade between Pakistan and Afghanistan through the Torkham and Chaman '
    "crossings, by year and by direction of trade (USD million)</th></tr><tr><th>Year</th><th>Exports</th>"
    "<th>Imports</th><th>Total</th></tr></thead><tbody><tr><td>2021</td><td>1,203</td><td>745</td>"
    "<td>1,948</td></tr></tbody></table>"
)
FIGURES = "\n".join(
    [
        "| " + " | ".join(f"Y{2000 + i}" for i in range(30)) + " |",
        "|" + "|".join("---:" for _ in range(30)) + "|",
        *(
            "| " + " | ".join(f"{10_000 + 997 * (r * 30 + i) % 89_000:,}.{i % 10}" for i in range(30)) + " |"
            for r in range(4)
        ),
    ]
)
WIDE = f"---\ntitle: Tables\n---\n\n{QUOTED}\n\n{SPANNED}\n\nThirty columns:\n\n{FIGURES}\n\nAfter the wide table.\n"


def test_tables_stay_in_the_text_block_and_a_too_wide_one_turns_its_page(tmp_path):
    from lxml import html

    source = tmp_path / "wide.md"
    source.write_text(WIDE, encoding="utf-8")
    code, _, err = run_build(str(source), "--out", str(tmp_path), "--format", "pdf,html")
    assert code == 0, err
    page = html.fromstring((tmp_path / "wide.html").read_bytes())
    boxes = page.xpath("//div[contains(@class, 'table-scroll')]")
    assert [b.get("class") for b in boxes][1:] == ["table-scroll", "table-scroll table-landscape table-5pt"]
    assert boxes[1].find("table").get("class") is None, "a spanning header row that fits sets the table at the floor"
    pdf = pdfium.PdfDocument(str(tmp_path / "wide.pdf"))
    try:
        sizes = [pdf[i].get_size() for i in range(len(pdf))]
        assert [w > h for w, h in sizes] == [False, True, False], sizes  # a landscape page of its own
        mm = 72 / 25.4
        for index in range(len(pdf)):
            width = sizes[index][0]
            text = pdf[index].get_textpage()
            for i in range(text.count_chars()):
                if text.get_text_range(i, 1).strip():
                    left, _, right, _ = text.get_charbox(i)
                    assert 24 * mm - 1 <= left and right <= width - 24 * mm + 1, (index, text.get_text_range(i, 1))
        figures = pdf[1].get_textpage().get_text_range()
        for number in FIGURES.splitlines()[2].strip("| ").split(" | "):
            assert number in figures, f"{number} is broken between its digits"
        assert "After the wide table." in pdf[2].get_textpage().get_text_range()
    finally:
        pdf.close()


def test_the_page_turns_back_after_a_landscape_table_that_ends_the_body(tmp_path):
    source = tmp_path / "last.md"
    source.write_text(WIDE.replace("\nAfter the wide table.\n", "\n"), encoding="utf-8")
    code, _, err = run_build(str(source), "--out", str(tmp_path), "--format", "print")
    assert code == 0, err
    pdf = pdfium.PdfDocument(str(tmp_path / "last-print.pdf"))
    try:
        assert [w > h for w, h in (pdf[i].get_size() for i in range(len(pdf)))] == [False, True, False]
        assert "How to cite this brief" in pdf[2].get_textpage().get_text_range()
    finally:
        pdf.close()


# Pandoc sets a pipe table whose lines are long in columns as wide as the dashes under its header:
# one dash gives a column 1 % wide, whose text then broke after every character, numbers included.
NARROW = """---
title: Narrow
---

| Province | Note | Remarks on the year and the assembly's decisions in that year |
|-------------------|-|--------------------------------------------------|
| Punjab | rose 1,234,567.89 in 2017 to 31 911,77, then 4 512 300,10 and 17 000 000 | The assembly passed the revised estimates after a long debate. |
| Sindh | fell 12.5% to 98,765,432 | The government revised the outlays for water in the second half. |
"""


def test_a_number_in_the_text_of_a_narrow_cell_is_never_broken_between_its_digits(tmp_path):
    pdf = built_pdf(tmp_path, "narrow", NARROW)
    try:
        lines = pdf[0].get_textpage().get_text_range().splitlines()
        assert any(line.startswith("Province Note") for line in lines), f"a header broken in its word: {lines}"
        for number in ("1,234,567.89", "2017", "31 911,77", "4 512 300,10", "17 000 000", "12.5%", "98,765,432"):
            assert any(number in line for line in lines), f"{number} is broken between its digits: {lines}"
        text, width, mm = pdf[0].get_textpage(), pdf[0].get_size()[0], 72 / 25.4
        boxes = [text.get_charbox(i) for i in range(text.count_chars()) if text.get_text_range(i, 1).strip()]
        assert all(24 * mm - 1 <= left and right <= width - 24 * mm + 1 for left, _, right, _ in boxes)
    finally:
        pdf.close()


# Thirty columns of percentages with thousands: too wide for a turned page even at 5 pt. The stub
# column has one dash: pandoc gave it 1 % of the width, and its names broke after every letter.
PERCENTAGES = "\n".join(
    [
        "| Region | " + " | ".join(f"Change {2000 + i}" for i in range(29)) + " |",
        "|-|" + "|".join("-:" for _ in range(29)) + "|",
        *(
            f"| {name} | "
            + " | ".join(f"{10 + (r * 31 + i * 7) % 89},{i % 10}{r}0.{i % 10}%" for i in range(29))
            + " |"
            for r, name in enumerate(["Punjab", "Sindh", "Khyber Pakhtunkhwa", "Balochistan"])
        ),
    ]
)
SPLIT = f"---\ntitle: Growth\n---\n\nBefore the table.\n\n{PERCENTAGES}\n\n: Growth of revenue\n\nAfter the table.\n"


def test_a_table_too_wide_for_a_turned_page_is_set_in_parts_of_its_columns_in_the_pdf_only(tmp_path):
    """Each part repeats the first column and says which columns it shows; nothing leaves the text
    block, no number or name is broken, every cell is in the text; the web edition keeps it whole."""
    from lxml import html

    from briefpress.check.validate import run_pdf_rules, run_pdfua

    source = tmp_path / "split.md"
    source.write_text(SPLIT, encoding="utf-8")
    code, _, err = run_build(str(source), "--out", str(tmp_path), "--format", "pdf,html")
    assert code == 0, err
    notes = [line for line in err.splitlines() if "too wide for a turned page" in line]
    assert notes == [
        f"note: {source}:7: a table of 30 columns is too wide for a turned page even at 5 pt: the PDF editions "
        "set it in 2 parts, columns 1\u201316, 17\u201330, each part repeating column 1 (the EPUB and web edition "
        "keep it whole, scrolling sideways)"
    ]
    page = html.fromstring((tmp_path / "split.html").read_bytes())
    assert [len(row.xpath("th|td")) for row in page.xpath("//table//tr")] == [30] * 5
    pdf = pdfium.PdfDocument(str(tmp_path / "split.pdf"))
    try:
        width, height = pdf[1].get_size()
        assert width > height
        text = pdf[1].get_textpage()
        lines = text.get_text_range().splitlines()
        assert "Table 1. Growth of revenue (columns 1\u201316 of 30)" in lines
        assert "Table 1. Growth of revenue (columns 17\u201330 of 30)" in lines
        mm = 72 / 25.4
        for i in range(text.count_chars()):
            if text.get_text_range(i, 1).strip():
                left, _, right, _ = text.get_charbox(i)
                assert 24 * mm - 1 <= left and right <= width - 24 * mm + 1, text.get_text_range(i, 1)
        words = " ".join(lines).split()
        for row in PERCENTAGES.splitlines()[2:]:
            name, *numbers = row.strip("| ").split(" | ")
            assert sum(line.startswith(name + " ") for line in lines) == 2, f"{name} broken or not repeated"
            assert all(number in words for number in numbers), "a number is lost or broken between its digits"
        assert "Region" in words and all(f"{2000 + i}" in words for i in range(29))
    finally:
        pdf.close()
    assert run_pdfua(tmp_path / "split.pdf").passed and run_pdf_rules(tmp_path / "split.pdf").passed


def test_a_pack_sets_such_a_table_in_parts_too(tmp_path):
    (tmp_path / "split.md").write_text(SPLIT, encoding="utf-8")
    (tmp_path / "pack.yml").write_text("title: Growth pack\nbriefs:\n  - split.md\n", encoding="utf-8")
    code, _, err = run_build(
        "pack", str(tmp_path / "pack.yml"), "--out", str(tmp_path), "--format", "pdf", "--no-cache"
    )
    assert code == 0, err
    pdf = pdfium.PdfDocument(str(tmp_path / "pack.pdf"))
    try:
        turned = [i for i in range(len(pdf)) if pdf[i].get_size()[0] > pdf[i].get_size()[1]]
        assert len(turned) == 1
        page, text = pdf[turned[0]], pdf[turned[0]].get_textpage()
        lines = text.get_text_range().splitlines()
        assert [line for line in lines if "columns" in line] == [
            "Table 1. Growth of revenue (columns 1\u201316 of 30)",
            "Table 1. Growth of revenue (columns 17\u201330 of 30)",
        ]
        mm, width = 72 / 25.4, page.get_size()[0]
        boxes = [text.get_charbox(i) for i in range(text.count_chars()) if text.get_text_range(i, 1).strip()]
        assert all(24 * mm - 1 <= left and right <= width - 24 * mm + 1 for left, _, right, _ in boxes)
    finally:
        pdf.close()


# One dash under a header gave its column 1 % of a table's width: in a table set smaller (whose
# cells may break inside a word), "Allocation" then broke after every letter.
ONE_DASH = """| Province | Allocation | Remarks on the year and the assembly's decisions in that year |
|-------------------|-|--------------------------------------------------|
| Punjab | a | The assembly passed the revised estimates after a long debate in the house, 2017. |
| Sindh | b | The government revised the outlays for water in the second half of it, 2018. |
"""
LONGER = ONE_DASH.replace("house, 2017.", "house over the water accord and its terms, 2017.")


def test_a_header_over_a_one_dash_column_of_a_table_set_smaller_keeps_its_word_whole(tmp_path):
    from lxml import html

    source = tmp_path / "dash.md"
    source.write_text(f"---\ntitle: Dash\n---\n\n{ONE_DASH}\n{LONGER}", encoding="utf-8")
    code, _, err = run_build(str(source), "--out", str(tmp_path), "--format", "pdf,html")
    assert code == 0, err
    page = html.fromstring((tmp_path / "dash.html").read_bytes())
    assert [t.get("class") for t in page.iter("table")] == ["table-wide", "table-wider"]
    pdf = pdfium.PdfDocument(str(tmp_path / "dash.pdf"))
    try:
        lines = pdf[0].get_textpage().get_text_range().splitlines()
        assert sum("Allocation" in line.split() for line in lines) == 2, lines
    finally:
        pdf.close()


def test_the_digits_inside_a_word_are_not_a_number_kept_whole():
    """Y2000 or H2O is a word: only a number standing alone gets the span that never breaks."""
    from briefpress.compose.htmltree import number_spans

    lead, spans = number_spans("Y2000 rose 31 911,77 in 2017")
    assert lead == "Y2000 rose " and [span.text for span in spans] == ["31 911,77", "2017"]

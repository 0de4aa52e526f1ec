"""Page images: every page of both PDF editions, A4, against the committed goldens.

`pytest --update-golden` rewrites the pages of tests/golden/pages/ that differ, and fails naming
them; nothing else writes there. A failure writes
tests/output/pages-report.html with expected, actual and diff side by side.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

import pageimages
from conftest import BRIEFS, GOLDEN, ROOT, fail_if_updated, run_build
from pageimages import Report, compare_pages, rasterise, update_goldens

PAGES = GOLDEN / "pages"
OUTPUT = Path(__file__).resolve().parent / "output"
EDITIONS = {"pdf": "{stem}.pdf", "print": "{stem}-print.pdf"}


@pytest.fixture(scope="module")
def report() -> Report:
    """A fresh report for this run; it is written only when a page differs."""
    stale = Report(OUTPUT)
    stale.path.unlink(missing_ok=True)
    shutil.rmtree(OUTPUT / "pages", ignore_errors=True)
    return stale


def golden_pages(case: str) -> list[Image.Image]:
    return pageimages.golden_pages(PAGES, case)


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("name", BRIEFS)
def test_pages_match_the_goldens(built, update_golden, report, name, edition):
    case = f"{name}-{edition}"
    actual = rasterise(built[name] / EDITIONS[edition].format(stem=BRIEFS[name].stem))
    if update_golden:
        fail_if_updated(update_goldens(PAGES, case, actual))
    expected = golden_pages(case)
    assert expected, f"no goldens for {case}: run pytest --update-golden and review tests/golden/pages/"
    failed = []
    for number, comparison in enumerate(compare_pages(expected, actual), 1):
        if comparison.failed:
            failed.append(f"page {number}: {comparison.share:.2%} of pixels differ")
            report.add(
                case,
                number,
                expected[number - 1] if number <= len(expected) else None,
                actual[number - 1] if number <= len(actual) else None,
                comparison,
            )
    assert len(actual) == len(expected), f"{case}: {len(actual)} pages, golden has {len(expected)}"
    assert not failed, f"{case}: " + "; ".join(failed) + f" (see {report.path})"


def styles_copy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    """Copy the styles folder and make one edit in it; return the copy's brand.yml."""
    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", styles)
    target = styles / file
    text = target.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not found once in {file}"
    target.write_text(text.replace(old, new), encoding="utf-8")
    return styles / "brand.yml"


@pytest.mark.parametrize(
    "file, old, new",
    [
        ("pdf.css.j2", "margin: 20mm 24mm 26mm 24mm;", "margin: 20mm 24mm 26mm 25mm;"),  # left margin +1 mm
        ("brand.yml", 'claret: "#7A1F2B"', 'claret: "#1F3A7A"'),  # primary colour: titles, note calls
        ("brand.yml", 'gold: "#B07D2B"', 'gold: "#2B8A5A"'),  # tertiary colour: the hairline rules only
    ],
    ids=["margin-1mm", "primary-colour", "rule-colour"],
)
def test_the_comparison_catches_a_style_change(tmp_path, file, old, new):
    brand = styles_copy(tmp_path, file, old, new)
    code, _, err = run_build(
        str(BRIEFS["minimal"]), "--format", "pdf", "--brand", str(brand), "--out", str(tmp_path / "out")
    )
    assert code == 0, err
    expected = golden_pages("minimal-pdf")
    assert expected, "no goldens to compare with: run pytest --update-golden"
    comparisons = compare_pages(expected, rasterise(tmp_path / "out" / "minimal.pdf"))
    assert any(c.failed for c in comparisons), "a changed style passed the page-image comparison"


def test_an_unchanged_copy_of_the_styles_passes(tmp_path):
    brand = styles_copy(tmp_path, "brand.yml", "foreground: ink", "foreground: ink")
    code, _, err = run_build(
        str(BRIEFS["minimal"]), "--format", "pdf", "--brand", str(brand), "--out", str(tmp_path / "out")
    )
    assert code == 0, err
    comparisons = compare_pages(golden_pages("minimal-pdf"), rasterise(tmp_path / "out" / "minimal.pdf"))
    assert comparisons and not any(c.failed for c in comparisons)

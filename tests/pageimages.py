"""Rasterise PDF pages, compare them with golden PNGs and report differences as one HTML page."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
from PIL import Image, ImageChops

DPI = 50  # enough to see a 1 mm shift (2 px) while keeping the goldens small
TOLERANCE = 16  # a pixel differs when a channel moves by more than this (of 255)
MAX_SHARE = 0.0005  # a page fails when more than this share of its pixels differ (about 120 px)


def rasterise(pdf: Path, dpi: int = DPI) -> list[Image.Image]:
    """Every page of a PDF as an RGB image."""
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


@dataclass(frozen=True)
class Comparison:
    share: float  # share of pixels that differ beyond the tolerance; 1.0 when sizes differ
    diff: Image.Image

    @property
    def failed(self) -> bool:
        return self.share > MAX_SHARE


def compare(expected: Image.Image, actual: Image.Image) -> Comparison:
    """Per-pixel comparison with a tolerance; the diff shows differing pixels in red."""
    if expected.size != actual.size:
        return Comparison(1.0, actual.copy())
    delta = ImageChops.difference(expected, actual)
    red, green, blue = delta.split()
    worst = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    mask = worst.point(lambda v: 255 if v > TOLERANCE else 0)
    differing = mask.histogram()[255]
    faded = Image.blend(expected.convert("L").convert("RGB"), Image.new("RGB", expected.size, "white"), 0.7)
    faded.paste((220, 0, 0), mask=mask)
    return Comparison(differing / (expected.width * expected.height), faded)


def compare_pages(expected: list[Image.Image], actual: list[Image.Image]) -> list[Comparison]:
    """Compare page by page; a missing or extra page counts as wholly different."""
    blank = Image.new("RGB", (1, 1), "white")
    count = max(len(expected), len(actual))
    return [
        compare(expected[i] if i < len(expected) else blank, actual[i] if i < len(actual) else blank)
        for i in range(count)
    ]


def golden_pages(folder: Path, case: str) -> list[Image.Image]:
    """The golden images of one case, page 1 first."""
    files = sorted(folder.glob(f"{case}-p*.png"), key=lambda p: int(p.stem.rsplit("-p", 1)[1]))
    return [Image.open(path).convert("RGB") for path in files]


def update_goldens(folder: Path, case: str, actual: list[Image.Image]) -> list[str]:
    """Rewrite a case's golden pages if they differ beyond the tolerance; return the files written
    (none when every page still matches, so an update makes no churn)."""
    expected = golden_pages(folder, case)
    if len(expected) == len(actual) and not any(c.failed for c in compare_pages(expected, actual)):
        return []
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{case}-p*.png"):
        old.unlink()
    names = []
    for number, page in enumerate(actual, 1):
        page.save(folder / f"{case}-p{number}.png", optimize=True)
        names.append(f"{folder.name}/{case}-p{number}.png")
    return names


class Report:
    """One HTML page with expected, actual and diff side by side for every failing page."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.rows: list[str] = []

    @property
    def path(self) -> Path:
        return self.folder / "pages-report.html"

    def add(
        self, case: str, page: int, expected: Image.Image | None, actual: Image.Image | None, comparison: Comparison
    ) -> None:
        images = self.folder / "pages"
        images.mkdir(parents=True, exist_ok=True)
        cells = []
        for label, image in (("expected", expected), ("actual", actual), ("diff", comparison.diff)):
            if image is None:
                cells.append(f"<td>no {label} page</td>")
                continue
            name = f"{case}-p{page}-{label}.png"
            image.save(images / name)
            cells.append(f'<td><img src="pages/{html.escape(name)}" alt="{label}"/></td>')
        self.rows.append(
            f"<tr><th>{html.escape(case)} page {page}<br/>{comparison.share:.2%} differ</th>" + "".join(cells) + "</tr>"
        )
        self.write()

    def write(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path.write_text(
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"/><title>Page image differences</title>'
            "<style>td, th { vertical-align: top; padding: 4px; } img { border: 1px solid #999; }</style></head>"
            f"<body><h1>Page image differences</h1><p>Tolerance {TOLERANCE}/255 per channel, "
            f"at most {MAX_SHARE:.2%} of pixels may differ. Update with <code>pytest --update-golden</code>.</p>"
            "<table><tr><th></th><th>expected</th><th>actual</th><th>diff</th></tr>\n"
            + "\n".join(self.rows)
            + "\n</table></body></html>\n",
            encoding="utf-8",
        )

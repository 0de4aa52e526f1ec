"""Impose the print pack as a saddle-stitched booklet with pikepdf (MPL): each page a form XObject
placed on a landscape sheet, two pages a side, in booklet order.

Page operations do not keep the structure tree, so the booklet is not tagged: it is a print
artefact, and the pack PDF is the accessible edition.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf

from briefpress.errors import NOTE, BuildWarning, report
from briefpress.records import BookletOptions

MM = 72 / 25.4  # PDF points in a millimetre
SHEETS = {"a4": (297 * MM, 210 * MM), "a3": (420 * MM, 297 * MM)}  # landscape: width, height
PAPER_MM = 0.1  # the thickness of office paper, for the default creep


@dataclass(frozen=True)
class Placement:
    """One page on one side of a sheet: its index in the padded order (None: a blank), the half it
    goes on, and how far it moves towards the spine (points)."""

    page: int | None
    right_half: bool
    creep: float


@dataclass(frozen=True)
class Side:
    sheet: int  # 0: the outermost sheet
    back: bool
    placements: tuple[Placement, Placement]


def booklet_order(pages: int) -> list[int | None]:
    """The pages padded with blanks to a multiple of 4: the blanks go before the back cover, never after it."""
    padded = -(-pages // 4) * 4
    return [*range(pages - 1), *([None] * (padded - pages)), pages - 1]


def booklet_sides(pages: int, *, right_to_left: bool = False, creep_mm: float | None = None) -> list[Side]:
    """Every sheet side in printing order. Left to right, sheet 1's front has the last page on the
    left and page 1 on the right, its back page 2 on the left and the second-to-last on the right;
    a right-to-left booklet (bound on its right) has each pair the other way round."""
    order = booklet_order(pages)
    count, sheets = len(order), len(order) // 4
    innermost = creep_of(sheets, creep_mm)
    sides = []
    for s in range(sheets):
        shift = innermost * s / (sheets - 1) if sheets > 1 else 0.0
        front = (order[count - 1 - 2 * s], order[2 * s])
        back = (order[2 * s + 1], order[count - 2 - 2 * s])
        for is_back, (left, right) in ((False, front), (True, back)):
            if right_to_left:
                left, right = right, left
            sides.append(Side(s, is_back, (Placement(left, False, shift), Placement(right, True, shift))))
    return sides


def creep_of(sheets: int, creep_mm: float | None) -> float:
    """How far the innermost sheet's pages move towards the spine, in points: given, or one paper
    thickness per sheet outside it (folded sheets push the inner ones out at the fore-edge)."""
    return (creep_mm if creep_mm is not None else PAPER_MM * max(sheets - 1, 0)) * MM


def impose_booklet(data: bytes, options: BookletOptions, *, right_to_left: bool = False) -> bytes:
    """The PDF's pages imposed two to a landscape sheet side, in booklet order. With long-edge duplex
    (the default) each back side is turned upside down, so that it comes out the right way up."""
    with pikepdf.open(io.BytesIO(data)) as source, pikepdf.new() as out:
        forms = [out.copy_foreign(page.as_form_xobject()) for page in source.pages]
        width, height = SHEETS[options.sheet]
        page_box = [float(v) for v in source.pages[0].mediabox]
        scale = min(width / 2 / (page_box[2] - page_box[0]), height / (page_box[3] - page_box[1]))
        sides = booklet_sides(len(forms), right_to_left=right_to_left, creep_mm=options.creep_mm)
        for side in sides:
            page = out.add_blank_page(page_size=(width, height))
            names: dict[str, pikepdf.Object] = {}
            ops = [b"q"]
            if side.back and not options.short_edge:
                ops.append(f"-1 0 0 -1 {width:.3f} {height:.3f} cm".encode())
            for placement in side.placements:
                if placement.page is None:
                    continue
                name = f"/P{placement.page + 1}"
                names[name] = forms[placement.page]
                ops.append(place(placement, forms[placement.page], name, scale, width, height))
            if options.marks:
                ops.append(marks(width, height, creep_of(len(sides) // 2, options.creep_mm)))
            ops.append(b"Q")
            page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(names))
            page.obj.Contents = out.make_stream(b"\n".join(ops))
        out.docinfo["/Title"] = source.docinfo.get("/Title", "")
        if "/Lang" in source.Root:
            out.Root.Lang = source.Root.Lang
        buffer = io.BytesIO()
        # The pages' streams are compressed already: kept as they are (decoding them again took most of the time).
        out.save(
            buffer, deterministic_id=True, compress_streams=True, stream_decode_level=pikepdf.StreamDecodeLevel.none
        )
    report_imposition(len(forms), len(sides) // 2, scale, options)
    return buffer.getvalue()


def place(placement: Placement, form, name: str, scale: float, width: float, height: float) -> bytes:
    """Draw the page scaled into its half, against the spine, moved towards it by the creep; clipped to the half."""
    x0, y0, x1, y1 = (float(v) for v in form.BBox)
    drawn_w, drawn_h = (x1 - x0) * scale, (y1 - y0) * scale
    half = width / 2
    if placement.right_half:
        left = half - placement.creep
        clip = f"{half:.3f} 0 {half:.3f} {height:.3f} re W n"
    else:
        left = half - drawn_w + placement.creep
        clip = f"0 0 {half:.3f} {height:.3f} re W n"
    bottom = (height - drawn_h) / 2
    move = f"{scale:.5f} 0 0 {scale:.5f} {left - x0 * scale:.3f} {bottom - y0 * scale:.3f} cm"
    return f"q {clip} {move} {name} Do Q".encode()


def marks(width: float, height: float, creep: float) -> bytes:
    """A dashed fold line's ends at the spine, and the trim of the fore-edges (inside by the innermost creep)."""
    length = 5 * MM
    half = width / 2
    lines = [
        f"[2 2] 0 d {half:.3f} 0 m {half:.3f} {length:.3f} l S",
        f"{half:.3f} {height - length:.3f} m {half:.3f} {height:.3f} l S",
        "[] 0 d",
    ]
    for x in (creep, width - creep):
        lines += [f"{x:.3f} 0 m {x:.3f} {length:.3f} l S", f"{x:.3f} {height - length:.3f} m {x:.3f} {height:.3f} l S"]
    return ("q 0.25 w 0 G " + " ".join(lines) + " Q").encode()


def report_imposition(pages: int, sheets: int, scale: float, options: BookletOptions) -> None:
    """Say what the booklet is: its sheets, the scale of its pages and the creep."""
    blanks = sheets * 4 - pages
    innermost = creep_of(sheets, options.creep_mm) / MM
    duplex = "short edge" if options.short_edge else "long edge"
    what = (
        f"booklet: {pages} pages{f' and {blanks} blank(s) before the back cover' if blanks else ''} on {sheets} "
        f"{options.sheet.upper()} sheet(s), pages at {scale * 100:.1f} %, creep {innermost:.1f} mm at the "
        f"innermost sheet; print double-sided, flip on the {duplex}"
    )
    report(BuildWarning(None, None, what), NOTE)

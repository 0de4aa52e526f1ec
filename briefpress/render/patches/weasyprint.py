"""Patches to WeasyPrint 70.0 (entered around each render by render/pdf.py's `patched`). The
replacements themselves are briefpress's own code in render/pdf.py; here is only what puts them
in WeasyPrint's place, and takes them out again; and `confined_fonts`, which sets up one
FontConfiguration object (render/pdf.py `WarmSetUp`), changing nothing else."""

from __future__ import annotations

import contextlib
import functools
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import weasyprint.draw.text as weasy_text
import weasyprint.layout.inline as weasy_inline
import weasyprint.layout.preferred as weasy_preferred
from weasyprint.text.ffi import ffi, fontconfig, pangoft2
from weasyprint.text.fonts import FontConfiguration

from briefpress.render.patches import Patch, speed_patch

PATCHES = (
    Patch(
        "weasyprint",
        "weasyprint.draw.text:draw_first_line",
        "draw_first_line_replaced",
        "Kozea/WeasyPrint#2841 (open; bench/upstream/weasyprint-tounicode-clusters.md)",
        "1bb8eae6d88e71b1",
    ),
    Patch(
        "weasyprint",
        "weasyprint.text.line_break:split_first_line",
        "split_first_line_wrapped",
        "trailing space counted in a run's width: bench/upstream/weasyprint-hanging-trailing-space.md (draft); "
        "and remembered line breaks for the preview (speed, no upstream issue)",
        "39ad1016863ca34d",
    ),
    Patch(
        "weasyprint",
        "weasyprint.layout.inline:add_word_spacing",
        "add_word_spacing_wrapped",
        "bench/upstream/weasyprint-justified-rtl.md (draft)",
        "879516e71f1b80fa",
    ),
    # confined_fonts sets the two attributes __init__ makes and add_font_face reads.
    Patch(
        "weasyprint",
        "weasyprint.text.fonts:FontConfiguration.__init__",
        "confined_fonts",
        "none: no parameter for a configuration without the machine's fonts, nor for the fonts' folder",
        "9fdb532fe2c80013",
    ),
    Patch(
        "weasyprint",
        "weasyprint.text.fonts:FontConfiguration.add_font_face",
        "confined_fonts",
        "none: no parameter for a configuration without the machine's fonts, nor for the fonts' folder",
        "e4fcfcc36ed8c310",
    ),
)


@contextlib.contextmanager
def draw_first_line_replaced(draw: Callable) -> Iterator[None]:
    """Draw each line with `draw` (pdf.draw_first_line_with_actual_text) instead of WeasyPrint's
    draw_first_line, which it calls: WeasyPrint's ToUnicode map keeps one text per glyph, so the
    clusters of Nastaliq, Devanagari or a ligature lose their text (Kozea/WeasyPrint#2841, open;
    written for WeasyPrint 70.0, whose draw_first_line upstream has since rewritten)."""
    original = weasy_text.draw_first_line
    weasy_text.draw_first_line = draw
    try:
        yield
    finally:
        weasy_text.draw_first_line = original


@contextlib.contextmanager
def split_first_line_wrapped(wrap: Callable[[Callable], Callable], *, preferred: bool = False) -> Iterator[None]:
    """Break lines with wrap(split_first_line), in inline layout (and, with preferred, in the
    content widths too). Used twice, written for WeasyPrint 70.0: pdf.hang_trailing_spaces (a
    run's trailing space counted in its width, CSS Text 3 4.1.3: bench/upstream/
    weasyprint-hanging-trailing-space.md) and pdf.RememberedLines.wrap (the preview's line
    breaks kept between saves; speed)."""
    inline, widths = weasy_inline.split_first_line, weasy_preferred.split_first_line
    weasy_inline.split_first_line = wrap(inline)
    if preferred:
        weasy_preferred.split_first_line = wrap(widths)
    try:
        yield
    finally:
        weasy_inline.split_first_line, weasy_preferred.split_first_line = inline, widths


@speed_patch("weasyprint.split_first_line_wrapped")
def split_first_line_remembered(wrap: Callable[[Callable], Callable]) -> contextlib.AbstractContextManager:
    """split_first_line_wrapped(wrap, preferred=True) for pdf.RememberedLines, its speed use (the
    one BRIEFPRESS_WITHOUT_PATCHES=weasyprint.split_first_line_wrapped leaves out)."""
    return split_first_line_wrapped(wrap, preferred=True)


@contextlib.contextmanager
def add_word_spacing_wrapped(wrap: Callable[[Callable], Callable]) -> Iterator[None]:
    """Justify with wrap(add_word_spacing) (pdf.move_words_apart): WeasyPrint 70.0 justifies a
    right-to-left line with a letter-spacing attribute on each space, which shapes each space
    apart, in the wrong face (bench/upstream/weasyprint-justified-rtl.md, drafted)."""
    original = weasy_inline.add_word_spacing
    weasy_inline.add_word_spacing = wrap(original)
    try:
        yield
    finally:
        weasy_inline.add_word_spacing = original


@functools.cache
def declare_fc_config_create() -> None:
    """WeasyPrint's FFI declares only FcInitLoadConfigAndFonts; declared once, when first needed."""
    ffi.cdef("FcConfig * FcConfigCreate (void);")


def confined_fonts(folder: Path | None) -> FontConfiguration:
    """A FontConfiguration with only the fonts its @font-face rules add, copied into a folder made
    in `folder` (None: the temporary folder), so that no page depends on the fonts a machine has
    and no copy outlives the build that removes `folder`. Written for WeasyPrint 70.0, which has
    no parameter for either (no upstream issue): its __init__ loads the machine's configuration
    into `_config`, and add_font_face copies each font into `_folder`, made with mkdtemp() in the
    temporary folder on the first font and removed only when the object is garbage-collected
    (never, in a forked worker that leaves through os._exit). Here `_config` is replaced by an
    empty configuration and `_folder` made beforehand; only this object changes. A character that
    no brand font covers shows as the missing-glyph box (render/fonts/fit.py has warned about it)."""
    declare_fc_config_create()
    fonts = FontConfiguration()
    fonts._config = fontconfig.FcConfigCreate()
    pangoft2.pango_fc_font_map_set_config(ffi.cast("PangoFcFontMap *", fonts.font_map), fonts._config)
    fontconfig.FcConfigDestroy(fonts._config)  # the font map keeps its own reference, as __init__'s
    fonts._folder = Path(tempfile.mkdtemp(prefix="weasyprint-", dir=folder))
    return fonts

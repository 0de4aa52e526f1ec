"""Write PDF editions with WeasyPrint. The only module that uses weasyprint (and pydyf, its PDF writer, and
pyphen, its hyphenation)."""

from __future__ import annotations

import array
import contextlib
import contextvars
import copy
import gc
import io
import logging
import operator
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from briefpress.compose.limits import MAX_PAGES, SPLIT
from briefpress.errors import BriefError, Superseded, raise_all
from briefpress.kept import code_stamps, kept_object
from briefpress.records import PdfAttachment, RenderProblem, Stylesheet
from briefpress.render.patches import check_versions
from briefpress.render.patches.cffi import simple_types_built
from briefpress.render.patches.ctypes_util import sonames_only
from briefpress.render.patches.fonttools import fallbacks_deferred
from briefpress.scratch import scratch_path

with sonames_only(), fallbacks_deferred():
    import pydyf
    import pyphen
    import weasyprint.draw.text as weasy_text
    import weasyprint.layout.inline as weasy_inline
    from weasyprint import CSS, HTML, Attachment
    from weasyprint.formatting_structure.boxes import TextBox
    from weasyprint.text.ffi import TO_UNITS, ffi, pango
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    from briefpress.render.patches import weasyprint as weasyprint_patches  # it imports WeasyPrint's modules
    from briefpress.render.patches.pydyf import page_references_kept


NO_GLYPH = pango.PANGO_GLYPH_EMPTY  # this id and those above it: empty, unknown (flagged) or invalid
assert NO_GLYPH < pango.PANGO_GLYPH_UNKNOWN_FLAG
GLYPH_INFO_WORDS = ffi.sizeof("PangoGlyphInfo") // 4  # glyph id first, then geometry and attributes
assert ffi.sizeof("PangoGlyphInfo") % 4 == 0 and ffi.offsetof("PangoGlyphInfo", "glyph") == 0


def glyph_ids(glyph_string, count: int) -> array.array:
    """The glyph ids of a Pango glyph string, read from its memory at once (a cdata per glyph is slow)."""
    words = array.array("I")
    words.frombytes(ffi.buffer(glyph_string.glyphs, count * GLYPH_INFO_WORDS * 4))
    return words[::GLYPH_INFO_WORDS]


class Cluster(NamedTuple):
    """One glyph cluster of a line as WeasyPrint draws it: its font, the ids of its drawn glyphs
    (left to right), and where its text is in the UTF-8 of the line's layout."""

    font: Any  # weasyprint.pdf.fonts.Font
    glyphs: tuple[int, ...]
    start: int
    stop: int
    unknown: bool  # a missing glyph, which WeasyPrint maps itself


def line_runs(stream, textbox) -> Iterator[tuple[bool, list[Cluster]]]:
    """The clusters of each run of a text box's first line, in the order draw_first_line draws them."""
    first_line, _ = textbox.pango_layout.get_first_line()
    run = first_line.runs[0]
    while run != ffi.NULL:
        item, glyph_string = run.data.item, run.data.glyphs
        run = run.next
        font, _ = stream.add_font(item.analysis.font)  # the Font draw_first_line gets, made in the same order
        count, offsets, rtl = glyph_string.num_glyphs, glyph_string.log_clusters, item.analysis.level % 2
        clusters, first = [], 0
        while first < count:
            end = first
            while end < count and offsets[end] == offsets[first]:
                end += 1
            if rtl:  # drawn left to right: a cluster's text ends where the one drawn before it starts
                stop = item.length if first == 0 else offsets[first - 1]
            else:
                stop = item.length if end == count else offsets[end]
            ids = [glyph_string.glyphs[i].glyph for i in range(first, end)]
            ids = [i for i in ids if i != pango.PANGO_GLYPH_EMPTY]  # drawn as a move only
            unknown = any(i & pango.PANGO_GLYPH_UNKNOWN_FLAG for i in ids)
            clusters.append(Cluster(font, tuple(ids), item.offset + offsets[first], item.offset + stop, unknown))
            first = end
        yield bool(rtl), clusters


class ActualTextStream:
    """The stream draw_first_line writes one line to. Each word whose glyphs the font's ToUnicode
    map cannot carry is wrapped in a /Span with its /ActualText (ISO 32000-1, 14.9.4).

    WeasyPrint 70 maps each glyph to the text from its cluster to the next glyph's, first drawn
    first served: in a cluster of several glyphs (Noto Nastaliq draws a dotted letter as its body
    and its dots) all glyphs but one get no text, and a glyph shared by several letters keeps the
    first one's. Here the first glyph of a cluster gets the cluster's text and the others none, a
    glyph keeps the first text it is drawn alone with, and a word with any other cluster gets its
    text from ActualText. A word, not a cluster: a reader gives the span's text the box of its
    first glyphs, and Nastaliq sets the letters of a word at many heights, which would break a
    word into lines. A right-to-left word's span has its text reversed: pdfium and poppler lay a
    span's text over its glyphs left to right, then reorder the line. A line whose clusters the
    map carries (all Latin text) is written byte for byte as before.
    See bench/upstream/weasyprint-tounicode-clusters.md."""

    def __init__(self, stream, textbox):
        self.stream, self.textbox = stream, textbox
        self.plan: list[tuple[str | None, bool, int]] = []  # per drawn glyph: span text, span ends, hex digits
        self.mapping: dict[tuple[int, int], tuple[Any, str]] = {}
        self.drawn = 0
        self.fonts: dict[int, tuple[Any, float]] = {}  # the line's Pango fonts, alive while it is drawn

    def __getattr__(self, name):
        return getattr(self.stream, name)

    def known(self, font, glyph: int) -> str | None:
        kept = self.mapping.get((id(font), glyph))
        return kept[1] if kept else font.to_unicode.get(glyph)

    def carried(self, cluster: Cluster, text: str) -> bool:
        """Map the cluster's glyphs; True when the ToUnicode map then gives its text."""
        if cluster.unknown:
            return True
        for index, glyph in enumerate(cluster.glyphs):
            if self.known(cluster.font, glyph) is None:
                self.mapping[(id(cluster.font), glyph)] = (cluster.font, "" if index else text)
        if len(cluster.glyphs) > 1:  # the glyphs after the first have no text of their own
            return False
        return not cluster.glyphs or self.known(cluster.font, cluster.glyphs[0]) == text

    def set_text_matrix(self, *values):
        """Plan the line: draw_first_line has laid it out (ellipsis included) and draws it next."""
        utf8 = self.textbox.pango_layout.text.encode()
        if not self.mapped_as_drawn(utf8):
            self.plan_spans(utf8)
        self.stream.set_text_matrix(*values)

    def mapped_as_drawn(self, utf8: bytes) -> bool:
        """True when WeasyPrint's own map carries the line, so it needs no plan (most lines of a
        Latin brief, checked at well under half a plan's cost): left to right, one glyph per cluster,
        no empty or missing glyph, and every glyph either unmapped yet or mapped to its text."""
        first_line, _ = self.textbox.pango_layout.get_first_line()
        drawn: dict[int, tuple[Any, set[tuple[int, str]]]] = {}  # per font: its (glyph, text) pairs in the line
        run = first_line.runs[0]
        while run != ffi.NULL:
            item, glyph_string = run.data.item, run.data.glyphs
            run = run.next
            count = glyph_string.num_glyphs
            if item.analysis.level % 2 or not count:
                return False
            offsets = ffi.unpack(glyph_string.log_clusters, count)
            ends = [*offsets[1:], item.length]
            if not all(map(operator.lt, offsets, ends)):  # a cluster of several glyphs
                return False
            glyphs = glyph_ids(glyph_string, count)
            if max(glyphs) >= NO_GLYPH:
                return False
            font, _ = self.add_font(item.analysis.font)
            first, last = item.offset + offsets[0], item.offset + item.length
            if last - first == count:  # a cluster per byte: all ASCII
                texts: Iterable[str] = map(chr, utf8[first:last])
            else:
                start = item.offset
                texts = [utf8[start + a : start + b].decode() for a, b in zip(offsets, ends, strict=True)]
            drawn.setdefault(id(font), (font, set()))[1].update(zip(glyphs, texts))
        for font, pairs in drawn.values():  # each glyph has one text in the line, and the map's if it has one
            if len({glyph for glyph, _ in pairs}) != len(pairs):
                return False
            mapped = font.to_unicode
            if any(mapped.get(glyph, text) != text for glyph, text in pairs):
                return False
        return True

    def add_font(self, pango_font):
        """The stream's add_font, as draw_first_line calls it, asked once per font of the line
        (WeasyPrint describes and hashes the Pango font each time)."""
        address = int(ffi.cast("uintptr_t", pango_font))
        if address not in self.fonts:
            self.fonts[address] = self.stream.add_font(pango_font)
        return self.fonts[address]

    def plan_spans(self, utf8: bytes) -> None:
        for rtl, clusters in line_runs(self.stream, self.textbox):
            pieces: list[tuple[list[Cluster], str | None]] = []  # words and spaces, each with its span's text
            word: list[Cluster] = []
            for cluster in [*clusters, None]:
                text = utf8[cluster.start : cluster.stop].decode() if cluster else " "
                if cluster and not text.isspace():
                    word.append(cluster)
                    continue
                if word:
                    pieces.append(self.word_piece(word, utf8))
                word = []
                if cluster:
                    pieces.append(([cluster], None if self.carried(cluster, text) else text))
            for word, actual in pieces:
                if actual and rtl:  # readers lay a span's text over its glyphs left to right, then reorder the line
                    actual = actual[::-1]
                self.plan.extend(self.glyph_plan(word, actual))

    @staticmethod
    def text_of(word: list[Cluster], utf8: bytes) -> str:
        return utf8[min(c.start for c in word) : max(c.stop for c in word)].decode()

    def word_piece(self, word: list[Cluster], utf8: bytes) -> tuple[list[Cluster], str | None]:
        texts = [utf8[c.start : c.stop].decode() for c in word]
        carried = [self.carried(c, t) for c, t in zip(word, texts, strict=True)]
        return word, None if all(carried) else self.text_of(word, utf8)

    @staticmethod
    def glyph_plan(clusters: list[Cluster], actual: str | None) -> list[tuple[str | None, bool, int]]:
        glyphs = [(c.font, g) for c in clusters for g in c.glyphs]
        return [
            (actual if i == 0 else None, actual is not None and i == len(glyphs) - 1, 2 if font.bitmap else 4)
            for i, (font, _) in enumerate(glyphs)
        ]

    def show_text(self, string: str) -> None:
        if all(text is None for text, _, _ in self.plan):
            self.stream.show_text(string)
            return
        parts: list[str] = []
        for token in TJ_TOKEN.findall(string):
            if not token.startswith("<") or token == "<>":  # a move, or the empty group between two
                parts.append(token)
                continue
            digits, group = token[1:-1], ""
            while digits:
                text, ends, width = self.plan[self.drawn]
                self.drawn += 1
                if text is not None:
                    # The moves after the last glyphs go in with the span's glyphs: pdfium drops
                    # a move that ends a TJ, and drew the rest of the line that much to the left.
                    parts = parts + ([f"<{group}>"] if group else [])
                    glyphs_end = next(
                        (i + 1 for i in reversed(range(len(parts))) if parts[i].startswith("<") and parts[i] != "<>"), 0
                    )
                    self.flush(parts[:glyphs_end])
                    parts, group = parts[glyphs_end:], ""
                    actual = pydyf.Dictionary({"ActualText": pydyf.String(text)})
                    self.stream.begin_marked_content("Span", actual)
                group, digits = group + digits[:width], digits[width:]
                if ends:
                    self.flush([*parts, f"<{group}>"])
                    parts, group = [], ""
                    self.stream.end_marked_content()
            if group:
                parts.append(f"<{group}>")
        self.flush(parts)

    def flush(self, parts: list[str]) -> None:
        if parts:
            self.stream.show_text("".join(parts))

    def keep_mapping(self) -> None:
        """Give the glyphs drawn the text planned for them (WeasyPrint has added their entries)."""
        for (_, glyph), (font, text) in self.mapping.items():
            font.to_unicode[glyph] = text


TJ_TOKEN = re.compile(r"<[0-9a-f]*>|[^<>]+")  # draw_first_line's TJ strings: <glyph ids> and moves


# What gives up the render running in this context when it returns true (render_pdf's stale); a
# render outside render_pdf (WeasyPrint called by a test) runs to its end.
STALE: contextvars.ContextVar[Callable[[], bool] | None] = contextvars.ContextVar("briefpress_stale", default=None)


def give_up_if_stale() -> None:
    """Raise Superseded when the running render is stale: called at every line laid out or drawn."""
    stale = STALE.get()
    if stale is not None and stale():
        raise Superseded


def draw_first_line_with_actual_text(stream, textbox, text_overflow, block_ellipsis, matrix):
    """WeasyPrint's draw_first_line, drawing into an ActualTextStream (a justified right-to-left
    line with its spaces widened first: see words_moved_apart). A draft's lines are drawn so too:
    pdfium (Chromium's viewer) drops the moves that end WeasyPrint's own TJ strings, which set
    Nastaliq's words too close together; ActualTextStream moves them inside its spans."""
    give_up_if_stale()
    widen_spaces(textbox)
    line = ActualTextStream(stream, textbox)
    emojis = UNPATCHED_DRAW_FIRST_LINE(line, textbox, text_overflow, block_ellipsis, matrix)
    line.keep_mapping()
    return emojis


UNPATCHED_DRAW_FIRST_LINE = weasy_text.draw_first_line


SPACES = (b" ", "\u00a0".encode())  # what WeasyPrint's justification widens (count_expandable_spaces)


def widen_spaces(textbox) -> None:
    """Give each space of a justified right-to-left line the width justification adds to it, in
    the glyphs of the line as shaped whole (words_moved_apart marks the lines drawn so)."""
    spacing = getattr(textbox.pango_layout, "moved_apart", 0)
    if not spacing:
        return
    # draw_first_line sets single-paragraph mode too: set here, so that it lays out nothing again.
    pango.pango_layout_set_single_paragraph_mode(textbox.pango_layout.layout, True)
    first_line, _ = textbox.pango_layout.get_first_line()
    utf8, extra = textbox.pango_layout.text.encode(), round(spacing * TO_UNITS)
    run = first_line.runs[0]
    while run != ffi.NULL:
        item, glyphs = run.data.item, run.data.glyphs
        run = run.next
        for i in range(glyphs.num_glyphs):
            start = item.offset + glyphs.log_clusters[i]
            if any(utf8.startswith(space, start) for space in SPACES):
                glyphs.glyphs[i].geometry.width += extra


def move_words_apart(original: Callable) -> Callable:
    """Justify a right-to-left line by moving its words apart, not by shaping it again in pieces.

    WeasyPrint 70 justifies a line with a letter-spacing attribute on each space, which makes Pango
    shape each space as an item of its own; in the Urdu brief such a space came out in the body's
    Latin face, whose space is wider than the line's own (Source Serif's 0.23 em against Noto
    Nastaliq's 0.13 em; bench/upstream/weasyprint-justified-rtl.md). WeasyPrint counts only the
    spacing it adds, so a justified Urdu line was drawn up to 8.6 mm wider than its box, past the
    text block on the side the line starts.
    Here a right-to-left text box keeps the shaping of the whole line and widen_spaces gives each
    of its spaces the width justification adds: the line is drawn as wide as WeasyPrint made its
    box. A left-to-right line is justified as before, so Latin PDFs keep their bytes."""

    def add_word_spacing(context, box, justification_spacing, x_advance):
        x_advance = original(context, box, justification_spacing, x_advance)
        rtl = isinstance(box, TextBox) and box.style["direction"] == "rtl"
        if rtl and justification_spacing and weasy_inline.count_expandable_spaces(box):  # a layout of its own
            layout = box.pango_layout
            layout.justification_spacing, layout.moved_apart = 0, justification_spacing
        return x_advance

    return add_word_spacing


def words_moved_apart():
    """While inside, WeasyPrint justifies through move_words_apart."""
    return weasyprint_patches.add_word_spacing_wrapped(move_words_apart)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while WeasyPrint lays out and writes a document.

    A layout allocates millions of small objects that live until the end; the collector walks
    them again and again (5.9 s of a 42 s render of 188 pages) and frees almost nothing. The
    objects are freed by reference counting when the render ends, and the collector runs again
    from then on; the bytes are the same."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class ConfinedFetcher(URLFetcher):
    """Fetch data: URLs and files under the allowed folders; refuse everything else."""

    def __init__(self, roots: tuple[Path, ...]):
        super().__init__(fail_on_errors=True, allowed_protocols=("file", "data"))
        self.roots = tuple(root.resolve() for root in roots)

    def fetch(self, url, headers=None):
        if url.startswith("file:"):
            path = Path(_url_path(url)).resolve()
            if not any(path.is_relative_to(root) for root in self.roots):
                raise PermissionError(f"{path} is outside the source and style folders")
            if not path.is_file():
                raise FileNotFoundError(f"{path} does not exist")
        elif not url.startswith("data:"):
            raise PermissionError("network resources are not fetched")
        return super().fetch(url, headers)


def _url_path(url: str) -> str:
    from urllib.request import url2pathname

    return url2pathname(url.removeprefix("file://").split("?")[0])


def _attachment(item: PdfAttachment) -> Attachment:
    # A WeasyPrint Attachment is single-use: make a new one for every render.
    return Attachment(
        file_obj=io.BytesIO(item.content),
        name=item.name,
        description=item.description,
        relationship=item.relationship,
        created=item.modified,
        modified=item.modified,
    )


# WeasyPrint's own message (weasyprint/pdf/tags.py): compose reports a missing alt text with file
# and line (notes.image_warning), and --strict fails on it.
ALT_MISSING = 'Image "%s" has no required alt description'
# WeasyPrint's warning for a character no font has (weasyprint/draw/text.py): fonts.py warns
# about each script no brand font covers, with its manuscript line, before any PDF is rendered.
NOTDEF = '.notdef glyph rendered for Unicode string unsupported by fonts: "%s" (U+%04X)'
CSS_PLACE = re.compile(r" at (\d+):\d+\b")  # "Ignored `colr: red` at 3:5, unknown property."


class LogCapture(logging.Handler):
    """Collect WeasyPrint's warnings: it only logs resources that fail to load, and bad CSS."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.problems: list[RenderProblem] = []
        self.sheet: Path | None = None  # set while a style sheet is parsed

    def emit(self, record):
        if record.msg in (ALT_MISSING, NOTDEF):
            return
        args = record.args if isinstance(record.args, tuple) else ()
        names = tuple(str(arg) for arg in args if isinstance(arg, str))
        message = record.msg % tuple(map(plain, args)) if args else record.getMessage()
        found = CSS_PLACE.search(message) if self.sheet else None
        self.problems.append(RenderProblem(message, self.sheet, int(found.group(1)) if found else None, names))


class TooManyPages(Exception):
    """The layout has passed the most pages a build lays out (compose/limits.py MAX_PAGES)."""


class PageCount(logging.Handler):
    """Stop a layout at its page limit+1: WeasyPrint announces each page on its progress logger
    ("Step 5 - Creating layout - Page %d") before it lays the page out."""

    def __init__(self, limit: int):
        super().__init__(logging.INFO)
        self.limit = limit

    def emit(self, record):
        number = record.args[0] if isinstance(record.args, tuple) and record.args else None
        if record.msg.startswith("Step 5") and isinstance(number, int) and number > self.limit:
            raise TooManyPages  # out of logger.info, through WeasyPrint's layout, to render_pdf


@contextlib.contextmanager
def pages_counted(limit: int) -> Iterator[None]:
    """Count the pages of the render inside (progress records go to PageCount alone, not further)."""
    progress = logging.getLogger("weasyprint.progress")
    counter, level, propagate = PageCount(limit), progress.level, progress.propagate
    progress.addHandler(counter)
    progress.setLevel(logging.INFO)
    progress.propagate = False
    try:
        yield
    finally:
        progress.removeHandler(counter)
        progress.setLevel(level)
        progress.propagate = propagate


def plain(arg):
    """A log argument as a reader wants it: an exception whose text is empty shows its cause."""
    if isinstance(arg, BaseException) and not str(arg) and arg.__cause__ is not None:
        return f"{type(arg.__cause__).__name__}: {arg.__cause__}"
    return arg


def hang_trailing_spaces(original: Callable) -> Callable:
    """Let a text run whose only overflow is its trailing space stay on one line.

    WeasyPrint 70 measures a run such as " In late February 2026, " (text between two
    inline elements) with its trailing space; when only that space overflows, it takes the
    run as unbreakable and hyphenates its first long word, leaving a line half empty. A
    space at the end of a line hangs (CSS Text 3, 4.1.3), so it must not count.
    """

    def split_first_line(text, style, context, max_width, *args, **kwargs):
        give_up_if_stale()  # every line laid out: a stale render stops within a line
        result = original(text, style, context, max_width, *args, **kwargs)
        if result[2] is None or max_width is None or not text.endswith(" ") or style["white_space"] != "normal":
            return result
        trimmed = original(text.rstrip(" "), style, context, max_width, *args, **kwargs)
        if trimmed[2] is None and trimmed[3] <= max_width:
            return original(text, style, context, None, *args, **kwargs)
        return result

    return split_first_line


# The style properties WeasyPrint 70's split_first_line reads, with the Layout it makes (Layout.setup,
# get_font_description, font_features) and the hyphenation it tries: with its other arguments, what
# decides where a line of text breaks and what it measures. test_pdf.py records the properties a
# render's line breaking reads and checks that they are all here.
LINE_STYLE = (
    "direction",
    "font_family",
    "font_feature_settings",
    "font_kerning",
    "font_language_override",
    "font_size",
    "font_stretch",
    "font_style",
    "font_variant_alternates",
    "font_variant_caps",
    "font_variant_east_asian",
    "font_variant_ligatures",
    "font_variant_numeric",
    "font_variant_position",
    "font_variation_settings",
    "font_weight",
    "hyphenate_character",
    "hyphenate_limit_chars",
    "hyphenate_limit_zone",
    "hyphens",
    "lang",
    "letter_spacing",
    "overflow_wrap",
    "tab_size",
    "text_decoration_line",
    "white_space",
    "word_break",
    "word_spacing",
)


def line_style(style) -> tuple:
    """The values of a style's LINE_STYLE properties (a set as a frozenset, to be part of a key)."""
    return tuple(frozenset(v) if type(v) is set else v for v in map(style.__getitem__, LINE_STYLE))


class LineMemo:
    """What a render worked out, kept for the next render in this process under what it depends
    on; the least recently used is dropped past capacity, and everything when the fonts change
    (another FontConfiguration: a new build folder)."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.fonts: FontConfiguration | None = None
        self.kept: OrderedDict[tuple, Any] = OrderedDict()
        self.hits = self.misses = 0

    def key(self, style, *args) -> tuple | None:
        if style.font_config is not self.fonts:
            self.fonts, self.kept = style.font_config, OrderedDict()
        key = (*args, line_style(style))
        try:
            hash(key)
        except TypeError:  # a property value that cannot be a key: nothing is kept for it
            return None
        return key

    def get(self, key: tuple | None) -> Any:
        found = None if key is None else self.kept.get(key)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
            self.kept.move_to_end(key)  # type: ignore[arg-type]
        return found

    def keep(self, key: tuple | None, value: Any) -> None:
        if key is not None:
            self.kept[key] = value
            if len(self.kept) > self.capacity:
                self.kept.popitem(last=False)


class RememberedLines(LineMemo):
    """WeasyPrint's line breaks, kept for the next render in this process.

    split_first_line asks Pango to lay out a text in a width and answers where its first line
    ends, the line's metrics and a Layout for drawing it (handed back deactivated: plain values,
    no Pango objects). The answer depends only on its arguments and the properties in LINE_STYLE,
    with the fonts of one FontConfiguration. A preview save changes a sentence, so almost every
    line of the next render was broken before (on the sample: 4 of 400 lines are new, and the
    breaking took about a third of the layout). Each caller gets a copy of the Layout, which
    drawing reactivates and may change. The same answers, so the same bytes (tested)."""

    def __init__(self, capacity: int = 20_000):
        super().__init__(capacity)

    def wrap(self, split_first_line: Callable) -> Callable:
        def remembered(text, style, context, max_width, justification_spacing, is_line_start=True, minimum=False):
            key = self.key(style, text, max_width, justification_spacing, is_line_start, minimum)
            answer = self.get(key)
            if answer is None:
                answer = split_first_line(
                    text, style, context, max_width, justification_spacing, is_line_start, minimum
                )
                self.keep(key, (copy.copy(answer[0]), *answer[1:]))
                return answer
            return (copy.copy(answer[0]), *answer[1:])

        return remembered

    def remembering(self):
        """While a render runs, its line breaking (inline layout and content widths) goes through here."""
        return weasyprint_patches.split_first_line_remembered(self.wrap)


LINES = RememberedLines()


class WarmSetUp:
    """WeasyPrint's font set-up and the stylesheets parsed with it, kept for the next render in this
    process: a rebuild in the preview, or the second PDF of a one-process build.

    A FontConfiguration copies the @font-face files into a folder inside the build's temporary
    folder (scratch.py); a new temporary folder means those copies are gone, so everything kept
    is dropped with it. A stylesheet is kept only when it parsed without a problem."""

    def __init__(self):
        self.folder: Path | None = None
        self.fonts: FontConfiguration | None = None
        self.sheets: dict[tuple[str, str, tuple[Path, ...]], CSS] = {}

    def font_config(self) -> FontConfiguration:
        folder = scratch_path()
        if self.fonts is None or self.folder != folder:
            self.folder, self.fonts, self.sheets = folder, weasyprint_patches.confined_fonts(folder), {}
        return self.fonts

    def stylesheet(self, sheet: Stylesheet, base_url: str, fetcher: ConfinedFetcher, capture: LogCapture) -> CSS:
        key = (sheet.text, base_url, fetcher.roots)
        if key not in self.sheets:
            before = len(capture.problems)
            css = CSS(string=sheet.text, base_url=base_url, font_config=self.font_config(), url_fetcher=fetcher)
            if len(capture.problems) > before:
                return css
            self.sheets[key] = css
        return self.sheets[key]


WARM = WarmSetUp()


def warm_up(css: list[Stylesheet], base_dir: Path, roots: tuple[Path, ...]) -> None:
    """Parse the stylesheets into the warm set-up ahead of a render; a sheet with a problem is not
    kept, so the render parses it again and reports the problem."""
    fetcher, capture = ConfinedFetcher(roots), LogCapture()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(capture)
    try:
        for sheet in css:
            capture.sheet = sheet.path
            WARM.stylesheet(sheet, str(base_dir) + "/", fetcher, capture)
    finally:
        logger.removeHandler(capture)


def warm_hyphenation(lang: str) -> None:
    """Load the hyphenation patterns WeasyPrint's layout will use for text in lang, ahead of a
    render: pyphen keeps them for the process (and the processes forked from it), and reading
    them takes 0.1-0.2 s, which the first render that hyphenates would spend. What pyphen read is
    kept between builds too (kept.py), as the brand is."""
    found = pyphen.language_fallback(lang.replace("-", "_"))
    path = pyphen.LANGUAGES.get(found) if found else None
    if path is not None and path not in pyphen.hdcache:  # where pyphen.Pyphen looks, as WeasyPrint makes one
        stamps = code_stamps(("pyphen",))
        pyphen.hdcache[path] = kept_object("hyphenation", Path(path), tuple(stamps), lambda: pyphen.HyphDict(path))


@contextlib.contextmanager
def patched() -> Iterator[None]:
    """What a render changes in WeasyPrint, pydyf and cffi (render/patches/), for the render only."""
    check_versions("weasyprint", "pydyf", "cffi")
    with (
        page_references_kept(),
        simple_types_built(),
        weasyprint_patches.draw_first_line_replaced(draw_first_line_with_actual_text),
        LINES.remembering(),  # lines remembered first, so that hang_trailing_spaces asks through them
        weasyprint_patches.split_first_line_wrapped(hang_trailing_spaces),
        words_moved_apart(),
    ):
        yield


def render_pdf(
    html: str,
    *,
    css: list[Stylesheet],
    base_dir: Path,
    roots: tuple[Path, ...],
    source: Path,
    explain: Callable[[RenderProblem], BriefError],
    variant: str | None = None,
    attachments: tuple[PdfAttachment, ...] = (),
    show_draft: Callable[[bytes], None] | None = None,
    stale: Callable[[], bool] | None = None,
) -> bytes:
    """Render one HTML document to PDF bytes; fail on every problem WeasyPrint logs, each
    explained (with the file and line it concerns) by explain(problem).

    With show_draft, the laid-out pages are first written as a draft and handed to it, for the
    preview to show at once: the same pages without what only the file's readers need (no
    structure tags, no PDF/UA or PDF/A identification, no attachments). The PDF is then written
    from the same layout: the tags and identification change nothing WeasyPrint lays out. When
    stale() becomes true during the render, it raises Superseded."""
    fonts = WARM.font_config()
    fetcher = ConfinedFetcher(roots)
    capture = LogCapture()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(capture)
    try:
        sheets = []
        for sheet in css:  # parsed one by one, so that a CSS problem names its file
            capture.sheet = sheet.path
            sheets.append(WARM.stylesheet(sheet, str(base_dir) + "/", fetcher, capture))
        capture.sheet = None
        document = HTML(string=html, base_url=str(base_dir) + "/", url_fetcher=fetcher)
        stale_set = STALE.set(stale)
        try:
            with patched(), collector_paused(), pages_counted(MAX_PAGES):
                # As HTML.write_pdf does it, in its two steps: lay out, then write.
                pages = document.render(
                    fonts, stylesheets=sheets, pdf_variant=variant, pdf_tags=not variant or variant.endswith("b")
                )
                if show_draft is not None:
                    show_draft(pages.write_pdf(uncompressed_pdf=False))
                pdf = pages.write_pdf(
                    pdf_variant=variant,
                    pdf_tags=not variant or variant.endswith("b"),
                    uncompressed_pdf=False,
                    attachments=[_attachment(a) for a in attachments],
                )
        finally:
            STALE.reset(stale_set)
    except TooManyPages:
        raise BriefError(
            source,
            None,
            f"the PDF runs past {MAX_PAGES} pages, the most one build lays out (tables, notes and figures "
            "take more room than their words)",
            SPLIT,
        ) from None
    except FatalURLFetchingError as err:
        cause = err.__cause__ or err
        raise BriefError(
            source,
            None,
            f"refused to load a resource: {cause}",
            "keep images and styles inside the source and styles folders",
        ) from None
    finally:
        logger.removeHandler(capture)
    raise_all([explain(problem) for problem in capture.problems])
    return pdf

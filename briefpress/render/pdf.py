"""Write PDF editions with WeasyPrint. The only module that uses weasyprint (and pydyf, its PDF writer)."""

from __future__ import annotations

import contextlib
import ctypes.util
import gc
import io
import logging
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from briefpress.errors import BriefError, raise_all
from briefpress.records import PdfAttachment, RenderProblem, Stylesheet


@contextlib.contextmanager
def sonames_only() -> Iterator[None]:
    """Let WeasyPrint open its C libraries by their sonames alone, on Linux.

    weasyprint.text.ffi tries names such as "libgobject-2.0-0" and "gobject-2.0" before
    "libgobject-2.0.so.0"; cffi hands a name without a dot to ctypes.util.find_library, which
    runs ldconfig, gcc and ld for each (22 calls, 54 processes, about a quarter of a second).
    With find_library answering "not found", cffi goes on to the soname, which the dynamic
    loader opens directly: the same library file, without the probes."""
    if not sys.platform.startswith("linux"):
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = original


with sonames_only():
    import pydyf
    import weasyprint.layout.inline as weasy_inline
    from weasyprint import CSS, HTML, Attachment
    from weasyprint.text.ffi import ffi, fontconfig, pangoft2
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError, URLFetcher


def cached_page_references(pdf) -> tuple[bytes, ...]:
    """pydyf's PDF.page_references, computed once per page count instead of on every read.

    pydyf 0.13 rebuilds the tuple of every page's reference each time it is read, and
    WeasyPrint's tagging (weasyprint/pdf/tags.py) reads it once per tagged box: quadratic in
    the length of the document (about 12 s of a 560-page render). The pages only ever grow
    (PDF.add_page), so their count says when the tuple is stale. Reported upstream: see
    bench/upstream/pydyf-page-references.md."""
    kids = pdf.pages["Kids"]
    kept = pdf.__dict__.get("_page_references")
    if kept is None or kept[0] is not kids or kept[1] != len(kids):
        kept = (kids, len(kids), UNCACHED_PAGE_REFERENCES(pdf))
        pdf.__dict__["_page_references"] = kept
    return kept[2]


UNCACHED_PAGE_REFERENCES = pydyf.PDF.page_references.fget
pydyf.PDF.page_references = property(cached_page_references)


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


ffi.cdef("FcConfig * FcConfigCreate (void);")  # WeasyPrint declares only FcInitLoadConfigAndFonts


class BrandFonts(FontConfiguration):
    """Only the fonts the brand's @font-face rules load: an empty fontconfig configuration
    instead of the machine's, so that no page depends on the fonts a machine has. A character
    that no brand font covers shows as the missing-glyph box (fonts.py has warned about it)."""

    def __init__(self):
        super().__init__()
        self._config = fontconfig.FcConfigCreate()
        pangoft2.pango_fc_font_map_set_config(ffi.cast("PangoFcFontMap *", self.font_map), self._config)
        fontconfig.FcConfigDestroy(self._config)  # the font map keeps its own reference, as above


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


def plain(arg):
    """A log argument as a reader wants it: an exception whose text is empty shows its cause."""
    if isinstance(arg, BaseException) and not str(arg) and arg.__cause__ is not None:
        return f"{type(arg.__cause__).__name__}: {arg.__cause__}"
    return arg


@contextlib.contextmanager
def hanging_trailing_spaces():
    """Let a text run whose only overflow is its trailing space stay on one line.

    WeasyPrint 70 measures a run such as " In late February 2026, " (text between two
    inline elements) with its trailing space; when only that space overflows, it takes the
    run as unbreakable and hyphenates its first long word, leaving a line half empty. A
    space at the end of a line hangs (CSS Text 3, 4.1.3), so it must not count.
    """
    original = weasy_inline.split_first_line

    def split_first_line(text, style, context, max_width, *args, **kwargs):
        result = original(text, style, context, max_width, *args, **kwargs)
        if result[2] is None or max_width is None or not text.endswith(" ") or style["white_space"] != "normal":
            return result
        trimmed = original(text.rstrip(" "), style, context, max_width, *args, **kwargs)
        if trimmed[2] is None and trimmed[3] <= max_width:
            return original(text, style, context, None, *args, **kwargs)
        return result

    weasy_inline.split_first_line = split_first_line
    try:
        yield
    finally:
        weasy_inline.split_first_line = original


class WarmSetUp:
    """WeasyPrint's font set-up and the stylesheets parsed with it, kept for the next render in this
    process: a rebuild in the preview, or the second PDF of a one-process build.

    A FontConfiguration copies the @font-face files into a folder inside the build's temporary
    folder (scratch.py); a new temporary folder means those copies are gone, so everything kept
    is dropped with it. A stylesheet is kept only when it parsed without a problem."""

    def __init__(self):
        self.folder: str | None = None
        self.fonts: FontConfiguration | None = None
        self.sheets: dict[tuple[str, str, tuple[Path, ...]], CSS] = {}

    def font_config(self) -> FontConfiguration:
        if self.fonts is None or self.folder != tempfile.tempdir:
            self.folder, self.fonts, self.sheets = tempfile.tempdir, BrandFonts(), {}
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
) -> bytes:
    """Render one HTML document to PDF bytes; fail on every problem WeasyPrint logs, each
    explained (with the file and line it concerns) by explain(problem)."""
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
        with hanging_trailing_spaces(), collector_paused():
            pdf = document.write_pdf(
                stylesheets=sheets,
                font_config=fonts,
                pdf_variant=variant,
                pdf_tags=variant is None,
                uncompressed_pdf=False,
                attachments=[_attachment(a) for a in attachments],
            )
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

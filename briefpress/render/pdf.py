"""Write PDF editions with WeasyPrint. The only module that uses weasyprint."""

from __future__ import annotations

import io
import contextlib
import logging
from pathlib import Path

from weasyprint import CSS, HTML, Attachment
import weasyprint.layout.inline as weasy_inline
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from briefpress.errors import BriefError
from briefpress.records import PdfAttachment


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
    return Attachment(file_obj=io.BytesIO(item.content), name=item.name, description=item.description,
                      relationship=item.relationship, created=item.modified, modified=item.modified)


class LogCapture(logging.Handler):
    """Collect WeasyPrint's warnings: it only logs resources that fail to load."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        if record.getMessage().endswith("has no required alt description"):
            return  # compose reports it with file and line (notes.image_warning); --strict fails on it
        self.messages.append(record.getMessage())


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
        if result[2] is None or max_width is None or not text.endswith(" ") \
                or style["white_space"] != "normal":
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


def render_pdf(html: str, *, css: list[str], base_dir: Path, roots: tuple[Path, ...],
               source: Path, variant: str | None = None,
               attachments: tuple[PdfAttachment, ...] = ()) -> bytes:
    """Render one HTML document to PDF bytes, failing on any resource problem."""
    fonts = FontConfiguration()
    fetcher = ConfinedFetcher(roots)
    capture = LogCapture()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(capture)
    try:
        sheets = [CSS(string=text, base_url=str(base_dir) + "/", font_config=fonts,
                      url_fetcher=fetcher) for text in css]
        document = HTML(string=html, base_url=str(base_dir) + "/", url_fetcher=fetcher)
        with hanging_trailing_spaces():
            pdf = document.write_pdf(stylesheets=sheets, font_config=fonts, pdf_variant=variant,
                                     pdf_tags=variant is None, uncompressed_pdf=False,
                                     attachments=[_attachment(a) for a in attachments])
    except FatalURLFetchingError as err:
        cause = err.__cause__ or err
        raise BriefError(source, None, f"refused to load a resource: {cause}",
                         "keep images and styles inside the source and styles folders") from None
    finally:
        logger.removeHandler(capture)
    if capture.messages:
        raise BriefError(source, None, f"PDF rendering problem: {capture.messages[0]}",
                         "fix the resource or markup it names")
    return pdf

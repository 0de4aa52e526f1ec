"""Make each edition's bytes from a Document: the PDFs, the EPUB and the web page.

WeasyPrint and pikepdf are imported by make_pdf when it first runs, so that a process that makes
only the EPUB or the web page never loads them; ebooklib and Pillow by make_epub, and the web
page's module by make_html, so that a PDF worker never loads them and the main process has sent
the composed brief to the workers before it does (see workers.py).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

from briefpress.compose.assets import data_url, with_image_sources
from briefpress.compose.citation import series_label
from briefpress.compose.htmltree import link_across, undescribed_images
from briefpress.compose.safety import NeedleLocator
from briefpress.errors import BriefError
from briefpress.records import EDITION, Brand, BuildConfig, Document, PdfAttachment, RenderProblem, Stylesheet
from briefpress.render.pdfmarkup import drop_links, label_headings, link_descriptions, split_wide_tables
from briefpress.render.styles import MEDIA_TYPES, edition_css, joined_css, read_bytes
from briefpress.render.templates import (
    epub_page_titles,
    long_date,
    render_epub_cover,
    render_epub_pages,
    render_pdf_html,
)


def make_edition(
    kind: str,
    doc: Document,
    config: BuildConfig,
    *,
    show_draft: Callable[[bytes], None] | None = None,
    stale: Callable[[], bool] | None = None,
) -> bytes:
    """The bytes of one edition: pdf, print, epub, pdfa (the archive), html (the web page) or the
    web page's card (its picture for link previews). A distribution or print PDF can show its
    pages first as a draft (see make_pdf) and be given up when stale() turns true (Superseded)."""
    paper = config.paper or doc.meta.paper or doc.brand.paper
    if kind == "pdf":
        return make_pdf(doc, paper=paper, press=config.press, show_draft=show_draft, stale=stale)
    if kind == "print":
        return make_pdf(doc, paper=paper, edition="print", press=config.press, show_draft=show_draft, stale=stale)
    if kind == "pdfa":
        return make_archive_pdf(doc, paper=paper)
    if kind == "epub":
        return make_epub(doc)
    if kind == "card":
        return make_card(doc)
    from briefpress.render.webedition import make_html

    return make_html(doc)


DISTRIBUTION_VARIANT = EDITION["pdf"].variant
ARCHIVE_VARIANT = EDITION["pdfa"].variant
# What a PDF claims when a picture has no alt text (compose warns about each): PDF/UA-1 and
# PDF/A-3a require a description of every figure, so the PDF stays tagged and claims no
# accessibility (PDF/UA: none; the archive: PDF/A-3b, which asks for no description).
UNDESCRIBED_VARIANT: dict[str, str | None] = {"pdf/ua-1": None, "pdf/a-3a": "pdf/a-3b"}


def claimed_variant(variant: str, html: str) -> str | None:
    """The standard a PDF of this HTML can honestly claim: its variant, unless a picture has no alt text."""
    return UNDESCRIBED_VARIANT.get(variant, variant) if undescribed_images(html) else variant


def make_pdf(
    doc: Document,
    *,
    paper: str,
    edition: str = "pdf",
    press: bool = False,
    variant: str = DISTRIBUTION_VARIANT,
    attachments: tuple[PdfAttachment, ...] = (),
    show_draft: Callable[[bytes], None] | None = None,
    stale: Callable[[], bool] | None = None,
) -> bytes:
    """A PDF edition: "pdf" for screens and sharing, "print" for paper; the archive with its variant.

    With show_draft, the edition's pages are handed to it as a draft as soon as they are laid out,
    for the preview to show while the edition is written from the same layout and finished: no
    tags, no identifiers, not finished (render_pdf). A draft is never written to the output folder."""
    from briefpress.render.pdf import render_pdf
    from briefpress.render.pdftags import finish_tagged_pdf

    brand = doc.brand
    doc = with_image_sources(doc, data_url)  # checked bytes: WeasyPrint reads no manuscript file
    html = label_headings(render_pdf_html(doc, logo_src=brand.logo.as_uri(), edition=edition))
    html = split_wide_tables(html, doc.labels)  # the EPUB and web edition keep such a table whole
    if edition == "print":
        html = drop_links(html)  # on paper a link is text; its address is in the notes
    pdf = render_pdf(
        html,
        css=pdf_css(brand, direction=doc.meta.direction, paper=paper, edition=edition, press=press),
        base_dir=doc.source_path.parent,
        roots=pdf_roots(brand, doc.source_path),
        source=doc.source_path,
        explain=ProblemExplainer(doc),
        variant=claimed_variant(variant, html),
        attachments=attachments,
        show_draft=show_draft,
        stale=stale,
    )
    return finish_tagged_pdf(
        pdf,
        link_descriptions=link_descriptions(html, doc.labels),
        archival=variant.startswith("pdf/a"),
        doi=doc.meta.doi,
        url=doc.url,
    )


def pdf_css(brand: Brand, *, direction: str, paper: str, edition: str, press: bool) -> list[Stylesheet]:
    return edition_css(
        brand,
        edition,
        font_url=lambda face: face.path.as_uri(),
        paper=paper.upper() if paper == "a4" else paper,
        press=press,
        direction=direction,
    )


def pdf_roots(brand: Brand, source: Path) -> tuple[Path, ...]:
    """The folders WeasyPrint may read: the brand's, the manuscript's and the fonts'."""
    return (brand.path.parent, source.parent, *{face.path.parent for face in brand.fonts})


def warm_pdf(doc: Document, config: BuildConfig) -> None:
    """Parse the distribution PDF's stylesheets (the brand's fonts set up with them) and compile its
    template: the lead worker does it before it forks its helpers, which inherit them, so that the
    print PDF parses only its own sheet. Nothing to do when warm_brand guessed the sheets right."""
    render_pdf_html(doc, logo_src=doc.brand.logo.as_uri())
    paper = config.paper or doc.meta.paper or doc.brand.paper
    warm_sheets(doc.brand, doc.meta.direction, paper, doc.source_path, config)


def warm_brand(brand: Brand, config: BuildConfig, source: Path) -> None:
    """Parse the stylesheets a brief in Latin script without code would have, and load the
    hyphenation patterns of the brief's language, while the brief is being composed: the lead
    worker has the brand before the brief, and the helpers it forks inherit both. A brief that
    needs other faces, another paper or the other direction has other sheets, which its render parses."""
    from briefpress.read.frontmatter import declared_lang
    from briefpress.render.fonts.fit import narrowed  # its fontTools and cffi are WeasyPrint's too: loaded already
    from briefpress.render.pdf import warm_hyphenation

    warm_sheets(narrowed(brand), "ltr", config.paper or brand.paper, source, config)
    try:
        lang = declared_lang(source)
    except BriefError:
        return  # the brief is read again, where its errors are reported
    warm_hyphenation(lang)


def warm_sheets(brand: Brand, direction: str, paper: str, source: Path, config: BuildConfig) -> None:
    from briefpress.render.pdf import warm_up

    css = pdf_css(brand, direction=direction, paper=paper, edition="pdf", press=config.press)
    warm_up(css, source.parent, pdf_roots(brand, source))


class ProblemExplainer:
    """Turn what WeasyPrint logged into an error at the line it concerns: the style sheet's line;
    else the manuscript line of the image or element it names; else the brand file."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.aliases: dict[str, str] = {}  # PDF images are data: URLs; name the first image with those bytes
        for asset in doc.assets:
            self.aliases.setdefault(data_url(asset), asset.url)
        self.locate: NeedleLocator | None = None

    def __call__(self, problem: RenderProblem) -> BriefError:
        message = problem.message
        for name in problem.names:
            if name in self.aliases:
                message = message.replace(name, self.aliases[name])
        message = LONG_DATA_URL.sub(lambda m: m.group(0)[:40] + "...", message)
        what = f"PDF rendering problem: {message}"
        if problem.sheet is not None:  # a template's line numbers are not those of its output
            line = problem.sheet_line if problem.sheet.suffix != ".j2" else None
            return BriefError(problem.sheet, line, what, "fix the style sheet")
        line = next(filter(None, map(self.manuscript_line, problem.names)), None)
        if line is None:
            return BriefError(self.doc.brand.path, None, what, "fix the brand's templates or styles")
        return BriefError(self.doc.source_path, line, what, "fix the resource or markup it names")

    def manuscript_line(self, name: str) -> int | None:
        if self.locate is None:  # read only when something went wrong
            self.locate = NeedleLocator(read_bytes(self.doc.source_path).decode("utf-8", "replace"))
        return self.locate(self.aliases.get(name, name)) if len(name) > 2 else None


LONG_DATA_URL = re.compile(r"data:[^\s'\"]{40,}")


def make_archive_pdf(doc: Document, *, paper: str) -> bytes:
    """The archival PDF/A-3 edition, carrying its Markdown manuscript as the associated source."""
    manuscript = PdfAttachment(
        name=doc.source_path.name,
        content=read_bytes(doc.source_path),
        description="Markdown manuscript of this brief",
        relationship="Source",
        modified=doc.build_time,
    )
    return make_pdf(doc, paper=paper, variant=ARCHIVE_VARIANT, attachments=(manuscript,))


def make_epub(doc: Document) -> bytes:
    """The EPUB 3 edition."""
    from briefpress.compose.a11y import accessibility_metadata, survey
    from briefpress.kept import kept_cover
    from briefpress.render.cover import render_cover
    from briefpress.render.epub import FONT_TYPE, EpubFile, EpubSpec, EpubWords, build_epub
    from briefpress.render.fonts.fit import webfont_files, webfont_name
    from briefpress.render.fonts.woff import QUICK

    brand, meta = doc.brand, doc.meta
    doc = with_image_sources(doc, lambda asset: asset.name)
    logo_name = "images/logo" + brand.logo.suffix
    pages = link_across(render_epub_pages(doc, logo_src=logo_name))
    titles = epub_page_titles(doc)
    fonts = webfont_files(doc, quality=QUICK)
    brand = dataclasses.replace(brand, fonts=tuple(face for face, _ in fonts))  # @font-face for these only
    css = joined_css(edition_css(brand, "epub", font_url=lambda face: f"../fonts/{webfont_name(face)}"))
    files = [
        EpubFile("styles/brief.css", css.encode("utf-8"), "text/css"),
        EpubFile(logo_name, read_bytes(brand.logo), MEDIA_TYPES.get(brand.logo.suffix, "image/png")),
        *(EpubFile(f"fonts/{webfont_name(face)}", data, FONT_TYPE) for face, data in fonts),
        *(EpubFile(asset.name, asset.content, asset.media_type) for asset in doc.assets),
    ]
    title, subtitle, authors = meta.title, meta.subtitle, tuple(a.name for a in meta.authors)
    label, direction = cover_series_label(doc), meta.direction
    cover = kept_cover(
        doc.source_path,
        (title, subtitle, authors, label, direction),
        brand,
        lambda: render_cover(
            title=title, subtitle=subtitle, authors=authors, series_label=label, brand=brand, direction=direction
        ),
    )
    pages = {name: xhtml for name, xhtml in pages.items() if has_content(name, doc)}
    cover_page = render_epub_cover(doc)
    facts = survey([cover_page, *pages.values()])
    spec = EpubSpec(
        identifier=doc.identifier,
        title=meta.title,
        lang=meta.lang,
        authors=tuple(a.name for a in meta.authors),
        publisher=brand.name,
        date=meta.date,
        description=doc.summary_text,
        doi=meta.doi,
        url=doc.url,
        keywords=meta.keywords,
        modified=doc.build_time,
        pages=tuple((name, titles[name], xhtml) for name, xhtml in pages.items()),
        cover_png=cover,
        cover_page=cover_page,
        files=tuple(files),
        accessibility=accessibility_metadata(facts, has_toc=bool(pages), certifier=brand.name),
        direction=meta.direction,
        words=EpubWords(doc.labels.contents, doc.labels.landmarks, doc.labels.start, doc.labels.cover),
    )
    try:
        return build_epub(spec)
    except BriefError as err:  # name the brief whose EPUB failed
        if err.path is not None:
            raise
        raise BriefError(doc.source_path, None, err.what, err.fix) from None


def make_card(doc: Document) -> bytes:
    """The web edition's social card: a 1200x630 PNG from the brand and the title, like the cover."""
    from briefpress.render.cover import joined, render_card

    meta = doc.meta
    day = meta.date and long_date(meta.date)
    if day and meta.direction == "rtl":  # "5 March 2026" reads left to right inside an Urdu line (UAX 9 isolate)
        day = f"\u2066{day}\u2069"
    return render_card(
        title=meta.title,
        authors=joined(tuple(a.name for a in meta.authors)),
        date=day,
        series_label=cover_series_label(doc),
        brand=doc.brand,
        direction=meta.direction,
    )


def has_content(name: str, doc: Document) -> bool:
    return name != "notes.xhtml" or bool(doc.notes)


def cover_series_label(doc: Document) -> str:
    """The cover's and the card's series line, "ISAS Brief No. 1240". They set it in tracked
    capitals of the brand's Latin heading face, letter by letter: a label in another script (Urdu
    نمبر) would be drawn unjoined or as boxes, so there the line is the series and its number alone."""
    return series_label(doc.meta, doc.brand, doc.labels.number if doc.labels.number.isascii() else "")

"""Render Documents through Jinja templates. The only module that uses jinja2."""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from datetime import date
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, TemplateError
from markupsafe import Markup

from briefpress.compose.htmltree import to_xhtml
from briefpress.errors import BriefError
from briefpress.kept import cache_folder
from briefpress.records import ENGLISH_MONTHS, Brand, Document

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
EPUB_PAGES = {"brief": "brief.xhtml", "notes": "notes.xhtml", "about": "about.xhtml"}


class CompiledTemplates(FileSystemBytecodeCache):
    """Templates compiled to Python bytecode, kept in templates/ of the build's cache folder (never
    inside the installed package) as Python keeps its own (.pyc files) and read back by the next
    build: compiling them takes about 0.1 s of every process that renders. A template is found by
    its source's checksum, so an edited one (the brand's stylesheets are templates too) is compiled
    again. As for a .pyc, nothing is written under PYTHONDONTWRITEBYTECODE or where the folder
    cannot be written. A template is kept under its name alone, not its path: each project (each
    temporary one a test makes) would otherwise leave files of its own, and the folder would only
    grow. Projects whose brand.css.j2 differ take turns in its one file; its checksum tells them
    apart. Without a folder (given, or the build's), nothing is read or kept."""

    def __init__(self, folder: str | None = None):
        # Not FileSystemBytecodeCache.__init__: without a folder it makes one in /tmp.
        self.folder, self.pattern = folder, "__jinja2_%s.cache"

    @property
    def directory(self) -> str:  # type: ignore[override]
        found = self.folder or cache_folder("templates")
        return str(found) if found else ""

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha1(name.encode("utf-8")).hexdigest()

    def load_bytecode(self, bucket) -> None:
        if not self.directory:
            return
        try:
            super().load_bytecode(bucket)
        except OSError:
            pass  # none to read: compiled as if never kept

    def dump_bytecode(self, bucket) -> None:
        if sys.dont_write_bytecode or not self.directory:
            return
        try:
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass  # a read-only cache folder: compiled again next time, as Python does


@cache
def environment(styles: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader([str(TEMPLATES), str(styles)]),
        bytecode_cache=CompiledTemplates(),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.filters["longdate"] = long_date
    env.filters["filesize"] = file_size
    env.filters["text_dir"] = text_direction_of
    env.tests["blocks"] = has_blocks
    env.globals["series_name"] = lambda doc: doc.meta.series.name or doc.brand.series_name
    return env


def render(template: str, styles: Path, **context) -> str:
    try:
        return environment(styles).get_template(template).render(**context)
    except TemplateError as err:
        where = getattr(err, "filename", None) or template
        raise BriefError(
            where, getattr(err, "lineno", None), f"template error: {err.message}", "fix the template"
        ) from None


def render_pdf_html(doc: Document, *, logo_src: str, edition: str = "pdf") -> str:
    """The whole brief as one HTML document for WeasyPrint."""
    html = render("brief.html.j2", doc.brand.path.parent, doc=doc, logo_src=logo_src, edition=edition, x=pdf_markup)
    return isolate_for_pdf(html) if doc.meta.direction == "rtl" else html


def pdf_markup(fragment: str) -> Markup:
    """HTML fragment for WeasyPrint, with each <wbr> as the U+200B its UA stylesheet would insert.

    WeasyPrint gives every inline box inside a link its own link annotation, attached to a
    NonStruct element instead of the Link (PDF/UA-1 7.18.5); a <wbr> is such a box. So is the
    span that keeps an address's hyphen with the next character: a word joiner does it here.
    """
    fragment = re.sub(r'<span class="url-hyphen">-([^<]*)</span>', "-\u2060\\1", fragment)
    return Markup(re.sub(r"<wbr\s*/?>(</wbr>)?", "\u200b", fragment))


# WeasyPrint 70 ignores <bdi> and dir on inline elements (Pango lays out each line as one
# paragraph), so a right-to-left PDF gets the Unicode isolates they stand for (UAX 9, 2.4):
# FSI ... PDI for <bdi>, LRI ... PDI for an inline element with dir="ltr" (URLs, code).
FSI, LRI, PDI = "\u2068", "\u2066", "\u2069"
ISOLATED = re.compile(r'(<(bdi)\b[^>]*>|<(a|code)\b[^>]*\sdir="ltr"[^>]*>)(.*?)(</(?:\2|\3)>)', re.S)


def isolate_for_pdf(html: str) -> str:
    def isolate(match: re.Match) -> str:
        opening, bdi, _, inner, closing = match.groups()
        return f"{opening}{FSI if bdi else LRI}{inner}{PDI}{closing}"

    return ISOLATED.sub(isolate, html)


BLOCK_TAG = re.compile(r"<(?:p|div|blockquote|ul|ol|dl|pre|table|figure|h[1-6]|hr|section)\b")


def has_blocks(fragment: str) -> bool:
    """Whether an HTML fragment holds block elements (a note of two paragraphs), which a <span> may not."""
    return bool(BLOCK_TAG.search(fragment))


def text_direction_of(text: str) -> str:
    """ "rtl" when the first strong character of a text is right to left (UAX 9, P2), else "ltr"."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def epub_page_titles(doc: Document) -> dict[str, str]:
    """The title of each XHTML content document, keyed by file name."""
    about = doc.labels.about_author if len(doc.meta.authors) <= 1 else doc.labels.about_authors
    return {"brief.xhtml": doc.meta.title, "notes.xhtml": doc.labels.notes, "about.xhtml": about}


def render_epub_pages(doc: Document, *, logo_src: str) -> dict[str, str]:
    """The brief's XHTML content documents, keyed by file name."""
    titles = epub_page_titles(doc)
    return {
        name: render(
            "epub/page.xhtml.j2",
            doc.brand.path.parent,
            doc=doc,
            page=page,
            page_title=titles[name],
            logo_src=logo_src,
            x=epub_markup,
        )
        for page, name in EPUB_PAGES.items()
    }


def epub_markup(fragment: str) -> Markup:
    """HTML fragment to XHTML, with EPUB's epub:type beside the ARIA roles of note calls."""
    xhtml = to_xhtml(fragment).replace('role="doc-noteref"', 'epub:type="noteref" role="doc-noteref"')
    return Markup(xhtml)


def render_brand_css(brand: Brand, *, font_url) -> str:
    """The brand's colours and fonts as CSS, from styles/brand.css.j2."""
    faces = [(face, font_url(face)) for face in brand.fonts]
    return render("brand.css.j2", brand.path.parent, brand=brand, c=brand.colors, faces=faces)


def long_date(iso: str, months: tuple[str, ...] = ENGLISH_MONTHS) -> str:
    """5 March 2026, with the month names of the brief's language (the brand's labels)."""
    day = date.fromisoformat(iso)
    return f"{day.day} {months[day.month - 1]} {day.year}"


def render_style(name: str, brand: Brand, **context) -> str:
    """Render a stylesheet template from the styles folder."""
    return render(name, brand.path.parent, brand=brand, c=brand.colors, **context)


def render_epub_cover(doc: Document) -> str:
    return render("epub/cover.xhtml.j2", doc.brand.path.parent, doc=doc)


def render_web_html(doc: Document, *, css: str, logo_src: str, tags=(), json_ld: str = "") -> str:
    """The web edition: the brief as one page, its CSS inline, its metadata as <meta> tags and JSON-LD."""
    return render(
        "web.html.j2",
        doc.brand.path.parent,
        doc=doc,
        css=Markup(css),
        logo_src=logo_src,
        x=Markup,
        tags=tags,
        json_ld=Markup(json_ld),  # JSON with every "<" escaped (webedition.page_metadata)
    )


def render_catalogue(catalogue, *, css: str, logo_src: str, edition_names: dict[str, str], page) -> str:
    """One page of a series' catalogue (catalogue.Catalogue, catalogue.Page), its CSS inline."""
    return render(
        "catalogue.html.j2",
        catalogue.brand.path.parent,
        catalogue=catalogue,
        css=Markup(css),
        logo_src=logo_src,
        edition_names=edition_names,
        page=page,
    )


def render_search_page(catalogue, *, css: str, logo_src: str, total: int) -> str:
    """A series' search page: Pagefind's search box over the catalogue's index."""
    return render(
        "search.html.j2",
        catalogue.brand.path.parent,
        catalogue=catalogue,
        css=Markup(css),
        logo_src=logo_src,
        total=total,
    )


def render_feed(catalogue, *, feed_id: str, updated: str, edition_names: dict[str, str]) -> str:
    """A series' Atom feed (catalogue.Catalogue), from feed.xml.j2."""
    return render(
        "feed.xml.j2",
        catalogue.brand.path.parent,
        catalogue=catalogue,
        feed_id=feed_id,
        updated=updated,
        edition_names=edition_names,
    )


def file_size(size: int) -> str:
    return f"{size / 1024:.0f} KiB" if size < 1000 * 1024 else f"{size / 1024 / 1024:.1f} MiB"


def render_preview_page(*, source: str, stem: str) -> str:
    """The live preview's page: the web edition beside the PDF, reloaded by a small script."""
    return render("preview.html.j2", TEMPLATES, source=source, stem=stem)

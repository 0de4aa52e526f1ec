"""Write the EPUB 3 edition with ebooklib. The only module that uses ebooklib."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from ebooklib import epub

from briefpress.errors import BriefError
from briefpress.logcapture import capture_logged

FONT_TYPE = "font/woff2"  # a core media type since EPUB 3.3 (and 3.2)


@dataclass(frozen=True)
class EpubFile:
    """One file to place in the book: its name inside EPUB/, bytes and media type."""

    name: str
    content: bytes
    media_type: str


@dataclass(frozen=True)
class EpubWords:
    """The words of the EPUB's own pages, in the brief's language (the brand's labels)."""

    contents: str = "Contents"  # the table of contents
    landmarks: str = "Landmarks"
    start: str = "Start of content"  # the landmark of the brief's first page
    cover: str = "Cover"


@dataclass(frozen=True)
class TocEntry:
    """One entry of a nested table of contents (a briefing pack's: part, brief, heading); an entry
    without href is a label over its children."""

    title: str
    href: str = ""
    children: tuple[TocEntry, ...] = ()
    lang: str = ""  # the title's language and direction, when not the book's
    direction: str = ""


@dataclass(frozen=True)
class EpubSpec:
    """What the EPUB writer needs, already rendered."""

    identifier: str
    title: str
    lang: str
    authors: tuple[str, ...]
    publisher: str
    date: str
    description: str
    keywords: tuple[str, ...]
    modified: datetime
    pages: tuple[tuple[str, str, str], ...]  # (file name, title, XHTML), in reading order
    cover_png: bytes
    cover_page: str  # XHTML
    files: tuple[EpubFile, ...]  # stylesheet, fonts, images
    accessibility: tuple[tuple[str, str], ...] = ()  # (meta property, value), e.g. schema:accessMode
    direction: str = "ltr"  # "rtl": the spine's page-progression-direction and the package's dir
    doi: str = ""  # the brief's DOI, a second dc:identifier with the doi scheme
    url: str = ""  # the brief's canonical address, dc:source's neighbour: a third dc:identifier
    words: EpubWords = EpubWords()
    toc: tuple[TocEntry, ...] = ()  # nested; empty: one entry per page of `pages`


def build_epub(spec: EpubSpec) -> bytes:
    """Assemble the book and return reproducible EPUB bytes."""
    book = epub.EpubBook()
    describe(book, spec)
    book.set_cover("images/cover.png", spec.cover_png, create_page=False)
    cover = add_page(book, "cover.xhtml", spec.words.cover, spec.cover_page, spec.lang)
    pages = [add_page(book, name, title, xhtml, spec.lang) for name, title, xhtml in spec.pages]
    for f in spec.files:
        book.add_item(
            epub.EpubItem(uid=re.sub(r"\W", "-", f.name), file_name=f.name, media_type=f.media_type, content=f.content)
        )
    book.toc = [epub.Link(name, title, f"toc-{i}") for i, (name, title, _) in enumerate(spec.pages)]
    if spec.toc:
        book.toc = nested_toc(spec.toc, "toc")
    book.add_item(epub.EpubNcx())
    nav = epub.EpubNav(title=spec.words.contents, direction=spec.direction if spec.direction == "rtl" else None)
    book.add_item(nav)
    book.spine = [cover, *pages]
    book.guide = [
        {"href": spec.pages[0][0], "title": spec.words.start, "type": "bodymatter"},
        *({"href": n, "title": t, "type": "endnotes"} for n, t, _ in spec.pages if n == "notes.xhtml"),
    ]
    raw = io.BytesIO()
    # ebooklib logs some failures on the root logger, some only at INFO ('Could not create
    # metadata "subject".'), and drops the element: catch them all.
    with capture_logged("", "ebooklib", logging.INFO) as logged:
        try:
            epub.write_epub(
                raw,
                book,
                {
                    "epub3_pages": False,
                    "epub2_guide": False,
                    "mtime": datetime(*zip_time(spec.modified), tzinfo=None),
                    "raise_exceptions": True,
                    "landmark_title": spec.words.landmarks,
                    "package_direction": True,  # <package dir="rtl">: the metadata's text direction
                    # normalise_zip compresses every entry again: deflating 2 MB of fonts here too
                    # only cost time (level 0 stores them; the final bytes are the same).
                    "compresslevel": 0,
                },
            )
        except Exception as err:  # ebooklib raises bare exceptions of many kinds
            raise BriefError(None, None, f"EPUB writing failed: {err}", "report this as a bug") from err
    if logged:
        raise BriefError(None, None, f"EPUB writing problem: {logged[0]}", "report this as a bug")
    return normalise_zip(raw.getvalue(), spec)


def nested_toc(entries: tuple[TocEntry, ...], prefix: str) -> list:
    """ebooklib's nested toc: (Section, [children]) for an entry with children, else a Link."""
    made: list = []
    for i, entry in enumerate(entries):
        uid = f"{prefix}-{i}"
        if entry.children:
            made.append((epub.Section(entry.title, entry.href), nested_toc(entry.children, uid)))
        else:
            made.append(epub.Link(entry.href, entry.title, uid))
    return made


def describe(book: epub.EpubBook, spec: EpubSpec) -> None:
    book.set_identifier(spec.identifier)
    book.set_title(spec.title)
    book.set_language(spec.lang)
    if spec.direction == "rtl":  # EPUB 3.3, 5.6.2: a right-to-left book turns its pages leftwards
        book.set_direction("rtl")
    for i, name in enumerate(spec.authors):
        # ebooklib gives every creator the same id unless each has its own uid.
        book.add_author(name, uid=f"creator-{i + 1}")
    book.add_metadata("DC", "publisher", spec.publisher)
    if spec.date:
        book.add_metadata("DC", "date", spec.date)
    if spec.description:
        book.add_metadata("DC", "description", spec.description)
    for word in spec.keywords:
        book.add_metadata("DC", "subject", word)
    # EPUB 3.3 5.5.3.1: a package may have more than one dc:identifier; each names its scheme in
    # an identifier-type refinement from ONIX code list 5 (06: DOI, 01: proprietary, the URL).
    identifiers = [("doi", f"urn:doi:{spec.doi}", "06")] if spec.doi else []
    identifiers += [("url", spec.url, "01")] if spec.url else []
    for ident, value, code in identifiers:
        book.add_metadata("DC", "identifier", value, {"id": ident})
        refines = {"refines": f"#{ident}", "property": "identifier-type", "scheme": "onix:codelist5"}
        book.add_metadata(None, "meta", code, refines)
    for prop, value in spec.accessibility:
        book.add_metadata(None, "meta", value, {"property": prop})


def add_page(book: epub.EpubBook, name: str, title: str, xhtml: str, lang: str) -> epub.EpubItem:
    # A plain EpubItem keeps our XHTML as written; EpubHtml would drop the <head>.
    item = epub.EpubItem(
        uid=name.removesuffix(".xhtml"),
        file_name=name,
        media_type="application/xhtml+xml",
        content=xhtml.encode("utf-8"),
    )
    book.add_item(item)
    return item


ZipTime = tuple[int, int, int, int, int, int]


def zip_time(moment: datetime) -> ZipTime:
    """The moment as a zip entry's time: a zip (MS-DOS) date holds only the years 1980 to 2107,
    so earlier and later build times are clamped there; content.opf keeps the real date."""
    t = moment.timetuple()
    stamp: ZipTime = (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)
    return min(max(stamp, (1980, 1, 1, 0, 0, 0)), (2107, 12, 31, 23, 59, 58))


def normalise_zip(data: bytes, spec: EpubSpec) -> bytes:
    """Rewrite the zip: mimetype first and stored, fixed order and timestamps, OPF language."""
    stamp = zip_time(spec.modified)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        names = sorted(n for n in src.namelist() if n != "mimetype")
        for name in ["mimetype", *names]:
            content = src.read(name)
            if name.endswith(".opf"):
                content = patch_opf(content, spec.lang)
            elif name.endswith("nav.xhtml") and spec.direction == "rtl":
                content = patch_nav(content)
            if name.endswith("nav.xhtml") and spec.toc:
                content = mark_nav_languages(content, spec.toc, spec.lang)
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, content, compresslevel=6)
    return out.getvalue()


def patch_opf(content: bytes, lang: str) -> bytes:
    """ebooklib leaves xml:lang off <package>; EPUB Accessibility wants it."""
    text = content.decode("utf-8")
    text = re.sub(r"<package ", f'<package xml:lang="{lang}" ', text, count=1)
    return text.encode("utf-8")


def patch_nav(content: bytes) -> bytes:
    """ebooklib puts a nav document's direction on its <body> only; the root says it like every page."""
    return re.sub(rb"<html ", b'<html dir="rtl" ', content, count=1)


def mark_nav_languages(content: bytes, entries: tuple[TocEntry, ...], lang: str) -> bytes:
    """Give each nav link whose title is in another language than the book its lang and dir
    (ebooklib writes a title as bare text): an Urdu brief's title in an English pack's contents."""
    text = content.decode("utf-8")
    for entry in walk_toc(entries):
        if entry.lang and entry.lang != lang:
            link = f'<a href="{escape(entry.href)}">{escape(entry.title)}</a>'
            marked = (
                f'<a href="{escape(entry.href)}" lang="{entry.lang}" xml:lang="{entry.lang}" dir="{entry.direction}">'
            )
            text = text.replace(link, marked + escape(entry.title) + "</a>", 1)
    return text.encode("utf-8")


def walk_toc(entries: tuple[TocEntry, ...]):
    for entry in entries:
        yield entry
        yield from walk_toc(entry.children)

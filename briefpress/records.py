"""Small frozen records that cross module boundaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from briefpress.errors import BriefError, BuildWarning

T = TypeVar("T")


@dataclass(frozen=True)
class Author:
    name: str
    bio: str = ""  # Markdown
    email: str = ""
    affiliation: str = ""


@dataclass(frozen=True)
class Series:
    name: str = ""
    number: str = ""


@dataclass(frozen=True)
class Meta:
    """The brief's front matter, validated."""

    title: str
    subtitle: str = ""
    authors: tuple[Author, ...] = ()
    abstract: str = ""  # Markdown
    date: str = ""  # ISO date, empty when the manuscript gives none
    lang: str = "en"
    keywords: tuple[str, ...] = ()
    series: Series = Series()
    identifier: str = ""
    paper: str = ""
    bibliography: tuple[str, ...] = ()  # paths relative to the manuscript, as written
    csl: str = ""  # a CSL style file relative to the manuscript; empty: the brand's, else Chicago
    references: bool = False  # a References list after the notes
    doi: str = ""  # the brief's own DOI, e.g. 10.1234/isas.2026.1
    url: str = ""  # the brief's own canonical address

    @property
    def direction(self) -> str:
        """ "rtl" for a language written right to left, else "ltr"."""
        return text_direction(self.lang)


# Languages written right to left (issue 13), and the scripts that are, for a tag that names one
# ("sd-Deva" is Sindhi in Devanagari, left to right; "pa-Arab" is Punjabi in Shahmukhi, right to left).
RTL_LANGUAGES = {"ur", "ar", "fa", "ps", "sd", "ug", "he", "dv"}
RTL_SCRIPTS = {"arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg"}


def text_direction(lang: str) -> str:
    """The writing direction of a BCP 47 tag: its script subtag decides when it has one."""
    primary, *rest = lang.lower().split("-")
    script = next((part for part in rest if len(part) == 4 and part.isalpha()), None)
    if script is not None:
        return "rtl" if script in RTL_SCRIPTS else "ltr"
    return "rtl" if primary in RTL_LANGUAGES else "ltr"


ENGLISH_MONTHS = tuple(
    "January February March April May June July August September October November December".split()
)  # not calendar.month_name, which follows the machine's locale


@dataclass(frozen=True)
class Labels:
    """The institute's own words around a brief (headings, captions, the words of navigation and
    the date), in the brief's language; `missing` names those the brand left in English."""

    summary: str = "Summary"
    notes: str = "Notes"
    about_author: str = "About the author"
    about_authors: str = "About the authors"
    table: str = "Table"
    figure: str = "Figure"
    references: str = "References"
    how_to_cite: str = "How to cite this brief"
    number: str = "No."  # before a series number: "ISAS Brief No. 1240"
    and_word: str = "and"  # between the last two authors
    by: str = "by"  # the cover's alt text: "Cover: title, by author"
    contents: str = "Contents"  # the EPUB's table of contents
    landmarks: str = "Landmarks"
    start: str = "Start of content"  # the EPUB's landmark for the brief's first page
    cover: str = "Cover"
    back_to_call: str = "Back to note call"  # a note number's link back to its call, for screen readers
    skip_to_brief: str = "Skip to the brief"  # the web edition's first link
    # What a screen reader says for a PDF link inside the brief: go_to around where it leads ({}).
    go_to: str = "Go to {}"
    to_section: str = "section \u201c{}\u201d"  # {}: the heading's words
    to_note: str = "note {}"
    to_call: str = "the call of note {}"
    # A table too wide for a turned page, set in parts in the PDF: which columns a part shows, of how many.
    columns: str = "columns {} of {}"
    months: tuple[str, ...] = ENGLISH_MONTHS  # in the date: "5 March 2026"
    missing: tuple[str, ...] = ()


LABEL_KEYS = tuple(key for key in Labels.__dataclass_fields__ if key != "missing")
# How many {} a template label has: one for what it names; columns: the columns shown, and how many.
PLACES = {"go_to": 1, "to_section": 1, "to_note": 1, "to_call": 1, "columns": 2}


@dataclass(frozen=True)
class Staged(Generic[T]):
    """What a stage hands on: its value, the warnings to print, and the errors that stop the build
    (all of them, so that one run reports every problem)."""

    value: T
    warnings: tuple[BuildWarning, ...] = ()
    errors: tuple[BriefError, ...] = ()


@dataclass(frozen=True)
class Source:
    """A manuscript read from disk: front matter plus the Markdown text."""

    path: Path
    text: str  # the whole file, front matter included
    meta: Meta
    body_line: int  # 1-based line where the body starts
    markdown: str  # what pandoc parses: the text, or the fields a plain manuscript's layout gave
    warnings: tuple[BuildWarning, ...] = ()  # about the front matter: keys ignored, empty keywords


@dataclass(frozen=True)
class Note:
    """One endnote: a cited URL, a placeholder link, a Markdown footnote or a citation."""

    number: int
    kind: str  # "url", "placeholder", "footnote" or "citation"
    html: str  # the note's text as HTML
    calls: int = 1  # how many note calls point at it
    url: str = ""


@dataclass(frozen=True)
class FontFace:
    family: str
    path: Path
    weight: int = 400
    style: str = "normal"


@dataclass(frozen=True)
class Brand:
    """The institute's identity: read from styles/brand.yml."""

    path: Path
    name: str
    short_name: str
    home_url: str
    series_name: str
    disclaimer: str
    address: tuple[str, ...]
    contact: tuple[str, ...]
    logo: Path
    colors: dict[str, str] = field(hash=False)
    base_font: str = "serif"
    heading_font: str = "sans-serif"
    mono_font: str = ""  # typography.monospace: code, in a brief that has some
    fonts: tuple[FontFace, ...] = ()
    paper: str = "a4"
    labels: dict[str, Labels] = field(default_factory=dict, hash=False)  # by language tag, from meta.briefpress.labels
    csl: Path | None = None  # the brand's citation style (meta.briefpress.csl)
    url_pattern: str = ""  # a brief's address when it gives none: https://.../{slug}/
    # Families for the scripts the base and heading families lack, tried in this order after them;
    # language_fonts come first for a brief in that language: (("ur", ("Noto Nastaliq Urdu",)),).
    fallback_fonts: tuple[str, ...] = ()
    language_fonts: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # How far a family's letters reach past the side a line starts on: (("Noto Nastaliq Urdu", "0.4em"),).
    start_overhangs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Bibliography:
    """What pandoc's citeproc reads: the checked bibliography files and the CSL style."""

    files: tuple[Path, ...]
    csl: Path


@dataclass(frozen=True)
class Document:
    """A brief ready for templates: every Markdown part already rendered to HTML."""

    meta: Meta
    brand: Brand
    abstract_html: str
    summary_text: str  # the summary as plain text, for metadata
    bios_html: tuple[str, ...]
    body_html: str
    notes: tuple[Note, ...]
    build_time: datetime
    identifier: str
    source_path: Path
    assets: tuple[Asset, ...] = ()  # images the manuscript uses, checked and read
    labels: Labels = Labels()  # in the brief's language when the brand gives them
    references_html: str = ""  # the References list, when the brief asks for one
    url: str = ""  # the brief's canonical address: its own, else the brand's pattern
    cite_html: str = ""  # "How to cite this brief": its entry in the brand's citation style


@dataclass(frozen=True)
class Asset:
    """An image from the manuscript: where it was named, and its checked bytes."""

    url: str  # as written in the manuscript
    name: str  # its file name inside the EPUB, e.g. images/img-1a2b3c4d5e.png
    content: bytes = field(repr=False)
    media_type: str


@dataclass(frozen=True)
class Edition:
    """One kind of file a build makes of a brief. Every list of editions is derived from EDITIONS."""

    name: str  # what --format names, Artifact.kind, the cache's file name
    suffix: str  # after the brief's file stem: brief-print.pdf
    renderer: str  # the library that makes it; "weasyprint" editions go to the PDF workers
    title: str  # what the catalogue and its feed call it
    word: str  # what messages call it: "the print edition", the preview's timings
    made: int  # made in this order in one process: cheapest first, so the preview shows the web page first
    listed: int | None = None  # its place in the catalogue's list; None: not listed (the card)
    cost: int = 0  # rough render time in tenths of a second, for sharing the PDFs among workers
    variant: str = ""  # the standard a PDF is written to (WeasyPrint's pdf_variant) and checked against
    companion_of: str = ""  # written with that edition rather than asked for by --format
    drafted: bool = False  # the preview shows its pages first, as a draft

    @property
    def tagged(self) -> bool:
        """A tagged PDF (PDF/UA-1, or PDF/A-3a, whose level "a" is tagged)."""
        return bool(self.variant)


# Every file a build can make of a brief, in the order they are listed (SHA256SUMS, the cache).
# The PDF variants: tagged PDF/UA-1 for distribution and print; PDF/A-3a for the archive, because
# PDF/A-3 is the only PDF/A part that may embed a non-PDF file such as the manuscript. The card is
# the web page's picture for link previews (its og:image), written beside it.
EDITIONS = (
    Edition("pdf", ".pdf", "weasyprint", "PDF", "PDF", made=2, listed=1, cost=5, variant="pdf/ua-1", drafted=True),
    Edition(
        "print",
        "-print.pdf",
        "weasyprint",
        "Print PDF",
        "print",
        made=3,
        listed=2,
        cost=4,
        variant="pdf/ua-1",
        drafted=True,
    ),
    Edition("epub", ".epub", "ebooklib", "EPUB", "EPUB", made=1, listed=3),
    Edition(
        "pdfa", "-archive.pdf", "weasyprint", "Archival PDF", "archive", made=4, listed=4, cost=5, variant="pdf/a-3a"
    ),
    Edition("html", ".html", "jinja2", "Web page", "web", made=0, listed=0),
    Edition("card", "-card.png", "pillow", "Card", "card", made=5, companion_of="html"),
)
EDITION = {e.name: e for e in EDITIONS}
EDITION_FILES = {e.name: e.suffix for e in EDITIONS}
PDF_VARIANTS = {e.name: e.variant for e in EDITIONS if e.tagged}
FORMATS = tuple(e.name for e in EDITIONS if not e.companion_of)  # what --format names
PDF_KINDS = tuple(e.name for e in EDITIONS if e.renderer == "weasyprint")  # the editions WeasyPrint lays out


def edition_kinds(formats: tuple[str, ...]) -> tuple[str, ...]:
    """The kinds of file a build of these formats makes: each format, and its companions."""
    return tuple(e.name for e in EDITIONS if e.name in formats or e.companion_of in formats)


def making_order(kinds) -> list[str]:
    """These editions in the order one process makes them: cheapest first."""
    return sorted(kinds, key=lambda kind: EDITION[kind].made)


@dataclass(frozen=True)
class BuildConfig:
    sources: tuple[Path, ...]
    out_dir: Path
    formats: tuple[str, ...] = ("pdf", "print", "epub")
    brand_path: Path = Path("styles/brand.yml")
    strict: bool = False
    paper: str = ""
    press: bool = False  # bleed and crop marks for a print shop
    source_date_epoch: str | None = None
    allow_remote: bool = False  # fetch http(s) images named in the manuscript
    jobs: int = 1  # processes that render editions (or, in a series, briefs) side by side
    cache_dir: Path | None = None  # where finished editions are kept by content hash; None: no cache
    keep_dir: Path | None = None  # the project's cache folder, for all a build keeps (cache_dir is in it)
    references: bool = False  # a References list after the notes of every brief (--references)


@dataclass(frozen=True)
class Artifact:
    """One file written by the build."""

    path: Path
    kind: str
    size: int


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF as an associated file (PDF/A-3: /AF with /AFRelationship)."""

    name: str
    content: bytes = field(repr=False)
    description: str
    relationship: str  # "Source", "Data", "Supplement", ... (ISO 32000-2, 7.11.3)
    modified: datetime  # fixed, so the bytes are reproducible (WeasyPrint defaults to now)


@dataclass(frozen=True)
class Stylesheet:
    """CSS for the PDF renderer, with the brand file it comes from (for messages)."""

    path: Path
    text: str


@dataclass(frozen=True)
class RenderProblem:
    """One thing the PDF renderer logged: its text, the style sheet it was parsing, if any, and
    the strings it names (a URL, an anchor), by which the manuscript line can be found."""

    message: str
    sheet: Path | None = None
    sheet_line: int | None = None
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class PackPart:
    """A part of a briefing pack: its title (empty for briefs listed outside any part), its briefs
    and the manifest line of each."""

    title: str
    briefs: tuple[Path, ...]
    lines: tuple[int, ...]


@dataclass(frozen=True)
class PackManifest:
    """A briefing pack's manifest, checked: several briefs printed and read as one pack."""

    path: Path
    title: str
    short_title: str  # in the running footer beside each brief's title
    subtitle: str = ""
    date: str = ""  # ISO date of the meeting
    marking: str = ""  # a handling line printed on every page
    lang: str = "en"  # the pack's own pages; each brief keeps its own language
    foreword: Path | None = None  # Markdown
    parts: tuple[PackPart, ...] = ()

    @property
    def briefs(self) -> tuple[Path, ...]:
        return tuple(brief for part in self.parts for brief in part.briefs)


# The files a pack build can make, by kind -> file name ending: visit.yml gives visit.pdf ...
PACK_FILES = {"pdf": ".pdf", "print": "-print.pdf", "booklet": "-booklet.pdf", "epub": ".epub"}


@dataclass(frozen=True)
class BookletOptions:
    """How the print pack is imposed for saddle stitching."""

    sheet: str = "a4"  # the paper the booklet is printed on: a4 gives A5 pages, a3 gives A4 pages
    short_edge: bool = False  # duplex printers that flip on the short edge
    creep_mm: float | None = None  # each sheet's shift towards the spine; None: from the page count
    marks: bool = False  # fold and crop marks


@dataclass(frozen=True)
class PackConfig:
    """A pack build: the manifest, the options its briefs are built with, and what to make."""

    manifest: Path
    build: BuildConfig  # brand, paper, press, strict, cache folder, output folder of the briefs
    formats: tuple[str, ...] = tuple(PACK_FILES)
    booklet: BookletOptions = BookletOptions()

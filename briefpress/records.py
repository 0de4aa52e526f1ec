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


@dataclass(frozen=True)
class Note:
    """One endnote: a cited URL, a placeholder link or a Markdown footnote."""

    number: int
    kind: str  # "url", "placeholder" or "footnote"
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
    fonts: tuple[FontFace, ...] = ()
    paper: str = "a4"
    # Families for the scripts the base and heading families lack, tried in this order after them;
    # language_fonts come first for a brief in that language: (("ur", ("Noto Nastaliq Urdu",)),).
    fallback_fonts: tuple[str, ...] = ()
    language_fonts: tuple[tuple[str, tuple[str, ...]], ...] = ()


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


@dataclass(frozen=True)
class Asset:
    """An image from the manuscript: where it was named, and its checked bytes."""

    url: str  # as written in the manuscript
    name: str  # its file name inside the EPUB, e.g. images/img-1a2b3c4d5e.png
    content: bytes = field(repr=False)
    media_type: str


# Every edition a build can make, in the order they are made and listed: kind -> file name ending.
EDITION_FILES = {"pdf": ".pdf", "print": "-print.pdf", "epub": ".epub", "pdfa": "-archive.pdf", "html": ".html"}


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

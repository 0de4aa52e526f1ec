"""A briefing pack's HTML and its PDF: several composed briefs laid out as ONE WeasyPrint document.

Concatenating finished PDFs loses tags, links and page counters (WeasyPrint's maintainer calls it
"logically broken", Kozea/WeasyPrint#1662), so the pack is one HTML document: each brief's section
starts on a right-hand page (break-before: recto), the contents find its first page with
target-counter, and the page counter runs on. Each brief's ids are prefixed with its own anchor,
so that its notes are numbered from 1 and their calls and backlinks stay inside it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from lxml import html as lxml_html
from markupsafe import Markup

from briefpress.compose.assets import data_url, with_image_sources
from briefpress.errors import BriefError
from briefpress.records import (
    ENGLISH_MONTHS,
    Brand,
    Document,
    FontFace,
    PackManifest,
    RenderProblem,
    Stylesheet,
    text_direction,
)
from briefpress.render.editions import ProblemExplainer, pdf_css, pdf_roots
from briefpress.render.pdfmarkup import drop_links, label_headings, link_descriptions, split_fragment_tables
from briefpress.render.styles import start_overhang
from briefpress.render.templates import isolate_for_pdf, pdf_markup, render, render_style, text_direction_of

REFERRING = ("aria-labelledby", "aria-describedby", "headers", "for")  # attributes that name ids


@dataclass(frozen=True)
class PackWords:
    """The pack's own words, in its language: the brand's labels for it where it has them."""

    contents: str = "Contents"
    foreword: str = "Foreword"  # no brand label names it
    months: tuple[str, ...] = ENGLISH_MONTHS


def pack_words(manifest: PackManifest, docs: tuple[Document, ...]) -> PackWords:
    """The labels of a brief in the pack's language (the brand chose them for that language), else English."""
    labels = next((doc.labels for doc in docs if doc.meta.lang == manifest.lang), None)
    return PackWords(contents=labels.contents, months=labels.months) if labels else PackWords()


@dataclass(frozen=True)
class PackEntry:
    """One brief as the pack's template and contents see it."""

    anchor: str  # its section's id, and the prefix of every id inside it: b1, b2 ...
    title: str
    authors: str
    lang: str
    direction: str
    html: Markup


@dataclass(frozen=True)
class PackSection:
    title: str  # empty: briefs listed outside any part
    anchor: str
    entries: tuple[PackEntry, ...]


def pack_sections(manifest: PackManifest, docs: tuple[Document, ...], fragment) -> tuple[PackSection, ...]:
    """The manifest's parts with their composed briefs, each turned into markup by fragment(doc, anchor, in_part)."""
    sections, number = [], 0
    for index, part in enumerate(manifest.parts, start=1):
        entries = []
        for _ in part.briefs:
            doc = docs[number]
            number += 1
            anchor = f"b{number}"
            authors = ", ".join(a.name for a in doc.meta.authors)
            entries.append(
                PackEntry(
                    anchor,
                    doc.meta.title,
                    authors,
                    doc.meta.lang,
                    doc.meta.direction,
                    fragment(doc, anchor, bool(part.title)),
                )
            )
        sections.append(PackSection(part.title, f"part-{index}", tuple(entries)))
    return tuple(sections)


def render_brief_fragment(doc: Document, anchor: str, *, in_part: bool, short_title: str, logo_src: str) -> str:
    """One brief's section of the pack, its ids its own."""
    markup = render(
        "pack-brief.html.j2",
        doc.brand.path.parent,
        doc=doc,
        anchor=anchor,
        in_part=in_part,
        short_title=short_title,
        logo_src=logo_src,
        x=pdf_markup,
    )
    markup = split_fragment_tables(prefix_ids(markup, anchor, depth=2 if in_part else 1), doc.labels)
    return isolate_for_pdf(markup) if doc.meta.direction == "rtl" else markup


def prefix_ids(fragment: str, anchor: str, *, depth: int = 1) -> str:
    """Every id inside the section, and every reference to one, prefixed with anchor: note-3 becomes
    b2-note-3 in the second brief; the section keeps its own id and its title gets anchor-title.
    Its headings go depth levels down (see deepen_headings)."""
    section = lxml_html.fragment_fromstring(fragment)
    deepen_headings(section, depth)
    prefix = f"{anchor}-"
    for element in section.iterdescendants():
        if not isinstance(element.tag, str):
            continue
        if element.get("id"):
            element.set("id", prefix + element.get("id"))
        href = element.get("href")
        if href and href.startswith("#") and len(href) > 1:
            element.set("href", "#" + prefix + href[1:])
        for name in REFERRING:
            if element.get(name):
                element.set(name, " ".join(prefix + ident for ident in element.get(name).split()))
    title = section.find('.//*[@class="title"]')
    if title is not None:
        title.set("id", f"{anchor}-title")
    return lxml_html.tostring(section, encoding="unicode")


HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def deepen_headings(root, depth: int) -> None:
    """Move every heading depth levels down (h1 to h3 for a brief in a part), keeping its level as
    written as a class (h-1, h-2 ...) for the pack's style sheet: the tags, and so the PDF's
    structure and its outline, nest pack, part, brief, heading (PDF/UA-1 7.4: bookmarks follow
    the headings). Below h6 there is no tag: the deepest headings share it."""
    if depth == 0:
        return
    for heading in list(root.iter(*HEADINGS)):
        level = int(heading.tag[1])
        heading.set("class", " ".join(filter(None, (heading.get("class"), f"h-{level}"))))
        heading.tag = f"h{min(level + depth, 6)}"


def deepened(fragment: str, depth: int) -> str:
    """An HTML fragment (the foreword) with its headings depth levels down."""
    if not fragment.strip():
        return fragment
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    deepen_headings(root, depth)
    return (root.text or "") + "".join(lxml_html.tostring(child, encoding="unicode") for child in root)


def render_pack_html(
    manifest: PackManifest,
    sections: tuple[PackSection, ...],
    *,
    brand: Brand,
    build_time: datetime,
    edition: str,
    logo_src: str,
    foreword_html: str = "",
    words: PackWords = PackWords(),
) -> str:
    """The whole pack as one HTML document."""
    authors = dict.fromkeys(name for s in sections for e in s.entries for name in e.authors.split(", ") if name)
    return render(
        "pack.html.j2",
        brand.path.parent,
        pack=manifest,
        direction=text_direction(manifest.lang),
        parts=sections,
        titled_parts=any(s.title for s in sections),
        authors=tuple(authors),
        description="; ".join(e.title for s in sections for e in s.entries),
        build_time=build_time,
        edition=edition,
        logo_src=logo_src,
        brand=brand,
        foreword_html=Markup(deepened(foreword_html, 2)),  # under the foreword's own h2
        words=words,
        isolate=lambda text: (
            f"\u2068{text}\u2069" if text_direction_of(text) != text_direction(manifest.lang) else text
        ),
    )


def pack_brand(docs: tuple[Document, ...]) -> Brand:
    """The brand with every face and fallback family any brief of the pack was narrowed to."""
    brand = docs[0].brand
    faces: dict[FontFace, None] = dict.fromkeys(face for doc in docs for face in doc.brand.fonts)
    fallbacks = dict.fromkeys(f for doc in docs for f in doc.brand.fallback_fonts)
    mono = next((doc.brand.mono_font for doc in docs if doc.brand.mono_font), "")
    return dataclasses.replace(
        brand, fonts=tuple(faces), fallback_fonts=tuple(fallbacks), mono_font=mono, start_overhangs=()
    )


def pack_css(
    docs: tuple[Document, ...], anchors: tuple[str, ...], *, direction: str, paper: str, edition: str, press: bool
) -> list[Stylesheet]:
    """The PDF edition's sheets for the pack's brand, then the pack's own."""
    brand = pack_brand(docs)
    sheets = pdf_css(brand, direction=direction, paper=paper, edition=edition, press=press)
    overhangs = [
        (anchor, "right" if doc.meta.direction == "rtl" else "left", start_overhang(doc.brand))
        for doc, anchor in zip(docs, anchors, strict=True)
        if start_overhang(doc.brand)
    ]
    text = render_style("pack.css.j2", brand, print=edition == "print", overhangs=overhangs)
    return [*sheets, Stylesheet(brand.path.parent / "pack.css.j2", text)]


def make_pack_pdf(
    manifest: PackManifest,
    docs: tuple[Document, ...],
    *,
    paper: str,
    edition: str = "pdf",
    press: bool = False,
    foreword_html: str = "",
) -> bytes:
    """The pack's distribution ("pdf") or print ("print") edition: one render, tagged PDF/UA-1."""
    from briefpress.render.editions import DISTRIBUTION_VARIANT, claimed_variant
    from briefpress.render.packtags import declare_languages
    from briefpress.render.pdf import render_pdf
    from briefpress.render.pdftags import finish_tagged_pdf

    docs = tuple(with_image_sources(doc, data_url) for doc in docs)  # WeasyPrint reads no manuscript file
    brand = docs[0].brand
    logo = brand.logo.as_uri()

    def fragment(doc: Document, anchor: str, in_part: bool) -> Markup:
        short = manifest.short_title
        return Markup(render_brief_fragment(doc, anchor, in_part=in_part, short_title=short, logo_src=logo))

    sections = pack_sections(manifest, docs, fragment)
    build_time = max(doc.build_time for doc in docs)
    page = render_pack_html(
        manifest,
        sections,
        brand=brand,
        build_time=build_time,
        edition=edition,
        logo_src=logo,
        foreword_html=foreword_html,
        words=pack_words(manifest, docs),
    )
    page = label_headings(page)
    if edition == "print":
        page = drop_links(page)  # on paper a link is text; its address is in the notes
    anchors = tuple(e.anchor for s in sections for e in s.entries)
    descriptions = {}
    for doc, entry in zip(docs, (e for s in sections for e in s.entries), strict=True):
        descriptions.update(link_descriptions(str(entry.html), doc.labels))
        descriptions[entry.anchor] = doc.labels.go_to.format(doc.meta.title)
    descriptions["pack-foreword"] = f"Go to the {PackWords().foreword.lower()}"
    descriptions.update({s.anchor: f"Go to part “{s.title}”" for s in sections if s.title})
    source_folders = {doc.source_path.parent for doc in docs}
    pdf = render_pdf(
        page,
        css=pack_css(docs, anchors, direction=text_direction(manifest.lang), paper=paper, edition=edition, press=press),
        base_dir=manifest.path.parent,
        roots=tuple(dict.fromkeys(root for doc in docs for root in pdf_roots(pack_brand(docs), doc.source_path)))
        + tuple(source_folders),
        source=manifest.path,
        explain=PackExplainer(manifest, docs),
        variant=claimed_variant(DISTRIBUTION_VARIANT, page),
    )
    finished = finish_tagged_pdf(pdf, link_descriptions=descriptions)
    return declare_languages(
        finished, other_languages(manifest, sections), piece_anchors(sections, bool(foreword_html))
    )


def other_languages(manifest: PackManifest, sections: tuple[PackSection, ...]) -> dict[str, str]:
    """Each brief in another language than the pack's, by its anchor."""
    return {e.anchor: e.lang for s in sections for e in s.entries if e.lang != manifest.lang}


def piece_anchors(sections: tuple[PackSection, ...], foreword: bool) -> tuple[str, ...]:
    """The id of each piece of the pack, in order: where each starts bounds the one before."""
    pieces = ["pack-title", "pack-contents", *(["pack-foreword"] if foreword else [])]
    for section in sections:
        pieces += [section.anchor] if section.title else []
        pieces += [entry.anchor for entry in section.entries]
    return (*pieces, "pack-institute")


class PackExplainer:
    """What WeasyPrint logged, at the line of the brief it concerns when one says so, else the manifest."""

    def __init__(self, manifest: PackManifest, docs: tuple[Document, ...]):
        self.manifest, self.explainers = manifest, [ProblemExplainer(doc) for doc in docs]

    def __call__(self, problem: RenderProblem) -> BriefError:
        for explain in self.explainers:
            error = explain(problem)
            if error.line is not None or problem.sheet is not None:
                return error
        return BriefError(
            self.manifest.path, None, f"PDF rendering problem: {problem.message}", "fix the pack's briefs"
        )


__all__ = ["make_pack_pdf", "render_pack_html"]

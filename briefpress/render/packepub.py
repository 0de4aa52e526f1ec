"""A briefing pack as one EPUB 3: the pack's cover, its foreword, then each brief's own pages (its
text, its notes numbered from 1, its bios) in its own language and direction; the nav nested
pack, part, brief, headings. Assembled by epub.py as a brief's EPUB is."""

from __future__ import annotations

import dataclasses
import re
import uuid

from lxml import etree
from markupsafe import Markup

from briefpress.compose.assets import with_image_sources
from briefpress.compose.htmltree import html_escape, link_across, to_xhtml
from briefpress.records import Document, Labels, Meta, PackManifest, text_direction
from briefpress.render.epub import FONT_TYPE, EpubFile, EpubSpec, EpubWords, TocEntry, build_epub
from briefpress.render.pack import pack_brand
from briefpress.render.styles import MEDIA_TYPES, edition_css, joined_css, read_bytes
from briefpress.render.templates import epub_page_titles, render, render_epub_cover, render_epub_pages

XHTML = "{http://www.w3.org/1999/xhtml}"
BRIEF_PAGES = re.compile(r'href="(brief|notes|about)\.xhtml')


def make_pack_epub(manifest: PackManifest, docs: tuple[Document, ...], *, foreword_html: str = "") -> bytes:
    """The pack's EPUB 3 edition."""
    from briefpress.compose.a11y import accessibility_metadata, survey
    from briefpress.render.cover import render_cover
    from briefpress.render.fonts.fit import webfont_files, webfont_name
    from briefpress.render.fonts.woff import QUICK

    docs = tuple(with_image_sources(doc, lambda asset: asset.name) for doc in docs)
    pack = pack_document(manifest, docs)
    brand = pack.brand
    logo_name = "images/logo" + brand.logo.suffix
    fonts = webfont_files(pack, quality=QUICK)
    css_brand = dataclasses.replace(brand, fonts=tuple(face for face, _ in fonts))
    css = joined_css(edition_css(css_brand, "epub", font_url=lambda face: f"../fonts/{webfont_name(face)}"))
    pages: list[tuple[str, str, str]] = []
    if foreword_html:
        pages.append(("foreword.xhtml", "Foreword", foreword_page(pack, foreword_html)))
    toc = [TocEntry("Foreword", "foreword.xhtml")] if foreword_html else []
    number = 0
    for part in manifest.parts:
        entries = []
        for _ in part.briefs:
            doc = docs[number]
            number += 1
            brief_pages = brief_files(doc, f"b{number}-", logo_name)
            pages += brief_pages
            entries.append(brief_toc(doc, brief_pages))
        # A part's entry leads to its first brief: the NCX has no entry without a target.
        toc += [TocEntry(part.title, entries[0].href, tuple(entries))] if part.title else entries
    assets = {asset.name: asset for doc in docs for asset in doc.assets}
    files = [
        EpubFile("styles/brief.css", css.encode("utf-8"), "text/css"),
        EpubFile(logo_name, read_bytes(brand.logo), MEDIA_TYPES.get(brand.logo.suffix, "image/png")),
        *(EpubFile(f"fonts/{webfont_name(face)}", data, FONT_TYPE) for face, data in fonts),
        *(EpubFile(a.name, a.content, a.media_type) for a in assets.values()),
    ]
    meta = pack.meta
    cover = render_cover(
        title=meta.title,
        subtitle=meta.subtitle,
        authors=(),
        series_label=brand.name,
        brand=brand,
        direction=meta.direction,
    )
    cover_page = render_epub_cover(pack)
    spec = EpubSpec(
        identifier=pack.identifier,
        title=meta.title,
        lang=meta.lang,
        authors=tuple(a.name for a in meta.authors),
        publisher=brand.name,
        date=meta.date,
        description="; ".join(doc.meta.title for doc in docs),
        keywords=(),
        modified=pack.build_time,
        pages=tuple(pages),
        cover_png=cover,
        cover_page=cover_page,
        files=tuple(files),
        accessibility=accessibility_metadata(
            survey([cover_page, *(xhtml for _, _, xhtml in pages)]), has_toc=True, certifier=brand.name
        ),
        direction=meta.direction,
        words=EpubWords(pack.labels.contents, pack.labels.landmarks, pack.labels.start, pack.labels.cover),
        toc=tuple(toc),
    )
    return build_epub(spec)


def pack_document(manifest: PackManifest, docs: tuple[Document, ...]) -> Document:
    """The pack as one Document: its cover's and its metadata's words, and every brief's text
    together, so that the fonts are cut to all of it."""
    authors = tuple({a.name: a for doc in docs for a in doc.meta.authors}.values())
    labels = next((doc.labels for doc in docs if doc.meta.lang == manifest.lang), Labels())
    words = " ".join(
        [manifest.title, manifest.subtitle, manifest.marking]
        + [w for doc in docs for w in dataclasses.astuple(doc.labels) if isinstance(w, str)]
    )
    first = docs[0]
    identity = "\n".join([manifest.title, manifest.date, *(doc.identifier for doc in docs)])
    return dataclasses.replace(
        first,
        meta=Meta(
            title=manifest.title, subtitle=manifest.subtitle, authors=authors, date=manifest.date, lang=manifest.lang
        ),
        brand=pack_brand(docs),
        abstract_html="".join(doc.abstract_html for doc in docs),
        body_html="".join(doc.body_html for doc in docs) + f"<p>{html_escape(words)}</p>",
        bios_html=tuple(b for doc in docs for b in doc.bios_html),
        notes=tuple(n for doc in docs for n in doc.notes),
        references_html="".join(doc.references_html for doc in docs),
        cite_html="".join(doc.cite_html for doc in docs),
        identifier=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, identity)}",
        build_time=max(doc.build_time for doc in docs),
        labels=labels,
        assets=(),
    )


def brief_files(doc: Document, prefix: str, logo_name: str) -> list[tuple[str, str, str]]:
    """The brief's XHTML pages as its own EPUB has them, their names (and the links between them) prefixed."""
    titles = epub_page_titles(doc)
    pages = link_across(render_epub_pages(doc, logo_src=logo_name))
    return [
        (prefix + name, titles[name], BRIEF_PAGES.sub(rf'href="{prefix}\1.xhtml', xhtml))
        for name, xhtml in pages.items()
        if name != "notes.xhtml" or doc.notes
    ]


def brief_toc(doc: Document, pages: list[tuple[str, str, str]]) -> TocEntry:
    """The brief in the nav: its title, then its headings (h3 under h2), its notes and its bios."""
    (first, _, xhtml), *others = pages
    language = (doc.meta.lang, doc.meta.direction)
    headings: list[TocEntry] = []
    for element in etree.fromstring(xhtml.encode("utf-8")).iter(f"{XHTML}h2", f"{XHTML}h3"):
        ident, text = element.get("id"), " ".join("".join(element.itertext()).split())
        if not ident or not text:
            continue
        entry = TocEntry(text, f"{first}#{ident}", (), *language)
        if element.tag == f"{XHTML}h3" and headings:
            last = headings.pop()
            entry = dataclasses.replace(last, children=(*last.children, entry))
        headings.append(entry)
    headings += [TocEntry(title, name, (), *language) for name, title, _ in others]
    return TocEntry(doc.meta.title, first, tuple(headings), *language)


def foreword_page(pack: Document, foreword_html: str) -> str:
    return render(
        "epub/pack-page.xhtml.j2",
        pack.brand.path.parent,
        lang=pack.meta.lang,
        direction=text_direction(pack.meta.lang),
        title="Foreword",
        body=Markup(to_xhtml(foreword_html)),
    )

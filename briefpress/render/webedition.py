"""Make the web edition: one self-contained, accessible HTML page (no outside library)."""

from __future__ import annotations

import base64
import dataclasses
import json
from urllib.parse import urljoin

from briefpress.compose.assets import data_url, with_image_sources
from briefpress.compose.citation import series_label, title_of
from briefpress.records import EDITION_FILES, Brand, Document
from briefpress.render.cover import CARD_HEIGHT, CARD_WIDTH
from briefpress.render.fonts.fit import webfont_files
from briefpress.render.styles import MEDIA_TYPES, edition_css, joined_css, read_bytes
from briefpress.render.templates import render_web_html


def make_html(doc: Document) -> bytes:
    """The brief as one HTML page with its CSS, fonts and logo inline and no other files."""
    # The brief's faces, subset to its text, as WOFF2 data: URLs (the same files as the EPUB's).
    fonts = {
        face: "data:font/woff2;base64," + base64.b64encode(data).decode("ascii") for face, data in webfont_files(doc)
    }
    brand = dataclasses.replace(doc.brand, fonts=tuple(fonts))
    doc = with_image_sources(doc, data_url)  # the manuscript's checked images, inline
    css = joined_css(edition_css(brand, "html", font_url=fonts.__getitem__))
    tags, json_ld = page_metadata(doc)
    return render_web_html(doc, css=css, logo_src=logo_data_url(brand), tags=tags, json_ld=json_ld).encode("utf-8")


def page_metadata(doc: Document) -> tuple[tuple[tuple[str, str, str], ...], str]:
    """What Google Scholar (Highwire Press tags), link previews (Open Graph, Twitter cards) and
    search engines (schema.org JSON-LD) read: (attribute, key, content) for each <meta>, and the
    JSON-LD, with "<" escaped so that no string can close its <script>."""
    meta, brand = doc.meta, doc.brand
    title = title_of(meta)
    pdf_url = beside(doc, "pdf")
    series = meta.series.name or brand.series_name
    tags: list[tuple[str, str, str]] = [("name", "citation_title", title)]
    tags += [("name", "citation_author", a.name) for a in meta.authors]
    if meta.date:
        tags.append(("name", "citation_publication_date", meta.date.replace("-", "/")))
    tags += [
        ("name", "citation_publisher", brand.name),
        ("name", "citation_technical_report_institution", brand.name),
    ]
    if meta.series.number:
        tags.append(("name", "citation_technical_report_number", meta.series.number))
    if meta.doi:
        tags.append(("name", "citation_doi", meta.doi))
    if pdf_url:
        tags += [("name", "citation_pdf_url", pdf_url), ("name", "citation_abstract_html_url", doc.url)]
    tags += [("name", "citation_language", meta.lang)]
    tags += [("property", "og:type", "article"), ("property", "og:title", title)]
    tags += [("property", "og:site_name", brand.name), ("property", "og:description", doc.summary_text)]
    if doc.url:
        tags.append(("property", "og:url", doc.url))
    if meta.date:
        tags.append(("property", "article:published_time", meta.date))
    card = beside(doc, "card")  # an absolute URL: link previews do not resolve a relative og:image
    if card:
        tags += [("property", "og:image", card), ("property", "og:image:type", "image/png")]
        tags += [("property", "og:image:width", str(CARD_WIDTH)), ("property", "og:image:height", str(CARD_HEIGHT))]
        tags += [("property", "og:image:alt", card_alt(doc))]
    tags += [("name", "twitter:card", "summary_large_image" if card else "summary"), ("name", "twitter:title", title)]
    tags += [("name", "twitter:description", doc.summary_text)]
    if card:
        tags += [("name", "twitter:image", card), ("name", "twitter:image:alt", card_alt(doc))]
    report: dict = {"@context": "https://schema.org", "@type": "Report", "name": title, "headline": meta.title}
    if meta.authors:
        report["author"] = [{"@type": "Person", "name": a.name} for a in meta.authors]
    report["publisher"] = {
        "@type": "Organization",
        "name": brand.name,
        **({"url": brand.home_url} if brand.home_url else {}),
    }
    if meta.date:
        report["datePublished"] = meta.date
    report["inLanguage"] = meta.lang
    if series:
        report["isPartOf"] = {"@type": "CreativeWorkSeries", "name": series}
    if meta.series.number:
        report["reportNumber"] = meta.series.number
    if meta.doi:
        report["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": meta.doi}
        report["sameAs"] = f"https://doi.org/{meta.doi}"
    if doc.url:
        report["url"] = doc.url
    if doc.summary_text:
        report["abstract"] = doc.summary_text
    if meta.keywords:
        report["keywords"] = list(meta.keywords)
    text = json.dumps(report, ensure_ascii=False, indent=1).replace("<", "\\u003c")
    return tuple(tags), text


def beside(doc: Document, kind: str) -> str:
    """The absolute address of one of the brief's files posted beside its page (the brief's URL),
    or "" when the brief has no URL."""
    return urljoin(doc.url, f"{doc.source_path.stem}{EDITION_FILES[kind]}") if doc.url else ""


def card_alt(doc: Document) -> str:
    """What the card shows, in words ("by" only in English: the brand has no label for it)."""
    meta = doc.meta
    names = ", ".join(a.name for a in meta.authors)
    by = ", by " if meta.lang.lower().split("-")[0] == "en" else " \u00b7 "
    return f"{series_label(meta, doc.brand, doc.labels.number)}: {meta.title}" + (f"{by}{names}" if names else "")


def logo_data_url(brand: Brand) -> str:
    """The brand's logo as a data: URL, so the page needs no image file beside it."""
    media_type = MEDIA_TYPES.get(brand.logo.suffix, "image/png")
    return f"data:{media_type};base64,{base64.b64encode(read_bytes(brand.logo)).decode('ascii')}"

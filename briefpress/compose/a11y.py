"""Derive the EPUB Accessibility 1.1 metadata from the content documents themselves.

Nothing here is asserted blindly: each schema.org value follows from what the XHTML contains
(https://www.w3.org/TR/epub-a11y-11/#sec-discovery). The conformance claim is made only when
the facts checkable at build time hold; the test suite and `--check` prove the rest with DAISY
Ace and epubcheck.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefpress.compose.htmltree import find_elements

CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
MEDIA = {"audio", "video", "object", "embed", "canvas"}


@dataclass(frozen=True)
class ContentFacts:
    """What the content documents contain, as far as accessibility metadata is concerned."""

    images: int
    images_with_alt: int  # a non-empty alt attribute
    headings: int
    aria_roles: int
    noterefs: int  # note calls (role doc-noteref) that link to the endnotes
    media: int  # audio, video and scripted content, whose hazards we cannot rule out
    documents_with_lang: int
    documents: int


def survey(documents: list[str]) -> ContentFacts:
    """Count images, their text alternatives, headings, ARIA roles and media in XHTML documents."""
    images = alts = headings = roles = noterefs = media = with_lang = 0
    for xhtml in documents:
        for name, attrs in find_elements(xhtml):
            images += name == "img"
            alts += name == "img" and bool(attrs.get("alt", "").strip())
            headings += name in HEADINGS
            roles += "role" in attrs
            noterefs += attrs.get("role") == "doc-noteref"
            media += name in MEDIA
            with_lang += name == "html" and bool(attrs.get("lang"))  # lang and xml:lang, both "lang" here
    return ContentFacts(
        images=images,
        images_with_alt=alts,
        headings=headings,
        aria_roles=roles,
        noterefs=noterefs,
        media=media,
        documents_with_lang=with_lang,
        documents=len(documents),
    )


def accessibility_metadata(facts: ContentFacts, *, has_toc: bool, certifier: str) -> tuple[tuple[str, str], ...]:
    """The package <meta property=...> entries, in a stable order."""
    all_alt = facts.images_with_alt == facts.images
    modes = ["textual", *(["visual"] if facts.images else [])]
    sufficient = [",".join(modes)] + (["textual"] if facts.images and all_alt else [])
    features = [
        name
        for name, present in (
            ("structuralNavigation", facts.headings > 0),
            ("tableOfContents", has_toc),
            ("readingOrder", True),  # one spine, one column: the order of the files is the reading order
            ("displayTransformability", True),  # reflowable, no fixed layout, sizes in relative units
            ("alternativeText", facts.images > 0 and all_alt),
            ("ARIA", facts.aria_roles > 0),
        )
        if present
    ]
    meta = [
        *(("schema:accessMode", m) for m in modes),
        *(("schema:accessModeSufficient", s) for s in sufficient),
        *(("schema:accessibilityFeature", f) for f in features),
        ("schema:accessibilityHazard", "none" if not facts.media else "unknown"),
        ("schema:accessibilitySummary", summary(facts, features)),
    ]
    if conforms(facts, has_toc):
        meta += [("dcterms:conformsTo", CONFORMANCE), ("a11y:certifiedBy", certifier)]
    return tuple(meta)


def conforms(facts: ContentFacts, has_toc: bool) -> bool:
    """The build-time preconditions of the WCAG AA claim: alt text, language, headings, no media."""
    return (
        facts.images_with_alt == facts.images
        and facts.documents_with_lang == facts.documents
        and facts.headings > 0
        and facts.media == 0
        and has_toc
    )


def summary(facts: ContentFacts, features: list[str]) -> str:
    """A plain-language accessibility summary built from the facts."""
    aids = [
        text
        for text, present in (
            ("a table of contents", "tableOfContents" in features),
            ("headings for navigation", "structuralNavigation" in features),
            ("endnotes linked to and from their calls", facts.noterefs > 0),
        )
        if present
    ]
    text = "This publication is reflowable text" + (f" with {join_and(aids)}." if aids else ".")
    if facts.images and "alternativeText" in features:
        count = {1: "Its one image has", 2: "Both its images, cover and logo, have"}.get(
            facts.images, f"All {facts.images} of its images, cover and logo included, have"
        )
        text += f" {count} text alternatives."
    elif facts.images:
        text += f" Only {facts.images_with_alt} of its {facts.images} images have text alternatives."
    text += (
        " It has no audio, video or flashing content."
        if not facts.media
        else " It contains media whose hazards were not assessed."
    )
    return text


def join_and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

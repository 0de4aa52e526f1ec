"""EPUB accessibility metadata follows the content: no claim that the content does not bear out."""

from __future__ import annotations

from briefpress.compose.a11y import CONFORMANCE, accessibility_metadata, survey

PAGE = (
    '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml" lang="en" '
    'xml:lang="en"><head><title>T</title></head><body><h1>Title</h1>{body}</body></html>'
)


def metadata(*bodies: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for prop, value in accessibility_metadata(
        survey([PAGE.format(body=b) for b in bodies]), has_toc=True, certifier="Institute"
    ):
        found.setdefault(prop, []).append(value)
    return found


def test_text_only_content_is_textual_and_claims_no_alternative_text():
    meta = metadata("<p>Words.</p>")
    assert meta["schema:accessMode"] == ["textual"]
    assert meta["schema:accessModeSufficient"] == ["textual"]
    assert "alternativeText" not in meta["schema:accessibilityFeature"]
    assert meta["dcterms:conformsTo"] == [CONFORMANCE]


def test_images_with_alt_text_are_visual_and_sufficient_as_text():
    meta = metadata('<img src="a.png" alt="A chart of river flows"/>', '<img src="b.png" alt="Logo"/>')
    assert meta["schema:accessMode"] == ["textual", "visual"]
    assert meta["schema:accessModeSufficient"] == ["textual,visual", "textual"]
    assert "alternativeText" in meta["schema:accessibilityFeature"]
    assert "Both its images" in meta["schema:accessibilitySummary"][0]


def test_an_image_without_alt_text_withdraws_the_claims():
    meta = metadata('<img src="a.png" alt="A chart"/>', '<img src="b.png"/>')
    assert meta["schema:accessModeSufficient"] == ["textual,visual"]
    assert "alternativeText" not in meta["schema:accessibilityFeature"]
    assert "dcterms:conformsTo" not in meta and "a11y:certifiedBy" not in meta
    assert "Only 1 of its 2 images" in meta["schema:accessibilitySummary"][0]


def test_media_makes_the_hazard_unknown_and_withdraws_conformance():
    meta = metadata('<video src="v.mp4"></video>')
    assert meta["schema:accessibilityHazard"] == ["unknown"]
    assert "dcterms:conformsTo" not in meta


def test_note_calls_and_headings_appear_in_the_summary():
    meta = metadata('<h2>Part</h2><p>Claim<a role="doc-noteref" href="#n1">1</a></p>')
    assert meta["schema:accessibilitySummary"][0].startswith(
        "This publication is reflowable text with a table of contents, headings for navigation "
        "and endnotes linked to and from their calls."
    )
    assert {"structuralNavigation", "ARIA"} <= set(meta["schema:accessibilityFeature"])

"""The fonts a brief needs: the brand's families, and the fallback families for the scripts its
text uses that they lack; a warning for each script no declared font covers; and the subset
WOFF2 files that the EPUB and the web page carry.

The PDF uses the same faces (WeasyPrint subsets them itself), so every edition is set in the
same fonts, and none comes from the machine.
"""

from __future__ import annotations

import dataclasses
import functools
import unicodedata
from collections.abc import Iterable
from html.entities import html5
from pathlib import Path

from briefpress.compose.htmltree import italic_places, plain_text
from briefpress.compose.safety import NeedleLocator
from briefpress.errors import BriefError, BuildWarning
from briefpress.records import LABEL_KEYS, Brand, Document, FontFace, Labels, Source, Staged
from briefpress.render.fonts.subset import SubsetError, subset_font
from briefpress.render.fonts.woff import SMALLEST, cmap_codepoints, sfnt_bytes, woff2_bytes

# Kept in every subset although the brief may not use them: what templates, CSS (list bullets,
# counters, text-transform) and a reader's hyphenation add to the text.
ALWAYS = (
    "".join(map(chr, range(0x20, 0x7F))) + "\u00a0\u00ad\u00b7\u2010\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026"
)
IGNORED = {"Cc", "Cf", "Zs", "Zl", "Zp"}  # controls, joiners, direction marks, spaces: no glyph of their own


def fit_fonts(doc: Document, source: Source) -> Staged[Document]:
    """The document with the brand narrowed to the faces its text needs: the brand's own
    families, then the fallback families that cover what those lack. Warn, per script, about
    characters that no declared font covers."""
    brand = doc.brand
    try:
        wanted = [c for c in sorted(set(brief_text(doc))) if unicodedata.category(c) not in IGNORED]
        # Body text is set in the base family, headings in the heading family: a character counts
        # as covered when both have it (Source Sans has 'ŋ', Source Serif has not).
        missing = set(wanted) - (family_chars(brand, (brand.base_font,)) & family_chars(brand, (brand.heading_font,)))
        chosen = []
        for family in fallback_order(brand, doc.meta.lang):
            if not missing:  # an English brief reads no fallback font at all
                break
            covered = missing & family_chars(brand, (family,))
            if covered and family not in chosen:
                chosen.append(family)
                missing -= covered
    except (OSError, ValueError, SubsetError) as err:
        return Staged(doc, errors=(BriefError(brand.path, None, f"cannot read a font: {err}", "fix typography.fonts"),))
    fitted = narrowed(brand, chosen, brand.mono_font if has_code(doc) else "")
    return Staged(dataclasses.replace(doc, brand=fitted), warnings=tuple(uncovered(missing, source, brand)))


def narrowed(brand: Brand, fallbacks: Iterable[str] = (), mono: str = "") -> Brand:
    """The brand with only these fallback families, and its monospace family only when mono names
    it: with none, what a brief in Latin script without code needs."""
    chosen = tuple(fallbacks)
    declared = set(brand.fallback_fonts) | {f for _, families in brand.language_fonts for f in families}
    unused = declared - set(chosen)
    if brand.mono_font not in (mono, brand.base_font, brand.heading_font):  # a family only code uses
        unused.add(brand.mono_font)
    faces = tuple(face for face in brand.fonts if face.family not in unused)
    return dataclasses.replace(brand, fonts=faces, fallback_fonts=chosen, language_fonts=(), mono_font=mono)


def has_code(doc: Document) -> bool:
    """Whether any part of the brief has code (inline or a block), which the monospace family sets."""
    fragments = [doc.abstract_html, doc.body_html, *doc.bios_html, *(note.html for note in doc.notes)]
    return any("<code" in fragment for fragment in fragments)


def fallback_order(brand: Brand, lang: str) -> list[str]:
    """The fallback families in the order they are tried: the brief's language's own first."""
    primary = lang.split("-")[0].lower()
    first = [family for code, families in brand.language_fonts if code == primary for family in families]
    return [*first, *brand.fallback_fonts]


def uncovered(missing: set[str], source: Source, brand: Brand) -> list[BuildWarning]:
    """One warning per script: its first uncovered character, where the manuscript has it."""

    lowered = source.text.lower()

    def written(char: str) -> str:  # as the manuscript has it: the character, or an HTML entity for it
        forms = (char, f"&#x{ord(char):x};", f"&#{ord(char)};", *(f"&{n};" for n in entity_names(char)))
        return next((form for form in forms if form.lower() in lowered), char)

    def position(char: str) -> tuple[int, str]:  # in the manuscript; the brand's words after it
        return lowered.find(written(char).lower()) % (len(source.text) + 1), char

    by_script: dict[str, list[str]] = {}
    for char in sorted(missing, key=position):  # scripts in the order the text meets them
        by_script.setdefault(script_name(char), []).append(char)
    locate = NeedleLocator(source.text)
    warnings = []
    for script, chars in by_script.items():
        char = chars[0]
        line = locate(written(char))
        more = f" and {len(chars) - 1} more {script} character(s)" if len(chars) > 1 else ""
        what = f"no font in the brand covers U+{ord(char):04X} '{char}'{more} (add a font for {script} to {display(brand)})"
        warnings.append(BuildWarning(source.path if line else brand.path, line, what))
    return warnings


def entity_names(char: str) -> list[str]:
    """The names HTML gives a character (&hearts; for U+2665)."""
    return [name.rstrip(";") for name, value in html5.items() if value == char]


def script_name(char: str) -> str:
    """The script a character belongs to, as its Unicode name begins: 'Devanagari', 'Ethiopic'."""
    name = unicodedata.name(char, "")
    if unicodedata.category(char) == "So":  # not a script: GRINNING FACE, MUSICAL SYMBOL G CLEF
        return "emoji and symbols"
    if name.startswith(("CJK", "HIRAGANA", "KATAKANA")):
        return "CJK"
    return name.split(" ")[0].title() if name else f"U+{ord(char):04X}"


def display(brand: Brand) -> str:
    return f"{brand.path.parent.name}/{brand.path.name}"


def brief_text(doc: Document) -> str:
    """Every character the editions print: front matter, the HTML parts, the notes, the brand's words."""
    meta, brand = doc.meta, doc.brand
    fragments = [doc.abstract_html, doc.body_html, *doc.bios_html, *(note.html for note in doc.notes)]
    words = [meta.title, meta.subtitle, meta.series.name, meta.series.number, *meta.keywords]
    words += [part for a in meta.authors for part in (a.name, a.affiliation, a.email)]
    words += [brand.name, brand.short_name, brand.series_name, brand.disclaimer, *brand.address, *brand.contact]
    words += [word for key in LABEL_KEYS for word in labels_of(doc.labels, key)]
    return " ".join([*words, *map(plain_text, fragments)])


def labels_of(labels: Labels, key: str) -> tuple[str, ...]:
    value = getattr(labels, key)
    return value if isinstance(value, tuple) else (value,)


def family_chars(brand: Brand, families: Iterable[str]) -> set[str]:
    """The characters these families cover, together, by the first face of each: a family's
    faces cover the same characters."""
    chars: set[str] = set()
    for family in families:
        face = next((face for face in brand.fonts if face.family == family), None)
        if face is not None:
            chars |= {chr(c) for c in face_codepoints(face.path)}
    return chars


@functools.lru_cache(maxsize=64)
def face_sfnt(path: Path) -> bytes:
    """A font file's TrueType/OpenType bytes (a fontsource WOFF2 is unpacked once per process)."""
    return sfnt_bytes(path.read_bytes())


@functools.lru_cache(maxsize=64)
def face_codepoints(path: Path) -> frozenset[int]:
    return cmap_codepoints(path.read_bytes())


def webfont_files(doc: Document, *, quality: int = SMALLEST) -> tuple[tuple[FontFace, bytes], ...]:
    """Each face the brief's text uses as a WOFF2 subset to the characters of its text: compressed
    at the smallest for the web page, which is downloaded; quicker for the EPUB, which an e-reader
    keeps (QUICK: 9 % more bytes of fonts, 0.7 s less for the sample)."""
    text = brief_text(doc)
    # A shaper may decompose a character before it looks for glyphs (Bengali 'ো' is 'ে' and 'া'):
    # the subset keeps both forms of each, and both cases (text-transform).
    text = "".join({text, text.upper(), text.lower(), *(unicodedata.normalize(f, text) for f in ("NFC", "NFD"))})
    codepoints = frozenset(map(ord, text + ALWAYS))
    return tuple((face, webfont(face.path, codepoints, quality)) for face in faces_in_use(doc))


def faces_in_use(doc: Document) -> tuple[FontFace, ...]:
    """The brand's faces less the italics no text asks for: the heading family's when no heading
    has italics, the base family's when the brief has no italics and no summary (set in italics).
    An e-reader that meets italics anyway slants the upright face."""
    fragments = (doc.abstract_html, doc.body_html, *doc.bios_html, *(n.html for n in doc.notes))
    places = [italic_places(f) for f in (*fragments, doc.references_html, doc.cite_html)]  # titles in italics
    italic = any(anywhere for anywhere, _ in places) or bool(doc.abstract_html.strip())
    heading_italic = any(in_heading for _, in_heading in places)
    brand = doc.brand

    def used(face: FontFace) -> bool:
        if face.style != "italic":
            return True
        if face.family == brand.heading_font and face.family != brand.base_font:
            return heading_italic
        return italic

    return tuple(filter(used, brand.fonts))


@functools.lru_cache(maxsize=64)
def subset_face(path: Path, codepoints: frozenset[int]) -> bytes:
    """One face cut down to these characters, once: the EPUB and the web page compress it each
    at their own quality."""
    try:
        return subset_font(face_sfnt(path), codepoints)
    except (OSError, ValueError, SubsetError) as err:
        raise BriefError(path, None, f"cannot subset this font: {err}", "replace the font file") from None


@functools.lru_cache(maxsize=64)
def webfont(path: Path, codepoints: frozenset[int], quality: int) -> bytes:
    """One face cut down and compressed; each edition made again in one process (the preview) reuses it."""
    try:
        return woff2_bytes(subset_face(path, codepoints), quality)
    except (OSError, ValueError) as err:
        raise BriefError(path, None, f"cannot compress this font: {err}", "replace the font file") from None


def webfont_name(face: FontFace) -> str:
    """The subset's file name in the EPUB: SourceSerifPro-Regular.woff2."""
    return Path(face.path.name.removesuffix(".woff2").removesuffix(".woff")).with_suffix(".woff2").name

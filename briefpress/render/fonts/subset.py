"""Subset fonts and read their character maps with HarfBuzz (libharfbuzz-subset, through cffi).

WeasyPrint's own HarfBuzz binding cannot make a face from bytes (it has no hb_blob_create or
hb_face_create), and importing it loads Pango into processes that make only the EPUB or the web
page; so this module declares the dozen functions it needs. HarfBuzz subsets a font in about a
millisecond, where fontTools takes a few hundred, and gives the same bytes for the same input.
"""

from __future__ import annotations

from collections.abc import Iterable

import cffi

from briefpress.render.patches import check_versions
from briefpress.render.patches.cffi import simple_types_built

ffi = cffi.FFI()
ffi.cdef(
    """
    typedef struct hb_blob_t hb_blob_t;
    typedef struct hb_face_t hb_face_t;
    typedef struct hb_set_t hb_set_t;
    typedef struct hb_subset_input_t hb_subset_input_t;
    typedef uint32_t hb_codepoint_t;
    typedef int hb_bool_t;
    typedef void (*hb_destroy_func_t) (void *user_data);
    hb_blob_t *hb_blob_create (const char *data, unsigned int length, int mode, void *user_data,
                               hb_destroy_func_t destroy);
    void hb_blob_destroy (hb_blob_t *blob);
    const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
    hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
    void hb_face_destroy (hb_face_t *face);
    hb_blob_t *hb_face_reference_blob (hb_face_t *face);
    void hb_face_collect_unicodes (hb_face_t *face, hb_set_t *out);
    hb_set_t *hb_set_create (void);
    void hb_set_destroy (hb_set_t *set);
    void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
    hb_bool_t hb_set_next (const hb_set_t *set, hb_codepoint_t *codepoint);
    hb_subset_input_t *hb_subset_input_create_or_fail (void);
    void hb_subset_input_destroy (hb_subset_input_t *input);
    hb_set_t *hb_subset_input_unicode_set (hb_subset_input_t *input);
    hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
    void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned int value);
    hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
    """
)
harfbuzz = ffi.dlopen("libharfbuzz.so.0")
harfbuzz_subset = ffi.dlopen("libharfbuzz-subset.so.0")  # setup.sh installs libharfbuzz-subset0

HB_MEMORY_MODE_DUPLICATE = 0
HB_SUBSET_FLAGS_NO_HINTING = 0x1  # screens and e-readers hint themselves; a third of the bytes
HB_SUBSET_SETS_LAYOUT_FEATURE_TAG = 6
HB_SET_VALUE_INVALID = 0xFFFFFFFF  # what hb_set_next starts from
# The figures brief.css asks for (font-variant-numeric). Keeping every feature would keep the
# small capitals and stylistic sets too, and double the subsets.
EXTRA_FEATURES = (b"onum", b"lnum", b"pnum", b"tnum")


class SubsetError(ValueError):
    """HarfBuzz could not read or subset a font file."""


def font_codepoints(sfnt: bytes) -> frozenset[int]:
    """The characters a font (TrueType or OpenType bytes) has glyphs for: its cmap."""
    check_versions("cffi")
    with simple_types_built():
        face = _face(sfnt)
        found = ffi.gc(harfbuzz.hb_set_create(), harfbuzz.hb_set_destroy)
        harfbuzz.hb_face_collect_unicodes(face, found)
        return frozenset(_members(found))


def subset_font(sfnt: bytes, codepoints: Iterable[int]) -> bytes:
    """The font cut down to the glyphs these characters need, with the layout features the
    editions use (ligatures, kerning, figures, the conjuncts of Indic scripts, Arabic joining forms)."""
    face = _face(sfnt)
    plan = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy)
    if plan == ffi.NULL:
        raise SubsetError("HarfBuzz could not start a subset")
    unicodes = harfbuzz_subset.hb_subset_input_unicode_set(plan)
    for codepoint in sorted(set(codepoints)):
        harfbuzz.hb_set_add(unicodes, codepoint)
    features = harfbuzz_subset.hb_subset_input_set(plan, HB_SUBSET_SETS_LAYOUT_FEATURE_TAG)
    for tag in EXTRA_FEATURES:  # beside HarfBuzz's defaults (liga, kern, mark, the Indic and Arabic forms)
        harfbuzz.hb_set_add(features, int.from_bytes(tag, "big"))
    harfbuzz_subset.hb_subset_input_set_flags(plan, HB_SUBSET_FLAGS_NO_HINTING)
    cut = harfbuzz_subset.hb_subset_or_fail(face, plan)
    if cut == ffi.NULL:
        raise SubsetError("HarfBuzz could not subset the font")
    cut = ffi.gc(cut, harfbuzz.hb_face_destroy)
    blob = ffi.gc(harfbuzz.hb_face_reference_blob(cut), harfbuzz.hb_blob_destroy)
    check_versions("cffi")
    with simple_types_built():
        length = ffi.new("unsigned int *")
    data = harfbuzz.hb_blob_get_data(blob, length)
    return bytes(ffi.buffer(data, length[0]))


def _face(sfnt: bytes):
    blob = ffi.gc(
        harfbuzz.hb_blob_create(sfnt, len(sfnt), HB_MEMORY_MODE_DUPLICATE, ffi.NULL, ffi.NULL),
        harfbuzz.hb_blob_destroy,
    )
    return ffi.gc(harfbuzz.hb_face_create(blob, 0), harfbuzz.hb_face_destroy)


def _members(found) -> list[int]:
    members, codepoint = [], ffi.new("hb_codepoint_t *", HB_SET_VALUE_INVALID)
    while harfbuzz.hb_set_next(found, codepoint):
        members.append(codepoint[0])
    return members

"""Parse cffi's simple type strings ("PangoRectangle *", "hb_codepoint_t[1163]") without pycparser.

cffi parses every new type string handed to ffi.new or ffi.cast with pycparser, after a prelude
that declares every typedef of the FFI: 5-13 ms each with WeasyPrint's declarations. A render
meets about twenty: the pointers and buffers of its Pango calls, and one array per font for
HarfBuzz's subsetter, whose length is the font's glyph count (a new string for every font and
every document). Here a name, a few stars and an optional [length] are built from the name's
own type (a typedef's as declared, else parsed once by cffi): the same model types, so the same
C types, in microseconds.
Anything else goes to cffi's parser as before. Entered around a render (render/pdf.py) and a
subset (render/fonts/subset.py), whose FFIs meet the type strings. A speed patch for cffi 2.1.1;
no upstream report (cffi caches a parsed string per FFI, but parses each new one in full).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

from cffi import commontypes, cparser, model

from briefpress.render.patches import Patch, speed_patch

PATCHES = (
    Patch(
        "cffi",
        "cffi.cparser:Parser.parse_type_and_quals",
        "simple_types_built",
        "none (speed: 5-13 ms per new type string, about twenty per render)",
        "c150370f9f77692f",
        speed=True,
    ),
)
SIMPLE = re.compile(r"\s*(?P<name>[A-Za-z_]\w*(?: [A-Za-z_]\w*)*)\s*(?P<stars>\**)\s*(?:\[(?P<length>\d*)\])?\s*$")
UNPATCHED = cparser.Parser.parse_type_and_quals


def parse_type_and_quals(parser: Any, cdecl: str) -> tuple[Any, int]:
    """cffi's Parser.parse_type_and_quals, short-cut for a simple type string."""
    found = SIMPLE.match(cdecl)
    if found is None:
        return UNPATCHED(parser, cdecl)
    named = parser.__dict__.setdefault("_briefpress_named", {})
    name = found["name"]
    if name not in named:  # a typedef's own type or a primitive, as cffi's parser takes them; else parsed once
        named[name] = parser._declarations.get(f"typedef {name}") or primitive(name) or UNPATCHED(parser, name)
    kind, quals = named[name]
    if quals or isinstance(kind, model.RawFunctionType):
        return UNPATCHED(parser, cdecl)  # qualified, or a function: cffi knows best
    for _ in found["stars"]:
        kind = model.PointerType(kind, 0)
    if found["length"] is not None:
        kind = model.ArrayType(kind, int(found["length"]) if found["length"] else None)
    return kind, 0


def primitive(name: str) -> tuple[Any, int] | None:
    """A C primitive written as cffi writes it ("unsigned int"), as commontypes.resolve_common_type gives it."""
    if name == "void":
        return model.void_type, 0
    if name in model.PrimitiveType.ALL_PRIMITIVE_TYPES and name not in commontypes.COMMON_TYPES:
        return model.PrimitiveType(name), 0
    return None


@speed_patch("cffi.simple_types_built")
@contextlib.contextmanager
def simple_types_built() -> Iterator[None]:
    """cffi's Parser.parse_type_and_quals short-cut for simple type strings (parse_type_and_quals;
    written for cffi 2.1.1). Nested entries (a subset inside a render) leave it to the outer one."""
    if cparser.Parser.parse_type_and_quals is parse_type_and_quals:
        yield
        return
    cparser.Parser.parse_type_and_quals = parse_type_and_quals
    try:
        yield
    finally:
        cparser.Parser.parse_type_and_quals = UNPATCHED

"""A patch to the standard library's ctypes.util, while WeasyPrint opens its C libraries."""

from __future__ import annotations

import contextlib
import ctypes.util
import sys
from collections.abc import Iterator

from briefpress.render.patches import Patch, speed_patch

PATCHES = (
    Patch(
        "weasyprint",
        "weasyprint.text.ffi:_dlopen",
        "sonames_only",
        "none: WeasyPrint tries names without a dot first, which cffi hands to find_library (0.25 s)",
        "9ab3167cbc804871",
        speed=True,
    ),
)


@speed_patch("ctypes_util.sonames_only")
@contextlib.contextmanager
def sonames_only() -> Iterator[None]:
    """Let WeasyPrint open its C libraries by their sonames alone, on Linux (written for WeasyPrint 70.0).

    weasyprint.text.ffi tries names such as "libgobject-2.0-0" and "gobject-2.0" before
    "libgobject-2.0.so.0"; cffi hands a name without a dot to ctypes.util.find_library, which
    runs ldconfig, gcc and ld for each (22 calls, 54 processes, about a quarter of a second).
    With find_library answering "not found", cffi goes on to the soname, which the dynamic
    loader opens directly: the same library file, without the probes."""
    if not sys.platform.startswith("linux"):
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = original

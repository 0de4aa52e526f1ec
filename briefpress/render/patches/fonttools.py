"""Patches to fontTools 4.68.0: a Brotli quality of ours for its WOFF2 writer, and its fallback
modules imported by WeasyPrint only if they run."""

from __future__ import annotations

import contextlib
import importlib
import sys
import types
from collections.abc import Iterator
from typing import Any

from fontTools.ttLib import woff2

from briefpress.render.patches import Patch, speed_patch

PATCHES = (
    Patch(
        "fonttools",
        "fontTools.ttLib.woff2:WOFF2Writer.close",
        "brotli_lent",
        "none drafted: fontTools' WOFF2 writer takes no Brotli quality (bench/upstream/fonttools-woff2-quality.md)",
        "7d3fdb66391d4f17",
        speed=True,
    ),
    Patch(
        "weasyprint",
        "weasyprint.pdf.fonts",
        "fallbacks_deferred",
        "none: WeasyPrint imports fontTools' subsetter and instancer for fallbacks only (0.15 s)",
        "9ad9a202a416b845",
        speed=True,
    ),
)


@speed_patch("fonttools.brotli_lent")
@contextlib.contextmanager
def brotli_lent(compressor: Any) -> Iterator[None]:
    """fontTools' WOFF2 writer compresses with `compressor` (render/fonts/woff.py's Brotli, at a
    quality of ours) instead of the brotli module at quality 11 (written for fontTools 4.68.0)."""
    default, woff2.brotli = woff2.brotli, compressor
    try:
        yield
    finally:
        woff2.brotli = default


# What WeasyPrint's pdf/fonts.py imports for its fallbacks only: fontTools' subsetter, for a
# machine without HarfBuzz's, and its variable-font instancer, for a variable font. Neither runs
# for static fonts subset by HarfBuzz, as the brand's are, and their imports take about 0.15 s.
FALLBACK_MODULES = ("fontTools.subset", "fontTools.varLib.instancer")


class Deferred(types.ModuleType):
    """A module that is imported when one of its attributes is first used; for a name imported
    from it, a function that imports the module when it is called."""

    def __init__(self, name: str):
        super().__init__(name)
        self.module: types.ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        if self.module is None:
            return lambda *args, **kwargs: getattr(self.loaded(), attr)(*args, **kwargs)
        return getattr(self.module, attr)

    def loaded(self) -> types.ModuleType:
        if self.module is None:
            self.module = importlib.import_module(self.__name__)
        return self.module


@speed_patch("fonttools.fallbacks_deferred")
@contextlib.contextmanager
def fallbacks_deferred() -> Iterator[None]:
    """While WeasyPrint is imported (render/pdf.py), fontTools' fallback modules are Deferred ones,
    imported if used (written for WeasyPrint 70.0 and fontTools 4.68.0). WeasyPrint keeps the
    Deferred modules it imported; an import elsewhere, after, gets the real module."""
    deferred = {name: Deferred(name) for name in FALLBACK_MODULES if name not in sys.modules}
    sys.modules.update(deferred)
    try:
        yield
    finally:
        for name in deferred:
            del sys.modules[name]

"""A patch to pdfua 0.1.3, the PDF/UA-1 rules check/validate.py runs."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from briefpress.render.patches import Patch

PATCHES = (
    Patch(
        "pdfua",
        "pdfua.document:as_integer",
        "scalars_only_as_integer",
        "bench/upstream/pdfua-as-integer.md (draft)",
        "9142df7d098c3860",
    ),
)


@contextlib.contextmanager
def scalars_only_as_integer(is_container: Callable[[object], bool]) -> Iterator[None]:
    """Let pdfua 0.1.3 run UA-14-001 (empty headings) on WeasyPrint's PDFs.

    Its as_integer() calls getattr(obj, "is_integer") on a pikepdf Array, which raises
    ValueError instead of AttributeError, so the rule is silently skipped. Non-scalars (for which
    is_container is true) are not integers: answer None for them, only while we validate."""
    from pdfua.document import as_integer
    from pdfua.rules import structure

    def scalar_as_integer(value: object) -> int | None:
        return None if is_container(value) else as_integer(value)

    original = structure.as_integer
    structure.as_integer = scalar_as_integer
    try:
        yield
    finally:
        structure.as_integer = original

"""Every change briefpress makes to another library's behaviour, fenced here: one module per
library, each patch a named context manager whose docstring names the upstream issue (or the
report drafted in bench/upstream/) and the version it was written for. Nothing is patched when a
module is imported: the render enters its patches around each render (render/pdf.py `patched`),
the font and check code theirs around the call that needs them, after check_versions.

Each module's PATCHES records, for each patched function, the digest of its source when the patch was
written; tests/test_patches.py fails the day upstream changes it (then read the new code, check
the patch is still right or still needed, and record the new digest).

A speed patch (speed=True) must earn its place on a benchmark figure, so bench/run.py measures each
one with and without it: BRIEFPRESS_WITHOUT_PATCHES=name,name (names as in SPEED, such as
pydyf.page_references_kept) makes those patches' contexts no-ops in the process it is set for, and
an unknown name is refused as an error. For the benchmark only; fix patches are never left out."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import inspect
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import cache
from importlib import metadata

from briefpress.errors import BriefError

# The version of each patched library the patches were written for (pinned in pyproject.toml).
WRITTEN_FOR = {
    "weasyprint": "70.0",
    "pydyf": "0.13.0",
    "cffi": "2.1.1",
    "fonttools": "4.68.0",
    "pdfua": "0.1.3",
}


@dataclass(frozen=True)
class Patch:
    """One patched function of another library, as it was when the patch was written."""

    library: str  # the distribution, as in WRITTEN_FOR
    target: str  # "module:qualified.name" of the function (or module) whose behaviour changes
    patch: str  # the context manager here that changes it
    upstream: str  # the issue, or the report drafted in bench/upstream/
    digest: str  # SHA-256 (first 16 hex digits) of the target's source when the patch was written
    speed: bool = False  # a speed patch (it must earn its place in bench/run.py), else a fix

    def found(self):
        """The target as installed now."""
        module, _, name = self.target.partition(":")
        found = importlib.import_module(module)
        for part in name.split(".") if name else ():
            found = getattr(found, part)
        return found.fget if isinstance(found, property) else found


def source_digest(target) -> str:
    return hashlib.sha256(inspect.getsource(target).encode("utf-8")).hexdigest()[:16]


class PatchVersionError(BriefError):
    """A patched library at another version than its patches were written for."""


@cache
def check_versions(*libraries: str) -> None:
    """Refuse to patch a library whose installed version is not the one its patches were written for."""
    wrong = []
    for library in libraries:
        installed = metadata.version(library)
        if installed != WRITTEN_FOR[library]:
            wrong.append(f"{library} {installed} is installed, but its patches were written for {WRITTEN_FOR[library]}")
    if wrong:
        raise PatchVersionError(
            None,
            None,
            "; ".join(wrong),
            "install the pinned versions: ./setup.sh, or pip install -c constraints.txt briefpress",
        )


# The speed patches, by module and context manager; RememberedLines's use of
# weasyprint.split_first_line_wrapped is the speed one (its trailing-space use is a fix).
SPEED = (
    "pydyf.page_references_kept",
    "weasyprint.split_first_line_wrapped",
    "cffi.simple_types_built",
    "fonttools.brotli_lent",
    "fonttools.fallbacks_deferred",
    "ctypes_util.sonames_only",
)
WITHOUT = "BRIEFPRESS_WITHOUT_PATCHES"


def left_out() -> frozenset[str]:
    """The speed patches BRIEFPRESS_WITHOUT_PATCHES names (bench/run.py measures a build without them)."""
    names = frozenset(name.strip() for name in os.environ.get(WITHOUT, "").split(",") if name.strip())
    unknown = sorted(names - set(SPEED))
    if unknown:
        raise BriefError(
            WITHOUT, None, f"no speed patch is named {', '.join(unknown)}", f"name some of {', '.join(SPEED)}"
        )
    return names


def speed_patch(name: str) -> Callable[[Callable[..., AbstractContextManager]], Callable[..., AbstractContextManager]]:
    """Make a speed patch's context a no-op in a process whose BRIEFPRESS_WITHOUT_PATCHES names it."""
    assert name in SPEED, name

    def switchable(patch: Callable[..., AbstractContextManager]) -> Callable[..., AbstractContextManager]:
        @functools.wraps(patch)
        def entered(*args, **kwargs) -> AbstractContextManager:
            return contextlib.nullcontext() if name in left_out() else patch(*args, **kwargs)

        return entered

    return switchable

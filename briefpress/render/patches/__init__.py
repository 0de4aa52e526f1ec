"""Every change briefpress makes to another library's behaviour, fenced here: one module per
library, each patch a named context manager whose docstring names the upstream issue (or the
report drafted in bench/upstream/) and the version it was written for. Nothing is patched when a
module is imported: the render enters its patches around each render (render/pdf.py `patched`),
the font and check code theirs around the call that needs them, after check_versions.

Each module's PATCHES records, for each patched function, the digest of its source when the patch was
written; tests/test_patches.py fails the day upstream changes it (then read the new code, check
the patch is still right or still needed, and record the new digest)."""

from __future__ import annotations

import hashlib
import importlib
import inspect
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

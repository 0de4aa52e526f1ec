"""Patches to other libraries (render/patches/): each still patches the code it was written for,
each library is at the version its patches were written for and pinned, and nothing is patched
until a render enters them."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from briefpress.render.patches import (
    WRITTEN_FOR,
    PatchVersionError,
    cffi,
    check_versions,
    ctypes_util,
    fonttools,
    pdfua,
    pydyf,
    source_digest,
    weasyprint,
)
from conftest import ROOT

PATCHES = (*weasyprint.PATCHES, *pydyf.PATCHES, *cffi.PATCHES, *fonttools.PATCHES, *pdfua.PATCHES, *ctypes_util.PATCHES)


@pytest.mark.parametrize("patch", PATCHES, ids=[p.target for p in PATCHES])
def test_the_patched_function_is_still_the_one_the_patch_was_written_for(patch):
    # When this fails, upstream changed the function: read its new code, check that the patch is
    # still right (or still needed: remove it if upstream fixed the bug) and record the new digest.
    assert source_digest(patch.found()) == patch.digest, f"{patch.target} changed upstream ({patch.upstream})"
    assert patch.library in WRITTEN_FOR and patch.upstream and patch.patch


def test_every_patched_library_is_pinned_to_the_version_its_patches_were_written_for():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    constraints = (ROOT / "constraints.txt").read_text(encoding="utf-8").lower()
    for library, version in WRITTEN_FOR.items():
        assert re.search(rf'"{library}(\[\w+\])?=={re.escape(version)}"', pyproject, re.I), library
        assert f"{library}=={version}\n" in constraints, library
    check_versions(*WRITTEN_FOR)  # and installed


def test_another_version_is_refused_with_the_library_and_both_versions_named(monkeypatch):
    from briefpress.render import patches

    monkeypatch.setitem(patches.WRITTEN_FOR, "pydyf", "0.12.0")
    check_versions.cache_clear()
    with pytest.raises(PatchVersionError) as raised:
        check_versions("pydyf")
    check_versions.cache_clear()
    assert "pydyf 0.13.0 is installed, but its patches were written for 0.12.0" in raised.value.message


def test_importing_briefpress_patches_nothing():
    probe = (
        "import pydyf, weasyprint.draw.text as t, weasyprint.layout.inline as i, cffi.cparser as c\n"
        "before = (pydyf.PDF.page_references, t.draw_first_line, i.split_first_line, c.Parser.parse_type_and_quals)\n"
        "import briefpress.render.pdf, briefpress.render.editions, briefpress.render.fonts.woff\n"
        "after = (pydyf.PDF.page_references, t.draw_first_line, i.split_first_line, c.Parser.parse_type_and_quals)\n"
        "print(before == after)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout == "True\n"

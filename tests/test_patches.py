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

MODULES = (weasyprint, pydyf, cffi, fonttools, pdfua, ctypes_util)
PATCHES = tuple(patch for module in MODULES for patch in module.PATCHES)


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


def test_a_speed_patch_named_in_the_environment_is_left_out_and_the_others_kept(monkeypatch):
    # bench/run.py measures each speed patch by a build without it (BRIEFPRESS_WITHOUT_PATCHES).
    import pydyf as pydyf_library
    from cffi import cparser

    pdf = pydyf_library.PDF()
    pdf.add_page(pydyf_library.Dictionary({"Type": "/Page"}))
    monkeypatch.setenv("BRIEFPRESS_WITHOUT_PATCHES", "pydyf.page_references_kept, fonttools.brotli_lent")
    with pydyf.page_references_kept(), cffi.simple_types_built():
        assert pdf.page_references is not pdf.page_references  # pydyf's own, rebuilt on each read
        assert cparser.Parser.parse_type_and_quals is cffi.parse_type_and_quals  # not named: still patched
    monkeypatch.delenv("BRIEFPRESS_WITHOUT_PATCHES")
    with pydyf.page_references_kept():
        assert pdf.page_references is pdf.page_references


def test_an_unknown_patch_name_is_refused_in_one_line(monkeypatch):
    from briefpress.errors import BriefError
    from briefpress.render.patches import SPEED, left_out

    speed = {f"{module.__name__.rsplit('.', 1)[1]}.{p.patch}" for module in MODULES for p in module.PATCHES if p.speed}
    assert speed <= set(SPEED)  # every speed patch can be left out
    monkeypatch.setenv("BRIEFPRESS_WITHOUT_PATCHES", "pydyf.page_references_kept,pydyf.page_refs")
    with pytest.raises(BriefError) as raised:
        with pydyf.page_references_kept():
            pass
    assert raised.value.message.startswith("BRIEFPRESS_WITHOUT_PATCHES: no speed patch is named pydyf.page_refs (")
    assert "\n" not in raised.value.message
    monkeypatch.setenv("BRIEFPRESS_WITHOUT_PATCHES", "page_references_kept")  # the module's name is needed
    with pytest.raises(BriefError):
        left_out()

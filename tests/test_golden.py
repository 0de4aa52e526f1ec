"""Generated HTML and XHTML compared with reviewed golden files (pytest --update-golden rewrites them)."""

from __future__ import annotations

import difflib

import pytest

from briefpress.brand import load_brand
from briefpress.compose.document import compose_document, resolve_build_time
from briefpress.compose.htmltree import link_across
from briefpress.read.frontmatter import load_source
from briefpress.render.templates import render_epub_pages, render_pdf_html
from conftest import BRIEFS, EPOCH, GOLDEN, ROOT, fail_if_updated


def rendered(name: str) -> dict[str, str]:
    path = BRIEFS[name]
    brand = load_brand(ROOT / "styles" / "brand.yml")
    doc = compose_document(load_source(path), brand, resolve_build_time("", EPOCH, path)).value
    files = {f"{name}.html": render_pdf_html(doc, logo_src="logo.svg")}
    for page, xhtml in link_across(render_epub_pages(doc, logo_src="images/logo.svg")).items():
        files[f"{name}-{page}"] = xhtml
    return files


@pytest.mark.parametrize("name", sorted(BRIEFS))
def test_generated_markup_matches_golden(name, update_golden):
    folder = GOLDEN / "html"
    changed = []
    for filename, text in rendered(name).items():
        golden = folder / filename
        if update_golden and (not golden.exists() or golden.read_text(encoding="utf-8") != text):
            folder.mkdir(parents=True, exist_ok=True)
            golden.write_text(text, encoding="utf-8")
            changed.append(f"{folder.name}/{filename}")
            continue
        assert golden.exists(), f"{golden} is missing: run pytest --update-golden and review it"
        expected = golden.read_text(encoding="utf-8")
        diff = "".join(
            difflib.unified_diff(expected.splitlines(True), text.splitlines(True), str(golden), "generated", n=1)
        )
        assert text == expected, f"{filename} differs from its golden file:\n{diff[:3000]}"
    fail_if_updated(changed)

"""Talk to pandoc: Markdown to an AST, and an AST to HTML; for `import`, a manuscript file (Word,
ODT, HTML, Markdown) to an AST and an AST back to Markdown. The only module that uses pypandoc."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pypandoc

from briefpress.errors import BriefError, BuildWarning, report
from briefpress.logcapture import capture_logged

# pypandoc prints pandoc's warnings itself unless its logger has a handler.
logging.getLogger("pypandoc").addHandler(logging.NullHandler())

READER = "markdown-raw_tex-raw_attribute-citations"
API_VERSION = [1, 23, 1, 1]
# What `import` writes: curly quotes stay the characters the author typed (-smart), and tables are
# pipe or grid tables, which every reader of ours builds (no simple or multiline ones).
WRITER = "markdown-smart-simple_tables-multiline_tables-raw_attribute-citations"
IMPORT_READERS = {"docx": "docx", "odt": "odt", "html": "html", "md": READER}


def parse_markdown(text: str, path: Path) -> dict:
    """Parse a whole manuscript (front matter included) into pandoc's JSON AST."""
    try:
        return json.loads(run_pandoc(text, READER, "json", path))
    except RecursionError:  # thousands of nested lists or quotes: compose refuses far fewer
        raise BriefError(
            path, None, "the Markdown nests block quotes or lists hundreds of levels deep", "nest them less deeply"
        ) from None


def render_html(blocks: list, path: Path) -> str:
    """Render AST blocks to an HTML5 fragment, one line per block."""
    doc = {"pandoc-api-version": API_VERSION, "meta": {}, "blocks": blocks}
    return run_pandoc(json.dumps(doc), "json", "html5", path)


def read_manuscript(path: Path, kind: str) -> dict:
    """Convert a .docx, .odt, .html or .md file into pandoc's JSON AST. Word's tracked changes and
    comments stay in it as spans (`--track-changes=all`), for the importer to resolve or report."""
    args = ["--track-changes=all"] if kind == "docx" else []
    try:
        with capture_logged("pypandoc", "pypandoc") as logged:
            text = pypandoc.convert_file(
                str(path), "json", format=IMPORT_READERS[kind], sandbox=True, extra_args=[*args, "--eol=lf"]
            )
        for message in logged:
            report(BuildWarning(path, None, f"pandoc: {message}"))
        return json.loads(text)
    except (RuntimeError, OSError) as err:
        lines = str(err).strip().splitlines()
        detail = lines[-1].strip() if lines else "unknown failure"
        raise BriefError(
            path, None, f"pandoc cannot read it: {detail}", "save the manuscript again from the word processor"
        ) from None


def write_markdown(blocks: list, path: Path) -> str:
    """Write AST blocks as pandoc Markdown, one line per paragraph."""
    doc = {"pandoc-api-version": API_VERSION, "meta": {}, "blocks": blocks}
    return run_pandoc(json.dumps(doc), "json", WRITER, path)


def run_pandoc(text: str, reader: str, writer: str, path: Path) -> str:
    """Run pandoc sandboxed (it reads no file and no URL); its warnings become ours."""
    try:
        with capture_logged("pypandoc", "pypandoc") as logged:
            # verify_format=False: our readers and writers are fixed, and pypandoc's check runs
            # pandoc twice more per call (--list-input-formats, --list-output-formats).
            html = pypandoc.convert_text(
                text, writer, format=reader, sandbox=True, extra_args=["--wrap=none", "--eol=lf"], verify_format=False
            )
        for message in logged:
            report(BuildWarning(path, None, f"pandoc: {message}"))
        return html
    except (RuntimeError, OSError) as err:
        first = str(err).strip().splitlines()
        detail = first[-1] if first else "unknown failure"
        raise BriefError(path, None, f"pandoc failed: {detail}", "check the Markdown near the reported place") from None

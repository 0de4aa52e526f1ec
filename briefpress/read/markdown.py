"""Talk to pandoc: Markdown to an AST, and an AST to HTML. The only module that uses pypandoc."""

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


def parse_markdown(text: str, path: Path) -> dict:
    """Parse a whole manuscript (front matter included) into pandoc's JSON AST."""
    return json.loads(run_pandoc(text, READER, "json", path))


def render_html(blocks: list, path: Path) -> str:
    """Render AST blocks to an HTML5 fragment, one line per block."""
    doc = {"pandoc-api-version": API_VERSION, "meta": {}, "blocks": blocks}
    return run_pandoc(json.dumps(doc), "json", "html5", path)


def run_pandoc(text: str, reader: str, writer: str, path: Path) -> str:
    """Run pandoc sandboxed (it reads no file and no URL); its warnings become ours."""
    try:
        with capture_logged("pypandoc", "pypandoc") as logged:
            html = pypandoc.convert_text(text, writer, format=reader, sandbox=True,
                                         extra_args=["--wrap=none", "--eol=lf"])
        for message in logged:
            report(BuildWarning(path, None, f"pandoc: {message}"))
        return html
    except (RuntimeError, OSError) as err:
        first = str(err).strip().splitlines()
        detail = first[-1] if first else "unknown failure"
        raise BriefError(path, None, f"pandoc failed: {detail}",
                         "check the Markdown near the reported place") from None

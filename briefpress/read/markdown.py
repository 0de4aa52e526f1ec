"""Talk to pandoc: Markdown to an AST, and an AST to HTML; for `import`, a manuscript file (Word,
ODT, HTML, Markdown) to an AST and an AST back to Markdown. The only module that uses pypandoc."""

from __future__ import annotations

import json
import logging
import re
import tempfile
from pathlib import Path

import pypandoc

from briefpress.errors import BriefError, BuildWarning, report
from briefpress.logcapture import capture_logged
from briefpress.read.bibliography import style_file
from briefpress.read.citekeys import as_written
from briefpress.records import Bibliography

# pypandoc prints pandoc's warnings itself unless its logger has a handler.
logging.getLogger("pypandoc").addHandler(logging.NullHandler())

READER = "markdown-raw_tex-raw_attribute-citations+lists_without_preceding_blankline"
CITED_READER = READER.replace("-citations", "")
API_VERSION = [1, 23, 1, 1]
# What `import` writes: curly quotes stay the characters the author typed (-smart), and tables are
# pipe or grid tables, which every reader of ours builds (no simple or multiline ones).
WRITER = "markdown-smart-simple_tables-multiline_tables-raw_attribute"
# docx+citations: Zotero and Mendeley citation fields become Cite elements, their CSL JSON the
# metadata field `references` (pandoc's manual, "Extension: citations", docx).
IMPORT_READERS = {"docx": "docx+citations", "odt": "odt", "html": "html", "md": READER}


def parse_markdown(text: str, path: Path) -> dict:
    """Parse a whole manuscript (front matter included) into pandoc's JSON AST, its citations as
    Cite elements that print as written (there is no bibliography). An id given twice
    is reported by compose/links.py, at its line, so pandoc's own warning is left out."""
    try:
        out, messages = pandoc_output(text, CITED_READER, "json", path)
        for message in messages:
            if not message.strip().startswith(DUPLICATE_ID):
                report(BuildWarning(path, None, pandoc_warning(message)))
        return json.loads(out)
    except RecursionError:  # thousands of nested lists or quotes: compose refuses far fewer
        raise too_deep(path) from None


def too_deep(path: Path) -> BriefError:
    return BriefError(
        path, None, "the Markdown nests block quotes or lists hundreds of levels deep", "nest them less deeply"
    )


DUPLICATE_ID = "Duplicate identifier"
TEX_MATH = re.compile(r"Could not convert TeX math (.*?), rendering as TeX:\s*\n.*\n\s*\^\s*\n\s*(.+)")


def pandoc_warning(message: str) -> str:
    """One of pandoc's warnings as one line: a TeX math one names the formula and the reason
    (pandoc spreads it over four lines, with a caret under the place)."""
    math = TEX_MATH.search(message)
    if math:
        return f"pandoc: could not convert TeX math {math.group(1)} ({math.group(2).strip()}), so it is shown as TeX"
    return "pandoc: " + " ".join(message.split())


NOT_FOUND = re.compile(r"^(?:\[WARNING\] )?Citeproc: citation (\S+) not found")
BAD_BIBLIOGRAPHY = re.compile(r"Error reading bibliography file (.+?):\s*(?:\(line (\d+), column \d+\):)?\s*(.*)", re.S)


def parse_cited(text: str, path: Path, bibliography: Bibliography) -> tuple[dict, tuple[str, ...]]:
    """Parse a manuscript with pandoc's citeproc: each citation as the style prints it (a Note
    inside the Cite for a note style) and, for the References, a Div "refs". Also returns the keys
    the bibliography lacks, which citeproc only warns about. A citation naming one of those is
    printed as written: the manuscript is parsed again without citeproc, each such citation made
    its own text (read/citekeys.py), and citeproc formats the rest (only a brief that has one pays
    for the two runs more)."""
    args = ["--citeproc", f"--csl={style_file(bibliography.csl)}", *(f"--bibliography={f}" for f in bibliography.files)]
    out, logged = run_citeproc(text, CITED_READER, args, path, bibliography)
    missing = []
    for message in logged:
        found = NOT_FOUND.match(message.strip())
        if found:
            missing.append(found.group(1))
        elif not message.strip().startswith(DUPLICATE_ID):  # compose/links.py reports it at its line
            report(BuildWarning(path, None, pandoc_warning(message)))
    try:
        if missing:  # pandoc's warnings are reported above, once
            plain, _ = pandoc_output(text, CITED_READER, "json", path)
            kept = as_written(json.loads(plain), set(missing))
            out, _ = run_citeproc(json.dumps(kept), "json", args, path, bibliography)
        return json.loads(out), tuple(dict.fromkeys(missing))
    except RecursionError:  # as in parse_markdown
        raise too_deep(path) from None


def run_citeproc(
    text: str, reader: str, args: list[str], path: Path, bibliography: Bibliography
) -> tuple[str, list[str]]:
    """Pandoc's JSON of a manuscript with its citations formatted, and pandoc's messages."""
    try:
        with capture_logged("pypandoc", "pypandoc") as logged:
            out = pypandoc.convert_text(
                text, "json", format=reader, sandbox=True, extra_args=["--wrap=none", "--eol=lf", *args]
            )
    except (RuntimeError, OSError) as err:
        raise bibliography_error(str(err), path, bibliography) from None
    return out, list(logged)


BIBLIOGRAPHY_READERS = {".bib": "biblatex", ".bibtex": "bibtex", ".json": "csljson", ".ris": "ris"}


def read_bibliography(path: Path) -> list[dict]:
    """A bibliography file's entries as CSL JSON (for the link check); CSL YAML through its metadata."""
    reader = BIBLIOGRAPHY_READERS.get(path.suffix.lower())
    try:
        if reader is None:  # CSL YAML: a Markdown file's metadata block, `references:`
            text = "---\n" + path.read_text(encoding="utf-8") + "\n---\n"
            out = pypandoc.convert_text(text, "csljson", format="markdown", sandbox=True)
        else:
            out = pypandoc.convert_file(str(path), "csljson", format=reader, sandbox=True)
    except (RuntimeError, OSError) as err:
        lines = str(err).strip().splitlines()
        raise BriefError(
            path, None, f"pandoc cannot read it: {lines[-1] if lines else 'unknown failure'}", "fix the bibliography"
        ) from None
    return json.loads(out)


def bibliography_error(message: str, path: Path, bibliography: Bibliography) -> BriefError:
    """Pandoc's failure as one error at the bibliography file's own line when it names one."""
    found = BAD_BIBLIOGRAPHY.search(message)
    if not found:
        lines = message.strip().splitlines()
        return BriefError(
            path, None, f"pandoc failed: {lines[-1] if lines else 'unknown failure'}", "check the Markdown"
        )
    named = Path(found.group(1))
    file = next((f for f in bibliography.files if f == named or f.name == named.name), named)
    detail = " ".join(found.group(3).split()) or "cannot be read"
    line = int(found.group(2)) if found.group(2) else None
    return BriefError(file, line, f"malformed bibliography: {detail}", "fix the entry at or just before this line")


def cite_entry(item: dict, csl: Path, path: Path) -> str:
    """One CSL JSON item as the style's bibliography entry, HTML, without citeproc's wrapping divs."""
    doc = {
        "pandoc-api-version": API_VERSION,
        "meta": {
            "nocite": {"t": "MetaInlines", "c": [{"t": "Cite", "c": [[cite_of(item["id"])], []]}]},
            "references": {"t": "MetaList", "c": [meta_value(item)]},
        },
        "blocks": [],
    }
    key = (json.dumps(doc), csl.read_bytes())
    if key not in ENTRIES:
        text, messages = pandoc_output(key[0], "json", "html5", path, ["--citeproc", f"--csl={style_file(csl)}"])
        entry = re.search(r'<div id="ref-[^"]*" class="csl-entry"[^>]*>\s*(.*?)\s*</div>', text, re.S)
        ENTRIES[key] = (entry.group(1) if entry else "", messages)
    entry_html, messages = ENTRIES[key]
    for message in messages:  # a kept entry says again what pandoc said when it was made
        report(BuildWarning(path, None, pandoc_warning(message)))
    return entry_html


# Entries already formatted in this process, by their item and style: the preview's rebuilds cite
# the same brief again after every save (a citeproc run of 0.12-0.2 s).
ENTRIES: dict[tuple[str, bytes], tuple[str, tuple[str, ...]]] = {}


def cite_of(key: str) -> dict:
    mode = {"t": "NormalCitation"}
    return {
        "citationId": key,
        "citationPrefix": [],
        "citationSuffix": [],
        "citationMode": mode,
        "citationNoteNum": 0,
        "citationHash": 0,
    }


def meta_value(value) -> dict:
    """A JSON value as pandoc metadata (strings stay strings: no Markdown is read from them)."""
    if isinstance(value, dict):
        return {"t": "MetaMap", "c": {k: meta_value(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"t": "MetaList", "c": [meta_value(v) for v in value]}
    return {"t": "MetaString", "c": str(value)}


def render_html(blocks: list, path: Path, *, source_text: str = "") -> str:
    """Render AST blocks to an HTML5 fragment, one line per block. A warning about TeX math names
    the formula's line in source_text."""
    doc = {"pandoc-api-version": API_VERSION, "meta": {}, "blocks": blocks}
    out, messages = pandoc_output(json.dumps(doc), "json", "html5", path)
    for message in messages:
        math = TEX_MATH.search(message)
        at = source_text.find(math.group(1)) if math and source_text else -1
        report(BuildWarning(path, source_text.count("\n", 0, at) + 1 if at >= 0 else None, pandoc_warning(message)))
    return out


def read_manuscript(path: Path, kind: str, *, content: bytes | None = None) -> dict:
    """Convert a .docx, .odt, .html or .md file into pandoc's JSON AST (the file's bytes, or the
    content given instead, under the file's name). Word's tracked changes and comments stay in it
    as spans (`--track-changes=all`), for the importer to resolve or report."""
    args = ["--track-changes=all"] if kind == "docx" else []
    try:
        with (
            capture_logged("pypandoc", "pypandoc") as logged,
            tempfile.TemporaryDirectory(prefix="briefpress-") as work,
        ):
            source = path
            if content is not None:
                source = Path(work) / f"manuscript{path.suffix}"
                source.write_bytes(content)
            text = pypandoc.convert_file(
                str(source), "json", format=IMPORT_READERS[kind], sandbox=True, extra_args=[*args, "--eol=lf"]
            )
        for message in logged:
            report(BuildWarning(path, None, pandoc_warning(message)))
        return json.loads(text)
    except (RuntimeError, OSError) as err:
        lines = str(err).strip().splitlines()
        detail = lines[-1].strip() if lines else "unknown failure"
        raise BriefError(
            path, None, f"pandoc cannot read it: {detail}", "save the manuscript again from the word processor"
        ) from None


def write_csl_json(references: dict, path: Path) -> list[dict]:
    """Pandoc metadata `references` (as the docx reader gives it) as a CSL JSON list."""
    doc = {"pandoc-api-version": API_VERSION, "meta": {"references": references}, "blocks": []}
    return json.loads(run_pandoc(json.dumps(doc), "json", "csljson", path))


def write_markdown(blocks: list, path: Path) -> str:
    """Write AST blocks as pandoc Markdown, one line per paragraph."""
    doc = {"pandoc-api-version": API_VERSION, "meta": {}, "blocks": blocks}
    return run_pandoc(json.dumps(doc), "json", WRITER, path)


def run_pandoc(text: str, reader: str, writer: str, path: Path, args: list[str] | None = None) -> str:
    """Run pandoc sandboxed (it reads no file and no URL but those named in args); its warnings become ours."""
    out, messages = pandoc_output(text, reader, writer, path, args)
    for message in messages:
        report(BuildWarning(path, None, pandoc_warning(message)))
    return out


def pandoc_output(
    text: str, reader: str, writer: str, path: Path, args: list[str] | None = None
) -> tuple[str, tuple[str, ...]]:
    """What pandoc writes, and the warnings it logged."""
    try:
        with capture_logged("pypandoc", "pypandoc") as logged:
            # verify_format=False: our readers and writers are fixed, and pypandoc's check runs
            # pandoc twice more per call (--list-input-formats, --list-output-formats).
            html = pypandoc.convert_text(
                text,
                writer,
                format=reader,
                sandbox=True,
                extra_args=["--wrap=none", "--eol=lf", *(args or [])],
                verify_format=False,
            )
        return html, tuple(logged)
    except (RuntimeError, OSError) as err:
        first = str(err).strip().splitlines()
        detail = first[-1] if first else "unknown failure"
        raise BriefError(path, None, f"pandoc failed: {detail}", "check the Markdown near the reported place") from None


def pandoc_version() -> str:
    """The version of the pandoc binary that reads manuscripts (pypandoc-binary's)."""
    return pypandoc.get_pandoc_version()

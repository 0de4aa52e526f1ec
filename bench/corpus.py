"""Import and build every document of corpus/ (written elsewhere: see corpus/SOURCES.md) and print
what happened to each kind, computed from the run:

    PYTHONPATH=$PWD .venv/bin/python bench/corpus.py            # the whole corpus, two at a time
    PYTHONPATH=$PWD .venv/bin/python bench/corpus.py --code /tmp/old-checkout   # another checkout

Word, ODT and HTML files go through `import`, then every brief is built (PDF and EPUB) in a project
of its own; each step has a time limit. A run that ends with exit 1 and only `error:` lines is a
clean refusal; a Python traceback is a bug, and so is a step that outlives its time limit (a hang).
Every EPUB written is then checked by epubcheck, and the words of the brief are looked up in the
PDF's text, its note calls left out (a number compares exactly): a word the reader cannot find is lost.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
IMPORTED = {".docx", ".odt", ".html", ".htm"}
BUILT = {".md", ".markdown"}
IMPORT_LIMIT = 120.0  # seconds for one import
BUILD_LIMIT = 180.0  # seconds for one build of the PDF and the EPUB
EPOCH = "1767225600"


@dataclass
class Outcome:
    """What became of one corpus document."""

    name: str
    kind: str  # word, markdown, html
    result: str = "built"  # built, clean error, traceback, hang
    step: str = ""  # import or build, for anything but built
    message: str = ""  # the first line of what went wrong
    seconds: float = 0.0
    peak_mb: float = 0.0
    words: int = 0  # distinct words of the brief
    lost: list[str] = field(default_factory=list)  # of those, the ones the PDF text lacks
    epub: str = ""  # path of the EPUB written
    epubcheck: str = ""  # "" before the check, then "pass" or the first message


@dataclass(frozen=True)
class Step:
    code: int | None  # None: killed at the time limit
    out: str
    err: str
    seconds: float
    peak_mb: float


def run_step(args: list[str], cwd: Path, code_root: Path, limit: float) -> Step:
    """Run one command of the CLI under code_root; kill its whole process group at the limit."""
    env = {**os.environ, "PYTHONPATH": str(code_root), "SOURCE_DATE_EPOCH": EPOCH}
    start = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, str(code_root / "build.py"), *args],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        code, peak = None, 0.0
        while time.monotonic() - start < limit:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                code, peak = os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024
                proc.returncode = code
                break
            time.sleep(0.05)
        else:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        out.seek(0)
        err.seek(0)
        return Step(
            code,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            time.monotonic() - start,
            peak,
        )


def judge(outcome: Outcome, step: Step, name: str) -> bool:
    """Record a failed step on the outcome; True when the step succeeded."""
    outcome.seconds += step.seconds
    outcome.peak_mb = max(outcome.peak_mb, step.peak_mb)
    if step.code == 0:
        return True
    outcome.step = name
    if step.code is None:
        outcome.result, outcome.message = "hang", f"still running after {step.seconds:.0f} s"
    elif "Traceback (most recent call last)" in step.err or step.code not in (1, 2):
        outcome.result = "traceback"
        outcome.message = (step.err.strip().splitlines() or [f"exit {step.code}"])[-1][:200]
    else:
        outcome.result = "clean error"
        outcome.message = next((line for line in step.err.splitlines() if line.startswith("error:")), step.err)[:200]
    return False


def run_document(path: Path, work: Path, code_root: Path) -> Outcome:
    """Import (when it is not Markdown) and build one corpus document in a project of its own."""
    name = path.relative_to(CORPUS).as_posix()
    kind = "word" if path.suffix in (".docx", ".odt") else "html" if path.suffix in (".html", ".htm") else "markdown"
    outcome = Outcome(name=name, kind=kind)
    project = work / re.sub(r"[^A-Za-z0-9]+", "-", name)
    shutil.copytree(ROOT / "styles", project / "styles")
    brief = project / "source" / "brief.md"
    brief.parent.mkdir()
    if path.suffix in IMPORTED:
        step = run_step(["import", str(path), "--out", str(brief)], project, code_root, IMPORT_LIMIT)
        if not judge(outcome, step, "import"):
            return outcome
    else:
        shutil.copyfile(path, brief)
    dist = project / "dist"
    step = run_step(
        [str(brief), "--out", str(dist), "--format", "pdf,epub", "--no-cache"], project, code_root, BUILD_LIMIT
    )
    if not judge(outcome, step, "build"):
        return outcome
    pdfs, epubs = sorted(dist.rglob("*.pdf")), sorted(dist.rglob("*.epub"))
    outcome.epub = str(epubs[0]) if epubs else ""
    if pdfs:
        outcome.words, outcome.lost = lost_words(brief.read_text(encoding="utf-8"), pdfs[0])
    return outcome


def lost_words(markdown: str, pdf: Path) -> tuple[int, list[str]]:
    """The brief's distinct printed words (as pandoc reads them, the front matter's title and
    summary included; an image's alt text is not printed), and those the PDF's text does not hold."""
    import pypandoc

    tree = json.loads(pypandoc.convert_text(markdown, "json", format="markdown"))
    tree["blocks"] = without_images(tree["blocks"])
    text = pypandoc.convert_text(json.dumps(tree), "plain", format="json", extra_args=["--wrap=none", "-s"])
    pages = pages_text(pdf)
    # pdfium marks a hyphen at a line's end (U+FFFE) alike whether hyphenation put it there
    # (hyphen-ation) or the author did (tech-stacks): the words are looked up both ways
    text_of = "\n".join(pages)
    joined = re.sub(r"[\ufffe\u00ad\x02]\r?\n?|-\r?\n", "", text_of)
    split = re.sub(r"[\ufffe\u00ad\x02]", " ", text_of)
    found = set(words_of(joined)) | set(words_of(split)) | set(across_pages(pages))
    source = sorted(set(words_of(text)))
    return len(source), [w for w in source if w not in found]


def pages_text(pdf: Path) -> list[str]:
    """Each page's text as pdfium reads it, without the note calls: a call's digits would join a
    number before it (2019 and note 3 read 20193), so a digit lost from the number would go unseen."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    calls = note_calls(pdf)
    document = pdfium.PdfDocument(str(pdf))
    try:
        pages = []
        for index, page in enumerate(document):
            textpage = page.get_textpage()
            chars = []
            for char in range(textpage.count_chars()):
                obj = raw.FPDFText_GetTextObject(textpage.raw, char)
                if not (obj and (index, raw.FPDFPageObj_GetMarkedContentID(obj)) in calls):
                    chars.append(chr(raw.FPDFText_GetUnicode(textpage.raw, char)))
            pages.append("".join(chars))
        return pages
    finally:
        document.close()


NOTE = re.compile(r"note-\d+")  # the id of an endnote: a link to one is its call


def note_calls(pdf: Path) -> set[tuple[int, int]]:
    """(page index, marked-content id) of the note calls' text, from the PDF's tags: each call is a
    Link structure element whose annotation goes to a note (`/Dest (note-3)`)."""
    import pikepdf

    with pikepdf.open(pdf) as document:
        pages = {page.objgen: index for index, page in enumerate(document.pages)}
        tree = document.Root.get("/StructTreeRoot")
        found: set[tuple[int, int]] = set()
        stack = [(tree.get("/K"), None)] if tree is not None else []
        while stack:
            node, page = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend((kid, page) for kid in node)
            elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
                page = node.get("/Pg", page)
                kids = node.get("/K")
                kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
                if node.S == "/Link" and any(goes_to_note(kid) for kid in kids):
                    found |= {(pages[page.objgen], int(kid)) for kid in kids if isinstance(kid, int) and page}
                    found |= {(pages[kid.Pg.objgen], int(kid.MCID)) for kid in kids if is_mcr(kid)}
                stack.extend((kid, page) for kid in kids)
        return found


def goes_to_note(kid) -> bool:
    """An object reference to a link annotation whose destination is an endnote."""
    import pikepdf

    if not (isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"):
        return False
    annotation = kid.get("/Obj")
    dest = annotation.get("/Dest") if isinstance(annotation, pikepdf.Dictionary) else None
    return isinstance(dest, pikepdf.String) and NOTE.fullmatch(str(dest)) is not None


def is_mcr(kid) -> bool:
    import pikepdf

    return isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR" and "/Pg" in kid


def across_pages(pages: list[str]) -> list[str]:
    """Words hyphenated at the foot of a page: pdfium gives the running footer straight after the
    hyphen (`bad inter-` + `ISAS Brief · Title 77 / 126`), the word's end first on the next page."""
    words = []
    for page, following in zip(pages, pages[1:], strict=False):
        end = re.search(r"([^\W\d_]+)[\ufffe\u00ad\x02][^\n]*\Z", page)
        start = re.match(r"\s*([^\W\d_]+)", following)
        if end and start:
            words.append((end.group(1) + start.group(1)).lower())
    return words


def without_images(node):
    """Pandoc JSON without Image elements (a figure's caption stays: it is printed)."""
    if isinstance(node, list):
        return [without_images(n) for n in node if not (isinstance(n, dict) and n.get("t") == "Image")]
    if isinstance(node, dict):
        return {k: without_images(v) for k, v in node.items()}
    return node


CJK = "\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff"
WORD = re.compile(rf"[{CJK}]|[^\W\d_{CJK}]+|\d+")  # a Chinese or Japanese character is a word


def words_of(text: str) -> list[str]:
    """Words, compared as read: NFKC folds pandoc's plain-text m² (a superscript in the brief) into
    the m2 that a PDF's text gives for m with a raised 2."""
    text = unicodedata.normalize("NFKC", text).lower()
    return [w for w in WORD.findall(text) if len(w) > 1 or "\u3040" <= w <= "\ufaff"]


def check_epubs(outcomes: list[Outcome]) -> None:
    """Run epubcheck on every EPUB written, in one JVM."""
    from briefpress.check.validate import run_epubchecks

    built = [o for o in outcomes if o.epub]
    for outcome, verdict in zip(built, run_epubchecks([Path(o.epub) for o in built]), strict=True):
        outcome.epubcheck = "pass" if verdict.passed else (verdict.details or ("fail",))[0][:200]


def table(outcomes: list[Outcome]) -> str:
    """One row per kind of document and a total: counts of each result, epubcheck failures,
    words lost, the slowest document and the largest memory."""
    head = "| documents | n | built | clean error | traceback | hang | epubcheck fails | words lost (docs) | slowest s | peak MB |"
    rows = [head, "|" + "---|" * 10]
    for kind in ("word", "html", "markdown", "all"):
        group = [o for o in outcomes if kind in ("all", o.kind)]
        if not group:
            continue
        count = {r: sum(1 for o in group if o.result == r) for r in ("built", "clean error", "traceback", "hang")}
        fails = sum(1 for o in group if o.epubcheck not in ("", "pass"))
        lost = sum(len(o.lost) for o in group)
        losing = sum(1 for o in group if o.lost)
        rows.append(
            f"| {kind} | {len(group)} | {count['built']} | {count['clean error']} | {count['traceback']} | "
            f"{count['hang']} | {fails} | {lost} ({losing}) | {max(o.seconds for o in group):.0f} | "
            f"{max(o.peak_mb for o in group):.0f} |"
        )
    return "\n".join(rows)


def corpus_files(only: list[str]) -> list[Path]:
    files = sorted(p for p in CORPUS.rglob("*") if p.suffix in IMPORTED | BUILT and p.name != "SOURCES.md")
    if only:
        files = [p for p in files if any(p.relative_to(CORPUS).match(pattern) for pattern in only)]
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose build.py runs (default: this one)")
    parser.add_argument("--jobs", type=int, default=2, help="documents at a time (default 2)")
    parser.add_argument("--only", action="append", default=[], help="glob of corpus paths, e.g. 'word/poi/*'")
    parser.add_argument("--report", type=Path, help="write every document's outcome here as JSON")
    args = parser.parse_args(argv)
    files = corpus_files(args.only)
    with tempfile.TemporaryDirectory(prefix="briefpress-corpus-") as work:
        with ThreadPoolExecutor(args.jobs) as pool:
            outcomes = list(pool.map(lambda p: run_document(p, Path(work), args.code.resolve()), files))
        check_epubs(outcomes)
    for o in outcomes:
        if o.result != "built" or o.lost or o.epubcheck not in ("", "pass"):
            check = "" if o.epubcheck in ("", "pass") else f" epubcheck: {o.epubcheck}"
            lost = f" lost: {' '.join(o.lost[:8])}" if o.lost else ""
            print(f"{o.name}: {o.result} {o.step} {o.message}{check}{lost}".replace("  ", " "))
    print(table(outcomes))
    if args.report:
        args.report.write_text(json.dumps([asdict(o) for o in outcomes], indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

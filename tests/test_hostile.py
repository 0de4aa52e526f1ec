"""The hostile corpus: one manuscript per attack, each refused clearly or sanitised, no secret leaked.

Every fixture in tests/hostile/ is built from a copy in a temporary project whose source folder
sits next to a "secret" folder outside it. The canary files there hold a random secret that
must never appear in any output, decompressed PDF streams and unzipped EPUB entries included.
"""

from __future__ import annotations

import base64
import io
import re
import socket
import uuid
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from conftest import run_build
from robust import error_lines, folder_payload

HOSTILE = Path(__file__).resolve().parent / "hostile"

# fixture -> (outcome, text in the message, line); "warning" means built with the part removed.
EXPECTED = {
    "script": ("warning", "removed <script> element", 5),
    "iframe": ("warning", "removed <iframe> element for file://", 5),
    "object_embed": ("warning", "removed <embed> element", 7),
    "form": ("warning", "removed <form> control from raw HTML (its text is kept)", 5),
    "event_handler": ("warning", "removed event handler attribute onmouseover", 5),
    "javascript_url": ("warning", "removed javascript: URL", 5),
    "vbscript_url": ("warning", "removed vbscript: URL", 5),
    "data_html_link": ("warning", "removed data: URL", 5),
    "meta_refresh": ("warning", "removed <meta> element", 5),
    "base": ("warning", "removed <base> element", 5),
    "style_element": ("warning", "removed <style> element", 5),
    "svg_image": ("warning", "removed <svg> element", 5),
    "link_stylesheet": ("error", "refused raw HTML: <link rel=stylesheet>", 5),
    "link_attachment": ("error", "refused raw HTML: <link rel=attachment>", 5),
    "a_attachment": ("error", "refused raw HTML: <a rel=attachment>", 5),
    "style_url": ("error", "CSS url() or @import in a style attribute", 5),
    "image_absolute": ("error", "absolute paths are refused", 5),
    "image_dotdot": ("error", "the path leads outside the source folder", 7),
    "image_file_url": ("error", "file: URLs are refused", 5),
    "image_etc_passwd": ("error", "image /etc/passwd: absolute paths are refused", 5),
    "image_remote": ("error", "remote images are not fetched", 5),
    "html_img_canary": ("error", "absolute paths are refused", 5),
    "html_img_remote": ("error", "remote images are not fetched", 5),
    "image_svg": ("warning", "took <script>, event attributes out of the SVG", 5),
    "image_symlink": ("error", "the path leads outside the source folder", 5),
    "image_not_image": ("warning", "removed <embed> element for notes.txt", 5),
    "unbalanced_div": ("error", "raw HTML closes a tag it did not open", None),
    "yaml_bomb": ("error", "YAML anchors and aliases are refused", 3),
    "control_char": ("error", "control character U+001B", 5),
    "local_image": ("ok", "", None),
    "data_image": ("ok", "", None),
}


def png(color=(200, 30, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), color).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def project(tmp_path):
    """A project folder, and beside it a secret folder with canaries: (source folder, secret)."""
    secret = f"CANARY-{uuid.uuid4().hex}"
    secrets = tmp_path / "secret"
    secrets.mkdir()
    (secrets / "canary.png").write_bytes(b"\x89PNG\r\n\x1a\n" + secret.encode())  # passes a magic check
    (secrets / "canary.txt").write_text(secret)
    source = tmp_path / "project" / "source"
    source.mkdir(parents=True)
    (source / "chart.png").write_bytes(png())
    (source / "notes.txt").write_text(secret)  # inside the folder, but not an image
    (source / "link.png").symlink_to(secrets / "canary.png")
    return source, secret


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any connection attempt during a build fails the test."""
    attempts = []

    def refuse(self, address, *args):
        attempts.append(address)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    yield
    assert not attempts, f"the build tried to connect to {attempts}"


def build_fixture(name: str, source: Path, *extra: str):
    text = (HOSTILE / f"{name}.md").read_text(encoding="utf-8")
    text = text.replace("{CANARY}", str(source.parent.parent / "secret" / "canary.png"))
    text = text.replace("{PNG_B64}", base64.b64encode(png((0, 90, 0))).decode())
    path = source / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    out = source.parent / "dist"
    return (*run_build(str(path), "--out", str(out), *extra), path, out)


def test_every_fixture_has_an_expectation():
    assert sorted(p.stem for p in HOSTILE.glob("*.md")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_attack(name, project):
    source, secret = project
    outcome, message, line = EXPECTED[name]
    code, stdout, stderr, path, out = build_fixture(name, source)
    assert secret not in stdout + stderr
    if outcome == "error":
        assert code == 1, stderr
        errors = error_lines(stderr)
        hits = [e for e in errors if message in e["what"]]
        assert hits, stderr
        assert hits[0]["file"] == str(path)
        assert hits[0]["line"] == (str(line) if line else None)
        assert not out.exists() or not any(out.iterdir()), "a refused build wrote files"
        return
    assert code == 0, stderr
    if outcome == "warning":
        warnings = [l for l in stderr.splitlines() if l.startswith(f"warning: {path}:{line}: ")]
        assert any(message in w for w in warnings), stderr
    payload = folder_payload(out)
    assert secret.encode() not in payload
    assert_inert(out / f"{name}.epub", out / f"{name}.pdf")


def assert_inert(epub: Path, pdf: Path) -> None:
    """No active content in either edition, and the EPUB declares no scripting."""
    with zipfile.ZipFile(epub) as book:
        opf = book.read("EPUB/content.opf").decode()
        pages = {n: book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml")}
    assert "scripted" not in opf
    for name, xhtml in pages.items():
        xhtml = xhtml.split("<body", 1)[1]  # our own <head> holds a stylesheet link and style
        assert not re.search(r"<(script|iframe|object|embed|form|style|meta http|base|link rel=\"att)", xhtml, re.I), (
            name
        )
        assert not re.search(r"\son\w+=", xhtml, re.I), name
        assert not re.search(r"(java|vb)script:|data:text", xhtml, re.I), name
    raw = pdf.read_bytes()
    assert not re.search(rb"/JavaScript|/JS\b|/Launch|/EmbeddedFile", raw)
    assert not re.search(rb"(?i)javascript:|vbscript:", folder_payload(pdf.parent))


def test_strict_turns_a_removal_into_a_failed_build(project):
    source, _ = project
    code, _, stderr, path, out = build_fixture("script", source, "--strict")
    assert code == 1
    assert error_lines(stderr)[-1]["what"] == "1 warning(s) and --strict is on"
    assert not out.exists()


def test_local_image_is_packaged_in_both_editions(project, epubcheck):
    source, _ = project
    code, _, stderr, _, out = build_fixture("local_image", source)
    assert code == 0, stderr
    chart = png()
    with zipfile.ZipFile(out / "local_image.epub") as book:
        opf = book.read("EPUB/content.opf").decode()
        page = book.read("EPUB/brief.xhtml").decode()
        images = [n for n in book.namelist() if n.startswith("EPUB/images/img-")]
        assert len(images) == 1 and book.read(images[0]) == chart
    name = images[0].removeprefix("EPUB/")
    assert f'href="{name}"' in opf and 'media-type="image/png"' in opf
    assert f'src="{name}"' in page
    import pikepdf

    with pikepdf.open(out / "local_image.pdf") as pdf:
        sizes = [
            (int(o.get("/Width", 0)), int(o.get("/Height", 0)))
            for o in pdf.objects
            if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"
        ]
    assert (40, 20) in sizes
    assert epubcheck(out / "local_image.epub") == []


def test_pdf_fetcher_serves_only_data_urls_and_allowed_folders(tmp_path):
    """Defence in depth behind the checks above: WeasyPrint's own fetcher refuses the rest."""
    from briefpress.render.pdf import ConfinedFetcher

    allowed = tmp_path / "source"
    allowed.mkdir()
    (allowed / "ok.css").write_text("p {}")
    fetcher = ConfinedFetcher((allowed,))
    for url in (
        "file:///etc/passwd",
        f"file://{allowed}/../../etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.org/x.png",
        "ftp://example.org/x",
    ):
        with pytest.raises(PermissionError):
            fetcher.fetch(url)
    assert fetcher.fetch(f"file://{allowed}/ok.css")
    assert fetcher.fetch("data:text/css,p%7B%7D")

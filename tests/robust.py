"""Helpers for the robustness tests: error-line shape, manuscripts in tmp folders, output scans."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pikepdf
import pypdfium2
import pytest

from conftest import EPOCH, ROOT

# error: FILE[:LINE]: what (how to fix)
ERROR = re.compile(
    r"^error: (?P<file>[^:]+?)(?::(?P<line>\d+))?: (?P<what>.+) \((?P<fix>[^()]*(?:\([^()]*\)[^()]*)*)\)$"
)


def error_lines(stderr: str) -> list[re.Match]:
    """Every 'error:' line, each parsed; fails if one does not have the one-line shape."""
    lines = [line for line in stderr.splitlines() if line.startswith("error:")]
    matches = [ERROR.match(line) for line in lines]
    assert all(matches), f"malformed error line in:\n{stderr}"
    assert "Traceback" not in stderr
    return matches


def only_error(stderr: str) -> re.Match:
    errors = error_lines(stderr)
    assert len(errors) == 1, stderr
    return errors[0]


def write_brief(folder: Path, body: str, *, front: str = "title: A Test Brief", name: str = "brief.md") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"---\n{front}\n---\n\n{body}\n", encoding="utf-8")
    return path


def pdf_payload(data: bytes) -> bytes:
    """The PDF's decompressed streams and extracted text, for searching."""
    parts = [data]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    parts.append(obj.read_bytes())
                except pikepdf.PdfError:
                    parts.append(obj.read_raw_bytes())
    doc = pypdfium2.PdfDocument(data)
    for page in doc:
        parts.append(page.get_textpage().get_text_range().encode("utf-8"))
    doc.close()
    return b"\n".join(parts)


def epub_payload(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return b"\n".join(book.read(name) for name in book.namelist())


def folder_payload(folder: Path) -> bytes:
    """Everything a reader could get out of every file in the folder."""
    parts = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        parts.append(data)
        if path.suffix == ".pdf":
            parts.append(pdf_payload(data))
        elif path.suffix == ".epub":
            parts.append(epub_payload(data))
    return b"\n".join(parts)


BUILD = ROOT / "build.py"


def cli(*args: str, cwd: Path, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    """Run build.py in its own process; a build that outlives timeout fails the test."""
    environ = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **env}
    try:
        return subprocess.run(
            [sys.executable, str(BUILD), *args, "--no-cache"],
            cwd=cwd,
            env=environ,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"build.py {' '.join(args)} still running after {timeout} s")


def refused(result: subprocess.CompletedProcess, file: str, line: int | None, what: str):
    assert result.returncode == 1, result.stderr
    error = only_error(result.stderr)
    assert error["file"] == file, result.stderr
    assert error["line"] == (str(line) if line else None), result.stderr
    assert what in error["what"], result.stderr
    return error

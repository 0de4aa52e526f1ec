"""`--check` picks each edition's validators by the edition's kind, never by its file name."""

from __future__ import annotations

from briefpress.check import validate
from briefpress.check.verapdf import VeraResult
from briefpress.records import EDITION_FILES, Artifact
from conftest import FIXTURES, run_build


def test_check_a_brief_whose_name_ends_in_archive(tmp_path):
    """brief-archive.md gives brief-archive.pdf (the distribution PDF) and brief-archive-archive.pdf."""
    source = tmp_path / "brief-archive.md"
    source.write_text((FIXTURES / "minimal.md").read_text(encoding="utf-8"), encoding="utf-8")
    code, out, err = run_build(str(source), "--out", str(tmp_path / "dist"), "--format", "pdf,pdfa", "--check", "-q")
    assert "Traceback" not in err
    assert code == 0, out + err
    assert [line.split()[:3] for line in out.splitlines()[:-1]] == [
        ["ok", "pdfua", "brief-archive.pdf"],
        ["ok", "pdf-rules", "brief-archive.pdf"],
        ["ok", "verapdf", "brief-archive.pdf"],
        ["ok", "pdfa-rules", "brief-archive-archive.pdf"],
        ["ok", "verapdf", "brief-archive-archive.pdf"],
    ]


def test_validators_follow_the_kind_not_the_file_name(monkeypatch, tmp_path):
    ran = []
    for name in ("run_pdfua", "run_pdf_rules"):
        monkeypatch.setattr(
            validate, name, lambda p, name=name: ran.append((name, p.name)) or validate.Verdict(name, p)
        )
    epubchecked: list[list[str]] = []
    monkeypatch.setattr(
        validate,
        "run_epubchecks",
        lambda epubs: epubchecked.append([e.name for e in epubs]) or [validate.Verdict("epubcheck", e) for e in epubs],
    )
    aced: list[list[str]] = []
    monkeypatch.setattr(
        validate,
        "run_aces",
        lambda epubs: aced.append([e.name for e in epubs]) or [validate.Verdict("ace", e) for e in epubs],
    )
    monkeypatch.setattr(
        validate,
        "run_pdfa_rules",
        lambda p, s: ran.append(("run_pdfa_rules", p.name, s.name)) or validate.Verdict("pdfa", p),
    )
    vera: list[dict] = []
    monkeypatch.setattr(
        validate,
        "run_verapdf",
        lambda pdfs: vera.append({p.name: v for p, v in pdfs.items()}) or [VeraResult(p, "", 1, 1) for p in pdfs],
    )
    sources = [tmp_path / "x-archive.md", tmp_path / "y.epub.md"]
    # Misleading names on purpose: the kind decides.
    artifacts = [
        Artifact(tmp_path / f"{stem}{EDITION_FILES[kind]}", kind, 0)
        for stem in ("x-archive", "y.epub")
        for kind in EDITION_FILES
    ]
    verdicts = validate.validate_editions(artifacts, sources)
    assert ran == [
        ("run_pdfua", "x-archive.pdf"),
        ("run_pdf_rules", "x-archive.pdf"),
        ("run_pdfua", "x-archive-print.pdf"),
        ("run_pdf_rules", "x-archive-print.pdf"),
        ("run_pdfa_rules", "x-archive-archive.pdf", "x-archive.md"),
        ("run_pdfua", "y.epub.pdf"),
        ("run_pdf_rules", "y.epub.pdf"),
        ("run_pdfua", "y.epub-print.pdf"),
        ("run_pdf_rules", "y.epub-print.pdf"),
        ("run_pdfa_rules", "y.epub-archive.pdf", "y.epub.md"),
    ]
    assert epubchecked == [["x-archive.epub", "y.epub.epub"]]  # one epubcheck run for every EPUB
    assert aced == [["x-archive.epub", "y.epub.epub"]]  # and one Ace run
    assert [(v.validator, v.edition.name) for v in verdicts if v.edition.suffix == ".epub"] == [
        ("epubcheck", "x-archive.epub"),
        ("ace", "x-archive.epub"),
        ("epubcheck", "y.epub.epub"),
        ("ace", "y.epub.epub"),
    ]
    assert vera == [  # one veraPDF run for every PDF, each against its edition's standard
        {
            "x-archive.pdf": "pdf/ua-1",
            "x-archive-print.pdf": "pdf/ua-1",
            "x-archive-archive.pdf": "pdf/a-3a",
            "y.epub.pdf": "pdf/ua-1",
            "y.epub-print.pdf": "pdf/ua-1",
            "y.epub-archive.pdf": "pdf/a-3a",
        }
    ]

"""A series: several briefs built in parallel, and dist/index.html, their offline catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html

from browser import axe_violations
from conftest import BRIEFS, run_build


@pytest.fixture(scope="module")
def series(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("series")
    code, stdout, err = run_build(*(str(p) for p in BRIEFS.values()), "--out", str(out), "--format", "pdf,epub,html")
    assert code == 0, err
    return out, stdout, err


def test_every_brief_is_built_and_its_warnings_reported(series):
    out, stdout, err = series
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{n}.{k}" for n in BRIEFS for k in ("pdf", "epub", "html", "bib", "ris", "json")]
        + [f"{n}-card.png" for n in BRIEFS]
        + ["index.html", "feed.xml", "SHA256SUMS"]
    )
    assert err.count("warning: source/brief.md:") == 23 and err.count("warning: ") == 24  # 1 in links.md
    assert [line.split()[1] for line in stdout.splitlines()[-3:]] == [
        str(out / "index.html"),
        str(out / "feed.xml"),
        str(out / "SHA256SUMS"),
    ]
    sums = dict(reversed(line.split("  ")) for line in (out / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == {p.name for p in out.iterdir()} - {"SHA256SUMS"}


def test_catalogue_lists_each_brief_with_its_editions_and_sizes(series):
    out, _, _ = series
    root = html.parse(str(out / "index.html")).getroot()
    entries = root.xpath("//ol[@class='catalogue']/li")
    titles = [e.xpath("string(.//h2)") for e in entries]
    assert titles == [
        "Water, Power and the Indus: A Test Brief",  # dated 5 March 2026: newest first
        "Misaligned Expectations: Pakistan-Afghanistan Military Escalation",
        "A Minimal Brief",
    ]
    links = entries[0]
    assert " ".join(links.xpath("string(.//p[@class='series-line'])").split()) == "ISAS Brief No. 1234 | 5 March 2026"
    assert links.xpath("string(.//p[@class='byline'])") == "Priya Raman and Tan Wei Ming"
    assert (
        links.xpath("string(.//p[@class='entry-summary'])")
        == "A short summary that cites the World Bank before the body starts."
    )
    for entry, stem in zip(entries, ["links", "brief", "minimal"]):
        editions = entry.xpath(".//ul[@class='editions']/li")
        assert [li.xpath("string(a)") for li in editions] == ["Web page", "PDF", "EPUB"]
        for li in editions:
            target = out / li.xpath("string(a/@href)")
            assert target.stem == stem and target.is_file()
            size = target.stat().st_size
            shown = f"{size / 1024:.0f} KiB" if size < 1000 * 1024 else f"{size / 1048576:.1f} MiB"
            assert li.xpath("string(span[@class='size'])") == shown


def test_catalogue_works_offline_and_passes_axe(series, browser):
    out, _, _ = series
    text = (out / "index.html").read_text(encoding="utf-8")
    assert not re.search(r'(?:src|href)="(?!data:|[a-z]+\.(?:html|pdf|epub|bib|ris|json|xml)")', text)
    page = browser.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    for name in ("index", "links", "brief"):
        page.goto((out / f"{name}.html").as_uri())
        assert axe_violations(page) == [], name
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    page.close()


def test_a_broken_brief_fails_the_series_and_the_others_are_written(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: T\ndate: soon\n---\nBody\n", encoding="utf-8")
    code, stdout, err = run_build(str(bad), str(BRIEFS["minimal"]), "--out", str(tmp_path / "out"), "--format", "html")
    assert code == 1
    assert err == (
        f"error: {bad}:3: 'date' is not a date: 'soon' (write an ISO date such as 2026-03-05)\n"
        f"error: built 1 of 2 briefs; 1 failed: {bad}\n"
    )
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "minimal.html" in written and "index.html" in written and "bad.html" not in written, written
    assert "bad.md" not in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_briefs_built_in_one_process_are_the_bytes_each_gives_alone(tmp_path):
    """One process keeps WeasyPrint's font set-up from brief to brief (render/pdf.py's WARM): an
    Urdu brief after an English one, with other fallback fonts, must not take anything from it."""
    from conftest import FIXTURES

    briefs = [str(BRIEFS["minimal"]), str(FIXTURES / "urdu.md")]
    code, _, err = run_build(*briefs, "--out", str(tmp_path / "series"), "--jobs", "1", "--format", "pdf")
    assert code == 0, err
    for brief in briefs:
        alone = tmp_path / Path(brief).stem
        code, _, err = run_build(brief, "--out", str(alone), "--jobs", "1", "--format", "pdf")
        assert code == 0, err
        name = f"{Path(brief).stem}.pdf"
        assert (tmp_path / "series" / name).read_bytes() == (alone / name).read_bytes(), name


def test_the_same_file_named_twice_is_built_once_with_a_warning(tmp_path):
    """A glob that also matches a name given, `a.md` and `sub/../a.md`, a link to a.md: one brief."""
    for name in ("a", "b"):
        (tmp_path / f"{name}.md").write_text(f"---\ntitle: Brief {name}\n---\n\nText.\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.md").symlink_to(tmp_path / "a.md")
    a, b, link, other = (str(tmp_path / n) for n in ("a.md", "b.md", "link.md", "sub/../a.md"))
    out = tmp_path / "out"
    code, _, err = run_build(a, b, a, link, other, "--out", str(out), "--format", "html", "-q")
    assert code == 0, err
    fix = "built once (name each brief once)"
    assert err.splitlines() == [
        f"warning: {a}: named twice: {fix}",
        f"warning: {link}: the same file as {a}: {fix}",
        f"warning: {a}: named twice: {fix}",  # sub/../a.md, shown as the path it is
    ]
    assert sorted(p.name for p in out.glob("*.html")) == ["a.html", "b.html", "index.html"]
    assert html.parse(str(out / "index.html")).getroot().xpath("//h2/text()") == ["Brief b", "Brief a"]
    code, _, err = run_build(a, b, link, "--out", str(tmp_path / "strict"), "--format", "html", "--strict")
    assert (code, err) == (
        1,
        f"error: {link}: the same file as {a} (name each brief once, or build without --strict)\n",
    )
    assert not (tmp_path / "strict").exists()

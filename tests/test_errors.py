"""Every user error: one line 'error: FILE:LINE: what (how to fix)', exit code 1, no traceback."""

from __future__ import annotations

import shutil

import pytest

from conftest import ROOT, run_build
from helpers import edited_brand
from robust import error_lines, only_error, write_brief


def build(path, tmp_path, *extra):
    out = tmp_path / "dist"
    code, _, stderr = run_build(str(path), "--out", str(out), *extra)
    assert code == 1, stderr
    assert not out.exists() or not any(out.iterdir()), "a failed build wrote files"
    return stderr


def test_missing_source(tmp_path):
    error = only_error(build(tmp_path / "nowhere.md", tmp_path))
    assert (error["file"], error["line"], error["what"]) == (str(tmp_path / "nowhere.md"), None, "no such file")


def test_unreadable_source(tmp_path):
    folder = tmp_path / "folder.md"
    folder.mkdir()  # chmod cannot stop root, a folder stops everyone
    error = only_error(build(folder, tmp_path))
    assert error["what"] == "cannot read: Is a directory"


def test_invalid_utf8_names_line_and_byte(tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes(b"---\ntitle: Caf\xc3\xa9\n---\n\nna\xefve\n")
    error = only_error(build(path, tmp_path))
    assert (error["line"], error["what"], error["fix"]) == ("5", "invalid UTF-8 at byte 24", "save the file as UTF-8")


def test_malformed_yaml_names_its_line(tmp_path):
    path = write_brief(tmp_path, "Text.", front="title: Fine\nauthor: [unclosed\nlang: en")
    error = only_error(build(path, tmp_path))
    assert error["what"].startswith("malformed YAML front matter") and error["line"] == "4"


def test_several_front_matter_problems_in_one_run(tmp_path):
    front = "title: T\nauthor:\n  - bio: no name here\ndate: next tuesday\nlang: 'english please'"
    path = write_brief(tmp_path, "Text.", front=front)
    errors = {e["what"]: e["line"] for e in error_lines(build(path, tmp_path))}
    assert errors == {
        "author 1 has no name": "3",
        "'date' is not a date: 'next tuesday'": "5",
        "'lang' is not a language tag: 'english please'": "6",
    }


def test_missing_title(tmp_path):
    path = write_brief(tmp_path, "Text.", front="subtitle: Only a subtitle")
    error = only_error(build(path, tmp_path))
    assert (error["line"], error["what"]) == ("2", "missing title")


def test_control_character_in_front_matter(tmp_path):
    path = write_brief(tmp_path, "Text.", front='title: "Bell\\a"')
    error = only_error(build(path, tmp_path))
    assert (error["line"], error["what"]) == ("2", "control character in 'title'")


def test_unknown_format(tmp_path):
    error = only_error(build(ROOT / "tests" / "fixtures" / "minimal.md", tmp_path, "--format", "pdf,docx"))
    assert (error["file"], error["what"]) == ("--format", "unknown format docx")


@pytest.fixture
def styles(tmp_path):
    folder = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", folder)
    return folder


def edit_brand(styles, old: str, new: str) -> None:
    path = styles / "brand.yml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_several_brand_problems_in_one_run(tmp_path, styles):
    edit_brand(styles, "  primary: claret", "  primary: '#12'")
    edit_brand(styles, "    short: ISAS\n", "")
    edit_brand(styles, "      path: logo.svg", "      path: no-such-logo.svg")
    edit_brand(
        styles,
        "    - family: Source Sans Pro\n      source: system",
        "    - family: Nowhere Grotesque\n      source: system",
    )
    edit_brand(styles, "    paper: a4", "    paper: a4\n    colour: blue")
    brand = styles / "brand.yml"
    errors = error_lines(build(ROOT / "source" / "brief.md", tmp_path, "--brand", str(brand)))
    found = {e["what"]: e["line"] for e in errors}
    assert all(e["file"] == str(brand) for e in errors)
    text = brand.read_text().splitlines()

    def line_of(needle: str) -> str:
        return str(next(i for i, line in enumerate(text, 1) if line.startswith(needle)))

    assert found == {
        "brand: unknown key meta.briefpress.colour": line_of("    colour: blue"),
        "brand: color.primary must be a #RRGGBB colour (or a palette name)": line_of("  primary: '#12'"),
        "brand: logo file not found: no-such-logo.svg": line_of("logo:"),
        "brand: font 'Nowhere Grotesque' not found": line_of("  fonts:"),
        "brand: meta.name.full and meta.name.short are required": line_of("meta:"),
    }, found


def test_missing_stylesheet(tmp_path, styles):
    (styles / "brief.css").unlink()
    error = only_error(
        build(ROOT / "tests" / "fixtures" / "minimal.md", tmp_path, "--brand", str(styles / "brand.yml"))
    )
    assert (error["file"], error["what"]) == (str(styles / "brief.css"), "cannot read: No such file or directory")


def test_missing_image(tmp_path):
    path = write_brief(tmp_path, "Para.\n\n![A chart](charts/gdp.png)")
    error = only_error(build(path, tmp_path))
    assert (error["line"], error["what"]) == ("7", "image charts/gdp.png: file not found")


def test_unwritable_output_folder(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, _, stderr = run_build(str(ROOT / "tests" / "fixtures" / "minimal.md"), "--out", str(blocker / "dist"))
    assert code == 1
    error = only_error(stderr)
    assert error["what"].startswith("cannot write output") and error["fix"] == "choose a writable folder with --out"


def test_pandoc_failing(tmp_path, monkeypatch):
    import pypandoc

    def broken(*args, **kwargs):
        raise RuntimeError('Pandoc died with exitcode "64" during conversion: YAML parse exception')

    monkeypatch.setattr(pypandoc, "convert_text", broken)
    path = write_brief(tmp_path, "Text.")
    error = only_error(build(path, tmp_path))
    assert error["what"].startswith("pandoc failed:") and error["file"] == str(path)


def test_weasyprint_logged_problem_fails_the_build(tmp_path):
    path = write_brief(tmp_path, 'A <span style="color: notacolour">styled</span> word.')
    error = only_error(build(path, tmp_path))
    assert error["what"] == "PDF rendering problem: Ignored `color: notacolour` at 1:1, invalid value."


def test_ebooklib_logged_problem_fails_the_build(tmp_path, monkeypatch):
    from briefpress.render import epub

    describe = epub.describe

    def describe_badly(book, spec):  # metadata that lxml refuses: ebooklib logs it and drops it
        describe(book, spec)
        book.add_metadata("DC", "subject", "bell\a")

    monkeypatch.setattr(epub, "describe", describe_badly)
    path = write_brief(tmp_path, "Text.")
    error = only_error(build(path, tmp_path, "--format", "epub"))
    assert error["file"] == str(path)
    assert error["what"] == 'EPUB writing problem: Could not create metadata "subject".'


def test_character_yaml_refuses(tmp_path):
    """Found by the property test: PyYAML's ReaderError (U+0080) escaped as a traceback."""
    path = write_brief(tmp_path, "Text.", front='title: T\nabstract: "[a](https://example.org/\x80)"')
    error = only_error(build(path, tmp_path))
    assert (error["line"], error["what"]) == ("3", "character U+0080 is not allowed in YAML front matter")


def broken_png(tail: bytes) -> bytes:
    """A PNG signature with nothing behind it: once WeasyPrint failed on it with one line-less
    error; now the image check decodes it first and refuses it at its line."""
    return b"\x89PNG\r\n\x1a\n" + tail


def test_every_broken_image_is_reported_at_its_manuscript_line(tmp_path):
    folder = tmp_path / "src"
    path = write_brief(folder, "First.\n\n![A chart](a.png)\n\nSecond.\n\n![Another chart](b.png)\n")
    (folder / "a.png").write_bytes(broken_png(b"one"))
    (folder / "b.png").write_bytes(broken_png(b"two"))
    errors = error_lines(build(path, tmp_path, "--format", "pdf"))
    assert [(e["file"], e["line"]) for e in errors] == [(str(path), "7"), (str(path), "11")]
    assert [e["what"].split(":")[0] for e in errors] == ["image a.png", "image b.png"]
    assert all("cannot be decoded" in e["what"] for e in errors)
    assert "base64" not in errors[0]["what"]


def test_a_bad_brand_style_names_the_style_sheet_and_line(tmp_path):
    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", styles)
    css = styles / "brief.css"
    lines = css.read_text(encoding="utf-8").splitlines()
    css.write_text("\n".join([*lines, "p { colr: red; }", "h1 { margin: sideways; }"]) + "\n", encoding="utf-8")
    stderr = build(
        ROOT / "tests" / "fixtures" / "minimal.md", tmp_path, "--format", "pdf", "--brand", str(styles / "brand.yml")
    )
    errors = error_lines(stderr)
    assert [(e["file"], e["line"], e["fix"]) for e in errors] == [
        (str(css), str(len(lines) + 1), "fix the style sheet"),
        (str(css), str(len(lines) + 2), "fix the style sheet"),
    ]
    assert "colr" in errors[0]["what"] and "sideways" in errors[1]["what"]


# --- errors a user meets first: a wrong --brand, a broken brand file, odd front matter, the epoch ---


def test_missing_brand_file(tmp_path):
    brand = tmp_path / "nowhere.yml"
    error = only_error(build(ROOT / "tests" / "fixtures" / "minimal.md", tmp_path, "--brand", str(brand)))
    assert (error["file"], error["what"], error["fix"]) == (
        str(brand),
        "brand file not found",
        "create styles/brand.yml or pass --brand",
    )


def inserted_at_line_4(text: str, line: str) -> str:
    lines = text.splitlines()
    return "\n".join([*lines[:3], line, *lines[3:]]) + "\n"


def test_malformed_brand_yaml_names_its_line(tmp_path):
    brand = edited_brand(tmp_path, lambda text: inserted_at_line_4(text, "  broken: [unclosed"))
    error = only_error(build(ROOT / "tests" / "fixtures" / "minimal.md", tmp_path, "--brand", str(brand)))
    assert error["file"] == str(brand) and error["what"].startswith("malformed YAML")
    assert error["line"] is not None and int(error["line"]) >= 4
    assert error["fix"] == "fix the YAML syntax"


def test_a_character_yaml_refuses_in_the_brand_names_its_line(tmp_path):
    brand = edited_brand(tmp_path, lambda text: inserted_at_line_4(text, "# \u0080"))
    error = only_error(build(ROOT / "tests" / "fixtures" / "minimal.md", tmp_path, "--brand", str(brand)))
    assert (error["file"], error["line"]) == (str(brand), "4")
    assert error["what"] == "character U+0080 is not allowed in YAML"


def test_front_matter_that_is_not_a_mapping(tmp_path):
    path = write_brief(tmp_path, "Body.", front="- just\n- a list")
    error = only_error(build(path, tmp_path))
    assert (error["line"], error["what"], error["fix"]) == (
        "2",
        "front matter is not a mapping",
        "write 'key: value' lines",
    )


def test_source_date_epoch_that_is_not_a_number(tmp_path, monkeypatch, capsys):
    from briefpress.cli import main

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    out = tmp_path / "dist"
    assert main([str(ROOT / "tests" / "fixtures" / "minimal.md"), "--out", str(out), "--no-cache"], root=ROOT) == 1
    error = only_error(capsys.readouterr().err)
    assert (error["file"], error["what"]) == ("SOURCE_DATE_EPOCH", "not a number of seconds: 'yesterday'")
    assert not out.exists()


FONT = "    - family: Source Code Pro\n      source: system\n"
OWN_FONT = FONT + "    - family: Own Face\n      source: file\n      files:\n        - path: {}\n"
BAD_PATHS = {
    # brand_yml tries a logo as one file and as images, a path as a URL and as a file: 7 errors
    "logo absolute": ("logo", "/etc/passwd", "brand: logo.images.wordmark.path: /etc/passwd: must be a path"),
    "logo missing": ("logo", "nowhere.svg", "brand: logo file not found: nowhere.svg"),
    "font without suffix": ("font", "fonts/face", "brand: typography.fonts.10.files.0.path: fonts/face: must be"),
    "font missing": ("font", "fonts/nowhere.ttf", "brand: font file not found: fonts/nowhere.ttf"),  # was a traceback
    "font not a font": ("font", "face.ttf", "brand: font face.ttf: not a TrueType, OpenType or WOFF font"),
}


@pytest.mark.parametrize("case", BAD_PATHS)
def test_a_bad_path_in_the_brand_is_one_error_for_a_brief_a_series_and_a_pack(tmp_path, case):
    kind, named, what = BAD_PATHS[case]
    if kind == "logo":
        brand = edited_brand(tmp_path, lambda text: text.replace("path: logo.svg", f"path: {named}"))
    else:
        brand = edited_brand(tmp_path, lambda text: text.replace(FONT, OWN_FONT.format(named)))
    (brand.parent / "face.ttf").write_text("Not a font.\n")
    line = next(n for n, text in enumerate(brand.read_text().splitlines(), 1) if f"path: {named}" in text)
    line = line - 3 if case == "logo missing" else line  # a logo that is not there: the line of logo:
    briefs = [write_brief(tmp_path, "Text.", name=f"{name}.md") for name in ("one", "two", "three")]
    (tmp_path / "pack.yml").write_text("title: A Pack\nbriefs:\n" + "".join(f"  - {b.name}\n" for b in briefs))
    out, use = ("--out", str(tmp_path / "dist")), ("--brand", str(brand))
    for args in ([str(briefs[0])], [str(b) for b in briefs], ["pack", str(tmp_path / "pack.yml")]):
        code, _, err = run_build(*args, *out, *use, *(["--no-cache"] if args[0] == "pack" else []))
        assert code == 1 and len(err.splitlines()) == 1, err
        error = only_error(err)
        assert (error["file"], error["line"]) == (str(brand), str(line)), err
        assert error["what"].startswith(what) and error["fix"], err
    assert not (tmp_path / "dist").exists()

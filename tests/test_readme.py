"""The README's promises, walked: its usage block, its subcommands and its `--check` example."""

from __future__ import annotations

import re

from briefpress.check import validate
from briefpress.check.verapdf import VeraResult
from conftest import ROOT, SAMPLE, run_build
from helpers import run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z-]*|-[a-z])\b")


def indented_block_after(marker: str) -> list[str]:
    """The indented (code) lines that follow the paragraph containing marker."""
    lines = README[README.index(marker) :].splitlines()[1:]
    start = next(i for i, line in enumerate(lines) if line.startswith("    "))
    block = []
    for line in lines[start:]:
        if line and not line.startswith("    "):
            break
        block.append(line.strip())
    return [line for line in block if line]


USAGE = indented_block_after("`build.py` takes options:")
SUBCOMMAND = re.compile(r"python build\.py ([a-z|]+)\b")


def subcommand_lines() -> dict[str, str]:
    """Each subcommand of the usage block with the line that shows it."""
    return {name: line for line in USAGE if (m := SUBCOMMAND.match(line)) for name in m.group(1).split("|")}


def test_every_option_in_the_usage_block_is_in_the_help_and_back():
    helped = run_cli("build", "--help", cwd=ROOT)
    assert helped.returncode == 0, helped.stderr
    # One entry per option of the help, with its aliases: "-q, --quiet".
    entries = [
        set(OPTION.findall(re.split(r"\s{2,}", line.strip())[0]))
        for line in helped.stdout.split("options:", 1)[1].splitlines()
        if line.startswith("  -")
    ]
    entries = [names for names in entries if names != {"-h", "--help"}]
    build_lines = [line for line in USAGE if line not in subcommand_lines().values()]
    in_readme = {option for line in build_lines for option in OPTION.findall(line)}
    assert in_readme - set().union(*entries) == set(), "the README names options that build.py does not have"
    left_out = [sorted(names) for names in entries if not names & in_readme]
    assert left_out == [], "build.py has options that the README's usage block leaves out"


def test_every_subcommand_in_the_usage_block_exists_with_its_options():
    listed = subcommand_lines()
    assert set(listed) >= {"new", "serve", "watch"}, USAGE
    for name, line in sorted(listed.items()):
        helped = run_cli(name, "--help", cwd=ROOT)
        assert helped.returncode == 0 and f"usage: briefpress {name}" in helped.stdout, (name, helped.stderr)
        missing = set(OPTION.findall(line)) - set(OPTION.findall(helped.stdout))
        assert not missing, f"{name} has no {', '.join(sorted(missing))}"


def test_the_check_example_shows_the_lines_check_prints(monkeypatch, tmp_path):
    """The validators are replaced by ones that pass, so the lines are those of a clean run."""
    for name in ("run_epubcheck", "run_ace", "run_pdfua", "run_pdf_rules"):
        validator = {
            "run_epubcheck": "epubcheck",
            "run_ace": "ace",
            "run_pdfua": "pdfua",
            "run_pdf_rules": "pdf-rules",
        }[name]
        monkeypatch.setattr(validate, name, lambda path, v=validator: validate.Verdict(v, path))
    monkeypatch.setattr(validate, "run_pdfa_rules", lambda path, source: validate.Verdict("pdfa-rules", path))
    monkeypatch.setattr(validate, "run_verapdf", lambda pdfs: [VeraResult(path, "ua1", 1, 1, 1) for path in pdfs])
    example = indented_block_after("`--check` builds every format")
    assert example[0].startswith("$ .venv/bin/python build.py --check -q")
    code, out, err = run_build(str(SAMPLE), "--out", str(tmp_path), "--check", "-q")
    assert code == 0, err
    assert example[1:] == out.splitlines()

"""Property tests: ordinary generated briefs nearly all build structurally sound editions, and any
generated brief, hostile ones included, builds them or fails with a BriefError.

Runs the pipeline's stages in-process (no CLI, no files but the manuscript). CI runs a small,
fixed set of examples; BRIEFPRESS_EXAMPLES=2000 runs a long random search.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pypdfium2
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from briefpress.brand import load_brand
from briefpress.compose.assets import load_assets
from briefpress.compose.document import compose_document
from briefpress.compose.safety import sanitize_document
from briefpress.errors import BriefError, raise_all
from briefpress.read.frontmatter import load_source
from briefpress.render.editions import make_epub, make_pdf
from conftest import ROOT

EXAMPLES = int(os.environ.get("BRIEFPRESS_EXAMPLES", "25"))
BRAND = load_brand(ROOT / "styles" / "brand.yml")
WHEN = datetime(2026, 3, 5, tzinfo=timezone.utc)

# Letters the brand's fonts cover, and letters from scripts they lack (the PDF then fails with a
# BriefError about missing glyphs), combining marks, RTL, CJK, emoji, and Markdown punctuation.
COVERED = [
    "abc",
    "Ωμέγα",
    "Кириллица",
    "é̃̂",
    "\u200bzero\u200dwidth",
    "*",
    "_",
    "`",
    "[",
    "]",
    "(",
    ")",
    "<",
    ">",
    "&",
    "#",
    "\\",
    "|",
    "~",
    "^",
    '"',
    "'",
    ":",
    "-",
    "—",
    "“q”",
]
ELSEWHERE = [
    "עברית",
    "العربية",
    "हिन्दी",
    "বাংলা",
    "தமிழ்",
    "ไทย",
    "한국어",
    "中文字符",
    "日本語かな",
    "ግዕዝ",
    "ᏣᎳᎩ",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "😀👩‍👩‍👧",
]


def words(any_script: bool):
    letters = st.sampled_from(COVERED + ELSEWHERE) if any_script else st.sampled_from(COVERED)
    chars = (
        st.characters(blacklist_categories=("Cs", "Cc"))
        if any_script
        else st.characters(min_codepoint=0x20, max_codepoint=0x24F, blacklist_categories=("Cs", "Cc"))
    )
    return st.one_of(
        st.lists(letters, min_size=1, max_size=4).map("".join),
        st.text(chars, min_size=1, max_size=12),
        st.integers(200, 600).map(lambda n: "Donaudampfschiff" * (n // 16)),  # a very long word
    )


URL = st.one_of(
    st.sampled_from(
        [
            "https://example.org",
            "http://example.org/a?b=c&d=e#f",
            "#",
            "",
            "mailto:a@b.org",
            "#section",
            "javascript:alert(1)",
            "ftp://files.example.org/x",
        ]
    ),
    st.builds(
        lambda p, n: "https://example.org/" + "/".join([p] * n),
        st.from_regex(r"[a-z0-9%._~-]{1,20}", fullmatch=True),
        st.integers(1, 40),
    ),  # very long URLs
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).map(
        lambda t: "https://example.org/" + t.replace(")", "").replace(" ", "")
    ),
)


# What an author writes: the fonts' letters, real addresses, harmless inline HTML; no hostile markup.
ORDINARY_URL = st.one_of(
    st.sampled_from(
        ["https://example.org", "http://example.org/a?b=c&d=e#f", "mailto:a@b.org", "https://example.org/report.pdf"]
    ),
    st.builds(
        lambda p, n: "https://example.org/" + "/".join([p] * n),
        st.from_regex(r"[a-z0-9._~-]{1,20}", fullmatch=True),
        st.integers(1, 40),
    ),
)
ORDINARY_HTML = ["<b>bold</b>", "<sup>2</sup>", "<br>", "<!-- note -->", "<em>e</em>"]
ORDINARY_BLOCK_HTML = ["<div>\n<p>in a div</p>\n</div>", "<table><tr><td>x</td></tr></table>"]
MIN_BUILT_SHARE = 0.8  # of ordinary briefs, at least this share must build both editions


@st.composite
def inline(draw, word, url=URL, html=None) -> str:
    kind = draw(st.sampled_from(["word", "word", "link", "footnote", "inline_note", "emph", "code", "html"]))
    if kind == "link":
        return f"[{draw(word)}]({draw(url)})"
    if kind == "footnote":
        return f"[^{draw(st.integers(1, 4))}]"
    if kind == "inline_note":
        return f"^[{draw(word)} [{draw(word)}]({draw(url)})]"
    if kind == "emph":
        return f"*{draw(word)}*"
    if kind == "code":
        return f"`{draw(word)}`"
    if kind == "html":
        return draw(
            st.sampled_from(
                html
                or [
                    "<b>bold</b>",
                    '<span onclick="x()">s</span>',
                    "<script>x()</script>",
                    "<sup>2</sup>",
                    '<a href="javascript:x">j</a>',
                    "<br>",
                    "</span>",
                    "<!-- note -->",
                    "<iframe src=x></iframe>",
                ]
            )
        )
    return draw(word)


@st.composite
def block(draw, word, ordinary: bool = False) -> str:
    kind = draw(st.sampled_from(["para", "para", "heading", "list", "quote", "empty_section", "footdef", "html"]))
    part = inline(word, ORDINARY_URL, ORDINARY_HTML) if ordinary else inline(word)
    para = " ".join(draw(st.lists(part, min_size=1, max_size=8)))
    if kind == "heading":
        return "#" * draw(st.integers(1, 6)) + " " + para
    if kind == "list":
        return "\n".join(f"- {p}" for p in draw(st.lists(st.just(para), min_size=1, max_size=3)))
    if kind == "quote":
        return "> " + para
    if kind == "empty_section":
        return "## " + draw(word) + "\n\n## " + draw(word)
    if kind == "footdef":
        return f"[^{draw(st.integers(1, 4))}]: {para}"
    if kind == "html":
        return draw(
            st.sampled_from(
                ORDINARY_BLOCK_HTML
                if ordinary
                else [
                    "<div>\n<p>in a div</p>\n</div>",
                    "</div>",
                    "<table><tr><td>x</td></tr></table>",
                    "<details><summary>s</summary>d</details>",
                    "<form><input></form>",
                ]
            )
        )
    return para


@st.composite
def brief(draw, ordinary: bool = False) -> str:
    """A manuscript; an ordinary one keeps to the fonts' letters and harmless markup."""
    word = words(any_script=not ordinary and draw(st.booleans()))
    part = inline(word, ORDINARY_URL, ORDINARY_HTML) if ordinary else inline(word)
    front = {"title": draw(word)}
    if draw(st.booleans()):
        front["author"] = [{"name": draw(word), "bio": " ".join(draw(st.lists(part, max_size=4)))}]
    if draw(st.booleans()):
        front["abstract"] = " ".join(draw(st.lists(part, max_size=6)))
    if draw(st.booleans()):
        front["lang"] = draw(
            st.sampled_from(["en", "en-GB", "de", "fr-CA"] if ordinary else ["en", "ar", "hi-IN", "zh-Hant", "x"])
        )
    header = "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in front.items())
    body = "\n\n".join(draw(st.lists(block(word, ordinary), max_size=10)))
    return f"---\n{header}\n---\n\n{body}\n"


def build_in_process(path: Path) -> tuple[bytes, bytes, int]:
    source = load_source(path)
    sanitized = sanitize_document(compose_document(source, BRAND, WHEN).value, source)
    loaded = load_assets(sanitized.value, source, allow_remote=False)
    document, refused, unreadable = loaded.value, sanitized.errors, loaded.errors
    raise_all([*refused, *unreadable])
    return make_pdf(document, paper="a4"), make_epub(document), len(document.notes)


def check_epub(data: bytes, notes: int) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        first = book.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert book.read("mimetype") == b"application/epub+zip"
        assert "scripted" not in book.read("EPUB/content.opf").decode()
        pages = {n: book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml")}
    listed = re.findall(r'<li class="note [^"]*" id="note-(\d+)"', pages.get("EPUB/notes.xhtml", ""))
    called = {n for name, xhtml in pages.items() for n in re.findall(r'role="doc-noteref">\u2060?(\d+)</a>', xhtml)}
    assert len(listed) == notes == len(called)
    assert set(listed) == called == {str(n) for n in range(1, notes + 1)}


def check_pdf(data: bytes) -> None:
    pdf = pypdfium2.PdfDocument(data)
    try:
        assert len(pdf) >= 1
    finally:
        pdf.close()


SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 25,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


def build_or_fail(text: str, folder: Path) -> str:
    """Build a manuscript: check sound editions, or a well-formed BriefError; say which happened."""
    path = folder / "brief.md"
    path.write_text(text, encoding="utf-8")
    try:
        pdf, epub, notes = build_in_process(path)
    except BriefError as err:
        lines = err.message.splitlines()
        assert lines and all(line.strip() for line in lines)
        outcome = (
            "failed with BriefError: " + re.sub(r"\d+", "N", err.what if len(lines) == 1 else err.errors[0].what)[:50]
        )
        event(outcome)
        return outcome
    check_pdf(pdf)
    check_epub(epub, notes)
    event("built both editions")
    return "built both editions"


@SETTINGS
@given(text=brief())
def test_any_brief_builds_or_fails_with_brief_error(text, tmp_path_factory):
    build_or_fail(text, tmp_path_factory.mktemp("prop"))


def test_most_ordinary_briefs_build_both_editions(tmp_path_factory):
    """Without a floor, a generator whose briefs all fail would pass the test above."""
    outcomes: list[str] = []

    @SETTINGS
    @given(text=brief(ordinary=True))
    def build_one(text):
        outcomes.append(build_or_fail(text, tmp_path_factory.mktemp("ordinary")))

    build_one()
    built = outcomes.count("built both editions")
    failures = sorted(set(outcomes) - {"built both editions"})
    assert outcomes and built / len(outcomes) >= MIN_BUILT_SHARE, (
        f"only {built} of {len(outcomes)} ordinary briefs built: {failures}"
    )

"""Read a briefing pack's manifest (YAML, through frontmatter's one YAML reader): its title, date,
marking, foreword and the briefs it gathers, each path relative to the manifest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from briefpress.errors import BriefError, BuildWarning, raise_all, report
from briefpress.read.files import MAX_MANUSCRIPT, read_regular_file
from briefpress.read.frontmatter import LANG_TAG, load_yaml
from briefpress.records import PackManifest, PackPart

KNOWN_KEYS = ("title", "short_title", "subtitle", "date", "marking", "lang", "foreword", "briefs")
PART_KEYS = ("part", "briefs")
MAX_MARKING = 120  # characters: the marking is one line at the top of every page


def load_manifest(path: Path) -> PackManifest:
    """The manifest at path, checked: every problem found is reported together, each with its line."""
    text = read_manifest_text(path)
    data, node = load_yaml(path, text, what="pack manifest")
    if not isinstance(data, dict) or node is None or node.id != "mapping":
        raise BriefError(path, 1, "the manifest is not a mapping", "write 'key: value' lines, as in README's example")
    lines = {key.value: key.start_mark.line + 1 for key, _ in node.value}
    nodes = {key.value: value for key, value in node.value}
    errors: list[BriefError] = []

    def fail(key: str, what: str, fix: str, line: int | None = None) -> None:
        errors.append(BriefError(path, line or lines.get(key, 1), what, fix))

    for key in data:
        if key not in KNOWN_KEYS:
            report(BuildWarning(path, lines.get(key), f"unknown key '{key}' in the pack manifest (ignored)"))
    title = text_value(data, "title", fail, required=True)
    marking = text_value(data, "marking", fail)
    if "\n" in marking.strip() or len(marking) > MAX_MARKING:
        fail("marking", f"the marking must be one line of at most {MAX_MARKING} characters", "shorten it")
    lang = text_value(data, "lang", fail) or "en"
    if not LANG_TAG.match(lang):
        fail("lang", f"'lang' is not a language tag: {lang}", "write a tag such as en or en-GB")
    foreword = text_value(data, "foreword", fail)
    if foreword and not (path.parent / foreword).is_file():
        fail("foreword", f"foreword not found: {foreword}", "fix the path (relative to the manifest)")
    parts = read_parts(path, data.get("briefs"), nodes.get("briefs"), lines.get("briefs", 1), errors)
    manifest = PackManifest(
        path=path,
        title=title,
        short_title=text_value(data, "short_title", fail) or title,
        subtitle=text_value(data, "subtitle", fail),
        date=date_value(data, fail),
        marking=" ".join(marking.split()),
        lang=lang,
        foreword=path.parent / foreword if foreword else None,
        parts=parts,
    )
    raise_all(errors)
    warn_twice(manifest)
    return manifest


def read_manifest_text(path: Path) -> str:
    try:
        data = read_regular_file(path, MAX_MANUSCRIPT)
    except ValueError as err:  # a folder, a pipe, a device: files.py says what and how to fix it
        what, _, fix = str(err).partition("|")
        raise BriefError(path, None, f"the pack manifest: {what}", fix) from None
    except OSError as err:
        raise BriefError(
            path, None, f"cannot read the pack manifest: {err.strerror or err}", "check the path"
        ) from None
    if len(data) > MAX_MANUSCRIPT:
        raise BriefError(path, None, "the pack manifest is too big to be one", "check the path")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise BriefError(path, line, "the manifest is not UTF-8", "save it as UTF-8") from None


def text_value(data: dict, key: str, fail, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            fail(key, f"the manifest has no '{key}'", f"add a line '{key}: ...'")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        fail(key, f"'{key}' must be text, not {type(value).__name__}", "write it on one line after the colon")
        return ""
    return str(value).strip()


def date_value(data: dict, fail) -> str:
    value = data.get("date")
    if value is None:
        return ""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        fail("date", f"'date' is not a date: {value}", "write it as YYYY-MM-DD")
        return ""


def read_parts(path: Path, value, node, line: int, errors: list[BriefError]) -> tuple[PackPart, ...]:
    """The briefs, as parts: a path at the top level is a part without a title of its own."""
    if not isinstance(value, list) or not value:
        what = "the pack has no briefs" if not value else "'briefs' must be a list"
        errors.append(BriefError(path, line, what, "list the briefs' paths under 'briefs:'"))
        return ()
    parts: list[PackPart] = []
    for item, item_node in zip(value, node.value, strict=True):
        item_line = item_node.start_mark.line + 1
        if isinstance(item, str):
            parts.append(PackPart("", (brief_path(path, item, item_line, errors),), (item_line,)))
        elif isinstance(item, dict) and isinstance(item.get("part"), str):
            for key in item:
                if key not in PART_KEYS:
                    report(BuildWarning(path, item_line, f"unknown key '{key}' in a part (ignored)"))
            briefs = item.get("briefs")
            brief_nodes = dict((k.value, v) for k, v in item_node.value).get("briefs")
            if (
                brief_nodes is None
                or not isinstance(briefs, list)
                or not briefs
                or not all(isinstance(b, str) for b in briefs)
            ):
                errors.append(BriefError(path, item_line, "a part needs a list of briefs", "add 'briefs: [path, ...]'"))
                continue
            brief_lines = tuple(n.start_mark.line + 1 for n in brief_nodes.value)
            paths = tuple(brief_path(path, b, n, errors) for b, n in zip(briefs, brief_lines, strict=True))
            parts.append(PackPart(item["part"].strip(), paths, brief_lines))
        else:
            errors.append(
                BriefError(path, item_line, "each entry of 'briefs' must be a path or a part", "see README's example")
            )
    return tuple(join_loose(parts))


def join_loose(parts: list[PackPart]) -> list[PackPart]:
    """Briefs listed one after another outside any part stay together, as one untitled part."""
    joined: list[PackPart] = []
    for part in parts:
        if part.title or not joined or joined[-1].title:
            joined.append(part)
        else:
            last = joined.pop()
            joined.append(PackPart("", last.briefs + part.briefs, last.lines + part.lines))
    return joined


def brief_path(manifest: Path, written: str, line: int, errors: list[BriefError]) -> Path:
    found = (manifest.parent / written.strip()).resolve()
    if not found.is_file():
        errors.append(
            BriefError(manifest, line, f"brief not found: {written}", "fix the path (relative to the manifest)")
        )
    return found


def warn_twice(manifest: PackManifest) -> None:
    """The same brief twice is built twice: most often a slip in the manifest."""
    seen: dict[Path, int] = {}
    for part in manifest.parts:
        for brief, line in zip(part.briefs, part.lines, strict=True):
            if brief in seen:
                report(
                    BuildWarning(manifest.path, line, f"{brief.name} is in the pack twice (also line {seen[brief]})")
                )
            seen.setdefault(brief, line)

"""Read a manuscript: decode it, split the YAML front matter and validate it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from briefpress.errors import NOTE, BriefError, BuildWarning, clipped, raise_all, report
from briefpress.read.files import MAX_MANUSCRIPT, read_regular_file
from briefpress.read.otherfronts import TitleBlock, find_template_tags, read_title_block, read_written_date
from briefpress.read.plainshape import read_back_matter, read_plain_shape
from briefpress.records import Author, Meta, Series, Source

FENCE = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
KNOWN_KEYS = {
    "title",
    "subtitle",
    "author",
    "abstract",
    "date",
    "lang",
    "keywords",
    "series",
    "identifier",
    "paper",
    "bibliography",
    "csl",
    "references",
    "doi",
    "url",
}
DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)?(10\.\d{4,9}/\S+)$", re.I)
PAPERS = ("a4", "letter")
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def load_source(path: Path) -> Source:
    """Read the manuscript at path: its front matter, or what its layout says (plainshape.py)."""
    text = read_text(path)
    match = FENCE.match(text)
    if not match:
        block = read_title_block(text)
        return plain_source(path, text) if block is None else titled_source(path, text, block)
    data, lines = parse_yaml(path, match.group(1))
    data = {key: value for key, value in data.items() if value is not None}  # `lang: null` is no lang
    body_line = text.count("\n", 0, match.end()) + 1
    markdown = text
    authors = data.get("author")
    if isinstance(authors, (list, str, dict)):  # bios may still follow a separator line in the body
        listed = [
            a if isinstance(a, dict) else {"name": a} for a in (authors if isinstance(authors, list) else [authors])
        ]
        if all(isinstance(a.get("name"), str) for a in listed):
            body, found, notes = read_back_matter(text[match.end() :], path, listed, offset=body_line - 1)
            if notes:
                report_notes(notes)
                data["author"] = found
                markdown = pandoc_text(data, body)
    warnings = (*meta_warnings(path, data, lines), *template_warnings(path, text[match.end() :], body_line - 1))
    meta = validate_meta(path, data, lines)
    return Source(path=path, text=text, meta=meta, body_line=body_line, markdown=markdown, warnings=warnings)


def titled_source(path: Path, text: str, block: TitleBlock) -> Source:
    """A manuscript that opens with pandoc's `% title` block: its lines blanked, so that the
    body keeps its line numbers."""
    for key, line in block.lines.items():
        report(BuildWarning(path, line, f"read the {key} from the % title block"), NOTE)
    lines = text.split("\n")
    body = "\n" * block.used + "\n".join(lines[block.used :])
    meta = validate_meta(path, block.data, block.lines)
    return Source(
        path=path,
        text=text,
        meta=meta,
        body_line=1,
        markdown=pandoc_text(block.data, body),
        warnings=template_warnings(path, body),
    )


def meta_warnings(path: Path, data: dict, lines: dict[str, int]) -> tuple[BuildWarning, ...]:
    """What the front matter holds that no edition uses: keys for other systems (Jekyll's
    `layout`, `permalink` ...) in one warning, and empty keywords."""
    found = []
    unknown = sorted(set(data) - KNOWN_KEYS, key=str)
    if unknown:
        found.append(
            BuildWarning(
                path,
                min(lines.get(k, 2) for k in unknown),
                f"front matter key(s) ignored: {', '.join(map(str, unknown))} "
                f"(briefpress reads {', '.join(sorted(KNOWN_KEYS))}; remove the others to silence this)",
            )
        )
    keywords = data.get("keywords")
    if isinstance(keywords, list) and any(k is None or not str(k).strip() for k in keywords):
        found.append(
            BuildWarning(path, lines.get("keywords"), "left out an empty keyword (remove the '' or the stray comma)")
        )
    return tuple(found)


def template_warnings(path: Path, body: str, offset: int = 0) -> tuple[BuildWarning, ...]:
    """One warning for the template tags (Jekyll, Eleventy, Liquid) the body holds outside code:
    nothing runs them, so they stay as written; the first is quoted, at its line."""
    tags = find_template_tags(body)
    if tags is None:
        return ()
    first = clipped(tags.first)
    return (
        BuildWarning(
            path,
            offset + tags.line,
            f"{tags.count} template tag(s) (Jekyll, Eleventy, Liquid) are not run and stay as written, "
            f"the first here: {first} (replace each with the text or the link it stands for)",
        ),
    )


def plain_source(path: Path, text: str) -> Source:
    """A manuscript without front matter: the fields its layout gives, each reported as a note."""
    shape = read_plain_shape(text, path)
    report_notes(shape.notes)
    meta = validate_meta(path, shape.data, shape.lines)
    return Source(
        path=path,
        text=text,
        meta=meta,
        body_line=1,
        markdown=pandoc_text(shape.data, shape.body),
        warnings=template_warnings(path, text),
    )


def declared_lang(path: Path) -> str:
    """The language the manuscript's front matter declares ("en" when it declares none), read
    without a word to the log: for a worker getting ready while the brief is read properly."""
    match = FENCE.match(read_text(path))
    lang = parse_yaml(path, match.group(1))[0].get("lang", "en") if match else "en"
    return lang if isinstance(lang, str) else "en"


def pandoc_text(data: dict, body: str) -> str:
    """What pandoc parses: the summary and bios as metadata (they are Markdown), then the body."""
    meta = {
        "abstract": data.get("abstract", ""),
        "author": [{"name": a["name"], "bio": a.get("bio", "")} for a in data.get("author", [])],
    }
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, width=10**6, sort_keys=False) + "---\n" + body


def report_notes(notes) -> None:
    for note in notes:
        report(note, NOTE)


def read_text(path: Path) -> str:
    """Read a UTF-8 text file, naming the byte offset of any invalid sequence."""
    try:
        raw = read_regular_file(path, MAX_MANUSCRIPT)
    except FileNotFoundError:
        raise BriefError(path, None, "no such file", "check the path") from None
    except ValueError as err:
        what, _, fix = str(err).partition("|")
        raise BriefError(path, None, what, fix) from None
    except OSError as err:
        raise BriefError(path, None, f"cannot read: {err.strerror}", "check the file") from None
    if len(raw) > MAX_MANUSCRIPT:
        raise BriefError(
            path,
            None,
            f"larger than the {MAX_MANUSCRIPT // 2**20} MiB limit for a manuscript",
            "split it into several briefs",
        )
    try:
        text = raw.decode("utf-8").replace("\r\n", "\n").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise BriefError(path, line, f"invalid UTF-8 at byte {err.start}", "save the file as UTF-8") from None
    bad = NOT_XML.search(text)
    if bad:  # XHTML (EPUB) cannot carry these, so they would break one edition
        raise BriefError(
            path,
            text.count("\n", 0, bad.start()) + 1,
            f"control character U+{ord(bad.group()):04X} in the text",
            "delete it; it is invisible in most editors",
        )
    return text


def refuse_aliases(path: Path, text: str, *, first_line: int) -> None:
    """Refuse YAML anchors and aliases before anything is built from them: a few aliases make a
    "billion laughs", and a brief or a brand has no use for them. Scanning takes milliseconds."""
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
            raise BriefError(
                path,
                token.start_mark.line + first_line,
                "YAML anchors and aliases are refused ('&name', '*name')",
                "write each value out in full",
            )


def parse_yaml(path: Path, block: str) -> tuple[dict, dict[str, int]]:
    """Parse the front matter; return the mapping and the line of each top-level key."""
    data, node = load_yaml(path, block, what="YAML front matter", first_line=2)
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise BriefError(path, 2, "front matter is not a mapping", "write 'key: value' lines")
    lines = {k.value: k.start_mark.line + 2 for k, _ in node.value}
    for key, value in node.value:
        if key.value in AS_WRITTEN and key.value in data:
            data[key.value] = as_written(data[key.value], value)
    return data, lines


# Text fields: YAML reads `true`, `1.0` and `1984` as a boolean and numbers, but in a title or a
# keyword the author meant the word as typed (str() would give `True` and `1`).
AS_WRITTEN = ("title", "subtitle", "keywords")


def as_written(value: object, node: yaml.Node) -> object:
    """A plain scalar that YAML turned into a boolean, a number or a date, as its text; lists item by item."""
    if isinstance(node, yaml.ScalarNode) and value is not None and not isinstance(value, str):
        return node.value
    if isinstance(node, yaml.SequenceNode) and isinstance(value, list):
        return [as_written(item, item_node) for item, item_node in zip(value, node.value, strict=True)]
    return value


def load_yaml(path: Path, text: str, *, what: str, first_line: int = 1) -> tuple[object, yaml.Node | None]:
    """YAML (the front matter, a CSL YAML bibliography) by PyYAML's safe loader, and its node tree
    for the lines; anything it cannot read is one error at the line of `path` where it is, the
    text starting at first_line."""
    node = None
    try:
        refuse_aliases(path, text, first_line=first_line)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        return yaml.safe_load(text), node
    except ValueError as err:  # an unquoted 2026-02-30 is a YAML timestamp that datetime refuses
        for key, value in mapping_pairs(node):
            if value.tag == "tag:yaml.org,2002:timestamp":
                try:
                    yaml.constructor.SafeConstructor().construct_yaml_timestamp(value)
                except ValueError:
                    raise BriefError(
                        path,
                        key.start_mark.line + first_line,
                        f"'{key.value}' is not a date: {value.value} ({err})",
                        "write a real date such as 2026-03-05",
                    ) from None
        raise BriefError(path, first_line, f"malformed {what}: {err}", "fix the YAML syntax") from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + first_line if mark else first_line - 1 or 1
        raise BriefError(path, line, f"malformed {what}: {err.problem}", "fix the YAML syntax") from None
    except yaml.reader.ReaderError as err:  # PyYAML refuses C1 controls such as U+0080
        line = text.count("\n", 0, err.position) + first_line
        raise BriefError(
            path,
            line,
            f"character U+{err.character:04X} is not allowed in {what}",
            "delete it or write it as an escape inside double quotes",
        ) from None
    except yaml.YAMLError as err:
        raise BriefError(path, first_line, f"malformed {what}: {err}", "fix the YAML syntax") from None


def key_paths(root: yaml.Node) -> dict[tuple, int] | None:
    """The 1-based line of every key path of a mapping, such as ('color', 'primary'), a list's
    items by their index as text, such as ('typography', 'fonts', '2', 'family'); None when the
    root is not a mapping."""
    if not isinstance(root, yaml.MappingNode):
        return None
    lines: dict[tuple, int] = {}

    def visit(node, prefix: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                lines[prefix + (key.value,)] = key.start_mark.line + 1
                visit(value, prefix + (key.value,))
        elif isinstance(node, yaml.SequenceNode):
            for number, item in enumerate(node.value):
                lines[prefix + (str(number),)] = item.start_mark.line + 1
                visit(item, prefix + (str(number),))

    visit(root, ())
    return lines


def mapping_pairs(node: yaml.Node | None):
    """Every (key, value) node pair of the tree, depth first."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key, value
            yield from mapping_pairs(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from mapping_pairs(item)


def validate_meta(path: Path, data: dict, lines: dict[str, int]) -> Meta:
    """Check every field and report all problems at once."""
    errors: list[BriefError] = []

    def fail(key: str, what: str, fix: str) -> None:
        errors.append(BriefError(path, lines.get(key, 2), what, fix))

    for key in sorted(data, key=str):
        if any(NOT_XML.search(text) for text in strings(data[key])):
            fail(key, f"control character in '{key}'", "remove the escape such as \\x01 from the value")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        unknown = sorted(set(data) - KNOWN_KEYS, key=str)  # a misspelt 'titel:' is one of them
        ignored = f"; {', '.join(map(str, unknown))} is not a key briefpress reads" if unknown else ""
        fail("title", "missing title", f"add 'title: ...' to the front matter{ignored}")
    subtitle = text_field(data, "subtitle", fail)
    abstract = text_field(data, "abstract", fail)
    identifier = text_field(data, "identifier", fail)
    authors = validate_authors(data.get("author"), lambda w, f: fail("author", w, f))
    date = validate_date(
        data.get("date"),
        lambda w, f: fail("date", w, f),
        lambda w: report(BuildWarning(path, lines.get("date"), w), NOTE),
    )
    lang = data.get("lang", "en")
    if not isinstance(lang, str) or not LANG_TAG.match(lang):
        fail("lang", f"'lang' is not a language tag: {lang!r}", "use a BCP 47 tag such as 'en' or 'en-GB'")
    keywords = data.get("keywords", [])
    if isinstance(keywords, str):
        keywords = [keywords]
    if not isinstance(keywords, list) or not all(k is None or isinstance(k, str) for k in keywords):
        fail("keywords", "'keywords' must be a list of words", "write 'keywords: [a, b]'")
        keywords = []
    keywords = [k for k in keywords if k is not None and k.strip()]  # an empty dc:subject fails epubcheck (warned)
    series = validate_series(data.get("series"), lambda w, f: fail("series", w, f))
    paper = data.get("paper", "")
    if paper and paper not in PAPERS:
        fail("paper", f"unknown paper {paper!r}", "use 'a4' or 'letter'")
    bibliography = validate_paths(data.get("bibliography"), lambda w, f: fail("bibliography", w, f))
    csl = text_field(data, "csl", fail)
    references = data.get("references", False)
    if not isinstance(references, bool):
        fail("references", f"'references' must be true or false, not {references!r}", "write 'references: true'")
    doi = validate_doi(data.get("doi"), lambda w, f: fail("doi", w, f))
    url = text_field(data, "url", fail)
    if url and not re.fullmatch(r"https?://[^\s/]+\.[^\s/]+(/\S*)?", url):
        fail("url", f"'url' is not a web address: {url!r}", "write the brief's address, https://...")
    raise_all(errors)
    return Meta(
        title=str(title).strip(),
        subtitle=subtitle,
        authors=authors,
        abstract=abstract,
        date=date,
        lang=lang,
        keywords=tuple(str(k).strip() for k in keywords),
        series=series,
        identifier=identifier,
        paper=paper,
        bibliography=bibliography,
        csl=csl,
        references=references is True,
        doi=doi,
        url=url,
    )


def validate_paths(value, fail) -> tuple[str, ...]:
    """One file name or a list of them (the bibliography)."""
    if value is None or value == "":
        return ()
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) and item.strip() for item in items):
        fail("'bibliography' must be a file name or a list of them", "write 'bibliography: refs.bib'")
        return ()
    return tuple(item.strip() for item in items)


def validate_doi(value, fail) -> str:
    """A DOI as its bare name, 10.prefix/suffix (a doi.org address or doi: prefix is accepted)."""
    if value is None or value == "":
        return ""
    match = DOI.match(str(value).strip())
    if not match:
        fail(f"'doi' is not a DOI: {value!r}", "write it as 10.1234/name")
        return ""
    return match.group(1)


def strings(value) -> list[str]:
    """Every string inside a YAML value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings(k) + strings(v)]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


def text_field(data: dict, key: str, fail) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)):
        fail(key, f"'{key}' must be text", f"write '{key}: ...' as a single string")
        return ""
    return str(value).strip()


def validate_authors(value, fail) -> tuple[Author, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    authors = []
    for n, item in enumerate(items, 1):
        if isinstance(item, str) and item.strip():
            authors.append(Author(name=item.strip()))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
            fail(f"author {n} has no name", "give each author a 'name:'")
            continue
        unknown = set(item) - {"name", "bio", "email", "affiliation"}
        if unknown:
            fail(f"author {n} has unknown key(s) {', '.join(sorted(unknown))}", "use name, bio, email, affiliation")
        fields = {k: item.get(k) or "" for k in ("bio", "email", "affiliation")}
        if not all(isinstance(v, str) for v in fields.values()):
            fail(f"author {n}: bio, email and affiliation must be text", "quote the value")
            continue
        if fields["email"] and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", fields["email"]):
            fail(f"author {n}: {fields['email']!r} is not an email address", "write name@domain")
        authors.append(Author(name=item["name"].strip(), **{k: v.strip() for k, v in fields.items()}))
    return tuple(authors)


def validate_date(value, fail, note=None) -> str:
    """An ISO date, a YAML date, or one written out (`July 17, 2006`, read with a note)."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            written = read_written_date(str(value))
            if written is None:
                fail(f"'date' is not a date: {value!r}", "write an ISO date such as 2026-03-05")
                return ""
            if note is not None:
                note(f"read the date '{value}' {written[1]}: {written[0].isoformat()}")
            value = written[0]
    if value.year < 1000:  # PDF and EPUB dates are four-digit years
        fail(f"'date' {value.isoformat()} is before the year 1000", "write the brief's real date, such as 2026-03-05")
        return ""
    return value.isoformat()


def validate_series(value, fail) -> Series:
    if value is None:
        return Series()
    if isinstance(value, str):
        return Series(name=value.strip())
    if not isinstance(value, dict) or set(value) - {"name", "number"}:
        fail("'series' must have 'name' and 'number'", "write 'series: {name: ..., number: 3}'")
        return Series()
    return Series(name=str(value.get("name") or "").strip(), number=str(value.get("number") or "").strip())


def front_matter_line(text: str, key: str) -> int | None:
    """The line of a top-level key inside the manuscript's front matter fence, if it has one."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() in ("---", "..."):
            return None
        if line.startswith(f"{key}:"):
            return number
    return None

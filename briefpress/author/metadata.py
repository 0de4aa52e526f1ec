"""The front matter of an imported brief: read from pandoc's metadata (Word's Title, Subtitle,
Author, Abstract and Date styles; an HTML head; YAML) and the document properties, and written
back as YAML that frontmatter.py reads unchanged."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from briefpress.compose.notes import stringify
from briefpress.errors import BuildWarning, clipped
from briefpress.read.frontmatter import LANG_TAG
from briefpress.read.markdown import write_markdown
from briefpress.read.plainshape import read_back_matter, split_authors

DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%B %d, %Y", "%d %b %Y", "%b %d, %Y")
PROPERTY = {
    "title": "Title",
    "subject": "Subject",
    "creator": "Author",
    "description": "Comments",
    "keywords": "Keywords",
    "language": "Language",
}


def data_from_meta(path: Path, meta: dict, text: str, notes: list) -> tuple[dict, str]:
    """Front matter from pandoc's metadata (Word's Title, Subtitle, Author, Abstract, Date styles)."""
    data: dict = {}
    source = where_meta(path)
    for key, style in (("title", "Title"), ("subtitle", "Subtitle")):
        if meta_text(meta.get(key)):
            data[key] = meta_text(meta[key])
            notes.append(BuildWarning(path, None, f"read the {key} from {source(key, style)}"))
    authors = [a for item in meta_list(meta.get("author")) for a in meta_authors(item)]
    if authors:
        data["author"] = authors
        notes.append(
            BuildWarning(
                path,
                None,
                "read the author(s) " + " / ".join(a["name"] for a in authors) + f" from {source('author', 'Author')}",
            )
        )
    abstract = next((k for k in ABSTRACT_KEYS if meta.get(k)), None)
    if abstract:
        blocks = (
            meta[abstract]["c"]
            if meta[abstract]["t"] == "MetaBlocks"
            else [{"t": "Para", "c": inlines_of(meta[abstract])}]
        )
        data["abstract"] = write_markdown(blocks, path).strip()
        notes.append(BuildWarning(path, None, f"read the abstract from {source(abstract, 'Abstract')}"))
    if meta_text(meta.get("date")):
        take_date(path, meta_text(meta["date"]), data, notes)
    for key in ("lang", "keywords"):
        if meta.get(key):
            data[key] = meta_text(meta[key]) if key == "lang" else [meta_text(k) for k in meta_list(meta[key])]
    body, authors, bio_notes = read_back_matter(text, path, data.get("author", []))
    if authors:
        data["author"] = authors
    notes += bio_notes
    return data, body


# What an imported brief's front matter carries from the manuscript's metadata; the first of
# ABSTRACT_KEYS found is its abstract (Jekyll and Hugo call it description or summary).
CARRIED_KEYS = {"title", "subtitle", "author", "abstract", "date", "lang", "keywords"}
ABSTRACT_KEYS = ("abstract", "description", "summary", "excerpt")


def left_out(path: Path, meta: dict) -> BuildWarning | None:
    """The front matter (or HTML <meta>) keys of a Markdown or HTML manuscript that an imported
    brief does not carry, each quoted with its value: Jekyll's layout, permalink and the like."""
    abstract = next((k for k in ABSTRACT_KEYS if meta.get(k)), None)
    keys = sorted(k for k in meta if k not in CARRIED_KEYS and k != abstract and k != "references")
    if not keys:
        return None
    quoted = "; ".join(f"{k}: {clipped(meta_text(meta[k]) or meta_plain(meta[k]))}" for k in keys)
    return BuildWarning(path, None, f"left out metadata that a brief does not use: {quoted}")


def where_meta(path: Path):
    """How a note names where a metadata key was read: a Word style, an HTML head, front matter."""
    suffix = path.suffix.lower()
    if suffix in (".docx", ".odt"):
        return lambda key, style: f"the paragraph styled {style}"
    if suffix in (".html", ".htm"):
        return lambda key, style: "the page's <title>" if key == "title" else f'the page\'s <meta name="{key}">'
    return lambda key, style: f"the front matter's '{key}:'"


def meta_plain(value) -> str:
    """A metadata value that meta_text gives nothing for (true/false, a list of maps) as written."""
    if value["t"] == "MetaBool":
        return "true" if value["c"] else "false"
    if value["t"] == "MetaList":
        return ", ".join(meta_text(v) or meta_plain(v) for v in value["c"])
    if value["t"] == "MetaMap":
        return ", ".join(f"{k}: {meta_text(v) or meta_plain(v)}" for k, v in value["c"].items())
    return meta_text(value)


def fill_from_properties(path: Path, data: dict, props: dict, notes: list) -> None:
    """Document properties give what the text did not: title, subtitle (Subject), author,
    abstract (Comments), keywords, language."""

    def took(key: str, prop: str) -> None:
        notes.append(BuildWarning(path, None, f"read the {key} from the document properties ({PROPERTY[prop]})"))

    for key, prop in (("title", "title"), ("subtitle", "subject"), ("abstract", "description")):
        if props.get(prop) and not data.get(key):
            data[key] = props[prop]
            took(key, prop)
    if props.get("creator") and not data.get("author"):
        data["author"] = [{"name": n} for n in split_authors(props["creator"])]
        took("author", "creator")
    if props.get("keywords") and not data.get("keywords"):
        data["keywords"] = [k.strip() for k in re.split(r"[,;]", props["keywords"]) if k.strip()]
        took("keywords", "keywords")
    if props.get("language") and not data.get("lang") and LANG_TAG.match(props["language"]):
        data["lang"] = props["language"]
        took("language", "language")
    if not data.get("title"):
        data["title"] = title_from_name(path)
        notes.append(
            BuildWarning(
                path,
                None,
                f"took the title from the file name: {data['title']} (the document has no Title paragraph, "
                "no heading, no bold first line and no Title property; change 'title:' if it is wrong)",
            )
        )


def title_from_name(path: Path) -> str:
    """A title made of a file's name: report_2026-final.docx is 'report 2026 final'."""
    return " ".join(re.sub(r"[_\W]+", " ", path.stem).split()) or "Untitled"


def take_date(path: Path, text: str, data: dict, notes: list) -> None:
    for pattern in DATE_FORMATS:
        try:
            data["date"] = dt.datetime.strptime(text, pattern).date().isoformat()
            notes.append(BuildWarning(path, None, f"read the date {data['date']} from '{text}'"))
            return
        except ValueError:
            continue
    notes.append(
        BuildWarning(
            path,
            None,
            f"left out the date '{text}', which is not a date I can read (add 'date: YYYY-MM-DD' to the front matter)",
        )
    )


def meta_text(value) -> str:
    """Plain text of a metadata value (inlines, blocks or a string)."""
    if not value:
        return ""
    if value["t"] == "MetaString":
        return " ".join(value["c"].split())
    if value["t"] == "MetaBool":
        return ""
    return " ".join(stringify(inlines_of(value)).split())


def inlines_of(value) -> list:
    if value["t"] == "MetaInlines":
        return value["c"]
    if value["t"] == "MetaBlocks":
        return [n for b in value["c"] if b["t"] in ("Para", "Plain") for n in [*b["c"], {"t": "Space"}]]
    if value["t"] == "MetaString":
        return [{"t": "Str", "c": value["c"]}]
    return []


def meta_list(value) -> list:
    if not value:
        return []
    return value["c"] if value["t"] == "MetaList" else [value]


def meta_authors(item) -> list[dict]:
    """One author entry: a name line ('A and B' is two) or a map with name, bio, email, affiliation."""
    if item["t"] != "MetaMap":
        return [{"name": n} for n in split_authors(meta_text(item))]
    fields = {k: meta_text(v) for k, v in item["c"].items() if k in ("name", "email", "affiliation", "bio")}
    return [fields] if fields.get("name") else []


def render_front_matter(data: dict) -> str:
    """YAML front matter, keys in the README's order; strings quoted as JSON (a subset of YAML)
    so nothing in a title can change its meaning, Markdown blocks as literal blocks."""
    lines = ["---"]
    for key in ("title", "subtitle"):
        if data.get(key):
            lines.append(f"{key}: {quote(data[key])}")
    if data.get("author"):
        lines.append("author:")
        for author in data["author"]:
            lines.append(f"  - name: {quote(author['name'])}")
            for key in ("email", "affiliation", "bio"):
                if author.get(key):
                    lines += block(f"    {key}", author[key], "      ")
    if data.get("abstract"):
        lines += block("abstract", data["abstract"], "  ")
    for key in ("date", "lang"):
        if data.get(key):
            lines.append(f"{key}: {data[key]}")
    lines.append(f"keywords: [{', '.join(quote(k) for k in data.get('keywords', []))}]")
    if data.get("bibliography"):
        lines.append(f"bibliography: {quote(data['bibliography'])}")
    return "\n".join(lines + ["---", ""])


def block(key: str, text: str, indent: str) -> list[str]:
    text = text.strip()
    if "\n" not in text:
        return [f"{key}: {quote(text)}"]
    return [f"{key}: |-"] + [indent + line if line.strip() else "" for line in text.split("\n")]


def quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)

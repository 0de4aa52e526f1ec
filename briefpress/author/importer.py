"""`import`: turn a .docx, .odt, .html or .md manuscript into source/<slug>.md with full front
matter, its pictures in source/<slug>-media/. The stages: check the file, convert it with pandoc,
clean the AST (cleanup.py), read the front matter from styles, properties or layout, write.

Nothing is written until everything has been read; no file is ever replaced.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from briefpress.author import cleanup, titles
from briefpress.author.htmltables import WIDE_TABLE, wide_tables_as_html
from briefpress.author.metadata import data_from_meta, fill_from_properties, left_out, meta_text, render_front_matter
from briefpress.author.rasters import is_other_raster, to_png
from briefpress.author.wordpictures import convert_pictures, picture_format
from briefpress.compose.assets import SUFFIX, sniff
from briefpress.compose.notes import stringify
from briefpress.compose.slug import slugify
from briefpress.errors import LOG, BriefError, BuildWarning, clipped
from briefpress.read.frontmatter import FENCE, parse_yaml, validate_meta
from briefpress.read.markdown import read_manuscript, write_csl_json, write_markdown
from briefpress.read.package import (
    SimpleFields,
    check_package,
    count_citation_fields,
    large_first_paragraph,
    read_media,
    read_odt_extras,
    read_properties,
    read_simple_fields,
)
from briefpress.read.plainshape import plain, read_plain_shape

KINDS = {".docx": "docx", ".odt": "odt", ".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}
CHANGES = ("accept", "reject", "all")
QUOTED = 60  # characters of one deleted passage quoted in the warning
QUOTES = 300  # characters of deleted passages quoted in all


@dataclass(frozen=True)
class Imported:
    """What an import wrote, and what it inferred (each a `note:` line)."""

    path: Path
    media: tuple[Path, ...] = ()
    notes: tuple[BuildWarning, ...] = ()


@dataclass(frozen=True)
class Draft:
    """A brief read from a manuscript, not yet written: front matter, body, pictures, notes."""

    data: dict = field(hash=False)
    body: str
    media: dict = field(hash=False)  # file name in the media folder -> bytes
    notes: tuple[BuildWarning, ...] = ()
    beside: dict = field(default_factory=dict, hash=False)  # file name beside the brief -> bytes


def import_manuscript(path: Path, folder: Path, *, out: Path | None = None, changes: str = "") -> Imported:
    """Read the manuscript at path and write it as folder/<slug>.md (or out) with its pictures."""
    kind = manuscript_kind(path)
    fields = read_simple_fields(path) if kind == "docx" else None
    doc = read_manuscript(path, kind, content=fields.package if fields else None)
    references = write_csl_json(doc["meta"]["references"], path) if doc["meta"].get("references") else []
    keys = cleanup.citation_keys(references)
    if kind in ("md", "html") and (dropped := left_out(path, doc["meta"])):
        LOG.warning("%s", dropped.message)
    blocks, notes = clean(path, kind, doc["blocks"], changes, keys)
    if fields:
        notes.insert(0, fields_note(path, fields))
    draft = draft_brief(path, kind, doc["meta"], blocks, notes, media_folder=None)
    target = out or folder / f"{slug_of(draft)}.md"
    if has_images(blocks):  # the media folder is named after the file, which needs the title first
        draft = draft_brief(path, kind, doc["meta"], blocks, notes, media_folder=f"{target.stem}-media")
    if references:
        draft = with_bibliography(path, draft, [{**r, "id": keys[str(r["id"])]} for r in references], target)
    return write_brief(target, draft)


def with_bibliography(path: Path, draft: Draft, references: list[dict], target: Path) -> Draft:
    """The citation fields' data as <brief>-references.json (CSL JSON) beside the brief, named
    in its front matter."""
    name = f"{target.stem}-references.json"
    content = (json.dumps(references, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    note = BuildWarning(
        path, None, f"wrote the data of {len(references)} cited work(s) from the citation fields to {name}"
    )
    return replace(draft, data={**draft.data, "bibliography": name}, beside={name: content}, notes=(*draft.notes, note))


def fields_note(path: Path, fields: SimpleFields) -> BuildWarning:
    """Say that Word's simple fields were read as the text Word shows for them."""
    names = ", ".join(dict.fromkeys(i.split()[0].upper() for i in fields.instructions if i.split()))
    return BuildWarning(
        path,
        None,
        f"read {len(fields.instructions)} Word field(s) ({names or 'without an instruction'}) "
        "as the text Word shows for them (pandoc leaves simple fields out)",
    )


def manuscript_kind(path: Path) -> str:
    """docx, odt, html or md, from the name; refuse a file that is not what its name says."""
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise BriefError(
            path,
            None,
            f"cannot import a {path.suffix or 'file without an extension'}",
            "give a .docx, .odt, .html or .md file",
        )
    if not path.is_file():
        raise BriefError(path, None, "no such file", "check the path")
    if kind in ("docx", "odt"):
        check_package(path, kind)
        return kind
    raw = path.read_bytes()
    if b"\0" in raw[:4096] or raw.startswith((b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0")):
        raise BriefError(
            path, None, f"is not a text file, so not {kind.upper()}", "give the manuscript itself, saved as UTF-8 text"
        )
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BriefError(
            path, raw.count(b"\n", 0, err.start) + 1, f"invalid UTF-8 at byte {err.start}", "save the file as UTF-8"
        ) from None
    return kind


def clean(
    path: Path, kind: str, blocks: list, changes: str, keys: dict[str, str] | None = None
) -> tuple[list, list[BuildWarning]]:
    """Resolve or refuse tracked changes, report comments and citations, drop what a brief cannot use."""
    notes: list[BuildWarning] = []
    blocks = resolve(path, kind, blocks, changes, notes)
    blocks, comments = cleanup.take_comments(blocks)
    if kind == "odt":
        comments += [cleanup.Comment(a, t) for a, t in read_odt_extras(path).comments]
    for comment in comments:
        LOG.warning(
            "%s",
            BuildWarning(path, None, f"comment by {comment.author}: {comment.text} (left out of the brief)").message,
        )
    fields = count_citation_fields(path) if kind == "docx" else 0
    found = len(cleanup.find_all(blocks, lambda n: n["t"] == "Cite"))
    blocks, cites = cleanup.flatten_citations(blocks, keys)
    if found - cites:
        notes.append(BuildWarning(path, None, f"kept {found - cites} citation field(s) as [@key] citations"))
    cites += max(fields - found, 0)  # fields pandoc did not read as citations: their text stays
    if cites:
        LOG.warning(
            "%s",
            BuildWarning(
                path,
                None,
                f"{cites} citation field(s) (Zotero, Mendeley) kept as their visible text; "
                "the citation data was not imported (give each source as a link or a footnote)",
            ).message,
        )
    blocks, entries = cleanup.drop_toc(blocks)
    if entries:
        notes.append(BuildWarning(path, None, f"left out the table of contents ({entries} entries)"))
    blocks, pointed = titles.point_at_headings(blocks)
    if pointed:
        notes.append(BuildWarning(path, None, f"{pointed} cross-reference(s) to bookmarks now point at their headings"))
    blocks, unlinked = cleanup.unlink_missing(blocks)
    if unlinked:
        notes.append(
            BuildWarning(
                path,
                None,
                f"{unlinked} link(s) to places not in the document (bookmarks, cross-references) became plain text",
            )
        )
    blocks, empty = cleanup.trim_emphasis(blocks)
    if empty:
        notes.append(BuildWarning(path, None, f"left out {empty} bold or italic run(s) with no text in them"))
    blocks = cleanup.plain_tables(cleanup.mark_separators(blocks))
    if kind in ("docx", "odt"):
        blocks, unquoted = cleanup.unquoted_cells(blocks)
        if unquoted:
            notes.append(BuildWarning(path, None, f"{unquoted} indented paragraph(s) in tables set as the cells' text"))
    blocks, wide = wide_tables_as_html(blocks, path, write_markdown)
    if wide:
        notes.append(
            BuildWarning(
                path,
                None,
                f"wrote {wide} table(s) too wide to read as Markdown text as HTML tables "
                f"(over {WIDE_TABLE} characters a line as grid tables)",
            )
        )
    if not any(cleanup.plain_text(b) or b["t"] not in ("Para", "Plain") for b in blocks):
        raise BriefError(path, None, "the document has no text", "check that this is the manuscript")
    return blocks, notes


def resolve(path: Path, kind: str, blocks: list, changes: str, notes: list) -> list:
    """Tracked changes: accepted unless --changes says otherwise (the manuscript as its author
    last left it), with a warning that quotes the deleted text; rejected, or both kept, marked."""
    if kind == "odt":  # pandoc's ODT reader shows a document with every change accepted
        extras = read_odt_extras(path)
        ins, dels, deleted = extras.insertions, extras.deletions, list(extras.deleted)
        if (ins or dels) and changes in ("reject", "all"):
            raise BriefError(
                path,
                None,
                f"cannot {'reject' if changes == 'reject' else 'keep both readings of'} tracked changes in an .odt",
                "resolve them in LibreOffice, or save the file as .docx and import that",
            )
    else:
        ins, dels = cleanup.count_changes(blocks)
        deleted = cleanup.deleted_texts(blocks)
    if not (ins or dels):
        return blocks
    if not changes:
        LOG.warning("%s", BuildWarning(path, None, accepted_warning(ins, dels, deleted)).message)
    elif changes == "all":
        notes.append(
            BuildWarning(
                path,
                None,
                f"kept both readings of {ins} tracked insertion(s) and {dels} deletion(s): "
                "insertions underlined, deletions struck through",
            )
        )
    else:
        notes.append(BuildWarning(path, None, f"{changes}ed {ins} tracked insertion(s) and {dels} deletion(s)"))
    if kind == "odt":
        return blocks
    if changes == "all":
        return cleanup.mark_changes(blocks)
    return cleanup.resolve_changes(blocks, accept=changes != "reject")


def accepted_warning(ins: int, dels: int, deleted: list[str]) -> str:
    """The warning for changes accepted by default: how many, and the deleted text, quoted."""
    quotes: list[str] = []
    for text in deleted:
        shown = clipped(text, QUOTED)
        if sum(len(q) + 4 for q in quotes) + len(shown) > QUOTES:
            quotes.append(f"and {len(deleted) - len(quotes)} more")
            break
        quotes.append(f'"{shown}"')
    marks = dels - len(deleted)  # a deleted paragraph mark joins two paragraphs; it has no text
    quotes += [f"{marks} paragraph break(s)"] if marks > 0 else []
    left_out = f"; left out: {', '.join(quotes)}" if quotes else ""
    return (
        f"accepted its {ins} tracked insertion(s) and {dels} deletion(s), the text as last edited{left_out} "
        "(--changes reject imports the text before the changes, --changes all keeps both, marked)"
    )


def has_images(blocks: list) -> bool:
    return bool(cleanup.find_all(blocks, lambda n: n["t"] == "Image"))


def draft_brief(path: Path, kind: str, meta: dict, blocks: list, notes: list, *, media_folder: str | None) -> Draft:
    """The front matter and body: from the Title/Author/... styles (or an HTML head or YAML), else
    from the layout of the text (plainshape.py); document properties fill the gaps."""
    notes = list(notes)  # a draft is made twice when there are pictures: each adds its own notes
    media: dict[str, bytes] = {}
    if media_folder:
        drawn = word_pictures(path, kind, blocks, notes)
        warned: set[str] = set()

        def relink(url: str, alt: list) -> tuple[str, list]:
            placed, alt = place_image(path, kind, url, alt, media, media_folder, drawn)
            if not stringify(alt).strip() and placed not in warned:
                warned.add(placed)
                LOG.warning("%s", BuildWarning(path, None, no_alt_text(url, placed)).message)
            return placed, alt

        blocks = cleanup.relink_images(blocks, relink, keep_titles=kind != "odt")
    found: list[BuildWarning] = []
    props = read_properties(path, kind) if kind in ("docx", "odt") else {}
    title = meta_text(meta.get("title"))
    if kind == "html" and title and blocks and blocks[0]["t"] == "Header" and cleanup.plain_text(blocks[0]) == title:
        blocks = blocks[1:]  # the <h1> repeats the <title>
    index, how = titles.title_block(blocks, large_first=large_first_paragraph(path) if kind == "docx" else "")
    if not title and props.get("title") and not (how == "heading" and index == 0):
        index, how = None, ""  # the Title property before a bold first line or a later heading
    if title or index is None:
        text = write_markdown(blocks, path)
        data, body = data_from_meta(path, meta, text, found)
    else:
        blocks, unlinked = titles.unlink_front(blocks, index)
        blocks = titles.as_heading(blocks, index)
        if unlinked:
            notes.append(BuildWarning(path, None, f"{unlinked} link(s) to the title or subtitle became plain text"))
        text = write_markdown(blocks, path)
        try:
            shape = read_plain_shape(text, path)
        except BriefError as err:  # its line is in a Markdown text the user never sees
            raise BriefError(path, None, err.what, "give the document a Title-styled paragraph") from None
        data, body = dict(shape.data), shape.body
        found += [title_note(n, how) for n in shape.notes]
    found += notes
    fill_from_properties(path, data, props, found)
    return Draft(
        data=data,
        body=re.sub(r"\n{3,}", "\n\n", body).strip() + "\n",
        media=media,
        notes=tuple(quoted(n, text) for n in found),
    )


def no_alt_text(url: str, placed: str) -> str:
    """The warning for a picture without alt text: the brief builds, but not accessibly."""
    where = f" ({url} in the manuscript)" if url != placed else ""
    return (
        f"picture {placed}{where} has no alt text: the brief builds, but screen readers get nothing "
        f"for it and --check fails it (describe it in the brief: ![what the picture shows]({placed}))"
    )


def title_note(note: BuildWarning, how: str) -> BuildWarning:
    """Say where a title read from a bold or large first paragraph came from (the plain shape
    reads it as a heading)."""
    if how == "heading" or not note.what.startswith("read the title from this heading"):
        return note
    set_as = "set in bold" if how == "bold" else "set in large type"
    return replace(note, what=f"read the title from the first paragraph, {set_as}")


def quoted(note: BuildWarning, text: str) -> BuildWarning:
    """A note on a line of the converted text names the manuscript and quotes that line instead:
    the line number would be of a Markdown text the user never sees."""
    if not note.line:
        return note
    line = plain(re.sub(r"^\s*#+\s*", "", text.split("\n")[note.line - 1]))
    line = line[:5] if len(set(line)) == 1 else line  # a rule line
    shown = clipped(line)
    return BuildWarning(note.path, None, f"{note.what}: {shown}" if shown else note.what)


def word_pictures(path: Path, kind: str, blocks: list, notes: list) -> dict[str, bytes]:
    """The manuscript's pictures no edition carries as they are: WMF and EMF as SVG (converted all
    at once), BMP and TIFF as PNG (url -> new bytes)."""
    if kind not in ("docx", "odt"):
        return {}
    urls = dict.fromkeys(n["c"][2][0] for n in cleanup.find_all(blocks, lambda n: n["t"] == "Image"))
    contents = {url: content for url in urls if (content := read_media(path, kind, url))}
    drawn = convert_pictures({u: c for u, c in contents.items() if picture_format(c)}, path)
    if drawn:
        notes.append(BuildWarning(path, None, f"converted {len(drawn)} WMF/EMF picture(s) to SVG with LibreOffice"))
    saved = {u: png for u, c in contents.items() if is_other_raster(c) and (png := to_png(c))}
    if saved:
        notes.append(BuildWarning(path, None, f"converted {len(saved)} BMP/TIFF picture(s) to PNG"))
    return {**drawn, **saved}


def place_image(
    path: Path, kind: str, url: str, alt: list, media: dict, folder: str, drawn: dict | None = None
) -> tuple[str, list]:
    """Extract one picture into the media folder; return its new relative URL and its alt text."""
    if drawn and url in drawn:
        content: bytes | None = drawn[url]
    elif kind in ("docx", "odt"):
        content = read_media(path, kind, url)
    else:  # HTML or Markdown: a picture next to the manuscript
        local = (path.parent / url).resolve()
        inside = not re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I) and local.is_relative_to(path.parent.resolve())
        content = local.read_bytes() if inside and local.is_file() else None
    if content is None:
        LOG.warning(
            "%s",
            BuildWarning(
                path,
                None,
                f"image {url} is not inside the manuscript; left as it is "
                "(put the picture in the brief's folder and link it from there)",
            ).message,
        )
        return url, alt
    if kind == "odt" and not stringify(alt).strip():  # pandoc's ODT reader drops the description
        described = read_odt_extras(path).alt_text.get(url, "").split()
        alt = [
            n for i, w in enumerate(described) for n in ([{"t": "Space"}] if i else []) + [{"t": "Str", "c": w}]
        ] or alt
    if sniff(content) is None:
        LOG.warning(
            "%s",
            BuildWarning(
                path,
                None,
                f"image {url} is not a PNG, JPEG, GIF, WebP or SVG picture, so the "
                "brief will not build with it (save it as PNG and replace the file)",
            ).message,
        )
    name = next((n for n, c in media.items() if c == content), None)
    if name is None:
        converted = SUFFIX.get(sniff(content) or "", "") if drawn and url in drawn else ""
        suffix = converted or PurePosixPath(url).suffix.lower() or ".png"
        name = f"image{len(media) + 1}{suffix}"
        media[name] = content
    return f"{folder}/{name}", alt


def slug_of(draft: Draft) -> str:
    slug = slugify(draft.data["title"])
    if not slug:
        raise BriefError(
            None, None, f"cannot make a file name from the title {draft.data['title']!r}", "give --out source/NAME.md"
        )
    return slug


def write_brief(target: Path, draft: Draft) -> Imported:
    """Check the front matter as a build would, then write the brief and its pictures, refusing
    to replace any file; on a failure remove what this import wrote."""
    text = render_front_matter(draft.data) + "\n" + draft.body
    fence = FENCE.match(text)
    assert fence is not None  # render_front_matter writes the fences
    data, lines = parse_yaml(target, fence.group(1))
    validate_meta(target, data, lines)
    media_dir = target.parent / f"{target.stem}-media"
    files = [(target, text.encode("utf-8"))] + [(media_dir / n, c) for n, c in sorted(draft.media.items())]
    files += [(target.parent / n, c) for n, c in sorted(draft.beside.items())]
    for file, _ in files:
        if file.exists():
            raise BriefError(file, None, "already exists", "import to another name with --out, or move the file away")
    written: list[Path] = []
    try:
        for file, content in files[1:] + files[:1]:  # the brief last: it is what a user looks for
            file.parent.mkdir(parents=True, exist_ok=True)
            with file.open("xb") as handle:
                written.append(file)
                handle.write(content)
    except OSError as err:
        for file in written:
            file.unlink(missing_ok=True)
        raise BriefError(err.filename or target, None, f"cannot write: {err.strerror}", "check the folder") from None
    return Imported(path=target, media=tuple(f for f, _ in files[1:]), notes=draft.notes)

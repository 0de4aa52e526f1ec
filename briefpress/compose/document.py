"""Turn a validated manuscript into a Document: every part rendered, notes numbered."""

from __future__ import annotations

import html
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from briefpress.compose.citation import arabic_inversion_commas, brief_reference
from briefpress.compose.htmltree import (
    UnbalancedHTML,
    column_ranges,
    finish_body,
    plain_text,
    scope_header_cells,
    split_parts,
    split_tables,
)
from briefpress.compose.limits import check_html_depth, check_length, check_manuscript_length, check_nesting
from briefpress.compose.links import check_links, cite_keys, raw_anchors_as_links
from briefpress.compose.notes import NoteCollector, PendingNote, citation_links, url_html, walk
from briefpress.compose.safety import close_raw_text
from briefpress.compose.slug import slugify
from briefpress.errors import NOTE, BriefError, BuildWarning, report
from briefpress.read.bibliography import default_csl, load_bibliography
from briefpress.read.frontmatter import front_matter_line
from briefpress.read.history import last_commit_time
from briefpress.read.markdown import cite_entry, parse_cited, parse_markdown, render_html
from briefpress.records import Brand, Document, Labels, Note, Source, Staged


def compose_document(
    source: Source, brand: Brand, build_time: datetime, *, references: bool = False
) -> Staged[Document]:
    """Parse, number the notes and render the parts of one brief."""
    too_long = check_manuscript_length(source.markdown, source.path)
    if too_long:
        raise too_long
    url = source.meta.url or brand_url(brand, source)
    with ThreadPoolExecutor(1) as beside:  # the brief's own citation: one more pandoc run, at the same time
        citing = beside.submit(how_to_cite, source, brand, url)
        staged = compose_parts(source, brand, build_time, references=references, url=url)
        cite_html = citing.result()
    return Staged(replace(staged.value, cite_html=cite_html), warnings=staged.warnings, errors=staged.errors)


def compose_parts(
    source: Source, brand: Brand, build_time: datetime, *, references: bool, url: str
) -> Staged[Document]:
    """The brief composed, all but its own citation."""
    cited = load_bibliography(source, brand)
    bibliography = cited.value
    missing: tuple[str, ...] = ()
    if bibliography is None:
        ast = parse_markdown(source.markdown, source.path)
        missing = cite_keys([*ast["meta"].values(), ast["blocks"]])
    else:
        ast, missing = parse_cited(source.markdown, source.path, bibliography)
    too_deep = check_nesting(ast["blocks"], source.text, source.path)
    if too_deep:  # the walks below recurse: refuse before they run
        raise too_deep
    closed, raw_warnings = close_raw_text(raw_anchors_as_links(ast["blocks"]), source.text, source.path)
    blocks, refs = split_references(closed)
    abstract = meta_blocks(ast["meta"].get("abstract"))
    bios = [meta_blocks(author_field(ast["meta"], i, "bio")) for i in range(len(source.meta.authors))]
    (abstract, blocks, *bios), link_warnings, link_errors = check_links(
        [abstract, blocks, *bios], source.text, source.path
    )
    names = ", ".join(path.name for path in bibliography.files) if bibliography else ""
    collector = NoteCollector(source.text, source.path, missing=missing, bibliography=names)
    abstract = collector.collect(abstract)
    body = collector.collect(shift_headings(blocks))
    bios = [collector.collect(bio) for bio in bios]
    shown_refs = walk(refs, citation_links) if references or source.meta.references else []
    parts = render_parts(abstract, body, bios, collector.notes, source.path, shown_refs, source_text=source.text)
    labels = brief_labels(source, brand)
    notes = tuple(finish_note(n, parts) for n in collector.notes)
    document = Document(
        meta=source.meta,
        brand=brand,
        abstract_html=parts["bp-abstract"],
        summary_text=plain_text(parts["bp-abstract"]),
        bios_html=tuple(parts[f"bp-bio-{i}"] for i in range(len(bios))),
        body_html=finish_body(
            scope_header_cells(parts["bp-body"]),
            table_label=labels.value.table,
            figure_label=labels.value.figure,
            direction=source.meta.direction,
        ),
        notes=notes,
        build_time=build_time,
        identifier=source.meta.identifier or stable_identifier(source),
        source_path=source.path,
        labels=labels.value,
        references_html=parts["bp-refs"],
        url=url,
    )
    report_split_tables(document.body_html, source)
    whole = [parts["bp-abstract"], parts["bp-body"], *document.bios_html, *(n.html for n in notes)]
    limits = [error for error in (check_html_depth(whole, source.path), check_length(whole, source.path)) if error]
    errors = (*link_errors, *collector.errors, *limits)
    warnings = (*cited.warnings, *raw_warnings, *link_warnings, *collector.warnings, *labels.warnings)
    return Staged(document, warnings=warnings, errors=errors)


def report_split_tables(body_html: str, source: Source) -> None:
    """One note at each table whose columns the PDF editions set in groups (compose/htmltree.py)."""
    for cells, columns, groups in split_tables(body_html):
        ranges = ", ".join(column_ranges(groups))
        report(
            BuildWarning(
                source.path,
                table_line(source.text, cells),
                f"a table of {columns} columns is too wide for a turned page even at 5 pt: the PDF editions set "
                f"it in {len(groups)} parts, columns {ranges}, each part repeating column 1 (the EPUB and web "
                "edition keep it whole, scrolling sideways)",
            ),
            NOTE,
        )


def table_line(text: str, cells: tuple[str, ...]) -> int | None:
    """The line that holds a table's first two cells (a pipe table's header), else the first line
    that holds its first cell."""
    if not cells:
        return None
    lines = text.splitlines()
    for wanted in (cells, cells[:1]):
        for number, line in enumerate(lines, start=1):
            if all(cell in line for cell in wanted):
                return number
    return None


def brief_labels(source: Source, brand: Brand) -> Staged[Labels]:
    """The brand's labels for the brief's language (the whole tag, else its primary subtag); English,
    with one warning, for those the brand lacks for a brief that is not in English."""
    lang = source.meta.lang.lower()
    primary = lang.split("-")[0]
    key = lang if lang in brand.labels else primary
    found = brand.labels.get(key)
    if found is not None and found.missing and primary != "en":
        warning = BuildWarning(
            source.path,
            front_matter_line(source.text, "lang"),
            f"the brand's labels for lang '{source.meta.lang}' leave out {', '.join(found.missing)}, "
            f"so those are in English (add them to meta.briefpress.labels.{key} in {brand.path.name})",
        )
        return Staged(found, warnings=(warning,))
    if found is not None or primary == "en":
        return Staged(found or Labels())
    warning = BuildWarning(
        source.path,
        front_matter_line(source.text, "lang"),
        f"the brand has no labels for lang '{source.meta.lang}', so its headings (Summary, Notes, About the "
        f"author), navigation and dates are in English (add meta.briefpress.labels.{primary} to {brand.path.name})",
    )
    return Staged(Labels(), warnings=(warning,))


def split_references(blocks: list) -> tuple[list, list]:
    """The body without citeproc's bibliography (the Div "refs"), and that bibliography's entries."""
    body, refs = [], []
    for block in blocks:
        if block["t"] == "Div" and block["c"][0][0] == "refs":
            refs = block["c"][1]
        else:
            body.append(block)
    return body, refs


def how_to_cite(source: Source, brand: Brand, url: str) -> str:
    """The brief's own entry in the brand's citation style (else Chicago), its DOI or URL as a link."""
    entry = cite_entry(brief_reference(source.meta, brand, url=url), brand.csl or default_csl(), source.path)
    entry = arabic_inversion_commas(entry, source.meta)
    return re.sub(r'<a href="([^"]+)">\1</a>', lambda m: url_html(html.unescape(m.group(1))), entry)


def brand_url(brand: Brand, source: Source) -> str:
    """The brief's address from the brand's pattern, https://.../{slug}/, the slug from the title;
    from the file's name when the title has no Latin letters or digits (an Urdu title)."""
    slug = slugify(source.meta.title) or slugify(source.path.stem)
    return brand.url_pattern.replace("{slug}", slug) if brand.url_pattern and slug else ""


def render_parts(
    abstract, body, bios, notes: list[PendingNote], path: Path, refs: list, *, source_text: str = ""
) -> dict[str, str]:
    """Render every Markdown part with one pandoc call and cut the result apart."""
    divs = [div("bp-abstract", abstract), div("bp-body", body), div("bp-refs", refs)]
    divs += [div(f"bp-bio-{i}", bio) for i, bio in enumerate(bios)]
    divs += [div(f"bp-fn-{n.number}", n.blocks) for n in notes if n.kind in ("footnote", "citation")]
    ids = [d["c"][0][0] for d in divs]
    try:
        return split_parts(render_html(divs, path, source_text=source_text), ids)
    except UnbalancedHTML:
        raise BriefError(
            path,
            None,
            "raw HTML closes a tag it did not open (a stray </div>?), so text after it would be lost",
            "remove the stray closing tag or write the block in Markdown",
        ) from None


def shift_headings(blocks: list) -> list:
    """Make the body's top heading level 2: the brief's title is the only level 1."""
    levels = [b["c"][0] for b in blocks if b["t"] == "Header"]
    if not levels or min(levels) >= 2:
        return blocks
    shift = 2 - min(levels)
    return [{"t": "Header", "c": [min(b["c"][0] + shift, 6), *b["c"][1:]]} if b["t"] == "Header" else b for b in blocks]


def finish_note(note: PendingNote, parts: dict[str, str]) -> Note:
    text = parts[f"bp-fn-{note.number}"] if note.kind in ("footnote", "citation") else note.text
    return Note(number=note.number, kind=note.kind, html=text, calls=note.calls, url=note.url)


def div(ident: str, blocks: list) -> dict:
    return {"t": "Div", "c": [[ident, [], []], blocks]}


def meta_blocks(value) -> list:
    """Pandoc metadata (inlines, blocks or a string) as a list of blocks."""
    if not value:
        return []
    if value["t"] == "MetaBlocks":
        return value["c"]
    if value["t"] == "MetaInlines":
        return [{"t": "Para", "c": value["c"]}]
    if value["t"] == "MetaString":
        return [{"t": "Para", "c": [{"t": "Str", "c": value["c"]}]}]
    return []


def author_field(meta: dict, index: int, key: str):
    authors = meta.get("author")
    if not authors:
        return None
    items = authors["c"] if authors["t"] == "MetaList" else [authors]
    item = items[index] if index < len(items) else None
    return item["c"].get(key) if item and item["t"] == "MetaMap" else None


def stable_identifier(source: Source) -> str:
    """A urn:uuid derived from the title and authors, the same on every build."""
    meta = source.meta
    key = "|".join([meta.title, *(a.name for a in meta.authors), meta.series.name, meta.series.number])
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'briefpress:' + key)}"


LAST_SECOND = 253402300799  # 9999-12-31T23:59:59Z, the last moment a datetime can hold


def resolve_build_time(date: str, source_date_epoch: str | None, path: Path) -> datetime:
    """SOURCE_DATE_EPOCH, else the brief's date, else its last commit, else its modification time."""
    if source_date_epoch:
        if not source_date_epoch.strip().isdigit():
            raise BriefError(
                "SOURCE_DATE_EPOCH",
                None,
                f"not a number of seconds: {source_date_epoch!r}",
                "set it to a Unix time such as 1772668800, or unset it",
            )
        seconds = int(source_date_epoch)
        if seconds > LAST_SECOND:  # also what milliseconds, such as 1772668800000, look like
            raise BriefError(
                "SOURCE_DATE_EPOCH",
                None,
                f"{seconds} is after the year 9999",
                "set it to a number of seconds, such as 1772668800, not milliseconds",
            )
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    if date:
        return datetime.fromisoformat(date).replace(tzinfo=timezone.utc)
    committed = last_commit_time(path)
    return datetime.fromtimestamp(committed or int(path.stat().st_mtime), tz=timezone.utc)

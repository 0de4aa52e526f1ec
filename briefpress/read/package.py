"""Word and OpenDocument files as zip packages: what a file really is, its document properties,
its pictures, and the comments and tracked changes pandoc's ODT reader leaves out. Stdlib only."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from briefpress.errors import BriefError

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # MS-CFB: Word 97-2003, or an encrypted Office 2007+ file
ENCRYPTED = "EncryptionInfo".encode("utf-16-le")  # the stream MS-OFFCRYPTO adds to that container
ODT_MIME = b"application/vnd.oasis.opendocument.text"
CORE = {
    "title": "{http://purl.org/dc/elements/1.1/}title",
    "subject": "{http://purl.org/dc/elements/1.1/}subject",
    "creator": "{http://purl.org/dc/elements/1.1/}creator",
    "description": "{http://purl.org/dc/elements/1.1/}description",
    "language": "{http://purl.org/dc/elements/1.1/}language",
    "keywords": "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}keywords",
}
ODT_META = {
    **CORE,
    "creator": "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}initial-creator",
    "keywords": "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}keyword",
}
ODF = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xlink": "http://www.w3.org/1999/xlink",
}
CHANGE_INFO = f"{{{ODF['office']}}}change-info"  # who deleted and when, inside text:deletion
MEDIA_ROOT = {"docx": "word/", "odt": ""}  # pandoc names docx images media/..., odt ones Pictures/...


@dataclass(frozen=True)
class OdtExtras:
    """What pandoc's ODT reader drops without a word: comments, tracked changes, image descriptions."""

    comments: tuple[tuple[str, str], ...] = ()  # (author, text)
    insertions: int = 0
    deletions: int = 0
    deleted: tuple[str, ...] = ()  # the text of each deletion
    alt_text: dict = field(default_factory=dict, hash=False)  # Pictures/... -> description


def check_package(path: Path, kind: str) -> None:
    """Refuse a .docx or .odt that is not one: plain text, a .doc, a password, a damaged zip."""
    try:
        head = path.read_bytes()[:4096]
    except OSError as err:
        raise BriefError(path, None, f"cannot read: {err.strerror}", "check the path") from None
    name = "Word .docx" if kind == "docx" else "OpenDocument .odt"
    if head.startswith(OLE):
        if ENCRYPTED in path.read_bytes():
            raise BriefError(path, None, "is password-protected", "open it, remove the password and save it again")
        raise BriefError(
            path,
            None,
            "is an old Word 97-2003 file, not a .docx",
            "open it in Word or LibreOffice and save it as .docx",
        )
    if not head.startswith(b"PK\x03\x04"):
        raise BriefError(
            path,
            None,
            f"is not a {name} file (it is not a zip package)",
            f"export the manuscript as {name} from the word processor",
        )
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            damaged = package.testzip()
            mime = package.read("mimetype").strip() if "mimetype" in names else b""
            manifest = package.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in names else b""
            rels = package.read("_rels/.rels") if "_rels/.rels" in names else b""
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as err:
        raise BriefError(
            path,
            None,
            f"is damaged, its zip package cannot be read ({err})",
            "save the manuscript again from the word processor",
        ) from None
    if damaged:
        raise BriefError(
            path, None, f"is damaged: {damaged} fails its checksum", "save the manuscript again from the word processor"
        )
    if kind == "docx" and "word/document.xml" not in names and main_part(names, rels) is None:
        raise BriefError(
            path,
            None,
            "is a zip package but not a Word document (no main document part)",
            "export the manuscript as Word .docx",
        )
    if kind == "odt" and mime != ODT_MIME:
        raise BriefError(path, None, "is a zip package but not an OpenDocument text", "export the manuscript as .odt")
    if kind == "odt" and b"encryption-data" in manifest:
        raise BriefError(path, None, "is password-protected", "open it, remove the password and save it again")


def read_properties(path: Path, kind: str) -> dict[str, str]:
    """The document properties (docx: docProps/core.xml; odt: meta.xml): title, subject,
    creator, description, keywords, language; those that are set."""
    member, tags = ("docProps/core.xml", CORE) if kind == "docx" else ("meta.xml", ODT_META)
    try:
        with zipfile.ZipFile(path) as package:
            if member not in package.namelist():
                return {}
            root = ElementTree.fromstring(package.read(member))
    except ElementTree.ParseError as err:
        raise BriefError(
            path, None, f"{member} is not well-formed XML: {err}", "save the manuscript again from the word processor"
        ) from None
    found = {
        key: ", ".join(" ".join((e.text or "").split()) for e in root.iter(tag) if (e.text or "").strip())
        for key, tag in tags.items()
    }
    return {key: value for key, value in found.items() if value}


def read_odt_extras(path: Path) -> OdtExtras:
    """Comments, tracked changes and image descriptions from an .odt's content.xml."""
    with zipfile.ZipFile(path) as package:
        try:
            root = ElementTree.fromstring(package.read("content.xml"))
        except (KeyError, ElementTree.ParseError) as err:
            raise BriefError(
                path,
                None,
                f"content.xml is missing or damaged: {err}",
                "save the manuscript again from the word processor",
            ) from None
    comments = tuple(
        (root_text(note, "dc:creator") or "unknown", words(note))
        for note in root.iter(f"{{{ODF['office']}}}annotation")
    )
    regions = list(root.iter(f"{{{ODF['text']}}}changed-region"))
    count = lambda kind: sum(1 for r in regions if r.find(f"text:{kind}", ODF) is not None)  # noqa: E731
    alt = {}
    for frame in root.iter(f"{{{ODF['draw']}}}frame"):
        image = frame.find("draw:image", ODF)
        text = root_text(frame, "svg:desc") or root_text(frame, "svg:title")
        if image is not None and text:
            alt[image.get(f"{{{ODF['xlink']}}}href", "")] = text
    deleted = tuple(
        text
        for r in regions
        for d in r.findall("text:deletion", ODF)
        if (text := " ".join(" ".join("".join(p.itertext()).split()) for p in d if p.tag != CHANGE_INFO).strip())
    )
    return OdtExtras(
        comments=comments,
        insertions=count("insertion"),
        deletions=count("deletion"),
        deleted=deleted,
        alt_text=alt,
    )


def root_text(element, tag: str) -> str:
    found = element.find(tag, ODF)
    return " ".join("".join(found.itertext()).split()) if found is not None else ""


def words(annotation) -> str:
    """An ODT comment's text: its paragraphs, without the author and date elements."""
    paragraphs = annotation.findall("text:p", ODF)
    return " ".join(" ".join("".join(p.itertext()).split()) for p in paragraphs).strip()


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
STRICT_DOCUMENT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
LARGE = 1.4  # a first paragraph this many times the body size is set as a title


def main_part(names: set[str], rels: bytes) -> str | None:
    """The .docx's main document part: the one its package relationships name (OPC, ECMA-376
    part 2), which is word/document.xml only by custom."""
    try:
        root = ElementTree.fromstring(rels)
    except ElementTree.ParseError:
        return None
    for rel in root:
        if rel.get("Type") in (OFFICE_DOCUMENT, STRICT_DOCUMENT):
            target = (rel.get("Target") or "").lstrip("/")
            return target if target in names else None
    return None


def document_part(path: Path) -> str:
    """The name of the main part of a .docx already checked by check_package."""
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        rels = package.read("_rels/.rels") if "_rels/.rels" in names else b""
    return main_part(names, rels) or "word/document.xml"


def large_first_paragraph(path: Path) -> str:
    """The text of a .docx's first paragraph when it is set in large type (its runs at least
    LARGE times the document's default size), else ''."""
    part = document_part(path)
    with zipfile.ZipFile(path) as package:
        try:
            body = ElementTree.fromstring(package.read(part))
            styles = package.read("word/styles.xml") if "word/styles.xml" in package.namelist() else b""
        except (KeyError, ElementTree.ParseError):
            return ""
    default = 20.0  # half-points: Word's 10 pt when the styles give no default
    if styles:
        try:
            size = ElementTree.fromstring(styles).find(f".//{W}docDefaults//{W}sz")
        except ElementTree.ParseError:
            size = None
        if size is not None and (size.get(f"{W}val") or "").isdigit():
            default = float(size.get(f"{W}val") or default)
    for paragraph in body.iter(f"{W}p"):
        runs = [r for r in paragraph.iter(f"{W}r") if "".join(t.text or "" for t in r.iter(f"{W}t")).strip()]
        if not runs:
            continue
        sizes = [r.find(f"{W}rPr/{W}sz") for r in runs]
        values = [float(s.get(f"{W}val") or 0) if s is not None else default for s in sizes]
        large = all(v >= LARGE * default for v in values)
        return "".join(t.text or "" for r in runs for t in r.iter(f"{W}t")) if large else ""
    return ""


CITATION_FIELD = re.compile(rb"ADDIN (?:ZOTERO_ITEM|CSL_CITATION|Mendeley Citation|EN\.CITE)")


def count_citation_fields(path: Path) -> int:
    """How many Zotero, Mendeley or EndNote citation fields a .docx holds (their instructions)."""
    with zipfile.ZipFile(path) as package:
        try:
            return len(CITATION_FIELD.findall(package.read(document_part(path))))
        except KeyError:
            return 0


def read_media(path: Path, kind: str, target: str) -> bytes | None:
    """The bytes of a picture pandoc named (media/image1.png, Pictures/...), or None."""
    member = MEDIA_ROOT[kind] + target
    if ".." in Path(target).parts or re.match(r"^[a-z][a-z0-9+.-]*:", target):
        return None
    with zipfile.ZipFile(path) as package:
        try:
            return package.read(member)
        except KeyError:
            return None


# A simple field (<w:fldSimple w:instr="FILENAME">result runs</w:fldSimple>, ECMA-376 part 1,
# 17.16.19): Word shows its result runs, pandoc 3.9's docx reader has no case for the element
# (Readers/Docx/Parse.hs elemToParPart') and drops them with it. The same field written as a
# complex field (fldChar begin, instrText, separate, the runs, end; 17.16.18) is read: its runs
# stay text, a HYPERLINK stays a link.
SIMPLE_FIELD = re.compile(rb"<(\w+:)?fldSimple\b([^>]*?)(/?)>|</(?:\w+:)?fldSimple\s*>")
INSTRUCTION = re.compile(rb"""\b(?:\w+:)?instr\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True)
class SimpleFields:
    """A .docx rewritten with its simple fields as complex ones, and the fields' instructions."""

    package: bytes
    instructions: tuple[str, ...]


def complex_fields(part: bytes) -> tuple[bytes, list[str]]:
    """One XML part with every w:fldSimple written as the complex field Word shows alike."""
    found: list[str] = []
    prefixes: list[bytes] = []  # of the open fields, for their end

    def field(match: re.Match) -> bytes:
        if match.group(0).startswith(b"</"):
            p = prefixes.pop() if prefixes else b"w:"
            return b'<%sr><%sfldChar %sfldCharType="end"/></%sr>' % (p, p, p, p)
        p = match.group(1) or b""
        instr = INSTRUCTION.search(match.group(2))
        text = (instr.group(1) or instr.group(2) or b"") if instr else b""
        found.append(" ".join(text.decode("utf-8", "replace").split()))
        if match.group(3):  # <w:fldSimple .../>: no result, nothing shown
            return b""
        prefixes.append(p)
        run = b"<%sr>%%s</%sr>" % (p, p)
        return b"".join(
            (
                run % (b'<%sfldChar %sfldCharType="begin"/>' % (p, p)),
                run % (b'<%sinstrText xml:space="preserve">%s</%sinstrText>' % (p, text, p)),
                run % (b'<%sfldChar %sfldCharType="separate"/>' % (p, p)),
            )
        )

    return SIMPLE_FIELD.sub(field, part), found


def read_simple_fields(path: Path) -> SimpleFields | None:
    """The .docx with its simple fields written as complex fields, for pandoc to read their
    text; None when the parts pandoc reads (the body, footnotes, endnotes, comments; not the
    headers and footers) have none."""
    main = document_part(path)
    folder = main.rpartition("/")[0] + "/" if "/" in main else ""
    read = {main, *(f"{folder}{name}.xml" for name in ("footnotes", "endnotes", "comments"))}
    with zipfile.ZipFile(path) as package:
        entries = [(info, package.read(info)) for info in package.infolist()]
    instructions: list[str] = []
    rewritten = []
    for info, data in entries:
        if info.filename in read and b"fldSimple" in data:
            data, found = complex_fields(data)
            instructions += found
        rewritten.append((info, data))
    if not instructions:
        return None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for info, data in rewritten:
            package.writestr(info, data)
    return SimpleFields(package=out.getvalue(), instructions=tuple(instructions))

"""Write a Word file with the citation fields Zotero's Word plugin writes: a complex field whose
instruction is `ADDIN ZOTERO_ITEM CSL_CITATION {json}`, its result the visible "(Author Year)"."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
</Types>"""
DOCUMENT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Author"><w:name w:val="Author"/><w:basedOn w:val="Normal"/></w:style>
</w:styles>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

RANJAN = {
    "id": 101,
    "type": "book",
    "title": "The Partition of India: Postcolonial Legacies",
    "author": [{"family": "Ranjan", "given": "Amit"}],
    "publisher": "Routledge",
    "publisher-place": "London",
    "issued": {"date-parts": [["2020"]]},
}
KHAN = {
    "id": 102,
    "type": "article-journal",
    "title": "Border Fencing and Its Discontents",
    "author": [{"family": "Khan", "given": "Sara"}, {"family": "Ali", "given": "Omar"}],
    "container-title": "Asian Survey",
    "volume": "61",
    "issue": "3",
    "page": "455-478",
    "DOI": "10.1525/as.2021.61.3.455",
    "issued": {"date-parts": [["2021"]]},
}


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def zotero_field(items: list[tuple[dict, str]], shown: str) -> str:
    """One citation field: (itemData, locator) for each cited work, and its visible text."""
    data = {
        "citationID": "a1b2c3d4",
        "properties": {"formattedCitation": shown, "plainCitation": shown, "noteIndex": 0},
        "citationItems": [
            {
                "id": item["id"],
                "uris": [f"http://zotero.org/users/1/items/ITEM{item['id']}"],
                "itemData": item,
                **({"locator": locator, "label": "page"} if locator else {}),
            }
            for item, locator in items
        ],
        "schema": "https://github.com/citation-style-language/schema/raw/master/csl-citation.json",
    }
    instruction = f" ADDIN ZOTERO_ITEM CSL_CITATION {json.dumps(data)} "
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve">{escape(instruction)}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{run(shown)}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def paragraph(*parts: str, style: str = "") -> str:
    props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{props}{''.join(parts)}</w:p>"


def endnote_field(shown: str) -> str:
    """An EndNote citation field, which pandoc does not read as a citation."""
    instruction = " ADDIN EN.CITE <EndNote><Cite><Author>Dawn</Author><Year>2025</Year></Cite></EndNote>"
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve">{escape(instruction)}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{run(shown)}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def write_zotero_docx(path: Path, *, endnote: bool = False) -> Path:
    body = "".join(
        [
            paragraph(run("Fences and Crossings"), style="Title"),
            paragraph(run("Priya Raman"), style="Author"),
            paragraph(
                run("The border has a long history "), zotero_field([(RANJAN, "12")], "(Ranjan 2020, 12)"), run(".")
            ),
            paragraph(
                run("Scholars disagree "),
                zotero_field([(KHAN, ""), (RANJAN, "")], "(Khan and Ali 2021; Ranjan 2020)"),
                run("."),
            ),
            *([paragraph(run("The crossing reopened "), endnote_field("(Dawn 2025)"), run("."))] if endnote else []),
        ]
    )
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {W}><w:body>{body}</w:body></w:document>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/document.xml", document)
        z.writestr("word/_rels/document.xml.rels", DOCUMENT_RELS)
        z.writestr("word/styles.xml", STYLES)
    return path

"""Tiny .docx files written with zipfile, each holding just what one import behaviour needs."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PICTURE = (
    '<w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
    '<wp:extent cx="3000000" cy="2000000"/><wp:docPr id="1" name="Chart" descr="{alt}"/>'
    '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:nvPicPr><pic:cNvPr id="1" name="image1"/><pic:cNvPicPr/></pic:nvPicPr>'
    '<pic:blipFill><a:blip r:embed="rIdPicture"/></pic:blipFill>'
    '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="3000000" cy="2000000"/></a:xfrm>'
    '<a:prstGeom prst="rect"/></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>'
)


# pandoc looks drawing elements up by the prefixes the root declares
DRAWING = (
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
)


STYLES = (
    f'<w:styles xmlns:w="{W}"><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/>'
    '<w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style></w:styles>'
)


def heading(text: str, bookmark: str = "", number: int = 0) -> str:
    """A Heading 1 paragraph, its text inside a bookmark (numbered) when one is named."""
    start = f'<w:bookmarkStart w:id="{number}" w:name="{bookmark}"/>' if bookmark else ""
    end = f'<w:bookmarkEnd w:id="{number}"/>' if bookmark else ""
    return f'<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>{start}<w:r><w:t>{escape(text)}</w:t></w:r>{end}</w:p>'


def cross_reference(before: str, anchor: str, text: str, after: str) -> str:
    """A paragraph with a hyperlink to a bookmark (a Word cross-reference)."""
    run = '<w:r><w:t xml:space="preserve">{}</w:t></w:r>'
    return (
        f'<w:p>{run.format(escape(before))}<w:hyperlink w:anchor="{anchor}">{run.format(escape(text))}'
        f"</w:hyperlink>{run.format(escape(after))}</w:p>"
    )


def para(text: str, *, bold: bool = False, size: int = 0, style: str = "") -> str:
    """One paragraph of one run: bold, a size in half-points, a paragraph style."""
    props = ("<w:b/>" if bold else "") + (f'<w:sz w:val="{size}"/>' if size else "")
    style_xml = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    run_props = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:p>{style_xml}<w:r>{run_props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def simple_field(before: str, instruction: str, result: str) -> str:
    """A paragraph with text, then a simple field (w:fldSimple) showing its result."""
    return (
        f'<w:p><w:r><w:t xml:space="preserve">{escape(before)}</w:t></w:r>'
        f'<w:fldSimple w:instr="{escape(instruction, {chr(34): "&quot;"})}"><w:r><w:t>{escape(result)}</w:t></w:r>'
        "</w:fldSimple></w:p>"
    )


def picture(alt: str) -> str:
    return f"<w:p>{PICTURE.format(alt=escape(alt))}</w:p>"


def write_docx(
    path: Path,
    paragraphs: list[str],
    *,
    title_property: str = "",
    main: str = "word/document.xml",
    media: tuple[str, bytes] | None = None,
) -> Path:
    """A .docx of these paragraphs; its main part at `main`; one picture's file when given."""
    folder = main.rsplit("/", 1)[0]
    name = main.rsplit("/", 1)[1]
    types = [
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
        '<Default Extension="xml" ContentType="application/xml"/>',
        f'<Override PartName="/{main}" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>',
    ]
    if media:
        types.append(f'<Default Extension="{media[0].rsplit(".", 1)[1]}" ContentType="image/x-{media[0][-3:]}"/>')
    rels = [f'<Relationship Id="rId1" Type="{R}/officeDocument" Target="{main}"/>']
    if title_property:
        types.append(
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        )
        rels.append(
            '<Relationship Id="rId2" Target="docProps/core.xml" Type="http://schemas.openxmlformats.org/'
            'package/2006/relationships/metadata/core-properties"/>'
        )
    body = "".join(paragraphs)
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}" xmlns:r="{R}" {DRAWING}><w:body>{body}</w:body></w:document>'
    with zipfile.ZipFile(path, "w") as package:
        package.writestr(
            "[Content_Types].xml",
            f'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">{"".join(types)}</Types>',
        )
        package.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{"".join(rels)}</Relationships>',
        )
        package.writestr(main, document)
        package.writestr(f"{folder}/styles.xml", STYLES)
        picture_rel = f'<Relationship Id="rIdStyles" Type="{R}/styles" Target="styles.xml"/>'
        picture_rel += f'<Relationship Id="rIdPicture" Type="{R}/image" Target="media/{media[0]}"/>' if media else ""
        package.writestr(
            f"{folder}/_rels/{name}.rels",
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{picture_rel}</Relationships>',
        )
        if media:
            package.writestr(f"{folder}/media/{media[0]}", media[1])
        if title_property:
            package.writestr(
                "docProps/core.xml",
                '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
                f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{escape(title_property)}</dc:title></cp:coreProperties>',
            )
    return path

"""Word's WMF and EMF pictures (every chart pasted from Excel) become SVG at import, so that every
edition can carry them: LibreOffice's headless converter (Debian's libreoffice-draw-nogui, which
setup.sh installs) reads both formats fully, and its SVG export keeps the vectors and the text
(sharp at any size and searchable, where a PNG would need 300 dpi at the placed size and lose the
text). It draws on a whole A4 page, so each picture is cropped to its bounding box. A cold start
takes seconds, which is why this runs once, at import, for all pictures together, and never in
the build.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from briefpress.errors import BriefError
from briefpress.read.svg import sanitize_svg

TIMEOUT = 180.0  # seconds for one run of the converter, all pictures together
BOUNDING_BOX = re.compile(rb'<rect class="BoundingBox"[^>]*?x="(-?\d+)" y="(-?\d+)" width="(\d+)" height="(\d+)"')
ROOT_TAG = re.compile(rb"<svg\b[^>]*>")
LENGTH = re.compile(rb'\b(width|height)="([\d.]+)mm"')
VIEW_BOX = re.compile(rb'viewBox="([\d.\s-]+)"')


def picture_format(content: bytes) -> str | None:
    """'wmf' or 'emf' from the first bytes (MS-WMF, MS-EMF), else None."""
    if content[:4] == b"\xd7\xcd\xc6\x9a" or content[:6] in (b"\x01\x00\x09\x00\x00\x03", b"\x02\x00\x09\x00\x00\x03"):
        return "wmf"
    if content[:4] == b"\x01\x00\x00\x00" and content[40:44] == b" EMF":
        return "emf"
    return None


def converter() -> str:
    """The soffice command, or an error saying how to install it."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise BriefError(
            None,
            None,
            "the manuscript has WMF or EMF pictures, and LibreOffice's converter (soffice) is not installed",
            "run ./setup.sh, which installs libreoffice-draw-nogui",
        )
    return found


def convert_pictures(pictures: dict[str, bytes], manuscript: Path) -> dict[str, bytes]:
    """Each WMF or EMF picture (name -> bytes) as a cropped, sanitised SVG; a picture the converter
    cannot draw is left out of the result."""
    if not pictures:
        return {}
    command = converter()
    with tempfile.TemporaryDirectory(prefix="briefpress-pictures-") as work:
        folder = Path(work)
        files = []
        for n, (name, content) in enumerate(sorted(pictures.items())):
            file = folder / f"picture{n}.{picture_format(content)}"
            file.write_bytes(content)
            files.append((name, file))
        profile = (folder / "profile").as_uri()  # its own profile: no lock shared with a running LibreOffice
        try:
            subprocess.run(
                [command, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "svg"]
                + ["--outdir", str(folder / "svg"), *(str(f) for _, f in files)],
                capture_output=True,
                timeout=TIMEOUT,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise BriefError(
                manuscript,
                None,
                f"converting its {len(files)} WMF/EMF picture(s) took more than {TIMEOUT:.0f} s",
                "save the pictures as PNG in the word processor and import again",
            ) from None
        out = {}
        for name, file in files:
            svg = folder / "svg" / f"{file.stem}.svg"
            if svg.is_file():
                try:
                    out[name] = sanitize_svg(crop(svg.read_bytes()))[0]
                except ValueError:
                    continue
        return out


def crop(svg: bytes) -> bytes:
    """The SVG's page cut down to the picture's bounding box (LibreOffice marks it with a rect of
    class BoundingBox, in the viewBox's units)."""
    box, root = BOUNDING_BOX.search(svg), ROOT_TAG.search(svg)
    view = VIEW_BOX.search(root.group()) if root else None
    lengths = dict(LENGTH.findall(root.group())) if root else {}
    if not (box and root and view and b"width" in lengths):
        return svg
    x, y, width, height = (int(v) for v in box.groups())
    scale = float(lengths[b"width"]) / float(view.group(1).split()[2])  # mm per unit
    tag = VIEW_BOX.sub(f'viewBox="{x} {y} {width} {height}"'.encode(), root.group())
    tag = LENGTH.sub(
        lambda m: f'{m.group(1).decode()}="{(width if m.group(1) == b"width" else height) * scale:.2f}mm"'.encode(),
        tag,
    )
    return svg[: root.start()] + tag + svg[root.end() :]

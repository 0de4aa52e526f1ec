"""Check and read every image a manuscript names, so each edition embeds the same bytes.

Only data: URLs and files inside the source folder are read; http(s) images only when the
build allows remote images, with a timeout and a size cap. Everything else is refused with
the manuscript line that names it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import urllib.parse
from dataclasses import replace
from pathlib import Path

from briefpress import http
from briefpress.compose.htmltree import image_sources, replace_image_sources
from briefpress.compose.safety import NeedleLocator
from briefpress.errors import NOTE, BriefError, BuildWarning, clipped, report
from briefpress.read.files import read_regular_file
from briefpress.read.svg import looks_like_svg, sanitize_svg
from briefpress.records import Asset, Document, Source, Staged

TIMEOUT = 10.0  # seconds for one remote image
MAX_BYTES = 10 * 1024 * 1024  # size cap for any one image
MAX_PIXELS = 40_000_000  # about 160 MB once decoded; a 300 dpi A4 page is 8.7 million
# EPUB 3 core media types for raster images; SVG (also one) is recognised by looks_like_svg and
# carried only as svg.py rebuilds it, without scripts and links.
MAGIC = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
SUFFIX = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/svg+xml": ".svg",
}
FIX = "use a PNG, JPEG, GIF, WebP or SVG file inside the source folder"


def load_assets(doc: Document, source: Source, *, allow_remote: bool) -> Staged[Document]:
    """Return the Document with every image checked and read, and an error for each bad one."""
    urls = [src for fragment in fragments(doc) for src in image_sources(fragment)]
    locate = NeedleLocator(source.text)
    assets: dict[str, Asset] = {}
    errors: list[BriefError] = []
    warnings: list[BuildWarning] = []
    for url in urls:
        if url in assets:
            continue
        line = next(filter(None, map(locate, (f"]({url}", f"](<{url}>", f'src="{url}', url))), None)
        try:
            content, scaled = fit_pixels(read_image(url, source.path.parent, allow_remote=allow_remote))
            assets[url], removed = make_asset(url, content)
            if removed:
                warnings.append(
                    BuildWarning(
                        source.path,
                        line,
                        f"image {shorten(url)}: took {', '.join(removed)} out of the SVG "
                        "(a figure in a brief does not run or load anything)",
                    )
                )
            if scaled:
                report(BuildWarning(source.path, line, f"image {shorten(url)}: {scaled}"), NOTE)
        except ValueError as err:
            what, _, fix = str(err).partition("|")
            errors.append(BriefError(source.path, line, f"image {shorten(url)}: {what}", fix or FIX))
    return Staged(replace(doc, assets=tuple(assets.values())), warnings=tuple(warnings), errors=tuple(errors))


def fragments(doc: Document) -> list[str]:
    return [doc.abstract_html, doc.body_html, *doc.bios_html, *(n.html for n in doc.notes)]


def read_image(url: str, folder: Path, *, allow_remote: bool) -> bytes:
    """The bytes behind an image URL, or ValueError('what|how to fix')."""
    scheme = urllib.parse.urlsplit(url).scheme.lower() if ":" in url else ""
    if len(scheme) == 1:  # a Windows drive letter
        scheme = "file"
    if scheme == "data":
        return read_data_url(url)
    if scheme in ("http", "https"):
        if not allow_remote:
            raise ValueError(
                "remote images are not fetched|download it into the source folder, or build with --allow-remote"
            )
        return fetch_remote(url)
    if scheme:
        raise ValueError(f"{scheme}: URLs are refused|{FIX}")
    return read_local(url, folder)


def read_local(url: str, folder: Path) -> bytes:
    relative = urllib.parse.unquote(url.split("?")[0].split("#")[0])
    if not relative:
        raise ValueError("no file named|write ![text](file.png)")
    if relative.startswith(("/", "\\", "~")):
        raise ValueError(f"absolute paths are refused|{FIX}")
    try:
        path = (folder / relative).resolve()
    except (OSError, RuntimeError):  # RuntimeError: Python 3.11's word for a symbolic link loop
        raise ValueError("a symbolic link loop|point the link at a real file") from None
    if not path.is_relative_to(folder.resolve()):
        raise ValueError(f"the path leads outside the source folder|{FIX}")
    try:
        return read_regular_file(path, MAX_BYTES)
    except FileNotFoundError:
        raise ValueError("file not found|check the file name, relative to the manuscript") from None
    except OSError as err:
        raise ValueError(f"cannot read: {err.strerror}|{FIX}") from None


def read_data_url(url: str) -> bytes:
    header, comma, data = url.partition(",")
    if not comma:
        raise ValueError("malformed data: URL|write data:image/png;base64,...")
    try:
        if header.lower().endswith(";base64"):
            return base64.b64decode(data, validate=False)
        return urllib.parse.unquote_to_bytes(data)
    except ValueError:
        raise ValueError("malformed base64 in a data: URL|re-encode the image") from None


def fetch_remote(url: str) -> bytes:
    """GET one image over http(s) only: no file:, ftp: or data: redirects, with a size cap."""
    answer = http.get(url, timeout=TIMEOUT, read=MAX_BYTES + 1)
    if answer.status is None or not 200 <= answer.status < 300:
        raise ValueError(
            f"download failed: {answer.error}|check the address, or download the image into the source folder"
        )
    return answer.body


def make_asset(url: str, content: bytes) -> tuple[Asset, tuple[str, ...]]:
    """The checked image, and what was taken out of it (an SVG's scripts and links)."""
    if len(content) > MAX_BYTES:
        raise ValueError(f"larger than the size cap of {MAX_BYTES // 1024} KiB|make the image smaller")
    media_type = sniff(content)
    removed: tuple[str, ...] = ()
    if media_type is None:
        raise ValueError(f"not a PNG, JPEG, GIF, WebP or SVG image|{FIX}")
    if media_type == "image/svg+xml":
        content, removed = sanitize_svg(content)
    else:
        decode(content)
    digest = hashlib.sha256(content).hexdigest()[:16]
    asset = Asset(url=url, name=f"images/img-{digest}{SUFFIX[media_type]}", content=content, media_type=media_type)
    return asset, removed


FITTED_PIXELS = 10_000_000  # what a downscaled image keeps: more than a 300 dpi A4 page
SAVE_FORMAT = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}


def fit_pixels(content: bytes) -> tuple[bytes, str]:
    """An image past MAX_PIXELS (and within Pillow's own bomb limit) scaled down to FITTED_PIXELS,
    in its own format, and what was done; any other image as it is."""
    from PIL import Image

    media_type = sniff(content)
    if media_type is None or len(content) > MAX_BYTES:
        return content, ""
    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
            if width * height <= MAX_PIXELS or getattr(image, "n_frames", 1) > 1:
                return content, ""
            scale = (FITTED_PIXELS / (width * height)) ** 0.5
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            image.draft(image.mode, size)  # a JPEG decodes at a fraction of its size
            small = image.resize(size, Image.Resampling.LANCZOS)
            out = io.BytesIO()
            small.save(out, SAVE_FORMAT[media_type], **({"quality": 90} if media_type == "image/jpeg" else {}))
    except Exception:  # a broken image: decode() names what is wrong with it
        return content, ""
    return out.getvalue(), (
        f"{width} x {height} pixels is more than the limit of {MAX_PIXELS // 1_000_000} million, so it is "
        f"scaled down to {size[0]} x {size[1]}"
    )


def decode(content: bytes) -> None:
    """Decode the whole image once, so that a broken or huge one fails here, with its line,
    and not inside WeasyPrint (which quotes it whole) or an e-reader."""
    from PIL import Image  # only a brief with images pays for the import

    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()  # checksums and structure; the image cannot be used after it
        with Image.open(io.BytesIO(content)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValueError(
                    f"{image.width} x {image.height} pixels, more than the limit of "
                    f"{MAX_PIXELS // 1_000_000} million|scale the image down"
                )
            image.load()
    except Image.UnidentifiedImageError:
        raise ValueError("cannot be decoded: its header is broken|save the image again from an image editor") from None
    except Image.DecompressionBombError:  # Image.open refuses twice Pillow's own limit outright
        raise ValueError(
            f"more pixels than the limit of {MAX_PIXELS // 1_000_000} million|scale the image down"
        ) from None
    except ValueError as err:
        if "|" in str(err):
            raise
        raise ValueError(f"cannot be decoded: {err}|save the image again from an image editor") from None
    except Exception as err:  # Pillow's decoders raise OSError, SyntaxError, struct.error ... on bad data
        reason = str(err).split("\n")[0][:100] or type(err).__name__
        raise ValueError(f"cannot be decoded: {reason}|save the image again from an image editor") from None


def sniff(content: bytes) -> str | None:
    """The media type from the file's first bytes, never from its name."""
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if looks_like_svg(content):
        return "image/svg+xml"
    return next((kind for magic, kind in MAGIC.items() if content.startswith(magic)), None)


def shorten(url: str) -> str:
    """The URL as an error names it: a data: URL by what it is, never its bytes."""
    if url[:5].lower() == "data:":
        return "(a data: URL)"
    return clipped(url)


def with_image_sources(doc: Document, new_src) -> Document:
    """The Document with every <img> pointing at new_src(asset)."""
    by_url = {asset.url: asset for asset in doc.assets}

    def swap(fragment: str) -> str:
        return replace_image_sources(fragment, lambda url: new_src(by_url[url]))

    return replace(
        doc,
        abstract_html=swap(doc.abstract_html),
        body_html=swap(doc.body_html),
        bios_html=tuple(swap(b) for b in doc.bios_html),
        notes=tuple(replace(n, html=swap(n.html)) for n in doc.notes),
    )


def data_url(asset: Asset) -> str:
    return f"data:{asset.media_type};base64,{base64.b64encode(asset.content).decode('ascii')}"

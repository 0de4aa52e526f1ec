"""Word's BMP and TIFF pictures (a scan, a screenshot pasted long ago) become PNG at import, so the
build, which carries only the EPUB's core image types, never meets them. Pillow decodes them."""

from __future__ import annotations

import io

BMP, TIFF = (b"BM",), (b"II*\x00", b"MM\x00*")
MAX_PIXELS = 40_000_000  # as read/assets.py: a bigger picture is refused by the build anyway


def is_other_raster(content: bytes) -> bool:
    """A BMP or TIFF picture, from its first bytes."""
    return content.startswith(BMP + TIFF)


def to_png(content: bytes) -> bytes | None:
    """The picture as PNG (its first page, for a TIFF), or None when Pillow cannot read it."""
    from PIL import Image  # only a manuscript with such pictures pays for the import

    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.width * image.height > MAX_PIXELS:
                return None
            image.load()
            flat = image if image.mode in ("RGB", "RGBA", "L", "LA", "P") else image.convert("RGBA")
            out = io.BytesIO()
            flat.save(out, "PNG", optimize=True)
            return out.getvalue()
    except Exception:  # noqa: BLE001 - Pillow's decoders raise many kinds on bad data: kept as it is, warned
        return None

"""A brief's slug: its file name and the last part of its address, from its title."""

from __future__ import annotations

import re
import unicodedata

SLUG_LENGTH = 80  # the sample's 63-character slug keeps every word of its title


def slugify(title: str) -> str:
    """A file name (and a brief's address) from a title: ASCII letters and digits joined by
    hyphens, whole words up to 80 characters; a first word longer than that is cut."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    slug = words[0][:SLUG_LENGTH] if words else ""
    for word in words[1:]:
        if len(slug) + 1 + len(word) > SLUG_LENGTH:
            break
        slug = f"{slug}-{word}"
    return slug

"""A series' static search index (Pagefind) over the catalogue's pages: every brief's title,
authors, summary and keywords, searched in the reader's browser from static files, with no
server of our own and no network.

Pagefind's binary (PyPI pagefind[bin]) indexes the pages in a temporary folder; each entry's
heading carries an id, so a result leads to the entry itself (index-3.html#entry-245). Its Python
service answers one request per 0.1 s (it polls), 17 minutes for 10,000 records, so the binary
indexes the pages in one run instead.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from pagefind_bin import get_executable

from briefpress.errors import BriefError

FOLDER = "pagefind"  # beside index.html, where search.html's script looks for it


def search_index(pages: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The files of the search index over the catalogue's pages, as (path in the output folder, bytes)."""
    with tempfile.TemporaryDirectory(prefix="briefpress-search-") as site:
        for name, data in pages:
            Path(site, name).write_bytes(data)
        # One language for the whole archive: Pagefind searches the index of the page's language
        # (the catalogue's, English), so a brief in Urdu is found from it too.
        command = [get_executable(), "--site", site, "--output-subdir", FOLDER, "--silent", "--force-language", "en"]
        done = subprocess.run([str(part) for part in command], capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise BriefError(
                None, None, f"pagefind could not index the catalogue: {done.stderr.strip()}", "run ./setup.sh again"
            )
        bundle = Path(site, FOLDER)
        return [
            (f"{FOLDER}/{path.relative_to(bundle).as_posix()}", path.read_bytes())
            for path in sorted(bundle.rglob("*"))
            if path.is_file()
        ]

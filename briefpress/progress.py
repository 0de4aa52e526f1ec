"""How far a series has got: a progress bar on a terminal (tqdm), plain lines otherwise.

Either engine (the local pool, a Dask cluster) tells it of each brief as it is done. A series of
a few briefs shows nothing (their `wrote` lines say enough), nor does a quiet build.
"""

from __future__ import annotations

import shutil
import sys
from typing import TextIO

from tqdm import tqdm

from briefpress.errors import display_path

FEW = 4  # a series of more briefs than this shows its progress


class Progress:
    """Briefs done of the total, the rate and the time left; call it with each brief as it is done."""

    def __init__(self, total: int, *, quiet: bool = False, stream: TextIO | None = None):
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        shown = not quiet and total > FEW
        # The terminal's size as shutil finds it (COLUMNS and LINES, else 80 by 24): tqdm's own
        # reading of a terminal that gives no size (-1) hides the bar.
        size = shutil.get_terminal_size()
        self.bar = (
            tqdm(total=total, unit="brief", file=self.stream, ncols=size.columns, nrows=size.lines)
            if shown and self.tty()
            else None
        )
        self.lines = shown and self.bar is None

    def tty(self) -> bool:
        return hasattr(self.stream, "isatty") and self.stream.isatty()

    def __call__(self, brief) -> None:
        """brief: a pipeline.BriefBuild, just made (or taken from the cache)."""
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
        elif self.lines:
            state = "built" if brief.made else "failed"
            print(f"{state} {self.done} of {self.total}: {display_path(brief.source)}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

"""Console output: notes and warnings as one line each, errors as `error:` lines and exit code 1."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from briefpress.errors import LOG, NOTE, BriefError


class OneLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def reported(run: Callable[[], int], *, quiet: bool = False) -> int:
    """Call run() with notes and warnings printed as `note: ...` / `warning: ...` lines (notes
    left out when quiet); a BriefError becomes `error: ...` lines and exit code 1, never a traceback."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLine())
    handler.setLevel(logging.WARNING if quiet else NOTE)
    LOG.addHandler(handler)
    LOG.setLevel(NOTE)
    try:
        return run()
    except BriefError as err:
        for line in err.message.splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 1
    finally:
        LOG.removeHandler(handler)

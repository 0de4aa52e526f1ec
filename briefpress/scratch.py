"""A private temporary folder for each build, removed when the build ends, however it ends.

WeasyPrint's FontConfiguration copies the @font-face files into a mkdtemp() folder that it
removes only when the object is garbage-collected, which a forked worker leaving through
os._exit never does: every PDF left a weasyprint-XXXXXXXX/ folder behind. With tempfile
pointed at a folder of the build's own, the build removes whatever anything left there; a
worker whose build was killed removes it too (workers.exit_with_parent).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import threading
from pathlib import Path

PREFIX = "briefpress-"
_lock = threading.Lock()
_users = 0  # builds running in this process (serve and watch build in a thread of their own)
_saved: list[str | None] = []  # tempfile.tempdir before the first of them


@contextlib.contextmanager
def scratch_folder():
    """Point tempfile at a new folder for the builds running inside; remove it after the last."""
    global _users
    with _lock:
        if _users == 0:
            _saved[:] = [tempfile.tempdir]
            tempfile.tempdir = tempfile.mkdtemp(prefix=PREFIX)
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                remove_scratch_folder()
                tempfile.tempdir = _saved.pop()


def remove_scratch_folder() -> None:
    """Remove this build's temporary folder, if one is in use."""
    folder = tempfile.tempdir
    if folder and Path(folder).name.startswith(PREFIX):
        shutil.rmtree(folder, ignore_errors=True)

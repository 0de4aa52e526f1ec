"""A private temporary folder for each build, removed when the build ends, however it ends.

WeasyPrint's FontConfiguration copies the @font-face files into a mkdtemp() folder that it
removes only when the object is garbage-collected, which a forked worker leaving through
os._exit never does: every PDF left a weasyprint-XXXXXXXX/ folder behind. The font set-up is
given a folder inside the build's own (render/patches/weasyprint.py `confined_fonts`), which the
build removes at its end; a worker whose build was killed removes it too (workers.exit_with_parent).
Nothing here changes tempfile's global folder: a folder is always passed with dir=.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

PREFIX = "briefpress-"
_lock = threading.Lock()
_users = 0  # builds running in this process (serve and watch build in a thread of their own)
_folder: str | None = None  # theirs; forked workers inherit it


@contextlib.contextmanager
def scratch_folder(parent: Path | None = None):
    """Make the build's temporary folder (in parent, else the temporary folder) for what runs
    inside; remove it after the last build."""
    global _users, _folder
    with _lock:
        if _users == 0:
            remove_stale_folders()
            _folder = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=parent)
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                remove_scratch_folder()
                _folder = None


def scratch_path() -> Path | None:
    """The build's temporary folder, if a build is running in this process (or its parent)."""
    return Path(_folder) if _folder else None


def remove_scratch_folder() -> None:
    """Remove the build's temporary folder, if one is in use."""
    if _folder:
        shutil.rmtree(_folder, ignore_errors=True)


def remove_stale_folders() -> None:
    """Remove the folders of builds killed with no worker left to clean up: their process is gone
    and they have not changed for an hour (a process of another PID namespace may share /tmp)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}*-*"):
        pid = folder.name.removeprefix(PREFIX).split("-")[0]
        try:
            if not pid.isdigit() or time.time() - folder.stat().st_mtime < 3600:
                continue
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue  # alive under another user, or already gone

"""A source file's history in git: when it was last committed. Used for the build time, and by
the cache, which must not import anything heavy."""

from __future__ import annotations

import subprocess
from pathlib import Path


def last_commit_time(path: Path) -> int | None:
    """The time of the last git commit that touched path, if it is tracked by git."""
    try:
        done = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "--", path.name],
            cwd=path.parent,
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = done.stdout.strip()
    return int(text) if done.returncode == 0 and text.isdigit() else None

"""Read inputs only when they are regular files: a named pipe blocks a read until the build is
killed, a link to /dev/zero never ends. The caller caps the size."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MAX_MANUSCRIPT = 20 * 1024 * 1024  # bytes; a long brief is about 100 KB
KINDS = {stat.S_IFIFO: "a named pipe", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device", stat.S_IFSOCK: "a socket"}


def regular_file_size(path: Path) -> int:
    """The size of the regular file path leads to; else ValueError('what|how to fix').
    FileNotFoundError passes through, for the caller to word."""
    try:
        info = os.stat(path)  # follows symbolic links: what counts is what they lead to
    except FileNotFoundError:
        raise
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise ValueError("a symbolic link loop|point the link at a real file") from None
        raise ValueError(f"cannot read: {err.strerror}|check the file") from None
    if stat.S_ISDIR(info.st_mode):
        raise ValueError(f"cannot read: {os.strerror(errno.EISDIR)}|check the file")
    if not stat.S_ISREG(info.st_mode):
        kind = KINDS.get(stat.S_IFMT(info.st_mode), "a special file")
        raise ValueError(f"not a regular file ({kind})|give the path of an ordinary file")
    return info.st_size


def read_regular_file(path: Path, limit: int) -> bytes:
    """At most limit + 1 bytes of the regular file at path (so the caller sees it is too big)."""
    regular_file_size(path)
    # O_NONBLOCK: a file swapped for a named pipe after the check must not block the open.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise ValueError("not a regular file|give the path of an ordinary file")
        return handle.read(limit + 1)

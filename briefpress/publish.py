"""Put a build's files in place all together: temporary files first, renames last.

A build that fails before this stage has written nothing; one that fails inside it removes
its temporary files, so the previous editions stay as they were.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

from briefpress.errors import BriefError
from briefpress.records import Artifact

CHECKSUMS = "SHA256SUMS"
# A temporary file lives from its write to its rename, seconds at most: one whose build is gone,
# or that is an hour old, was left by a killed build. Any other may be in flight: a second build
# publishing into the same folder at the same time.
STALE_AFTER = 3600
Output = tuple[Path, bytes, str]  # (target file, its bytes, edition kind)


def publish(outputs: list[Output], out_dir: Path) -> list[Artifact]:
    """Write every (target, bytes, kind) and out_dir/SHA256SUMS, then rename them into place."""
    if not outputs:
        return []
    sums = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {target.name}\n"
        for target, data, _ in outputs
        if target.parent == out_dir
    )
    # UTF-8: a brief may be called économie.md or 简报.md (sha256sum -c reads the bytes as they are).
    outputs = [*outputs, (out_dir / CHECKSUMS, sums.encode("utf-8"), "checksums")]
    check_replaceable([target for target, _, _ in outputs])
    temps: list[tuple[str, Path]] = []
    try:
        for target, _, _ in outputs:
            remove_stale_temps(target)
        for target, data, _ in outputs:
            if not same_bytes(target, data):  # an unchanged file is left alone, mtime and all
                temps.append((write_temp(target, data), target))
        for tmp, target in temps:
            os.replace(tmp, target)
    except OSError as err:
        raise BriefError(
            getattr(err, "filename", None) and Path(err.filename).parent or out_dir,
            None,
            f"cannot write output: {err.strerror}",
            "choose a writable folder with --out",
        ) from None
    finally:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return [Artifact(path=target, kind=kind, size=len(data)) for target, data, kind in outputs]


def check_replaceable(targets: list[Path]) -> None:
    """Refuse before the first rename a target that cannot be replaced, so that no build
    leaves some editions new and others old."""
    for target in targets:
        if target.is_dir() and not target.is_symlink():
            raise BriefError(target, None, "cannot write output: a folder is in the way", "remove or rename the folder")


def write_temp(target: Path, data: bytes) -> str:
    """Write data to a hidden temporary file beside target; return its path."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def remove_stale_temps(target: Path) -> None:
    """Delete temporary files a killed build left beside target (they never replaced it), but
    not those of a build that is writing into the same folder now."""
    if target.parent.is_dir():
        for temp in target.parent.glob(f".{target.name}.*.tmp"):
            pid = temp.name.removeprefix(f".{target.name}.").split(".")[0]
            try:
                if not writer_alive(pid) or time.time() - temp.stat().st_mtime > STALE_AFTER:
                    temp.unlink()
            except FileNotFoundError:  # its build renamed or removed it meanwhile
                pass


def writer_alive(pid: str) -> bool:
    """Whether the build that wrote a temporary file (its PID is in the name) still runs here."""
    if not pid.isdigit():
        return True  # an older name without a PID: only its age tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive under another user
    return True


def same_bytes(target: Path, data: bytes) -> bool:
    """Whether target already holds exactly data."""
    try:
        return target.stat().st_size == len(data) and target.read_bytes() == data
    except OSError:
        return False

"""What a build works out from files that seldom change, kept for the next build as Python keeps
its bytecode: the brand as read from brand.yml, the EPUB's cover picture, and the hyphenation
patterns of a language as pyphen reads them (0.07-0.15 s from its dictionary, 6 ms kept).

Reading the brand imports brand_yml, whose pydantic models take about 0.4 s to build; drawing the
cover takes about 0.3 s, most of it PNG's compression. Neither changes unless its inputs do, so a
build (a cold one too: `--no-cache` is about the editions) reads them back instead. Each is kept
in one file per brand file, brief or dictionary, in kept/ of the project's cache folder (the one
the build enters with `keeping`, as the edition cache and the compiled templates live there too;
never inside the installed package), with the key of everything it was made from: the bytes of
brand.yml or the cover's words and brand, the size and time of each file they name and of the
code that made them. A different key means it is made again. As for a .pyc, nothing is written
under PYTHONDONTWRITEBYTECODE, outside a build, or where the folder cannot be written.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import pickle
import shutil
import sys
import sysconfig
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from briefpress.records import Brand

PACKAGE = Path(__file__).resolve().parent
FONTSOURCE = PACKAGE.parent / "tools" / "node_modules" / "@fontsource"  # as brand.py looks fonts up
FORMAT = "2"  # of every key: a new format makes every kept thing and every edition again
# Both caches (editions/ and kept/) keep what was used in the last 30 days, the least recently used
# going first past 1 GiB each: a series of several hundred briefs (about 1 MB of editions each) is
# kept whole, where a fixed count of entries evicted most of it on every rebuild.
MAX_AGE = 30 * 24 * 3600  # seconds
MAX_BYTES = 1 << 30


_cache: Path | None = None  # the cache folder of the build running in this process (its workers inherit it)


@contextlib.contextmanager
def keeping(cache: Path | None):
    """Keep what builds keep between them in the cache folder (None: keep nothing) while inside."""
    global _cache
    saved, _cache = _cache, cache
    try:
        yield
    finally:
        _cache = saved


def cache_folder(part: str) -> Path | None:
    """A part of the cache folder of the build running here (kept/, templates/), or None."""
    return _cache / part if _cache else None


class Key:
    """The key of a cache entry, the edition cache's and kept/'s alike: a SHA-256 over labelled
    parts (each with its length, so no two lists of parts run together), after the key format,
    the kind of entry and the Python version."""

    def __init__(self, kind: str):
        self.hash = hashlib.sha256()
        for label, value in (("format", FORMAT), ("kind", kind), ("python", sys.version)):
            self.add(label, value)

    def add(self, label: str, value: str | bytes) -> None:
        data = value.encode("utf-8") if isinstance(value, str) else value
        self.hash.update(f"{label}\0{len(data)}\0".encode("utf-8"))
        self.hash.update(data)

    def hexdigest(self) -> str:
        return self.hash.hexdigest()


def used(path: Path) -> None:
    """Mark a cache entry as used (its modification time), so that pruning keeps it longest."""
    try:
        os.utime(path)
    except OSError:
        pass  # a read-only cache: it is pruned by whoever can write it


def prune_folder(folder: Path) -> None:
    """Remove the entries of a cache folder not used for MAX_AGE, then the least recently used ones
    until it holds at most MAX_BYTES (files or folders, but the half-written ones, whose name
    starts with a dot): the edition cache and kept/ alike."""
    found = []
    for entry in os.scandir(folder):
        try:
            if not entry.name.startswith("."):
                found.append((entry.stat().st_mtime, entry_size(entry), entry.path))
        except OSError:
            continue  # removed meanwhile by a build beside this one
    total, now = sum(size for _, size, _ in found), time.time()
    for mtime, size, path in sorted(found):  # the least recently used first
        if now - mtime <= MAX_AGE and total <= MAX_BYTES:
            break
        if os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            Path(path).unlink(missing_ok=True)
        total -= size


def entry_size(entry: os.DirEntry) -> int:
    """The bytes of a cache entry: a file, or a folder of files (an edition cache entry)."""
    if not entry.is_dir():
        return entry.stat().st_size
    return sum(inner.stat().st_size for inner in os.scandir(entry.path) if inner.is_file())


def stamp(path: Path) -> tuple:
    """What tells a changed file or folder: its size and modification time, as for a .pyc."""
    try:
        found = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), found.st_size, found.st_mtime_ns)


def code_stamps(modules: Iterable[str]) -> list[tuple]:
    """The stamps of briefpress's own code and of the named packages that a kept thing came from."""
    stamps = [stamp(file) for file in sorted(PACKAGE.rglob("*.py"))]
    for name in modules:
        spec = importlib.util.find_spec(name)
        stamps.append(stamp(Path(spec.origin)) if spec and spec.origin else (name, None))
    return stamps


def digest(kind: str, *parts: object) -> bytes:
    """The key of a kept thing (Key, as for the edition cache) over the repr of small parts."""
    key = Key(kind)
    key.add("parts", repr(parts))
    return key.hexdigest().encode("ascii")


def kept_file(kind: str, owner: Path) -> Path | None:
    folder = cache_folder("kept")
    return folder / f"{kind}-{hashlib.sha1(str(owner).encode('utf-8')).hexdigest()[:16]}" if folder else None


def read_kept(kind: str, owner: Path, key: bytes) -> bytes | None:
    """What was kept for owner under key, or None."""
    file = kept_file(kind, owner)
    if file is None:
        return None
    try:
        data = file.read_bytes()
    except OSError:
        return None
    if not data.startswith(key):
        return None
    used(file)
    return data[len(key) :]


MISSING = object()


def read_pickled(kind: str, owner: Path, key: bytes | None) -> Any:
    """The object kept pickled for owner under key, or MISSING; a damaged file (a disk that filled
    up) is a miss, as for the editions' cache, never an error."""
    data = None if key is None else read_kept(kind, owner, key)
    if data is None:
        return MISSING
    try:
        return pickle.loads(data)  # written by keep_brand or kept_object, in briefpress's own folder
    except Exception:
        return MISSING


def keep(kind: str, owner: Path, key: bytes, value: bytes) -> None:
    """Keep value for owner under key, replacing what was kept for it before."""
    target = kept_file(kind, owner)
    if sys.dont_write_bytecode or target is None:
        return
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(key + value)
        partial.replace(target)  # whole or not at all, for a build running beside this one
        prune_folder(target.parent)  # each brand file and brief has one; temporary projects too
    except OSError:
        partial.unlink(missing_ok=True)  # a read-only installation: made again next time


def brand_key(path: Path) -> bytes | None:
    """Everything load_brand's answer depends on, but the files the brand names (checked apart)."""
    try:
        text = path.read_bytes()
    except OSError:
        return None  # read where its error is reported
    paths = sysconfig.get_paths()
    lookups = [stamp(Path(paths[name])) for name in ("purelib", "platlib")]  # a pip font package installed
    lookups += [stamp(FONTSOURCE), *(stamp(folder) for folder in sorted(FONTSOURCE.glob("*")))]
    return digest("brand", str(path.resolve()), text, code_stamps(("brand_yml", "pydantic")), lookups)


def named_files(brand: Brand) -> list[Path]:
    return [brand.logo, *(face.path for face in brand.fonts), *([brand.csl] if brand.csl else [])]


def kept_brand(path: Path) -> Brand | None:
    """The brand kept by an earlier build, if brand.yml and everything it names are unchanged."""
    kept = read_pickled("brand", path, brand_key(path))
    if kept is MISSING:
        return None
    stamps, brand = kept
    if stamps != [stamp(file) for file in named_files(brand)]:
        return None
    return brand


def keep_brand(path: Path, brand: Brand) -> None:
    key = brand_key(path)
    if key is not None:
        keep("brand", path, key, pickle.dumps(([stamp(file) for file in named_files(brand)], brand)))


def kept_bytes(kind: str, owner: Path, key: bytes, make: Callable[[], bytes]) -> bytes:
    """The bytes kept for owner under key, else make()'s, kept."""
    data = read_kept(kind, owner, key)
    if data is None:
        data = make()
        keep(kind, owner, key, data)
    return data


def kept_object(kind: str, owner: Path, parts: tuple, make: Callable[[], Any]) -> Any:
    """What make() returns, made from owner (a file) and kept pickled while parts (stamps of the
    files and code it comes from) are unchanged; a damaged kept file is made again."""
    key = digest(kind, str(owner), stamp(owner), parts)
    value = read_pickled(kind, owner, key)
    if value is not MISSING:
        return value
    value = make()
    keep(kind, owner, key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value


def kept_cover(source: Path, inputs: tuple, brand: Brand, draw: Callable[[], bytes]) -> bytes:
    """The EPUB cover of the brief at source: kept while its words (inputs), the brand (with the
    files it names) and the code that draws it are unchanged, else drawn and kept."""
    key = digest("cover", inputs, repr(brand), [stamp(file) for file in named_files(brand)], code_stamps(("PIL",)))
    return kept_bytes("cover", source, key, draw)

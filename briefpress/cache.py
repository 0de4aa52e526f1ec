"""Skip a brief whose editions were already made from the same inputs.

The key is a SHA-256 over everything an edition depends on: the manuscript, the brand's folder
(brand file, styles, logo, fonts given as files) and the files it names outside it (fallback fonts), briefpress's own code and templates, the name
and version of every installed distribution (WeasyPrint, pandoc's wheel, the font packages ...),
the Python version, the build options and the inputs of the build time. The images a manuscript
names are only known after parsing it, so an entry lists them with their SHA-256 and a lookup
checks them again. An entry holds the edition bytes and the warnings the build printed, so a hit
repeats them.

This module imports nothing heavy: a hit must not load WeasyPrint, pandoc or lxml.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from briefpress.errors import Logged
from briefpress.kept import Key, prune_folder, used
from briefpress.read.history import last_commit_time
from briefpress.records import BuildConfig

PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Entry:
    """What a hit gives back: each edition's bytes by kind, and the warnings to print again."""

    editions: tuple[tuple[str, bytes], ...]
    warnings: tuple[Logged, ...]  # notes and warnings, to print again on a hit
    images: tuple[tuple[str, str], ...] = ()  # (URL relative to the manuscript, SHA-256 of its bytes)
    about: str = "{}"  # JSON: title, authors, date, summary ... for a series catalogue


def cache_key(config: BuildConfig, source: Path) -> str | None:
    """The key of one brief's editions, or None when they cannot be cached (remote images, no source)."""
    if config.allow_remote or not source.is_file():
        return None
    key = Key("editions")
    add = key.add
    add(
        "options",
        json.dumps([config.formats, config.paper, config.press, config.strict, config.references], sort_keys=True),
    )
    add("epoch", config.source_date_epoch or "")
    if not config.source_date_epoch:  # the build time may come from the last commit or the file's mtime
        add("commit", str(last_commit_time(source)))
        add("mtime", str(source.stat().st_mtime_ns))
    add("source-path", str(source.resolve()))  # warnings and the archive name the source
    add("source", source.read_bytes())
    for label, folder in (("brand", config.brand_path.resolve().parent), ("code", PACKAGE)):
        for path in tree(folder):
            add(f"{label}:{path.relative_to(folder)}", path.read_bytes())
    add("brand-file", str(config.brand_path.resolve()))
    lock = PACKAGE.parent / "tools" / "package-lock.json"  # pins the fontsource fallback fonts
    add("npm-lock", lock.read_bytes() if lock.is_file() else b"")
    for path in brand_files_outside(config.brand_path):
        add(f"brand-path:{path}", path.read_bytes())
    add("distributions", "\n".join(distributions()))
    return key.hexdigest()


BRAND_PATH = re.compile(r"^[\s-]*path:\s*['\"]?([^'\"#\n]+?)['\"]?\s*(?:#.*)?$", re.M)


def brand_files_outside(brand_path: Path) -> list[Path]:
    """Files the brand names by a path outside its folder (the fallback fonts in tools/node_modules),
    found in its text: this module reads no YAML."""
    folder = brand_path.resolve().parent
    try:
        text = brand_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    found = {(folder / match).resolve() for match in BRAND_PATH.findall(text)}
    return sorted(path for path in found if path.is_file() and not path.is_relative_to(folder))


def tree(folder: Path) -> list[Path]:
    """Every visible file under folder, sorted, leaving out __pycache__."""
    found = []
    for parent, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        found += [Path(parent, f) for f in files if not f.startswith(".")]
    return sorted(found)


def distributions() -> list[str]:
    """The name-version of every installed distribution on sys.path, from the dist-info folder names."""
    names = []
    for entry in sys.path:
        try:
            names += [n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info"))]
        except OSError:
            continue
    return sorted(names)


def lookup(cache_dir: Path, key: str | None, source: Path) -> Entry | None:
    """The entry stored under key, or None. A damaged entry or a changed image counts as a miss."""
    if key is None:
        return None
    folder = cache_dir / key
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        for url, sha in manifest["images"]:
            if image_digest(source, url) != sha:
                return None
        editions = []
        for kind, sha in manifest["editions"]:
            data = (folder / kind).read_bytes()
            if hashlib.sha256(data).hexdigest() != sha:
                return None
            editions.append((kind, data))
        used(folder)
        return Entry(
            tuple(editions),
            tuple(Logged(*w) for w in manifest["warnings"]),
            tuple(map(tuple, manifest["images"])),
            json.dumps(manifest["about"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(cache_dir: Path, key: str | None, entry: Entry) -> None:
    """Keep entry under key, and prune the cache as kept/ is pruned (kept.prune_folder). The cache
    is an optimisation: failing to write it is not an error."""
    if key is None:
        return
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=cache_dir, prefix=".new-"))
    except OSError:
        return
    try:
        for kind, data in entry.editions:
            (staging / kind).write_bytes(data)
        manifest = {
            "editions": [[kind, hashlib.sha256(data).hexdigest()] for kind, data in entry.editions],
            "warnings": [[w.level, w.path, w.line, w.what] for w in entry.warnings],
            "images": [list(i) for i in entry.images],
            "about": json.loads(entry.about),
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        shutil.rmtree(cache_dir / key, ignore_errors=True)
        os.replace(staging, cache_dir / key)
        prune_folder(cache_dir)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)


def image_digest(source: Path, url: str) -> str | None:
    """SHA-256 of the file a relative image URL names, read as the build reads it (see assets.py)."""
    relative = unquote(url.split("?")[0].split("#")[0])
    try:
        return hashlib.sha256((source.parent / relative).read_bytes()).hexdigest()
    except OSError:
        return None

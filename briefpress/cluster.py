"""A series on a Dask cluster (build --cluster ADDRESS, or --cluster local): a driver of the spine
(pipeline.build) beside the local process pool, each task one pipeline.build_brief call.

The client reads each brief's files (the manuscript, the images and bibliography it names) and the
brand's, sends them with the task, and gets back the editions' bytes and warnings as plain records:
workers need nothing but the installed package. Only the client writes: dist/ (publish.py,
atomically) and the cache, which is consulted before a brief is sent. Workers are single-threaded
(WeasyPrint and Pango are not thread-safe) and daemonic, so a task makes every edition in its own
process (jobs=1), in a temporary folder inside the Dask worker's own, which Dask clears after a
worker that was killed.

This is the only module that imports dask/distributed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import pickle
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, partial
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import unquote

import dask
from distributed import Client, LocalCluster, as_completed, get_worker

from briefpress.cache import brand_files_outside, cache_key, lookup, store, tree
from briefpress.errors import BriefError, Logged
from briefpress.pipeline import BriefBuild, Driver, Problem, build_brief
from briefpress.read.history import last_commit_time
from briefpress.records import BuildConfig
from briefpress.scratch import scratch_folder, scratch_path
from briefpress.series import ALSO_WRITES, Told, check_series, series_files

LOG = logging.getLogger("briefpress")
RETRIES = 2  # a task that raised (not a brief's own error, which is a record) is tried twice more
PACKAGE = Path(__file__).resolve().parent
# Tokens of a manuscript that may name a file beside it: an image, a bibliography, a CSL style.
NAMED_FILE = re.compile(r"[^\s()<>\[\]{}\"'`|*,;=]+\.[A-Za-z0-9]{1,5}\b")
Files = tuple[tuple[str, bytes], ...]  # (path relative to the parcel's root, bytes)


@dataclass(frozen=True)
class Parcel:
    """One brief's task: its files as the client read them, and how to build it."""

    source: str  # the manuscript, the client's path as given
    root: str  # the client's folder that every file is relative to
    files: Files  # the manuscript first, then the files it names
    stamp: int  # its last commit or modification time: the build time of a brief with no date
    config: BuildConfig  # the client's options; paths are replaced on the worker
    environment: tuple[tuple[str, str], ...]  # the client's versions (environment())


@dataclass(frozen=True)
class BrandParcel:
    """The brand's files (brand.yml, styles, logo, fonts given as files), sent once to every worker."""

    root: str
    brand: str  # brand.yml, relative to root
    files: Files


def cluster_driver(address: str, progress: Told | None = None) -> Driver:
    """A series on the Dask cluster at address ("local": one on this machine), telling progress of
    each brief as it is done; the spine publishes, as for the local pool."""
    return Driver(
        spread=partial(build_on_cluster, address=address, progress=progress),
        files=series_files,
        also_writes=ALSO_WRITES,
    )


def build_on_cluster(config: BuildConfig, *, address: str, progress: Told | None = None) -> list[BriefBuild]:
    """Every brief of the series: from the cache here, else built on a worker; in the config's order."""
    check_series(config)
    tell = progress or (lambda brief: None)
    built: list[BriefBuild] = []
    try:
        with connect(address, config.jobs) as client:
            check_workers(client)
            for brief in series_builds(client, config):
                tell(brief)
                built.append(brief)
    except KeyboardInterrupt:  # the client is closed: the scheduler forgets its tasks
        raise BriefError(
            None,
            None,
            f"interrupted after {len(built)} of {len(config.sources)} briefs: nothing was written",
            "build again: the briefs already built come from the cache",
        ) from None
    order = {path: number for number, path in enumerate(config.sources)}
    return sorted(built, key=lambda brief: order[brief.source])  # as the local pool: the same SHA256SUMS


@contextlib.contextmanager
def connect(address: str, workers: int) -> Iterator[Client]:
    """A client of the scheduler at address, or of a LocalCluster: one single-threaded worker per core."""
    if address == "local":
        with (
            # Dask's folders in one of this build's own: it leaves its dask-scratch-space behind.
            tempfile.TemporaryDirectory(prefix="dask-briefpress-") as folder,
            # Dask's sampling profiler keeps every stack it samples: a worker grew by 0.6 MiB a brief.
            dask.config.set({"distributed.worker.profile.enabled": False, "temporary-directory": folder}),
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # any free port: a second cluster on this machine must not warn
                silence_logs=logging.ERROR,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = Client(address, timeout=30)
    except OSError as err:
        raise BriefError(
            "--cluster", None, f"no Dask scheduler answers at {address}: {err}", "start one (see the README)"
        ) from None
    with client:
        yield client


def series_builds(client: Client, config: BuildConfig) -> Iterator[BriefBuild]:
    """Every brief, as each is ready: from the cache here, else built on a worker (and kept here)."""
    waiting: dict[str, Path] = {}
    parcels = []
    for path in config.sources:
        key = cache_key(config, path) if config.cache_dir else None
        entry = lookup(config.cache_dir, key, path) if config.cache_dir and key else None
        if entry is not None:  # an unchanged brief never leaves the client
            yield BriefBuild.from_entry(path, entry)
            continue
        try:
            parcels.append(pack_brief(config, path))
        except OSError as err:
            yield failed(path, f"cannot read it: {err.strerror}", "check the file")
            continue
        waiting[str(path)] = path
    if not parcels:
        return
    brand = client.scatter(pack_brand(config), broadcast=True, hash=False)
    futures = client.map(build_parcel, parcels, brand=brand, pure=False, retries=RETRIES)
    sources = {future.key: parcel.source for future, parcel in zip(futures, parcels)}
    try:
        for future in as_completed(futures):
            path = waiting[sources[future.key]]
            brief = task_result(future, path)
            future.release()  # the worker lets go of the editions' bytes now, not at the end of the series
            if brief.made and config.cache_dir:
                store(config.cache_dir, cache_key(config, path), brief.entry())
            yield brief
    except KeyboardInterrupt:
        client.cancel(futures)  # the briefs not yet built stop on their workers
        raise


def failed(path: Path | str, what: str, fix: str, logged: tuple[Logged, ...] = ()) -> BriefBuild:
    return BriefBuild(Path(path), logged=logged, problems=(Problem(str(path), None, what, fix),))


def task_result(future, path: Path) -> BriefBuild:
    """What the task returned, or its failure as the brief's error (a worker lost too often)."""
    try:
        return dataclasses.replace(future.result(), source=path)
    except Exception as err:  # a traceback on the worker: reported as this brief's error, the series goes on
        return failed(
            path, f"the build stopped on a worker: {type(err).__name__}: {err}", "build it alone to see the traceback"
        )


# On the worker -----------------------------------------------------------------------------------


def build_parcel(parcel: Parcel, brand: BrandParcel) -> BriefBuild:
    """Build one brief from the files in its parcel; its files are removed afterwards."""
    mine = environment()
    if dict(parcel.environment) != dict(mine):
        what = f"this worker's versions differ: {differences(dict(parcel.environment), dict(mine))}"
        return failed(parcel.source, what, "install the same versions")
    folder = worker_folder()
    brand_path = unpacked_brand(brand, folder)
    # The briefs of one client folder share a folder here, as they share one there, so that the
    # stylesheets parsed for one (keyed by their base URL) serve the next.
    briefs = folder / f"brief-{hashlib.sha256(parcel.root.encode('utf-8')).hexdigest()[:12]}"
    source = unpack(parcel.files, briefs)
    try:
        places = {str(briefs): parcel.root, str(brand_path.parent): brand.root}
        return build_unpacked(parcel, source, brand_path, places, folder / "kept")
    finally:
        for name, _ in parcel.files:
            (briefs / name).unlink(missing_ok=True)


# The worker's scratch folder, kept for its life (as the local pool's processes keep the series'):
# WeasyPrint's font set-up and the parsed stylesheets are kept with it (render/pdf.py WarmSetUp),
# and a new one for every brief grew a worker by 1 MiB a brief (Pango's font maps are not freed).
# It is inside the Dask worker's own folder, which Dask removes when the worker closes or dies.
WORKER_FOLDER = contextlib.ExitStack()


def worker_folder() -> Path:
    """This worker's scratch folder, made on its first brief."""
    folder = scratch_path()
    if folder is None:
        WORKER_FOLDER.enter_context(scratch_folder(Path(get_worker().local_directory)))
        folder = scratch_path()
    assert folder is not None
    return folder


def unpacked_brand(brand: BrandParcel, folder: Path) -> Path:
    """The brand's files, written once per brand into the worker's folder: the same path for every
    brief, so that the brand read for one (kept.py) serves the next."""
    digest = hashlib.sha256(pickle.dumps(brand.files)).hexdigest()[:12]
    home = folder / f"brand-{digest}"
    if not (home / brand.brand).is_file():
        unpack(brand.files, home)
    return home / brand.brand


def build_unpacked(
    parcel: Parcel, source: Path, brand_path: Path, places: dict[str, str], keep_dir: Path
) -> BriefBuild:
    """The spine's one brief (pipeline.build_brief, forking nothing: a Dask worker is daemonic), with
    the worker's folders named as the client's in what it reports."""
    os.utime(source, (parcel.stamp, parcel.stamp))  # no git history here: the client's time instead
    config = dataclasses.replace(
        parcel.config, sources=(source,), brand_path=brand_path, cache_dir=None, keep_dir=keep_dir, jobs=1
    )  # the editions are kept by the client alone; the brand as read, by each worker for its next briefs
    brief = build_brief(config, source, fork=False)
    return dataclasses.replace(
        brief,
        source=Path(parcel.source),
        logged=relocated(brief.logged, places),
        problems=tuple(
            Problem(moved(p.path, places), p.line, moved(p.what, places) or "", moved(p.fix, places) or "")
            for p in brief.problems
        ),
        bug=moved(brief.bug, places) or "",
    )


def unpack(files: Files, folder: Path, *, first: str | None = None) -> Path:
    """Write the files under folder; return the path of the first one (or of the one named first)."""
    for name, data in files:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder / (first or files[0][0])


def relocated(records: tuple[Logged, ...], places: dict[str, str]) -> tuple[Logged, ...]:
    """The records with the worker's folders named as the client's, so they read as a local build's."""
    return tuple(dataclasses.replace(r, path=moved(r.path, places), what=moved(r.what, places) or "") for r in records)


def moved(text: str | None, places: dict[str, str]) -> str | None:
    if text is None:
        return None
    for here, there in places.items():
        text = text.replace(here, there)
    return text


# On the client: what is sent ---------------------------------------------------------------------


def pack_brief(config: BuildConfig, path: Path) -> Parcel:
    """The manuscript and every file it names (images, bibliography, CSL), relative to one root."""
    named = sorted({found for found in named_files(path) if found != path.resolve()})
    root = Path(os.path.commonpath([path.resolve().parent, *(p.parent for p in named)]))
    files: Files = ((str(path.resolve().relative_to(root)), path.read_bytes()),)
    files += tuple((str(p.relative_to(root)), p.read_bytes()) for p in named)
    stamp = last_commit_time(path) or int(path.stat().st_mtime)
    shipped = dataclasses.replace(config, sources=())
    return Parcel(str(path), str(root), files, stamp, shipped, environment())


def named_files(path: Path) -> Iterator[Path]:
    """The existing files that a token of the manuscript names relative to it: more than it uses
    (a file named in the text is sent too) but never less, without parsing it here."""
    folder = path.resolve().parent
    for token in set(NAMED_FILE.findall(path.read_text(encoding="utf-8", errors="replace"))):
        if ":" in token or token.startswith("/"):
            continue
        candidate = (folder / unquote(token.split("?")[0].split("#")[0])).resolve()
        if candidate.is_file():
            yield candidate


def pack_brand(config: BuildConfig) -> BrandParcel:
    """brand.yml, the files of its folder and those it names outside it, relative to one root."""
    folder = config.brand_path.resolve().parent
    paths = [*tree(folder), *brand_files_outside(config.brand_path)]
    root = Path(os.path.commonpath([folder, *(p.parent for p in paths)]))
    files = tuple((str(p.relative_to(root)), p.read_bytes()) for p in paths)
    return BrandParcel(str(root), str(config.brand_path.resolve().relative_to(root)), files)


# Versions ----------------------------------------------------------------------------------------


@cache
def environment() -> tuple[tuple[str, str], ...]:
    """What makes the bytes of an edition besides its inputs: briefpress's code, WeasyPrint, pandoc,
    the fonts, Python. Workers with other versions would make other bytes."""
    code = hashlib.sha256()
    for path in tree(PACKAGE):
        code.update(f"{path.relative_to(PACKAGE)}\0".encode("utf-8") + path.read_bytes())
    fonts = [f"{name} {installed(name)}" for name in ("font-source-serif-pro", "font-source-sans-pro")]
    fontsource = PACKAGE.parent / "tools" / "node_modules" / "@fontsource"
    for package in sorted(fontsource.glob("*/package.json")):
        fonts.append(f"@fontsource/{package.parent.name} {json.loads(package.read_text())['version']}")
    return (
        ("briefpress", f"{installed('briefpress')} (code {code.hexdigest()[:12]})"),
        ("WeasyPrint", installed("weasyprint")),
        ("pandoc", installed("pypandoc_binary")),
        ("fonts", hashlib.sha256("\n".join(fonts).encode("utf-8")).hexdigest()[:12]),
        ("Python", ".".join(map(str, __import__("sys").version_info[:3]))),
    )


def installed(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "none"


def differences(here: dict[str, str], there: dict[str, str], where: str = "") -> str:
    return "; ".join(
        f"{name} {here[name]} here, {there.get(name, 'none')}{where}" for name in here if here[name] != there.get(name)
    )


def check_workers(client: Client) -> None:
    """Refuse workers whose versions differ from this machine's: they would make other bytes."""
    here = dict(environment())
    found = client.run(environment)
    if not found:
        raise BriefError("--cluster", None, "the cluster has no workers", "start at least one worker")
    for address, theirs in sorted(found.items()):
        if dict(theirs) != here:
            raise BriefError(
                "--cluster",
                None,
                f"a worker differs from this machine: {differences(here, dict(theirs), f' on {address}')}",
                "install the same versions on every worker: they would make other bytes",
            )

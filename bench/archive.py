"""An archive rebuilt on Dask, measured for bench/run.py: a series on the local pool and on
`--cluster local`, then the same briefs sent to two local Dask workers (each on its own port) from
this process, for each worker's memory, each brief's time on a worker, the bytes sent and received,
and the client's own time, from which the time of 10,000 briefs on more cores is projected.
"""

from __future__ import annotations

import filecmp
import pickle
import resource
import shutil
import statistics
import time
from pathlib import Path

ARCHIVE = 10_000
PROJECTED_CORES = (2, 16, 64)


def sources(tmp: Path, count: int, sample: Path) -> list[str]:
    """count briefs: copies of the sample under other names."""
    folder = tmp / "archive-source"
    folder.mkdir(exist_ok=True)
    for n in range(1, count + 1):
        shutil.copy(sample, folder / f"brief-{n:04d}.md")
    return sorted(str(p) for p in folder.glob("*.md"))


def same_files(one: Path, other: Path) -> bool:
    """Whether both folders hold the same files (the search index's folder too) with the same bytes."""
    names = sorted(str(p.relative_to(one)) for p in one.rglob("*") if p.is_file())
    _, mismatch, errors = filecmp.cmpfiles(one, other, names, shallow=False)
    theirs = sorted(str(p.relative_to(other)) for p in other.rglob("*") if p.is_file())
    return theirs == names and not mismatch and not errors


def on_two_workers(briefs: list[str], root: Path, first: int = 10) -> dict[str, float]:
    """Send the briefs to two local workers from here, the first `first` then the rest; return each
    worker's memory after each part, the briefs' times on the workers, bytes and the client's time."""
    import dask
    import psutil
    from distributed import Client, LocalCluster, as_completed, get_task_stream

    from briefpress.cluster import build_parcel, check_workers, pack_brand, pack_brief
    from briefpress.defaults import make_config

    config = make_config(root, sources=[Path(b) for b in briefs], no_cache=True, jobs=1)
    figures: dict[str, float] = {}
    with (
        dask.config.set({"distributed.worker.profile.enabled": False}),  # as cluster.py's LocalCluster
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=40) as cluster,
        Client(cluster) as client,
    ):
        check_workers(client)
        brand = client.scatter(pack_brand(config), broadcast=True, hash=False)
        figures["brand_bytes"] = len(pickle.dumps(pack_brand(config)))
        sent = received = 0
        client_cpu = 0.0
        durations: list[float] = []
        memory: list[float] = []
        for part in (briefs[:first], briefs[first:]):
            usage = resource.getrusage(resource.RUSAGE_SELF)
            parcels = [pack_brief(config, Path(b)) for b in part]
            sent += sum(len(pickle.dumps(p)) for p in parcels)
            with get_task_stream(client) as stream:
                futures = client.map(build_parcel, parcels, brand=brand, pure=False)
                for future in as_completed(futures):
                    made = future.result()
                    assert made.entry is not None, made.error
                    received += len(pickle.dumps(made))
                    future.release()  # as cluster.py does: the worker keeps no result
            after = resource.getrusage(resource.RUSAGE_SELF)
            client_cpu += after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
            durations += [
                s["stop"] - s["start"] for task in stream.data for s in task["startstops"] if s["action"] == "compute"
            ]
            rss = client.run(lambda: psutil.Process().memory_info().rss)
            memory.append(max(rss.values()) / 2**20)
        figures.update(
            memory_first=memory[0],
            memory_last=memory[1],
            per_brief=statistics.median(durations),
            sent=sent / len(briefs),
            received=received / len(briefs),
            client=client_cpu / len(briefs),
        )
    return figures


def measure(tmp: Path, count: int, *, sample: Path, root: Path, wall, python: str, row) -> tuple[list, list[str]]:
    """The archive's rows for the table, and the lines of its section of BENCHMARKS.md."""
    briefs = sources(tmp, count, sample)
    build = [python, str(root / "build.py"), *briefs, "-q", "--no-cache"]
    t_pool = wall([*build, "--out", str(tmp / "archive-pool")])[0]
    t_dask = wall([*build, "--out", str(tmp / "archive-dask"), "--cluster", "local"])[0]
    same = same_files(tmp / "archive-pool", tmp / "archive-dask")
    started = time.perf_counter()
    two = on_two_workers(briefs, root)
    t_two = time.perf_counter() - started
    rows = [
        row(
            f"Archive of {count} briefs, all editions: `--cluster local` / local pool"
            + ("" if same else " (NOT the same bytes)"),
            t_dask / t_pool,
            "<= 1.15",
            f"{t_dask:.1f} s / {t_pool:.1f} s; every file the same bytes: {'yes' if same else 'NO'}",
        ),
        row(
            f"A Dask worker's memory after {count} briefs / after 10",
            two["memory_last"] / two["memory_first"],
            "<= 1.20",
            f"{two['memory_last']:.0f} MiB / {two['memory_first']:.0f} MiB (the larger of two workers)",
        ),
    ]
    lines = [
        "",
        f"## Archive rebuild on Dask ({count} briefs)",
        "",
        f"Two local Dask workers (each its own process and port, one thread), fed from this process: "
        f"a brief takes {two['per_brief']:.2f} s on a worker (median), sends {two['sent'] / 1024:.0f} KiB "
        f"(its files; the brand's {two['brand_bytes'] / 1024:.0f} KiB go once to each worker) and "
        f"receives {two['received'] / 1024:.0f} KiB (its editions and warnings); the client spends "
        f"{two['client'] * 1000:.0f} ms of processor time on each (reading, packing, unpacking). "
        f"The {count} briefs took {t_two:.0f} s there.",
        "",
        f"Projected time of {ARCHIVE:,} briefs, from these figures: the workers' part "
        f"({ARCHIVE:,} x {two['per_brief']:.2f} s / cores) and the client's, which is serial "
        f"({ARCHIVE:,} x {two['client'] * 1000:.0f} ms, overlapping the workers' until it is the "
        f"larger), and the transfer at 1 Gbit/s ({ARCHIVE:,} x "
        f"{(two['sent'] + two['received']) / 2**20:.2f} MiB), whichever is the largest:",
        "",
        "| worker cores | workers' part | client's part | transfer | projected |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    client_part = ARCHIVE * two["client"]
    transfer = ARCHIVE * (two["sent"] + two["received"]) / (125 * 10**6)
    for cores in PROJECTED_CORES:
        workers_part = ARCHIVE * two["per_brief"] / cores
        projected = max(workers_part, client_part, transfer)
        lines.append(
            f"| {cores} | {minutes(workers_part)} | {minutes(client_part)} | {minutes(transfer)} | "
            f"{minutes(projected)} |"
        )
    return rows, lines


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"

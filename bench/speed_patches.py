"""Each speed patch (briefpress/render/patches/, speed=True) measured with and without it, for
`bench/run.py --patches`: in one run, in turns, the build with every patch and the build without one
of them (BRIEFPRESS_WITHOUT_PATCHES), on three figures: a cold build of the sample, the preview's
save to its draft PDF, and a long document's PDF. Processor time (user and system, of the command
and every process it waited for) decides, as the machine is shared; the wall time is shown beside it.
A patch is kept when it saves at least 5 % of the processor time of one figure.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import ENV, PYTHON, ROOT, SAMPLE, long_document, preview_saves, processor_time  # noqa: E402

sys.path.insert(0, str(ROOT))
from briefpress.render.patches import SPEED, WITHOUT  # noqa: E402

SECTION = "## The speed patches (render/patches/)"
BAR = 0.05  # the least share of a figure's processor time a speed patch must save
LIBRARIES = {  # what each patches, at the version it was written for
    "pydyf.page_references_kept": "pydyf 0.13.0",
    "weasyprint.split_first_line_wrapped": "WeasyPrint 70.0 (RememberedLines)",
    "cffi.simple_types_built": "cffi 2.1.1",
    "fonttools.brotli_lent": "fontTools 4.68.0",
    "fonttools.fallbacks_deferred": "WeasyPrint 70.0, fontTools 4.68.0",
    "ctypes_util.sonames_only": "ctypes (Python 3.11), for WeasyPrint 70.0",
}


@dataclass(frozen=True)
class Samples:
    """The runs of one figure under one condition: wall and processor seconds of each."""

    walls: tuple[float, ...]
    cpus: tuple[float, ...]

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)

    def added(self, wall: float, cpu: float) -> Samples:
        return Samples((*self.walls, wall), (*self.cpus, cpu))


@dataclass(frozen=True)
class Figure:
    """One patch on one figure: with it (every patch) and without it."""

    patch: str
    figure: str
    with_it: Samples
    without: Samples

    @property
    def cpu_ratio(self) -> float:
        return self.with_it.cpu / self.without.cpu

    @property
    def wall_ratio(self) -> float:
        return self.with_it.wall / self.without.wall

    @property
    def gain(self) -> float:
        """The share of the figure's processor time the patch saves."""
        return 1 - self.cpu_ratio

    @property
    def noise(self) -> float:
        """The spread of the processor times, relative: the larger median absolute deviation of the
        two; unknown (infinite) with a single run."""
        if min(len(self.with_it.cpus), len(self.without.cpus)) < 2:
            return float("inf")
        return max(statistics.median(abs(c - s.cpu) for c in s.cpus) / s.cpu for s in (self.with_it, self.without))


def kept(figures: list[Figure]) -> bool:
    """A speed patch earns its place: at least BAR of one figure's processor time saved."""
    return any(f.gain >= BAR for f in figures)


def borderline(figures: list[Figure]) -> bool:
    """The verdict could go the other way within the noise: every figure that keeps the patch is
    within its noise of the bar, or one that does not keep it could, within its noise."""
    keeping = [f for f in figures if f.gain >= BAR]
    if keeping:
        return all(f.gain - f.noise < BAR for f in keeping)
    return any(f.gain + f.noise >= BAR for f in figures)


def environment(without: str | None) -> dict[str, str]:
    env = {name: value for name, value in ENV.items() if name != WITHOUT}
    return {**env, WITHOUT: without} if without else env


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and processor seconds of one command (and every process it waited for)."""
    before, start = processor_time(), time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(command)}\n{done.stderr[-2000:]}")
    return elapsed, processor_time() - before


def turn(conditions: list, i: int) -> list:
    """The conditions in the order of run i: each starts a run in turn (the first of a run meets
    what the previous command left in the caches, and the machine's load when the run starts)."""
    k = i % len(conditions)
    return conditions[k:] + conditions[:k]


def measure(
    tmp: Path,
    *,
    runs: int,
    rounds: int,
    saves: int,
    long: int,
    long_runs: int,
    long_for: tuple[str, ...],
    only: tuple[str, ...] = SPEED,
) -> dict[str, dict]:
    """Per figure, per condition (None: every patch; else the patch left out), the samples, in
    turns; the long document only for the patches in long_for."""
    conditions: list[str | None] = [None, *only]
    found: dict[str, dict] = {}
    build = [PYTHON, str(ROOT / "build.py"), "-q", "--no-cache"]
    timed([*build, str(SAMPLE), "--out", str(tmp / "cold-warm-up")], environment(None))  # the disk's caches
    cold = found["cold build"] = {c: Samples((), ()) for c in conditions}
    for i in range(runs):
        for c in turn(conditions, i):
            cold[c] = cold[c].added(*timed([*build, str(SAMPLE), "--out", str(tmp / f"cold-{c}-{i}")], environment(c)))
    draft = found["preview draft"] = {c: Samples((), ()) for c in conditions}
    for i in range(rounds):
        for c in turn(conditions, i):
            for save in preview_saves(tmp, saves, env=environment(c)):
                draft[c] = draft[c].added(save.pdf, save.pdf_cpu)
    source = long_document(tmp, long)
    longest = found[f"long document ({long}x)"] = {c: Samples((), ()) for c in [None, *long_for]}
    for i in range(long_runs):
        for c in turn([None, *long_for], i):
            out = tmp / f"long-{c}-{i}"
            longest[c] = longest[c].added(
                *timed([*build, "--format", "pdf", str(source), "--out", str(out)], environment(c))
            )
    return found


def figures(found: dict[str, dict]) -> dict[str, list[Figure]]:
    """Each patch's figures: every patch against that one left out, where it was measured."""
    return {
        patch: [Figure(patch, name, by[None], by[patch]) for name, by in found.items() if patch in by]
        for patch in SPEED
        if any(patch in by for by in found.values())
    }


def table(by_patch: dict[str, list[Figure]]) -> list[str]:
    lines = [
        "| patch | library, version | figure | with it: CPU / wall | without: CPU / wall | CPU ratio | wall ratio "
        "| noise | verdict |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for patch, found in by_patch.items():
        verdict = ("kept" if kept(found) else "deleted") + (" (borderline)" if borderline(found) else "")
        for n, f in enumerate(found):
            named = [f"`{patch}`", LIBRARIES[patch]] if n == 0 else ["", ""]
            lines.append(
                "| "
                + " | ".join(
                    [
                        *named,
                        f.figure,
                        f"{f.with_it.cpu:.2f} s / {f.with_it.wall:.2f} s",
                        f"{f.without.cpu:.2f} s / {f.without.wall:.2f} s",
                        f"{f.cpu_ratio:.3f}",
                        f"{f.wall_ratio:.3f}",
                        f"{f.noise * 100:.1f} %" if f.noise < float("inf") else "(one run)",
                        verdict if n == 0 else "",
                    ]
                )
                + " |"
            )
    return lines


def section(by_patch: dict[str, list[Figure]], found: dict[str, dict], args, load: tuple[float, float]) -> list[str]:
    counts = {name: len(by[None].cpus) for name, by in found.items()}
    measured = [
        patch for patch in by_patch if any(patch in by for name, by in found.items() if name.startswith("long"))
    ]
    long_for = "for every patch" if len(measured) == len(by_patch) else "for " + ", ".join(measured) + " only"
    deleted = [patch for patch, f in by_patch.items() if not kept(f)]
    return [
        SECTION,
        "",
        "Written by `bench/run.py --patches` (not part of the default run: it takes about half an hour). "
        "In one run, in turns, every command with all the patches and then with one speed patch left out "
        f"(`{WITHOUT}=name`; fix patches stay), for each of {len(by_patch)} speed patches: a cold build of the "
        f"sample (--no-cache, default editions; {counts['cold build']} runs each), the preview's save to the "
        f"draft PDF served (`serve`, {args.patch_rounds} servers of {args.saves} saves each, so "
        f"{counts['preview draft']} saves), and a PDF of the long document ({args.patch_long}x the body; "
        f"{args.patch_long_runs} run(s) each, {long_for}). Medians. Processor time is user and system "
        "time of the command and every process it waited for (the preview: of the server, from the save to the "
        "draft announced); the verdict is on it, as the two cores are shared (load average "
        f"{load[0]:.1f} at the start, {load[1]:.1f} at the end). Ratios are with / without: below 1 the patch "
        "saves time. Noise is the larger relative median absolute deviation of the two processor times; a "
        "verdict is borderline when it could go the other way within the noise. "
        f"A patch is kept when it saves at least {BAR:.0%} of one figure's processor time.",
        "",
        *table(by_patch),
        "",
        f"Kept: {len(by_patch) - len(deleted)} of {len(by_patch)}."
        + (f" Deleted: {', '.join(deleted)}." if deleted else ""),
        "",
    ]


def names(listed: str) -> tuple[str, ...]:
    """Patches named in an option (comma-separated), or all of them."""
    named = tuple(name.strip() for name in listed.split(",") if name.strip())
    unknown = set(named) - set(SPEED)
    if unknown:
        raise SystemExit(
            f"error: no speed patch is named {', '.join(sorted(unknown))} (name some of {', '.join(SPEED)})"
        )
    return named or SPEED


def run(tmp: Path, args) -> list[str]:
    start = os.getloadavg()[0]
    found = measure(
        tmp,
        runs=args.runs,
        rounds=args.patch_rounds,
        saves=args.saves,
        long=args.patch_long,
        long_runs=args.patch_long_runs,
        long_for=names(args.patch_long_for),
        only=names(args.patch_only),
    )
    return section(figures(found), found, args, (start, os.getloadavg()[0]))

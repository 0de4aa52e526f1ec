"""Where a build's time goes, measured: the spans of its stages, in every process, as JSON.

    python bench/phases.py cold OUT_DIR SOURCE          one cold three-edition build (--no-cache)
    python bench/phases.py warm OUT_DIR SOURCE SAVES    a preview's warm rebuilds (web page, PDF pages, PDF)

The stages are timed by wrapping briefpress's own functions as their modules load (an import hook),
so the build runs as it does from the command line: the same forks, the same order. Each span is
(process, stage, start, end) in seconds from this script's start; the forked workers write theirs
to the same file. Only the benchmark loads this.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.abc
import importlib.util
import io
import json
import os
import sys
import time
from pathlib import Path

T0 = time.monotonic()
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STAGES = {
    "briefpress.brand": ["load_brand"],
    "briefpress.make": ["prepare"],
    "briefpress.compose.document": ["compose_parts", "how_to_cite"],
    "briefpress.render.editions": ["make_edition", "warm_brand", "warm_pdf"],
    "briefpress.render.pdf": ["render_pdf"],
    "briefpress.render.pdftags": ["finish_tagged_pdf"],
    "briefpress.render.webedition": ["make_html"],
    "briefpress.render.cover": ["render_cover"],
    "briefpress.render.fonts.fit": ["webfont_files"],
    "briefpress.publish": ["publish"],
}
IMPORTS = {"briefpress.make", "briefpress.brand", "briefpress.render.pdf", "briefpress.render.pdftags"}


class Spans:
    def __init__(self, path: Path):
        self.path = path

    def add(self, stage: str, start: float, end: float) -> None:
        with self.path.open("a", encoding="utf-8") as file:  # one line per write: forks append safely
            file.write(json.dumps([os.getpid(), stage, start - T0, end - T0]) + "\n")

    def read(self) -> list:
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines()]


def timed(spans: Spans, function, stage: str):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.monotonic()
        try:
            return function(*args, **kwargs)
        finally:
            label = f"{stage}({args[0]})" if stage == "make_edition" else stage
            spans.add(label, start, time.monotonic())

    return wrapper


class StageFinder(importlib.abc.MetaPathFinder):
    """Wrap the stages of each module in STAGES as it is imported, and time the heavy imports."""

    def __init__(self, spans: Spans):
        self.spans = spans

    def find_spec(self, name, path, target=None):
        if name not in STAGES:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module):
            start = time.monotonic()
            load(module)
            if name in IMPORTS:
                self.spans.add(f"import {name}", start, time.monotonic())
            for stage in STAGES[name]:
                setattr(module, stage, timed(self.spans, getattr(module, stage), stage))

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def cold(spans: Spans, out: str, source: str) -> None:
    from briefpress.cli import main

    start = time.monotonic()
    with contextlib.redirect_stderr(io.StringIO()):
        main([source, "--no-cache", "-q", "--out", out])
    spans.add("build", start, time.monotonic())


def warm(spans: Spans, out: str, source: str, saves: int) -> None:
    from briefpress.pipeline import BrandOnce, Progress, build_brief, target_file
    from briefpress.publish import publish
    from briefpress.records import BuildConfig
    from briefpress.scratch import scratch_folder

    brief = Path(source)
    text = brief.read_text(encoding="utf-8")
    config = BuildConfig(sources=(brief,), out_dir=Path(out), formats=("html", "pdf"))
    brands = BrandOnce(config)

    def show_draft(*_) -> None:  # as serve does: each PDF's pages first
        pass

    def build_once() -> None:  # as serve does: each edition written as soon as it is made
        outputs = []

        def made(kind: str, data: bytes) -> None:
            outputs.append((target_file(config, brief, kind), data, kind))
            publish(outputs, config.out_dir)

        progress = Progress(made, draft=show_draft)
        build_brief(config, brief, brands=brands, fork=False, progress=progress).accept()

    with scratch_folder(), contextlib.redirect_stderr(io.StringIO()):
        build_once()  # the first build: nothing warm yet
        spans.path.write_text("", encoding="utf-8")
        for i in range(saves):  # the same edit as the preview benchmark's: a sentence of the body
            brief.write_text(
                text.replace("In late February 2026,", f"In late February 2026 (draft {i}),", 1), encoding="utf-8"
            )
            start = time.monotonic()
            build_once()
            spans.add("rebuild", start, time.monotonic())
    brief.write_text(text, encoding="utf-8")


def main() -> None:
    mode, out, source, *rest = sys.argv[1:]
    spans = Spans(Path(out) / "spans.jsonl")
    Path(out).mkdir(parents=True, exist_ok=True)
    spans.path.write_text("", encoding="utf-8")
    sys.meta_path.insert(0, StageFinder(spans))
    if mode == "cold":
        cold(spans, out, source)
    else:
        warm(spans, out, source, int(rest[0]))
    print(json.dumps(spans.read()))
    sys.stdout.flush()
    os._exit(0)  # as build.py leaves: no interpreter shutdown in the figures


if __name__ == "__main__":
    main()

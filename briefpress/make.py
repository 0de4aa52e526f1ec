"""Make one brief's editions: read, compose, check, then render each edition asked for.

The heavy half of the pipeline (pandoc, lxml, WeasyPrint, ebooklib), imported only when the
cache has no entry. With more than one job, editions are rendered in forked processes, which
share everything already read and composed.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import multiprocessing
import traceback

from .assets import load_assets
from .brand import load_brand
from .cache import Entry
from .compose import compose_document, resolve_build_time
from .errors import BriefError, raise_all
from .frontmatter import load_source
from .records import Brand, BuildConfig, Document
from .safety import sanitize_document

__all__ = ["load_brand", "make_brief", "prepare", "render"]

LOG = logging.getLogger("briefpress")
ORDER = ("pdf", "print", "epub", "pdfa", "html")
# Rough times, in tenths of a second on the sample brief, for sharing the work between processes.
COST = {"pdf": 7, "print": 6, "pdfa": 8, "epub": 3, "html": 1}
EDITION_NAMES = {"pdf": "PDF", "print": "print", "epub": "EPUB", "pdfa": "archive", "html": "web"}
COMPOSE = 5  # reading the brand and the brief, pandoc, notes: done by the parent before it renders


def make_brief(config: BuildConfig, path, brands) -> Entry:
    """Every edition of one brief, the warnings printed on the way, and the images it read.

    With more than one job, worker processes are forked first: they load WeasyPrint while this
    process reads and composes the brief, then each renders its share of the editions.
    """
    captured = Capture()
    LOG.addHandler(captured)
    try:
        kinds = [k for k in ORDER if k in config.formats]
        mine, *theirs = share(kinds, config.jobs)
        workers = [Worker(group, path) for group in theirs]
        try:
            document = prepare(config, brands.get(), path)
        except BaseException:
            for worker in workers:
                worker.cancel()
            raise
        for worker in workers:
            worker.send(config, document)
        made = render(config, document, mine)
        for worker in workers:
            made.update(worker.result())
    finally:
        LOG.removeHandler(captured)
    editions = tuple((kind, made[kind]) for kind in kinds)
    images = tuple((a.url, hashlib.sha256(a.content).hexdigest()) for a in document.assets if ":" not in a.url)
    return Entry(editions=editions, warnings=tuple(captured.messages), images=images, about=json.dumps(about(document)))


def about(doc: Document) -> dict:
    """What a catalogue says about a brief."""
    meta = doc.meta
    return {"title": meta.title, "subtitle": meta.subtitle, "authors": [a.name for a in meta.authors],
            "date": meta.date, "series_name": meta.series.name or doc.brand.series_name,
            "series_number": meta.series.number, "summary": doc.summary_text}


def prepare(config: BuildConfig, brand: Brand, path) -> Document:
    """Read, compose and check one brief; log its warnings; raise its errors all together."""
    source = load_source(path)
    build_time = resolve_build_time(source.meta.date, config.source_date_epoch, path)
    document, warnings = compose_document(source, brand, build_time)
    document, removed, refused = sanitize_document(document, source)
    document, unreadable = load_assets(document, source, allow_remote=config.allow_remote)
    warnings = [*warnings, *removed]
    for warning in warnings:
        LOG.warning("%s", warning.message)
    raise_all([*refused, *unreadable])
    if warnings and config.strict:
        raise BriefError(path, None, f"{len(warnings)} warning(s) and --strict is on",
                         "fix the warnings above, or build without --strict")
    return document


def render(config: BuildConfig, document: Document, kinds: list[str]) -> dict[str, bytes]:
    """The bytes of each edition named in kinds. Nothing is written here."""
    from .editions import make_archive_pdf, make_epub, make_pdf  # WeasyPrint: imported by whoever renders
    from .webedition import make_html
    
    paper = config.paper or document.meta.paper or document.brand.paper
    makers = {
        "pdf": lambda: make_pdf(document, paper=paper, press=config.press),
        "print": lambda: make_pdf(document, paper=paper, edition="print", press=config.press),
        "epub": lambda: make_epub(document),
        "pdfa": lambda: make_archive_pdf(document, paper=paper),
        "html": lambda: make_html(document),
    }
    return {kind: makers[kind]() for kind in kinds}


def share(kinds: list[str], jobs: int) -> list[list[str]]:
    """Split editions into at most `jobs` groups of about equal cost. The first group is this
    process's, which starts with the work of reading and composing the brief."""
    groups: list[list[str]] = [[] for _ in range(max(1, min(jobs, len(kinds))))]
    load = [COMPOSE] + [0] * (len(groups) - 1)
    for kind in sorted(kinds, key=lambda k: -COST[k]):
        i = load.index(min(load))
        groups[i].append(kind)
        load[i] += COST[kind]
    return [groups[0], *(g for g in groups[1:] if g)]


class Worker:
    """A forked process that loads WeasyPrint at once, waits for the composed brief, renders its
    editions and sends back their bytes, or the error, and what it logged."""

    def __init__(self, kinds: list[str], path):
        self.kinds, self.path = kinds, path
        context = multiprocessing.get_context("fork")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=self.run, args=(kinds, child), daemon=True)
        self.process.start()
        child.close()

    @staticmethod
    def run(kinds: list[str], connection) -> None:
        captured = Capture()
        LOG.handlers, LOG.propagate = [captured], False  # the parent prints what the child logged
        importlib.import_module("briefpress.editions")  # the slow import, while the parent composes
        job = connection.recv()
        if job is None:
            return
        config, document = job
        try:
            outcome = ("ok", render(config, document, kinds))
        except BriefError as err:
            outcome = ("error", err)
        except BaseException:  # a bug: the parent shows the traceback
            outcome = ("bug", traceback.format_exc())
        connection.send((*outcome, captured.messages))
        connection.close()

    def send(self, config: BuildConfig, document: Document) -> None:
        self.connection.send((config, document))

    def cancel(self) -> None:
        try:
            self.connection.send(None)
        except OSError:
            pass
        self.process.join()

    def result(self) -> dict[str, bytes]:
        try:
            status, value, messages = self.connection.recv()
        except EOFError:  # killed (out of memory, or by hand) before it could answer
            self.process.join()
            code = self.process.exitcode
            how = f"was killed (signal {-code})" if code and code < 0 else f"stopped (exit code {code})"
            names = " and ".join(EDITION_NAMES[k] for k in self.kinds)
            raise BriefError(self.path, None, f"the process rendering the {names} edition{'s' if len(self.kinds) > 1 else ''} {how}",
                             "build again; with --jobs 1 everything runs in one process") from None
        self.process.join()
        for message in messages:
            LOG.warning("%s", message)
        if status == "error":
            raise value
        if status == "bug":
            raise RuntimeError(f"an edition worker failed:\n{value}")
        return value


class Capture(logging.Handler):
    """Keeps the text of every warning logged while it is attached."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

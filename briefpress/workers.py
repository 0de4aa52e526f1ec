"""Render PDF editions in forked processes while this one reads and composes the brief.

A worker is forked before the heavy imports, loads WeasyPrint at once (about half a second),
then waits for the composed Document, renders its PDF editions and sends back their bytes, the
error it met, or the traceback of a bug, with the warnings it logged. Meanwhile the parent
composes the brief and makes the editions that need no WeasyPrint (EPUB, web page), so that with
two cores the slow import and the page layout run beside the parent's work instead of after it.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import traceback
from pathlib import Path

from .errors import BriefError
from .records import BuildConfig, Document

LOG = logging.getLogger("briefpress")
ORDER = ("pdf", "print", "epub", "pdfa", "html")
PDF_KINDS = ("pdf", "print", "pdfa")  # the editions that need WeasyPrint
COST = {"pdf": 5, "print": 4, "pdfa": 5}  # rough render times, in tenths of a second, for sharing
EDITION_NAMES = {"pdf": "PDF", "print": "print", "epub": "EPUB", "pdfa": "archive", "html": "web"}


def plan(kinds: list[str], jobs: int) -> tuple[list[str], list[list[str]]]:
    """(editions made here, editions of each worker). One job: everything here, no worker."""
    pdfs = [k for k in kinds if k in PDF_KINDS]
    workers = min(jobs - 1, len(pdfs))
    if workers < 1:
        return kinds, []
    groups: list[list[str]] = [[] for _ in range(workers)]
    load = [0] * workers
    for kind in sorted(pdfs, key=lambda k: -COST[k]):
        i = load.index(min(load))
        groups[i].append(kind)
        load[i] += COST[kind]
    return [k for k in kinds if k not in PDF_KINDS], groups


class Crew:
    """The workers of one brief's build."""

    def __init__(self, config: BuildConfig, path: Path):
        kinds = [k for k in ORDER if k in config.formats]
        self.here, groups = plan(kinds, config.jobs)
        self.workers = [Worker(group, path) for group in groups]

    def send(self, config: BuildConfig, document: Document) -> None:
        for worker in self.workers:
            worker.send(config, document)

    def results(self) -> dict[str, bytes]:
        made: dict[str, bytes] = {}
        for worker in self.workers:
            made.update(worker.result())
        return made

    def cancel(self) -> None:
        for worker in self.workers:
            worker.cancel()


class Worker:
    """One forked process and the pipe to it."""

    def __init__(self, kinds: list[str], path: Path):
        self.kinds, self.path, self.done = kinds, path, False
        context = multiprocessing.get_context("fork")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=self.run, args=(kinds, child), daemon=True)
        self.process.start()
        child.close()

    @staticmethod
    def run(kinds: list[str], connection) -> None:
        captured = Capture()
        LOG.handlers, LOG.propagate = [captured], False  # the parent prints what the child logged
        importlib.import_module("briefpress.pdf")  # WeasyPrint: the slow import, while the parent composes
        try:
            job = connection.recv()
        except EOFError:
            return
        if job is None:
            return
        config, document = job
        from .editions import make_edition
        try:
            outcome = ("ok", {kind: make_edition(kind, document, config) for kind in kinds})
        except BriefError as err:
            outcome = ("error", err)
        except BaseException:  # a bug: the parent shows the traceback
            outcome = ("bug", traceback.format_exc())
        connection.send((*outcome, captured.messages))
        connection.close()

    def send(self, config: BuildConfig, document: Document) -> None:
        self.connection.send((config, document))

    def cancel(self) -> None:
        if not self.done:
            try:
                self.connection.send(None)
            except OSError:
                pass
            self.process.join()
            self.done = True

    def result(self) -> dict[str, bytes]:
        try:
            status, value, messages = self.connection.recv()
        except EOFError:  # killed (out of memory, or by hand) before it could answer
            self.process.join()
            self.done = True
            code = self.process.exitcode
            how = f"was killed (signal {-code})" if code and code < 0 else f"stopped (exit code {code})"
            names = " and ".join(EDITION_NAMES[k] for k in self.kinds)
            plural = "s" if len(self.kinds) > 1 else ""
            raise BriefError(self.path, None, f"the process rendering the {names} edition{plural} {how}",
                             "build again; with --jobs 1 everything runs in one process") from None
        self.process.join()
        self.done = True
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

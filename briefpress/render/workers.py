"""Render the PDF editions in forked processes while this one reads and composes the brief.

With more than one job, a lead worker is forked before the heavy imports. It loads WeasyPrint
(about half a second) while the parent imports pandoc's wrapper and composes the brief, then
receives the composed Document, forks helpers of its own for some of the PDF editions (they
inherit WeasyPrint and the Document, so nothing is loaded twice) and renders the rest itself.
Meanwhile the parent makes the editions that need no WeasyPrint (EPUB, web page). Every process
sends back bytes, the error it met or the traceback of a bug, and the warnings it logged.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import traceback
from pathlib import Path

from briefpress.errors import BriefError, Capture, replay
from briefpress.records import EDITION_FILES, BuildConfig, Document

LOG = logging.getLogger("briefpress")
PDF_KINDS = ("pdf", "print", "pdfa")  # the editions that need WeasyPrint
COST = {"pdf": 5, "print": 4, "pdfa": 5}  # rough render times, in tenths of a second, for sharing
EDITION_NAMES = {"pdf": "PDF", "print": "print", "epub": "EPUB", "pdfa": "archive", "html": "web"}


class Crew:
    """Who makes which edition of one brief: this process, and a lead worker for the PDFs."""

    def __init__(self, config: BuildConfig, path: Path):
        kinds = [k for k in EDITION_FILES if k in config.formats]
        pdfs = [k for k in kinds if k in PDF_KINDS]
        if config.jobs > 1 and pdfs:
            self.here = [k for k in kinds if k not in PDF_KINDS]
            self.lead: Forked | None = Forked(lead_worker(pdfs, config.jobs), pdfs, path)
        else:
            self.here, self.lead = kinds, None

    def send(self, config: BuildConfig, document: Document) -> None:
        if self.lead:
            self.lead.send((config, document))

    def results(self) -> dict[str, bytes]:
        return self.lead.result() if self.lead else {}

    def cancel(self) -> None:
        if self.lead:
            self.lead.cancel()


def lead_worker(kinds: list[str], jobs: int):
    """What the lead worker does, given the pipe from the parent."""
    def lead(connection) -> dict[str, bytes]:
        importlib.import_module("briefpress.render.pdf")  # the slow import, while the parent composes
        job = connection.recv()
        if job is None:
            raise Cancelled
        config, document = job
        from briefpress.render.editions import make_edition
        mine, *others = share(kinds, jobs)
        helpers = [Forked(lambda _, group=group: {k: make_edition(k, document, config) for k in group},
                          group, document.source_path) for group in others]
        made = {kind: make_edition(kind, document, config) for kind in mine}
        for helper in helpers:
            made.update(helper.result())
        return made
    return lead


def share(kinds: list[str], jobs: int) -> list[list[str]]:
    """Split editions into at most `jobs` groups of about equal cost, none empty."""
    groups: list[list[str]] = [[] for _ in range(max(1, min(jobs, len(kinds))))]
    load = [0] * len(groups)
    for kind in sorted(kinds, key=lambda k: -COST[k]):
        i = load.index(min(load))
        groups[i].append(kind)
        load[i] += COST[kind]
    return groups


class Cancelled(Exception):
    """The parent needs nothing more (the brief failed before it was composed)."""


class Forked:
    """Run work(connection) in a forked process; result() gives its value or raises its error."""

    def __init__(self, work, kinds: list[str], path: Path):
        self.kinds, self.path, self.done = kinds, path, False
        context = multiprocessing.get_context("fork")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=self.main, args=(work, child))
        self.process.start()
        child.close()

    @staticmethod
    def main(work, connection) -> None:
        captured = Capture()
        LOG.handlers, LOG.propagate = [captured], False  # the parent prints what the child logged
        try:
            outcome = ("ok", work(connection))
        except (Cancelled, EOFError):
            return
        except BriefError as err:
            outcome = ("error", err)
        except BaseException:  # a bug: the parent shows the traceback
            outcome = ("bug", traceback.format_exc())
        try:
            connection.send((*outcome, captured.records))
        except OSError:
            pass  # the parent has gone; nobody is waiting for these bytes

    def send(self, message) -> None:
        self.connection.send(message)

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
        replay(messages)
        if status == "error":
            raise value
        if status == "bug":
            raise RuntimeError(f"an edition worker failed:\n{value}")
        return value


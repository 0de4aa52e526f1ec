"""Render the PDF editions in forked processes while this one reads and composes the brief.

With more than one job, a lead worker is forked before the heavy imports. It loads WeasyPrint
(about half a second) while the parent imports pandoc's wrapper and composes the brief, then
receives the composed Document, forks helpers of its own for some of the PDF editions (they
inherit WeasyPrint and the Document, so nothing is loaded twice) and renders the rest itself.
Meanwhile the parent makes the editions that need no WeasyPrint (EPUB, web page). Every process
sends back bytes, the error it met or the traceback of a bug, and the warnings it logged.

Every answer is read, even after a failure, and errors travel short: a process blocked writing
into a pipe nobody reads hangs the build. A worker whose parent dies exits too.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from briefpress.errors import BriefError, Capture, replay, shorten_data_urls
from briefpress.records import EDITION, PDF_KINDS, Brand, BuildConfig, Document, edition_kinds
from briefpress.scratch import remove_scratch_folder

LOG = logging.getLogger("briefpress")


class Crew:
    """Who makes which edition of one brief: this process, and a lead worker for the PDFs."""

    def __init__(self, config: BuildConfig, path: Path):
        kinds = list(edition_kinds(config.formats))
        pdfs = [k for k in kinds if k in PDF_KINDS]
        if config.jobs > 1 and pdfs:
            self.here = [k for k in kinds if k not in PDF_KINDS]
            self.lead: Forked | None = Forked(lead_worker(pdfs, config.jobs), pdfs, path)
        else:
            self.here, self.lead = kinds, None

    def send_brand(self, config: BuildConfig, brand: Brand, path: Path) -> None:
        """The brand, as soon as it is read: the lead worker sets up its stylesheets meanwhile."""
        if self.lead:
            self.lead.send(("brand", config, brand, path))

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
        # The slow imports, while the parent composes; helpers forked later inherit them all.
        importlib.import_module("briefpress.render.pdf")
        importlib.import_module("briefpress.render.pdftags")
        from briefpress.render.editions import make_edition, warm_brand, warm_pdf

        job = connection.recv()
        if job is not None and job[0] == "brand":  # the brand comes first, while the brief is composed
            _, config, brand, path = job
            warm_brand(brand, config, path)
            job = connection.recv()
        if job is None:
            raise Cancelled
        config, document = job

        def edition_in_a_process_of_its_own(kind: str) -> dict[str, bytes]:
            return Forked(
                lambda _: {kind: make_edition(kind, document, config)},
                [kind],
                document.source_path,
                inherited=(connection,),
            ).result()

        if pdf_jobs(document, jobs) == 1 and len(kinds) > 1:
            # One after the other, each in a process that ends with it: its memory goes with it.
            warm_pdf(document, config)
            return gather([lambda kind=kind: edition_in_a_process_of_its_own(kind) for kind in kinds])
        mine, *others = share(kinds, jobs)
        if others:  # what every PDF shares, done once: the helpers inherit it
            warm_pdf(document, config)
        helpers = [
            Forked(
                lambda _, group=group: {k: make_edition(k, document, config) for k in group},
                group,
                document.source_path,
                inherited=(connection,),
            )
            for group in others
        ]
        return gather(
            [
                lambda: {kind: make_edition(kind, document, config) for kind in mine},
                *(helper.result for helper in helpers),
            ]
        )

    return lead


def pdf_jobs(document, jobs: int) -> int:
    """How many PDF editions of this brief are laid out at once: one at a time when two layouts
    would hold more than 1.5 GB (compose/limits.py). WeasyPrint holds a whole layout: a 160-page
    contract of tables took 2 GB with two at once. Each is then laid out in a process of its own,
    which ends with it: one process laying out both kept the first layout's memory (freed, but not
    given back) under the second. It costs such a brief the time of one edition."""
    # Imported here: compose/limits.py loads lxml, which a build that keeps its editions never needs.
    from briefpress.compose.limits import TWO_LAYOUTS_UNITS, layout_units

    parts = [document.abstract_html, document.body_html, *document.bios_html, *(note.html for note in document.notes)]
    return 1 if layout_units(parts) > TWO_LAYOUTS_UNITS else jobs


def gather(calls) -> dict[str, bytes]:
    """Merge what each call returns; raise the first error only once every call has returned,
    so that every helper's answer has been read and the helper has ended."""
    made: dict[str, bytes] = {}
    errors: list[BaseException] = []
    for call in calls:
        try:
            made.update(call())
        except Exception as err:  # re-raised below, after the other helpers
            errors.append(err)
    if errors:
        raise errors[0]
    return made


def share(kinds: list[str], jobs: int) -> list[list[str]]:
    """Split editions into at most `jobs` groups of about equal cost, none empty."""
    groups: list[list[str]] = [[] for _ in range(max(1, min(jobs, len(kinds))))]
    load = [0] * len(groups)
    for kind in sorted(kinds, key=lambda k: -EDITION[k].cost):
        i = load.index(min(load))
        groups[i].append(kind)
        load[i] += EDITION[kind].cost
    return groups


class Cancelled(Exception):
    """The parent needs nothing more (the brief failed before it was composed)."""


class Forked:
    """Run work(connection) in a forked process; result() gives its value or raises its error.

    inherited: pipe ends of this process's own parent, which the child must not keep open.
    """

    def __init__(self, work, kinds: list[str], path: Path, inherited=(), what: str = ""):
        import multiprocessing  # here, not above: a cache hit forks nothing and should not load it

        self.kinds, self.path, self.done, self.what = kinds, path, False, what
        context = multiprocessing.get_context("fork")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=self.main, args=(work, child, (self.connection, *inherited), os.getpid()))
        self.process.start()
        child.close()

    @staticmethod
    def main(work, connection, inherited, parent: int) -> None:
        for end in inherited:  # else a reader never sees EOF when the writer dies
            end.close()
        exit_with_parent(parent)
        captured = Capture()
        LOG.handlers, LOG.propagate = [captured], False  # the parent prints what the child logged
        try:
            outcome = ("ok", work(connection))
        except Cancelled:
            return
        except EOFError:  # the parent closed its end of the pipe: it gave this worker up, or it died
            remove_if_orphaned(parent)
            return
        except BriefError as err:
            outcome = ("error", err)
        except BaseException:  # a bug: the parent shows the traceback
            outcome = ("bug", shorten_data_urls(traceback.format_exc())[-20_000:])
        try:
            connection.send((*outcome, captured.records))
        except OSError:  # the parent has gone; nobody is waiting for these bytes
            remove_if_orphaned(parent)

    def send(self, message) -> None:
        """Send work on; to a worker that has already stopped (it met an error getting ready, which
        result() reads and raises), nothing."""
        try:
            self.connection.send(message)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def cancel(self) -> None:
        """Tell a worker that is still waiting to stop; read and drop what a busy one sends."""
        if not self.done:
            try:
                self.connection.send(None)
                self.connection.recv()
            except (OSError, EOFError):
                pass  # it had already gone, or it stopped without answering
            self.process.join()
            self.done = True

    def result(self) -> Any:
        """What work returned (the editions' bytes, for a renderer)."""
        try:
            status, value, messages = self.connection.recv()
        except EOFError:  # killed (out of memory, or by hand) before it could answer
            self.process.join()
            self.done = True
            code = self.process.exitcode
            how = f"was killed (signal {-code})" if code and code < 0 else f"stopped (exit code {code})"
            names = " and ".join(EDITION[k].word for k in self.kinds)
            plural = "s" if len(self.kinds) > 1 else ""
            doing = self.what or f"rendering the {names} edition{plural}"
            raise BriefError(
                self.path,
                None,
                f"the process {doing} {how}",
                "build again; with --jobs 1 everything runs in one process",
            ) from None
        self.process.join()
        self.done = True
        replay(messages)
        if status == "error":
            raise value
        if status == "bug":
            raise RuntimeError(f"an edition worker failed:\n{value}")
        return value


def exit_with_parent(parent: int) -> None:
    """End this worker when its parent dies, even by SIGKILL, and remove the build's
    temporary folder then, since the parent cannot."""

    def leave(signum, frame):
        remove_if_orphaned(parent)
        os._exit(1)

    signal.signal(signal.SIGTERM, leave)
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1  # prctl(2): the kernel sends this signal when the parent thread ends
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    else:

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # it died before the signal was asked for
        leave(None, None)


def remove_if_orphaned(parent: int, wait: float = 1.0) -> None:
    """Remove the build's temporary folder if the parent has died, for a worker about to end.

    The parent may not look dead yet. A killed process's pipes close before the kernel reparents
    its children, so a worker reading from the parent sees the end of the pipe first. And when
    the parent has another thread (compose runs pandoc in one), the death signal comes as the
    forking thread ends, while getppid() still names the parent. So wait a moment for the parent
    to be gone; one still alive then just gave this worker up, and removes its own folder."""
    deadline = time.monotonic() + wait
    while os.getppid() == parent and time.monotonic() < deadline:
        time.sleep(0.005)  # a SIGTERM that comes meanwhile runs leave(), which waits the same way
    if os.getppid() != parent:
        remove_scratch_folder()

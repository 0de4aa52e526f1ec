"""Live preview: rebuild when the source, brand, styles or templates change (watchfiles), and
serve a page on 127.0.0.1 that shows the web edition beside the PDF and reloads by itself."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from watchfiles import watch as watch_changes

from briefpress.errors import BriefError, Capture, Superseded, display_path
from briefpress.pipeline import BrandOnce, Progress, build_brief, check_targets, target_file
from briefpress.publish import Output, publish
from briefpress.records import EDITION, EDITION_FILES, BuildConfig
from briefpress.render.templates import TEMPLATES, render_preview_page
from briefpress.scratch import scratch_folder

LOG = logging.getLogger("briefpress")
KINDS = list(EDITION_FILES)  # the order in which the terminal names a build's editions
IDLE = "waiting for changes"  # printed once every edit saved so far is built


@dataclass(frozen=True)
class BuildState:
    """The outcome of the latest build; replaced whole, never changed, so threads can share it."""

    generation: int = 0  # the number of the latest build that finished
    building: bool = True
    ok: bool = False
    message: str = "building..."
    warnings: tuple[str, ...] = ()
    files: tuple[tuple[str, int], ...] = ()  # (file name, number of the build that wrote it)
    stale: tuple[str, ...] = ()  # files the running build has not remade yet
    drafts: tuple[str, ...] = ()  # files served as drafts (their pages) until the finished file is written


class Rebuilder:
    """Builds in this process, which keeps WeasyPrint, pandoc's wrapper and the brand loaded, and
    publishes each edition as soon as it is made; keeps the latest state for the server.

    With drafts (serve), a PDF edition is shown first as a draft: its pages as soon as they are laid
    out, written without tags or identifiers, kept in memory and served in place of the file until
    the edition itself is written. The output folder only ever gets finished editions."""

    def __init__(self, config: BuildConfig, *, drafts: bool = False):
        self.config = config
        self.state = BuildState()
        self.changed = threading.Condition()  # notified on every new state (the page's events)
        self.brands = BrandOnce(config)
        self.with_drafts = drafts
        self.drafts: dict[str, bytes] = {}  # file name -> draft; replaced whole, never changed

    def update(self, **changes) -> None:
        with self.changed:
            self.state = replace(self.state, **changes)
            self.changed.notify_all()

    def next_state(self, after: BuildState | None, *, timeout: float) -> BuildState:
        """The state once it is another than `after`, or still `after` when timeout passes first."""
        with self.changed:
            self.changed.wait_for(lambda: self.state is not after, timeout=timeout)
            return self.state

    def served(self, name: str) -> bytes | None:
        """The bytes the preview shows for one of the build's files: its draft, else the file."""
        draft = self.drafts.get(name)
        if draft is not None:
            return draft
        target = self.config.out_dir / name
        return target.read_bytes() if target.is_file() else None

    def rebuild(self, changed: Iterable[Path] = (), *, stale: Callable[[], bool] | None = None) -> BuildState:
        """Build once; a build whose PDF becomes stale (stale() true: another change came) stops
        there, and the drafts it showed stay until the next build replaces them."""
        changed = list(changed)
        manuscripts = {source.resolve() for source in self.config.sources}
        if any(p.resolve() not in manuscripts for p in changed):
            self.brands = BrandOnce(self.config)  # the brand file, a style or a template: read the brand again
        number = self.state.generation + 1
        reason = f" (changed: {', '.join(display_path(p) for p in changed)})" if changed else ""
        self.update(building=True, stale=tuple(name for name, _ in self.state.files))
        captured = Capture()
        LOG.addHandler(captured)
        started = time.monotonic()
        files, timings, artifacts = dict(self.state.files), [], []

        def show(name: str, label: str) -> None:
            files[name] = number
            timings.append(f"{label} {time.monotonic() - started:.2f} s")
            self.update(
                files=tuple(files.items()),
                stale=tuple(n for n, v in files.items() if v != number),
                drafts=tuple(self.drafts),
            )

        def show_draft(kind: str, data: bytes) -> None:
            name = target_file(self.config, source, kind).name
            self.drafts = {**self.drafts, name: data}
            show(name, f"{EDITION[kind].word} pages")

        def made(kind: str, data: bytes) -> None:
            nonlocal artifacts
            outputs.append((target_file(self.config, source, kind), data, kind))
            artifacts = publish(outputs, self.config.out_dir)  # each edition as soon as it is made
            name = outputs[-1][0].name
            self.drafts = {n: d for n, d in self.drafts.items() if n != name}
            show(name, EDITION[kind].word)

        source, outputs = self.config.sources[0], list[Output]()
        progress = Progress(made, draft=show_draft if self.with_drafts else None, stale=stale)
        try:
            check_targets(self.config)
            build_brief(self.config, source, brands=self.brands, fork=False, progress=progress).accept()
        except Superseded:
            done = f" ({', '.join(timings)})" if timings else ""
            ok, message = True, f"stopped at {datetime.now():%H:%M:%S}{done}{reason}: changed again, building that"
            print(message, flush=True)
        except BriefError as err:
            for line in err.message.splitlines():
                print(f"error: {line}", file=sys.stderr, flush=True)
            ok, message = False, err.message
        except Exception as err:  # a bug: keep the traceback in the terminal, keep serving
            traceback.print_exc()
            ok, message = False, f"internal error: {err!r} (a bug in briefpress; see the terminal)"
        else:
            ok = True
            editions = sorted((a for a in artifacts if a.kind != "checksums"), key=lambda a: KINDS.index(a.kind))
            message = (
                f"built {', '.join(display_path(a.path) for a in editions)} in {time.monotonic() - started:.1f} s "
                f"({', '.join(timings)}) at {datetime.now():%H:%M:%S}{reason}"
            )
            print(message, flush=True)
        finally:
            LOG.removeHandler(captured)
        self.update(
            generation=number,
            building=False,
            ok=ok,
            message=message,
            warnings=tuple(captured.messages),
            files=tuple(files.items()),
            stale=(),
        )
        return self.state


def watched_folders(config: BuildConfig) -> list[Path]:
    """The source's folder, the brand's folder (brand, styles, logo, fonts) and the templates."""
    folders = {config.sources[0].resolve().parent, config.brand_path.resolve().parent, TEMPLATES}
    return sorted(folders)


def relevant(config: BuildConfig, changed: Iterable[tuple[object, str]]) -> list[Path]:
    """Changed files that matter: not in the output folder, not editors' or our temporary files."""
    out, source = config.out_dir.resolve(), config.sources[0].resolve()
    paths = {Path(p) for _, p in changed}
    return sorted(
        p
        for p in paths
        if out not in p.parents
        and not p.name.startswith((".", "#"))
        and (p.exists() or p == source)  # skip files that came and went (an editor's save)
        and not p.name.endswith(("~", ".tmp", ".swp"))
        and "__pycache__" not in p.parts
    )


class Changes:
    """What the watcher saw and no build has taken yet: every change that arrives during a build
    waits here, and the next build takes them all at once, so no edit is lost and a burst of
    saves is one more build (which reads the files as they are by then: the last save wins)."""

    def __init__(self):
        self.lock = threading.Condition()
        self.paths: set[Path] = set()
        self.running = False
        self.reports = 0  # the watcher's reports so far: a set of changes, or none within its timeout
        self.failure: BaseException | None = None

    def add(self, paths: Iterable[Path]) -> None:
        with self.lock:
            self.paths.update(paths)
            self.running = True
            self.reports += 1
            self.lock.notify_all()

    def fail(self, err: BaseException) -> None:
        with self.lock:
            self.failure = err
            self.lock.notify_all()

    def wait_running(self) -> None:
        with self.lock:
            self.lock.wait_for(lambda: self.running or self.failure)
        self.raise_failure()

    def waiting(self) -> bool:
        """True when a change waits for the next build: the running one is already out of date."""
        return bool(self.paths) or self.failure is not None

    def settled(self, timeout: float) -> bool:
        """True when the watcher has reported twice since this call and no change waits: every file
        saved before the call has been seen (the first report may have been gathered before the
        call; the second began after it), so the last build has every edit. False when a change
        waits, or the watcher has not reported twice within timeout."""
        with self.lock:
            seen = self.reports
            self.lock.wait_for(lambda: self.reports >= seen + 2 or self.paths or self.failure, timeout=timeout)
            settled = self.reports >= seen + 2 and not self.paths
        self.raise_failure()
        return settled

    def take(self, timeout: float) -> list[Path]:
        """All the changes so far (waiting up to timeout for one), and forget them."""
        with self.lock:
            self.lock.wait_for(lambda: self.paths or self.failure, timeout=timeout)
            taken, self.paths = sorted(self.paths), set()
        self.raise_failure()
        return taken

    def raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure


def watch_folders(config: BuildConfig, changes: Changes, stop: threading.Event) -> None:
    """In a thread of its own: hand every relevant change to changes until stop is set."""
    try:
        # With yield_on_timeout the watcher hands back an empty set every rust_timeout ms; its first
        # yield proves it is running, so no edit made after that can be missed.
        for changed in watch_changes(
            *watched_folders(config), stop_event=stop, debounce=50, step=10, rust_timeout=100, yield_on_timeout=True
        ):
            changes.add(relevant(config, changed))
    except BaseException as err:  # the build loop re-raises it
        changes.fail(err)


def rebuild_on_change(rebuilder: Rebuilder, stop: threading.Event, ready) -> None:
    """Start watching, call ready(), build once, then build again after changes until stop is set.

    The watcher runs before the first build, so an edit made while it runs is seen; changes that
    arrive during any build are gathered into one more build after it. Once every edit saved so far
    is built, and the watcher has seen no other, it says so once (IDLE): a script or a test waits
    for that line rather than for a guessed time."""
    changes = Changes()
    watcher = threading.Thread(target=watch_folders, args=(rebuilder.config, changes, stop), daemon=True)
    watcher.start()
    try:
        changes.wait_running()
        ready()
        with scratch_folder():  # kept for the session: WeasyPrint's warm font set-up has its files there
            rebuilder.rebuild(stale=changes.waiting)
            idle = False
            while not stop.is_set():
                if not idle and changes.settled(timeout=0.5):
                    print(IDLE, flush=True)
                    idle = True
                paths = changes.take(timeout=0.5)
                if paths:
                    rebuilder.rebuild(paths, stale=changes.waiting)
                    idle = False
    finally:
        stop.set()
        watcher.join(timeout=5)


def watch(config: BuildConfig) -> int:
    """`watch`: build, then rebuild on every change until Ctrl-C."""
    rebuilder = Rebuilder(config)
    folders = ", ".join(display_path(p) for p in watched_folders(config))
    try:
        rebuild_on_change(
            rebuilder, threading.Event(), ready=lambda: print(f"watching {folders} (Ctrl-C to stop)", flush=True)
        )
    except KeyboardInterrupt:
        pass
    return 0


def serve(config: BuildConfig, *, port: int) -> int:
    """`serve`: serve the preview on 127.0.0.1, build, and rebuild on every change until Ctrl-C."""
    rebuilder = Rebuilder(config, drafts=True)
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(rebuilder))
    except OSError as err:
        raise BriefError(
            None, None, f"cannot serve on 127.0.0.1:{port}: {err.strerror}", "choose another port with --port"
        ) from None
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    address = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        rebuild_on_change(
            rebuilder,
            threading.Event(),
            ready=lambda: print(f"serving the preview at {address} (Ctrl-C to stop)", flush=True),
        )
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
    return 0


def make_handler(rebuilder: Rebuilder):
    stem = rebuilder.config.sources[0].stem

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            route = self.path.split("?", 1)[0]
            state = rebuilder.state
            if route == "/":
                page = render_preview_page(source=display_path(rebuilder.config.sources[0]), stem=stem)
                self.reply(200, "text/html; charset=utf-8", page.encode("utf-8"))
            elif route == "/status":
                self.reply(200, "application/json", json.dumps(state.__dict__).encode("utf-8"))
            elif route == "/events":
                self.send_events()
            elif route.startswith("/files/") and route[7:] in dict(state.files):
                body = rebuilder.served(route[7:])
                if body is None:
                    self.reply(404, "text/plain; charset=utf-8", b"not found\n")
                    return
                kind = "application/pdf" if route.endswith(".pdf") else "text/html; charset=utf-8"
                self.reply(200, kind, body)
            else:
                self.reply(404, "text/plain; charset=utf-8", b"not found\n")

        def send_events(self) -> None:
            """Server-sent events: each new state the moment it exists, so the page needs no poll."""
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            sent = None
            try:
                while True:
                    state = rebuilder.next_state(sent, timeout=15)
                    if state is sent:  # a comment now and then: a closed page ends this thread
                        self.wfile.write(b": still here\n\n")
                    else:
                        self.wfile.write(b"data: " + json.dumps(state.__dict__).encode("utf-8") + b"\n\n")
                    self.wfile.flush()
                    sent = state
            except (BrokenPipeError, ConnectionResetError):
                return  # the page went away

        def reply(self, status: int, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass  # the terminal shows builds, not every request

    return Handler

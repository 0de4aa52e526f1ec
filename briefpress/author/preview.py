"""Live preview: rebuild when the source, brand, styles or templates change (watchfiles), and
serve a page on 127.0.0.1 that shows the web edition beside the PDF and reloads by itself."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from watchfiles import watch as watch_changes

from briefpress.errors import BriefError, Capture, display_path
from briefpress.pipeline import build
from briefpress.records import BuildConfig
from briefpress.render.templates import TEMPLATES, render_preview_page

LOG = logging.getLogger("briefpress")


@dataclass(frozen=True)
class BuildState:
    """The outcome of the latest build; replaced whole, never changed, so threads can share it."""

    generation: int = 0
    ok: bool = False
    message: str = "building..."
    warnings: tuple[str, ...] = ()
    files: tuple[str, ...] = ()


class Rebuilder:
    """Runs the build and keeps its latest state for the server."""

    def __init__(self, config: BuildConfig):
        self.config = config
        self.state = BuildState()

    def rebuild(self, reason: str = "") -> BuildState:
        captured = Capture()
        LOG.addHandler(captured)
        started = time.monotonic()
        try:
            artifacts = build(self.config)
        except BriefError as err:
            for line in err.message.splitlines():
                print(f"error: {line}", file=sys.stderr, flush=True)
            ok, message, files = False, err.message, self.state.files
        except Exception as err:  # a bug: keep the traceback in the terminal, keep serving
            traceback.print_exc()
            ok, message, files = (
                False,
                f"internal error: {err!r} (a bug in briefpress; see the terminal)",
                self.state.files,
            )
        else:
            files = tuple(a.path.name for a in artifacts)
            ok = True
            editions = [a for a in artifacts if a.kind != "checksums"]
            message = (
                f"built {', '.join(display_path(a.path) for a in editions)} "
                f"in {time.monotonic() - started:.1f} s at {datetime.now():%H:%M:%S}{reason}"
            )
            print(message, flush=True)
        finally:
            LOG.removeHandler(captured)
        self.state = BuildState(self.state.generation + 1, ok, message, tuple(captured.messages), files)
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


def rebuild_on_change(rebuilder: Rebuilder, stop: threading.Event, ready) -> None:
    """Call ready() once the watcher runs, then rebuild after each batch of relevant changes until stop is set."""
    config = rebuilder.config
    announced = False
    # With yield_on_timeout the watcher hands back an empty set every rust_timeout ms; its first
    # yield proves it is running, so no edit made after ready() can be missed.
    for changed in watch_changes(
        *watched_folders(config), stop_event=stop, debounce=200, step=50, rust_timeout=100, yield_on_timeout=True
    ):
        if not announced:
            ready()
            announced = True
        paths = relevant(config, changed)
        if paths:
            rebuilder.rebuild(f" (changed: {', '.join(display_path(p) for p in paths)})")


def watch(config: BuildConfig) -> int:
    """`watch`: build, then rebuild on every change until Ctrl-C."""
    rebuilder = Rebuilder(config)
    rebuilder.rebuild()
    folders = ", ".join(display_path(p) for p in watched_folders(config))
    try:
        rebuild_on_change(
            rebuilder, threading.Event(), ready=lambda: print(f"watching {folders} (Ctrl-C to stop)", flush=True)
        )
    except KeyboardInterrupt:
        pass
    return 0


def serve(config: BuildConfig, *, port: int) -> int:
    """`serve`: build, serve the preview on 127.0.0.1, rebuild on every change until Ctrl-C."""
    config = replace(config, formats=("html", "pdf"))
    rebuilder = Rebuilder(config)
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(rebuilder))
    except OSError as err:
        raise BriefError(
            None, None, f"cannot serve on 127.0.0.1:{port}: {err.strerror}", "choose another port with --port"
        ) from None
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rebuilder.rebuild()
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
            elif route.startswith("/files/") and route[7:] in state.files:
                target = rebuilder.config.out_dir / route[7:]
                kind = "application/pdf" if target.suffix == ".pdf" else "text/html; charset=utf-8"
                self.reply(200, kind, target.read_bytes())
            else:
                self.reply(404, "text/plain; charset=utf-8", b"not found\n")

        def reply(self, status: int, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass  # the terminal shows builds, not every poll

    return Handler

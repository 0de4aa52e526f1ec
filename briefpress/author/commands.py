"""Subcommands beside the build: new, import, serve, watch. Parsing and dispatch only."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, datetime, timezone
from pathlib import Path

from briefpress.brand import load_brand
from briefpress.cli import CACHE, reported
from briefpress.errors import display_path
from briefpress.check.linkcheck import check_links
from briefpress.records import BuildConfig
from briefpress.author.scaffold import new_brief



def run_command(argv: list[str], root: Path) -> int:
    """Run `new`, `import`, `serve` or `watch`; return the exit code."""
    args = parse_command(argv)
    return reported(lambda: args.run(args, root))


def parse_command(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="briefpress")
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser("new", help="start a new brief in source/")
    new.add_argument("title", help="the brief's title")
    new.add_argument("--author", required=True, help="the author's name")
    new.add_argument("--date", type=date.fromisoformat, help="the brief's date, YYYY-MM-DD (default: today)")
    new.add_argument("--brand", type=Path, help="brand file, for the series name (default: styles/brand.yml)")
    new.set_defaults(run=run_new)
    imp = commands.add_parser("import", help="bring in a .docx, .odt, .html or .md manuscript as source/<slug>.md")
    imp.add_argument("file", type=Path, help="the manuscript")
    imp.add_argument("--out", type=Path, help="the brief to write (default: source/<slug>.md, from the title)")
    imp.add_argument("--changes", choices=("accept", "reject"), help="accept or reject the manuscript's tracked changes")
    imp.set_defaults(run=run_import)
    for name, help_text in (("serve", "build, serve a live preview and rebuild on every change"),
                            ("watch", "build and rebuild on every change, without a server")):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("source", nargs="?", type=Path, help="Markdown brief (default: source/brief.md)")
        sub.add_argument("--out", type=Path, help="output folder (default: dist/)")
        sub.add_argument("--brand", type=Path, help="brand file (default: styles/brand.yml)")
        sub.add_argument("--paper", choices=("a4", "letter"), help="paper size of the PDF")
        if name == "serve":
            sub.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default: 8765; 0 picks a free one)")
        sub.set_defaults(run=run_preview)
    return parser.parse_args(argv)


def run_new(args: argparse.Namespace, root: Path) -> int:
    brand = load_brand(args.brand or root / "styles" / "brand.yml")
    path = new_brief(root / "source", args.title, args.author, series=brand.series_name,
                     day=args.date or today())
    print(f"wrote {display_path(path)}; build it with: python build.py {display_path(path)}")
    return 0


def run_import(args: argparse.Namespace, root: Path) -> int:
    from briefpress.author.importer import import_manuscript  # pandoc and the AST passes
    imported = import_manuscript(args.file, root / "source", out=args.out, changes=args.changes or "")
    print(f"wrote {display_path(imported.path)}")
    for note in imported.notes:
        print(f"note: {note.message}")
    return 0


def today() -> date:
    """SOURCE_DATE_EPOCH's day when set, so scripted runs are reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date() if epoch else date.today()


def run_preview(args: argparse.Namespace, root: Path) -> int:
    from briefpress.author.preview import serve, watch  # watchfiles is only needed by these two
    config = BuildConfig(sources=(args.source or root / "source" / "brief.md",),
                         out_dir=args.out or root / "dist", formats=("html", "pdf"),
                         brand_path=args.brand or root / "styles" / "brand.yml", paper=args.paper or "",
                         source_date_epoch=os.environ.get("SOURCE_DATE_EPOCH") or None,
                         jobs=os.cpu_count() or 1, cache_dir=root / CACHE)
    if args.command == "serve":
        return serve(config, port=args.port)
    return watch(config)


def run_link_check(config: BuildConfig, *, online: bool) -> int:
    """--check-links: report every finding; fail on errors, and on warnings with --strict."""
    findings = [f for path in config.sources for f in check_links(path, online=online)]
    for finding in findings:
        stream = sys.stdout if finding.level == "note" else sys.stderr
        print(f"{finding.level}: {finding.message}", file=stream)
    errors = sum(f.level == "error" for f in findings)
    warnings = sum(f.level == "warning" for f in findings)
    checked = "offline and online" if online else "offline (add --online to request each URL)"
    print(f"checked links {checked}: {errors} error(s), {warnings} warning(s)")
    return 1 if errors or (warnings and config.strict) else 0

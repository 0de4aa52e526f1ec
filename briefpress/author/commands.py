"""The subcommands beside the build: new, import, serve, watch, clean and the link check. cli.py parses their arguments."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from datetime import date, datetime, timezone
from pathlib import Path

from briefpress.author.scaffold import new_brief
from briefpress.brand import load_brand
from briefpress.check.linkcheck import check_links
from briefpress.defaults import PREVIEW_FORMATS, cache_folder, make_config, parse_formats
from briefpress.errors import display_path
from briefpress.records import BuildConfig


def run_new(args: argparse.Namespace, root: Path) -> int:
    brand = load_brand(args.brand or root / "styles" / "brand.yml")
    path = new_brief(root / "source", args.title, args.author, series=brand.series_name, day=args.date or today())
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

    config = make_config(
        root,
        sources=[args.source] if args.source else [],
        out=args.out,
        formats=parse_formats(args.format, PREVIEW_FORMATS),
        brand=args.brand,
        paper=args.paper,
    )
    if args.command == "serve":
        return serve(config, port=args.port)
    return watch(config)


def run_clean(args: argparse.Namespace, root: Path) -> int:
    """Remove the project's cache folder: the kept editions, brands, covers and compiled templates."""
    folder = cache_folder(root)
    if folder.is_dir():
        shutil.rmtree(folder)
        print(f"removed {display_path(folder)}")
    else:
        print(f"nothing to remove ({display_path(folder)} does not exist)")
    return 0


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

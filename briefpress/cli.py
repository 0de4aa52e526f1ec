"""The command line: parse arguments, run the pipeline, report. No decisions about briefs here."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from briefpress.errors import BriefError, display_path
from briefpress.pipeline import DEFAULT_FORMATS, FORMATS, build
from briefpress.records import BuildConfig

# Subcommands, series and link checks import the heavy libraries; they are loaded when asked for,
# so that a build served from the cache starts and ends in a few hundredths of a second.
COMMANDS = ("new", "import", "serve", "watch")
CACHE = ".briefpress-cache"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="briefpress", description="Build branded PDF and EPUB editions of Markdown briefs.")
    parser.add_argument("sources", nargs="*", type=Path, metavar="SOURCE", help="Markdown briefs (default: source/brief.md)")
    parser.add_argument("--out", type=Path, help="output folder (default: dist/)")
    parser.add_argument("--format", help="editions to build, comma-separated: " + ", ".join(FORMATS)
                        + " (default: " + ",".join(DEFAULT_FORMATS) + "; with --check: all)")
    parser.add_argument("--brand", type=Path, help="brand file (default: styles/brand.yml)")
    parser.add_argument("--paper", choices=("a4", "letter"), help="paper size of the PDF editions")
    parser.add_argument("--press", action="store_true", help="add 3 mm bleed and crop marks to the PDF editions for a print shop")
    parser.add_argument("--allow-remote", action="store_true",
                        help="download http(s) images named in a brief (timeout and size cap apply)")
    parser.add_argument("--strict", action="store_true", help="fail the build on any warning")
    parser.add_argument("--check", action="store_true",
                        help="after building, run every validator on the results; exit 1 if any fails")
    parser.add_argument("--check-links", action="store_true", help="check the links instead of building")
    parser.add_argument("--online", action="store_true", help="with --check-links: request each URL too")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="processes for editions, or for the briefs of a series (default: one per core)")
    parser.add_argument("--no-cache", action="store_true",
                        help=f"make every edition afresh instead of reusing unchanged ones from {CACHE}/")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs needs a number of 1 or more")
    if args.online and not args.check_links:
        parser.error("--online works with --check-links")
    return args


def make_config(args: argparse.Namespace, root: Path) -> BuildConfig:
    default = FORMATS if args.check else DEFAULT_FORMATS
    formats = tuple(f.strip() for f in args.format.split(",") if f.strip()) if args.format else default
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise BriefError("--format", None, f"unknown format {', '.join(unknown) or '(none)'}",
                         "use --format with " + ", ".join(FORMATS))
    return BuildConfig(sources=tuple(args.sources) or (root / "source" / "brief.md",),
                       out_dir=args.out or root / "dist", formats=formats,
                       brand_path=args.brand or root / "styles" / "brand.yml",
                       strict=args.strict, paper=args.paper or "", press=args.press,
                       allow_remote=args.allow_remote, jobs=args.jobs,
                       cache_dir=None if args.no_cache else root / CACHE,
                       source_date_epoch=os.environ.get("SOURCE_DATE_EPOCH") or None)


class OneLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def main(argv: list[str] | None = None, root: Path | None = None) -> int:
    """Run a build, or a subcommand; return the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in COMMANDS:  # new, import, serve, watch; anything else is a SOURCE
        from briefpress.author.commands import run_command
        return run_command(argv, root or Path.cwd())
    args = parse_args(argv)
    return reported(lambda: run_build(args, root or Path.cwd()))


def reported(run) -> int:
    """Call run() with warnings printed as `warning: ...` lines; a BriefError becomes
    `error: ...` lines and exit code 1, never a traceback."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLine())
    logger = logging.getLogger("briefpress")
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    try:
        return run()
    except BriefError as err:
        for line in err.message.splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 1
    finally:
        logger.removeHandler(handler)


def run_build(args: argparse.Namespace, root: Path) -> int:
    config = make_config(args, root)
    if args.check_links:
        from briefpress.author.commands import run_link_check
        return run_link_check(config, online=args.online)
    if len(config.sources) > 1:  # a series gets a catalogue
        from briefpress.render.catalogue import build_series
        artifacts = build_series(config)
    else:
        artifacts = build(config)
    if not args.quiet:
        for artifact in artifacts:
            print(f"wrote {display_path(artifact.path)} ({artifact.size / 1024:.0f} KiB)")
    return report_checks(artifacts, config) if args.check else 0


def report_checks(artifacts, config: BuildConfig) -> int:
    """Run every validator on the editions just built; print one line each and the failures' details."""
    try:
        from briefpress.check.validate import validate_editions
    except ImportError as err:  # the validators come with the test extra
        print(f"error: --check needs {err.name} (run ./setup.sh)", file=sys.stderr)
        return 1
    verdicts = validate_editions([a.path for a in artifacts], {p.stem: p for p in config.sources})
    for verdict in verdicts:
        print(verdict.line())
        for detail in verdict.details if not verdict.passed else ():
            print(f"    {detail}")
    failed = sum(not v.passed for v in verdicts)
    print(f"check: {len(verdicts) - failed} passed, {failed} failed")
    return 1 if failed else 0

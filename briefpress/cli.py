"""The command line: parse arguments, run the pipeline or a subcommand, report. No decisions about
briefs here; defaults live in defaults.py and console output in console.py."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from briefpress.console import reported
from briefpress.defaults import (
    CACHE,
    DEFAULT_FORMATS,
    FORMATS,
    PREVIEW_FORMATS,
    find_project,
    make_config,
    parse_formats,
)
from briefpress.errors import BriefError, display_path
from briefpress.records import BuildConfig

# Subcommands, series and link checks import the heavy libraries; they are loaded when asked for,
# so that a build served from the cache starts and ends in a few hundredths of a second.
COMMANDS = ("build", "new", "import", "serve", "watch", "pack", "clean")
EPILOG = """commands:
  build SOURCE ...   build the editions (the default: `briefpress SOURCE` is `briefpress build SOURCE`)
  new TITLE          start a new brief in source/
  import FILE        bring in a .docx, .odt, .html or .md manuscript as source/<slug>.md
  serve [SOURCE]     build, serve a live preview and rebuild on every change
  watch [SOURCE]     build and rebuild on every change, without a server
  pack PACK.yml      build a briefing pack: one PDF, its print edition, a booklet and one EPUB
  clean              remove what builds keep between them (the project's cache folder)

A first argument that is not a command, or that names an existing file, is a SOURCE to build;
`briefpress build new` builds a file called new. `briefpress COMMAND --help` shows each command's options."""


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="briefpress",
        description="Build branded PDF, EPUB and web editions of Markdown briefs.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument(
        "--version", action=VersionAction, help="print the versions of briefpress, pandoc and WeasyPrint, and exit"
    )
    commands = top.add_subparsers(dest="command", metavar="COMMAND")
    add_build(commands.add_parser("build", help="build the editions (default)"))
    add_new(commands.add_parser("new", help="start a new brief in source/"))
    add_import(
        commands.add_parser("import", help="bring in a .docx, .odt, .html or .md manuscript as source/<slug>.md")
    )
    for name, text in (
        ("serve", "build, serve a live preview and rebuild on every change"),
        ("watch", "build and rebuild on every change, without a server"),
    ):
        add_preview(commands.add_parser(name, help=text), serve=name == "serve")
    add_pack(commands.add_parser("pack", help="build a briefing pack from its manifest"))
    clean = commands.add_parser("clean", help="remove what builds keep between them (the project's cache folder)")
    clean.set_defaults(run=lambda args, root: command("run_clean")(args, root))
    return top


class VersionAction(argparse.Action):
    """--version: the versions that decide an edition's bytes, looked up only when asked for."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import version

        from briefpress import __version__
        from briefpress.read.markdown import pandoc_version

        print(f"briefpress {__version__} (pandoc {pandoc_version()}, WeasyPrint {version('weasyprint')})")
        parser.exit()


def add_pack(sub: argparse.ArgumentParser) -> None:
    from briefpress.records import PACK_FILES

    sub.add_argument("manifest", type=Path, metavar="PACK.yml", help="the pack's manifest (see README)")
    sub.add_argument("--out", type=Path, help="output folder (default: dist/)")
    sub.add_argument("--format", help="files to make, comma-separated: " + ", ".join(PACK_FILES) + " (default: all)")
    sub.add_argument("--brand", type=Path, help="brand file (default: styles/brand.yml)")
    sub.add_argument("--paper", choices=("a4", "letter"), help="paper size of the pack PDFs")
    sub.add_argument("--press", action="store_true", help="bleed and crop marks on the print pack")
    sub.add_argument(
        "--sheet", choices=("a4", "a3"), default="a4", help="booklet sheet: a4 (A5 pages) or a3 (A4 pages)"
    )
    sub.add_argument("--short-edge", action="store_true", help="booklet for printers that flip on the short edge")
    sub.add_argument(
        "--creep",
        type=float,
        metavar="MM",
        help="booklet creep: how far the innermost sheet's pages move towards the spine (default: 0.1 mm a sheet)",
    )
    sub.add_argument("--marks", action="store_true", help="fold and crop marks on the booklet")
    sub.add_argument("--strict", action="store_true", help="fail the build on any warning")
    sub.add_argument("--no-cache", action="store_true", help=f"compose every brief afresh instead of reusing {CACHE}/")
    sub.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
    sub.set_defaults(run=run_pack)


def run_pack(args: argparse.Namespace, root: Path) -> int:
    from briefpress.packs import build_pack
    from briefpress.records import PACK_FILES, BookletOptions, PackConfig

    build = make_config(
        root,
        out=args.out,
        brand=args.brand,
        paper=args.paper,
        no_cache=args.no_cache,
        jobs=1,
        strict=args.strict,
        press=args.press,
    )
    formats = parse_formats(args.format, tuple(PACK_FILES), known=tuple(PACK_FILES))
    if args.creep is not None and not 0 <= args.creep <= 10:
        raise BriefError("--creep", None, f"{args.creep} mm is not a creep", "give 0 to 10 mm")
    booklet = BookletOptions(sheet=args.sheet, short_edge=args.short_edge, creep_mm=args.creep, marks=args.marks)
    for artifact in build_pack(PackConfig(args.manifest, build, formats, booklet)):
        if not args.quiet:
            print(f"wrote {display_path(artifact.path)} ({artifact.size / 1024:.0f} KiB)")
    return 0


def add_build(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "sources", nargs="*", type=Path, metavar="SOURCE", help="Markdown briefs (default: source/brief.md)"
    )
    sub.add_argument("--out", type=Path, help="output folder (default: dist/)")
    sub.add_argument(
        "--format",
        help="editions to build, comma-separated: "
        + ", ".join(FORMATS)
        + " (default: "
        + ",".join(DEFAULT_FORMATS)
        + "; with --check: all)",
    )
    sub.add_argument("--brand", type=Path, help="brand file (default: styles/brand.yml)")
    sub.add_argument("--paper", choices=("a4", "letter"), help="paper size of the PDF editions")
    sub.add_argument(
        "--press", action="store_true", help="add 3 mm bleed and crop marks to the PDF editions for a print shop"
    )
    sub.add_argument(
        "--allow-remote",
        action="store_true",
        help="download http(s) images named in a brief (timeout and size cap apply)",
    )
    sub.add_argument(
        "--references", action="store_true", help="add a References list after the notes of a brief that cites"
    )
    sub.add_argument("--strict", action="store_true", help="fail the build on any warning (notes never fail it)")
    sub.add_argument(
        "--check", action="store_true", help="after building, run every validator on the results; exit 1 if any fails"
    )
    sub.add_argument("--check-links", action="store_true", help="check the links instead of building")
    sub.add_argument("--online", action="store_true", help="with --check-links: request each URL too")
    sub.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes for editions, or for the briefs of a series (default: one per core)",
    )
    sub.add_argument(
        "--no-cache",
        action="store_true",
        help=f"make every edition afresh instead of reusing unchanged ones from {CACHE}/",
    )
    sub.add_argument(
        "--cluster",
        default=os.environ.get("DASK_SCHEDULER_ADDRESS") or None,
        metavar="ADDRESS",
        help="build a series on the Dask scheduler at ADDRESS (tcp://HOST:PORT), or on `local` workers, "
        "one per --jobs (default: $DASK_SCHEDULER_ADDRESS; else this machine's processes)",
    )
    sub.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
    sub.set_defaults(run=run_build)


def add_new(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("title", help="the brief's title")
    sub.add_argument("--author", required=True, help="the author's name")
    sub.add_argument("--date", type=date.fromisoformat, help="the brief's date, YYYY-MM-DD (default: today)")
    sub.add_argument("--brand", type=Path, help="brand file, for the series name (default: styles/brand.yml)")
    sub.set_defaults(run=lambda args, root: command("run_new")(args, root))


def add_import(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("file", type=Path, help="the manuscript")
    sub.add_argument("--out", type=Path, help="the brief to write (default: source/<slug>.md, from the title)")
    sub.add_argument(
        "--changes",
        choices=("accept", "reject", "all"),
        help="the manuscript's tracked changes: accept them (the default, with a warning quoting the "
        "deleted text), reject them, or keep all, insertions underlined and deletions struck through",
    )
    sub.set_defaults(run=lambda args, root: command("run_import")(args, root))


def add_preview(sub: argparse.ArgumentParser, *, serve: bool) -> None:
    sub.add_argument("source", nargs="?", type=Path, help="Markdown brief (default: source/brief.md)")
    sub.add_argument("--out", type=Path, help="output folder (default: dist/)")
    sub.add_argument("--brand", type=Path, help="brand file (default: styles/brand.yml)")
    sub.add_argument("--paper", choices=("a4", "letter"), help="paper size of the PDF")
    sub.add_argument(
        "--format",
        help="editions to rebuild on every change, comma-separated: "
        + ", ".join(FORMATS)
        + " (default: "
        + ",".join(PREVIEW_FORMATS)
        + ")",
    )
    if serve:
        sub.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default: 8765; 0 picks a free one)")
    sub.set_defaults(run=lambda args, root: command("run_preview")(args, root))


def command(name: str):
    from briefpress.author import commands

    return getattr(commands, name)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse argv; `build` is implied when the first argument is not a command (or is a file)."""
    if (
        not argv
        or argv[0] not in ("-h", "--help", "--version")
        and (argv[0] not in COMMANDS or Path(argv[0]).is_file())
    ):
        argv = ["build", *argv]
    args = parser().parse_args(argv)
    if args.command is None:
        parser().error("name a command or a SOURCE")
    if args.command == "build":
        if args.jobs < 1:
            parser().error("--jobs needs a number of 1 or more")
        if args.online and not args.check_links:
            parser().error("--online works with --check-links")
    return args


def main(argv: list[str] | None = None, root: Path | None = None, *, home: Path | None = None) -> int:
    """Run a build, or a subcommand; return the exit code.

    Paths on the command line are taken from the working folder. The project (its source/, styles/,
    dist/ and cache) is root when given, else the nearest folder at or above the working folder
    that holds styles/brand.yml, else home (build.py's folder), else the working folder."""
    args = parse_args(sys.argv[1:] if argv is None else list(argv))
    project = root or find_project(Path.cwd(), home or Path.cwd())
    return reported(lambda: args.run(args, project), quiet=getattr(args, "quiet", False))


def build_config(args: argparse.Namespace, root: Path) -> BuildConfig:
    formats = parse_formats(args.format, FORMATS if args.check else DEFAULT_FORMATS)
    return make_config(
        root,
        sources=args.sources,
        out=args.out,
        formats=formats,
        brand=args.brand,
        paper=args.paper,
        no_cache=args.no_cache,
        jobs=args.jobs,
        strict=args.strict,
        press=args.press,
        allow_remote=args.allow_remote,
        references=args.references,
    )


def run_build(args: argparse.Namespace, root: Path) -> int:
    config = build_config(args, root)
    if args.check_links:
        return command("run_link_check")(config, online=args.online)
    from briefpress.pipeline import SeriesFailed, build

    if len(config.sources) > 1:  # a series gets a catalogue, and shows its progress
        from briefpress.progress import Progress

        with Progress(len(config.sources), quiet=args.quiet) as progress:
            if args.cluster:
                from briefpress.cluster import cluster_driver

                driver = cluster_driver(args.cluster, progress)
            else:
                from briefpress.series import series_driver

                driver = series_driver(progress)
            try:
                artifacts = build(config, driver)
            except SeriesFailed as failed:  # the briefs that built are written: say so, then fail
                if not args.quiet:
                    print_written(failed.written)
                raise
    else:
        artifacts = build(config)
    if not args.quiet:
        print_written(artifacts)
    return report_checks(artifacts, config) if args.check else 0


def print_written(artifacts) -> None:
    """One line a file; the search index's many files as one line for their folder."""
    search = [a for a in artifacts if a.kind == "search"]
    for artifact in artifacts:
        if artifact.kind != "search":
            print(f"wrote {display_path(artifact.path)} ({artifact.size / 1024:.0f} KiB)")
        elif artifact is search[-1]:
            size = sum(a.size for a in search) / 1024
            folder = Path(os.path.commonpath([a.path for a in search]))
            print(f"wrote {display_path(folder)}/ ({len(search)} files, {size:.0f} KiB)")


def report_checks(artifacts, config: BuildConfig) -> int:
    """Run every validator on the editions just built; print one line each and the failures' details."""
    try:
        from briefpress.check.validate import validate_editions
    except ImportError as err:  # the validators come with the test extra
        print(f"error: --check needs {err.name} (run ./setup.sh)", file=sys.stderr)
        return 1
    verdicts = validate_editions(artifacts, config.sources)
    for verdict in verdicts:
        print(verdict.line())
        for detail in verdict.details if not verdict.passed else ():
            print(f"    {detail}")
    failed = sum(not v.passed for v in verdicts)
    print(f"check: {len(verdicts) - failed} passed, {failed} failed")
    return 1 if failed else 0

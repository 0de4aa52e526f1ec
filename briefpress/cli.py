"""The command line: parse arguments, run the pipeline or a subcommand, report. No decisions about
briefs here; defaults live in defaults.py and console output in console.py."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from briefpress.console import reported
from briefpress.defaults import CACHE, DEFAULT_FORMATS, FORMATS, PREVIEW_FORMATS, make_config, parse_formats
from briefpress.errors import BriefErrors, display_path
from briefpress.records import BuildConfig

# Subcommands, series and link checks import the heavy libraries; they are loaded when asked for,
# so that a build served from the cache starts and ends in a few hundredths of a second.
COMMANDS = ("build", "new", "import", "serve", "watch")
EPILOG = """commands:
  build SOURCE ...   build the editions (the default: `briefpress SOURCE` is `briefpress build SOURCE`)
  new TITLE          start a new brief in source/
  import FILE        bring in a .docx, .odt, .html or .md manuscript as source/<slug>.md
  serve [SOURCE]     build, serve a live preview and rebuild on every change
  watch [SOURCE]     build and rebuild on every change, without a server

A first argument that is not a command, or that names an existing file, is a SOURCE to build;
`briefpress build new` builds a file called new. `briefpress COMMAND --help` shows each command's options."""


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="briefpress",
        description="Build branded PDF, EPUB and web editions of Markdown briefs.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    return top


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
        "--changes", choices=("accept", "reject"), help="accept or reject the manuscript's tracked changes"
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
    if not argv or argv[0] not in ("-h", "--help") and (argv[0] not in COMMANDS or Path(argv[0]).is_file()):
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


def main(argv: list[str] | None = None, root: Path | None = None) -> int:
    """Run a build, or a subcommand; return the exit code."""
    args = parse_args(sys.argv[1:] if argv is None else list(argv))
    return reported(lambda: args.run(args, root or Path.cwd()), quiet=getattr(args, "quiet", False))


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
    failed = None
    if len(config.sources) > 1:  # a series gets a catalogue
        from briefpress.progress import Progress

        with Progress(len(config.sources), quiet=args.quiet) as progress:
            if args.cluster:
                from briefpress.cluster import build_on_cluster

                result = build_on_cluster(config, args.cluster, progress=progress)
                artifacts, failed = result.artifacts, result.failed and BriefErrors([*result.failed, result.summary()])
            else:
                from briefpress.render.catalogue import build_series

                artifacts = build_series(config, progress=progress)
    else:
        from briefpress.pipeline import build

        artifacts = build(config)
    if not args.quiet:
        print_written(artifacts)
    if failed:
        raise failed
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

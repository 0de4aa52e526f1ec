"""Tools for authors beside the build: new briefs, live preview, subcommands."""

"""The one exception type for user-facing errors, and how warnings are reported."""

from __future__ import annotations

import logging
import os
import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

LOG = logging.getLogger("briefpress")
NOTE = 25  # between INFO and WARNING: what the build inferred; printed, never fails --strict
logging.addLevelName(NOTE, "NOTE")
DATA_URL = re.compile(r"(data:[\w.+-]*/?[\w.+-]*(?:;[\w=.+-]*)*,)[^\s'\"()<>]{20,}", re.I)


class BriefError(Exception):
    """A problem the user can fix: printed as one line, never as a traceback."""

    def __init__(self, path: Path | str | None, line: int | None, what: str, fix: str = ""):
        # WeasyPrint quotes an image it cannot read as its whole data: URL, megabytes of base64.
        self.path, self.line, self.what, self.fix = path, line, shorten_data_urls(what), fix
        super().__init__(self.message)

    def __reduce__(self):  # so an error crosses from a worker process intact
        return (type(self), (self.path, self.line, self.what, self.fix))

    @property
    def message(self) -> str:
        where = location(self.path, self.line)
        hint = f" ({self.fix})" if self.fix else ""
        return f"{where}{self.what}{hint}"


class BriefErrors(BriefError):
    """Several problems found in one pass; each is reported on its own line."""

    def __init__(self, errors: list[BriefError]):
        self.errors = errors
        Exception.__init__(self, "\n".join(e.message for e in errors))

    def __reduce__(self):
        return (type(self), (self.errors,))

    @property
    def message(self) -> str:
        return "\n".join(e.message for e in self.errors)


class Superseded(Exception):
    """A build given up halfway because what it builds has changed (the preview: a newer save)."""


class Capture(logging.Handler):
    """Keeps every note and warning logged while it is attached, as records: for what must
    travel (from a worker process, into the cache, onto the preview page)."""

    def __init__(self):
        super().__init__(NOTE)
        self.records: list[Logged] = []

    def emit(self, record: logging.LogRecord) -> None:
        found = getattr(record, "record", None)
        if isinstance(found, BuildWarning):
            self.records.append(Logged(record.levelno, str(found.path) if found.path else None, found.line, found.what))
        else:
            self.records.append(Logged(record.levelno, None, None, record.getMessage()))

    @property
    def messages(self) -> list[str]:
        return [r.message for r in self.records if r.level >= logging.WARNING]


@dataclass(frozen=True)
class Logged:
    """A note or warning as it was logged: level, where, what. Crosses processes and the cache."""

    level: int
    path: str | None
    line: int | None
    what: str

    @property
    def message(self) -> str:
        return f"{location(self.path, self.line)}{self.what}"


def report(problem: BuildWarning, level: int = logging.WARNING) -> None:
    """Log a note or warning with its record attached, so Capture keeps path and line apart."""
    LOG.log(level, "%s", problem.message, extra={"record": problem})


def replay(records) -> None:
    """Log again what an earlier build, a worker or the cache logged."""
    for r in records:
        report(BuildWarning(r.path, r.line, r.what), r.level)


@dataclass(frozen=True)
class BuildWarning:
    """A problem that does not stop the build unless --strict is given."""

    path: Path | None
    line: int | None
    what: str

    @property
    def message(self) -> str:
        return f"{location(self.path, self.line)}{self.what}"


def location(path: Path | str | None, line: int | None) -> str:
    """Format 'path:line: ' for messages, relative to the working folder when possible."""
    if path is None:
        return ""
    shown = display_path(path)
    return f"{shown}:{line}: " if line else f"{shown}: "


def display_path(path: Path | str) -> str:
    """Show a path as it is found from the working folder: relative when it lies inside it, else
    absolute."""
    absolute = Path(os.path.abspath(path))  # a symbolic link is shown as its own name, not its target's
    for inside, cwd in ((absolute, Path.cwd()), (absolute.resolve(), Path.cwd().resolve())):
        if inside.is_relative_to(cwd):
            return str(inside.relative_to(cwd))
    return str(absolute)


def clipped(text: str, limit: int = 60, ellipsis: str = "...") -> str:
    """Text as a message quotes it: at most `limit` characters, cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - len(ellipsis)].rstrip() + ellipsis


def shorten_data_urls(text: str) -> str:
    """The text with each long data: URL cut after its comma."""
    return DATA_URL.sub(r"\1...", text)


def raise_all(errors: list[BriefError]) -> None:
    """Raise the collected errors, one or many, if there are any."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise BriefErrors(errors)


class LineIndex:
    """The 1-based line of a position in a text, by bisection: counting newlines from the start
    for every link made a long manuscript quadratic."""

    def __init__(self, text: str):
        self._starts = [0, *(match.end() for match in re.finditer("\n", text))]

    def __call__(self, pos: int) -> int:
        return bisect_right(self._starts, pos)
